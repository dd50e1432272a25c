/**
 * The cost notebooks' calculators (src/show/calculators.ts): their charts computed from the cost
 * models for the settings given, and, through the widget protocol with a recorded IOPub, a slider
 * moved by the front end redrawing the chart for the new value.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createComms, type KernelComms } from '../../kernel/comms';
import type { Message } from '../../kernel/messages';
import { loadReferenceData } from '../../src/cost';
import { gpuPeakFlopsPerSecond } from '../../src/cost/compute';
import { CostInputError } from '../../src/cost/errors';
import { gpusToTrain } from '../../src/cost/gpu-count';
import { breakEvenInputRatio, jiaServingScenario, servingEconomics } from '../../src/cost/serving';
import { figureTitle } from '../../src/plot/figure';
import {
  breakEvenCalculator, breakEvenCalculatorFigure, datasheetGpus, gpuCounter, gpuCounterFigure, servingCalculator, servingCalculatorFigure,
} from '../../src/show/calculators';
import { liveWidgets, type WidgetModel } from '../../src/widgets/model';

const data = loadReferenceData();
const jia = jiaServingScenario(data.prices, data.hardware);
const H100 = 'NVIDIA H100 SXM5';

type Trace = { name?: string; x: number[]; y: number[]; fill?: string };
const traces = (spec: { data: unknown[] }) => spec.data as Trace[];
const title = (spec: Parameters<typeof figureTitle>[0]) => figureTitle(spec);

describe('02: the serving calculator chart', () => {
  it('draws revenue, rent and margin per day as the serving model computes them for the settings', () => {
    const settings = { usdPerMTok: 1.5, inputPerOutputToken: 4, busyFraction: 0.75, usdPerGpuHour: 2.25 };
    const spec = servingCalculatorFigure(jia.input, settings);
    const day = servingEconomics({ ...jia.input, inputUsdPerMTok: 1.5, outputUsdPerMTok: 1.5, inputPerOutputToken: 4, busyFraction: 0.75, usdPerGpuHour: 2.25 });
    expect(traces(spec)[0]!.y).toEqual([day.revenueUsdPerDay, day.gpuRentUsdPerDay, day.marginUsdPerDay]);
    expect(day.gpuRentUsdPerDay).toBeCloseTo(8 * 2.25 * 24, 9);
    // The title states the result and the settings it was computed for, in plain text.
    expect(title(spec)).toBe(
      `Margin −${(-day.marginUsdPerDay).toFixed(2)} USD a day; break-even at ${day.breakEvenUsdPerMTok.toFixed(2)} USD per 1M tokens — 1.50 USD per 1M tokens, 4:1 input to output, busy 75% of the day, 2.25 USD per GPU-hour`,
    );
  });

  it("reproduces Jia's day at his figures: $798.34 of revenue against $670.08 of rent", () => {
    const spec = servingCalculatorFigure(jia.input, { usdPerMTok: 2.8, inputPerOutputToken: 10, busyFraction: 1, usdPerGpuHour: jia.input.usdPerGpuHour });
    const [revenue, rent, margin] = traces(spec)[0]!.y;
    expect(revenue).toBeCloseTo(798.336, 3);
    expect(rent).toBeCloseTo(670.08, 2);
    expect(margin).toBeCloseTo(798.336 - 670.08, 3);
  });
});

describe('the calculator charts in JupyterLab', () => {
  it('write no dollar sign in a title or legend: plotly takes text between two as TeX, which JupyterLab cannot draw there', () => {
    const specs = [
      servingCalculatorFigure(jia.input, { usdPerMTok: 2.8, inputPerOutputToken: 10, busyFraction: 1, usdPerGpuHour: 3 }),
      breakEvenCalculatorFigure(jia.input, { usdPerMTok: 2.8, outputTokensPerSecond: 300, busyFraction: 1, usdPerGpuHour: 3 }),
      gpuCounterFigure(data.hardware, { params: 405e9, tokens: 15.6e12, days: 90, mfu: 0.4, gpu: H100 }, { low: 1000, high: 10000, label: 'band' }),
    ];
    for (const spec of specs) {
      const texts = [JSON.stringify(spec.layout.title), ...traces(spec).map((t) => t.name ?? '')];
      expect(texts.filter((t) => t.includes('$'))).toEqual([]);
    }
  });
});

describe('01: the break-even calculator chart', () => {
  it('marks the break-even ratio the serving model gives, and states it in the title', () => {
    const settings = { usdPerMTok: 2.8, outputTokensPerSecond: 300, busyFraction: 1, usdPerGpuHour: jia.input.usdPerGpuHour };
    const spec = breakEvenCalculatorFigure(jia.input, settings, [], { low: 3, high: 10 });
    const ratio = breakEvenInputRatio(jia.input);
    expect(ratio).toBeCloseTo(8.23, 2);
    const line = traces(spec).find((t) => t.name?.startsWith('break-even'))!;
    expect(line.x).toEqual([ratio, ratio]);
    expect(title(spec)).toMatch(/^Breaks even at 8\.23 input tokens per output token — 2\.80 USD per 1M tokens, 300 output tokens\/s, busy 100% of the day/);
    // The margin curve crosses zero at that ratio.
    const margins = traces(spec).find((t) => t.name === 'margin per day')!;
    const below = margins.x.filter((r, i) => r < ratio && margins.y[i]! < 0).length;
    const above = margins.x.filter((r, i) => r > ratio && margins.y[i]! > 0).length;
    expect(below + above).toBe(margins.x.length);
  });

  it('moves the break-even ratio up when the rent doubles and down when the throughput doubles', () => {
    const base = { usdPerMTok: 2.8, outputTokensPerSecond: 300, busyFraction: 1, usdPerGpuHour: 3 };
    const breakEven = (s: typeof base) => traces(breakEvenCalculatorFigure(jia.input, s)).find((t) => t.name?.startsWith('break-even'))!.x[0]!;
    expect(breakEven({ ...base, usdPerGpuHour: 6 })).toBeGreaterThan(breakEven(base));
    expect(breakEven({ ...base, outputTokensPerSecond: 600 })).toBeLessThan(breakEven(base));
  });
});

describe('09: the GPU counter chart', () => {
  const start = { params: 405e9, tokens: 15.6e12, days: 90, mfu: 0.4, gpu: H100 };

  it('marks the GPUs 6ND gives for the deadline chosen, among the usual deadlines, and states them in the title', () => {
    const spec = gpuCounterFigure(data.hardware, { ...start, days: 45 }, { low: 1000, high: 10000, label: "the article's range" });
    const expected = gpusToTrain({ params: 405e9, tokens: 15.6e12, days: 45, peakFlopsPerSecond: gpuPeakFlopsPerSecond(data.hardware, H100), mfu: 0.4 }).gpus;
    const [curve, chosen, band] = traces(spec);
    expect(curve!.x).toContain(45);
    expect(curve!.y[curve!.x.indexOf(45)]).toBe(expected);
    expect(chosen!.y).toEqual([expected]);
    // GPUs needed fall as the deadline grows.
    expect(curve!.y).toEqual([...curve!.y].sort((a, b) => b - a));
    expect(title(spec)).toBe(`${expected.toLocaleString('en-US')} GPUs train it in 45 days — 405B parameters on 15.6T tokens, ${H100} at MFU 0.40`);
    expect(band).toMatchObject({ fill: 'toself', name: "the article's range: 1,000 to 10,000 GPUs" });
    expect(Math.min(...band!.y)).toBe(1000);
    expect(Math.max(...band!.y)).toBe(10000);
  });

  it('needs fewer GPUs on a faster chip and at a higher utilisation', () => {
    const gpusOf = (s: typeof start) => traces(gpuCounterFigure(data.hardware, s))[1]!.y[0]!;
    expect(gpusOf({ ...start, gpu: 'NVIDIA A100 SXM4' })).toBeGreaterThan(gpusOf(start));
    expect(gpusOf({ ...start, mfu: 0.5 })).toBeLessThan(gpusOf(start));
  });

  it('offers the datasheet rows of hardware.csv, not rental offers', () => {
    const gpus = datasheetGpus(data.hardware);
    expect(gpus).toEqual(expect.arrayContaining([H100, 'NVIDIA A100 SXM4']));
    expect(gpus.filter((g) => g.includes('('))).toEqual([]);
  });
});

describe('the calculators as widgets', () => {
  let comms: KernelComms;
  let uninstall: () => void;
  let parent: Message | undefined;
  let browser: string | undefined;

  const message = (msgType: string, content: Record<string, unknown>): Message => ({
    identities: [],
    header: { msg_id: `${msgType}-${Math.random().toString(16).slice(2)}`, session: 's', username: 'u', date: '', msg_type: msgType, version: '5.3' },
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  });
  const fromFrontEnd = async (model: WidgetModel, state: Record<string, unknown>) => {
    await comms.handlers.get('comm_msg')!(message('comm_msg', { comm_id: model.id, data: { method: 'update', state, buffer_paths: [] } }));
  };
  const slider = (description: string) => liveWidgets().find((w) => w.get('description') === description)!;
  const areaTitle = () => {
    const area = liveWidgets().find((w) => w.modelName === 'OutputModel')!;
    const outputs = area.get('outputs') as Array<{ data: Record<string, unknown> }>;
    return String(outputs.at(-1)?.data['text/plain']);
  };

  beforeAll(() => {
    // No static image is drawn for the first chart here: this is about the widgets, not the browser.
    browser = process.env.PLOTLY_BROWSER;
    process.env.PLOTLY_BROWSER = '/nonexistent/chromium';
  });
  afterAll(() => {
    if (browser === undefined) delete process.env.PLOTLY_BROWSER;
    else process.env.PLOTLY_BROWSER = browser;
  });
  beforeEach(() => {
    parent = message('execute_request', {});
    comms = createComms({ publish: () => undefined, parent: () => parent, setParent: (m) => (parent = m), log: () => undefined });
    uninstall = comms.install();
  });
  afterEach(() => {
    for (const w of liveWidgets()) w.close();
    uninstall();
  });

  it('02 starts at the values given and redraws for the price the page sets', async () => {
    const shown = await servingCalculator({ ...jia.input, busyFraction: 0.5 }, jia.sources);
    expect(shown.values()).toEqual({ usdPerMTok: 2.8, inputPerOutputToken: 10, busyFraction: 0.5, usdPerGpuHour: jia.input.usdPerGpuHour });
    await fromFrontEnd(slider('USD per 1M tokens'), { value: 5 });
    await shown.settled();
    const expected = servingEconomics({ ...jia.input, inputUsdPerMTok: 5, outputUsdPerMTok: 5, busyFraction: 0.5 });
    expect(areaTitle()).toContain(`Figure: Margin ${expected.marginUsdPerDay.toFixed(2)} USD a day; break-even at ${expected.breakEvenUsdPerMTok.toFixed(2)} USD per 1M tokens — 5.00 USD per 1M tokens`);
  });

  it('01 redraws the break-even ratio for the busy fraction the page sets', async () => {
    const shown = await breakEvenCalculator(jia.input, jia.sources, { low: 3, high: 10 });
    await fromFrontEnd(slider('busy fraction'), { value: 0.5 });
    await shown.settled();
    const ratio = breakEvenInputRatio({ ...jia.input, busyFraction: 0.5 });
    expect(areaTitle()).toContain(`Figure: Breaks even at ${Number(ratio.toPrecision(3))} input tokens per output token`);
  });

  it('09 redraws the GPU count for the chip the page picks', async () => {
    const shown = await gpuCounter(data.hardware, { params: 405e9, tokens: 15.6e12, days: 90, mfu: 0.4, gpu: H100 });
    const menu = liveWidgets().find((w) => w.modelName === 'DropdownModel')!;
    const labels = menu.get('_options_labels') as string[];
    await fromFrontEnd(menu, { index: labels.indexOf('NVIDIA A100 SXM4') });
    await shown.settled();
    const expected = gpusToTrain({ params: 405e9, tokens: 15.6e12, days: 90, peakFlopsPerSecond: gpuPeakFlopsPerSecond(data.hardware, 'NVIDIA A100 SXM4'), mfu: 0.4 }).gpus;
    expect(areaTitle()).toContain(`Figure: ${expected.toLocaleString('en-US')} GPUs train it in 90 days`);
  });

  it("put each starting value on its slider's grid of steps, which a front end snaps to when it draws the slider", async () => {
    // Settings off the usual grids (front ends snap to min + k·step and send the snapped value back).
    await servingCalculator({ ...jia.input, inputUsdPerMTok: 2.83, outputUsdPerMTok: 2.83, busyFraction: 0.37, inputPerOutputToken: 7.3 }, []);
    await breakEvenCalculator({ ...jia.input, outputTokensPerSecond: 333 }, []);
    await gpuCounter(data.hardware, { params: 405e9, tokens: 15.6e12, days: 90, mfu: 0.425, gpu: H100 });
    const sliders = liveWidgets().filter((w) => /SliderModel$/.test(w.modelName));
    expect(sliders.length).toBe(12);
    for (const slider of sliders) {
      const value = Number(slider.get('value'));
      const position = slider.modelName === 'FloatLogSliderModel' ? Math.log10(value) : value;
      const steps = (position - Number(slider.get('min'))) / Number(slider.get('step'));
      expect(Math.abs(steps - Math.round(steps)), `${String(slider.get('description'))}: ${value}`).toBeLessThan(1e-6);
      expect(position).toBeLessThanOrEqual(Number(slider.get('max')));
    }
  });

  it('refuse starting values they cannot show, naming what is wrong', async () => {
    await expect(servingCalculator({ ...jia.input, outputUsdPerMTok: 3 }, [])).rejects.toThrow(CostInputError);
    await expect(servingCalculator({ ...jia.input, outputUsdPerMTok: 3 }, [])).rejects.toThrow(/input and output tokens alike/);
    await expect(gpuCounter(data.hardware, { params: 405e9, tokens: 15.6e12, days: 90, mfu: 0.4, gpu: 'NVIDIA H100 (market rental)' })).rejects.toThrow(/gpuCounter gpu = .*NVIDIA H100 \(market rental\).*not a datasheet row/);
    expect(liveWidgets()).toEqual([]);
  });
});
