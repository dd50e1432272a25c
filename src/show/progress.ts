/**
 * Training progress as one line updated in place: the line's text, its bundle with a bar, and the
 * callback that `trainCnn` and the other trainers report to.
 */
import { newDisplay, textBundle, type DisplayHandle, type MimeBundle } from '../display';
import type { TrainProgress } from '../model/train';
import { escapeHtml } from './html';

/** At most this many in-place updates per second while batches run (epoch ends always show). */
const DEFAULT_UPDATES_PER_SECOND = 4;

export interface ProgressDisplayOptions {
  updatesPerSecond?: number;
  /** Milliseconds clock (tests pass a fake). */
  now?: () => number;
  /** Where the line is shown (default: a new notebook display, printed outside a kernel). */
  show?: (bundle: MimeBundle) => Pick<DisplayHandle, 'update'>;
}

/** One line describing a progress event, for a display that updates in place. */
export function formatProgress(p: TrainProgress): string {
  if (p.kind === 'batch') {
    return `epoch ${p.epoch}/${p.epochs}  batch ${p.batch}/${p.batchesPerEpoch}  loss ${p.loss.toFixed(4)}  acc ${p.accuracy.toFixed(4)}  ${Math.round(p.samplesPerSecond)} samples/s`;
  }
  const val = p.valAccuracy === undefined ? '' : `  val_loss ${p.valLoss!.toFixed(4)}  val_acc ${p.valAccuracy.toFixed(4)}`;
  return `epoch ${p.epoch}/${p.epochs}  loss ${p.loss.toFixed(4)}  acc ${p.accuracy.toFixed(4)}${val}  ${Math.round(p.samplesPerSecond)} samples/s`;
}

/** One progress line with a bar: text for consoles, HTML for notebooks. */
export function progressBundle(p: TrainProgress): MimeBundle {
  const done = p.kind === 'batch' ? (p.epoch - 1 + p.batch / p.batchesPerEpoch) / p.epochs : p.epoch / p.epochs;
  const percent = Math.round(done * 100);
  const line = formatProgress(p);
  return textBundle(
    `[${'#'.repeat(Math.round(done * 20)).padEnd(20, '.')}] ${percent}%  ${line}`,
    `<div style="font-family:monospace"><progress value="${percent}" max="100" style="width:12em"></progress> ${percent}% &nbsp;${escapeHtml(line)}</div>`,
  );
}

/**
 * A training progress callback that shows one line updated in place (not a scroll of logs):
 * `trainCnn(model, data, { onProgress: progressDisplay() })`.
 */
export function progressDisplay(options: ProgressDisplayOptions = {}): (p: TrainProgress) => void {
  const now = options.now ?? (() => performance.now());
  const minInterval = 1000 / (options.updatesPerSecond ?? DEFAULT_UPDATES_PER_SECOND);
  const show = options.show ?? ((bundle: MimeBundle) => newDisplay(bundle));
  let handle: Pick<DisplayHandle, 'update'> | undefined;
  let last = -Infinity;
  return (p) => {
    const t = now();
    const lastBatch = p.kind === 'batch' && p.batch === p.batchesPerEpoch;
    if (p.kind === 'batch' && handle !== undefined && t - last < minInterval && !lastBatch) return;
    last = t;
    const bundle = progressBundle(p);
    if (handle === undefined) handle = show(bundle);
    else handle.update(bundle);
  };
}
