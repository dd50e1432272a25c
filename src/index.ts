export { projectRoot, buildDir, projectJupyterPath } from "./paths";
export * from './display';

// Digits, preprocessing and the article's CNN on the fastest tfjs backend available.
export * from './data/idx';
export * from './data/digits';
export * from './data/load';
export * from './data/split';
export * from './data/normalize';
export * from './data/prepare';
export * from './data/images';
export * from './data/label-format';
export { createRandom, permutation, type Random } from './data/random';
export * from './model/backend';
export * from './model/webgpu';
export * from './model/wasm-kernels';
export * from './model/cnn';
export * from './model/train';
export * from './model/gradients';
export * from './model/pool';
export * from './model/adam';
export * from './model/evaluate';
export * from './model/persist';
export * from './model/progress';
export * from './model/speed';
export * from './model/timing';
export * from './model/flops';
export * from './model/checkpoint';
export * from './model/compare';
export * from './compress/prune';
export * from './compress/quantize';
export * from './compress/distill';
export * from './privacy/accountant';
export * from './privacy/dp-sgd';
export * from './privacy/federated';
// A deployable folder: model, weights and preprocessing, served from the files alone (notebook 06).
export * from './deploy';
// Statistics: median and quantiles, least-squares line, Student's t, intervals for proportions.
export * from './stats';

// Results shown in notebooks: JSON summary bundles and tables.
export * from './show';

// Plotting: charts as one display bundle (plotly JSON, self-contained HTML, static image, title).
export * from './plot';

// Cost models, price trends and the reference data (notebooks 01, 02, 07).
export * from './cost';
// Algorithms checked numerically (notebooks 03, 04).
export * from './algorithms';
// Environment report and reading list (notebook 07).
export * from './tools';
