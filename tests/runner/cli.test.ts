import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { extractParameters, failureExitCode, main } from '../../src/runner/cli';
import { InfrastructureError, RunnerInputError } from '../../src/runner/errors';
import type { RunReport } from '../../src/runner/types';
import { tempFolders } from '../temp-folders';

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
  const folders = tempFolders('cli-');
  afterAll(() => folders.removeAll());
  const dir = folders.make();
  const out = join(dir, 'out');
  const infraOut = join(dir, 'infra');

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
    expect(t.out()).toMatch(/--refresh-facts/);
  });

  it('a Jupyter that cannot start is an infrastructure error (exit 3)', async () => {
    const nb = join(__dirname, '../fixtures/runner/success.ipynb');
    const saved = process.env.JUPYTER_BIN;
    process.env.JUPYTER_BIN = join(dir, 'no-such-jupyter');
    try {
      const t = io();
      expect(await main(['node', 'cli', 'run', nb, '-o', infraOut, '--junit', join(infraOut, 'junit.xml')], t.io)).toBe(3);
      expect(t.err()).toMatch(/cannot run .*no-such-jupyter/);
    } finally {
      if (saved === undefined) delete process.env.JUPYTER_BIN;
      else process.env.JUPYTER_BIN = saved;
    }
    // The report and JUnit are written all the same, saying why nothing ran.
    const report = JSON.parse(readFileSync(join(infraOut, 'report.json'), 'utf8')) as RunReport;
    expect(report.exitCode).toBe(3);
    expect(report.notebooks.map((n) => [n.name, n.status])).toEqual([['success', 'infrastructure-error']]);
    expect(report.notebooks[0].message).toMatch(/no-such-jupyter/);
    expect(readFileSync(join(infraOut, 'junit.xml'), 'utf8')).toMatch(/errors="1"/);
    expect(existsSync(join(infraOut, 'notebooks'))).toBe(false);
  });

  it('an unreachable --server is an infrastructure error (exit 3)', async () => {
    const nb = join(__dirname, '../fixtures/runner/success.ipynb');
    const t = io({ JUPYTER_BASE_URL: 'http://127.0.0.1:9/', JUPYTER_TOKEN: 'x' });
    const unreachableOut = join(dir, 'unreachable');
    expect(await main(['node', 'cli', 'run', nb, '-o', unreachableOut], t.io)).toBe(3);
    expect(t.err()).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9\//);
    expect(existsSync(join(unreachableOut, 'report.json'))).toBe(true);
    expect(existsSync(join(unreachableOut, 'notebooks'))).toBe(false);
  });

  it('an output folder that cannot be written is bad input (exit 2), found before anything runs', async () => {
    const nb = join(__dirname, '../fixtures/runner/success.ipynb');
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const t = io();
    expect(await main(['node', 'cli', 'run', nb, '-o', join(file, 'out')], t.io)).toBe(2);
    expect(t.err()).toMatch(/cannot write to the output folder .*a-file\/out: ENOTDIR/);
  });

  it('--token warns that it shows in the process list; tokens must match the servers', async () => {
    const nb = join(__dirname, '../fixtures/runner/success.ipynb');
    const t = io();
    expect(await main(['node', 'cli', 'run', nb, '-o', out, '--server', 'http://127.0.0.1:9/', '--token', 'a', '--token', 'b', '--token', 'c', '--server', 'http://127.0.0.1:10/'], t.io)).toBe(2);
    expect(t.err()).toMatch(/warning: --token shows in the process list .* set JUPYTER_TOKEN instead/);
    expect(t.err()).toMatch(/3 --token values for 2 --server values/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('failureExitCode (exit codes by error type)', () => {
  it('3 only for infrastructure errors, 2 for input; a bug exits 1 and prints its stack', () => {
    const t = io();
    expect(failureExitCode(new InfrastructureError('server gone'), t.io)).toBe(3);
    expect(failureExitCode(new RunnerInputError('bad.ipynb: not JSON'), t.io)).toBe(2);
    const bug = new TypeError("Cannot read properties of undefined (reading 'cells')");
    expect(failureExitCode(bug, t.io)).toBe(1);
    expect(t.err()).toContain('llm-price-lab: server gone\n');
    expect(t.err()).toContain('llm-price-lab: bad.ipynb: not JSON\n');
    expect(t.err()).toMatch(/internal error .*\nTypeError: Cannot read properties of undefined \(reading 'cells'\)\n\s+at /);
  });
});
