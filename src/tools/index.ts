export * from './environment';
export * from './table';
export * from './readingList';
