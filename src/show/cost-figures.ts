/**
 * The cost notebooks' charts, built with the plotting module's chart helpers and returned as plotly
 * specs with their sources. Pure: they only arrange numbers computed elsewhere; displaying them is
 * `showSourcedFigure`'s job. Every figure built from reference data carries its sources, shown under
 * the chart. Yearly factors follow the library's one convention: how many times cheaper a year later.
 */
import { display } from '../display';
import { plotlyFigure } from '../plot';
import { barChart, lineChart, scatterChart } from '../plot/charts';
import type { Figure } from '../plot/bundle';
import type { FigureSpec } from '../plot/figure';
import { CostInputError } from '../cost/errors';
import type { ExponentialFit, FrontierPoint } from '../cost/trend';
import { trendValueAt } from '../cost/trend';
import type { CostItem } from '../cost/rental';
import type { LlmPriceRow, TrainingRunRow } from '../cost/reference';
import type { FactorEstimate, PriceCut } from '../cost/drivers';
import { breakEvenInputRatio, servingEconomics, type ServingInput } from '../cost/serving';
import { baseModelName, distinctSizedModels, sourcesOf } from '../cost/reference';
import { usd } from '../facts/format';

/** The axis title of every yearly factor: 10 means ten times cheaper a year later. */
const FALLS_BY_FACTOR = 'price falls by this factor per year (log scale)';

/** Error bars of yearly factors from their intervals (none where an estimate has no interval). */
function factorErrors(estimates: readonly FactorEstimate[]): { plus: number[]; minus: number[] } {
  return {
    plus: estimates.map((e) => (e.high === undefined ? 0 : e.high - e.yearlyFactor)),
    minus: estimates.map((e) => (e.low === undefined ? 0 : e.yearlyFactor - e.low)),
  };
}

/** A plotly figure spec plus the source URLs of the numbers it draws (shown under the chart). */
export interface SourcedFigureSpec extends FigureSpec {
  readonly sources: string[];
}

/** A chart's spec with the sources of the numbers it draws. */
function sourced(figure: Figure, sources: readonly string[]): SourcedFigureSpec {
  return { ...figure.spec, sources: [...sources] };
}

/** Plotly's own tick labels on the log axes of these charts (0.01, 100, 10B), not powers of ten. */
const PLAIN_LOG_TICKS = { exponentformat: 'B' };

/** Breaks a category label into lines of about `width` characters (plotly tick labels take <br>). */
export function wrapLabel(label: string, width = 18): string {
  const lines: string[] = [];
  let line = '';
  for (const word of label.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join('<br>');
}

/** A category x axis whose wrapped labels get the room they need. */
const CATEGORY_X = { automargin: true, tickangle: 0, tickfont: { size: 11 } };

const USD_PER_MTOK_LOG = { title: 'USD per 1M tokens (log scale)', log: true };

/** Decimal year → ISO date (for date axes). */
export function isoDate(year: number): string {
  const whole = Math.floor(year);
  const start = Date.UTC(whole, 0, 1);
  const end = Date.UTC(whole + 1, 0, 1);
  return new Date(start + (year - whole) * (end - start)).toISOString().slice(0, 10);
}

/** Every priced row of llm_prices.csv over time, input and output, on a log axis (free tiers left out). */
export function listPricesFigure(rows: readonly LlmPriceRow[]): SourcedFigureSpec {
  const series = (pick: (r: LlmPriceRow) => number | null, name: string, symbol: string) => {
    const kept = rows.filter((r) => (pick(r) ?? 0) > 0);
    return {
      name,
      x: kept.map((r) => (r.date.length === 7 ? `${r.date}-01` : r.date)),
      y: kept.map((r) => pick(r) as number),
      text: kept.map((r) => `${r.provider} ${r.model}`),
      marker: { symbol, size: 8, opacity: 1 },
    };
  };
  const priced = rows.filter((r) => (r.inputUsdPerMTok ?? 0) > 0 || (r.outputUsdPerMTok ?? 0) > 0);
  const series2 = [series((r) => r.inputUsdPerMTok, 'input price', 'circle'), series((r) => r.outputUsdPerMTok, 'output price', 'triangle-up')];
  const chart = scatterChart({
    title: 'LLM API list prices over time',
    x: { title: 'date' },
    y: USD_PER_MTOK_LOG,
    series: series2,
    layout: { yaxis: PLAIN_LOG_TICKS },
  });
  return sourced(chart, sourcesOf(priced));
}

/**
 * The cheapest model above a threshold, the fitted exponential trend, and a line falling at each
 * published yearly factor from the first point (for comparison over the same span).
 */
export function frontierTrendFigure(
  frontier: readonly FrontierPoint[],
  fit: ExponentialFit,
  published: readonly { readonly label: string; readonly yearlyFactor: number }[],
  title: string,
): SourcedFigureSpec {
  const first = frontier[0];
  const last = frontier[frontier.length - 1];
  if (first === undefined || last === undefined) throw new CostInputError('frontier', 'no points', 'a trend chart needs at least one price');
  const years = [first.year, last.year];
  const low = Math.min(...frontier.map((p) => p.usdPerMTok)) / 10;
  const high = Math.max(...frontier.map((p) => p.usdPerMTok)) * 10;
  const chart = lineChart({
    title,
    x: { title: 'date' },
    y: USD_PER_MTOK_LOG,
    series: [
      {
        name: 'cheapest model above threshold',
        mode: 'markers',
        x: frontier.map((p) => isoDate(p.year)),
        y: frontier.map((p) => p.usdPerMTok),
        text: frontier.map((p) => `${p.row.provider} ${p.row.model}`),
        marker: { size: 9 },
      },
      {
        name: `fit: ${fit.yearlyFactor.toFixed(1)}x/yr (${Math.round(fit.level * 100)}% CI ${fit.yearlyFactorLow.toFixed(1)}–${fit.yearlyFactorHigh.toFixed(1)})`,
        mode: 'lines',
        x: years.map(isoDate),
        y: years.map((y) => trendValueAt(fit, y)),
        line: { width: 3 },
      },
      ...published.map((p) => ({
        name: `${p.label}: ${p.yearlyFactor}x/yr`,
        mode: 'lines' as const,
        x: years.map(isoDate),
        y: years.map((y) => first.usdPerMTok / p.yearlyFactor ** (y - first.year)),
        line: { dash: 'dash', width: 1.5 },
      })),
    ],
    layout: { yaxis: { range: [Math.log10(low), Math.log10(high)], ...PLAIN_LOG_TICKS } },
  });
  return sourced(chart, sourcesOf(frontier.map((p) => p.row)));
}

/** A forest plot of yearly decline factors with their intervals, on a log axis, one labelled row each. */
export function factorComparisonFigure(estimates: readonly FactorEstimate[], title: string): SourcedFigureSpec {
  const short = (label: string): string => (label.length > 54 ? `${label.slice(0, 24)}…${label.slice(-28)}` : label);
  // An interval reaching far beyond every estimate (e.g. 6-117,290) would flatten the rest: the axis
  // stops at ten times the largest estimate and such a row says where its interval ends.
  const axisMax = 10 * Math.max(...estimates.map((e) => e.yearlyFactor));
  const clipped = (e: FactorEstimate): boolean => e.high !== undefined && e.high > axisMax;
  const labels = estimates.map((e, i) => `${short(e.label)}${clipped(e) ? ` (CI to ${Math.round(e.high ?? 0).toLocaleString('en-US')}, off axis)` : ''} ·${i + 1}`);
  const values = estimates.flatMap((e) => [e.yearlyFactor, e.low ?? e.yearlyFactor, Math.min(axisMax, e.high ?? e.yearlyFactor)]);
  const chart = scatterChart({
    title,
    x: { title: FALLS_BY_FACTOR, log: true },
    y: { title: '' },
    series: [
      {
        name: 'yearly factor',
        x: estimates.map((e) => e.yearlyFactor),
        y: labels,
        text: estimates.map((e) => e.label),
        errors: { axis: 'x', ...factorErrors(estimates) },
        marker: { size: 9, opacity: 1 },
      },
    ],
    layout: {
      xaxis: { ...PLAIN_LOG_TICKS, dtick: 1, tickformat: ',d', range: [Math.log10(Math.min(...values) / 1.5), Math.log10(Math.max(...values) * 1.5)] },
      yaxis: { automargin: true, type: 'category', tickmode: 'array', tickvals: labels, ticktext: labels, autorange: 'reversed', tickfont: { size: 10 } },
      height: 140 + 26 * estimates.length,
      margin: { l: 20 },
      showlegend: false,
    },
  });
  return sourced(chart, [...new Set(estimates.flatMap((e) => (e.sourceUrl ? [e.sourceUrl] : [])))]);
}


/** Bars of cost items; assumptions hatched and labelled so they are never mistaken for computed numbers. */
export function costBreakdownFigure(items: readonly CostItem[], title: string): SourcedFigureSpec {
  const chart = barChart({
    title,
    x: { title: '' },
    y: { title: 'USD' },
    categories: items.map((i) => wrapLabel(i.label)),
    series: [
      {
        name: 'cost',
        values: items.map((i) => i.usd),
        labels: items.map((i) => `$${(i.usd / 1e6).toFixed(2)}M`),
        hoverText: items.map((i) => i.note),
        color: items.map((i) => (i.basis === 'computed' ? '#1f77b4' : '#ff7f0e')),
        hatched: items.map((i) => i.basis !== 'computed'),
      },
    ],
    layout: { showlegend: false, xaxis: CATEGORY_X, height: 460 },
  });
  return sourced(chart, []);
}

/** Bars of yearly factors (log axis), e.g. the drivers of the decline. */
export function yearlyFactorBarsFigure(bars: readonly FactorEstimate[], title: string): SourcedFigureSpec {
  const chart = barChart({
    title,
    x: { title: '' },
    y: { title: FALLS_BY_FACTOR, log: true },
    categories: bars.map((b) => wrapLabel(b.label)),
    series: [{ name: 'yearly factor', values: bars.map((b) => b.yearlyFactor), labels: bars.map((b) => `${b.yearlyFactor.toFixed(2)}x`), errors: factorErrors(bars) }],
    layout: { xaxis: CATEGORY_X, yaxis: PLAIN_LOG_TICKS, height: 480, showlegend: false },
  });
  return sourced(chart, [...new Set(bars.flatMap((b) => (b.sourceUrl ? [b.sourceUrl] : [])))]);
}

/** Revenue against GPU rent per day, and the margin, as bars. */
export function servingFigure(e: { revenueUsdPerDay: number; gpuRentUsdPerDay: number; marginUsdPerDay: number }, title: string, sources: readonly string[]): SourcedFigureSpec {
  const values = [e.revenueUsdPerDay, e.gpuRentUsdPerDay, e.marginUsdPerDay];
  const chart = barChart({
    title,
    x: { title: '' },
    y: { title: 'USD per day' },
    categories: ['revenue per day', 'GPU rent per day', 'margin per day'].map((l) => wrapLabel(l)),
    series: [{ name: 'USD per day', values, labels: values.map((v) => usd(v)), color: ['#2ca02c', '#d62728', '#1f77b4'] }],
    layout: { showlegend: false, xaxis: CATEGORY_X },
  });
  return sourced(chart, sources);
}



/** Parameter counts of the models that report one, on a log axis: all parameters, and the active ones of mixture-of-experts models. */
export function modelSizeFigure(runs: readonly TrainingRunRow[]): SourcedFigureSpec {
  const sized = distinctSizedModels(runs);
  const billions = (n: number): string => `${(n / 1e9).toFixed(0)}B`;
  const chart = barChart({
    title: 'Model size: all parameters, and those active per token',
    x: { title: '' },
    y: { title: 'parameters (log scale)', log: true },
    categories: sized.map((r) => wrapLabel(baseModelName(r.model))),
    series: [
      { name: 'all parameters', values: sized.map((r) => r.params), labels: sized.map((r) => billions(r.params)) },
      { name: 'active per token (mixture of experts; dense = all)', values: sized.map((r) => r.activeParams ?? r.params), labels: sized.map((r) => billions(r.activeParams ?? r.params)) },
    ],
    layout: { yaxis: PLAIN_LOG_TICKS, xaxis: CATEGORY_X, height: 480, showlegend: true },
  });
  return sourced(chart, sourcesOf(sized));
}

/** Input price before and after each May 2024 cut (log axis); a free model is drawn at the axis floor and labelled. */
export function priceCutsFigure(cuts: readonly PriceCut[]): SourcedFigureSpec {
  const floor = 0.01;
  const before = cuts.map((c) => c.before.inputUsdPerMTok ?? NaN);
  const after = cuts.map((c) => (c.after.inputUsdPerMTok === 0 ? floor : c.after.inputUsdPerMTok ?? NaN));
  const chart = barChart({
    title: 'The May 2024 Chinese price war: input prices before and after',
    x: { title: '' },
    y: { title: 'USD per 1M input tokens (log scale)', log: true },
    categories: cuts.map((c) => wrapLabel(`${c.provider} ${c.model}`, 14)),
    series: [
      { name: 'before the cut', values: before },
      { name: 'after the cut', values: after, labels: cuts.map((c) => (c.factor === null ? 'free' : `${c.factor.toFixed(0)}x cheaper`)) },
    ],
    layout: { xaxis: CATEGORY_X, yaxis: PLAIN_LOG_TICKS },
  });
  return sourced(chart, sourcesOf(cuts.flatMap((c) => [c.before, c.after])));
}

/** Margin per day against the price per 1M tokens, one line per busy fraction. */
export function servingSweepFigure(input: ServingInput, usdPerMTok: readonly number[], busyFractions: readonly number[], sources: readonly string[]): SourcedFigureSpec {
  const chart = lineChart({
    title: `Serving margin per day: ${input.gpus} GPUs at $${input.usdPerGpuHour}/GPU-h`,
    x: { title: 'price, USD per 1M tokens (input and output alike)' },
    y: { title: 'margin, USD per day' },
    markers: false,
    series: busyFractions.map((busy) => ({
      name: `busy ${Math.round(busy * 100)}% of the day`,
      x: usdPerMTok,
      y: usdPerMTok.map((p) => servingEconomics({ ...input, inputUsdPerMTok: p, outputUsdPerMTok: p, busyFraction: busy }).marginUsdPerDay),
    })),
  });
  return sourced(chart, sources);
}

/** Margin per day against the input:output token ratio, with the break-even ratio marked (notebook 01). */
export function servingRatioFigure(input: ServingInput, ratios: readonly number[], sources: readonly string[], range?: { low: number; high: number }, title?: string): SourcedFigureSpec {
  const margins = ratios.map((r) => servingEconomics({ ...input, inputPerOutputToken: r }).marginUsdPerDay);
  const breakEven = breakEvenInputRatio(input);
  const lo = Math.min(0, ...margins);
  const hi = Math.max(0, ...margins);
  const shapes = range === undefined ? [] : [{ type: 'rect', xref: 'x', yref: 'paper', x0: range.low, x1: range.high, y0: 0, y1: 1, fillcolor: 'rgba(100,150,250,0.12)', line: { width: 0 } }];
  const chart = lineChart({
    title: title ?? `Serving margin against the input:output token ratio (${input.gpus} GPUs, busy ${Math.round(input.busyFraction * 100)}%)`,
    x: { title: 'input tokens per output token' },
    y: { title: 'margin, USD per day' },
    series: [
      { name: 'margin per day', mode: 'lines+markers', x: ratios, y: margins },
      { name: `break-even at ${breakEven.toFixed(1)}:1`, mode: 'lines', x: [breakEven, breakEven], y: [lo, hi], line: { dash: 'dash', color: 'firebrick' } },
      { name: 'zero margin', mode: 'lines', x: [Math.min(...ratios), Math.max(...ratios)], y: [0, 0], line: { color: 'grey', width: 1 }, inLegend: false },
    ],
    layout: { shapes },
  });
  return sourced(chart, sources);
}

/** What a published "x per year" row of trends.csv measures. */


/** The text shown under a chart: its numbered sources ('' when there are none). */
export function sourcesText(sources: readonly string[]): string {
  return sources.length === 0 ? '' : `Sources: ${sources.map((s, i) => `[${i + 1}] ${s}`).join('  ')}`;
}

/** Shows the sources line that goes under a chart of reference data (nothing when there are none). */
export function showSources(sources: readonly string[]): void {
  const text = sourcesText([...new Set(sources)]);
  if (text !== '') display({ 'text/plain': text, 'text/markdown': text });
}

/** `await showSourcedFigure(spec)`: the chart (with its static image when a browser is available), then its sources. */
export async function showSourcedFigure(spec: SourcedFigureSpec): Promise<void> {
  await plotlyFigure({ data: spec.data, layout: spec.layout }).show();
  showSources(spec.sources);
}
