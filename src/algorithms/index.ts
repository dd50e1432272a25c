/** Algorithms from tensor ops and plain numbers: the MLP and its backward pass, attention, calculus checks, gradient descent. */
export * from './math';
export * from './mlp';
export * from './attention';
