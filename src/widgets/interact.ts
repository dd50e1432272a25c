/**
 * `interact(controls, render)`: controls above an output area, whose content `render` draws from the
 * controls' values, drawn again whenever one changes (debounced: a dragged slider sends many values).
 *
 * - In the cell: the controls are displayed, then `render`'s result for the starting values is shown
 *   through the output area's capture. A figure is shown as every figure is (`show()`, its static
 *   image drawn afterwards), so a notebook saved by the headless runner or nbconvert holds the figure
 *   for the values it was saved with, under a `text/plain` list of the controls and their values.
 * - On a change: `render` runs again and the area shows the new result from its data alone (a
 *   figure's plotly JSON, no static image), so moving a slider costs no browser.
 * - A `render` that throws shows the error in the area and leaves the controls working.
 */
import { display, hasMimeBundle, MIME_BUNDLE, SHOWN, type HasMimeBundle, type MimeBundle } from '../display';
import { Figure, PLOTLY_MIME_TYPE } from '../plot/bundle';
import { figureTitle } from '../plot/figure';
import { vbox, type Control, type Widget } from './controls';
import { output } from './output';

/** What `render` may return: a figure, anything with a MIME bundle, a bundle, or text. */
export type Rendered = Figure | HasMimeBundle | MimeBundle | string;

export type ValuesOf<C extends Record<string, Control<unknown>>> = { [K in keyof C]: C[K] extends Control<infer T> ? T : never };

export interface InteractOptions {
  /** Wait this long after the last change before drawing again (default 150 ms). */
  debounceMs?: number;
}

export interface Interactive<C extends Record<string, Control<unknown>>> extends Widget {
  readonly [SHOWN]: true;
  /** The controls' values now. */
  values(): ValuesOf<C>;
  /** Resolves once a change being waited for or drawn is done (tests, scripts). */
  settled(): Promise<void>;
}

/** A figure's bundle from its data alone: what the front end draws without a static image. */
function lightBundle(result: Rendered): MimeBundle {
  if (result instanceof Figure) return { [PLOTLY_MIME_TYPE]: { data: result.spec.data, layout: result.spec.layout }, 'text/plain': `Figure: ${figureTitle(result.spec)}` };
  if (typeof result === 'string') return { 'text/plain': result };
  return hasMimeBundle(result) ? result[MIME_BUNDLE]() : result;
}

function errorBundle(error: unknown): MimeBundle {
  return { 'text/plain': `render failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` };
}

export async function interact<C extends Record<string, Control<unknown>>>(controls: C, render: (values: ValuesOf<C>) => Rendered, options: InteractOptions = {}): Promise<Interactive<C>> {
  const debounceMs = options.debounceMs ?? 150;
  const area = output();
  const layout = vbox([...Object.values(controls), area]);
  const values = () => Object.fromEntries(Object.entries(controls).map(([key, c]) => [key, c.value])) as ValuesOf<C>;

  let timer: NodeJS.Timeout | undefined;
  let drawing: Promise<void> = Promise.resolve();
  let waiting: { resolve: () => void; promise: Promise<void> } | undefined;
  const redraw = () => {
    timer = undefined;
    const done = waiting;
    waiting = undefined;
    drawing = drawing.then(() => {
      try {
        area.show(lightBundle(render(values())));
      } catch (error) {
        area.show(errorBundle(error));
      }
      done?.resolve();
    });
  };
  for (const c of Object.values(controls)) {
    c.onChange(() => {
      if (!waiting) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        waiting = { resolve, promise };
      }
      if (timer) clearTimeout(timer);
      timer = setTimeout(redraw, debounceMs);
    });
  }

  const interactive: Interactive<C> = {
    // Displayed here: `await interact(…)` as a cell's last line does not show it again.
    [SHOWN]: true,
    model: layout.model,
    values,
    async settled() {
      while (waiting) await waiting.promise;
      await drawing;
    },
    [MIME_BUNDLE]() {
      return layout[MIME_BUNDLE]();
    },
  };
  display(interactive);
  await area.capture(async () => {
    try {
      const first = render(values());
      if (first instanceof Figure) await first.show();
      else display(typeof first === 'string' ? { 'text/plain': first } : first);
    } catch (error) {
      display(errorBundle(error));
    }
  });
  return interactive;
}
