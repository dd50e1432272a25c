import { describe, expect, it } from 'vitest';
import {
  cheapestAboveThreshold,
  costBreakdownFigure,
  declineDrivers,
  factorComparisonFigure,
  fitExponentialTrend,
  frontierTrendFigure,
  intervalInNote,
  isoDate,
  listPricesFigure,
  loadReferenceData,
  modelSizeFigure,
  priceCuts,
  priceCutsFigure,
  publishedFactors,
  sourcesText,
  trendValueAt,
  wrapLabel,
} from '../../src/cost';

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
    const frontier = cheapestAboveThreshold(data.prices, { minMmlu: 42, blend: 'mean', fromYear: 2021.8 });
    const fit = fitExponentialTrend(frontier);
    const fig = frontierTrendFigure(frontier, fit, [{ label: 'a16z', yearlyFactor: 10 }], 't');
    expect(fig.data).toHaveLength(3);
    const fitted = fig.data[1]?.y as number[];
    expect(fitted[0]).toBeCloseTo(trendValueAt(fit, frontier[0]?.year ?? 0), 9);
    const a16z = fig.data[2]?.y as number[];
    const years = (frontier.at(-1)?.year ?? 0) - (frontier[0]?.year ?? 0);
    expect((a16z[0] as number) / (a16z[1] as number)).toBeCloseTo(10 ** years, 6);
    expect(fig.sources).toContain('https://a16z.com/llmflation-llm-inference-cost');
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
    const [gpu, algorithms, both] = declineDrivers(data, 'mean');
    expect(gpu?.yearlyFactor).toBeCloseTo(2 ** (1 / 2.46), 12);
    expect(gpu?.low).toBeCloseTo(2 ** (1 / 2.72), 12);
    expect(algorithms?.yearlyFactor).toBeCloseTo(2 ** 1.5, 12);
    expect(algorithms?.high).toBeCloseTo(2 ** (12 / 5), 12);
    expect(both?.yearlyFactor).toBeCloseTo((gpu?.yearlyFactor ?? 0) * (algorithms?.yearlyFactor ?? 0), 12);
  });

  it('marks assumptions apart from computed costs, and free models in the price-war chart', () => {
    const fig = costBreakdownFigure(
      [
        { label: 'run', usd: 1, basis: 'computed', note: '' },
        { label: 'R&D', usd: 2, basis: 'assumption', note: '' },
      ],
      't',
    );
    const marker = fig.data[0]?.marker as { color: string[] };
    expect(marker.color[0]).not.toBe(marker.color[1]);
    const cuts = priceCutsFigure(priceCuts(data.prices));
    expect((cuts.data[1]?.text as string[]).filter((t) => t === 'free')).toHaveLength(3);
  });

  it('formats dates, labels and source lines', () => {
    expect(isoDate(2024)).toBe('2024-01-01');
    expect(wrapLabel('maintenance per year (assumption)', 18)).toBe('maintenance per<br>year (assumption)');
    expect(sourcesText([])).toBe('');
    expect(sourcesText(['https://a', 'https://b'])).toBe('Sources: [1] https://a  [2] https://b');
  });
});
