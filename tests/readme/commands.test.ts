import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { docText, documentedCommands, documents, extractCommands, readmeText, stripComment } from './commands';
import { COVERED_COMMANDS } from './coverage';
import { REQUIREMENTS } from '../../scripts/requirements.mjs';

const root = projectRoot();
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

describe('extractCommands', () => {
  it('takes every line of sh, bash, shell and console blocks, joins continuations and drops comments', () => {
    const markdown = [
      'Text with `npm run inline` is not a block.',
      '```sh',
      'npm start   # a comment',
      '# a comment line',
      '',
      'node a.js --x 1 \\',
      '  --y "two # words"',
      '```',
      '```ts',
      'const notACommand = 1;',
      '```',
      '```text',
      '$ not a shell block',
      '```',
      '```bash',
      "echo 'it''s' # gone",
      '```',
      '```console',
      '$ jupyter console --kernel k',
      'In [1]: output, not a command',
      '```',
      '  ```sh',
      '  npm test',
      '  ```',
    ].join('\n');
    expect(extractCommands(markdown)).toEqual([
      { command: 'npm start', line: 3 },
      { command: 'node a.js --x 1 --y "two # words"', line: 6 },
      { command: "echo 'it''s'", line: 16 },
      { command: 'jupyter console --kernel k', line: 19 },
      { command: 'npm test', line: 23 },
    ]);
  });

  it('keeps a # inside a word or quotes, and refuses an unclosed block', () => {
    expect(stripComment('curl http://host/#anchor  # why')).toBe('curl http://host/#anchor');
    expect(stripComment("grep '# x' file")).toBe("grep '# x' file");
    expect(() => extractCommands('```sh\nnpm start\n')).toThrow(/unclosed ```sh block/);
  });
});

describe('every command the README and docs/ show is run by a test', () => {
  const shown = documentedCommands();
  const covered = new Map(COVERED_COMMANDS.map((entry) => [entry.command, entry]));

  it('the README shows commands', () => {
    expect(shown).toContain('npm start');
    expect(shown).toContain('npm test');
  });

  it('each shown command is in the table of covered commands', () => {
    const uncovered = shown.filter((command) => !covered.has(command));
    expect(uncovered, 'commands of README.md or docs/ with no test in tests/readme/coverage.ts').toEqual([]);
  });

  it('each covered command is still shown (no stale entries)', () => {
    const stale = COVERED_COMMANDS.map((entry) => entry.command).filter((command) => !shown.includes(command));
    expect(stale, 'entries of tests/readme/coverage.ts that neither README.md nor docs/ shows any more').toEqual([]);
  });

  it('each named test exists in its file', () => {
    const missing: string[] = [];
    for (const entry of COVERED_COMMANDS) {
      expect(entry.runBy.length, entry.command).toBeGreaterThan(0);
      for (const { file, test } of entry.runBy) {
        const path = join(root, file);
        if (!existsSync(path)) missing.push(`${file} (for ${entry.command})`);
        else if (!readFileSync(path, 'utf8').includes(`'${test}'`) && !readFileSync(path, 'utf8').includes(`"${test}"`))
          missing.push(`${file}: no test titled '${test}' (for ${entry.command})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("the README's own command tests take each command from the README (documentedCommand), not a copy", () => {
    const notTaken: string[] = [];
    for (const entry of COVERED_COMMANDS) {
      for (const { file } of entry.runBy) {
        if (!file.startsWith('tests/readme/') || file.endsWith('commands.test.ts')) continue;
        const source = readFileSync(join(root, file), 'utf8').replace(/\s*\n\s*/g, ' ');
        if (!source.includes(`documentedCommand('${entry.command}')`) && !source.includes(`documentedCommand( '${entry.command}', )`))
          notTaken.push(`${file}: ${entry.command}`);
      }
    }
    expect(notTaken).toEqual([]);
  });

  it('npm test is setup --lab, the typecheck, the linter and vitest', () => {
    // The command that runs every test, this file included.
    // What the README's quick start says of it: setup with the front end, then the typecheck, the linter (zero warnings), then every test.
    expect(packageJson.scripts.test).toMatch(/^node scripts\/setup\.mjs --lab && .*npm run (--silent )?typecheck && npm run (--silent )?lint && vitest run$/);
    expect(packageJson.scripts.lint).toBe('eslint --max-warnings 0 .');
  });
});

describe('what the README and docs/ name exists', () => {
  const text = readmeText();
  const all = documents().map((d) => d.text).join('\n');
  const inlineCode = [...all.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);

  it('the README is the short way in: under 200 lines, linking every page of docs/', () => {
    expect(text.split('\n').length).toBeLessThan(200);
    const pages = documents().map((d) => d.path).filter((path) => path.startsWith('docs/'));
    expect(pages.filter((path) => !text.includes(`](${path})`))).toEqual([]);
  });

  it('every `npm run NAME` and `npm start`/`npm test` is a script of package.json', () => {
    const named = [...all.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(5);
    expect([...new Set(named)].filter((name) => !(name in packageJson.scripts))).toEqual([]);
    expect(packageJson.scripts).toHaveProperty('start');
    expect(packageJson.scripts).toHaveProperty('test');
  });

  it('every project file or folder it names in code spans exists', () => {
    const paths = inlineCode
      .map((code) => code.split(/\s/)[0]!)
      .filter((code) => /^(src|scripts|tests|kernel|notebooks|docs|lab)\//.test(code) && !code.includes('<'));
    expect(paths.length).toBeGreaterThan(20);
    const missing = [...new Set(paths)].filter((path) => !existsSync(join(root, path.replace(/[.,;:)]+$/, ''))));
    expect(missing).toEqual([]);
    for (const { path, text: page } of documents()) {
      const from = path.startsWith('docs/') ? 'docs' : '.';
      for (const image of page.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) expect(existsSync(join(root, from, image[1]!)), `${path}: ${image[1]}`).toBe(true);
      // Links to other pages of the project resolve from the page that holds them.
      for (const link of page.matchAll(/\]\(([\w./-]+\.md)(#[\w-]*)?\)/g)) expect(existsSync(join(root, from, link[1]!)), `${path}: ${link[1]}`).toBe(true);
    }
  });

  it('the Debian packages it says to install without root are the ones setup only warns about', () => {
    const warnedAbout = [...new Set(REQUIREMENTS.filter((r) => r.pip === null).map((r) => r.deb))];
    expect(warnedAbout.length).toBeGreaterThan(3);
    const bullet = text.slice(text.indexOf('- system files only Debian provides'), text.indexOf('- the compiled library and kernel'));
    const named = [...bullet.slice(bullet.indexOf('the Debian packages')).matchAll(/`([\w.-]+)`/g)].map((m) => m[1]!);
    expect(named).toEqual(warnedAbout);
  });

  it('the table of notebooks lists exactly the notebooks, each with the smoke parameters the README says it has', () => {
    const notebooks = readdirSync(join(root, 'notebooks'))
      .filter((name) => name.endsWith('.ipynb'))
      .map((name) => name.replace(/\.ipynb$/, ''));
    const section = text.slice(text.indexOf('## The notebooks'), text.indexOf('## What cannot run'));
    const listed = [...section.matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1]!);
    expect(listed).toEqual(notebooks.sort());
    for (const name of notebooks) expect(existsSync(join(root, 'notebooks', `${name}.smoke.json`)), name).toBe(true);
  });

  it("every option in the runner's table is an option of `llm-price-lab run --help`", () => {
    const help = spawnSync(process.execPath, [join(root, 'dist', 'src', 'runner', 'bin.js'), 'run', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    const runner = docText('runner.md');
    const section = runner.slice(0, runner.indexOf('**Parameters**'));
    const rows = [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!).filter((cell) => cell.startsWith('-'));
    expect(rows.length).toBeGreaterThan(10);
    const options = rows.flatMap((row) => [...row.matchAll(/(--?[\w-]+)/g)].map((m) => m[1]!));
    expect(options.filter((option) => !new RegExp(`(^|[\\s,])${option}(\\s|,|$)`, 'm').test(help.stdout))).toEqual([]);
  });
});
