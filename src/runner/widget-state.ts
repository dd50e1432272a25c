/**
 * The widgets a notebook's cells left in the kernel (`src/widgets/`), kept in the executed copy's
 * metadata (`metadata.widgets["application/vnd.jupyter.widget-state+json"]`, as JupyterLab saves
 * it), so that a widget manager opening the saved notebook shows them without a kernel. Asked for
 * after the last cell with one request of the runner's own; the code reads the library's registry
 * without importing the library, so a notebook without widgets loads nothing for it.
 */
import { STATE_MIME_TYPE, WIDGET_REGISTRY_SYMBOL, type SavedWidgetState } from '../widgets/model';
import { quietStdout } from './quiet-request';
import type { KernelSession } from './session';
import type { Notebook } from './types';

const MARKER = 'llm-price-lab-widget-state:';
/** How long a kernel may take to answer; past it the copy is saved without widget state. */
export const WIDGET_STATE_REPLY_MS = 30_000;

/** The request's code: a function called at once, so that it declares nothing in the notebook's scope. */
export function widgetStateCode(): string {
  const registry = `(globalThis as any)[Symbol.for(${JSON.stringify(WIDGET_REGISTRY_SYMBOL)})]`;
  const print = `process.stdout.write(${JSON.stringify(MARKER)} + JSON.stringify(registry.saved()) + ${JSON.stringify('\n')})`;
  return `((registry: any) => {\n  if (registry && registry.widgets.size > 0) ${print};\n})(${registry});`;
}

/** The widget state printed by `widgetStateCode`, or undefined when there is none or it is not one. */
export function parseWidgetState(stdout: string): SavedWidgetState | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
  if (line === undefined) return undefined;
  try {
    const parsed = JSON.parse(line.slice(MARKER.length)) as SavedWidgetState;
    return parsed.version_major === 2 && typeof parsed.state === 'object' && parsed.state !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The kernel's widget state; undefined when it has no widgets or does not answer. Never throws. */
export async function askWidgetState(session: KernelSession): Promise<SavedWidgetState | undefined> {
  const stdout = await quietStdout(session, widgetStateCode(), WIDGET_STATE_REPLY_MS);
  return stdout === undefined ? undefined : parseWidgetState(stdout);
}

/**
 * `notebook` with this run's widget state in its metadata, or without any (a state saved by an
 * earlier session of the source is not this run's).
 */
export function withWidgetState(notebook: Notebook, state: SavedWidgetState | undefined): Notebook {
  const { widgets: _earlier, ...metadata } = notebook.metadata as Notebook['metadata'] & { widgets?: unknown };
  return { ...notebook, metadata: state ? { ...metadata, widgets: { [STATE_MIME_TYPE]: state } } : metadata };
}

/** `notebook` without saved widget state (what the HTML export is made from: see export.ts). */
export function withoutWidgetState(notebook: Notebook): Notebook {
  return withWidgetState(notebook, undefined);
}
