/**
 * Serving economics: what a deployment earns per day at a price per 1M tokens against what its GPUs
 * cost per day. Yangqing Jia's 2024 argument that $2.8 per 1M tokens for Llama 3.1 405B is
 * profitable is this arithmetic (notebooks 01 and 02).
 */
import { ReferenceDataError, requireFraction, requireNonNegative, requirePositive } from './errors';
import type { HardwareRow, LlmPriceRow } from './reference';
import { gpuUsdPerHour } from './compute';
import { HOURS_PER_DAY, SECONDS_PER_DAY, TOKENS_PER_MTOK, type TokensPerSecond, type Usd, type UsdPerGpuHour, type UsdPerMTok } from './units';

export interface ServingInput {
  /** Generated (output) tokens per second of the whole deployment, at the assumed concurrency. */
  readonly outputTokensPerSecond: TokensPerSecond;
  /** Prompt (input) tokens processed per output token (10 means 10:1). */
  readonly inputPerOutputToken: number;
  /** Price per 1M input tokens. */
  readonly inputUsdPerMTok: UsdPerMTok;
  /** Price per 1M output tokens. */
  readonly outputUsdPerMTok: UsdPerMTok;
  readonly gpus: number;
  readonly usdPerGpuHour: UsdPerGpuHour;
  /** Fraction of the day the deployment runs at that throughput, in [0, 1]. */
  readonly busyFraction: number;
}

export interface ServingEconomics {
  readonly tokensPerDay: number;
  readonly revenueUsdPerDay: Usd;
  readonly gpuRentUsdPerDay: Usd;
  readonly marginUsdPerDay: Usd;
  /** margin / revenue; negative when serving loses money. */
  readonly marginFraction: number;
  /** The single price per 1M tokens (input and output alike) at which revenue equals rent. */
  readonly breakEvenUsdPerMTok: UsdPerMTok;
}

/** GPU rent per day = GPUs × $/GPU-h × 24. */
export function gpuRentUsdPerDay(gpus: number, usdPerGpuHour: UsdPerGpuHour): Usd {
  requirePositive('gpus', gpus);
  requireNonNegative('usdPerGpuHour', usdPerGpuHour);
  return gpus * usdPerGpuHour * HOURS_PER_DAY;
}

/** Revenue per day and margin of a deployment (see `ServingInput`). */
export function servingEconomics(input: ServingInput): ServingEconomics {
  requireNonNegative('outputTokensPerSecond', input.outputTokensPerSecond);
  requireNonNegative('inputPerOutputToken', input.inputPerOutputToken);
  requireNonNegative('inputUsdPerMTok', input.inputUsdPerMTok);
  requireNonNegative('outputUsdPerMTok', input.outputUsdPerMTok);
  requireFraction('busyFraction', input.busyFraction);
  const busySeconds = SECONDS_PER_DAY * input.busyFraction;
  const outputTokens = input.outputTokensPerSecond * busySeconds;
  const inputTokens = outputTokens * input.inputPerOutputToken;
  const revenue = (inputTokens * input.inputUsdPerMTok + outputTokens * input.outputUsdPerMTok) / TOKENS_PER_MTOK;
  const rent = gpuRentUsdPerDay(input.gpus, input.usdPerGpuHour);
  const tokensPerDay = inputTokens + outputTokens;
  return {
    tokensPerDay,
    revenueUsdPerDay: revenue,
    gpuRentUsdPerDay: rent,
    marginUsdPerDay: revenue - rent,
    marginFraction: revenue > 0 ? (revenue - rent) / revenue : Number.NEGATIVE_INFINITY,
    breakEvenUsdPerMTok: tokensPerDay > 0 ? (rent / tokensPerDay) * TOKENS_PER_MTOK : Number.POSITIVE_INFINITY,
  };
}

/** Cost per 1M generated tokens of a GPU deployment at a given throughput. */
export function usdPerMTokFromThroughput(tokensPerSecond: TokensPerSecond, gpus: number, usdPerGpuHour: UsdPerGpuHour): UsdPerMTok {
  requirePositive('tokensPerSecond', tokensPerSecond);
  return (gpuRentUsdPerDay(gpus, usdPerGpuHour) / (tokensPerSecond * SECONDS_PER_DAY)) * TOKENS_PER_MTOK;
}

/**
 * The throughput figures of Jia's July 2024 thread, as summarised by the source listed in
 * SOURCES.md ("Summary of Jia's matching X thread with the numbers"): about 300 output tokens/s at
 * a production concurrency of 10, with 10 input tokens per output token.
 */
export const JIA_2024_THROUGHPUT = {
  outputTokensPerSecond: 300,
  inputPerOutputToken: 10,
  gpus: 8,
  sourceUrl: 'https://atlascloud.ai/post/the-math-behind-inference-for-llama31-405b',
} as const;

/** The llm_prices.csv row of Lepton's Llama 3.1 405B price and the hardware.csv row of Jia's H100 rate. */
export const JIA_2024_PRICE_ROW = { provider: 'lepton.ai', model: 'Llama 3.1 405B' } as const;
export const JIA_2024_GPU_ROW = "NVIDIA H100 (implied by Yangqing Jia's Llama-405B math)";

export interface ServingScenario {
  readonly input: ServingInput;
  /** Source URLs of each number, for the note under the chart. */
  readonly sources: readonly string[];
}

/**
 * Jia's Llama 3.1 405B serving arithmetic built from the reference data: the price from
 * llm_prices.csv, the per-GPU rate from hardware.csv, the throughput from `JIA_2024_THROUGHPUT`.
 * Running all day it earns about $798/day against $670/day of rent.
 */
export function jiaServingScenario(prices: readonly LlmPriceRow[], hardware: readonly HardwareRow[]): ServingScenario {
  const priceRow = prices.find((r) => r.provider === JIA_2024_PRICE_ROW.provider && r.model === JIA_2024_PRICE_ROW.model);
  if (priceRow === undefined || priceRow.inputUsdPerMTok === null || priceRow.outputUsdPerMTok === null) {
    throw new ReferenceDataError('llm_prices.csv', null, `no priced row for ${JIA_2024_PRICE_ROW.provider} ${JIA_2024_PRICE_ROW.model}`);
  }
  const gpuRow = hardware.find((r) => r.gpu === JIA_2024_GPU_ROW);
  return {
    input: {
      outputTokensPerSecond: JIA_2024_THROUGHPUT.outputTokensPerSecond,
      inputPerOutputToken: JIA_2024_THROUGHPUT.inputPerOutputToken,
      inputUsdPerMTok: priceRow.inputUsdPerMTok,
      outputUsdPerMTok: priceRow.outputUsdPerMTok,
      gpus: JIA_2024_THROUGHPUT.gpus,
      usdPerGpuHour: gpuUsdPerHour(hardware, JIA_2024_GPU_ROW),
      busyFraction: 1,
    },
    sources: [priceRow.sourceUrl, JIA_2024_THROUGHPUT.sourceUrl, ...(gpuRow ? [gpuRow.sourceUrl] : [])],
  };
}

/**
 * The input:output token ratio at which a deployment breaks even (revenue = rent), the other inputs
 * held: r = (rent / output tokens per day × 10⁶ − output price) / input price. Jia's 2024 numbers
 * give about 8.2:1 at full utilisation (notebook 01); below it the same arithmetic is a loss.
 * Infinity when input tokens earn nothing.
 */
export function breakEvenInputRatio(input: ServingInput): number {
  const rent = gpuRentUsdPerDay(input.gpus, input.usdPerGpuHour);
  const outputMTokPerDay = (input.outputTokensPerSecond * SECONDS_PER_DAY * input.busyFraction) / TOKENS_PER_MTOK;
  if (outputMTokPerDay <= 0 || input.inputUsdPerMTok <= 0) return Number.POSITIVE_INFINITY;
  return Math.max(0, (rent / outputMTokPerDay - input.outputUsdPerMTok) / input.inputUsdPerMTok);
}

/** Jia's own range of input tokens per output token ("3x to 10x" in his July 2024 post). */
export const JIA_2024_INPUT_RATIO_RANGE = { low: 3, high: 10, sourceUrl: 'https://www.linkedin.com/posts/lepton-ai_people-often-ask-why-prices-like-28m-token-activity-7222871390494806016-wehE' } as const;
