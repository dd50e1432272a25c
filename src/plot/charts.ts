/**
 * The charts the notebooks draw, as typed helpers returning a `Figure` with the project's defaults:
 * line (training curves, loss vs learning rate), price over time on a log axis with a fitted trend,
 * scatter, bar / grouped bar, heatmap with labelled axes (confusion matrix, attention weights), a grid
 * of digit images with true and predicted labels, and `plotlyFigure` for any other plotly spec.
 */
import { Figure } from './bundle';
import { leastSquaresLine } from '../stats/least-squares';
import {
  INK_ON_PAPER,
  LOG_AXIS,
  NOTEBOOK_WIDTH_PX,
  SEQUENTIAL_BLUES,
  PALETTE,
  assertFigureSpec,
  axisLayout,
  FigureSpecError,
  logTicks,
  withDefaults,
  type AxisSpec,
  type FigureSpec,
  type PlotlyLayout,
  type PlotlyTrace,
} from './figure';

export interface ChartBase {
  title: string;
  x: AxisSpec;
  y: AxisSpec;
  /** Overrides or additions to the plotly layout (width, height, annotations…). */
  layout?: PlotlyLayout;
}

export interface XYSeries {
  name: string;
  x: ReadonlyArray<number | string | Date>;
  y: ReadonlyArray<number | null>;
  /** Hover text per point. */
  text?: ReadonlyArray<string>;
}

function checkSeries(chart: string, series: ReadonlyArray<XYSeries>): void {
  if (series.length === 0) throw new FigureSpecError(`${chart}.series`, 'is empty: give at least one series');
  series.forEach((s, index) => {
    if (s.x.length !== s.y.length) {
      throw new FigureSpecError(`${chart}.series[${index}] "${s.name}"`, `has ${s.x.length} x values but ${s.y.length} y values`);
    }
    if (s.text && s.text.length !== s.x.length) {
      throw new FigureSpecError(`${chart}.series[${index}] "${s.name}"`, `has ${s.x.length} points but ${s.text.length} texts`);
    }
  });
}

function baseLayout(chart: ChartBase): PlotlyLayout {
  return { title: chart.title, xaxis: axisLayout(chart.x), yaxis: axisLayout(chart.y), ...chart.layout };
}

function xyTrace(s: XYSeries, mode: string): PlotlyTrace {
  return {
    type: 'scatter',
    mode,
    name: s.name,
    x: [...s.x],
    y: [...s.y],
    ...(s.text ? { text: [...s.text], hovertemplate: '%{text}<br>%{x}, %{y}<extra>%{fullData.name}</extra>' } : {}),
  };
}

export interface LineChart extends ChartBase {
  series: ReadonlyArray<XYSeries>;
  /** Draw the points too (default: only when a series has fewer than 30 points). */
  markers?: boolean;
}

/** Training curves, loss against learning rate (`y.log` / `x.log` for log axes). */
export function lineChart(chart: LineChart): Figure {
  checkSeries('lineChart', chart.series);
  const data = chart.series.map((s) => xyTrace(s, chart.markers ?? s.x.length < 30 ? 'lines+markers' : 'lines'));
  return new Figure(withDefaults({ data, layout: baseLayout(chart) }));
}

export interface ScatterChart extends ChartBase {
  series: ReadonlyArray<XYSeries>;
}

export function scatterChart(chart: ScatterChart): Figure {
  checkSeries('scatterChart', chart.series);
  const data = chart.series.map((s) => ({ ...xyTrace(s, 'markers'), marker: { size: 8, opacity: 0.85 } }));
  return new Figure(withDefaults({ data, layout: baseLayout(chart) }));
}

export interface PricePoint {
  date: Date | string;
  /** Price in the unit of `y` (e.g. USD per million tokens); must be > 0 for the log axis. */
  price: number;
  /** Model or offer name, shown on hover. */
  label?: string;
}

export interface PriceTrendChart {
  title: string;
  y: AxisSpec;
  x?: AxisSpec;
  points: ReadonlyArray<PricePoint>;
  /** Legend name of the observations. */
  name?: string;
  layout?: PlotlyLayout;
}

const MS_PER_YEAR = 365.25 * 24 * 3600 * 1000;

export interface LogTrend {
  /** Multiplier per year of the fitted line (0.1 = ten times cheaper each year). */
  factorPerYear: number;
  /** log10(price) at time 0 (Unix epoch) and per year. */
  intercept: number;
  slopePerYear: number;
}

/** Least-squares line through log10(price) against time in years: exponential price decline. */
export function fitLogTrend(points: ReadonlyArray<{ time: number; price: number }>): LogTrend {
  if (points.length < 2) throw new FigureSpecError('priceTrendChart.points', `has ${points.length} point(s): a trend needs at least 2`);
  const { sxx, slope: slopePerYear, intercept } = leastSquaresLine(
    points.map((p) => p.time / MS_PER_YEAR),
    points.map((p) => Math.log10(p.price)),
  );
  if (sxx === 0) throw new FigureSpecError('priceTrendChart.points', 'all share one date: a trend needs at least 2 dates');
  return { slopePerYear, intercept, factorPerYear: 10 ** slopePerYear };
}

function describeTrend(trend: LogTrend): string {
  return trend.factorPerYear < 1
    ? `Fitted trend: ÷${(1 / trend.factorPerYear).toFixed(1)} per year`
    : `Fitted trend: ×${trend.factorPerYear.toFixed(1)} per year`;
}

/** Price over time on a log axis, with the least-squares exponential trend drawn through it. */
export function priceTrendChart(chart: PriceTrendChart): Figure {
  const points = chart.points.map((p, index) => {
    const time = (p.date instanceof Date ? p.date : new Date(p.date)).getTime();
    if (Number.isNaN(time)) throw new FigureSpecError(`priceTrendChart.points[${index}].date`, `"${String(p.date)}" is not a date`);
    if (!(p.price > 0)) throw new FigureSpecError(`priceTrendChart.points[${index}].price`, `is ${p.price}: a log axis needs prices > 0`);
    return { ...p, time };
  });
  const trend = fitLogTrend(points);
  const times = points.map((p) => p.time);
  const ends = [Math.min(...times), Math.max(...times)];
  const observed: PlotlyTrace = {
    type: 'scatter',
    mode: 'markers',
    name: chart.name ?? 'Observed price',
    x: points.map((p) => new Date(p.time).toISOString()),
    y: points.map((p) => p.price),
    text: points.map((p) => p.label ?? ''),
    hovertemplate: '%{text}<br>%{x|%Y-%m-%d}: %{y}<extra></extra>',
    marker: { size: 9, color: PALETTE[0] },
  };
  const fitted: PlotlyTrace = {
    type: 'scatter',
    mode: 'lines',
    name: describeTrend(trend),
    x: ends.map((t) => new Date(t).toISOString()),
    y: ends.map((t) => 10 ** (trend.intercept + trend.slopePerYear * (t / MS_PER_YEAR))),
    line: { color: PALETTE[3], dash: 'dash', width: 2 },
    hoverinfo: 'skip',
  };
  const layout: PlotlyLayout = {
    title: chart.title,
    xaxis: { ...axisLayout(chart.x ?? { title: 'Release date' }), type: 'date' },
    yaxis: {
      ...axisLayout(chart.y),
      ...LOG_AXIS,
      ...logTicks(Math.min(...points.map((p) => p.price)), Math.max(...points.map((p) => p.price))),
    },
    ...chart.layout,
  };
  return new Figure(withDefaults({ data: [observed, fitted], layout }));
}

export interface BarSeries {
  name: string;
  values: ReadonlyArray<number>;
}

export interface BarChart extends ChartBase {
  categories: ReadonlyArray<string>;
  /** One series: plain bars; several: grouped bars with a legend. */
  series: ReadonlyArray<BarSeries>;
  /** `h`: horizontal bars (categories on the y axis). */
  orientation?: 'v' | 'h';
}

export function barChart(chart: BarChart): Figure {
  if (chart.series.length === 0) throw new FigureSpecError('barChart.series', 'is empty: give at least one series');
  chart.series.forEach((s, index) => {
    if (s.values.length !== chart.categories.length) {
      throw new FigureSpecError(`barChart.series[${index}] "${s.name}"`, `has ${s.values.length} values for ${chart.categories.length} categories`);
    }
  });
  const horizontal = chart.orientation === 'h';
  const data = chart.series.map((s) => ({
    type: 'bar',
    name: s.name,
    orientation: horizontal ? 'h' : 'v',
    x: horizontal ? [...s.values] : [...chart.categories],
    y: horizontal ? [...chart.categories] : [...s.values],
  }));
  return new Figure(withDefaults({ data, layout: { ...baseLayout(chart), barmode: 'group' } }));
}

export interface HeatmapChart extends ChartBase {
  /** Labels of the columns (x) and rows (y): e.g. predicted and true classes, keys and queries. */
  xLabels: ReadonlyArray<string>;
  yLabels: ReadonlyArray<string>;
  /** `z[row][column]`. */
  z: ReadonlyArray<ReadonlyArray<number>>;
  /** Colour bar title, e.g. `count` or `weight`. */
  valueTitle?: string;
  /** Write each cell's value on it (default: when there are at most 20×20 cells). */
  showValues?: boolean;
  /** Plotly colour scale name or stops (default: light to dark blue). */
  colorscale?: string | ReadonlyArray<[number, string]>;
}

/** A confusion matrix or attention map: rows top to bottom in the order given. */
export function heatmapChart(chart: HeatmapChart): Figure {
  if (chart.z.length !== chart.yLabels.length) {
    throw new FigureSpecError('heatmapChart.z', `has ${chart.z.length} rows for ${chart.yLabels.length} yLabels`);
  }
  chart.z.forEach((row, index) => {
    if (row.length !== chart.xLabels.length) {
      throw new FigureSpecError(`heatmapChart.z[${index}]`, `has ${row.length} values for ${chart.xLabels.length} xLabels`);
    }
  });
  const showValues = chart.showValues ?? (chart.xLabels.length <= 20 && chart.yLabels.length <= 20);
  const trace: PlotlyTrace = {
    type: 'heatmap',
    x: [...chart.xLabels],
    y: [...chart.yLabels],
    z: chart.z.map((row) => [...row]),
    colorscale: chart.colorscale ?? SEQUENTIAL_BLUES,
    colorbar: { title: { text: chart.valueTitle ?? '' } },
    hovertemplate: `${chart.y.title}: %{y}<br>${chart.x.title}: %{x}<br>%{z}<extra></extra>`,
    ...(showValues ? { texttemplate: '%{z:.3~g}', textfont: { size: 11 } } : {}),
  };
  const layout = baseLayout(chart);
  return new Figure(
    withDefaults({
      data: [trace],
      layout: {
        ...layout,
        xaxis: { ...layout.xaxis, type: 'category', side: 'bottom' },
        yaxis: { ...layout.yaxis, type: 'category', autorange: 'reversed' },
        ...chart.layout,
      },
    }),
  );
}

export interface ImageGrid {
  title: string;
  /** Grey levels in [0, 1], row-major, `width × height` each (MNIST: 28 × 28 = 784). */
  images: ReadonlyArray<ArrayLike<number>>;
  width?: number;
  height?: number;
  trueLabels?: ReadonlyArray<number | string>;
  predictedLabels?: ReadonlyArray<number | string>;
  columns?: number;
  layout?: PlotlyLayout;
}

/** Gap between tiles, in image pixels. */
const TILE_GAP = 4;
/** Room above each tile for its label, in image pixels. */
const TILE_LABEL = 10;

/**
 * Digits in a grid, each titled `true 7` or `true 7 · pred 1` (in red when wrong). Drawn as one
 * heatmap of all tiles so that a grid of a hundred digits stays one light trace.
 */
export function imageGrid(grid: ImageGrid): Figure {
  const width = grid.width ?? 28;
  const height = grid.height ?? 28;
  const count = grid.images.length;
  if (count === 0) throw new FigureSpecError('imageGrid.images', 'is empty');
  grid.images.forEach((image, index) => {
    if (image.length !== width * height) {
      throw new FigureSpecError(`imageGrid.images[${index}]`, `has ${image.length} pixels, expected ${width}×${height} = ${width * height}`);
    }
  });
  for (const [name, labels] of [['trueLabels', grid.trueLabels], ['predictedLabels', grid.predictedLabels]] as const) {
    if (labels && labels.length !== count) throw new FigureSpecError(`imageGrid.${name}`, `has ${labels.length} labels for ${count} images`);
  }
  const columns = Math.min(grid.columns ?? 8, count);
  const rows = Math.ceil(count / columns);
  const tileW = width + TILE_GAP;
  const tileH = height + TILE_GAP + TILE_LABEL;
  const z: Array<Array<number | null>> = Array.from({ length: rows * tileH }, () => new Array<number | null>(columns * tileW).fill(null));
  const annotations: Array<Record<string, unknown>> = [];
  grid.images.forEach((image, index) => {
    const left = (index % columns) * tileW;
    const top = Math.floor(index / columns) * tileH + TILE_LABEL;
    for (let r = 0; r < height; r += 1) {
      const row = z[top + r] as Array<number | null>;
      for (let c = 0; c < width; c += 1) row[left + c] = image[r * width + c] ?? null;
    }
    const truth = grid.trueLabels?.[index];
    const predicted = grid.predictedLabels?.[index];
    const parts = [truth !== undefined ? `true ${truth}` : '', predicted !== undefined ? `pred ${predicted}` : ''].filter(Boolean);
    if (parts.length > 0) {
      const wrong = truth !== undefined && predicted !== undefined && String(truth) !== String(predicted);
      annotations.push({
        x: left + width / 2 - 0.5,
        y: top - 1.5,
        text: parts.join(' · '),
        showarrow: false,
        yanchor: 'bottom',
        font: { size: 10, color: wrong ? PALETTE[3] : '#333' },
      });
    }
  });
  const pxPerPixel = (NOTEBOOK_WIDTH_PX - 40) / (columns * tileW);
  const hidden = { visible: false, showgrid: false, zeroline: false };
  return new Figure(
    withDefaults({
      data: [{ type: 'heatmap', z, colorscale: INK_ON_PAPER, showscale: false, hoverinfo: 'skip', zmin: 0, zmax: 1 }],
      layout: {
        title: grid.title,
        width: NOTEBOOK_WIDTH_PX,
        height: Math.round(rows * tileH * pxPerPixel + 80),
        margin: { l: 20, r: 20, t: 60, b: 20 },
        xaxis: { ...hidden, constrain: 'domain' },
        yaxis: { ...hidden, autorange: 'reversed', scaleanchor: 'x' },
        annotations,
        ...grid.layout,
      },
    }),
  );
}

/** The escape hatch: any plotly figure (`{ data, layout?, config? }`), checked, with the project's defaults. */
export function plotlyFigure(spec: unknown): Figure {
  assertFigureSpec(spec);
  const checked = spec as FigureSpec;
  return new Figure(withDefaults({ data: checked.data, layout: checked.layout ?? {}, ...(checked.config ? { config: checked.config } : {}) }));
}
