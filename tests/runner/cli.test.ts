import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { extractParameters, main } from '../../src/runner/cli';
import { RunnerInputError } from '../../src/runner/errors';

function io(env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return {
    io: { stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream, env },
    out: () => out,
    err: () => err,
  };
}

describe('extractParameters', () => {
  it('takes -p NAME VALUE pairs out of argv, parsing values as JSON else strings', () => {
    expect(extractParameters(['run', 'a.ipynb', '-p', 'epochs', '3', '--parameter', 'label', 'two words', '-j', '2'])).toEqual({
      args: ['run', 'a.ipynb', '-j', '2'],
      parameters: { epochs: 3, label: 'two words' },
    });
    expect(() => extractParameters(['run', '-p', 'epochs'])).toThrow(RunnerInputError);
  });
});

describe('main (usage and input errors, exit 2, nothing written)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  const out = join(dir, 'out');

  it('an invalid notebook', async () => {
    const bad = join(dir, 'bad.ipynb');
    writeFileSync(bad, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code' }] }));
    const t = io();
    expect(await main(['node', 'cli', 'run', bad, '-o', out], t.io)).toBe(2);
    expect(t.err()).toMatch(/bad\.ipynb: invalid nbformat 4\.5 notebook/);
    expect(existsSync(out)).toBe(false);
  });

  it('an unknown parameter and a wrong type, naming notebook and parameter', async () => {
    const nb = join(__dirname, '../fixtures/runner/success.ipynb');
    const t1 = io();
    expect(await main(['node', 'cli', 'run', nb, '-o', out, '-p', 'epoch', '3'], t1.io)).toBe(2);
    expect(t1.err()).toMatch(/success\.ipynb: unknown parameter 'epoch'/);
    const t2 = io();
    expect(await main(['node', 'cli', 'run', nb, '-o', out, '-p', 'epochs', 'many'], t2.io)).toBe(2);
    expect(t2.err()).toMatch(/success\.ipynb: parameter 'epochs' expects number/);
    expect(existsSync(out)).toBe(false);
  });

  it('bad options and a missing file', async () => {
    const t = io();
    expect(await main(['node', 'cli', 'run', '--jobs', 'zero'], t.io)).toBe(2);
    expect(t.err()).toMatch(/--jobs/);
    expect(await main(['node', 'cli', 'run', '--no-such-option'], io().io)).toBe(2);
    const t3 = io();
    expect(await main(['node', 'cli', 'run', join(dir, 'missing.ipynb')], t3.io)).toBe(2);
    expect(t3.err()).toMatch(/missing\.ipynb: no such file or folder/);
  });

  it('--help exits 0 and lists the options', async () => {
    const t = io();
    expect(await main(['node', 'cli', 'run', '--help'], t.io)).toBe(0);
    expect(t.out()).toMatch(/--parameter <name value>/);
    expect(t.out()).toMatch(/--junit <file>/);
  });

  it('a Jupyter that cannot start is an infrastructure error (exit 3)', async () => {
    const nb = join(__dirname, '../fixtures/runner/success.ipynb');
    const saved = process.env.JUPYTER_BIN;
    process.env.JUPYTER_BIN = join(dir, 'no-such-jupyter');
    try {
      const t = io();
      expect(await main(['node', 'cli', 'run', nb, '-o', out], t.io)).toBe(3);
      expect(t.err()).toMatch(/cannot run .*no-such-jupyter/);
    } finally {
      if (saved === undefined) delete process.env.JUPYTER_BIN;
      else process.env.JUPYTER_BIN = saved;
    }
    expect(existsSync(out)).toBe(false);
  });

  it('an unreachable --server is an infrastructure error (exit 3)', async () => {
    const nb = join(__dirname, '../fixtures/runner/success.ipynb');
    const t = io({ JUPYTER_BASE_URL: 'http://127.0.0.1:9/', JUPYTER_TOKEN: 'x' });
    expect(await main(['node', 'cli', 'run', nb, '-o', out], t.io)).toBe(3);
    expect(t.err()).toMatch(/cannot list kernels at http:\/\/127\.0\.0\.1:9\//);
    expect(existsSync(out)).toBe(false);
  });
});
