/**
 * The algorithms on plain numbers, without TensorFlow.js: finite differences, the logistic neuron and
 * its loss, gradient descent and its learning-rate sweep, seeded matrices. Notebook 04 imports these
 * (`llm-price-lab/math`), so its import cell does not load tfjs; `llm-price-lab/algorithms` adds the
 * MLP and attention, which run on tensors.
 */
export * from './errors';
export * from './matrix';
export * from './calculus';
export * from './descent';
