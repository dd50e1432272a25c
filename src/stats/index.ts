/**
 * The statistics the notebooks use, one module per concept: summaries of repeated measurements
 * (median, quantiles), timings as measurements (median and range of repetitions), the
 * least-squares line, Student's t distribution, intervals for a measured proportion, and
 * McNemar's paired test of two classifiers on the same items.
 */
export * from './summary';
export * from './least-squares';
export * from './t-distribution';
export * from './proportion';
export * from './measure';
export * from './mcnemar';
