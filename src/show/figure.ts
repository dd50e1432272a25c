/**
 * Shows a figure spec in a notebook: the figure as one display bundle, then its sources beneath.
 */
import { display } from '../display';
import type { FigureSpec } from '../cost/figures';

function titleOf(figure: FigureSpec): string {
  const title = figure.layout['title'];
  if (typeof title === 'string') return title;
  if (typeof title === 'object' && title !== null && typeof (title as { text?: unknown }).text === 'string') return (title as { text: string }).text;
  return 'figure';
}

/** The text shown under a chart: its numbered sources. */
export function sourcesText(sources: readonly string[]): string {
  return sources.length === 0 ? '' : `Sources: ${sources.map((s, i) => `[${i + 1}] ${s}`).join('  ')}`;
}

export function showFigure(figure: FigureSpec): void {
  display({
    'application/vnd.plotly.v1+json': { data: figure.data, layout: figure.layout },
    'text/plain': `<figure: ${titleOf(figure)}>`,
  });
  const text = sourcesText(figure.sources);
  if (text !== '') display({ 'text/plain': text, 'text/markdown': text });
}
