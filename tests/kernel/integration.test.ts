import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { SYSTEM_PYTHON, isolatedJupyterEnv } from './jupyter-env';

interface Output {
  msg_type: string;
  content: Record<string, any>;
}
interface Exchange {
  reply_type: string;
  reply: Record<string, any>;
  iopub: Output[];
}
type Result = Record<string, any>;

const outputs = (exchange: Exchange, type: string) => exchange.iopub.filter((m) => m.msg_type === type).map((m) => m.content);

/**
 * Starts the kernel from its kernelspec through jupyter_client (tests/kernel/kernel_driver.py) in a
 * notebook subfolder, and checks every message the protocol asks for.
 */
describe('the kernel through jupyter_client', () => {
  let result: Result;
  let kernelLog: string;
  const jupyter = isolatedJupyterEnv();
  const dir = mkdtempSync(join(tmpdir(), 'kernel-driver-'));

  beforeAll(() => {
    const root = projectRoot();
    const logFile = join(dir, 'kernel-stderr.log');
    const run = spawnSync(SYSTEM_PYTHON, [join(root, 'tests', 'kernel', 'kernel_driver.py'), logFile], {
      cwd: join(root, 'tests', 'fixtures', 'kernel'),
      env: jupyter.env,
      encoding: 'utf8',
      timeout: 240_000,
    });
    if (run.status !== 0) throw new Error(`kernel_driver.py failed (${run.status}): ${run.stderr.slice(-3000)}`);
    result = JSON.parse(run.stdout) as Result;
    kernelLog = readFileSync(logFile, 'utf8');
    console.log(`kernel start to ready: ${result.ready_seconds.toFixed(2)} s`);
  }, 300_000);
  afterAll(() => {
    jupyter.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers kernel_info with status ok and full language_info, on shell and control', () => {
    expect(result.kernel_info).toMatchObject({
      status: 'ok',
      protocol_version: '5.3',
      language_info: { name: 'typescript', version: '5.0.4', file_extension: '.ts', mimetype: 'text/typescript', pygments_lexer: 'typescript' },
    });
    // Read as a typed client reads it: a string, or { name, version } with an integer version.
    expect(result.kernel_info.language_info.codemirror_mode).toBe('typescript');
    expect(result.control_kernel_info).toBe('kernel_info_reply');
  });

  it('imports the library with its types from a notebook subfolder', () => {
    expect(result.import.reply.status).toBe('ok');
    expect(result.typed_import.reply).toMatchObject({ status: 'error', ename: 'TSError' });
    expect(result.typed_import.reply.evalue).toMatch(/not assignable to parameter of type 'MimeBundle \| HasMimeBundle'/);
  });

  it('sends execute_input and execute_result with the real execution count', () => {
    const value: Exchange = result.value;
    expect(value.reply).toMatchObject({ status: 'ok', execution_count: 3 });
    expect(outputs(value, 'execute_input')).toEqual([{ code: 'const prices = { usdPerMTok: [60, 2.5] };\nprices', execution_count: 3 }]);
    expect(outputs(value, 'execute_result')).toEqual([{ execution_count: 3, data: { 'text/plain': '{ usdPerMTok: [ 60, 2.5 ] }' }, metadata: {} }]);
    expect(outputs(result.string, 'execute_result')[0]?.data).toEqual({ 'text/plain': "'abc'" });
  });

  it('keeps silent executions out of the count and off iopub', () => {
    expect(result.silent.reply).toMatchObject({ status: 'ok', execution_count: 4 });
    expect(result.silent.iopub.map((m: Output) => m.msg_type)).toEqual(['status', 'status']);
  });

  it('adds the MIME_BUNDLE of the last value to execute_result', () => {
    const [rich] = outputs(result.rich, 'execute_result');
    expect(rich?.data).toMatchObject({ 'text/html': '<b>chart</b>', 'application/vnd.plotly.v1+json': { data: [] } });
    expect(typeof rich?.data['text/plain']).toBe('string');
  });

  it('reports a runtime exception on iopub and in the reply with the cell’s line numbers', () => {
    const error: Exchange = result.runtime_error;
    expect(error.reply).toMatchObject({ status: 'error', ename: 'RangeError', evalue: 'negative: -1', execution_count: 6 });
    expect(outputs(error, 'error')).toEqual([{ ename: 'RangeError', evalue: 'negative: -1', traceback: error.reply.traceback }]);
    expect(error.reply.traceback).toContain('    at check (Cell In[6], line 3)');
    expect(error.reply.traceback).toContain('    at Cell In[6], line 7');
  });

  it('reports TypeScript diagnostics as errors with the cell’s line numbers', () => {
    const error: Exchange = result.compile_error;
    expect(error.reply).toMatchObject({ status: 'error', ename: 'TSError', execution_count: 7 });
    expect(error.reply.traceback[0]).toMatch(/^Cell In\[7\], line 3, column 7: error TS2322/);
    expect(outputs(error, 'error')).toHaveLength(1);
    expect(outputs(error, 'stream')).toEqual([]);
  });

  it('turns display, newDisplay().update and clearOutput into whole-bundle iopub messages', () => {
    const display: Exchange = result.display;
    const kinds = display.iopub.map((m) => m.msg_type).filter((t) => t !== 'status' && t !== 'execute_input');
    expect(kinds).toEqual(['display_data', 'display_data', 'update_display_data', 'clear_output']);
    const [first, second] = outputs(display, 'display_data');
    expect(first).toEqual({ data: { 'text/plain': 'p', 'text/html': '<i>p</i>' }, metadata: { 'text/html': { isolated: true } }, transient: {} });
    const id = second?.transient.display_id;
    expect(typeof id).toBe('string');
    expect(outputs(display, 'update_display_data')).toEqual([{ data: { 'text/plain': 'step 2', 'text/html': '<p>2</p>' }, metadata: {}, transient: { display_id: id } }]);
    expect(outputs(display, 'clear_output')).toEqual([{ wait: true }]);
    expect(outputs(result.update_later, 'update_display_data')[0]?.transient).toEqual({ display_id: id });
  });

  it('attributes streams and late async output to the request that is executing', () => {
    const streams: Exchange = result.streams;
    const texts = outputs(streams, 'stream').map((s) => `${s.name}:${s.text}`);
    expect(texts).toEqual(['stdout:out\n', 'stderr:err\n', 'stdout:raw', 'stdout:from a timer\n']);
    expect(outputs(streams, 'display_data')).toEqual([{ data: { 'text/plain': 'late display' }, metadata: {}, transient: {} }]);
  });

  it('honours stop_on_error without a timed window', () => {
    expect(result.stop_on_error).toEqual(['error', 'aborted', 'aborted']);
    expect(outputs(result.after_abort, 'execute_result')[0]?.data['text/plain']).toBe("'undefined'");
    expect(result.no_stop_on_error).toEqual(['error', 'ok']);
  });

  it('answers is_complete, complete, inspect, history and comm_info with the right types', () => {
    expect(result.is_complete).toEqual({
      'const a = 1;': { status: 'complete' },
      'function f() {': { status: 'incomplete', indent: '  ' },
      'const = ;': { status: 'invalid' },
    });
    expect(result.complete).toMatchObject({ reply_type: 'complete_reply', reply: { status: 'ok', cursor_start: 0, cursor_end: 8 } });
    expect(result.complete.reply.matches).toContain('priceUsdPerMTok');
    expect(result.inspect).toMatchObject({ reply_type: 'inspect_reply', reply: { status: 'ok', found: true } });
    expect(result.inspect.reply.data['text/plain']).toContain('priceUsdPerMTok: 2.5');
    expect(result.history.reply_type).toBe('history_reply');
    expect(result.history.reply.history.map((h: unknown[]) => h[2])).toEqual(["throw new Error('tolerated');", "'still runs'", 'const priceUsdPerMTok = 2.5;']);
    expect(result.comm_info).toMatchObject({ reply_type: 'comm_info_reply', reply: { status: 'ok', comms: {} } });
  });

  it('drops and logs a message with a bad signature, never executing it', () => {
    expect(result.forged_answered).toBe(false);
    expect(outputs(result.forged_ran, 'execute_result')[0]?.data['text/plain']).toBe("'undefined'");
    expect(kernelLog).toMatch(/shell: message dropped: signature .* does not verify/);
  });

  it('drops and logs a replayed signed message, never executing it twice', () => {
    expect(result.replay_replies).toBe(1);
    expect(outputs(result.replay_runs, 'execute_result')[0]?.data, JSON.stringify(result.replay_runs.reply)).toEqual({ 'text/plain': '1' });
    expect(kernelLog).toMatch(/shell: message dropped: signature .* was already used \(a replayed message\)/);
  });

  it('shows an exception thrown by a cell callback as that cell’s error, and logs it', () => {
    const late: Exchange = result.late_throw;
    expect(late.reply).toMatchObject({ status: 'error', ename: 'RangeError', evalue: 'from a timer' });
    const [error] = outputs(late, 'error');
    expect(error).toMatchObject({ ename: 'RangeError', evalue: 'from a timer' });
    expect(error?.traceback[0]).toBe('Uncaught exception (in a callback of this cell):');
    expect(error?.traceback.join('\n')).toMatch(/Cell In\[\d+\], line 1/);
    expect(outputs(late, 'stream')).toEqual([]);
    expect(kernelLog).toMatch(/Uncaught exception: RangeError: from a timer/);
  });

  it('logs a rejection nobody handles between cells, and keeps running', () => {
    expect(result.idle_rejection_set.reply.status).toBe('ok');
    expect(kernelLog).toMatch(/Unhandled promise rejection outside any cell: Error: idle rejection/);
    expect(result.after_idle_rejection.reply.status).toBe('ok');
    expect(outputs(result.after_idle_rejection, 'stream')).toEqual([]);
    expect(outputs(result.after_idle_rejection, 'error')).toEqual([]);
  });

  it.each(['interrupt_loop_signal', 'interrupt_loop_message', 'interrupt_await_signal', 'interrupt_await_message'])(
    'interrupts: %s',
    (name) => {
      expect(result[name].reply).toMatchObject({ status: 'error', ename: 'InterruptError' });
      if (name.endsWith('message')) expect(result[name].interrupt_reply).toBe('interrupt_reply');
    },
  );

  it('keeps working after interrupts', () => {
    expect(outputs(result.alive_after_interrupts, 'execute_result')[0]?.data).toEqual({ 'text/plain': '2' });
  });

  it('shuts down on request, with and without restart, exiting cleanly', () => {
    expect(result.shutdown_restart).toEqual({ reply_type: 'shutdown_reply', reply: { status: 'ok', restart: true }, exit: 0 });
    expect(result.after_restart.reply).toMatchObject({ status: 'ok', execution_count: 1 });
    expect(result.shutdown).toEqual({ reply_type: 'shutdown_reply', reply: { status: 'ok', restart: false }, exit: 0 });
  });
});
