/** Smaller models for cheaper serving (notebook 08): magnitude pruning, int8 quantization, distillation. */
export * from './prune';
export * from './quantize';
export * from './distill';
