/**
 * The typed figure spec (what plotly.js draws) and the project's readable defaults: a colour-blind-safe
 * palette, titles, axis titles with units, a legend only when there is more than one series, and a
 * size that fits a notebook column. Pure data: nothing here draws or talks to a kernel.
 */
import { ProjectError } from '../errors';

/** One plotly trace. The common fields are typed; any other plotly attribute passes through. */
export interface PlotlyTrace {
  type?: string;
  name?: string;
  x?: ReadonlyArray<unknown>;
  y?: ReadonlyArray<unknown>;
  z?: ReadonlyArray<ReadonlyArray<number | null>>;
  mode?: string;
  text?: string | ReadonlyArray<string>;
  hovertemplate?: string;
  marker?: Record<string, unknown>;
  line?: Record<string, unknown>;
  [attribute: string]: unknown;
}

/** A plotly axis; `title` is normalised to `{ text }` by `withDefaults`. */
export interface PlotlyAxis {
  title?: string | { text: string; [attribute: string]: unknown };
  type?: 'linear' | 'log' | 'date' | 'category';
  [attribute: string]: unknown;
}

export interface PlotlyLayout {
  title?: string | { text: string; [attribute: string]: unknown };
  width?: number;
  height?: number;
  showlegend?: boolean;
  xaxis?: PlotlyAxis;
  yaxis?: PlotlyAxis;
  colorway?: string[];
  [attribute: string]: unknown;
}

export interface PlotlyConfig {
  responsive?: boolean;
  displaylogo?: boolean;
  [option: string]: unknown;
}

/** The formats a figure's static image comes in. */
export type StaticFormat = 'png' | 'svg';

/** A figure drawn once as a picture: what GitHub, untrusted notebooks and PDF exports show. */
export interface StaticImage {
  format: StaticFormat;
  /** `image/png`: base64 of the PNG bytes; `image/svg+xml`: the SVG text. */
  data: string;
  /** CSS pixels. */
  width: number;
  height: number;
}

/** What plotly.js draws and what `application/vnd.plotly.v1+json` carries. */
export interface FigureSpec {
  data: PlotlyTrace[];
  layout: PlotlyLayout;
  config?: PlotlyConfig;
}

/** Okabe–Ito: distinguishable with the common colour-vision deficiencies and in greyscale print. */
export const PALETTE: readonly string[] = [
  '#0072B2', // blue
  '#E69F00', // orange
  '#009E73', // bluish green
  '#D55E00', // vermillion
  '#CC79A7', // reddish purple
  '#56B4E9', // sky blue
  '#F0E442', // yellow
  '#000000', // black
];

/** Fits the text column of JupyterLab, classic Notebook and nbconvert's templates without scrolling. */
export const NOTEBOOK_WIDTH_PX = 680;
export const NOTEBOOK_HEIGHT_PX = 420;

/** An axis as the chart helpers take it: what is measured, and in what unit. */
export interface AxisSpec {
  title: string;
  /** Shown in parentheses after the title, e.g. `USD per million tokens`. */
  unit?: string;
  log?: boolean;
}

/** `Price` + `USD per M tokens` → `Price (USD per M tokens)`. */
export function axisTitle(axis: AxisSpec): string {
  return axis.unit ? `${axis.title} (${axis.unit})` : axis.title;
}

export function axisLayout(axis: AxisSpec | undefined): PlotlyAxis {
  if (!axis) return {};
  return { title: { text: axisTitle(axis) }, ...(axis.log ? { ...LOG_AXIS } : {}) };
}

/** Log axes label powers of ten as 10⁻⁴ rather than SI prefixes ("100µ" reads oddly for a learning rate). */
export const LOG_AXIS: PlotlyAxis = { type: 'log', exponentformat: 'power' };

/** Sequential scales from light (low) to dark (high); plotly's own `Blues` and `Greys` run the other way. */
export const SEQUENTIAL_BLUES: ReadonlyArray<[number, string]> = [
  [0, '#f7fbff'],
  [0.25, '#c6dbef'],
  [0.5, '#6baed6'],
  [0.75, '#2171b5'],
  [1, '#08306b'],
];
/** Paper white to ink black: digits drawn as dark strokes on white. */
export const INK_ON_PAPER: ReadonlyArray<[number, string]> = [
  [0, '#ffffff'],
  [1, '#000000'],
];

/** The tags plotly draws in text (besides `<br>`): its pseudo-HTML, not HTML. */
const PLOTLY_TAGS = /<\/?(?:b|i|em|sup|sub|span|a|s|u)(?:\s[^>]*)?>/gi;

/**
 * The figure's title as plain text ('' when it has none): plotly's line breaks become ' — ' and its
 * other tags (`<sup>`, `<b>`, …) are dropped, so an image's alt text and a text/plain line read well.
 * Anything else is left as written (and escaped where it goes into HTML).
 */
export function figureTitle(spec: FigureSpec): string {
  const title = spec.layout.title;
  const text = typeof title === 'string' ? title : title?.text ?? '';
  return text.replace(/<br\s*\/?>/gi, ' — ').replace(PLOTLY_TAGS, '');
}

/** Traces that count as a series for the legend (a trend line added to one series still counts). */
function seriesCount(data: PlotlyTrace[]): number {
  return data.filter((trace) => trace.showlegend !== false).length;
}

/**
 * Fills in what the spec leaves open: palette, size, fonts, margins, a title object, and a legend
 * only when more than one series is drawn. Values given in the spec always win.
 */
export function withDefaults(spec: FigureSpec): FigureSpec {
  const layout = spec.layout;
  const title = typeof layout.title === 'string' ? { text: layout.title } : layout.title;
  const normaliseAxis = (axis: PlotlyAxis | undefined): PlotlyAxis | undefined =>
    axis && typeof axis.title === 'string' ? { ...axis, title: { text: axis.title } } : axis;
  const xaxis = normaliseAxis(layout.xaxis);
  const yaxis = normaliseAxis(layout.yaxis);
  return {
    data: spec.data,
    layout: {
      width: NOTEBOOK_WIDTH_PX,
      height: NOTEBOOK_HEIGHT_PX,
      colorway: [...PALETTE],
      font: { family: 'Helvetica, Arial, sans-serif', size: 13, color: '#222' },
      margin: { l: 70, r: 30, t: title ? 60 : 30, b: 70 },
      paper_bgcolor: '#ffffff',
      plot_bgcolor: '#ffffff',
      showlegend: seriesCount(spec.data) > 1,
      ...layout,
      ...(title ? { title: { x: 0.02, xanchor: 'left', ...title } } : {}),
      ...(xaxis ? { xaxis: { gridcolor: '#e5e5e5', zeroline: false, ...xaxis } } : {}),
      ...(yaxis ? { yaxis: { gridcolor: '#e5e5e5', zeroline: false, ...yaxis } } : {}),
    },
    config: { displaylogo: false, responsive: false, ...spec.config },
  };
}

/** A spec as it comes from outside (a notebook, a JSON file): checked before plotly sees it. */
export class FigureSpecError extends ProjectError<{ field: string; problem: string }> {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`figure spec: ${field} ${problem}`, { field, problem });
  }
}

export function assertFigureSpec(value: unknown): asserts value is FigureSpec {
  if (typeof value !== 'object' || value === null) throw new FigureSpecError('(root)', 'must be an object with data and layout');
  const spec = value as { data?: unknown; layout?: unknown; config?: unknown };
  if (!Array.isArray(spec.data)) throw new FigureSpecError('data', 'must be an array of traces');
  spec.data.forEach((trace, index) => {
    if (typeof trace !== 'object' || trace === null || Array.isArray(trace)) {
      throw new FigureSpecError(`data[${index}]`, 'must be a trace object');
    }
  });
  if (spec.layout !== undefined && (typeof spec.layout !== 'object' || spec.layout === null || Array.isArray(spec.layout))) {
    throw new FigureSpecError('layout', 'must be an object');
  }
  if (spec.config !== undefined && (typeof spec.config !== 'object' || spec.config === null)) {
    throw new FigureSpecError('config', 'must be an object');
  }
}
