/**
 * HTML export through `jupyter nbconvert --to html --template lab`, so pages are exactly what
 * users get from nbconvert. The page is written atomically; index.html lists every notebook.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { jupyterCommand } from '../machine';
import { describeMovement } from '../facts/lock';
import { escapeHtml } from '../show/html';
import { writeFileAtomic } from '../atomic';
import { statusText, succeeded } from './report';
import type { Notebook, NotebookReport } from './types';
import { withoutWidgetState } from './widget-state';

/** nbconvert converts a notebook in 1-3 s here; large plot outputs take longer. */
export const NBCONVERT_TIMEOUT_MS = 180_000;

export type ExportResult = { kind: 'ok'; path: string } | { kind: 'error'; message: string };

/**
 * Converts `notebookPath` to HTML at `htmlPath`. A page never fetches anything: nbconvert would load
 * the widget HTML manager from a CDN for a notebook that carries saved widget state, so such a
 * notebook is converted from a copy without it (in a private temp folder, under the same name, so
 * the page's title is the same); its widgets show their text and the figures drawn for their
 * starting values, as in every front end without a widget manager. `written` is the notebook that
 * `notebookPath` holds, when the caller has it (a run's executed copy, several MB with plotly.js
 * inline, is then not read and parsed again).
 */
export async function exportHtml(notebookPath: string, htmlPath: string, written?: Notebook): Promise<ExportResult> {
  let notebook: Notebook;
  if (written) notebook = written;
  else {
    try {
      notebook = JSON.parse(readFileSync(notebookPath, 'utf8')) as Notebook;
    } catch {
      return convert(notebookPath, htmlPath); // nbconvert says what is wrong with it
    }
  }
  if (!('widgets' in notebook.metadata)) return convert(notebookPath, htmlPath);
  const folder = mkdtempSync(join(tmpdir(), 'llm-price-lab-export-'));
  try {
    const copy = join(folder, basename(notebookPath));
    writeFileSync(copy, JSON.stringify(withoutWidgetState(notebook)));
    return await convert(copy, htmlPath, basename(notebookPath));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function convert(notebookPath: string, htmlPath: string, name = basename(notebookPath)): Promise<ExportResult> {
  return new Promise((resolve) => {
    execFile(
      jupyterCommand(),
      ['nbconvert', '--to', 'html', '--template', 'lab', '--stdout', notebookPath],
      { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: NBCONVERT_TIMEOUT_MS },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim().split('\n').slice(-1)[0] || error.message;
          resolve({ kind: 'error', message: `nbconvert failed for ${name}: ${detail}` });
          return;
        }
        try {
          writeFileAtomic(htmlPath, stdout);
          resolve({ kind: 'ok', path: htmlPath });
        } catch (writeError) {
          resolve({ kind: 'error', message: `cannot write ${htmlPath}: ${String(writeError)}` });
        }
      },
    );
  });
}

/** The index page: one row per notebook with its status and time, linking to its page. */
/** The facts column: held, refreshed, not compared, or the list of figures that moved. */
function factsCell(r: NotebookReport): string {
  const facts = r.facts;
  if (!facts) return '';
  if (facts.refreshed) return `lock refreshed (${escapeHtml(facts.profile)})`;
  if (facts.error) return `not compared: ${escapeHtml(facts.error)}`;
  if (!facts.movements.length) return `held (${escapeHtml(facts.profile)})`;
  const items = facts.movements.map((m) => `<li>${escapeHtml(describeMovement(m))}</li>`).join('');
  return `<details class="moved"><summary>${facts.movements.length} moved (${escapeHtml(facts.profile)})</summary><ul>${items}</ul></details>`;
}

export function indexHtml(reports: NotebookReport[], htmlDir: string): string {
  const rows = reports
    .map((r) => {
      const link = r.html ? `<a href="${escapeHtml(relative(htmlDir, r.html))}">${escapeHtml(r.name)}</a>` : escapeHtml(r.name);
      const where = r.failingCell ? ` (cell ${r.failingCell.codeCellNumber})` : '';
      return `<tr class="${succeeded(r) ? 'passed' : r.status}"><td>${link}</td><td>${escapeHtml(statusText(r))}${where}</td><td>${r.cellsRun}/${r.codeCells}</td><td>${r.seconds.toFixed(1)}</td><td>${factsCell(r)}</td></tr>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>llm-price-lab notebooks</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}
tr.passed td:nth-child(2){color:#176117}tr:not(.passed) td:nth-child(2){color:#b00020;font-weight:bold}details.moved summary{color:#b00020}</style></head>
<body><h1>llm-price-lab notebooks</h1>
<table><thead><tr><th>notebook</th><th>status</th><th>cells run</th><th>seconds</th><th>facts</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}
