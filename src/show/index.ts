/** Results shown in notebooks: a JSON summary bundle and result tables. */
export * from './html';
export * from './summary';
export * from './table';
export * from './model';
export * from './progress';
export * from './cost-figures';
export * from './calculators';
