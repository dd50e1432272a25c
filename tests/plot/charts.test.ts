import { describe, expect, it } from 'vitest';
import { barChart, fitLogTrend, heatmapChart, imageGrid, lineChart, plotlyFigure, priceTrendChart } from '../../src/plot/charts';
import { FigureSpecError, logTicks } from '../../src/plot/figure';

const YEAR = 365.25 * 24 * 3600 * 1000;

describe('price trend', () => {
  it('fits an exponential decline exactly when prices fall tenfold a year', () => {
    const points = [0, 1, 2, 3].map((i) => ({ time: Date.UTC(2021, 0, 1) + i * YEAR, price: 60 / 10 ** i }));
    const trend = fitLogTrend(points);
    expect(trend.factorPerYear).toBeCloseTo(0.1, 10);
  });

  it('draws observations and the fitted line on a log y axis with a date x axis', () => {
    const fig = priceTrendChart({
      title: 'GPT-3.5-class price',
      y: { title: 'Price', unit: 'USD per M tokens' },
      points: [
        { date: '2022-01-01', price: 20, label: 'a' },
        { date: '2023-01-01', price: 2, label: 'b' },
        { date: '2024-01-01', price: 0.2, label: 'c' },
      ],
    });
    const [observed, fitted] = fig.spec.data;
    expect(fig.spec.layout.yaxis).toMatchObject({ type: 'log', title: { text: 'Price (USD per M tokens)' } });
    expect(fig.spec.layout.xaxis).toMatchObject({ type: 'date', title: { text: 'Release date' } });
    expect(observed?.y).toEqual([20, 2, 0.2]);
    expect(fitted?.name).toBe('Fitted trend: ÷10.0 per year');
    expect((fitted?.y as number[])[0]).toBeCloseTo(20, 1);
    expect(fig.spec.layout.showlegend).toBe(true);
  });

  it('rejects prices a log axis cannot show and dates that are not dates', () => {
    const y = { title: 'Price' };
    expect(() => priceTrendChart({ title: 't', y, points: [{ date: '2022-01-01', price: 0 }, { date: '2023-01-01', price: 1 }] })).toThrow(
      'figure spec: priceTrendChart.points[0].price is 0: a log axis needs prices > 0',
    );
    expect(() => priceTrendChart({ title: 't', y, points: [{ date: 'soon', price: 1 }, { date: '2023-01-01', price: 1 }] })).toThrow(
      FigureSpecError,
    );
    expect(() => priceTrendChart({ title: 't', y, points: [{ date: '2023-01-01', price: 1 }] })).toThrow('a trend needs at least 2');
  });
});

describe('chart helpers', () => {
  it('names the series whose lengths disagree', () => {
    expect(() =>
      lineChart({ title: 't', x: { title: 'x' }, y: { title: 'y' }, series: [{ name: 'train loss', x: [1, 2], y: [1] }] }),
    ).toThrow('figure spec: lineChart.series[0] "train loss" has 2 x values but 1 y values');
  });

  it('groups bars when there are several series, and checks them against the categories', () => {
    const fig = barChart({
      title: 'Price by model',
      x: { title: 'Model' },
      y: { title: 'Price', unit: 'USD per M tokens' },
      categories: ['a', 'b'],
      series: [
        { name: 'input', values: [1, 2] },
        { name: 'output', values: [3, 4] },
      ],
    });
    expect(fig.spec.layout).toMatchObject({ barmode: 'group', showlegend: true });
    expect(fig.spec.data.map((t) => t.type)).toEqual(['bar', 'bar']);
    expect(() =>
      barChart({ title: 't', x: { title: 'x' }, y: { title: 'y' }, categories: ['a'], series: [{ name: 's', values: [1, 2] }] }),
    ).toThrow('has 2 values for 1 categories');
  });

  it('labels both heatmap axes and keeps rows in the given order', () => {
    const fig = heatmapChart({
      title: 'Confusion matrix',
      x: { title: 'Predicted digit' },
      y: { title: 'True digit' },
      xLabels: ['0', '1'],
      yLabels: ['0', '1'],
      z: [
        [9, 1],
        [2, 8],
      ],
      valueTitle: 'count',
    });
    expect(fig.spec.layout.xaxis).toMatchObject({ title: { text: 'Predicted digit' }, type: 'category' });
    expect(fig.spec.layout.yaxis).toMatchObject({ title: { text: 'True digit' }, autorange: 'reversed' });
    expect(fig.spec.data[0]).toMatchObject({ type: 'heatmap', x: ['0', '1'], y: ['0', '1'], texttemplate: '%{z:.3~g}' });
    expect(() => heatmapChart({ title: 't', x: { title: 'x' }, y: { title: 'y' }, xLabels: ['a'], yLabels: ['a'], z: [[1, 2]] })).toThrow(
      'heatmapChart.z[0] has 2 values for 1 xLabels',
    );
  });

  it('tiles digits into one heatmap and marks wrong predictions in red', () => {
    const digit = (value: number) => new Array<number>(4).fill(value);
    const fig = imageGrid({ title: 'Digits', images: [digit(1), digit(0.5), digit(0)], width: 2, height: 2, trueLabels: [1, 2, 3], predictedLabels: [1, 7, 3], columns: 2 });
    const z = fig.spec.data[0]?.z as Array<Array<number | null>>;
    expect(fig.spec.data).toHaveLength(1);
    expect(z.flat().filter((v) => v !== null)).toHaveLength(12);
    const annotations = fig.spec.layout.annotations as Array<{ text: string; font: { color: string } }>;
    expect(annotations.map((a) => a.text)).toEqual(['true 1 · pred 1', 'true 2 · pred 7', 'true 3 · pred 3']);
    expect(annotations.map((a) => a.font.color)).toEqual(['#333', '#D55E00', '#333']);
    expect(() => imageGrid({ title: 't', images: [[1, 2, 3]] })).toThrow('imageGrid.images[0] has 3 pixels, expected 28×28 = 784');
  });

  it('the escape hatch checks what it is given and keeps the caller’s layout over the defaults', () => {
    expect(() => plotlyFigure({ data: 'nope' })).toThrow('figure spec: data must be an array of traces');
    expect(() => plotlyFigure(null)).toThrow(FigureSpecError);
    const fig = plotlyFigure({ data: [{ type: 'scatter', y: [1] }], layout: { width: 300, title: 'Mine' } });
    expect(fig.spec.layout).toMatchObject({ width: 300, height: 420, title: { text: 'Mine' }, showlegend: false });
    expect(fig.title).toBe('Mine');
  });
});

describe('log axis labels', () => {
  it('labels 1, 2, 5 × each power of ten across the data, written in full', () => {
    expect(logTicks(0.9, 60)).toEqual({ tickvals: [1, 2, 5, 10, 20, 50], ticktext: ['1', '2', '5', '10', '20', '50'] });
    expect(logTicks(0.15, 0.3).tickvals).toEqual([0.1, 0.2]);
  });
});
