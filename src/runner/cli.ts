/**
 * `llm-price-lab run [notebooks…] [options]`: the command line over runNotebooks. Exit codes:
 * 0 all passed, 1 a notebook failed (or the runner itself failed: its stack is printed), 2 bad
 * usage or input, 3 infrastructure (typed InfrastructureError only); 129/130/143 when interrupted
 * by SIGHUP/SIGINT/SIGTERM (after stopping every kernel and the private server and writing the report).
 */
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { buildDir } from '../paths';
import { errorMessage, InfrastructureError, RunAbortedError, RunnerInputError } from './errors';
import { runNotebooks, type RunOptions } from './index';
import { parseCliValue } from './parameters';
import { barProgress, lineProgress, progressMode, type ProgressMode } from './progress';
import { consoleSummary } from './report';
import type { RunHooks } from './types';

export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Where SIGINT/SIGTERM come from (the process, or a fake in tests). */
  signals?: NodeJS.EventEmitter;
}

/**
 * Pulls `-p NAME VALUE` / `--parameter NAME VALUE` pairs (two arguments each, as papermill takes
 * them, which commander cannot parse) out of argv. Throws RunnerInputError on a missing value.
 */
export function extractParameters(args: string[]): { args: string[]; parameters: Record<string, unknown> } {
  const rest: string[] = [];
  const parameters: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (arg === '-p' || arg === '--parameter') {
      const name = args[i + 1];
      const value = args[i + 2];
      if (name === undefined || value === undefined) {
        throw new RunnerInputError(`${arg} needs a name and a value (e.g. ${arg} epochs 3)`);
      }
      parameters[name] = parseCliValue(value);
      i += 2;
      continue;
    }
    rest.push(arg);
  }
  return { args: rest, parameters };
}

function positiveNumber(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError('expected a positive number');
  return value;
}

function positiveInteger(text: string): number {
  const value = positiveNumber(text);
  if (!Number.isInteger(value)) throw new InvalidArgumentError('expected a positive integer');
  return value;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Signals that stop a run in order (a closed terminal sends SIGHUP), and the exit code of each (128 + number). */
const HANDLED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type HandledSignal = (typeof HANDLED_SIGNALS)[number];
const SIGNAL_EXIT_CODES: Record<HandledSignal, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

interface RunFlags {
  jobs?: number;
  parametersFile?: string[];
  profile?: string;
  refreshFacts?: boolean;
  outputDir?: string;
  inplace?: boolean;
  html: boolean;
  allowErrors?: boolean;
  threadBudget: boolean;
  cellTimeout?: number;
  notebookTimeout?: number;
  server?: string[];
  token?: string[];
  junit?: string;
  progress: ProgressMode | 'auto';
  cache: boolean;
  cacheDir?: string;
  sharedBrowser: boolean;
}

function buildProgram(io: CliIo, onRun: (notebooks: string[], flags: RunFlags) => void): Command {
  const program = new Command('llm-price-lab')
    .description('llm-price-lab command line')
    .exitOverride()
    // Set before `.command()`: subcommands copy these settings when created.
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  program
    .command('run')
    .description('execute notebooks through a Jupyter server; write executed copies, HTML and reports')
    .argument('[notebooks...]', 'notebook files or folders (default: notebooks/)')
    .option('-j, --jobs <n>', 'notebooks run in parallel, each in its own kernel (default: cores)', positiveInteger)
    .option('-p, --parameter <name value>', 'set a parameter; value parsed as JSON, else a string (repeatable)')
    .option('-f, --parameters-file <file>', 'JSON object of parameters (repeatable)', collect)
    .option('--profile <name>', 'apply <notebook>.<name>.json beside each notebook first (e.g. smoke)')
    .option('--refresh-facts', "rewrite each notebook's facts lock (<notebook>.facts.json) for the profile from this run, after review")
    .option('-o, --output-dir <dir>', 'where notebooks/, html/ and report.json go (default: build/)')
    .option('--inplace', 'write executed notebooks over their sources')
    .option('--no-html', 'skip the HTML export')
    .option('--allow-errors', 'keep running cells after an error')
    .option('--no-thread-budget', 'let every kernel train on every core (default: notebooks running at once share the cores)')
    .option('--cell-timeout <seconds>', 'per-cell deadline unless the cell sets metadata.timeout (default 600)', positiveNumber)
    .option('--notebook-timeout <seconds>', 'deadline for all cells of a notebook, from kernel ready (default: none)', positiveNumber)
    .option('--server <url>', 'use this Jupyter server; repeat to spread notebooks over several (default: $JUPYTER_BASE_URL, else a private one)', collect)
    .option('--token <token>', 'token for --server, one per server (default: $JUPYTER_TOKEN; prefer it: --token shows in the process list)', collect)
    .option('--junit <file>', 'write JUnit XML, one test case per notebook')
    .option('--no-cache', 'execute every notebook, even those whose cached result is still valid (results are stored all the same)')
    .option('--cache-dir <dir>', 'where results are cached (default: <output-dir>/cache)')
    .option('--no-shared-browser', "let each kernel start its own browser for charts' images (default: one browser serves the run's kernels)")
    .addOption(new Option('--progress <mode>', 'progress display').choices(['auto', 'bars', 'lines', 'none']).default('auto'))
    .exitOverride()
    .action((notebooks: string[], flags: RunFlags) => onRun(notebooks, flags));
  return program;
}

/**
 * The exit code for an error that ended a run, after saying what it was: 3 only for an
 * InfrastructureError, 2 for bad input; anything else is a bug in the runner: its stack, exit 1.
 */
export function failureExitCode(error: unknown, io: Pick<CliIo, 'stderr'>): number {
  if (error instanceof InfrastructureError || error instanceof RunnerInputError) {
    io.stderr.write(`llm-price-lab: ${errorMessage(error)}\n`);
    return error instanceof InfrastructureError ? 3 : 2;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`llm-price-lab: internal error (a bug in the runner, please report it):\n${stack}\n`);
  return 1;
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let extracted: ReturnType<typeof extractParameters>;
  try {
    extracted = extractParameters(argv.slice(2));
  } catch (error) {
    io.stderr.write(`llm-price-lab: ${errorMessage(error)}\n`);
    return 2;
  }
  let request: { notebooks: string[]; flags: RunFlags } | undefined;
  const program = buildProgram(io, (notebooks, flags) => {
    request = { notebooks, flags };
  });
  try {
    program.parse(extracted.args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
    }
    throw error;
  }
  if (!request) {
    program.outputHelp();
    return 2;
  }
  const { notebooks, flags } = request;

  const serverUrls = flags.server ?? (io.env.JUPYTER_BASE_URL ? [io.env.JUPYTER_BASE_URL] : []);
  const tokens = flags.token ?? [];
  if (tokens.length) {
    io.stderr.write('llm-price-lab: warning: --token shows in the process list to every user of this machine; set JUPYTER_TOKEN instead\n');
  }
  if (tokens.length > 1 && tokens.length !== serverUrls.length) {
    io.stderr.write(`llm-price-lab: ${tokens.length} --token values for ${serverUrls.length} --server values: give one per server, or one for all\n`);
    return 2;
  }
  const servers = serverUrls.map((baseUrl, i) => ({ baseUrl, token: tokens[tokens.length > 1 ? i : 0] ?? io.env.JUPYTER_TOKEN ?? '' }));
  const options: RunOptions = {
    notebooks: notebooks.length ? notebooks : undefined,
    outputDir: flags.outputDir,
    jobs: flags.jobs,
    parameters: extracted.parameters,
    parameterFiles: flags.parametersFile,
    profile: flags.profile,
    refreshFacts: flags.refreshFacts,
    inplace: flags.inplace,
    html: flags.html,
    allowErrors: flags.allowErrors,
    threadBudget: flags.threadBudget,
    cellTimeout: flags.cellTimeout,
    notebookTimeout: flags.notebookTimeout,
    server: servers.length ? servers : undefined,
    junit: flags.junit,
    cache: { dir: flags.cacheDir ?? join(flags.outputDir ?? buildDir(), 'cache'), lookup: flags.cache },
    sharedBrowser: flags.sharedBrowser,
  };

  const mode = flags.progress === 'auto' ? progressMode(io.stderr, io.env) : flags.progress;
  const bars = mode === 'bars' ? barProgress(io.stderr) : undefined;
  const hooks: RunHooks = bars ?? (mode === 'lines' ? lineProgress((line) => io.stderr.write(`${line}\n`)) : {});

  const controller = new AbortController();
  let signalCode = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    signalCode = SIGNAL_EXIT_CODES[signal as HandledSignal] ?? 143;
    bars?.stop();
    io.stderr.write(`\nllm-price-lab: ${signal}: stopping kernels and the Jupyter server\n`);
    controller.abort(signal);
  };
  const signals = io.signals ?? process;
  for (const name of HANDLED_SIGNALS) signals.on(name, onSignal);
  try {
    const report = await runNotebooks({ ...options, signal: controller.signal }, hooks);
    bars?.stop();
    io.stdout.write(`${consoleSummary(report)}\n`);
    return report.exitCode;
  } catch (error) {
    bars?.stop();
    if (error instanceof RunAbortedError) {
      if (error.report) io.stdout.write(`${consoleSummary(error.report)}\n`);
      return signalCode || 130;
    }
    if (error instanceof InfrastructureError && error.context.report) io.stdout.write(`${consoleSummary(error.context.report)}\n`);
    return failureExitCode(error, io);
  } finally {
    for (const name of HANDLED_SIGNALS) signals.off(name, onSignal);
  }
}
