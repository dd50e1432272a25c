/**
 * Self-contained `text/html` for a figure: a div holding the static image (what GitHub, untrusted
 * notebooks and PDF exports show), then a script that draws the interactive chart with plotly.js and
 * replaces the image. plotly.js itself is inlined at most once per kernel session: later outputs on
 * the same page reuse `window.Plotly` (plotly.js-dist-min 4.x sets it whether or not require.js is
 * on the page). Every label reaches the page as JSON inside the script, escaped so that it is text.
 */
import { escapeHtml } from '../show/html';
import { figureTitle, type FigureSpec, type StaticImage } from './figure';
import { plotlySource } from './plotly-source';

/** The page already holds plotly.js (or never will): keep what the process has sent. */
interface PlotSession {
  pid: number;
  plotlyInlined: boolean;
  noImageNoticeShown: boolean;
  outputs: number;
}

/** Kept on globalThis so that two copies of this module in one kernel (src and dist) share it. */
const SESSION_KEY = Symbol.for('llm-price-lab.plot.session');

/** The current kernel session's state: one per process (a restarted kernel is a new process). */
export function plotSession(): PlotSession {
  const slot = globalThis as Record<symbol, PlotSession | undefined>;
  const existing = slot[SESSION_KEY];
  if (existing && existing.pid === process.pid) return existing;
  const fresh: PlotSession = { pid: process.pid, plotlyInlined: false, noImageNoticeShown: false, outputs: 0 };
  slot[SESSION_KEY] = fresh;
  return fresh;
}

/** Forgets what this process has sent, as a new kernel session would (tests, `%reset`-like helpers). */
export function resetPlotSession(): void {
  delete (globalThis as Record<symbol, PlotSession | undefined>)[SESSION_KEY];
}

const SCRIPT_UNSAFE: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * JSON that can sit inside `<script>`: no `</script>`, `<!--` or `]]>` can form, and the line
 * separators that older JavaScript parsers reject inside strings are escaped.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => SCRIPT_UNSAFE[ch] ?? ch);
}

/** The data URL of a static image, for `<img src>`. */
export function imageDataUrl(image: StaticImage): string {
  return image.format === 'png'
    ? `data:image/png;base64,${image.data}`
    : `data:image/svg+xml;base64,${Buffer.from(image.data, 'utf8').toString('base64')}`;
}

export interface FigureHtmlOptions {
  /** The element id; unique per output so several figures can share a page. */
  id: string;
  /** Shown in the div until plotly.js draws (and wherever scripts do not run). */
  image?: StaticImage;
  /** Put plotly.js itself into this output (the first figure of a session). */
  inlinePlotly: boolean;
  /** A one-line note shown under the chart, e.g. why there is no static image. */
  notice?: string;
}

/**
 * The HTML of one figure. The drawing script runs only where scripts run (trusted output, exported
 * HTML); it keeps the static image if plotly.js is missing or fails, and removes it once drawn.
 */
export function figureHtml(spec: FigureSpec, options: FigureHtmlOptions): string {
  const { id } = options;
  if (!/^[A-Za-z][\w-]*$/.test(id)) throw new Error(`figure html: id "${id}" must be letters, digits, '-' or '_'`);
  const width = typeof spec.layout.width === 'number' ? spec.layout.width : undefined;
  const height = typeof spec.layout.height === 'number' ? spec.layout.height : undefined;
  const title = figureTitle(spec);
  const size = [width ? `width:${width}px;max-width:100%` : '', height ? `min-height:${height}px` : '']
    .filter(Boolean)
    .join(';');
  const image = options.image
    ? `<img class="llm-price-lab-plot-image" src="${imageDataUrl(options.image)}" alt="${escapeHtml(title || 'chart')}"` +
      ` width="${options.image.width}" height="${options.image.height}" style="max-width:100%;height:auto">`
    : '';
  const parts = [
    `<div class="llm-price-lab-plot" id="${id}" style="${size}">${image}</div>`,
    options.notice ? `<p class="llm-price-lab-plot-notice" style="font-size:12px;color:#555">${escapeHtml(options.notice)}</p>` : '',
    options.inlinePlotly ? `<script type="text/javascript">${plotlySource()}</script>` : '',
    `<script type="text/javascript">${drawScript(id, spec)}</script>`,
  ];
  return parts.filter(Boolean).join('\n');
}

function drawScript(id: string, spec: FigureSpec): string {
  // ES5 on purpose: it runs in whatever page shows the output.
  return `(function () {
  var root = document.getElementById(${jsonForScript(id)});
  var Plotly = window.Plotly;
  if (!root || !Plotly || root.getAttribute('data-drawn')) return;
  var figure = ${jsonForScript(spec)};
  var target = document.createElement('div');
  root.appendChild(target);
  Plotly.newPlot(target, figure.data, figure.layout, figure.config).then(function () {
    root.setAttribute('data-drawn', 'true');
    var image = root.querySelector('img.llm-price-lab-plot-image');
    if (image) image.parentNode.removeChild(image);
  }, function (error) {
    root.removeChild(target);
    if (window.console) console.warn('llm-price-lab: chart ' + root.id + ' kept its static image: ' + error);
  });
})();`;
}
