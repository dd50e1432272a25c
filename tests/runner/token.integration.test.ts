/**
 * The Jupyter server's token never reaches what a run writes: a cell printing its whole environment
 * runs on the runner's own server and on a server given the token through JUPYTER_TOKEN (as many
 * containers start one), and nothing written (notebooks, HTML, report, JUnit) holds the token.
 * Threat model (docs/security.md): a cell runs as the same user as the server and can still read the server's
 * files; what is kept out is the token in outputs, reports and logs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runNotebooks } from '../../src/runner';
import { environmentWithoutToken } from '../../src/jupyter/process';
import { startServer } from '../../src/runner/server';
import { projectRoot } from '../../src/paths';
import { SYSTEM_PYTHON, isolatedJupyterEnv } from '../kernel/jupyter-env';
import { writeNotebook } from '../faults/helpers';

const PRINT_ENV = 'console.log(JSON.stringify(process.env));';

/** Every file under `dir`, as text. */
function everything(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, text: readFileSync(path, 'utf8') }));
}

describe('the server token', () => {
  const dir = mkdtempSync(join(tmpdir(), 'token-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is not in the environment a server gets, and the runner\'s own server takes it from a private file', () => {
    expect(environmentWithoutToken({ JUPYTER_TOKEN: 'abc', PATH: '/bin' })).toEqual({ PATH: '/bin' });
  });

  it('reaches no file a run writes when a cell prints its whole environment', async () => {
    const sources = join(dir, 'sources');
    mkdirSync(sources, { recursive: true });
    writeNotebook(sources, 'print-env', [PRINT_ENV]);
    const server = await startServer({ rootDir: sources });
    try {
      const out = join(dir, 'out');
      const report = await runNotebooks({ notebooks: [join(sources, 'print-env.ipynb')], outputDir: out, server: { baseUrl: server.baseUrl, token: server.token }, junit: join(out, 'junit.xml') });
      expect(report.exitCode).toBe(0);
      const printed = JSON.parse(
        (JSON.parse(readFileSync(join(out, 'notebooks', 'print-env.ipynb'), 'utf8')) as { cells: { outputs?: { text?: string[] | string }[] }[] }).cells
          .flatMap((c) => c.outputs ?? [])
          .map((o) => [o.text ?? ''].flat().join(''))
          .join('')
          .trim(),
      ) as Record<string, string>;
      expect(Object.keys(printed).length).toBeGreaterThan(3); // it did print the environment
      expect(printed.JUPYTER_TOKEN).toBeUndefined();
      const files = everything(out);
      expect(files.map((f) => f.path)).toEqual(expect.arrayContaining([expect.stringMatching(/print-env\.html$/), expect.stringMatching(/report\.json$/)]));
      expect(files.filter((f) => f.text.includes(server.token)).map((f) => f.path)).toEqual([]);
      expect(server.logLines('').join('\n')).not.toContain(server.token);
    } finally {
      await server.stop();
    }
  }, 240_000);

  it('is removed from the environment of the project kernel started by a server that has it', () => {
    const jupyter = isolatedJupyterEnv();
    try {
      const cells = join(dir, 'cells.json');
      writeFileSync(cells, JSON.stringify([PRINT_ENV]));
      const run = spawnSync(SYSTEM_PYTHON, [join(projectRoot(), 'tests', 'kernel', 'run_cells.py'), cells], {
        cwd: dir,
        env: { ...jupyter.env, JUPYTER_TOKEN: 'token-the-server-was-given' },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(run.status, run.stderr.slice(-2000)).toBe(0);
      const [exchange] = JSON.parse(run.stdout) as { iopub: { msg_type: string; content: { text?: string } }[] }[];
      const printed = exchange!.iopub.filter((m) => m.msg_type === 'stream').map((m) => m.content.text).join('');
      expect(printed).toContain('"PATH"');
      expect(printed).not.toContain('token-the-server-was-given');
    } finally {
      jupyter.dispose();
    }
  }, 180_000);
});
