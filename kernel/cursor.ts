/**
 * Protocol cursor positions count Unicode code points; JavaScript strings index UTF-16 units.
 */

/** UTF-16 offset of the `codePoints`-th code point of `text` (clamped to the text). */
export function codePointsToUtf16(text: string, codePoints: number): number {
  let units = 0;
  let points = 0;
  while (points < codePoints && units < text.length) {
    const code = text.codePointAt(units)!;
    units += code > 0xffff ? 2 : 1;
    points += 1;
  }
  return units;
}

/** Number of code points in the first `units` UTF-16 units of `text`. */
export function utf16ToCodePoints(text: string, units: number): number {
  return [...text.slice(0, Math.max(0, units))].length;
}
