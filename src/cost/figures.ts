/**
 * Figure specifications (plotly's {data, layout} shape) for the cost notebooks' charts. Pure: they
 * only arrange numbers computed elsewhere; displaying them is the plotting module's job. Every
 * figure built from reference data carries its sources, shown under the chart.
 */
import type { FigureSpec, PlotlyLayout, PlotlyTrace } from '../plot/figure';
import type { ExponentialFit, FrontierPoint } from './trend';
import { trendValueAt } from './trend';
import type { CostItem } from './rental';
import type { LlmPriceRow, TrainingRunRow, TrendRow } from './reference';
import { intervalInNote, type FactorEstimate, type PriceCut } from './drivers';
import { breakEvenInputRatio, servingEconomics, type ServingInput } from './serving';
import { sourcesOf } from './reference';

/** A plotly figure spec plus the source URLs of the numbers it draws (shown under the chart). */
export interface SourcedFigureSpec extends FigureSpec {
  readonly sources: string[];
}

function layout(title: string, xTitle: string, yTitle: string, extra: PlotlyLayout = {}): PlotlyLayout {
  return { title: { text: title }, xaxis: { title: { text: xTitle } }, yaxis: { title: { text: yTitle } }, ...extra };
}

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

/** Decimal year → ISO date (for date axes). */
export function isoDate(year: number): string {
  const whole = Math.floor(year);
  const start = Date.UTC(whole, 0, 1);
  const end = Date.UTC(whole + 1, 0, 1);
  return new Date(start + (year - whole) * (end - start)).toISOString().slice(0, 10);
}

/** Every priced row of llm_prices.csv over time, input and output, on a log axis (free tiers left out). */
export function listPricesFigure(rows: readonly LlmPriceRow[]): SourcedFigureSpec {
  const series = (pick: (r: LlmPriceRow) => number | null, name: string, symbol: string): PlotlyTrace => {
    const kept = rows.filter((r) => (pick(r) ?? 0) > 0);
    return {
      type: 'scatter',
      mode: 'markers',
      name,
      x: kept.map((r) => r.date.length === 7 ? `${r.date}-01` : r.date),
      y: kept.map((r) => pick(r)),
      text: kept.map((r) => `${r.provider} ${r.model}`),
      marker: { symbol, size: 8 },
    };
  };
  const priced = rows.filter((r) => (r.inputUsdPerMTok ?? 0) > 0 || (r.outputUsdPerMTok ?? 0) > 0);
  return {
    data: [series((r) => r.inputUsdPerMTok, 'input price', 'circle'), series((r) => r.outputUsdPerMTok, 'output price', 'triangle-up')],
    layout: layout('LLM API list prices over time', 'date', 'USD per 1M tokens (log scale)', { yaxis: { type: 'log', title: { text: 'USD per 1M tokens (log scale)' } } }),
    sources: sourcesOf(priced),
  };
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
  if (first === undefined || last === undefined) return { data: [], layout: layout(title, 'date', 'USD per 1M tokens'), sources: [] };
  const years = [first.year, last.year];
  const data: PlotlyTrace[] = [
    {
      type: 'scatter',
      mode: 'markers',
      name: 'cheapest model above threshold',
      x: frontier.map((p) => isoDate(p.year)),
      y: frontier.map((p) => p.usdPerMTok),
      text: frontier.map((p) => `${p.row.provider} ${p.row.model}`),
      marker: { size: 9 },
    },
    {
      type: 'scatter',
      mode: 'lines',
      name: `fit: ${fit.yearlyFactor.toFixed(1)}x/yr (${Math.round(fit.level * 100)}% CI ${fit.yearlyFactorLow.toFixed(1)}–${fit.yearlyFactorHigh.toFixed(1)})`,
      x: years.map(isoDate),
      y: years.map((y) => trendValueAt(fit, y)),
      line: { width: 3 },
    },
    ...published.map((p) => ({
      type: 'scatter',
      mode: 'lines',
      name: `${p.label}: ${p.yearlyFactor}x/yr`,
      x: years.map(isoDate),
      y: years.map((y) => first.usdPerMTok / p.yearlyFactor ** (y - first.year)),
      line: { dash: 'dash', width: 1.5 },
    })),
  ];
  const low = Math.min(...frontier.map((p) => p.usdPerMTok)) / 10;
  const high = Math.max(...frontier.map((p) => p.usdPerMTok)) * 10;
  return {
    data,
    layout: layout(title, 'date', 'USD per 1M tokens (log scale)', {
      yaxis: { type: 'log', title: { text: 'USD per 1M tokens (log scale)' }, range: [Math.log10(low), Math.log10(high)] },
    }),
    sources: sourcesOf(frontier.map((p) => p.row)),
  };
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
  return {
    data: [
      {
        type: 'scatter',
        mode: 'markers',
        x: estimates.map((e) => e.yearlyFactor),
        y: labels,
        text: estimates.map((e) => e.label),
        error_x: {
          type: 'data',
          symmetric: false,
          array: estimates.map((e) => (e.high === undefined ? 0 : e.high - e.yearlyFactor)),
          arrayminus: estimates.map((e) => (e.low === undefined ? 0 : e.yearlyFactor - e.low)),
        },
        marker: { size: 9 },
        name: 'yearly factor',
      },
    ],
    layout: layout(title, 'price falls by this factor per year (log scale)', '', {
      xaxis: { type: 'log', title: { text: 'price falls by this factor per year (log scale)' }, dtick: 1, tickformat: ',d', range: [Math.log10(Math.min(...values) / 1.5), Math.log10(Math.max(...values) * 1.5)] },
      yaxis: { automargin: true, type: 'category', tickmode: 'array', tickvals: labels, ticktext: labels, autorange: 'reversed', tickfont: { size: 10 } },
      height: 140 + 26 * estimates.length,
      margin: { l: 20 },
      showlegend: false,
    }),
    sources: [...new Set(estimates.flatMap((e) => (e.sourceUrl ? [e.sourceUrl] : [])))],
  };
}

/** Published yearly factors from trends.csv, with the interval where the note gives one ("90% CI a-b"). */
export function publishedFactors(trends: readonly TrendRow[], kinds: readonly FactorKind[] = ['price decline', 'range end', 'other rate']): FactorEstimate[] {
  return trends
    .filter((t) => t.unit === 'x per year' && !t.quantity.includes('(rising)') && kinds.includes(factorKind(t)))
    .map((t) => {
      const ci = intervalInNote(t.note);
      return { label: t.quantity, yearlyFactor: t.value, low: ci?.low, high: ci?.high, sourceUrl: t.sourceUrl };
    });
}

/** Bars of cost items; assumptions hatched and labelled so they are never mistaken for computed numbers. */
export function costBreakdownFigure(items: readonly CostItem[], title: string): SourcedFigureSpec {
  return {
    data: [
      {
        type: 'bar',
        x: items.map((i) => wrapLabel(i.label)),
        y: items.map((i) => i.usd),
        text: items.map((i) => `$${(i.usd / 1e6).toFixed(2)}M`),
        textposition: 'outside',
        hovertext: items.map((i) => i.note),
        marker: {
          color: items.map((i) => (i.basis === 'computed' ? '#1f77b4' : '#ff7f0e')),
          pattern: { shape: items.map((i) => (i.basis === 'computed' ? '' : '/')) },
        },
      },
    ],
    layout: layout(title, '', 'USD', { showlegend: false, xaxis: CATEGORY_X, height: 460 }),
    sources: [],
  };
}

/** Bars of yearly factors (log axis), e.g. the drivers of the decline. */
export function yearlyFactorBarsFigure(bars: readonly FactorEstimate[], title: string): SourcedFigureSpec {
  return {
    data: [
      {
        type: 'bar',
        x: bars.map((b) => wrapLabel(b.label)),
        y: bars.map((b) => b.yearlyFactor),
        text: bars.map((b) => `${b.yearlyFactor.toFixed(2)}x`),
        textposition: 'outside',
        error_y: {
          type: 'data',
          symmetric: false,
          array: bars.map((b) => (b.high === undefined ? 0 : b.high - b.yearlyFactor)),
          arrayminus: bars.map((b) => (b.low === undefined ? 0 : b.yearlyFactor - b.low)),
        },
      },
    ],
    layout: layout(title, '', 'factor per year (log scale)', {
      yaxis: { type: 'log', title: { text: 'factor per year (log scale)' } },
      xaxis: CATEGORY_X,
      height: 480,
      showlegend: false,
    }),
    sources: [...new Set(bars.flatMap((b) => (b.sourceUrl ? [b.sourceUrl] : [])))],
  };
}

/** Revenue against GPU rent per day, and the margin, as bars. */
export function servingFigure(e: { revenueUsdPerDay: number; gpuRentUsdPerDay: number; marginUsdPerDay: number }, title: string, sources: readonly string[]): SourcedFigureSpec {
  const labels = ['revenue per day', 'GPU rent per day', 'margin per day'];
  const values = [e.revenueUsdPerDay, e.gpuRentUsdPerDay, e.marginUsdPerDay];
  return {
    data: [{ type: 'bar', x: labels.map((l) => wrapLabel(l)), y: values, text: values.map((v) => `$${v.toFixed(2)}`), textposition: 'outside', marker: { color: ['#2ca02c', '#d62728', '#1f77b4'] } }],
    layout: layout(title, '', 'USD per day', { showlegend: false, xaxis: CATEGORY_X }),
    sources: [...sources],
  };
}

/** The model a training-run row is about: its name without a parenthesised qualifier ("GPT-3 175B (Lambda ...)" → "GPT-3 175B"). */
export function baseModelName(model: string): string {
  return model.replace(/\s*\(.*\)\s*$/, '').trim();
}

/** One bar per model: the first row of each model that reports a size (re-estimates of the same run are not new models). */
export function distinctSizedModels(runs: readonly TrainingRunRow[]): Array<TrainingRunRow & { params: number }> {
  const seen = new Set<string>();
  return runs.filter((r): r is TrainingRunRow & { params: number } => {
    if (r.params === null) return false;
    const name = baseModelName(r.model);
    if (seen.has(name)) return false;
    seen.add(name);
    return true;
  });
}

/** Parameter counts of the models that report one, on a log axis: all parameters, and the active ones of mixture-of-experts models. */
export function modelSizeFigure(runs: readonly TrainingRunRow[]): SourcedFigureSpec {
  const sized = distinctSizedModels(runs);
  const names = sized.map((r) => wrapLabel(baseModelName(r.model)));
  return {
    data: [
      { type: 'bar', name: 'all parameters', x: names, y: sized.map((r) => r.params), text: sized.map((r) => `${(r.params / 1e9).toFixed(0)}B`), textposition: 'outside' },
      { type: 'bar', name: 'active per token (mixture of experts; dense = all)', x: names, y: sized.map((r) => r.activeParams ?? r.params), text: sized.map((r) => `${((r.activeParams ?? r.params) / 1e9).toFixed(0)}B`), textposition: 'outside' },
    ],
    layout: layout('Model size: all parameters, and those active per token', '', 'parameters (log scale)', {
      yaxis: { type: 'log', title: { text: 'parameters (log scale)' } },
      xaxis: CATEGORY_X,
      barmode: 'group',
      height: 480,
      showlegend: true,
    }),
    sources: sourcesOf(sized),
  };
}

/** Input price before and after each May 2024 cut (log axis); a free model is drawn at the axis floor and labelled. */
export function priceCutsFigure(cuts: readonly PriceCut[]): SourcedFigureSpec {
  const floor = 0.01;
  const label = (c: PriceCut): string => wrapLabel(`${c.provider} ${c.model}`, 14);
  const after = cuts.map((c) => (c.after.inputUsdPerMTok === 0 ? floor : c.after.inputUsdPerMTok));
  return {
    data: [
      { type: 'bar', name: 'before the cut', x: cuts.map(label), y: cuts.map((c) => c.before.inputUsdPerMTok) },
      {
        type: 'bar',
        name: 'after the cut',
        x: cuts.map(label),
        y: after,
        text: cuts.map((c) => (c.factor === null ? 'free' : `${c.factor.toFixed(0)}x cheaper`)),
        textposition: 'outside',
      },
    ],
    layout: layout('The May 2024 Chinese price war: input prices before and after', '', 'USD per 1M input tokens (log scale)', {
      barmode: 'group',
      xaxis: CATEGORY_X,
      yaxis: { type: 'log', title: { text: 'USD per 1M input tokens (log scale)' } },
    }),
    sources: sourcesOf(cuts.flatMap((c) => [c.before, c.after])),
  };
}

/** Margin per day against the price per 1M tokens, one line per busy fraction. */
export function servingSweepFigure(input: ServingInput, usdPerMTok: readonly number[], busyFractions: readonly number[], sources: readonly string[]): SourcedFigureSpec {
  return {
    data: busyFractions.map((busy) => ({
      type: 'scatter',
      mode: 'lines',
      name: `busy ${Math.round(busy * 100)}% of the day`,
      x: [...usdPerMTok],
      y: usdPerMTok.map((p) => servingEconomics({ ...input, inputUsdPerMTok: p, outputUsdPerMTok: p, busyFraction: busy }).marginUsdPerDay),
    })),
    layout: layout(`Serving margin per day: ${input.gpus} GPUs at $${input.usdPerGpuHour}/GPU-h`, 'price, USD per 1M tokens (input and output alike)', 'margin, USD per day'),
    sources: [...sources],
  };
}

/** Margin per day against the input:output token ratio, with the break-even ratio marked (notebook 01). */
export function servingRatioFigure(input: ServingInput, ratios: readonly number[], sources: readonly string[], range?: { low: number; high: number }): SourcedFigureSpec {
  const margins = ratios.map((r) => servingEconomics({ ...input, inputPerOutputToken: r }).marginUsdPerDay);
  const breakEven = breakEvenInputRatio(input);
  const lo = Math.min(0, ...margins);
  const hi = Math.max(0, ...margins);
  const data: PlotlyTrace[] = [
    { type: 'scatter', mode: 'lines+markers', name: 'margin per day', x: [...ratios], y: margins },
    { type: 'scatter', mode: 'lines', name: `break-even at ${breakEven.toFixed(1)}:1`, x: [breakEven, breakEven], y: [lo, hi], line: { dash: 'dash', color: 'firebrick' } },
    { type: 'scatter', mode: 'lines', name: 'zero margin', x: [Math.min(...ratios), Math.max(...ratios)], y: [0, 0], line: { color: 'grey', width: 1 }, showlegend: false },
  ];
  const shapes = range === undefined ? [] : [{ type: 'rect', xref: 'x', yref: 'paper', x0: range.low, x1: range.high, y0: 0, y1: 1, fillcolor: 'rgba(100,150,250,0.12)', line: { width: 0 } }];
  return {
    data,
    layout: layout(`Serving margin against the input:output token ratio (${input.gpus} GPUs, busy ${Math.round(input.busyFraction * 100)}%)`, 'input tokens per output token', 'margin, USD per day', { shapes }),
    sources: [...sources],
  };
}

/** What a published "x per year" row of trends.csv measures. */
export type FactorKind = 'price decline' | 'range end' | 'other rate';

/**
 * Sorts published rates so a comparison sets like against like: the end of a range ("slowest",
 * "fastest", "(low)", "(high)") is not an estimate of its own, and a rate that is not a price decline
 * (algorithmic efficiency) is not a price decline.
 */
export function factorKind(row: TrendRow): FactorKind {
  if (/slowest|fastest|\((low|high)\)/i.test(row.quantity)) return 'range end';
  if (/efficiency|algorithmic/i.test(row.quantity)) return 'other rate';
  return 'price decline';
}
