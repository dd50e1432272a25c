/**
 * One `display_data` bundle per figure, so the chart shows wherever the notebook is opened:
 * - `application/vnd.plotly.v1+json`: JupyterLab with the plotly extension, VS Code, nteract;
 * - `text/html`: self-contained chart (plotly.js inlined once per session) over the static image;
 * - `image/png` or `image/svg+xml`: GitHub, untrusted notebooks, PDF exports;
 * - `text/plain`: the title.
 *
 * Static images are drawn asynchronously by a headless browser, while a kernel asks a value for its
 * bundle synchronously (`[MIME_BUNDLE]()`). So a `Figure` renders its image when awaited —
 * `await fig.render()` — and keeps it; its bundle then carries the image. In a kernel, `show()` does
 * not make the cell wait for the image: it sends the chart at once (plotly JSON, HTML, text) under a
 * display id and resolves; the image is drawn afterwards and replaces that same output
 * (`update_display_data`). That drawing is pending output (`../pending.ts`): the kernel delivers it
 * before it shuts down, and before it ends the cell for a client that stops listening when a cell
 * ends (nbclient), and the headless runner waits for it before its last request, so every saved
 * notebook carries every image. `await settleOutputs()` waits for it in code. Outside a kernel
 * `show()` draws first and shows once. A figure left as a cell's last expression without being
 * rendered still draws (plotly JSON and HTML) and its text says how to add the image.
 */
import { MIME_BUNDLE, display, freshDisplayId, updateDisplay, type DisplayOptions, type HasMimeBundle, type MimeBundle } from '../display';
import { figureTitle, type FigureSpec, type StaticFormat, type StaticImage } from './figure';
import { figureHtml, plotSession } from './html';
import { insideKernel, sessionRenderer, staticMimeType } from './static-image';
import { trackPending } from '../pending';

export const PLOTLY_MIME_TYPE = 'application/vnd.plotly.v1+json';

/** What a figure knows about its static image. */
export type ImageState =
  | { kind: 'not-rendered' }
  | { kind: 'ok'; image: StaticImage }
  | { kind: 'unavailable'; reason: string };

/** What an output says about its image: a figure's state, or `drawing` while `show()` waits for it. */
export type OutputImage = ImageState | { kind: 'drawing' };

const NOT_RENDERED_HINT = 'static image not rendered yet: `await fig.show()` adds it';
const DRAWING_HINT = 'static image being drawn; this output is replaced when it is ready';

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
export function buildBundle(spec: FigureSpec, image: OutputImage, context: BundleContext): MimeBundle {
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
  else if (image.kind === 'unavailable') plain.push(`(no static image: ${image.reason})`);
  if (image.kind === 'not-rendered') plain.push(`(${NOT_RENDERED_HINT})`);
  if (image.kind === 'drawing') plain.push(`(${DRAWING_HINT})`);
  bundle['text/plain'] = plain.join('\n');
  return bundle;
}

/** A new output's place in this kernel session: its element id, and whether plotly.js goes into it. */
function sessionContext(): Omit<BundleContext, 'noticeUnavailable'> {
  const session = plotSession();
  session.outputs += 1;
  const context = {
    id: `llm-price-lab-plot-${process.pid}-${session.outputs}-${Math.random().toString(36).slice(2, 8)}`,
    inlinePlotly: !session.plotlyInlined,
  };
  session.plotlyInlined = true;
  return context;
}

/** The bundle of one output with `image` in `context`; says once per session why images are missing. */
function bundleInSession(spec: FigureSpec, image: OutputImage, context: Omit<BundleContext, 'noticeUnavailable'>): MimeBundle {
  const session = plotSession();
  const noticeUnavailable = image.kind === 'unavailable' && !session.noImageNoticeShown;
  if (noticeUnavailable) session.noImageNoticeShown = true;
  return buildBundle(spec, image, { ...context, noticeUnavailable });
}

/** The bundle for one output in this kernel session; updates the session (plotly.js sent, notice said). */
export function sessionBundle(spec: FigureSpec, image: ImageState): MimeBundle {
  return bundleInSession(spec, image, sessionContext());
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

  /**
   * Shows the figure as one output. In a kernel the chart is sent at once and this resolves; its
   * output is replaced in place when the image is drawn (pending output, see the module comment).
   * Elsewhere (scripts) the image is drawn first and the figure shown once.
   */
  async show(options: RenderOptions & DisplayOptions = {}): Promise<void> {
    const { metadata } = options;
    const format = options.format ?? 'png';
    const drawn = this.imageState.kind !== 'not-rendered' && this.imageFormat === format;
    if (drawn || !insideKernel()) {
      await this.render(options);
      display(this, { ...(options.displayId ? { displayId: options.displayId } : {}), ...(metadata ? { metadata } : {}) });
      return;
    }
    const displayId = options.displayId ?? freshDisplayId();
    const context = sessionContext();
    display(bundleInSession(this.spec, { kind: 'drawing' }, context), { displayId, ...(metadata ? { metadata } : {}) });
    const drawing = (async () => {
      // Let the chart's message leave the kernel before the first render loads playwright-core, whose
      // synchronous loading blocks the event loop for a noticeable time.
      await new Promise((resolve) => setImmediate(resolve));
      await this.render(options);
      updateDisplay(displayId, bundleInSession(this.spec, this.imageState, context), metadata);
    })();
    trackPending(drawing);
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
