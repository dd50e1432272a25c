/**
 * One `display_data` bundle per figure, so the chart shows wherever the notebook is opened:
 * - `application/vnd.plotly.v1+json`: JupyterLab with the plotly extension, VS Code, nteract;
 * - `text/html`: self-contained chart (plotly.js inlined once per session) over the static image;
 * - `image/png` or `image/svg+xml`: GitHub, untrusted notebooks, PDF exports;
 * - `text/plain`: the title.
 *
 * Static images are drawn asynchronously by a headless browser, while a kernel asks a value for its
 * bundle synchronously (`[MIME_BUNDLE]()`). So a `Figure` renders its image when awaited —
 * `await fig.render()`, `await fig.show()`, `await showFigure(fig)` — and keeps it; its bundle then
 * carries the image. A figure left as a cell's last expression without being rendered still draws
 * (plotly JSON and HTML) and its text says how to add the image.
 */
import { MIME_BUNDLE, display, type DisplayOptions, type HasMimeBundle, type MimeBundle } from '../display';
import { figureTitle, type FigureSpec } from './figure';
import { figureHtml, plotSession } from './html';
import { sessionRenderer, staticMimeType, type StaticFormat, type StaticImage } from './static-image';

export const PLOTLY_MIME_TYPE = 'application/vnd.plotly.v1+json';

/** What a figure knows about its static image. */
export type ImageState =
  | { kind: 'not-rendered' }
  | { kind: 'ok'; image: StaticImage }
  | { kind: 'unavailable'; reason: string };

const NOT_RENDERED_HINT = 'static image not rendered yet: `await fig.show()` adds it';

/** The parts of a bundle that depend on the session (what the page already holds). */
export interface BundleContext {
  /** Element id of this output's div. */
  id: string;
  /** This is the session's first chart output: plotly.js goes into it. */
  inlinePlotly: boolean;
  /** Say once per session why there is no static image. */
  noticeUnavailable: boolean;
}

/** Pure: the bundle of `spec` with `image`, given what the session has already sent. */
export function buildBundle(spec: FigureSpec, image: ImageState, context: BundleContext): MimeBundle {
  const title = figureTitle(spec) || 'Untitled figure';
  const notice =
    image.kind === 'unavailable' && context.noticeUnavailable ? `Charts in this notebook have no static image: ${image.reason}.` : undefined;
  const bundle: MimeBundle = {
    [PLOTLY_MIME_TYPE]: { data: spec.data, layout: spec.layout, ...(spec.config ? { config: spec.config } : {}) },
    'text/html': figureHtml(spec, {
      id: context.id,
      image: image.kind === 'ok' ? image.image : undefined,
      inlinePlotly: context.inlinePlotly,
      notice,
    }),
  };
  if (image.kind === 'ok') bundle[staticMimeType(image.image.format)] = image.image.data;
  const plain = [`Figure: ${title}`];
  if (notice) plain.push(notice);
  if (image.kind === 'not-rendered') plain.push(`(${NOT_RENDERED_HINT})`);
  bundle['text/plain'] = plain.join('\n');
  return bundle;
}

/** The bundle for one output in this kernel session; updates the session (plotly.js sent, notice said). */
export function sessionBundle(spec: FigureSpec, image: ImageState): MimeBundle {
  const session = plotSession();
  session.outputs += 1;
  const context: BundleContext = {
    id: `llm-price-lab-plot-${process.pid}-${session.outputs}-${Math.random().toString(36).slice(2, 8)}`,
    inlinePlotly: !session.plotlyInlined,
    noticeUnavailable: image.kind === 'unavailable' && !session.noImageNoticeShown,
  };
  const bundle = buildBundle(spec, image, context);
  session.plotlyInlined = true;
  if (context.noticeUnavailable) session.noImageNoticeShown = true;
  return bundle;
}

export interface RenderOptions {
  /** `png` (default) or `svg`. */
  format?: StaticFormat;
  /** Another Chromium or Chrome executable (default: `PLOTLY_BROWSER`, then Debian's chromium). */
  executablePath?: string;
}

/** A chart: its plotly spec plus, once rendered, its static image. Shows itself as a rich value. */
export class Figure implements HasMimeBundle {
  private imageState: ImageState = { kind: 'not-rendered' };
  private imageFormat: StaticFormat | undefined;

  constructor(readonly spec: FigureSpec) {}

  get title(): string {
    return figureTitle(this.spec);
  }

  /** The static image state (for tests and for saving images). */
  get image(): ImageState {
    return this.imageState;
  }

  /**
   * Draws the static image with plotly.js in the session's headless browser (once per format) and
   * returns this figure, so `await fig.render()` can end a cell. Never throws: without a browser the
   * image is left out and the reason kept.
   */
  async render(options: RenderOptions = {}): Promise<this> {
    const format = options.format ?? 'png';
    if (this.imageState.kind !== 'not-rendered' && this.imageFormat === format) return this;
    const result = await sessionRenderer(options.executablePath).render(this.spec, { format });
    this.imageState = result;
    this.imageFormat = format;
    return this;
  }

  /** Renders the static image, then sends the figure as one `display_data`. */
  async show(options: RenderOptions & DisplayOptions = {}): Promise<void> {
    await this.render(options);
    const { displayId, metadata } = options;
    display(this, { ...(displayId ? { displayId } : {}), ...(metadata ? { metadata } : {}) });
  }

  [MIME_BUNDLE](): MimeBundle {
    return sessionBundle(this.spec, this.imageState);
  }

  /** The plotly figure JSON (what `JSON.stringify(fig)` writes). */
  toJSON(): FigureSpec {
    return this.spec;
  }

  toString(): string {
    return `Figure: ${this.title || 'Untitled figure'}`;
  }
}

/** `await showFigure(fig)`: render the static image, then display the figure. */
export async function showFigure(figure: Figure, options: RenderOptions & DisplayOptions = {}): Promise<void> {
  await figure.show(options);
}
