/**
 * An output area inside a widget layout (`OutputModel` of `@jupyter-widgets/output`). Two ways to
 * fill it, as ipywidgets has:
 * - `capture(fn)`: while `fn` runs, the model's `msg_id` names the message the kernel is handling,
 *   and a front end with a widget manager shows in the output area, instead of the cell, whatever is
 *   published under that message. Everywhere else (the headless runner, nbconvert) the same outputs
 *   are the cell's own, so the saved notebook carries them.
 * - `show(bundle)`: the area's `outputs` attribute is set to that one output, which the front end
 *   renders: it needs no message to route, so it also works from a control's change handler.
 */
import { COMM_MANAGER, parentMessageId } from '../comm';
import { MIME_BUNDLE, type MimeBundle } from '../display';
import { WidgetModel } from './model';
import type { Widget } from './controls';

export interface OutputWidget extends Widget {
  /** Runs `fn` with its outputs routed into this area where a widget manager listens. */
  capture<T>(fn: () => Promise<T>): Promise<T>;
  /** Replaces what the area shows with one `display_data` output of `bundle`. */
  show(bundle: MimeBundle): void;
}

export function output(): OutputWidget {
  const model = new WidgetModel('OutputModel');
  const inKernel = () => (globalThis as Record<symbol, unknown>)[COMM_MANAGER] !== undefined;
  return {
    model,
    async capture(fn) {
      model.set({ msg_id: inKernel() ? (parentMessageId() ?? '') : '' });
      try {
        return await fn();
      } finally {
        model.set({ msg_id: '' });
      }
    },
    show(bundle) {
      model.set({ outputs: [{ output_type: 'display_data', data: bundle, metadata: {} }] });
    },
    [MIME_BUNDLE]() {
      // Without a widget manager an output area shows nothing of its own: what it holds was the cell's.
      return { ...model[MIME_BUNDLE](), 'text/plain': '' };
    },
  };
}
