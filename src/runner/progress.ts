/**
 * Progress listeners on the runner's hooks: live bars on a terminal (cli-progress, one per
 * notebook: cell i/N, elapsed, status), plain timestamped lines in CI or when output is not a TTY.
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { failureSummary } from './failures';
import { statusText } from './report';
import type { CellResult, RunHooks } from './types';

export type ProgressMode = 'bars' | 'lines' | 'none';

/** Bars on an interactive terminal, lines in CI (`CI` set) or when the stream is not a TTY. */
export function progressMode(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): ProgressMode {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return stream.isTTY && !ci ? 'bars' : 'lines';
}

function resultWord(result: CellResult): string {
  switch (result.kind) {
    case 'ok':
      return `ok ${result.seconds.toFixed(1)}s`;
    case 'skipped':
      return 'skipped';
    case 'expected-error':
      return `raised ${result.ename} (expected) ${result.seconds.toFixed(1)}s`;
    default:
      return `FAILED ${failureSummary(result)}`;
  }
}

/** Plain lines: `2026-01-01T12:00:00.000Z 01-intro cell 3/12 ok 0.4s`. */
export function lineProgress(write: (line: string) => void, now: () => Date = () => new Date()): RunHooks {
  const say = (text: string) => write(`${now().toISOString()} ${text}`);
  return {
    onRunStart: ({ notebooks, jobs }) => say(`running ${notebooks.length} notebook(s), ${jobs} at a time`),
    onNotebookStart: ({ name, codeCells }) => say(`${name} start (${codeCells} code cells)`),
    onCellStart: ({ name, codeCellNumber, codeCells }) => say(`${name} cell ${codeCellNumber}/${codeCells} running`),
    onCellDone: ({ name, codeCellNumber, codeCells, result }) =>
      say(`${name} cell ${codeCellNumber}/${codeCells} ${resultWord(result)}`),
    onNotebookDone: (r) => say(r.cached ? `${r.name} ${statusText(r)}` : `${r.name} ${r.status} in ${r.seconds.toFixed(1)}s (${r.cellsRun}/${r.codeCells} cells)`),
  };
}

/** Live bars on a terminal; `stop()` must be called before printing the summary. */
export function barProgress(stream: NodeJS.WriteStream): RunHooks & { stop(): void } {
  const multibar = new MultiBar(
    {
      stream,
      clearOnComplete: false,
      hideCursor: true,
      format: '{name} |{bar}| cell {value}/{total} {elapsed}s {status}',
      forceRedraw: true,
    },
    Presets.shades_classic,
  );
  const bars = new Map<string, { bar: SingleBar; started: number }>();
  const timer = setInterval(() => {
    for (const { bar, started } of bars.values()) bar.update({ elapsed: ((Date.now() - started) / 1000).toFixed(0) });
  }, 1000);
  timer.unref();
  const width = { name: 12 };
  return {
    onRunStart: ({ notebooks }) => {
      width.name = Math.max(...notebooks.map((n) => n.replace(/^.*[\\/]/, '').replace(/\.ipynb$/, '').length), 8);
    },
    onNotebookStart: ({ name, codeCells }) => {
      const bar = multibar.create(codeCells, 0, { name: name.padEnd(width.name), status: 'starting kernel', elapsed: '0' });
      bars.set(name, { bar, started: Date.now() });
    },
    onCellStart: ({ name, codeCellNumber }) => bars.get(name)?.bar.update(codeCellNumber - 1, { status: 'running' }),
    onCellDone: ({ name, codeCellNumber, result }) =>
      bars.get(name)?.bar.update(codeCellNumber, { status: result.kind === 'ok' || result.kind === 'skipped' || result.kind === 'expected-error' ? 'running' : 'FAILED' }),
    onNotebookDone: (r) => {
      const entry = bars.get(r.name);
      entry?.bar.update({ status: r.status, elapsed: r.seconds.toFixed(0) });
    },
    stop: () => {
      clearInterval(timer);
      multibar.stop();
    },
  };
}
