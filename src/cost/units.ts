/**
 * Names with units. Quantities in this library are plain numbers whose unit is in the name
 * (`usdPerMTok`, `gpuHours`); these aliases say the unit in signatures too, and `GLOSSARY` lists
 * every name a notebook meets with its unit and meaning (shown in notebook 02).
 */

/** Floating-point operations (a count, not a rate). */
export type Flops = number;
/** Floating-point operations per second. */
export type FlopsPerSecond = number;
/** Hours of one GPU: 8 GPUs for 3 hours = 24 GPU-hours. */
export type GpuHours = number;
/** US dollars. */
export type Usd = number;
/** US dollars per GPU-hour (rental price). */
export type UsdPerGpuHour = number;
/** US dollars per one million tokens (API list price). */
export type UsdPerMTok = number;
/** US dollars per kilowatt-hour (electricity price). */
export type UsdPerKwh = number;
/** Kilowatt-hours of energy. */
export type Kwh = number;
/** Watts of electrical power. */
export type Watts = number;
/** Tokens per second of throughput. */
export type TokensPerSecond = number;
/** A date as a decimal year, e.g. 2024.5 for early July 2024. */
export type DecimalYear = number;
/**
 * How many times cheaper a year later: price(t) / price(t + 1 year) of an exponential decline. The one
 * convention of the library, notebooks and charts: 10 means prices fall tenfold per year, 1 no change,
 * below 1 a rise. A driver's factor (hardware, algorithms) is the same ratio for the cost it lowers.
 */
export type YearlyFactor = number;
/** A fraction in (0, 1], e.g. model FLOPs utilisation. */
export type Fraction = number;

export const SECONDS_PER_HOUR = 3600;
export const HOURS_PER_DAY = 24;
export const SECONDS_PER_DAY = 86_400;
export const TOKENS_PER_MTOK = 1_000_000;
export const TERA = 1e12;

export interface GlossaryEntry {
  readonly name: string;
  readonly unit: string;
  readonly meaning: string;
}

/** The names used across the cost library and notebooks, with units. */
export const GLOSSARY: readonly GlossaryEntry[] = [
  { name: 'params', unit: 'parameters', meaning: 'N, the number of trainable weights (dense models; active weights for mixture-of-experts)' },
  { name: 'tokens', unit: 'tokens', meaning: 'D, the number of training tokens seen' },
  { name: 'trainFlops', unit: 'FLOP', meaning: 'training compute, about 6·N·D (forward + backward pass)' },
  { name: 'inferenceFlopsPerToken', unit: 'FLOP/token', meaning: 'forward-pass compute per generated token, about 2·N' },
  { name: 'peakFlopsPerSecond', unit: 'FLOP/s', meaning: 'datasheet dense BF16/FP16 tensor throughput of one GPU' },
  { name: 'mfu', unit: 'fraction in (0, 1]', meaning: 'model FLOPs utilisation: achieved / peak throughput' },
  { name: 'gpuHours', unit: 'GPU·h', meaning: 'hours of one GPU, summed over all GPUs' },
  { name: 'usdPerGpuHour', unit: 'USD/(GPU·h)', meaning: 'rental price of one GPU for one hour' },
  { name: 'gpuWatts', unit: 'W', meaning: 'electrical power drawn by one GPU' },
  { name: 'pue', unit: '≥ 1', meaning: 'power usage effectiveness: facility energy / IT energy' },
  { name: 'usdPerKwh', unit: 'USD/kWh', meaning: 'electricity price' },
  { name: 'usdPerMTok', unit: 'USD/1M tokens', meaning: 'API list price per million tokens' },
  { name: 'tokensPerSecond', unit: 'tokens/s', meaning: 'serving throughput of one deployment' },
  { name: 'yearlyFactor', unit: 'x per year', meaning: 'price(t) / price(t + 1 year): 10 means prices fall tenfold per year' },
];
