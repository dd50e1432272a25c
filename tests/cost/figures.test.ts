import { describe, expect, it } from 'vitest';
import {
  cheapestAboveThreshold,
  declineDrivers,
  fitExponentialTrend,
  intervalInNote,
  type FrontierPoint,
  type LlmPriceRow,
  loadReferenceData,
  priceCuts,
  publishedFactors,
} from '../../src/cost';
import {
  costBreakdownFigure,
  factorComparisonFigure,
  frontierTrendFigure,
  isoDate,
  listPricesFigure,
  modelSizeFigure,
  priceCutsFigure,
  servingRatioFigure,
  sourcesText,
  wrapLabel,
} from '../../src/show/cost-figures';

const data = loadReferenceData();

describe('cost figure specs', () => {
  it('draws every priced row on a log axis and lists its sources', () => {
    const fig = listPricesFigure(data.prices);
    expect(fig.layout.yaxis?.type).toBe('log');
    const inputs = fig.data[0]?.y as number[];
    expect(inputs.every((v) => v > 0)).toBe(true);
    expect(inputs.length).toBe(data.prices.filter((r) => (r.inputUsdPerMTok ?? 0) > 0).length);
    expect(fig.sources.length).toBeGreaterThan(20);
  });

  it('draws the fit through the frontier and published rates from its first point', () => {
    // Prices 60, 6, 0.6 at 2020, 2021, 2022: ten times cheaper each year, so the fitted line runs
    // from 60 to 0.6 and a published 2x/yr from 60 to 15.
    const frontier = [60, 6, 0.6].map((usdPerMTok, i): FrontierPoint => {
      const row: LlmPriceRow = { provider: 'p', model: `m${i}`, date: `${2020 + i}-01-01`, year: 2020 + i, inputUsdPerMTok: usdPerMTok, outputUsdPerMTok: usdPerMTok, mmlu: 50, sourceUrl: `https://example.org/${i}`, note: '', line: i + 2 };
      return { row, usdPerMTok, year: 2020 + i, value: usdPerMTok };
    });
    const fig = frontierTrendFigure(frontier, fitExponentialTrend(frontier), [{ label: 'published', yearlyFactor: 2 }], 'Cheapest price');
    expect(fig.data.map((t) => t.mode)).toEqual(['markers', 'lines', 'lines']);
    expect(fig.data[1]?.name).toBe('fit: 10.0x/yr (90% CI 10.0–10.0)');
    const [fitStart, fitEnd] = fig.data[1]?.y as number[];
    expect(fitStart).toBeCloseTo(60, 9);
    expect(fitEnd).toBeCloseTo(0.6, 9);
    expect(fig.data[2]?.y).toEqual([60, 15]);
    expect(fig.data[2]?.x).toEqual(['2020-01-01', '2022-01-01']);
    // The y axis spans a decade beyond the prices on each side: 0.06 to 600.
    expect(fig.layout.yaxis).toMatchObject({ type: 'log', title: { text: 'USD per 1M tokens (log scale)' } });
    const [low, high] = fig.layout.yaxis?.range as [number, number];
    expect(low).toBeCloseTo(Math.log10(0.06), 12);
    expect(high).toBeCloseTo(Math.log10(600), 12);
    expect(fig.layout.title).toMatchObject({ text: 'Cheapest price' });
    expect(fig.sources).toEqual(['https://example.org/0', 'https://example.org/1', 'https://example.org/2']);
    expect(() => frontierTrendFigure([], fitExponentialTrend(frontier), [], 't')).toThrow('frontier = "no points": a trend chart needs at least one price');
  });

  it('draws the real frontier with its sources', () => {
    const frontier = cheapestAboveThreshold(data.prices, { minMmlu: 42, blend: 'mean', fromYear: 2021.8 });
    const fig = frontierTrendFigure(frontier, fitExponentialTrend(frontier), [], 't');
    expect(fig.data[0]?.y).toEqual(frontier.map((p) => p.usdPerMTok));
    expect(fig.sources.length).toBeGreaterThan(0);
  });

  it('reads published intervals from notes and leaves out rising rates', () => {
    expect(intervalInNote('90% CI 6.2-117,290; n=4')).toEqual({ level: 0.9, low: 6.2, high: 117290 });
    expect(intervalInNote('95% CI ~5-14 months')).toEqual({ level: 0.95, low: 5, high: 14 });
    expect(intervalInNote('no interval')).toBeNull();
    const published = publishedFactors(data.trends);
    expect(published.some((p) => p.label.includes('rising'))).toBe(false);
    const gpt3 = published.find((p) => p.label === 'Epoch: MMLU at GPT-3 level (>=43.9)');
    expect([gpt3?.low, gpt3?.yearlyFactor, gpt3?.high]).toEqual([8.29, 11.77, 16.72]);
    const fig = factorComparisonFigure(published, 't');
    expect((fig.data[0]?.y as string[]).length).toBe(published.length);
  });

  it('keeps one huge interval from flattening the comparison axis, and says where it ends', () => {
    const prices = publishedFactors(data.trends, ['price decline']);
    const fig = factorComparisonFigure(prices, 't');
    const largest = Math.max(...prices.map((p) => p.yearlyFactor));
    const range = (fig.layout as { xaxis: { range: [number, number] } }).xaxis.range;
    expect(10 ** range[1]).toBeLessThanOrEqual(10 * largest * 1.5 + 1e-6);
    expect((fig.data[0]?.y as string[]).some((label) => label.includes('CI to 117,290, off axis'))).toBe(true);
  });

  it('draws one bar pair per model, total and active parameters', () => {
    const fig = modelSizeFigure(data.trainingRuns);
    const names = fig.data[0]?.x as string[];
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => n.startsWith('GPT-3'))).toHaveLength(1);
    const active = fig.data[1]?.y as number[];
    expect(active[names.findIndex((n) => n.startsWith('DeepSeek-V3'))]).toBe(37e9);
  });

  it('derives driver rates from doubling and halving times with their intervals', () => {
    // Doubling every 2.46 years (95% CI 2.24-2.72) and halving every 8 months (CI 5-14): 2^(1/2.46),
    // 2^(1/2.72), 2^(12/8), 2^(12/5) and their product, computed with Python.
    const [gpu, algorithms, both] = declineDrivers(data, 'mean');
    expect(gpu?.yearlyFactor).toBeCloseTo(1.3254700438027558, 12);
    expect(gpu?.low).toBeCloseTo(1.290246805626211, 12);
    expect(algorithms?.yearlyFactor).toBeCloseTo(2.8284271247461903, 12);
    expect(algorithms?.high).toBeCloseTo(5.278031643091577, 12);
    expect(both?.yearlyFactor).toBeCloseTo(3.7489954249302353, 12);
  });

  it('marks assumptions apart from computed costs, and free models in the price-war chart', () => {
    const fig = costBreakdownFigure(
      [
        { label: 'run', usd: 1, basis: 'computed', note: '' },
        { label: 'R&D', usd: 2, basis: 'assumption', note: '' },
      ],
      't',
    );
    const marker = fig.data[0]?.marker as { color: string[]; pattern: { shape: string[] } };
    expect(marker.color[0]).not.toBe(marker.color[1]);
    expect(marker.pattern.shape).toEqual(['', '/']);
    expect(fig.data[0]?.text).toEqual(['$0.00M', '$0.00M']);
    const cuts = priceCutsFigure(priceCuts(data.prices));
    expect((cuts.data[1]?.text as string[]).filter((t) => t === 'free')).toHaveLength(3);
  });

  it('marks the break-even ratio and draws the zero line without a legend entry', () => {
    const input = { gpus: 8, usdPerGpuHour: 2, busyFraction: 0.5, inputUsdPerMTok: 1, outputUsdPerMTok: 4, inputPerOutputToken: 3, outputTokensPerSecond: 1000 };
    const fig = servingRatioFigure(input, [1, 2, 3], ['https://s'], { low: 1, high: 2 });
    expect(fig.data.map((t) => t.name?.split(' at ')[0])).toEqual(['margin per day', 'break-even', 'zero margin']);
    expect(fig.data[2]?.showlegend).toBe(false);
    expect(fig.layout.showlegend).toBe(true);
    expect((fig.layout.shapes as Array<{ x0: number; x1: number }>)[0]).toMatchObject({ x0: 1, x1: 2 });
    expect(fig.sources).toEqual(['https://s']);
  });

  it('formats dates, labels and source lines', () => {
    expect(isoDate(2024)).toBe('2024-01-01');
    expect(wrapLabel('maintenance per year (assumption)', 18)).toBe('maintenance per<br>year (assumption)');
    expect(sourcesText([])).toBe('');
    expect(sourcesText(['https://a', 'https://b'])).toBe('Sources: [1] https://a  [2] https://b');
  });
});
