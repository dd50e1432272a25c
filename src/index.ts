export { projectRoot, buildDir, projectJupyterPath } from "./paths";
export * from './display';

// Plotting: charts as one display bundle (plotly JSON, self-contained HTML, static image, title).
export * from './plot';
