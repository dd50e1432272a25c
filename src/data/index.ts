/** Digit sets: parse IDX bytes, load a set, split, normalise, prepare for training, label formats. */
export * from './idx';
export * from './digits';
export * from './load';
export * from './split';
export * from './normalize';
export * from './prepare';
export * from './images';
export * from './label-format';
export { createRandom, permutation, type Random } from './random';
