/**
 * Shows a cost figure in a notebook through the plotting module (one display bundle), then its
 * sources beneath it, so every chart built from the reference data says where its numbers come from.
 */
import { display } from '../display';
import { plotlyFigure } from '../plot';
import type { SourcedFigureSpec } from './figures';

/** The text shown under a chart: its numbered sources ('' when there are none). */
export function sourcesText(sources: readonly string[]): string {
  return sources.length === 0 ? '' : `Sources: ${sources.map((s, i) => `[${i + 1}] ${s}`).join('  ')}`;
}

/** `await showSourcedFigure(spec)`: the chart (with its static image when a browser is available), then its sources. */
export async function showSourcedFigure(spec: SourcedFigureSpec): Promise<void> {
  await plotlyFigure({ data: spec.data, layout: spec.layout }).show();
  const text = sourcesText(spec.sources);
  if (text !== '') display({ 'text/plain': text, 'text/markdown': text });
}
