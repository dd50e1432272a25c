export * from './preprocessing';
export * from './folder';
export * from './separate-process';
