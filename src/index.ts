export { projectRoot, buildDir, projectJupyterPath } from "./paths";
export * from './display';
