/** The cost library: compute, rental and energy, serving economics, price trends, reference data. */
export * from './units';
export * from './errors';
export * from './compute';
export * from './rental';
export * from './serving';
export * from './trend';
export * from './drivers';
export * from './reference';
export * from './gpu-count';
export * from './api-prices';
