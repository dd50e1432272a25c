/**
 * The model room's results as displays: the backend report of `selectBackend` and the layer table
 * of `summarizeModel`, as text, Markdown and HTML (through the one escaper: layer names come from
 * user code, reasons from libraries' error messages).
 */
import { MIME_BUNDLE, type HasMimeBundle, type MimeBundle } from '../display';
import type { BackendReport } from '../model/backend';
import type { LayerSummary, ModelSummary } from '../model/cnn';
import { escapeHtml } from './html';
import { markdownCell } from './table';

/** The backend chosen, why each other one was not, and the WebGPU adapter. */
export function backendTable(report: BackendReport): HasMimeBundle {
  return {
    [MIME_BUNDLE](): MimeBundle {
      const { chosen, device, attempts, adapterLine } = report;
      const text = [`tfjs backend: ${chosen} on ${device}`, ...attempts.map((a) => `  ${a.name}: ${a.outcome} — ${a.reason}`), adapterLine].join('\n');
      const rows = attempts
        .map((a) => `<tr><td><code>${escapeHtml(a.name)}</code></td><td>${a.outcome === 'chosen' ? '<b>chosen</b>' : escapeHtml(a.outcome)}</td><td>${escapeHtml(a.reason)}</td></tr>`)
        .join('');
      const html =
        `<p>tfjs backend: <b>${escapeHtml(chosen)}</b> on ${escapeHtml(device)}</p>` +
        `<table><thead><tr><th>backend</th><th>outcome</th><th>why</th></tr></thead><tbody>${rows}</tbody></table>` +
        `<p>${escapeHtml(adapterLine)}</p>`;
      const markdown = [
        `tfjs backend: **${chosen}** on ${markdownCell(device)}`,
        '',
        '| backend | outcome | why |',
        '|---|---|---|',
        ...attempts.map((a) => `| \`${a.name}\` | ${a.outcome === 'chosen' ? '**chosen**' : a.outcome} | ${markdownCell(a.reason)} |`),
        '',
        adapterLine,
      ].join('\n');
      return { 'text/plain': text, 'text/html': html, 'text/markdown': markdown };
    },
  };
}

/** The layer table as HTML; every name and shape goes through the one escaper. */
export function layerTableHtml(layers: readonly LayerSummary[], totalParams: number): string {
  const rows = layers
    .map((l) => `<tr><td>${escapeHtml(`${l.name} (${l.type})`)}</td><td>${escapeHtml(l.outputShape)}</td><td style="text-align:right">${l.params}</td></tr>`)
    .join('');
  return `<table><thead><tr><th>layer (type)</th><th>output shape</th><th>params</th></tr></thead><tbody>${rows}</tbody><tfoot><tr><td colspan="2">total</td><td style="text-align:right">${totalParams}</td></tr></tfoot></table>`;
}

/** A model's layers, output shapes and parameter counts, as Keras' `model.summary()` lays them out. */
export function layerTable(summary: ModelSummary): HasMimeBundle {
  return {
    [MIME_BUNDLE](): MimeBundle {
      const text = [
        'layer (type)                      output shape          params',
        ...summary.layers.map((l) => `${`${l.name} (${l.type})`.padEnd(34)}${l.outputShape.padEnd(22)}${l.params}`),
        `total params: ${summary.totalParams}`,
      ].join('\n');
      return { 'text/plain': text, 'text/html': layerTableHtml(summary.layers, summary.totalParams) };
    },
  };
}
