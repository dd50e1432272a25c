/** Charts for the notebooks: typed helpers → one display bundle that renders everywhere. */
export {
  PALETTE,
  NOTEBOOK_WIDTH_PX,
  NOTEBOOK_HEIGHT_PX,
  axisTitle,
  withDefaults,
  FigureSpecError,
  type AxisSpec,
  type StaticFormat,
  type StaticImage,
  type FigureSpec,
  type PlotlyTrace,
  type PlotlyLayout,
  type PlotlyAxis,
  type PlotlyConfig,
} from './figure';
export {
  lineChart,
  scatterChart,
  barChart,
  heatmapChart,
  imageGrid,
  plotlyFigure,
  type LineChart,
  type ScatterChart,
  type XYSeries,
  type ErrorBars,
  type BarChart,
  type BarSeries,
  type HeatmapChart,
  type ImageGrid,
} from './charts';
export { Figure, showFigure, buildBundle, PLOTLY_MIME_TYPE, type ImageState, type RenderOptions } from './bundle';
export { resetPlotSession } from './html';
export { settleOutputs } from '../pending';
export {
  closeStaticRenderer,
  createStaticRenderer,
  findBrowser,
  type StaticRenderer,
  type StaticRenderResult,
} from './static-image';
