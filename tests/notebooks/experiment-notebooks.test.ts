/**
 * Notebooks 05, 06, 08 and 09 executed with their smoke parameters through the runner (a real
 * Jupyter Server and the project kernel), then checked on the JSON summary each ends with, on
 * their charts and on their cell outputs. 05 runs first: the others reuse the model it saves.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDir, projectRoot } from '../../src/paths';
import { expectLockedFactsHeld } from './facts-held';
import { recordHeadlessSeconds } from './headless-timings';
import { runNotebooks, sourceText, type CodeCell, type Notebook, type RunReport } from '../../src/runner';
import { SUMMARY_MIME } from '../../src/show';
import { networkGuard } from '../network-guard';
import { launchChromium } from '../plot/browser';
import { expectCalculatorSavedHeadless, expectPageOffline } from '../widgets/calculator-cells';

const FIRST = ['05-project-practice'] as const;
const THEN = ['06-applications', '08-trends', '09-faq'] as const;
const NAMES = [...FIRST, ...THEN];
type Name = (typeof NAMES)[number];
/** Charts each notebook draws. */
const CHARTS: Record<Name, number> = { '05-project-practice': 6, '06-applications': 2, '08-trends': 2, '09-faq': 5 };
const PLOTLY = 'application/vnd.plotly.v1+json';
/** Ten classes: guessing scores about 0.1. */
const CHANCE = 0.1;

const out = mkdtempSync(join(tmpdir(), 'experiment-notebooks-'));
/** Records whether the kernels reach any other machine. */
const network = networkGuard(join(out, 'network.log'));
const reports: RunReport[] = [];
const executed = {} as Record<Name, Notebook>;

const notebookPath = (name: string) => join(projectRoot(), 'notebooks', `${name}.ipynb`);

function codeCells(nb: Notebook): CodeCell[] {
  return nb.cells.filter((c): c is CodeCell => c.cell_type === 'code');
}

function bundles(nb: Notebook): Array<Record<string, unknown>> {
  return codeCells(nb)
    .flatMap((c) => c.outputs)
    .flatMap((o) => (o.output_type === 'display_data' || o.output_type === 'execute_result' ? [o.data] : []));
}

/** The JSON summary the notebook ends with. */
function summaryOf(name: Name): Record<string, unknown> {
  const found = bundles(executed[name]).filter((b) => SUMMARY_MIME in b);
  expect(found, `${name} shows one JSON summary`).toHaveLength(1);
  return found[0]![SUMMARY_MIME] as Record<string, unknown>;
}

function num(values: Record<string, unknown>, key: string): number {
  const value = values[key];
  expect(typeof value, `${key} is a number`).toBe('number');
  return value as number;
}

beforeAll(async () => {
  reports.push(await network.during(() => runNotebooks({ notebooks: FIRST.map(notebookPath), profile: 'smoke', outputDir: join(out, 'first'), html: true, jobs: 1 })));
  // 05 alone, as Run All in JupyterLab runs it: the UI test's budget (tests/lab/lab-ui.test.ts).
  recordHeadlessSeconds(reports[0]!.notebooks);
  reports.push(await network.during(() => runNotebooks({ notebooks: THEN.map(notebookPath), profile: 'smoke', outputDir: join(out, 'then'), html: true, jobs: 2 })));
  for (const name of NAMES) {
    const dir = (FIRST as readonly string[]).includes(name) ? 'first' : 'then';
    executed[name] = JSON.parse(readFileSync(join(out, dir, 'notebooks', `${name}.ipynb`), 'utf8')) as Notebook;
  }
}, 900_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('experiment notebooks 05, 06, 08, 09 (smoke parameters)', () => {
  it('run with no cell erroring', () => {
    const statuses = reports.flatMap((r) => r.notebooks.map((n) => [n.name, n.status, n.allowedErrors]));
    expect(statuses).toEqual(NAMES.map((n) => [n, 'passed', 0]));
    for (const name of NAMES) {
      const outputs = codeCells(executed[name]).flatMap((c) => c.outputs);
      expect(outputs.filter((o) => o.output_type === 'error'), name).toEqual([]);
      expect(outputs.filter((o) => o.output_type === 'stream' && o.name === 'stderr'), name).toEqual([]);
    }
  });

  it('hold every figure their facts lock fixes for the smoke profile within its tolerance', () => {
    expectLockedFactsHeld(reports.flatMap((r) => r.notebooks), '05-project-practice');
  });

  it('draw every chart as one bundle with plotly JSON, HTML and a title', () => {
    for (const name of NAMES) {
      const charts = bundles(executed[name]).filter((b) => PLOTLY in b);
      expect(charts, name).toHaveLength(CHARTS[name]);
      for (const chart of charts) {
        expect((chart[PLOTLY] as { data: unknown[] }).data.length, name).toBeGreaterThan(0);
        expect(chart['text/html'], name).toEqual(expect.stringContaining('Plotly'));
        expect(String(chart['text/plain']), name).toMatch(/^Figure: \S/);
      }
    }
  });

  it('09 shows its GPU counter as text above the chart for the parameters; its kernel opens no connection to another machine and its page fetches nothing', async () => {
    expectCalculatorSavedHeadless(executed['09-faq'], '09-faq');
    expect(network.started().filter((command) => command.includes('kernel')).length).toBeGreaterThanOrEqual(1);
    expect(network.connections()).toEqual([]);
    const browser = await launchChromium();
    try {
      await expectPageOffline(browser, join(out, 'then', 'html', '09-faq.html'), join(buildDir(), 'screenshots', 'calculator-09-faq.png'));
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('05 trains the article CNN above the smoke threshold, shows progress in one line, and prices the run', () => {
    const s = summaryOf('05-project-practice');
    expect(num(s, 'params')).toBe(347_146);
    expect(num(s, 'testAccuracy')).toBeGreaterThan(0.7);
    expect(num(s, 'articleTestAccuracy')).toBe(0.94);
    // Every accuracy comes with its 95% interval, about ±4 points on the smoke profile's 300 test images.
    expect(num(s, 'testCount')).toBe(300);
    expect(num(s, 'testAccuracyLow')).toBeLessThan(num(s, 'testAccuracy'));
    expect(num(s, 'testAccuracyHigh')).toBeGreaterThan(num(s, 'testAccuracy'));
    expect(num(s, 'testAccuracyHigh') - num(s, 'testAccuracyLow')).toBeGreaterThan(0.04);
    expect(num(s, 'testAccuracyHigh') - num(s, 'testAccuracyLow')).toBeLessThan(0.12);
    // The text: the forward pass costs more than 2 FLOPs per parameter, 1.56x for this network (not "far more").
    expect(num(s, 'forwardFlopsOverTwiceParams')).toBeCloseTo(1.56, 2);
    expect(num(s, 'costUsdThisCpu')).toBeLessThan(0.1);
    expect(num(s, 'costUsdCloudGpu')).toBeLessThan(0.1);
    // Training speed is a measurement: the median of the epochs after the first, within their range.
    expect(num(s, 'trainSamplesPerSecondLow')).toBeLessThanOrEqual(num(s, 'trainSamplesPerSecond'));
    expect(num(s, 'trainSamplesPerSecondHigh')).toBeGreaterThanOrEqual(num(s, 'trainSamplesPerSecond'));
    // The claims about the default and full runs are not checked on the smoke profile, and say so.
    expect(s.claimsHeld).toBe('');
    expect(String(s.claimsNotChecked).split(' ')).toContain('article-accuracy-below-every-seed');
    // The seed study ran on the smoke profile's data: two seeds, each also with augmentation.
    expect([s.studyProfile, num(s, 'seedCount')]).toEqual(['smoke', 2]);
    expect(num(s, 'seedAccuracyLow')).toBeLessThanOrEqual(num(s, 'seedAccuracyMean'));
    expect(num(s, 'augmentedAccuracyHigh')).toBeGreaterThanOrEqual(num(s, 'augmentedAccuracyMean'));
    expect(num(s, 'trainSamplesPerSecond')).toBeGreaterThan(0);
    expect(num(s, 'costUsdThisCpu')).toBeGreaterThan(0);
    expect(num(s, 'costUsdCloudGpu')).toBeGreaterThan(0);
    const cells = codeCells(executed['05-project-practice']);
    const training = cells.find((c) => sourceText(c.source).includes('progressDisplay()'));
    const progress = training?.outputs.filter((o) => o.output_type === 'display_data') ?? [];
    expect(progress).toHaveLength(1);
    expect(String(progress[0]?.output_type === 'display_data' && progress[0].data['text/plain'])).toMatch(/100%\s+epoch 6\/6 .*val_acc/);
    const stdout = cells.flatMap((c) => c.outputs).map((o) => (o.output_type === 'stream' ? o.text : '')).join('');
    expect(stdout).toMatch(/integer labels refused: .*shape/);
    // The digits are the mnist package's sample, whose class counts are not MNIST t10k's (980, 1135, ...).
    expect(stdout).toContain('images per class: 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978');
    // Where the article's 0.94 falls is stated, in prose computed from the interval, and agrees with it.
    const prose = bundles(executed['05-project-practice']).map((b) => String(b['text/markdown'] ?? '')).join('\n');
    expect(prose).toContain('A claim about the default or full run, `article-accuracy-below-interval`, is not checked under the smoke profile.');
    const where = /the article's 0\.94 lies (above|inside|below) that interval/.exec(prose)?.[1];
    const expected = 0.94 > num(s, 'testAccuracyHigh') ? 'above' : 0.94 < num(s, 'testAccuracyLow') ? 'below' : 'inside';
    expect(where).toBe(expected);
  });

  it("06 reloads 05's saved model as a new object with identical predictions and prices a million of them", () => {
    const s = summaryOf('06-applications');
    expect(s.modelOrigin).toBe('loaded');
    // The deployed folder carries its preprocessing, and a separate process serves raw pixels from it alone.
    expect(s.deployedFiles).toEqual(['model.json', 'preprocessing.json', 'weights.bin']);
    expect(s.separateProcess).toBe(true);
    expect(s.sameClasses).toBe(true);
    expect(s.bytesInputSameClasses).toBe(true);
    expect(num(s, 'testAccuracyLow')).toBeLessThan(num(s, 'testAccuracy'));
    expect(num(s, 'testAccuracyHigh')).toBeGreaterThan(num(s, 'testAccuracy'));
    // "about fifteen thousand times the FLOPs": 2 x 8e9 against 1.08 MFLOP.
    expect(num(s, 'flopsPerTokenOverFlopsPerDigit')).toBeGreaterThan(14_000);
    expect(num(s, 'flopsPerTokenOverFlopsPerDigit')).toBeLessThan(16_000);
    expect(num(s, 'maxProbabilityDifference')).toBeLessThan(1e-6);
    expect(num(s, 'testAccuracy')).toBeGreaterThan(0.7);
    expect(num(s, 'singleImageMs')).toBeGreaterThan(0);
    // Latency and throughput are measurements: medians within their ranges.
    expect(num(s, 'singleImageMsLow')).toBeLessThanOrEqual(num(s, 'singleImageMs'));
    expect(num(s, 'batchedImagesPerSecondHigh')).toBeGreaterThanOrEqual(num(s, 'batchedImagesPerSecond'));
    expect(num(s, 'usdPerMillionPredictionsBatched')).toBeGreaterThan(0);
    expect(num(s, 'usdPerMillionPredictionsSingle')).toBeGreaterThan(0);
  });

  it('08: pruning never gains beyond noise, int8 is about a quarter of the bytes, the student is much smaller', () => {
    const s = summaryOf('08-trends');
    const sparsities = s.sparsities as number[];
    const accuracy = s.prunedAccuracy as number[];
    expect(sparsities[0]).toBe(0);
    expect(accuracy[0]).toBeCloseTo(num(s, 'baselineAccuracy'), 10);
    const NOISE = 0.02;
    for (let i = 1; i < accuracy.length; i += 1) expect(accuracy[i]!, `sparsity ${sparsities[i]}`).toBeLessThanOrEqual(accuracy[i - 1]! + NOISE);
    const ratio = num(s, 'int8Bytes') / num(s, 'floatBytes');
    expect(ratio).toBeGreaterThan(0.24);
    expect(ratio).toBeLessThan(0.26);
    expect(Math.abs(num(s, 'quantizedAccuracy') - num(s, 'baselineAccuracy'))).toBeLessThan(0.03);
    expect(num(s, 'studentParams')).toBeLessThan(num(s, 'teacherParams') / 5);
    expect(num(s, 'studentAccuracy')).toBeGreaterThan(CHANCE);
    // The student has a control of its shape trained without a teacher, compared on the same digits.
    expect(num(s, 'controlAccuracy')).toBeGreaterThan(CHANCE);
    expect(num(s, 'studentVsControlP')).toBeGreaterThan(0);
    expect(num(s, 'studentVsControlP')).toBeLessThanOrEqual(1);
    expect((s.usdPerMillion as number[]).every((v) => v > 0)).toBe(true);
    // Each variant's accuracy sits inside its 95% interval on the small test set.
    expect(num(s, 'testCount')).toBe(300);
    expect(num(s, 'baselineAccuracyLow')).toBeLessThan(num(s, 'baselineAccuracy'));
    expect(num(s, 'baselineAccuracyHigh')).toBeGreaterThan(num(s, 'baselineAccuracy'));
    expect((s.accuracyLow as number[]).every((low, k) => low <= (s.accuracyHigh as number[])[k]!)).toBe(true);
    // Pruned storage never exceeds dense; the sparse-kernel price is an estimate no higher than the dense one.
    expect(num(s, 'prunedBytes')).toBeLessThanOrEqual(num(s, 'floatBytes'));
    expect(num(s, 'prunedEstimatedUsdPerMillion')).toBeLessThanOrEqual((s.usdPerMillion as number[])[0]!);
    // "far fewer FLOPs per image" for the student.
    expect(num(s, 'studentFlopsRatio')).toBeGreaterThan(5);
  });

  it('09: GPU counts grow with size and tokens; DP-SGD sits between chance and the non-private model', () => {
    const s = summaryOf('09-faq');
    const grid = s.gpuGrid as number[][];
    for (let i = 0; i < grid.length; i += 1) {
      for (let j = 0; j < grid[i]!.length; j += 1) {
        if (i > 0) expect(grid[i]![j]!).toBeGreaterThanOrEqual(grid[i - 1]![j]!);
        if (j > 0) expect(grid[i]![j]!).toBeGreaterThanOrEqual(grid[i]![j - 1]!);
      }
    }
    const [llamaDays, deepseekDays] = s.publishedDaysOnCluster as number[];
    expect(llamaDays).toBeCloseTo(30.84e6 / 16384 / 24, 3);
    expect(deepseekDays).toBeCloseTo(2.788e6 / 2048 / 24, 3);
    const dp = num(s, 'dpAccuracy');
    expect(dp).toBeGreaterThan(CHANCE);
    expect(dp).toBeLessThan(num(s, 'nonPrivateAccuracy'));
    expect(dp).toBeLessThan(num(s, 'fullAccuracy'));
    expect(num(s, 'dpEpsilon')).toBeGreaterThan(0);
    expect(num(s, 'federatedAccuracy')).toBeGreaterThan(CHANCE);
    expect(num(s, 'federatedIidAccuracy')).toBeGreaterThan(CHANCE);
    // The fact check: from a few dozen GPUs (7B on 2T tokens) to tens of thousands (1T on 30T tokens).
    const counts = grid.flat();
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(10);
    expect(Math.min(...counts)).toBeLessThan(100);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(10_000);
    expect(Math.max(...counts)).toBeLessThan(100_000);
    // Intervals around the accuracies; the summary's sweep: ε falls strictly as σ grows.
    expect(num(s, 'dpAccuracyLow')).toBeLessThan(dp);
    expect(num(s, 'dpAccuracyHigh')).toBeGreaterThan(dp);
    const sigma = s.sweepSigma as number[];
    const epsilon = s.sweepEpsilon as number[];
    expect(sigma).toEqual([...sigma].sort((a, b) => a - b));
    for (let k = 1; k < epsilon.length; k += 1) expect(epsilon[k]!).toBeLessThan(epsilon[k - 1]!);
    // Clients dealt by label hold a few classes each; the prose states the range from the table.
    expect(num(s, 'federatedClassesPerClientMin')).toBeGreaterThanOrEqual(1);
    expect(num(s, 'federatedClassesPerClientMax')).toBeLessThanOrEqual(10);
    // Q3: the same GPT-3 run got cheaper, while the costliest run grew more than tenfold.
    const gpt3 = s.gpt3TrainingCostUsd as number[];
    expect(gpt3.at(-1)!).toBeLessThan(gpt3[0]!);
    expect(num(s, 'costliestRunUsdLater') / num(s, 'costliestRunUsd2020')).toBeGreaterThan(10);
    expect(num(s, 'yearlyPriceFactorLow')).toBeLessThan(num(s, 'yearlyPriceFactor'));
    expect(num(s, 'yearlyPriceFactorHigh')).toBeGreaterThan(num(s, 'yearlyPriceFactor'));
    expect(num(s, 'yearlyPriceFactor')).toBeGreaterThan(1);
    expect(num(s, 'workloadUsdLast')).toBeLessThan(num(s, 'workloadUsdFirst'));
  });
});
