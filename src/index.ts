/**
 * Everything the notebooks use, in one import. Each part is also its own entry point that loads only
 * what it needs (`llm-price-lab/cost` never loads TensorFlow.js): see `exports` in package.json.
 */
export { projectRoot, buildDir, projectJupyterPath } from "./paths";
export * from './display';
// Comms between notebook code and the front end (both directions); asking the user for input.
export * from './comm';
export * from './stdin';
// What a notebook read and wrote through the library, for the runner's execution cache.
export { recordRead, recordWrite } from './provenance';

// Digits, preprocessing and the article's CNN on the fastest tfjs backend available.
export * from './data';
export * from './model';
export * from './compress';
export * from './privacy';
// A deployable folder: model, weights and preprocessing, served from the files alone (notebook 06).
export * from './deploy';
// Statistics: median and quantiles, timings, least-squares line, Student's t, intervals, McNemar.
export * from './stats';

// Results shown in notebooks: JSON summary bundles and tables.
export * from './show';
// Facts that cannot drift: prose from computed values, checked claims, the facts lock.
export * from './facts';

// Plotting: charts as one display bundle (plotly JSON, self-contained HTML, static image, title).
export * from './plot';

// Cost models, price trends and the reference data (notebooks 01, 02, 07).
export * from './cost';
// Algorithms checked numerically (notebooks 03, 04).
export * from './algorithms';
// Environment report and reading list (notebook 07).
export * from './tools';
