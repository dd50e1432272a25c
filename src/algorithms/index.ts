/** Algorithms from tensor ops and plain numbers: the MLP and its backward pass, attention, calculus checks, gradient descent. */
export * from './errors';
export * from './matrix';
export * from './mlp';
export * from './attention';
export * from './calculus';
export * from './descent';
