export { projectRoot, buildDir, projectJupyterPath } from "./paths";
export * from './display';

// Cost models, price trends and the reference data (notebooks 01, 02, 07).
export * from './cost';
// Algorithms checked numerically (notebooks 03, 04).
export * from './algorithms';
// Showing figures with their sources; environment report and reading list (notebooks 01–04, 07).
export * from './show';
export * from './tools';
