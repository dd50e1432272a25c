export * from './environment';
export * from './readingList';
