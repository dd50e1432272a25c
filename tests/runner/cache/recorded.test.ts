/** What a kernel reports it read and ran, and which of its modules are the project's own. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireClosure } from '../../../src/runner/cache/digest';
import { parseRecorded, projectModules, recordedCode } from '../../../src/runner/cache/recorded';
import { PROVENANCE_SYMBOL, recorded, recordRead, recordScript, recordWrite } from '../../../src/provenance';
import { tempFolders } from '../../temp-folders';

const temps = tempFolders('cache-recorded-');
afterAll(() => temps.removeAll());

describe("a kernel's record", () => {
  it('is kept on globalThis, so every copy of the library adds to one record', () => {
    recordRead('/data/a.csv');
    recordRead('/data/a.csv');
    recordWrite('/build/models/cnn');
    recordScript('/dist/src/model/worker.js');
    const held = (globalThis as unknown as Record<symbol, unknown>)[Symbol.for(PROVENANCE_SYMBOL)];
    expect(held).toEqual(recorded());
    expect(recorded().reads.filter((r) => r === '/data/a.csv')).toHaveLength(1);
    expect(recorded().writes).toContain('/build/models/cnn');
  });

  it('is printed by the snippet on one marked line and parsed back; anything else is no record', () => {
    const code = recordedCode();
    expect(code).toContain(`Symbol.for(${JSON.stringify(PROVENANCE_SYMBOL)})`);
    expect(code).toContain('require.cache');
    const line = `llm-price-lab-provenance:${JSON.stringify({ reads: ['/a'], writes: [], scripts: [], modules: ['/m.js'] })}`;
    expect(parseRecorded(`noise\n${line}\n`)).toEqual({ reads: ['/a'], writes: [], scripts: [], modules: ['/m.js'] });
    expect(parseRecorded('nothing marked')).toBeUndefined();
    expect(parseRecorded('llm-price-lab-provenance:{"reads":[1]}')).toBeUndefined();
    expect(parseRecorded('llm-price-lab-provenance:{not json')).toBeUndefined();
  });

  it("keeps the project's own modules, and what its worker scripts require", () => {
    const root = temps.make();
    const src = join(root, 'dist', 'src', 'model');
    mkdirSync(src, { recursive: true });
    mkdirSync(join(root, 'dist', 'kernel'), { recursive: true });
    writeFileSync(join(src, 'worker.js'), 'const g = require("./gradients");\nconst a = require("../atomic");\nrequire("node:fs");\n');
    writeFileSync(join(src, 'gradients.js'), 'require("./adam.js");\n');
    writeFileSync(join(src, 'adam.js'), '');
    writeFileSync(join(root, 'dist', 'src', 'atomic.js'), '');
    writeFileSync(join(src, 'cnn.js'), '');
    const modules = projectModules(
      {
        reads: [],
        writes: [],
        scripts: [join(src, 'worker.js')],
        modules: [join(src, 'cnn.js'), join(root, 'node_modules', 'tslab', 'index.js'), join(root, 'dist', 'kernel', 'main.js'), '/elsewhere/x.js'],
      },
      root,
      join(root, 'dist', 'kernel'),
    );
    expect(modules).toEqual([join(root, 'dist', 'src', 'atomic.js'), join(src, 'adam.js'), join(src, 'cnn.js'), join(src, 'gradients.js'), join(src, 'worker.js')].sort());
    expect(requireClosure([join(src, 'gradients.js')])).toEqual([join(src, 'adam.js'), join(src, 'gradients.js')]);
  });
});
