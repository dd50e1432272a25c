import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionFileError, endpoint, parseConnectionInfo } from '../../kernel/connection';
import { codePointsToUtf16, utf16ToCodePoints } from '../../kernel/cursor';
import { createHistory } from '../../kernel/history';
import { parseCommandLine } from '../../kernel/main';
import { resultBundle } from '../../kernel/result';
import { MIME_BUNDLE, SHOWN } from '../../src/display';
import { projectRoot } from '../../src/paths';

const valid = { transport: 'tcp', ip: '127.0.0.1', key: 'k', signature_scheme: 'hmac-sha256', shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5 };

describe('connection file', () => {
  it('parses a valid file and builds endpoints', () => {
    const info = parseConnectionInfo(JSON.stringify(valid), 'c.json');
    expect(endpoint(info, 'shell')).toBe('tcp://127.0.0.1:1');
    expect(endpoint({ ...info, transport: 'ipc', ip: 'kernel' }, 'hb')).toBe('ipc://kernel-5');
  });
  it.each([
    ['not json', /c\.json: is not valid JSON/],
    [JSON.stringify({ ...valid, shell_port: 'x' }), /c\.json: shell_port must be a port number/],
    [JSON.stringify({ ...valid, signature_scheme: 'rot13' }), /c\.json: signature_scheme must be/],
    [JSON.stringify({ ...valid, transport: 'udp' }), /c\.json: transport must be/],
  ])('rejects %s with a one-line reason', (text, reason) => {
    expect(() => parseConnectionInfo(text, 'c.json')).toThrow(ConnectionFileError);
    expect(() => parseConnectionInfo(text, 'c.json')).toThrow(reason);
  });
});

describe('command line', () => {
  const main = join(projectRoot(), 'dist', 'kernel', 'main.js');
  const dir = mkdtempSync(join(tmpdir(), 'kernel-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 20_000 });

  it('parses --connection-file and refuses anything else', () => {
    expect(parseCommandLine(['--connection-file', 'k.json'])).toEqual({ connectionFile: 'k.json' });
    expect(() => parseCommandLine(['--connection-file', 'k.json', '--debug'])).toThrow(/unknown option '--debug'; usage: main\.js --connection-file <file>/);
    expect(() => parseCommandLine([])).toThrow(/missing --connection-file/);
  });

  it.each([
    ['an unknown option', ['--bogus'], /unknown option '--bogus'/],
    ['a missing connection file', ['--connection-file', 'no-such.json'], /no-such\.json: does not exist/],
    ['a malformed connection file', ['--connection-file', 'bad'], /bad\.json: is not valid JSON/],
  ])('exits non-zero with one line for %s', (_name, args, reason) => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ nope');
    const result = run(...args.map((a) => (a === 'bad' ? bad : a)));
    expect(result.status).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(reason);
  });
});

describe('history', () => {
  const history = createHistory();
  for (const [line, code] of [[1, 'a = 1'], [2, 'b = 2'], [3, 'a = 1']] as const) history.add(line, code);
  history.setOutput(2, '2');
  it('answers tail, range and search', () => {
    expect(history.reply({ hist_access_type: 'tail', n: 2 }).history).toEqual([[1, 2, 'b = 2'], [1, 3, 'a = 1']]);
    expect(history.reply({ hist_access_type: 'tail', n: 1, output: true }).history).toEqual([[1, 3, ['a = 1', null]]]);
    expect(history.reply({ hist_access_type: 'range', session: 1, start: 2, stop: 3, output: true }).history).toEqual([[1, 2, ['b = 2', '2']]]);
    expect(history.reply({ hist_access_type: 'search', pattern: 'a*' }).history).toHaveLength(2);
    expect(history.reply({ hist_access_type: 'search', pattern: 'a*', unique: true }).history).toEqual([[1, 3, 'a = 1']]);
  });
});

describe('execute_result bundle', () => {
  it('is util.inspect text for plain values', () => {
    expect(resultBundle('abc')).toEqual({ 'text/plain': "'abc'" });
    expect(resultBundle({ a: [1, 2] })).toEqual({ 'text/plain': '{ a: [ 1, 2 ] }' });
  });
  it('adds the value\'s own MIME bundle', () => {
    const chart = { [MIME_BUNDLE]: () => ({ 'text/html': '<svg/>', 'text/plain': 'chart' }) };
    expect(resultBundle(chart)).toEqual({ 'text/html': '<svg/>', 'text/plain': 'chart' });
  });
  it('is none for a value that says it was displayed already, and only when it says so with true', () => {
    expect(resultBundle({ [SHOWN]: true, [MIME_BUNDLE]: () => ({ 'text/plain': 'shown' }) })).toBeUndefined();
    expect(resultBundle({ [SHOWN]: 'yes' })).toEqual({ 'text/plain': "{ [Symbol(llm-price-lab.shown)]: 'yes' }" });
  });
  it('refuses a bundle method that returns no bundle', () => {
    expect(() => resultBundle({ [MIME_BUNDLE]: () => 'html' })).toThrow(/must return an object/);
  });
});

describe('cursor positions', () => {
  it('converts between code points and UTF-16 offsets', () => {
    const text = 'const 价格 = "😀"; x';
    expect(codePointsToUtf16(text, [...text].length - 1)).toBe(text.length - 1);
    expect(utf16ToCodePoints(text, text.length)).toBe([...text].length);
  });
});
