import { afterEach, describe, expect, it } from 'vitest';
import { DISPLAY_SINK, MIME_BUNDLE, display, hasMimeBundle, newDisplay, type DisplaySink, type MimeBundle } from '../src/display';

describe('display contract', () => {
  const sent: Array<[string, unknown]> = [];
  const sink: DisplaySink = {
    display: (bundle, options) => sent.push(['display', { bundle, options }]),
    update: (id, bundle) => sent.push(['update', { id, bundle }]),
    clear: (wait) => sent.push(['clear', wait]),
  };
  afterEach(() => {
    sent.length = 0;
    delete (globalThis as Record<symbol, unknown>)[DISPLAY_SINK];
  });

  it('recognises values that offer a MIME bundle', () => {
    const chart = { [MIME_BUNDLE]: (): MimeBundle => ({ 'text/plain': 'chart' }) };
    expect(hasMimeBundle(chart)).toBe(true);
    expect(hasMimeBundle({ 'text/plain': 'x' })).toBe(false);
    expect(hasMimeBundle(null)).toBe(false);
  });

  it('sends whole bundles through the kernel sink and updates by display id', () => {
    (globalThis as Record<symbol, unknown>)[DISPLAY_SINK] = sink;
    display({ 'text/plain': 'a', 'text/html': '<b>a</b>' });
    const handle = newDisplay({ 'text/plain': 'step 1' });
    handle.update({ 'text/plain': 'step 2' });
    expect(sent[0]).toEqual(['display', { bundle: { 'text/plain': 'a', 'text/html': '<b>a</b>' }, options: {} }]);
    expect(sent[1]?.[0]).toBe('display');
    expect(sent[2]).toEqual(['update', { id: handle.displayId, bundle: { 'text/plain': 'step 2' } }]);
  });
});
