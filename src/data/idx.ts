import { gunzipSync } from 'node:zlib';
import { FileProblemError } from '../errors';

/**
 * The IDX format (MNIST, Fashion-MNIST, KMNIST): a big-endian header of a magic number whose third
 * byte names the element type and whose fourth byte counts the dimensions, then one 32-bit size per
 * dimension, then the elements row-major. Only unsigned bytes occur in the digit sets.
 */
export const IDX_TYPE_UBYTE = 0x08;
/** Magic number of an image file (`*-images-idx3-ubyte`): unsigned bytes, 3 dimensions. */
export const IDX_IMAGES_MAGIC = 0x00000803; // 2051
/** Magic number of a label file (`*-labels-idx1-ubyte`): unsigned bytes, 1 dimension. */
export const IDX_LABELS_MAGIC = 0x00000801; // 2049
/** The first two bytes of a gzip stream. */
const GZIP_MAGIC = [0x1f, 0x8b] as const;
const HEADER_BYTES_BEFORE_DIMS = 4;
const BYTES_PER_DIM = 4;

/** A malformed IDX file: names the file and what is wrong with it. */
export class IdxFormatError extends FileProblemError {
  constructor(
    readonly fileName: string,
    problem: string,
  ) {
    super(fileName, problem);
  }
}

export interface IdxArray {
  /** The sizes of each dimension, e.g. `[60000, 28, 28]`. */
  readonly dims: readonly number[];
  /** The elements, row-major, exactly `product(dims)` of them. */
  readonly data: Uint8Array;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** True when the bytes start like a gzip stream. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/** Gunzips `bytes` when they are gzip, else returns them; a corrupt stream is an `IdxFormatError`. */
export function maybeGunzip(bytes: Uint8Array, fileName: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return new Uint8Array(gunzipSync(bytes));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new IdxFormatError(fileName, `corrupt gzip data (${reason})`);
  }
}

/**
 * Parses IDX bytes (already gunzipped). Checks the magic number (the expected one when given), the
 * element type, and that the file holds exactly the elements its header announces.
 */
export function parseIdx(bytes: Uint8Array, fileName: string, expectedMagic?: number): IdxArray {
  if (bytes.length < HEADER_BYTES_BEFORE_DIMS) {
    throw new IdxFormatError(fileName, `${bytes.length} bytes is shorter than an IDX header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = bytes[2]!;
  const rank = bytes[3]!;
  if (expectedMagic !== undefined && magic !== expectedMagic) {
    throw new IdxFormatError(fileName, `wrong magic number ${hex(magic)}, expected ${hex(expectedMagic)}`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0 || rank === 0) {
    throw new IdxFormatError(fileName, `not an IDX file (magic number ${hex(magic)})`);
  }
  if (type !== IDX_TYPE_UBYTE) {
    throw new IdxFormatError(fileName, `element type 0x${type.toString(16)} is not supported (only unsigned bytes, 0x08)`);
  }
  const dataStart = HEADER_BYTES_BEFORE_DIMS + rank * BYTES_PER_DIM;
  if (bytes.length < dataStart) {
    throw new IdxFormatError(fileName, `truncated header: ${rank} dimensions need ${dataStart} bytes, file has ${bytes.length}`);
  }
  const dims: number[] = [];
  for (let d = 0; d < rank; d += 1) dims.push(view.getUint32(HEADER_BYTES_BEFORE_DIMS + d * BYTES_PER_DIM, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - dataStart;
  if (actual < expected) {
    throw new IdxFormatError(fileName, `truncated: header [${dims.join(', ')}] announces ${expected} bytes of data, file has ${actual}`);
  }
  if (actual > expected) {
    throw new IdxFormatError(fileName, `${actual - expected} unexpected bytes after the ${expected} bytes the header [${dims.join(', ')}] announces`);
  }
  return { dims, data: bytes.subarray(dataStart) };
}

/** Builds IDX bytes of unsigned bytes (used to write test fixtures and small exports). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const rank = dims.length;
  const out = new Uint8Array(HEADER_BYTES_BEFORE_DIMS + rank * BYTES_PER_DIM + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (IDX_TYPE_UBYTE << 8) | rank, false);
  dims.forEach((size, d) => view.setUint32(HEADER_BYTES_BEFORE_DIMS + d * BYTES_PER_DIM, size, false));
  out.set(data, HEADER_BYTES_BEFORE_DIMS + rank * BYTES_PER_DIM);
  return out;
}
