/** The article's CNN on the fastest tfjs backend available: build, train, evaluate, time, save, compare. */
export * from './backend';
export * from './webgpu';
export * from './wasm-kernels';
export * from './cnn';
export * from './train';
export * from './gradients';
export * from './pool';
export * from './adam';
export * from './evaluate';
export * from './persist';
export * from './speed';
export * from './timing';
export * from './flops';
export * from './checkpoint';
export * from './compare';
export * from './threads';
