import { describe, expect, it } from 'vitest';
import type { MimeBundle } from '../../src/display';
import { progressBundle, progressDisplay } from '../../src/show/progress';
import type { TrainProgress } from '../../src/model/train';

const batch = (epoch: number, b: number): TrainProgress => ({ kind: 'batch', epoch, epochs: 2, batch: b, batchesPerEpoch: 4, loss: 0.5, accuracy: 0.9, samplesPerSecond: 1000 });

describe('progress display', () => {
  it('shows one output and updates it in place, throttled, always at epoch ends', () => {
    let clock = 0;
    const shown: MimeBundle[] = [];
    const updates: MimeBundle[] = [];
    const onProgress = progressDisplay({
      now: () => clock,
      updatesPerSecond: 10,
      show: (bundle) => {
        shown.push(bundle);
        return { update: (b) => void updates.push(b as MimeBundle) };
      },
    });
    onProgress(batch(1, 1));
    clock += 50;
    onProgress(batch(1, 2)); // within 100 ms: skipped
    clock += 100;
    onProgress(batch(1, 3));
    clock += 1;
    onProgress(batch(1, 4)); // last batch of the epoch: shown
    onProgress({ kind: 'epoch', epoch: 1, epochs: 2, loss: 0.4, accuracy: 0.91, valLoss: 0.3, valAccuracy: 0.92, trainSeconds: 1, samplesPerSecond: 1000 });
    expect(shown.length).toBe(1);
    expect(updates.length).toBe(3);
    expect(updates.at(-1)!['text/plain']).toMatch(/^\[#{10}\.{10}\] 50% {2}epoch 1\/2 {2}loss 0\.4000/);
    expect(updates.at(-1)!['text/html']).toMatch(/<progress value="50" max="100"/);
  });

  it('renders the share done across epochs', () => {
    expect(progressBundle(batch(2, 2))['text/plain']).toMatch(/ 75% /);
  });
});
