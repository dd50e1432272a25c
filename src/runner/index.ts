/**
 * The headless notebook runner: executes notebooks through a Jupyter server with
 * `@jupyterlab/services` (as JupyterLab does), writes executed copies, HTML pages and reports.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { buildDir, projectRoot } from '../paths';
import { errorMessage, RunAbortedError, RunnerInputError } from './errors';
import { indexHtml } from './export';
import { readNotebook, withoutErrorNotes, writeFileAtomic } from './notebook';
import { runNotebook, type PreparedNotebook } from './notebook-run';
import { injectParameters } from './parameters';
import { exitCodeFor, junitXml, reportJson } from './report';
import { startServer, type RunningServer, type ServerEndpoint } from './server';
import { availableKernels, checkKernelName, serverSettings, withServicesRejectionsHandled } from './session';
import type { NotebookReport, RunHooks, RunReport } from './types';

export * from './types';
export { RunnerInputError, InfrastructureError, RunAbortedError } from './errors';
export { consoleSummary, junitXml } from './report';

export interface RunOptions {
  /** Notebook files or folders (a folder means its `*.ipynb`, sorted). Default: the project's `notebooks/`. */
  notebooks?: string[];
  /** Where `notebooks/`, `html/` and `report.json` go. Default: the project's `build/`. */
  outputDir?: string;
  /** Notebooks run at once, each in its own kernel. Default: the number of cores. */
  jobs?: number;
  /** Parameter values (`-p`), applied last. */
  parameters?: Record<string, unknown>;
  /** JSON files of parameter values (`-f`), applied in order before `parameters`. */
  parameterFiles?: string[];
  /** A profile name: `<notebook>.<profile>.json` beside each notebook, applied first (as `-f`). */
  profile?: string;
  /** Write executed notebooks over their sources instead of into `outputDir/notebooks`. */
  inplace?: boolean;
  /** Export HTML pages with nbconvert (default true). */
  html?: boolean;
  /** Keep running cells after an error (timeouts and kernel deaths still stop a notebook). */
  allowErrors?: boolean;
  /** Seconds per cell unless a cell's `metadata.timeout` says otherwise (default 600). */
  cellTimeout?: number;
  /** Seconds for all of a notebook's cells, counted once its kernel is ready (default: none). */
  notebookTimeout?: number;
  /** Use this server instead of starting a private one. */
  server?: ServerEndpoint;
  /** Write JUnit XML here. */
  junit?: string;
  /** Extra JUPYTER_PATH entries for the private server (before the project's kernelspec folder). */
  jupyterPath?: string[];
  /** Aborting stops the run: kernels and the private server are shut down, then RunAbortedError is thrown. */
  signal?: AbortSignal;
}


/** Notebook files from paths that are files or folders. */
export function resolveNotebookPaths(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    const full = resolve(path);
    if (!existsSync(full)) throw new RunnerInputError(`${path}: no such file or folder`, { file: path });
    if (statSync(full).isDirectory()) {
      files.push(
        ...readdirSync(full)
          .filter((f) => f.endsWith('.ipynb'))
          .sort()
          .map((f) => join(full, f)),
      );
    } else files.push(full);
  }
  if (files.length === 0) throw new RunnerInputError(`no notebooks found in ${paths.join(', ')}`);
  return files;
}

function readJsonObject(path: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RunnerInputError(`${path}: cannot read ${what}: ${errorMessage(error)}`, { file: path });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RunnerInputError(`${path}: ${what} must be a JSON object of name → value`, { file: path });
  }
  return value as Record<string, unknown>;
}

/** The parameter values for one notebook: profile file, then `-f` files, then `-p` values. */
export function parametersFor(notebookPath: string, options: RunOptions): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (options.profile) {
    const file = notebookPath.replace(/\.ipynb$/, `.${options.profile}.json`);
    if (existsSync(file)) Object.assign(values, readJsonObject(file, `the '${options.profile}' profile`));
  }
  for (const file of options.parameterFiles ?? []) Object.assign(values, readJsonObject(file, 'parameters'));
  Object.assign(values, options.parameters ?? {});
  return values;
}

function commonFolder(paths: string[]): string {
  let common = dirname(paths[0]);
  for (const path of paths) {
    while (!(dirname(path) + sep).startsWith(common.endsWith(sep) ? common : common + sep)) common = dirname(common);
  }
  return common;
}

async function pool<T, R>(items: T[], jobs: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next;
      next += 1;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return results;
}

/**
 * Runs notebooks and returns the report (also written to `<outputDir>/report.json`).
 *
 * Everything about the input is checked first — notebooks readable and valid nbformat 4.5,
 * parameters known and of the defaults' types, kernels offered by the server — and a problem
 * throws RunnerInputError (CLI exit 2) before anything is written. A server that cannot start
 * throws InfrastructureError (exit 3). A notebook's own failure never throws: it is in the
 * report (`report.exitCode` 1, or 3 when its kernel could not start), its partial copy is
 * written with an error note at the top.
 *
 * @example
 *   const report = await runNotebooks({ notebooks: ['notebooks/01-intro.ipynb'], profile: 'smoke',
 *     outputDir: tmp, html: true });
 *   report.notebooks[0].status; // 'passed'; the executed copy is at report.notebooks[0].outputNotebook
 */
export function runNotebooks(options: RunOptions = {}, hooks: RunHooks = {}): Promise<RunReport> {
  return withServicesRejectionsHandled(() => run(options, hooks));
}

async function run(options: RunOptions, hooks: RunHooks): Promise<RunReport> {
  const startedAt = new Date();
  const outputDir = resolve(options.outputDir ?? buildDir());
  const jobs = Math.max(1, Math.floor(options.jobs ?? availableParallelism()));
  const html = options.html ?? true;
  const files = resolveNotebookPaths(options.notebooks ?? [join(projectRoot(), 'notebooks')]);

  const names = new Map<string, string>();
  const prepared: PreparedNotebook[] = files.map((file) => {
    const name = basename(file).replace(/\.ipynb$/, '');
    const clash = names.get(name);
    if (clash) throw new RunnerInputError(`${file}: same name as ${clash}; outputs would collide`, { file });
    names.set(name, file);
    const values = parametersFor(file, options);
    const notebook = injectParameters(file, withoutErrorNotes(readNotebook(file)), values);
    return {
      path: file,
      name,
      notebook,
      parameters: values,
      sessionPath: '',
      outputPath: options.inplace ? file : join(outputDir, 'notebooks', `${name}.ipynb`),
      htmlPath: html ? join(outputDir, 'html', `${name}.html`) : undefined,
    };
  });
  if (options.signal?.aborted) throw new RunAbortedError('run aborted before it started');

  let server: RunningServer | undefined;
  let onAbort: (() => void) | undefined;
  try {
    if (options.server) {
      for (const p of prepared) {
        const rel = relative(process.cwd(), p.path);
        p.sessionPath = rel.startsWith('..') ? basename(p.path) : rel.split(sep).join('/');
      }
    } else {
      const root = commonFolder(files);
      server = await startServer({ rootDir: root, jupyterPath: options.jupyterPath });
      for (const p of prepared) p.sessionPath = relative(root, p.path).split(sep).join('/');
    }
    const endpoint = options.server ?? server;
    if (!endpoint) throw new Error('unreachable: no server');
    const running = server;
    onAbort = () => void running?.stop();
    options.signal?.addEventListener('abort', onAbort);
    if (options.signal?.aborted) throw new RunAbortedError('run aborted');

    const settings = serverSettings(endpoint);
    const kernels = await availableKernels(settings);
    for (const p of prepared) checkKernelName(p.path, p.notebook.metadata.kernelspec?.name ?? '', kernels);

    hooks.onRunStart?.({ notebooks: files, jobs });
    const reports: NotebookReport[] = await pool(prepared, jobs, (p) =>
      runNotebook(
        settings,
        p,
        {
          allowErrors: options.allowErrors ?? false,
          cellTimeout: options.cellTimeout,
          notebookTimeout: options.notebookTimeout,
          signal: options.signal,
          serverLog: server ? (kernelId) => running?.logLines(kernelId) ?? [] : undefined,
        },
        hooks,
      ),
    );
    if (options.signal?.aborted) throw new RunAbortedError('run aborted');

    const report: RunReport = {
      startedAt: startedAt.toISOString(),
      seconds: (Date.now() - startedAt.getTime()) / 1000,
      jobs,
      server: options.server ? 'external' : 'private',
      notebooks: reports,
      exitCode: exitCodeFor(reports),
    };
    if (html) writeFileAtomic(join(outputDir, 'html', 'index.html'), indexHtml(reports, join(outputDir, 'html')));
    writeFileAtomic(join(outputDir, 'report.json'), reportJson(report));
    if (options.junit) writeFileAtomic(resolve(options.junit), junitXml(report));
    hooks.onRunDone?.(report);
    return report;
  } finally {
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    await server?.stop();
  }
}
