/**
 * How computed values are written in prose: one formatter per kind of figure, so that a year never
 * prints as "2,020", a loss as "$-379.78", or an interval without its level. Pure functions.
 */

/** The minus sign of typeset text (U+2212), not a hyphen. */
const MINUS = '\u2212';

function signed(text: string, negative: boolean): string {
  return negative ? `${MINUS}${text}` : text;
}

/** A count: grouped thousands (`347,146`). */
export function int(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return signed(Math.round(Math.abs(value)).toLocaleString('en-US'), value < 0);
}

/** A measured or computed quantity to `digits` significant digits (default 3): `0.970`, `6.9`, `8,000`, `2.5e-7`. */
export function num(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e9)) return signed(magnitude.toExponential(digits - 1).replace('e+', 'e'), value < 0);
  if (magnitude >= 10 ** digits) return int(value);
  const rounded = Number(magnitude.toPrecision(digits));
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(rounded || 1)));
  return signed(rounded.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }), value < 0);
}

/** A fixed number of decimals (accuracies compared at three: `0.970`). */
export function fixed(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return String(value);
  const text = Math.abs(value).toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return signed(text, value < 0 && Number(text.replace(/,/g, '')) !== 0);
}

/** A year, never grouped: `2020`. */
export function year(value: number): string {
  if (!Number.isInteger(value)) throw new RangeError(`year: ${value} is not a whole year`);
  return String(value);
}

/** A share as a percentage: `pct(0.346)` is `34.6%`. */
export function pct(share: number, digits = 3): string {
  return `${num(share * 100, digits)}%`;
}

/** A factor: `6.9x`. */
export function factor(value: number, digits = 2): string {
  return `${num(value, digits)}x`;
}

/**
 * US dollars: whole dollars from a thousand up (`$20,000`), cents from a dollar (`$2.49`), two significant digits below (`$0.085`,
 * `$0.00084`), and in powers of ten below a hundredth of a cent (`$2.7e-7`); a loss as `−$379.78`.
 */
export function usd(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  const body =
    magnitude >= 1000
      ? Math.round(magnitude).toLocaleString('en-US')
      : magnitude === 0 || magnitude >= 1
        ? magnitude.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
      : magnitude >= 1e-4
        ? magnitude.toLocaleString('en-US', { minimumSignificantDigits: 2, maximumSignificantDigits: 2 })
        : magnitude.toExponential(1).replace('e+', 'e');
  return signed(`$${body}`, value < 0);
}

/** An interval `low–high`, each end written by `write` (default `num`). */
export function range(low: number, high: number, write: (value: number) => string = (v) => num(v)): string {
  return `${write(low)}–${write(high)}`;
}

/** A value with its interval and the interval's level: `0.970 (95% CI 0.958–0.979)`. */
export function withInterval(value: number, interval: { low: number; high: number; level?: number }, write: (value: number) => string = (v) => num(v)): string {
  const level = interval.level === undefined ? '' : `${num(interval.level * 100, 3).replace(/\.0+$/, '')}% `;
  return `${write(value)} (${level}CI ${range(interval.low, interval.high, write)})`;
}
