import { inspect } from 'node:util';
import { MIME_BUNDLE, SHOWN, hasMimeBundle, type MimeBundle } from '../src/display';
import { ProjectError } from '../src/errors';

/** The value's MIME bundle method returned something that is not a bundle. */
export class MimeBundleError extends ProjectError<{ reason: string }> {
  constructor(readonly reason: string) {
    super(`[MIME_BUNDLE]() ${reason}`, { reason });
  }
}

/**
 * The execute_result bundle of a cell's last value: `text/plain` as Node's inspect shows it, plus the
 * value's own bundle when it has a `[MIME_BUNDLE]()` method (whose `text/plain`, if given, wins);
 * none for a value marked `[SHOWN]` (displayed already).
 */
export function resultBundle(value: unknown): MimeBundle | undefined {
  if (typeof value === 'object' && value !== null && (value as { [SHOWN]?: unknown })[SHOWN] === true) return undefined;
  const plain: MimeBundle = { 'text/plain': inspect(value) };
  if (!hasMimeBundle(value)) return plain;
  const own: unknown = value[MIME_BUNDLE]();
  if (typeof own !== 'object' || own === null || Array.isArray(own)) {
    throw new MimeBundleError(`must return an object of MIME type → data, got ${inspect(own)}`);
  }
  return { ...plain, ...(own as MimeBundle) };
}
