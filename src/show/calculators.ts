/**
 * The cost notebooks' calculators: sliders over a cost model's assumptions, above the chart computed
 * for their values, drawn again when one moves (`interact`, docs/widgets.md). 01 has the break-even
 * ratio of Jia's serving arithmetic, 02 the serving calculator, 09 the GPU counter.
 *
 * Each starts at the values the notebook passes, its parameters, so a notebook saved where no widget
 * manager runs shows the chart for those. The notebooks' findings, facts locks and summaries are
 * computed from the parameters, never from a slider. The charts are built by pure functions
 * (`…CalculatorFigure`), tested apart from the widgets.
 */
import { plotlyFigure } from '../plot';
import { lineChart } from '../plot/charts';
import { CostInputError } from '../cost/errors';
import { gpuPeakFlopsPerSecond } from '../cost/compute';
import { gpusToTrain } from '../cost/gpu-count';
import type { HardwareRow } from '../cost/reference';
import { breakEvenInputRatio, servingEconomics, type ServingInput } from '../cost/serving';
import { usd, num, pct, int } from '../facts/format';
import { dropdown, floatSlider, intSlider, logSlider, interact, type Control, type Interactive } from '../widgets';
import { servingFigure, servingRatioFigure, showSources, type SourcedFigureSpec } from './cost-figures';

/** A setting as a reader typed it: `10`, `2.5`, `0.35` (three significant digits, no padding). */
function plain(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/**
 * An amount in a chart title: `−270.91 USD`. Not `$`: plotly reads the text between two dollar signs
 * as TeX, which JupyterLab's MathJax then fails to draw, leaving the chart empty.
 */
function dollars(value: number): string {
  return `${usd(value).replace('$', '')} USD`;
}

/** The calculators' controls: labels wide enough for their text (the front end's default cuts them short), and a longer track. */
const LOOK = { descriptionWidth: '13em', width: '40em' } as const;

/** A chart title: the result, and under it in smaller type the settings it was computed for. */
function twoLines(result: string, settings: string): string {
  return `${result}<br><sup>${settings}</sup>`;
}

/**
 * A slider that starts at `value`: its bounds widened to take it (a parameter outside the usual range
 * still starts there), and its lower bound moved down onto `value`'s grid of steps. A front end
 * snaps the value to min + k·step when it draws the slider and sends the snapped value back, so an
 * off-grid start would change the setting before the reader touched anything.
 */
function startingAt(value: number, min: number, max: number, step: number): { value: number; min: number; max: number; step: number } {
  const steps = Math.ceil((value - Math.min(min, value)) / step - 1e-9);
  return { value, min: value - steps * step, max: Math.max(max, value), step };
}

/** The same for a log slider, whose grid is in powers of ten: `step` is the exponent's step. */
function startingAtLog(value: number, min: number, max: number, step: number): { value: number; min: number; max: number; step: number } {
  const exponents = startingAt(Math.log10(value), Math.log10(min), Math.log10(max), step);
  return { value, min: Math.min(10 ** exponents.min, value), max: Math.max(max, value), step };
}

// ---- 01 and 02: serving a model ----------------------------------------------------------------

/** `base` with a calculator's settings applied, its one price to input and output tokens alike. */
function withSettings(base: ServingInput, { usdPerMTok, ...rest }: { readonly usdPerMTok: number } & Partial<ServingInput>): ServingInput {
  return { ...base, ...rest, inputUsdPerMTok: usdPerMTok, outputUsdPerMTok: usdPerMTok };
}

/**
 * The sliders 01's and 02's calculators share, starting at `base`: one price for input and output
 * tokens, the busy fraction and the GPU rent. `calculator` names the caller in a refusal.
 */
function servingSliders(base: ServingInput, calculator: string): Record<'usdPerMTok' | 'busyFraction' | 'usdPerGpuHour', Control<number>> {
  if (base.inputUsdPerMTok !== base.outputUsdPerMTok) {
    throw new CostInputError(`${calculator} base`, { inputUsdPerMTok: base.inputUsdPerMTok, outputUsdPerMTok: base.outputUsdPerMTok }, 'one slider sets the price of input and output tokens alike, so they must start equal');
  }
  return {
    usdPerMTok: floatSlider({ ...startingAt(base.inputUsdPerMTok, 0.1, 10, 0.1), description: 'USD per 1M tokens', ...LOOK, readoutFormat: '.2f' }),
    busyFraction: floatSlider({ ...startingAt(base.busyFraction, 0.05, 1, 0.05), description: 'busy fraction', ...LOOK, readoutFormat: '.2f' }),
    usdPerGpuHour: floatSlider({ ...startingAt(base.usdPerGpuHour, 0.5, 8, 0.01), description: 'USD per GPU-hour', ...LOOK, readoutFormat: '.2f' }),
  };
}

// ---- 02: the serving calculator ------------------------------------------------------------------

/** What 02's sliders set: one price for input and output tokens, the ratio, the busy fraction and the rent. */
export interface ServingSettings {
  readonly usdPerMTok: number;
  readonly inputPerOutputToken: number;
  readonly busyFraction: number;
  readonly usdPerGpuHour: number;
}

/** Revenue, rent and margin per day of `base` with `settings` applied; the title states the settings, margin and break-even price. */
export function servingCalculatorFigure(base: ServingInput, settings: ServingSettings, sources: readonly string[] = []): SourcedFigureSpec {
  const input = withSettings(base, settings);
  const day = servingEconomics(input);
  const title = twoLines(
    `Margin ${dollars(day.marginUsdPerDay)} a day; break-even at ${dollars(day.breakEvenUsdPerMTok)} per 1M tokens`,
    `${dollars(settings.usdPerMTok)} per 1M tokens, ${plain(settings.inputPerOutputToken)}:1 input to output, busy ${pct(settings.busyFraction, 2)} of the day, ${dollars(settings.usdPerGpuHour)} per GPU-hour`,
  );
  return servingFigure(day, title, sources);
}

/**
 * 02's serving calculator: sliders for the price per 1M tokens (input and output alike), input tokens
 * per output token, the busy fraction and the GPU rent, above revenue, rent and margin per day.
 * `base` holds the throughput and GPU count, and the starting values of the sliders.
 */
export async function servingCalculator(base: ServingInput, sources: readonly string[]): Promise<Interactive<Record<keyof ServingSettings, Control<number>>>> {
  const { usdPerMTok, busyFraction, usdPerGpuHour } = servingSliders(base, 'servingCalculator');
  const controls = {
    usdPerMTok,
    inputPerOutputToken: floatSlider({ ...startingAt(base.inputPerOutputToken, 0, 20, 0.5), description: 'input per output token', ...LOOK, readoutFormat: '.1f' }),
    busyFraction,
    usdPerGpuHour,
  };
  const shown = await interact(controls, (v) => plotlyFigure(servingCalculatorFigure(base, v)));
  showSources(sources);
  return shown;
}

// ---- 01: the break-even ratio --------------------------------------------------------------------

/** What 01's sliders set: the price (input and output per 1M tokens alike), throughput, busy fraction and rent. */
export interface BreakEvenSettings {
  readonly usdPerMTok: number;
  readonly outputTokensPerSecond: number;
  readonly busyFraction: number;
  readonly usdPerGpuHour: number;
}

/** The input:output ratios 01's calculator draws the margin over. */
export const BREAK_EVEN_RATIOS: readonly number[] = Array.from({ length: 20 }, (_, i) => i + 1);

/** Margin per day against the input:output ratio with `settings` applied; the title states the break-even ratio. */
export function breakEvenCalculatorFigure(base: ServingInput, settings: BreakEvenSettings, sources: readonly string[] = [], range?: { low: number; high: number }): SourcedFigureSpec {
  const input = withSettings(base, settings);
  const ratio = breakEvenInputRatio(input);
  const title = twoLines(
    Number.isFinite(ratio) ? `Breaks even at ${plain(ratio)} input tokens per output token` : 'No input:output ratio breaks even',
    `${dollars(settings.usdPerMTok)} per 1M tokens, ${int(settings.outputTokensPerSecond)} output tokens/s, busy ${pct(settings.busyFraction, 2)} of the day, ${dollars(settings.usdPerGpuHour)} per GPU-hour`,
  );
  return servingRatioFigure(input, BREAK_EVEN_RATIOS, sources, range, title);
}

/**
 * 01's break-even calculator: sliders for the price per 1M tokens, the deployment's output tokens per
 * second, the busy fraction and the GPU rent, above the margin per day against the input:output ratio
 * with the ratio where it breaks even (and `range`, Jia's own range, shaded).
 */
export async function breakEvenCalculator(base: ServingInput, sources: readonly string[], range?: { low: number; high: number }): Promise<Interactive<Record<keyof BreakEvenSettings, Control<number>>>> {
  const { usdPerMTok, busyFraction, usdPerGpuHour } = servingSliders(base, 'breakEvenCalculator');
  const controls = {
    usdPerMTok,
    outputTokensPerSecond: floatSlider({ ...startingAt(base.outputTokensPerSecond, 50, 2000, 10), description: 'output tokens/s', ...LOOK, readoutFormat: '.0f' }),
    busyFraction,
    usdPerGpuHour,
  };
  const shown = await interact(controls, (v) => plotlyFigure(breakEvenCalculatorFigure(base, v, [], range)));
  showSources(sources);
  return shown;
}

// ---- 09: the GPU counter ---------------------------------------------------------------------------

/** What 09's controls set. */
export interface GpuCounterSettings {
  readonly params: number;
  readonly tokens: number;
  readonly days: number;
  readonly mfu: number;
  /** A row of `hardware.csv` with a peak throughput. */
  readonly gpu: string;
}

/** The deadlines (days) 09's counter draws the GPU count over, besides the one chosen. */
export const GPU_COUNTER_DAYS: readonly number[] = [7, 14, 30, 60, 90, 180, 365];

/** Datasheet rows of `hardware.csv` (no rental or cloud offer in parentheses) that give a peak throughput. */
export function datasheetGpus(hardware: readonly HardwareRow[]): string[] {
  return [...new Set(hardware.filter((r) => r.peakTflops !== null && !r.gpu.includes('(')).map((r) => r.gpu))];
}

/** A count of parameters or tokens in words a chart title can carry: `405B`, `15T`. */
function scale(value: number): string {
  return value >= 1e12 ? `${num(value / 1e12)}T` : `${num(value / 1e9)}B`;
}

/**
 * GPUs needed against the deadline, the chosen deadline marked and its count in the title, with the
 * band `band` (the article's "thousands to tens of thousands") shaded.
 */
export function gpuCounterFigure(hardware: readonly HardwareRow[], settings: GpuCounterSettings, band?: { low: number; high: number; label: string }): SourcedFigureSpec {
  const peak = gpuPeakFlopsPerSecond(hardware, settings.gpu);
  const count = (days: number) => gpusToTrain({ params: settings.params, tokens: settings.tokens, days, peakFlopsPerSecond: peak, mfu: settings.mfu });
  const days = [...new Set([...GPU_COUNTER_DAYS, settings.days])].sort((a, b) => a - b);
  const chosen = count(settings.days);
  const chart = lineChart({
    title: twoLines(
      `${int(chosen.gpus)} GPUs train it in ${int(settings.days)} days`,
      `${scale(settings.params)} parameters on ${scale(settings.tokens)} tokens, ${settings.gpu} at MFU ${num(settings.mfu, 2)}`,
    ),
    x: { title: 'deadline, days (log scale)', log: true },
    y: { title: 'GPUs needed (log scale)', log: true },
    series: [
      { name: 'GPUs for each deadline', mode: 'lines+markers', x: days, y: days.map((d) => count(d).gpus) },
      { name: `${int(settings.days)} days: ${int(chosen.gpus)} GPUs`, mode: 'markers', x: [settings.days], y: [chosen.gpus], marker: { size: 14, color: 'firebrick' } },
    ],
    layout: { yaxis: { exponentformat: 'B' }, xaxis: { tickvals: days, ticktext: days.map(String) } },
  });
  // The band as a light filled area over the lines (after them, so their colours stay), so that it has a legend entry and the axis takes it in.
  const [first, last] = [days[0]!, days[days.length - 1]!];
  const area = band === undefined ? [] : [{
    type: 'scatter', mode: 'lines', name: `${band.label}: ${int(band.low)} to ${int(band.high)} GPUs`,
    x: [first, last, last, first, first], y: [band.low, band.low, band.high, band.high, band.low],
    fill: 'toself', fillcolor: 'rgba(100,150,250,0.15)', line: { width: 0 }, hoverinfo: 'skip',
  }];
  const row = hardware.find((r) => r.gpu === settings.gpu);
  return { ...chart.spec, data: [...chart.spec.data, ...area], sources: row ? [row.sourceUrl] : [] };
}

/**
 * 09's GPU counter: sliders for the parameters, training tokens, deadline and utilisation, and the
 * GPU (a datasheet row of `hardware.csv`), above the GPUs needed against the deadline.
 */
export async function gpuCounter(hardware: readonly HardwareRow[], start: GpuCounterSettings, band?: { low: number; high: number; label: string }): Promise<Interactive<{ params: Control<number>; tokens: Control<number>; days: Control<number>; mfu: Control<number>; gpu: Control<string> }>> {
  const gpus = datasheetGpus(hardware);
  if (!gpus.includes(start.gpu)) {
    throw new CostInputError('gpuCounter gpu', start.gpu, `not a datasheet row of hardware.csv with a peak throughput (one of ${gpus.map((g) => JSON.stringify(g)).join(', ')})`);
  }
  const controls = {
    params: logSlider({ ...startingAtLog(start.params, 1e9, 1e13, 0.05), description: 'parameters', ...LOOK, readoutFormat: '.3s' }),
    tokens: logSlider({ ...startingAtLog(start.tokens, 1e11, 1e14, 0.05), description: 'training tokens', ...LOOK, readoutFormat: '.3s' }),
    days: intSlider({ ...startingAt(start.days, 7, 365, 1), description: 'deadline, days', ...LOOK }),
    mfu: floatSlider({ ...startingAt(start.mfu, 0.05, 0.8, 0.01), description: 'MFU', ...LOOK, readoutFormat: '.2f' }),
    gpu: dropdown({ options: gpus, value: start.gpu, description: 'GPU', ...LOOK }),
  };
  const shown = await interact(controls, (v) => plotlyFigure(gpuCounterFigure(hardware, v, band)));
  showSources(hardware.filter((r) => gpus.includes(r.gpu)).map((r) => r.sourceUrl));
  return shown;
}
