/**
 * The headless notebook runner: executes notebooks through a Jupyter server with
 * `@jupyterlab/services` (as JupyterLab does), writes executed copies, HTML pages and reports.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from '../atomic';
import { buildDir, projectRoot } from '../paths';
import { errorMessage, InfrastructureError, RunAbortedError, RunnerInputError } from './errors';
import { abortReason } from './execute';
import { indexHtml } from './export';
import { checkFactsOfFile } from './facts';
import { readNotebook, withoutErrorNotes } from './notebook';
import { notRunReport, runNotebook, type PreparedNotebook } from './notebook-run';
import { injectParameters } from './parameters';
import { exitCodeFor, junitXml, reportJson } from './report';
import { startServer, type RunningServer, type ServerEndpoint } from './server';
import { checkOrder, declaredAfter, runInOrder } from './schedule';
import { sessionPathOnServer } from './server-path';
import { availableKernels, checkKernelName, serverSettings, withServicesRejectionsHandled } from './session';
import { createThreadBudget } from './thread-budget';
import { runKeyInputs } from './cache/key';
import { consultCache, type Decision } from './cache/plan';
import { askRecorded, projectModules, type KernelRecord } from './cache/recorded';
import { openCache, type ExecutionCache } from './cache/store';
import { exportHtml } from './export';
import { RENDER_SERVICE_ENV, type RenderService } from '../plot/render-service';
import { spawnRenderService } from '../plot/render-service-process';
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
  /** Rewrite each notebook's facts lock for the profile from this run, instead of comparing (after review). */
  refreshFacts?: boolean;
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
  /**
   * Use this server instead of starting a private one; several spread the notebooks over them
   * (worker i of `jobs` uses server i mod n). Each notebook must be under each server's root.
   */
  server?: ServerEndpoint | ServerEndpoint[];
  /** Write JUnit XML here. */
  junit?: string;
  /** Extra JUPYTER_PATH entries for the private server (before the project's kernelspec folder). */
  jupyterPath?: string[];
  /**
   * Aborting stops the run: kernels are shut down, notebooks written as far as they ran, the
   * reports written, the private server stopped, then RunAbortedError (carrying the report) is thrown.
   */
  signal?: AbortSignal;
  /**
   * Share this machine's cores among the notebooks running at once (default true, on the private
   * server only): each kernel is told how many training threads it may use (`thread-budget.ts`).
   * Off, or with `server`, each kernel trains on every core of its machine.
   */
  threadBudget?: boolean;
  /**
   * The execution cache (`cache/`): a notebook whose inputs are unchanged since a passed run is not
   * executed; its executed copy, page and published files are restored and it is reported `cached`.
   * Every notebook that passes is stored. `lookup: false` runs every notebook (still storing them).
   * Default: no cache.
   */
  cache?: { dir: string; lookup?: boolean };
  /**
   * One browser draws the charts' static images for every kernel of the run (default true, on the
   * private server only: `src/plot/render-service.ts`). Off, or with `server`, each kernel that draws
   * a chart starts a browser of its own.
   */
  sharedBrowser?: boolean;
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

function profileFile(notebookPath: string, profile: string): string {
  return notebookPath.replace(/\.ipynb$/, `.${profile}.json`);
}

/**
 * The profile a notebook runs under: the one asked for when `<notebook>.<profile>.json` exists,
 * otherwise 'default' (a profile that gives a notebook nothing runs it with its defaults, and its
 * facts are compared with the default lock).
 */
export function profileOf(notebookPath: string, options: Pick<RunOptions, 'profile'>): string {
  return options.profile && existsSync(profileFile(notebookPath, options.profile)) ? options.profile : 'default';
}

/** The parameter values for one notebook: profile file, then `-f` files, then `-p` values. */
export function parametersFor(notebookPath: string, options: RunOptions): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const profile = profileOf(notebookPath, options);
  if (profile !== 'default') Object.assign(values, readJsonObject(profileFile(notebookPath, profile), `the '${profile}' profile`));
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

/** Checks that files can be created in `dir` before anything runs (exit 2 otherwise); leaves nothing behind. */
function checkWritable(dir: string): void {
  const probe = join(dir, `.llm-price-lab-probe-${process.pid}-${randomBytes(3).toString('hex')}`);
  try {
    const created = mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(created ?? probe, { recursive: true });
  } catch (error) {
    throw new RunnerInputError(`cannot write to the output folder ${dir}: ${errorMessage(error)}`, { file: dir });
  }
}

/** After an abort, how long kernels get to shut down before the private server is stopped under them. */
const ABORT_GRACE_MS = 10_000;

/**
 * Runs notebooks and returns the report (also written to `<outputDir>/report.json`).
 *
 * Everything about the input is checked first — notebooks readable and valid nbformat 4.5,
 * parameters known and of the defaults' types, the output folder writable, kernels offered by the
 * server, with `--server` each notebook found under the server's root — and a problem throws
 * RunnerInputError (CLI exit 2) before anything is written. Once notebooks can run, every one ends
 * with a status and report.json (and JUnit) is always written: a server that cannot start or be
 * reached throws InfrastructureError (exit 3) after writing it; an abort throws RunAbortedError
 * after writing it, with the notebooks that ran written up to where they stopped. A notebook's own
 * failure never throws: it is in the report (`report.exitCode` 1, or 3 when its kernel could not
 * start or its copy could not be written), its partial copy written with an error note at the top.
 *
 * @example
 *   const report = await runNotebooks({ notebooks: ['notebooks/01-intro.ipynb'], profile: 'smoke',
 *     outputDir: tmp, html: true });
 *   report.notebooks[0].status; // 'passed'; the executed copy is at report.notebooks[0].outputNotebook
 */
export async function runNotebooks(options: RunOptions = {}, hooks: RunHooks = {}): Promise<RunReport> {
  // An unexpected rejection (a bug) stops the run like an abort, so that everything is cleaned up
  // and reported; it is then thrown (the CLI prints its stack and exits 1).
  const internal = new AbortController();
  const outer = options.signal;
  const forward = () => internal.abort(outer?.reason);
  if (outer?.aborted) forward();
  else outer?.addEventListener('abort', forward, { once: true });
  try {
    return await withServicesRejectionsHandled(
      () => run({ ...options, signal: internal.signal }, hooks),
      (error) => internal.abort(error),
    );
  } finally {
    outer?.removeEventListener('abort', forward);
  }
}

interface Prepared extends PreparedNotebook {
  after: string[];
  profile: string;
}

async function run(options: RunOptions, hooks: RunHooks): Promise<RunReport> {
  const startedAt = new Date();
  const outputDir = resolve(options.outputDir ?? buildDir());
  const jobs = Math.max(1, Math.floor(options.jobs ?? availableParallelism()));
  const html = options.html ?? true;
  const files = resolveNotebookPaths(options.notebooks ?? [join(projectRoot(), 'notebooks')]);
  const external = options.server === undefined ? [] : Array.isArray(options.server) ? options.server : [options.server];

  const names = new Map<string, string>();
  const prepared: Prepared[] = files.map((file) => {
    const name = basename(file).replace(/\.ipynb$/, '');
    const clash = names.get(name);
    if (clash) throw new RunnerInputError(`${file}: same name as ${clash}; outputs would collide`, { file });
    names.set(name, file);
    const values = parametersFor(file, options);
    const source = withoutErrorNotes(readNotebook(file));
    const notebook = injectParameters(file, source, values);
    return {
      path: file,
      name,
      notebook,
      parameters: values,
      profile: profileOf(file, options),
      after: declaredAfter(file, source),
      sessionPath: '',
      outputPath: options.inplace ? file : join(outputDir, 'notebooks', `${name}.ipynb`),
      htmlPath: html ? join(outputDir, 'html', `${name}.html`) : undefined,
    };
  });
  checkOrder(prepared);
  if (options.signal?.aborted) throw new RunAbortedError('run aborted before it started');
  checkWritable(outputDir);

  const report = (notebooks: NotebookReport[], interrupted?: string): RunReport => ({
    startedAt: startedAt.toISOString(),
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    jobs,
    server: external.length ? 'external' : 'private',
    ...(interrupted ? { interrupted } : {}),
    notebooks,
    exitCode: exitCodeFor(notebooks),
  });

  // The cache answers what it can before any server starts.
  const root = projectRoot();
  const cache = options.cache ? openCache(resolve(options.cache.dir), root) : undefined;
  const decisions = cache
    ? consultCache(
        cache,
        prepared,
        runKeyInputs({
          root,
          runnerDir: __dirname,
          threadBudget: external.length === 0 && options.threadBudget !== false,
          server: external.length ? external.map((e) => e.baseUrl).join(' ') : 'private',
          env: process.env,
        }),
        root,
        options.cache?.lookup !== false,
      )
    : new Map<string, Decision>();
  const answered = new Map<string, NotebookReport>();
  for (const p of prepared) {
    const decision = decisions.get(p.name);
    if (cache && decision?.kind === 'hit') {
      try {
        answered.set(p.name, await restoreCached(cache, p, decision, options.refreshFacts ?? false));
      } catch (error) {
        decisions.set(p.name, { kind: 'miss', key: decision.key, inputs: decision.inputs, reason: `its cached result could not be restored: ${errorMessage(error)}` });
      }
    }
  }
  const toRun = prepared.filter((p) => !answered.has(p.name));
  const inOrder = (ran: NotebookReport[]) => prepared.map((p) => answered.get(p.name) ?? ran[toRun.indexOf(p)]!);
  const announceCached = () => {
    for (const p of prepared) {
      const cached = answered.get(p.name);
      if (cached) hooks.onNotebookDone?.(cached);
    }
  };
  if (toRun.length === 0) {
    hooks.onRunStart?.({ notebooks: files, jobs });
    announceCached();
    const done = report(inOrder([]));
    writeReports(done, outputDir, html, options.junit);
    hooks.onRunDone?.(done);
    return done;
  }

  let server: RunningServer | undefined;
  let renderService: RenderService | undefined;
  let abortTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    abortTimer ??= setTimeout(() => void server?.stop(), ABORT_GRACE_MS);
  };
  options.signal?.addEventListener('abort', onAbort);
  try {
    // Servers and where each notebook is on each of them.
    let endpoints: ServerEndpoint[];
    const sessionPaths: string[][] = [];
    try {
      if (external.length) {
        endpoints = external;
      } else {
        const serverRoot = commonFolder(files);
        // Without a browser here the kernels find none either, and each chart says so.
        const render = options.sharedBrowser === false ? undefined : await spawnRenderService();
        renderService = render?.kind === 'ok' ? render.service : undefined;
        server = await startServer({
          rootDir: serverRoot,
          jupyterPath: options.jupyterPath,
          ...(renderService ? { env: { [RENDER_SERVICE_ENV]: renderService.endpoint } } : {}),
        });
        endpoints = [server];
        sessionPaths.push(toRun.map((p) => relative(serverRoot, p.path).split(sep).join('/')));
      }
      for (const endpoint of external) {
        const settings = serverSettings(endpoint);
        const paths: string[] = [];
        for (const p of toRun) paths.push(await sessionPathOnServer(settings, p.path, readFileSync(p.path, 'utf8')));
        sessionPaths.push(paths);
      }
      for (const endpoint of endpoints) {
        const kernels = await availableKernels(serverSettings(endpoint));
        for (const p of toRun) checkKernelName(p.path, p.notebook.metadata.kernelspec?.name ?? '', kernels);
      }
    } catch (error) {
      if (!(error instanceof InfrastructureError)) throw error;
      // Nothing could run: every notebook says why, and the reports are written all the same.
      const why = error.message;
      const notebooks = toRun.map((p) => ({ ...notRunReport(p, why), status: 'infrastructure-error' as const }));
      const written = report(inOrder(notebooks));
      writeReports(written, outputDir, html, options.junit);
      hooks.onRunDone?.(written);
      throw new InfrastructureError(why, { ...error.context, report: written });
    }
    if (options.signal?.aborted) {
      const reason = abortReason(options.signal);
      const stopped = report(inOrder(toRun.map((p) => notRunReport(p, `not run: the run was interrupted (${reason})`))), reason);
      writeReports(stopped, outputDir, html, options.junit);
      hooks.onRunDone?.(stopped);
      throw new RunAbortedError(`run interrupted (${reason}) before any notebook started`, stopped);
    }

    const running = server;
    const cores = availableParallelism();
    const budget = external.length === 0 && options.threadBudget !== false ? createThreadBudget(cores) : undefined;
    hooks.onRunStart?.({ notebooks: files, jobs });
    announceCached();
    const reports = await runInOrder(
      toRun,
      jobs,
      {
        work: (p, slot) => {
          const at = slot % endpoints.length;
          const decision = decisions.get(p.name);
          let record: KernelRecord | undefined;
          budget?.join(p.path);
          const done = runNotebook(
            serverSettings(endpoints[at]),
            { ...p, sessionPath: sessionPaths[at][toRun.indexOf(p)] },
            {
              allowErrors: options.allowErrors ?? false,
              cellTimeout: options.cellTimeout,
              notebookTimeout: options.notebookTimeout,
              signal: options.signal,
              serverLog: running ? (kernelId) => running.logLines(kernelId) : undefined,
              serverGone: running?.unexpectedExit,
              trainingThreads: budget ? { share: () => budget.shareOf(p.path), cores } : undefined,
              afterCells: decision
                ? async (session) => {
                    record = await askRecorded(session);
                  }
                : undefined,
            },
            hooks,
          ).finally(() => budget?.leave(p.path));
          return done.then(async (r) => {
            const facts = r.status === 'passed' && r.outputNotebook ? checkFactsOfFile(p.path, r.outputNotebook, p.profile, options.refreshFacts ?? false) : undefined;
            const stored = cache && decision ? await storeResult(cache, decision, p, r, record, startedAt, options.signal) : {};
            return {
              ...r,
              ...(p.after.length ? { after: p.after } : {}),
              ...(endpoints.length > 1 ? { server: endpoints[at].baseUrl } : {}),
              ...(facts ? { facts } : {}),
              ...(decision?.kind === 'miss' ? { cacheMiss: decision.reason } : {}),
              ...stored,
            };
          });
        },
        failed: (p, error) => {
          const failed: NotebookReport = {
            ...notRunReport(p, error instanceof Error ? (error.stack ?? error.message) : String(error)),
            status: error instanceof InfrastructureError ? 'infrastructure-error' : 'internal-error',
          };
          hooks.onNotebookDone?.(failed);
          return failed;
        },
        notRun: (p) => {
          const reason = options.signal?.aborted ? abortReason(options.signal) : 'the run stopped';
          return notRunReport(p, `not run: the run was interrupted (${reason})`);
        },
      },
      options.signal,
    );

    const interrupted = options.signal?.aborted ? abortReason(options.signal) : undefined;
    const done = report(inOrder(reports), interrupted);
    writeReports(done, outputDir, html, options.junit);
    hooks.onRunDone?.(done);
    if (interrupted) throw new RunAbortedError(`run interrupted (${interrupted})`, done);
    return done;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    clearTimeout(abortTimer);
    try {
      await server?.stop();
    } finally {
      await renderService?.close();
    }
  }
}

/** report.json, JUnit and the HTML index, each written atomically; a failure to write is exit 3. */
function writeReports(report: RunReport, outputDir: string, html: boolean, junit: string | undefined): void {
  const files: Array<[string, string]> = [[join(outputDir, 'report.json'), reportJson(report)]];
  if (junit) files.push([resolve(junit), junitXml(report)]);
  if (html) files.push([join(outputDir, 'html', 'index.html'), indexHtml(report.notebooks, join(outputDir, 'html'))]);
  for (const [path, text] of files) {
    try {
      writeFileAtomic(path, text);
    } catch (error) {
      throw new InfrastructureError(`cannot write ${path}: ${errorMessage(error)}`, { cause: error, report });
    }
  }
}

/** A cache hit made into a notebook's result: its copy, page and published files restored, its facts checked. */
async function restoreCached(cache: ExecutionCache, p: Prepared, decision: Extract<Decision, { kind: 'hit' }>, refreshFacts: boolean): Promise<NotebookReport> {
  const started = Date.now();
  const { entry } = decision.hit;
  const restored = await cache.restore(decision.hit, { notebook: p.outputPath, html: p.htmlPath });
  let page: Pick<NotebookReport, 'html' | 'htmlError'> = {};
  if (p.htmlPath) {
    if (restored.html) page = { html: p.htmlPath };
    else {
      const exported = await exportHtml(p.outputPath, p.htmlPath);
      page = exported.kind === 'ok' ? { html: exported.path } : { htmlError: exported.message };
    }
  }
  const facts = checkFactsOfFile(p.path, p.outputPath, p.profile, refreshFacts);
  return {
    notebook: p.path,
    name: p.name,
    status: 'cached',
    seconds: (Date.now() - started) / 1000,
    cellsRun: entry.cellsRun,
    codeCells: entry.codeCells,
    allowedErrors: 0,
    parameters: p.parameters,
    outputNotebook: p.outputPath,
    ...page,
    ...(p.after.length ? { after: p.after } : {}),
    ...(facts ? { facts } : {}),
    cached: { producedAt: entry.producedAt, seconds: entry.seconds },
  };
}

/**
 * Stores a notebook that passed with every cell, written whole, in a run not stopped, whose kernel
 * said what it read and ran. Never throws: a result that cannot be stored is said in the report.
 */
async function storeResult(
  cache: ExecutionCache,
  decision: Decision,
  p: Prepared,
  r: NotebookReport,
  record: KernelRecord | undefined,
  startedAt: Date,
  signal: AbortSignal | undefined,
): Promise<Pick<NotebookReport, 'cacheError'>> {
  if (r.status !== 'passed' || r.allowedErrors > 0 || r.writeError || !r.outputNotebook || signal?.aborted) return {};
  if (record === undefined) return { cacheError: 'not stored: the kernel did not say what it read and ran' };
  const root = projectRoot();
  try {
    await cache.store({
      name: p.name,
      key: decision.key,
      inputs: decision.inputs,
      producedAt: startedAt.toISOString(),
      seconds: r.seconds,
      cellsRun: r.cellsRun,
      codeCells: r.codeCells,
      notebookFile: r.outputNotebook,
      htmlFile: r.html,
      reads: record.reads,
      modules: projectModules(record, root, join(root, 'dist', 'kernel')),
      writes: record.writes,
    });
    return {};
  } catch (error) {
    return { cacheError: `not stored: ${errorMessage(error)}` };
  }
}
