/**
 * What a run tells its readers: the exit code, report.json, JUnit XML (one test case per notebook)
 * and the console summary (a table, then each failure with its cell, failing line and traceback).
 * Pure functions of the RunReport.
 */
import { describeMovement } from '../facts/lock';
import { escapeHtml } from '../show/html';
import { failureSummary, stripAnsi } from './failures';
import { NOT_CONSULTED } from './cache/plan';
import { NOTHING_CACHED } from './cache/store';
import type { FailingCell, NotebookReport, RunReport } from './types';

/** Whether a notebook's result is a pass: executed now, or answered by the cache from a run where it passed. */
export function succeeded(n: NotebookReport): boolean {
  return n.status === 'passed' || n.status === 'cached';
}

/** `cached (run of 2026-12-05 04:31 UTC, 31.2 s)` for a cached result, else its status. */
export function statusText(n: NotebookReport): string {
  if (!n.cached) return n.status;
  const when = n.cached.producedAt.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
  return `cached (run of ${when}, ${n.cached.seconds.toFixed(1)} s)`;
}

/** 3 when a notebook could not get a kernel or be written, else 1 when one did not pass, else 0. */
export function exitCodeFor(notebooks: NotebookReport[]): RunReport['exitCode'] {
  if (notebooks.some((n) => n.status === 'infrastructure-error' || n.writeError)) return 3;
  if (notebooks.some((n) => !succeeded(n))) return 1;
  return 0;
}

export function reportJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Text for JUnit XML content or attributes: without ANSI colours and the control characters XML forbids. */
function xmlEscape(text: string): string {
  return escapeHtml(stripAnsi(text).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ''));
}

/** `Cell In[n], line N` frames of a traceback (how the project kernel and IPython name cells). */
const CELL_FRAME = /\bCell In\[(\d+)\], line (\d+)/g;

/**
 * The failing line of the cell when the traceback names one. A traceback names the cells of all
 * frames (`Cell In[2], line 5` for a function an earlier cell defined): the failing cell's own
 * frame is the one with its execution count, else the highest count (the cell that ran last).
 * Kernels that do not name cells: `<cell>:3:7`, `3:7 - …`, `line 3`.
 */
export function failingLine(cell: FailingCell): { line: number; text: string } | undefined {
  if (cell.failure.kind !== 'error') return undefined;
  const lines = cell.source.split('\n');
  const text = stripAnsi([cell.failure.evalue, ...cell.failure.traceback].join('\n'));
  const inRange = (line: number) => (line >= 1 && line <= lines.length ? { line, text: lines[line - 1] } : undefined);
  const frames = [...text.matchAll(CELL_FRAME)].map((m) => ({ count: Number(m[1]), line: Number(m[2]) }));
  if (frames.length) {
    const own = typeof cell.executionCount === 'number' ? cell.executionCount : Math.max(...frames.map((f) => f.count));
    const frame = frames.find((f) => f.count === own);
    return frame ? inRange(frame.line) : undefined;
  }
  const patterns = [/<(?:cell|anonymous)[^>]*>:(\d+)(?::\d+)?/, /^\s*(\d+):\d+ - /m, /\bline (\d+)\b/i];
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (!match) continue;
    const found = inRange(Number(match[1]));
    if (found) return found;
  }
  return undefined;
}

function tracebackText(cell: FailingCell): string {
  if (cell.failure.kind !== 'error') return failureSummary(cell.failure);
  const tb = stripAnsi(cell.failure.traceback.join('\n')).trim();
  return tb || failureSummary(cell.failure);
}

/** JUnit XML: one `<testcase>` per notebook, `<failure>` or `<error>` (infrastructure) with details. */
export function junitXml(report: RunReport): string {
  const isError = (n: NotebookReport) => n.status === 'infrastructure-error' || n.status === 'internal-error';
  const failures = report.notebooks.filter((n) => !succeeded(n) && n.status !== 'not-run' && !isError(n)).length;
  const errors = report.notebooks.filter(isError).length;
  const skipped = report.notebooks.filter((n) => n.status === 'not-run').length;
  const cases = report.notebooks.map((n) => {
    const open = `  <testcase classname="notebooks" name="${xmlEscape(n.name)}" file="${xmlEscape(n.notebook)}" time="${n.seconds.toFixed(3)}"`;
    if (n.status === 'cached') {
      const properties = [`      <property name="cached" value="true"/>`, `      <property name="produced-at" value="${xmlEscape(n.cached?.producedAt ?? '')}"/>`];
      return `${open}>\n    <properties>\n${properties.join('\n')}\n    </properties>\n  </testcase>`;
    }
    if (n.status === 'passed' && !n.writeError) return `${open}/>`;
    if (n.status === 'passed') return `${open}>\n    <error message="${xmlEscape(n.writeError ?? '')}"/>\n  </testcase>`;
    if (n.status === 'not-run') return `${open}>\n    <skipped message="${xmlEscape(n.message ?? 'not run')}"/>\n  </testcase>`;
    if (isError(n)) {
      const first = (n.message ?? 'kernel could not start').split('\n')[0];
      return `${open}>\n    <error message="${xmlEscape(first)}">${xmlEscape(n.message ?? '')}</error>\n  </testcase>`;
    }
    const cell = n.failingCell;
    const message = cell ? `cell ${cell.codeCellNumber}: ${failureSummary(cell.failure)}` : n.status;
    const body = cell ? `${tracebackText(cell)}\n\n--- cell source ---\n${cell.source}` : '';
    return `${open}>\n    <failure message="${xmlEscape(message)}" type="${n.status}">${xmlEscape(body)}</failure>\n  </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${report.notebooks.length}" failures="${failures}" errors="${errors}" time="${report.seconds.toFixed(3)}">`,
    `<testsuite name="llm-price-lab notebooks" tests="${report.notebooks.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${report.seconds.toFixed(3)}" timestamp="${report.startedAt}">`,
    ...cases,
    '</testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** The end-of-run summary: a table, then every failure in full. */
/** What the facts locks say: each figure that moved, a lock that could not be read, a refreshed lock. */
export function factsLines(notebooks: NotebookReport[]): string[] {
  const out: string[] = [];
  for (const n of notebooks) {
    const facts = n.facts;
    if (!facts) continue;
    if (facts.refreshed) out.push('', `facts of ${n.name}: ${facts.lockFile} refreshed for the ${facts.profile} profile`);
    else if (facts.error) out.push('', `facts of ${n.name} not compared: ${facts.error}`);
    else if (facts.movements.length) {
      out.push('', `facts of ${n.name} (${facts.profile} profile, ${facts.lockFile}):`, ...facts.movements.map((m) => `  ${describeMovement(m)}`));
    }
  }
  return out;
}

/** Why notebooks ran although a cache was consulted (when it says more than "nothing stored"), and results not stored. */
export function cacheLines(notebooks: NotebookReport[]): string[] {
  const said = notebooks.filter((n) => n.cacheMiss && n.cacheMiss !== NOTHING_CACHED && n.cacheMiss !== NOT_CONSULTED);
  const out = said.length ? ['', 'ran again because:', ...said.map((n) => `  ${n.name}: ${n.cacheMiss}`)] : [];
  for (const n of notebooks) if (n.cacheError) out.push('', `! ${n.name}: result ${n.cacheError}`);
  return out;
}

export function consoleSummary(report: RunReport): string {
  const rows = report.notebooks.map((n) => [n.name, `${n.cellsRun}/${n.codeCells}`, n.seconds.toFixed(1), statusText(n)]);
  const header = ['notebook', 'cells', 'seconds', 'status'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  for (const n of report.notebooks) {
    if (n.writeError) out.push('', `✗ ${n.notebook}: ${n.writeError}`);
    if (succeeded(n)) continue;
    out.push('');
    if (!n.failingCell) {
      const message = n.status === 'internal-error' ? (n.message ?? n.status) : (n.message ?? n.status).split('\n')[0];
      out.push(`✗ ${n.notebook}: ${message}`);
      continue;
    }
    const cell = n.failingCell;
    out.push(`✗ ${n.notebook}, code cell ${cell.codeCellNumber} (index ${cell.index}, id ${cell.id}): ${failureSummary(cell.failure)}`);
    const failing = failingLine(cell);
    if (failing) out.push(`  line ${failing.line}: ${failing.text.trim()}`);
    else out.push(...cell.source.split('\n').slice(0, 6).map((l) => `  | ${l}`));
    if (cell.failure.kind === 'error') out.push(...tracebackText(cell).split('\n').slice(0, 30).map((l) => `    ${l}`));
    if (n.outputNotebook) out.push(`  written: ${n.outputNotebook}`);
  }
  out.push(...factsLines(report.notebooks), ...cacheLines(report.notebooks));
  const passed = report.notebooks.filter(succeeded).length;
  const cached = report.notebooks.filter((n) => n.status === 'cached').length;
  if (report.interrupted) out.push('', `the run was interrupted (${report.interrupted}); notebooks not started are marked not-run`);
  const fromCache = cached ? `, ${cached} of them from the cache,` : '';
  out.push('', `${passed}/${report.notebooks.length} notebooks passed${fromCache} in ${report.seconds.toFixed(1)} s (exit ${report.exitCode})`);
  return out.join('\n');
}
