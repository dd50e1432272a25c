/**
 * Binary values in a widget's state, as the widget protocol (2.x) sends them: taken out of the JSON
 * state, their paths listed in `buffer_paths` and their bytes sent as the message's buffers; put
 * back on receipt. A binary value in a list leaves `null` in its place; one under a key leaves no key.
 */
export type BufferPath = Array<string | number>;

export interface SplitState {
  state: Record<string, unknown>;
  buffer_paths: BufferPath[];
  buffers: Uint8Array[];
}

function isBinary(value: unknown): value is ArrayBufferView | ArrayBuffer {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

function bytes(value: ArrayBufferView | ArrayBuffer): Uint8Array {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/** The state without its binary values, with their paths and bytes (the state given is not changed). */
export function removeBuffers(state: Record<string, unknown>): SplitState {
  const buffer_paths: BufferPath[] = [];
  const buffers: Uint8Array[] = [];
  const walk = (value: unknown, path: BufferPath): unknown => {
    if (Array.isArray(value)) {
      return value.map((item, index) => {
        if (isBinary(item)) {
          buffer_paths.push([...path, index]);
          buffers.push(bytes(item));
          return null;
        }
        return walk(item, [...path, index]);
      });
    }
    if (typeof value === 'object' && value !== null && !isBinary(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (isBinary(item)) {
          buffer_paths.push([...path, key]);
          buffers.push(bytes(item));
        } else out[key] = walk(item, [...path, key]);
      }
      return out;
    }
    return value;
  };
  return { state: walk(state, []) as Record<string, unknown>, buffer_paths, buffers };
}

/** Puts each buffer back at its path in `state` (changed in place, and returned). */
export function putBuffers(state: Record<string, unknown>, paths: readonly BufferPath[], buffers: readonly Uint8Array[]): Record<string, unknown> {
  paths.forEach((path, index) => {
    let at: Record<string | number, unknown> = state;
    for (const step of path.slice(0, -1)) at = at[step] as Record<string | number, unknown>;
    at[path.at(-1)!] = buffers[index];
  });
  return state;
}
