/**
 * The charts the notebooks draw, as typed helpers returning a `Figure` with the project's defaults:
 * line (training curves, loss vs learning rate, prices over time with a fitted trend), scatter,
 * bar / grouped bar (with labels, error bars, hatching), heatmap with labelled axes (confusion matrix,
 * attention weights), a grid of digit images with true and predicted labels, and `plotlyFigure` for
 * any other plotly spec. The cost figures (src/show/cost-figures.ts) are built with these helpers.
 */
import { Figure } from './bundle';
import {
  INK_ON_PAPER,
  NOTEBOOK_WIDTH_PX,
  SEQUENTIAL_BLUES,
  PALETTE,
  assertFigureSpec,
  axisLayout,
  FigureSpecError,
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
  /**
   * Overrides or additions to the plotly layout (width, height, shapes…); `xaxis` and `yaxis` are
   * merged into the axes built from `x` and `y` (a range, tick values), not put in their place.
   */
  layout?: PlotlyLayout;
}

/** Error bars: how far each value's interval reaches above (`plus`) and below (`minus`) it. */
export interface ErrorBars {
  plus: ReadonlyArray<number>;
  minus: ReadonlyArray<number>;
}

export interface XYSeries {
  name: string;
  x: ReadonlyArray<number | string | Date>;
  /** Values, or category labels (the rows of a forest plot). */
  y: ReadonlyArray<number | string | null>;
  /** Hover text per point. */
  text?: ReadonlyArray<string>;
  /** How this series is drawn when it differs from the chart's way (a fitted line among points). */
  mode?: 'lines' | 'markers' | 'lines+markers';
  /** Plotly marker style (symbol, size, colour) and line style (dash, width, colour). */
  marker?: Record<string, unknown>;
  line?: Record<string, unknown>;
  /** Intervals drawn as error bars along x (a forest plot) or y. */
  errors?: ErrorBars & { axis: 'x' | 'y' };
  /** `false` for a guide line (zero, threshold) that needs no legend entry. */
  inLegend?: boolean;
}

function checkLength(field: string, count: number, what: string, values: ReadonlyArray<unknown> | undefined): void {
  if (values && values.length !== count) throw new FigureSpecError(field, `has ${values.length} ${what} for ${count} points`);
}

function checkErrors(field: string, count: number, errors: ErrorBars | undefined): void {
  checkLength(`${field}.errors.plus`, count, 'values', errors?.plus);
  checkLength(`${field}.errors.minus`, count, 'values', errors?.minus);
}

function checkSeries(chart: string, series: ReadonlyArray<XYSeries>): void {
  if (series.length === 0) throw new FigureSpecError(`${chart}.series`, 'is empty: give at least one series');
  series.forEach((s, index) => {
    const field = `${chart}.series[${index}] "${s.name}"`;
    if (s.x.length !== s.y.length) {
      throw new FigureSpecError(field, `has ${s.x.length} x values but ${s.y.length} y values`);
    }
    if (s.text && s.text.length !== s.x.length) {
      throw new FigureSpecError(field, `has ${s.x.length} points but ${s.text.length} texts`);
    }
    checkErrors(field, s.x.length, s.errors);
  });
}

function baseLayout(chart: ChartBase): PlotlyLayout {
  const { xaxis, yaxis, ...rest } = chart.layout ?? {};
  return { title: chart.title, ...rest, xaxis: { ...axisLayout(chart.x), ...xaxis }, yaxis: { ...axisLayout(chart.y), ...yaxis } };
}

/** Plotly's asymmetric error bars. */
function errorBars(errors: ErrorBars): Record<string, unknown> {
  return { type: 'data', symmetric: false, array: [...errors.plus], arrayminus: [...errors.minus] };
}

function xyTrace(s: XYSeries, mode: string): PlotlyTrace {
  return {
    type: 'scatter',
    mode: s.mode ?? mode,
    name: s.name,
    x: [...s.x],
    y: [...s.y],
    ...(s.text ? { text: [...s.text], hovertemplate: '%{text}<br>%{x}, %{y}<extra>%{fullData.name}</extra>' } : {}),
    ...(s.marker ? { marker: s.marker } : {}),
    ...(s.line ? { line: s.line } : {}),
    ...(s.errors ? { [`error_${s.errors.axis}`]: errorBars(s.errors) } : {}),
    ...(s.inLegend === false ? { showlegend: false } : {}),
  };
}

export interface LineChart extends ChartBase {
  series: ReadonlyArray<XYSeries>;
  /** Draw the points too (default: only when a series has fewer than 30 points). */
  markers?: boolean;
}

/**
 * Training curves, loss against learning rate (`y.log` / `x.log` for log axes), prices over time with
 * a fitted trend (a `mode: 'markers'` series for the prices, lines for the trends).
 */
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
  const data = chart.series.map((s) => ({ ...xyTrace(s, 'markers'), marker: { size: 8, opacity: 0.85, ...s.marker } }));
  return new Figure(withDefaults({ data, layout: baseLayout(chart) }));
}

export interface BarSeries {
  name: string;
  values: ReadonlyArray<number>;
  /** Text written above each bar (e.g. `$1.25M`, `3.4x`). */
  labels?: ReadonlyArray<string>;
  /** Hover text per bar. */
  hoverText?: ReadonlyArray<string>;
  /** One colour for the series, or one per bar. */
  color?: string | ReadonlyArray<string>;
  /** Bars drawn hatched: assumed numbers beside computed ones. */
  hatched?: ReadonlyArray<boolean>;
  /** Intervals drawn as error bars along the values' axis. */
  errors?: ErrorBars;
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
  const count = chart.categories.length;
  chart.series.forEach((s, index) => {
    const field = `barChart.series[${index}] "${s.name}"`;
    if (s.values.length !== count) {
      throw new FigureSpecError(field, `has ${s.values.length} values for ${count} categories`);
    }
    checkLength(`${field}.labels`, count, 'labels', s.labels);
    checkLength(`${field}.hoverText`, count, 'texts', s.hoverText);
    checkLength(`${field}.color`, count, 'colours', typeof s.color === 'string' ? undefined : s.color);
    checkLength(`${field}.hatched`, count, 'flags', s.hatched);
    checkErrors(field, count, s.errors);
  });
  const horizontal = chart.orientation === 'h';
  const data = chart.series.map((s) => {
    const marker = {
      ...(s.color !== undefined ? { color: typeof s.color === 'string' ? s.color : [...s.color] } : {}),
      ...(s.hatched ? { pattern: { shape: s.hatched.map((h) => (h ? '/' : '')) } } : {}),
    };
    return {
      type: 'bar',
      name: s.name,
      orientation: horizontal ? 'h' : 'v',
      x: horizontal ? [...s.values] : [...chart.categories],
      y: horizontal ? [...chart.categories] : [...s.values],
      ...(s.labels ? { text: [...s.labels], textposition: 'outside' } : {}),
      ...(s.hoverText ? { hovertext: [...s.hoverText] } : {}),
      ...(Object.keys(marker).length > 0 ? { marker } : {}),
      ...(s.errors ? { [horizontal ? 'error_x' : 'error_y']: errorBars(s.errors) } : {}),
    };
  });
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
        xaxis: { ...layout.xaxis, type: 'category', side: 'bottom', ...chart.layout?.xaxis },
        yaxis: { ...layout.yaxis, type: 'category', autorange: 'reversed', ...chart.layout?.yaxis },
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
