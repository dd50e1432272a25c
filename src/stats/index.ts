/**
 * The statistics the notebooks use, one module per concept: summaries of repeated measurements
 * (median, quantiles), the least-squares line, Student's t distribution, and intervals for a
 * measured proportion.
 */
export * from './summary';
export * from './least-squares';
export * from './t-distribution';
export * from './proportion';
