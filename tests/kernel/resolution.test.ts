import { describe, expect, it } from 'vitest';
import { createFallbackMapper, installResolutionFallback, nodePathRoots, type ResolutionSystem } from '../../kernel/resolution';

describe('module resolution fallback', () => {
  const files = new Set(['/project/node_modules/llm-price-lab/package.json', '/node_modules/own/index.js', '/tmp/nb/x.ts']);
  const dirs = new Set(['/project/node_modules', '/project/node_modules/llm-price-lab', '/node_modules', '/node_modules/own']);
  const exists = (path: string) => files.has(path) || dirs.has(path);

  it('reads NODE_PATH as Node does: absolute folders, in order', () => {
    expect(nodePathRoots({ NODE_PATH: '/a/node_modules::relative:/b' })).toEqual(['/a/node_modules', '/b']);
    expect(nodePathRoots({})).toEqual([]);
  });

  it('answers only for the last node_modules the compiler tries, and only when the real one lacks the file', () => {
    const map = createFallbackMapper(['/project/node_modules'], exists);
    expect(map('/node_modules/llm-price-lab/package.json')).toBe('/project/node_modules/llm-price-lab/package.json');
    expect(map('/node_modules/own/index.js')).toBeUndefined();
    expect(map('/node_modules/missing/index.d.ts')).toBeUndefined();
    expect(map('/tmp/node_modules/llm-price-lab/package.json')).toBeUndefined();
    expect(map('/tmp/nb/x.ts')).toBeUndefined();
  });

  it('patches a file system and undoes it', () => {
    const system: ResolutionSystem = {
      fileExists: (path) => files.has(path),
      directoryExists: (path) => dirs.has(path),
      readFile: (path) => (files.has(path) ? `contents of ${path}` : undefined),
      getDirectories: () => [],
      realpath: (path) => path,
    };
    const undo = installResolutionFallback(system, ['/project/node_modules']);
    expect(system.fileExists('/node_modules/llm-price-lab/package.json')).toBe(true);
    expect(system.readFile('/node_modules/llm-price-lab/package.json')).toBe('contents of /project/node_modules/llm-price-lab/package.json');
    expect(system.realpath!('/node_modules/llm-price-lab/package.json')).toBe('/project/node_modules/llm-price-lab/package.json');
    expect(system.readFile('/tmp/nb/x.ts')).toBe('contents of /tmp/nb/x.ts');
    undo();
    expect(system.fileExists('/node_modules/llm-price-lab/package.json')).toBe(false);
  });
});
