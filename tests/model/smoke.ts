import { loadMnistPackage } from '../../src/data/load';
import { prepareDigits, type PreparedDigits } from '../../src/data/prepare';

let cached: Promise<PreparedDigits> | undefined;

/** The smoke configuration: 1,200 of the real digits (1,000 train, 100 validation, 100 test). */
export function smokeDigits(): Promise<PreparedDigits> {
  cached ??= loadMnistPackage().then((set) => prepareDigits(set, { split: { train: 1000, validation: 100, test: 100 }, seed: 1 }));
  return cached;
}
