import { describe, expect, it } from 'vitest';
import { barChart, heatmapChart, imageGrid, lineChart, plotlyFigure, scatterChart } from '../../src/plot/charts';
import { FigureSpecError } from '../../src/plot/figure';

describe('prices over time with a fitted trend', () => {
  it('draws prices as markers and a trend as a line on a log y axis, merging axis additions', () => {
    const fig = lineChart({
      title: 'GPT-3.5-class price',
      x: { title: 'Release date' },
      y: { title: 'Price', unit: 'USD per M tokens', log: true },
      series: [
        { name: 'price', mode: 'markers', x: ['2022-01-01', '2023-01-01', '2024-01-01'], y: [20, 2, 0.2], text: ['a', 'b', 'c'], marker: { size: 9 } },
        { name: 'trend: 10x cheaper per year', mode: 'lines', x: ['2022-01-01', '2024-01-01'], y: [20, 0.2], line: { dash: 'dash' } },
        { name: 'guide', x: ['2022-01-01', '2024-01-01'], y: [1, 1], inLegend: false },
      ],
      layout: { yaxis: { range: [-1, 2] } },
    });
    const [observed, fitted, guide] = fig.spec.data;
    expect(fig.spec.layout.yaxis).toMatchObject({ type: 'log', range: [-1, 2], title: { text: 'Price (USD per M tokens)' } });
    expect(fig.spec.layout.xaxis).toMatchObject({ title: { text: 'Release date' } });
    expect(observed).toMatchObject({ mode: 'markers', y: [20, 2, 0.2], marker: { size: 9 }, text: ['a', 'b', 'c'] });
    expect(fitted).toMatchObject({ mode: 'lines', line: { dash: 'dash' } });
    expect(guide).toMatchObject({ mode: 'lines+markers', showlegend: false });
    expect(fig.spec.layout.showlegend).toBe(true);
  });

  it('draws intervals as error bars and checks their lengths', () => {
    const fig = scatterChart({
      title: 'Forest',
      x: { title: 'Factor', log: true },
      y: { title: '' },
      series: [{ name: 'estimate', x: [10, 3], y: ['a', 'b'], errors: { axis: 'x', plus: [5, 0], minus: [2, 0] } }],
    });
    expect(fig.spec.data[0]?.error_x).toEqual({ type: 'data', symmetric: false, array: [5, 0], arrayminus: [2, 0] });
    expect(() =>
      scatterChart({ title: 't', x: { title: 'x' }, y: { title: 'y' }, series: [{ name: 's', x: [1, 2], y: [1, 2], errors: { axis: 'y', plus: [1], minus: [1, 1] } }] }),
    ).toThrow('figure spec: scatterChart.series[0] "s".errors.plus has 1 values for 2 points');
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

  it('labels, colours, hatches and adds error bars to bars, checking each against the categories', () => {
    const fig = barChart({
      title: 'Cost',
      x: { title: '' },
      y: { title: 'USD' },
      categories: ['run', 'R&D'],
      series: [{ name: 'cost', values: [1, 2], labels: ['$1', '$2'], hoverText: ['a', 'b'], color: ['blue', 'orange'], hatched: [false, true], errors: { plus: [0.5, 0], minus: [0.25, 0] } }],
      layout: { xaxis: { tickangle: 0 } },
    });
    expect(fig.spec.data[0]).toMatchObject({
      text: ['$1', '$2'],
      textposition: 'outside',
      hovertext: ['a', 'b'],
      marker: { color: ['blue', 'orange'], pattern: { shape: ['', '/'] } },
      error_y: { type: 'data', symmetric: false, array: [0.5, 0], arrayminus: [0.25, 0] },
    });
    expect(fig.spec.layout.xaxis).toMatchObject({ tickangle: 0, title: { text: '' } });
    expect(() => barChart({ title: 't', x: { title: 'x' }, y: { title: 'y' }, categories: ['a', 'b'], series: [{ name: 's', values: [1, 2], labels: ['one'] }] })).toThrow(
      'figure spec: barChart.series[0] "s".labels has 1 labels for 2 points',
    );
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
