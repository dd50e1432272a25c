import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/model/backend';
import { createCnn } from '../../src/model/cnn';
import { evaluate } from '../../src/model/evaluate';
import { averageWeights, federatedAveraging, labelHistogram, shardByLabel, shardIid, subsetSplit } from '../../src/privacy/federated';
import { smokeDigits } from '../model/smoke';

describe('federated averaging', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
  });

  it('shards by label: every example once, few digits per client, seeded', () => {
    const labels = Uint8Array.from({ length: 1000 }, (_, i) => i % 10);
    const parts = shardByLabel(labels, 5, 2, 7);
    const all = parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (const p of parts) expect(labelHistogram(labels, p).filter((n) => n > 0).length).toBeLessThanOrEqual(2);
    expect(shardByLabel(labels, 5, 2, 7).map((p) => Array.from(p))).toEqual(parts.map((p) => Array.from(p)));
    expect(() => shardByLabel(labels, 0)).toThrow(/clients = 0/);
  });

  it('deals IID shares as the control: every example once, every client sees (almost) every digit, seeded', () => {
    const labels = Uint8Array.from({ length: 1000 }, (_, i) => i % 10);
    const parts = shardIid(labels.length, 5, 7);
    expect(parts.map((p) => p.length)).toEqual([200, 200, 200, 200, 200]);
    expect(parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (const p of parts) expect(labelHistogram(labels, p).filter((n) => n > 0).length).toBe(10);
    expect(shardIid(1000, 5, 7).map((p) => Array.from(p))).toEqual(parts.map((p) => Array.from(p)));
    expect(() => shardIid(3, 4)).toThrow(/4 clients for 3 examples/);
  });

  it('averages weights in proportion to client sizes', () => {
    const avg = averageWeights([[Float32Array.of(1, 2), Float32Array.of(4)], [Float32Array.of(3, 6), Float32Array.of(0)]], [1, 3]);
    expect(avg.map((w) => Array.from(w))).toEqual([[2.5, 5], [1]]);
    expect(() => averageWeights([[Float32Array.of(1)]], [0])).toThrow(/sizes sum to zero/);
  });

  it('gives the same model on two threads as on this one (same seeds)', async () => {
    const data = await smokeDigits();
    const clients = shardByLabel(data.train.labels, 3, 2, 4).map((p) => subsetSplit(data.train, p));
    const make = () => createCnn({ seed: 6, filters: 4, denseUnits: 8 });
    const here = await federatedAveraging(make, clients, { rounds: 2, seed: 2, threads: 1 });
    const threaded = await federatedAveraging(make, clients, { rounds: 2, seed: 2, threads: 2 });
    const a = await Promise.all(here.model.getWeights().map((w) => w.data()));
    const b = await Promise.all(threaded.model.getWeights().map((w) => w.data()));
    a.forEach((w, j) => w.forEach((v, i) => expect(Math.abs(v - b[j]![i]!)).toBeLessThan(1e-6)));
    here.model.dispose();
    threaded.model.dispose();
  });

  it('trains a global model from non-identical clients above chance', async () => {
    const data = await smokeDigits();
    const parts = shardByLabel(data.train.labels, 4, 3, 1);
    const clients = parts.map((p) => subsetSplit(data.train, p));
    const rounds: number[] = [];
    const { model, rounds: history } = await federatedAveraging(() => createCnn({ seed: 5, filters: 8, denseUnits: 16 }), clients, {
      rounds: 2,
      validation: data.validation,
      seed: 1,
      onRound: (r) => rounds.push(r.round),
    });
    expect(rounds).toEqual([1, 2]);
    expect(history[1]!.clientSamples.reduce((a, b) => a + b, 0)).toBe(1000);
    expect((await evaluate(model, data.test)).accuracy).toBeGreaterThan(0.3);
    model.dispose();
  });
});
