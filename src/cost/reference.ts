/**
 * The reference data (notebooks/data/*.csv) as typed rows. Every row keeps its source URL, its
 * note (which says when a value is an estimate or derived) and its line in the file. Parsing is pure
 * (`parseX(text, file)`); `loadReferenceData(dir)` only reads the files and calls the parsers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CsvError, parse, type InfoRecord } from 'csv-parse/sync';
import { notebooksDir, projectRoot } from '../paths';
import { CostInputError, ReferenceDataError } from './errors';
import { recordRead } from '../provenance';
import type { DecimalYear, Usd, UsdPerGpuHour, UsdPerMTok } from './units';

/** Where a row came from: shown under every chart built from it. */
export interface Sourced {
  readonly sourceUrl: string;
  readonly note: string;
  /** 1-based line of the row in its CSV file. */
  readonly line: number;
}

export interface LlmPriceRow extends Sourced {
  readonly provider: string;
  readonly model: string;
  /** As written in the file: YYYY-MM-DD, or YYYY-MM when only the month is known. */
  readonly date: string;
  /** `date` as a decimal year (a month-only date counts from the 1st). */
  readonly year: DecimalYear;
  readonly inputUsdPerMTok: UsdPerMTok | null;
  readonly outputUsdPerMTok: UsdPerMTok | null;
  /** MMLU score in percent; null where not verified. */
  readonly mmlu: number | null;
}

export interface HardwareRow extends Sourced {
  readonly gpu: string;
  readonly year: number;
  /** Dense BF16/FP16 tensor TFLOP/s; null where not stated. */
  readonly peakTflops: number | null;
  readonly usdPerGpuHour: UsdPerGpuHour | null;
  /** Free text (e.g. "2024-Q4", "2025 (approx.)"); null when there is no price. */
  readonly priceDate: string | null;
}

export interface TrainingRunRow extends Sourced {
  readonly model: string;
  readonly params: number | null;
  readonly tokens: number | null;
  readonly trainFlops: number | null;
  readonly gpuHours: number | null;
  readonly gpu: string | null;
  readonly reportedCostUsd: Usd | null;
  /** Year the run was done, or, for a re-estimate, the year whose prices it uses; null when not given. */
  readonly year: number | null;
  /** Parameters active per token (mixture-of-experts); null for a dense model, where all `params` are active. */
  readonly activeParams: number | null;
  /** GPUs in the training cluster as reported; null when not disclosed. */
  readonly clusterGpus: number | null;
}

export interface TrendRow extends Sourced {
  readonly quantity: string;
  readonly value: number;
  readonly unit: string;
  readonly period: string;
}

/** A figure the article itself states (notebooks/data/article_figures.csv): its source is the article's section. */
export interface ArticleFigure {
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  /** The article's section, e.g. `5.4`. */
  readonly section: string;
  readonly what: string;
  readonly line: number;
}

export interface ReferenceData {
  readonly prices: readonly LlmPriceRow[];
  readonly hardware: readonly HardwareRow[];
  readonly trainingRuns: readonly TrainingRunRow[];
  readonly trends: readonly TrendRow[];
}

export const REFERENCE_FILES = {
  prices: 'llm_prices.csv',
  hardware: 'hardware.csv',
  trainingRuns: 'training_runs.csv',
  trends: 'trends.csv',
  articleFigures: 'article_figures.csv',
} as const;

const COLUMNS = {
  prices: ['provider', 'model', 'date', 'input_usd_per_mtok', 'output_usd_per_mtok', 'mmlu', 'source_url', 'note'],
  hardware: ['gpu', 'year', 'peak_tflops_dense_bf16_or_fp16', 'price_usd_per_hour', 'price_date', 'source_url', 'note'],
  trainingRuns: ['model', 'params', 'tokens', 'train_flops', 'gpu_hours', 'gpu', 'reported_cost_usd', 'year', 'active_params', 'cluster_gpus', 'source_url', 'note'],
  trends: ['quantity', 'value', 'unit', 'period', 'source_url', 'note'],
  articleFigures: ['figure', 'value', 'unit', 'section', 'what'],
} as const;

type Columns = readonly string[];

/** One CSV record with accessors that check each cell and name file, line and column on failure. */
class Cells {
  constructor(
    private readonly file: string,
    readonly line: number,
    private readonly record: Readonly<Record<string, string>>,
  ) {}

  private fail(column: string, reason: string): never {
    throw new ReferenceDataError(this.file, this.line, `column ${column}: ${reason}`);
  }

  text(column: string): string {
    const value = (this.record[column] ?? '').trim();
    if (value === '') this.fail(column, 'is empty');
    return value;
  }

  optionalText(column: string): string | null {
    const value = (this.record[column] ?? '').trim();
    return value === '' ? null : value;
  }

  optionalNumber(column: string): number | null {
    const value = this.optionalText(column);
    if (value === null) return null;
    const n = Number(value);
    if (!Number.isFinite(n)) this.fail(column, `${JSON.stringify(value)} is not a number`);
    if (n < 0) this.fail(column, `${value} is negative`);
    return n;
  }

  number(column: string): number {
    const n = this.optionalNumber(column);
    if (n === null) this.fail(column, 'is empty');
    return n;
  }

  url(column: string): string {
    const value = this.text(column);
    if (!/^https?:\/\/\S+$/.test(value)) this.fail(column, `${JSON.stringify(value)} is not an http(s) URL`);
    return value;
  }

  sourced(): Sourced {
    return { sourceUrl: this.url('source_url'), note: this.optionalText('note') ?? '', line: this.line };
  }
}

/** Parses CSV text into checked records; `file` names the file in errors. */
function records(text: string, file: string, columns: Columns): Cells[] {
  let rows: { info: InfoRecord; record: Record<string, string> }[];
  try {
    rows = parse<{ info: InfoRecord; record: Record<string, string> }>(text, {
      columns: (header: string[]) => {
        const missing = columns.filter((c) => !header.includes(c));
        if (missing.length > 0) throw new ReferenceDataError(file, 1, `header lacks column(s) ${missing.join(', ')}`);
        return header;
      },
      info: true,
      skip_empty_lines: true,
      bom: true,
    });
  } catch (error) {
    if (error instanceof ReferenceDataError) throw error;
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new ReferenceDataError(file, typeof line === 'number' ? line : null, error.message.replace(/\s+/g, ' '));
    }
    throw error;
  }
  return rows.map(({ info, record }) => new Cells(file, info.lines, record));
}

const DATE = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/;

/** A YYYY-MM or YYYY-MM-DD date as a decimal year (UTC); null when it is not such a date. */
export function decimalYear(date: string): DecimalYear | null {
  const m = DATE.exec(date);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const at = Date.UTC(year, month - 1, day);
  if (new Date(at).getUTCDate() !== day) return null;
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  return year + (at - start) / (end - start);
}

export function parseLlmPrices(text: string, file: string = REFERENCE_FILES.prices): LlmPriceRow[] {
  return records(text, file, COLUMNS.prices).map((c) => {
    const date = c.text('date');
    const year = decimalYear(date);
    if (year === null) throw new ReferenceDataError(file, c.line, `column date: ${JSON.stringify(date)} is not YYYY-MM or YYYY-MM-DD`);
    return {
      provider: c.text('provider'),
      model: c.text('model'),
      date,
      year,
      inputUsdPerMTok: c.optionalNumber('input_usd_per_mtok'),
      outputUsdPerMTok: c.optionalNumber('output_usd_per_mtok'),
      mmlu: c.optionalNumber('mmlu'),
      ...c.sourced(),
    };
  });
}

export function parseHardware(text: string, file: string = REFERENCE_FILES.hardware): HardwareRow[] {
  return records(text, file, COLUMNS.hardware).map((c) => ({
    gpu: c.text('gpu'),
    year: c.number('year'),
    peakTflops: c.optionalNumber('peak_tflops_dense_bf16_or_fp16'),
    usdPerGpuHour: c.optionalNumber('price_usd_per_hour'),
    priceDate: c.optionalText('price_date'),
    ...c.sourced(),
  }));
}

export function parseTrainingRuns(text: string, file: string = REFERENCE_FILES.trainingRuns): TrainingRunRow[] {
  return records(text, file, COLUMNS.trainingRuns).map((c) => ({
    model: c.text('model'),
    params: c.optionalNumber('params'),
    tokens: c.optionalNumber('tokens'),
    trainFlops: c.optionalNumber('train_flops'),
    gpuHours: c.optionalNumber('gpu_hours'),
    gpu: c.optionalText('gpu'),
    reportedCostUsd: c.optionalNumber('reported_cost_usd'),
    year: c.optionalNumber('year'),
    activeParams: c.optionalNumber('active_params'),
    clusterGpus: c.optionalNumber('cluster_gpus'),
    ...c.sourced(),
  }));
}

export function parseTrends(text: string, file: string = REFERENCE_FILES.trends): TrendRow[] {
  return records(text, file, COLUMNS.trends).map((c) => ({
    quantity: c.text('quantity'),
    value: c.number('value'),
    unit: c.text('unit'),
    period: c.text('period'),
    ...c.sourced(),
  }));
}

export function parseArticleFigures(text: string, file: string = REFERENCE_FILES.articleFigures): ArticleFigure[] {
  return records(text, file, COLUMNS.articleFigures).map((c) => ({
    figure: c.text('figure'),
    value: c.number('value'),
    unit: c.text('unit'),
    section: c.text('section'),
    what: c.text('what'),
    line: c.line,
  }));
}

/** The figures the article states, from `dir`. */
export function loadArticleFigures(dir: string = referenceDataDir()): ArticleFigure[] {
  const path = join(dir, REFERENCE_FILES.articleFigures);
  recordRead(path);
  return parseArticleFigures(readFileSync(path, 'utf8'));
}

/** The value of the article's figure `name`; throws naming the file when it has no such row. */
export function articleFigure(figures: readonly ArticleFigure[], name: string): number {
  const row = figures.find((f) => f.figure === name);
  if (row === undefined) throw new ReferenceDataError(REFERENCE_FILES.articleFigures, null, `no row with figure = ${JSON.stringify(name)}`);
  return row.value;
}

/** The folder the notebooks' data lives in. */
export function referenceDataDir(root: string = projectRoot()): string {
  return join(notebooksDir(root), 'data');
}

/** Reads and parses the four reference CSVs from `dir`. */
export function loadReferenceData(dir: string = referenceDataDir()): ReferenceData {
  const read = (name: string): string => {
    recordRead(join(dir, name));
    return readFileSync(join(dir, name), 'utf8');
  };
  return {
    prices: parseLlmPrices(read(REFERENCE_FILES.prices)),
    hardware: parseHardware(read(REFERENCE_FILES.hardware)),
    trainingRuns: parseTrainingRuns(read(REFERENCE_FILES.trainingRuns)),
    trends: parseTrends(read(REFERENCE_FILES.trends)),
  };
}

/** The row of `rows` whose `key` equals `value`; throws naming the file when there is none. */
export function findRow<T extends Sourced, K extends keyof T>(rows: readonly T[], key: K, value: T[K], file: string): T {
  const row = rows.find((r) => r[key] === value);
  if (row === undefined) throw new ReferenceDataError(file, null, `no row with ${String(key)} = ${JSON.stringify(value)}`);
  return row;
}

/** Distinct source URLs of `rows`, in first-seen order (for the note under a chart). */
export function sourcesOf(rows: readonly Sourced[]): string[] {
  return [...new Set(rows.map((r) => r.sourceUrl))];
}

/** A notebook parameter holding a YYYY-MM(-DD) date, as a decimal year; throws naming the parameter. */
export function dateParameter(parameter: string, value: string): DecimalYear {
  const year = decimalYear(value);
  if (year === null) throw new CostInputError(parameter, value, 'is not a YYYY-MM or YYYY-MM-DD date');
  return year;
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
