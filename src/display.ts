/**
 * The display contract between notebook code and the project kernel.
 *
 * Two conventions, documented in docs/kernel.md ("Rich output"):
 * - A value offers a rich representation by having a method under `MIME_BUNDLE`
 *   (`Symbol.for('jupyter.mimebundle')`) that returns a MIME bundle. When such a value is a cell's
 *   last expression, the kernel sends that bundle in `execute_result` (plus `text/plain`).
 * - While a cell runs, the kernel puts a `DisplaySink` on `globalThis[DISPLAY_SINK]`. The functions
 *   below send through it; outside a kernel (scripts, tests) they fall back to printing `text/plain`.
 */

/** A MIME bundle: MIME type → data (string for text types, JSON-able value for JSON types). */
export type MimeBundle = Record<string, unknown>;

export interface DisplayOptions {
  /** Give an id to update this output later with `update_display_data`. */
  displayId?: string;
  /** Per-MIME-type metadata, e.g. `{ 'image/png': { width: 600 } }`. */
  metadata?: Record<string, unknown>;
}

/** What the kernel provides while a cell runs; each call becomes one iopub message of that cell. */
export interface DisplaySink {
  display(bundle: MimeBundle, options?: DisplayOptions): void;
  update(displayId: string, bundle: MimeBundle, metadata?: Record<string, unknown>): void;
  clear(wait: boolean): void;
}

/** The method key by which a value offers its MIME bundle. */
export const MIME_BUNDLE: unique symbol = Symbol.for('jupyter.mimebundle');
/**
 * A value whose `[SHOWN]` is true was displayed already (an `interact` handle): left as a cell's last
 * expression it is not shown a second time as the cell's result.
 */
export const SHOWN: unique symbol = Symbol.for('llm-price-lab.shown');
/** The global slot where the kernel installs its `DisplaySink`. */
export const DISPLAY_SINK: unique symbol = Symbol.for('jupyter.display.sink');

export interface HasMimeBundle {
  [MIME_BUNDLE](): MimeBundle;
}

export function hasMimeBundle(value: unknown): value is HasMimeBundle {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as Partial<HasMimeBundle>)[MIME_BUNDLE] === 'function'
  );
}

function currentSink(): DisplaySink | undefined {
  return (globalThis as Record<symbol, DisplaySink | undefined>)[DISPLAY_SINK];
}

const fallbackSink: DisplaySink = {
  display(bundle) {
    const text = bundle['text/plain'];
    if (typeof text === 'string') console.log(text);
  },
  update(_displayId, bundle) {
    const text = bundle['text/plain'];
    if (typeof text === 'string') console.log(text);
  },
  clear() {},
};

function toBundle(value: MimeBundle | HasMimeBundle): MimeBundle {
  return hasMimeBundle(value) ? value[MIME_BUNDLE]() : value;
}

/** Sends one `display_data` carrying the whole bundle (or the value's own bundle). */
export function display(value: MimeBundle | HasMimeBundle, options: DisplayOptions = {}): void {
  (currentSink() ?? fallbackSink).display(toBundle(value), options);
}

/** Clears the current cell's output; with `wait`, only once new output arrives. */
export function clearOutput(wait = false): void {
  (currentSink() ?? fallbackSink).clear(wait);
}

/** Replaces the output shown under `displayId` (`update_display_data`), wherever it is shown. */
export function updateDisplay(displayId: string, value: MimeBundle | HasMimeBundle, metadata?: Record<string, unknown>): void {
  (currentSink() ?? fallbackSink).update(displayId, toBundle(value), metadata);
}

let displayCounter = 0;

/** A display id unique to this process. */
export function freshDisplayId(): string {
  displayCounter += 1;
  return `llm-price-lab-${process.pid}-${Date.now().toString(36)}-${displayCounter}`;
}

/** An output that can be replaced in place, e.g. a progress line or a chart that grows. */
export interface DisplayHandle {
  readonly displayId: string;
  /** Replaces this output everywhere it is shown (also from a later cell). */
  update(value: MimeBundle | HasMimeBundle, metadata?: Record<string, unknown>): void;
}

/** Shows `value` with a fresh display id and returns a handle to update it. */
export function newDisplay(value: MimeBundle | HasMimeBundle, options: Omit<DisplayOptions, 'displayId'> = {}): DisplayHandle {
  const displayId = freshDisplayId();
  display(value, { ...options, displayId });
  return {
    displayId,
    update(next, metadata) {
      updateDisplay(displayId, next, metadata);
    },
  };
}

/** Convenience: a text/plain (+ optional HTML) bundle. */
export function textBundle(text: string, html?: string): MimeBundle {
  return html === undefined ? { 'text/plain': text } : { 'text/plain': text, 'text/html': html };
}
