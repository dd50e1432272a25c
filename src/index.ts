export { projectRoot, buildDir, projectJupyterPath } from "./paths";
export * from './display';

// Cost models, price trends and the reference data (notebooks 01, 02, 07).
export * from './cost';
// Algorithms checked numerically (notebooks 03, 04).
export * from './algorithms';
