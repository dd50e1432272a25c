/**
 * plotly.js itself: where the installed bundle is (the static renderer's page loads it) and its source
 * (inlined once into a session's HTML output). Read only when first asked for, never at import.
 */
import { readFileSync } from 'node:fs';
import { FileProblemError } from '../errors';

export class PlotlyBundleError extends FileProblemError {
  constructor(path: string, problem: string) {
    super(path, problem, { what: 'plotly.js bundle' });
  }
}

/** The file of the plotly.js-dist-min bundle this package depends on. */
export function plotlyBundlePath(): string {
  return require.resolve('plotly.js-dist-min');
}

let plotlySourceCache: string | undefined;

/** The plotly.js-dist-min source, checked once to be safe inside an inline `<script>`. */
export function plotlySource(): string {
  if (plotlySourceCache !== undefined) return plotlySourceCache;
  const path = plotlyBundlePath();
  const source = readFileSync(path, 'utf8');
  if (/<\/script/i.test(source)) throw new PlotlyBundleError(path, 'contains "</script" and cannot be inlined');
  plotlySourceCache = source;
  return source;
}
