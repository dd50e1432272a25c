import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  articleFigure,
  loadArticleFigures,
  parseArticleFigures,
  REFERENCE_FILES,
  ReferenceDataError,
  dateParameter,
  decimalYear,
  findRow,
  loadReferenceData,
  parseHardware,
  parseLlmPrices,
  parseTrainingRuns,
  parseTrends,
  referenceDataDir,
  sourcesOf,
} from '../../src/cost';

const PRICE_HEADER = 'provider,model,date,input_usd_per_mtok,output_usd_per_mtok,mmlu,source_url,note';

function errorOf(f: () => unknown): ReferenceDataError {
  try {
    f();
  } catch (error) {
    if (error instanceof ReferenceDataError) return error;
    throw error;
  }
  throw new Error('expected a ReferenceDataError');
}

describe("the article's own figures", () => {
  it('loads each with its section, and finds one by name or names the file', () => {
    const figures = loadArticleFigures();
    expect(figures.length).toBe(readFileSync(join(referenceDataDir(), REFERENCE_FILES.articleFigures), 'utf8').trim().split('\n').length - 1);
    expect(articleFigure(figures, 'test_accuracy')).toBe(0.94);
    expect(figures.find((f) => f.figure === 'test_accuracy')).toMatchObject({ section: '5.4', line: 9 });
    expect(() => articleFigure(figures, 'nothing')).toThrow('article_figures.csv: no row with figure = "nothing"');
    expect(errorOf(() => parseArticleFigures('figure,value,unit,section,what\nx,,u,1,w\n')).message).toBe('article_figures.csv:2: column value: is empty');
  });
});

describe('reference data', () => {
  it('loads every row of the four CSVs with its source and line', () => {
    const data = loadReferenceData();
    const lines = (name: string): number => readFileSync(join(referenceDataDir(), name), 'utf8').trim().split('\n').length - 1;
    expect(data.prices).toHaveLength(lines(REFERENCE_FILES.prices));
    expect(data.hardware).toHaveLength(lines(REFERENCE_FILES.hardware));
    expect(data.trainingRuns).toHaveLength(lines(REFERENCE_FILES.trainingRuns));
    expect(data.trends).toHaveLength(lines(REFERENCE_FILES.trends));
    for (const rows of [data.prices, data.hardware, data.trainingRuns, data.trends]) {
      for (const r of rows) expect(r.sourceUrl).toMatch(/^https?:\/\//);
    }
    const davinci = findRow(data.prices, 'date', '2021-11-18', 'llm_prices.csv');
    expect(davinci.line).toBe(3);
    expect(davinci.inputUsdPerMTok).toBe(60);
    // Notes contain quoted commas; they survive whole.
    expect(data.prices[0]?.note).toContain('Subscription era, NOT pay-as-you-go: Create plan = $100/month');
    const gpt4 = data.trainingRuns.find((r) => r.model === 'GPT-4');
    expect(gpt4?.params).toBeNull();
    expect(gpt4?.reportedCostUsd).toBe(78e6);
    expect(data.hardware.find((r) => r.gpu === 'NVIDIA H100 SXM5')?.usdPerGpuHour).toBeNull();
    expect(sourcesOf(data.prices.slice(0, 3))).toHaveLength(3);
  });

  it('reads month-only and full dates as decimal years', () => {
    expect(decimalYear('2024-01-01')).toBe(2024);
    expect(decimalYear('2023-07')).toBeCloseTo(2023 + 181 / 365, 12);
    expect(decimalYear('2024-02-30')).toBeNull();
    expect(decimalYear('May 2024')).toBeNull();
    expect(dateParameter('fromDate', '2021-11-01')).toBeCloseTo(2021 + 304 / 365, 12);
    expect(() => dateParameter('fromDate', '11/2021')).toThrow('fromDate = "11/2021": is not a YYYY-MM or YYYY-MM-DD date');
  });

  it('names file, line and column of a malformed row', () => {
    const badDate = errorOf(() => parseLlmPrices(`${PRICE_HEADER}\nopenai,x,2024-01-01,1,2,,https://a.org,ok\nopenai,y,2024/05,1,2,,https://a.org,"a, b"\n`));
    expect(badDate.file).toBe('llm_prices.csv');
    expect(badDate.line).toBe(3);
    expect(badDate.message).toBe('llm_prices.csv:3: column date: "2024/05" is not YYYY-MM or YYYY-MM-DD');

    const badNumber = errorOf(() => parseLlmPrices(`${PRICE_HEADER}\nopenai,x,2024-01-01,cheap,2,,https://a.org,n\n`, 'prices.csv'));
    expect(badNumber.message).toBe('prices.csv:2: column input_usd_per_mtok: "cheap" is not a number');

    expect(errorOf(() => parseLlmPrices(`${PRICE_HEADER}\nopenai,x,2024-01-01,-1,2,,https://a.org,n\n`)).message).toMatch(/:2: column input_usd_per_mtok: -1 is negative/);
    expect(errorOf(() => parseLlmPrices(`${PRICE_HEADER}\nopenai,x,2024-01-01,1,2,,a.org,n\n`)).message).toMatch(/:2: column source_url: "a.org" is not an http\(s\) URL/);
    expect(errorOf(() => parseTrends('quantity,value,unit,period,source_url,note\nq,,x,2020,https://a.org,n\n')).message).toBe('trends.csv:2: column value: is empty');
  });

  it('names the line of a row with too many fields or an unclosed quote', () => {
    const extra = errorOf(() => parseHardware('gpu,year,peak_tflops_dense_bf16_or_fp16,price_usd_per_hour,price_date,source_url,note\nA,2020,1,2,2021,https://a.org,n,extra\n'));
    expect(extra.file).toBe('hardware.csv');
    expect(extra.line).toBe(2);
    expect(extra.message).not.toContain('\n');
    const unclosed = errorOf(() => parseTrainingRuns('model,params,tokens,train_flops,gpu_hours,gpu,reported_cost_usd,year,active_params,cluster_gpus,source_url,note\nM,1,2,3,4,g,5,2020,,,https://a.org,"open\n'));
    expect(unclosed.file).toBe('training_runs.csv');
    expect(unclosed.line).toBe(2);
  });

  it('names a missing column in the header', () => {
    expect(errorOf(() => parseLlmPrices('provider,model,date\nopenai,x,2024-01-01\n')).message).toBe(
      'llm_prices.csv:1: header lacks column(s) input_usd_per_mtok, output_usd_per_mtok, mmlu, source_url, note',
    );
  });

  it('reads from another folder when asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ref-'));
    try {
      for (const name of Object.values(REFERENCE_FILES)) writeFileSync(join(dir, name), readFileSync(join(referenceDataDir(), name)));
      writeFileSync(join(dir, REFERENCE_FILES.prices), `${PRICE_HEADER}\nopenai,x,2024-01-01,1,2,70,https://a.org,n\n`);
      expect(loadReferenceData(dir).prices).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
