import { describe, expect, it } from 'vitest';
import { OutputRecorder, STREAM_HEAD_CHARS, STREAM_TAIL_CHARS, applyCarriageReturns } from '../../src/runner/outputs';
import type { Output } from '../../src/runner/types';

describe('applyCarriageReturns', () => {
  it('keeps the last state of a line rewritten with \\r', () => {
    expect(applyCarriageReturns('step 1\rstep 2\rstep 3\ndone\n')).toBe('step 3\ndone\n');
    expect(applyCarriageReturns('a\r\nb\n')).toBe('a\nb\n');
    expect(applyCarriageReturns('abc\x08d')).toBe('abd');
    expect(applyCarriageReturns('pending\r')).toBe('pending\r');
    expect(applyCarriageReturns('\r')).toBe('\r');
    expect(applyCarriageReturns('a\r\rb\nc\r')).toBe('b\nc\r');
    expect(applyCarriageReturns('\x08a\x08\x08b\nx\x08')).toBe('b\n');
  });

  // A backtracking regular expression took minutes on this input and blocked the event loop.
  it('takes linear time on two lines of a million characters each', { timeout: 10_000 }, () => {
    const line = 'x'.repeat(1_000_000);
    expect(applyCarriageReturns(`${line}\n${line}\n`)).toHaveLength(2_000_002);
    expect(applyCarriageReturns(`${line}\r${line}y\n`)).toBe(`${line}y\n`);
  });
});

describe('OutputRecorder: bounded streams', () => {
  const stdout = (text: string) => ({ msg_type: 'stream' as const, content: { name: 'stdout' as const, text } });

  it('carriage returns split across messages behave as in one message', () => {
    const r = new OutputRecorder();
    const outputs: Output[] = [];
    r.beginCell(outputs);
    for (const piece of ['10%', '\r20', '%\r', '\n', 'done\r', 'x\n']) r.handle(stdout(piece));
    r.endCell();
    expect(outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: '20%\nx\n' }]);
  });

  it('two lines of a million characters, sent in pieces, are recorded in bounded time and size', { timeout: 10_000 }, () => {
    const r = new OutputRecorder();
    const outputs: Output[] = [];
    r.beginCell(outputs);
    const piece = 'y'.repeat(10_000);
    for (let line = 0; line < 2; line += 1) {
      for (let i = 0; i < 100; i += 1) r.handle(stdout(piece));
      r.handle(stdout('\n'));
    }
    r.endCell();
    const text = outputs.map((o) => (o.output_type === 'stream' ? o.text : '')).join('');
    const leftOut = 2_000_002 - STREAM_HEAD_CHARS - STREAM_TAIL_CHARS;
    expect(text).toContain(`[llm-price-lab: ${leftOut.toLocaleString('en-US')} characters of stdout left out here`);
    expect(text.length).toBeLessThan(STREAM_HEAD_CHARS + STREAM_TAIL_CHARS + 400);
    expect(text.endsWith('y\n')).toBe(true);
  });

  it('50 MB printed in many lines keeps the start, a note with the count left out, and the end', { timeout: 30_000 }, () => {
    const r = new OutputRecorder();
    const outputs: Output[] = [];
    r.beginCell(outputs);
    const lines = 500_000;
    for (let i = 0; i < lines; i += 1) r.handle(stdout(`${String(i).padStart(99, '.')}\n`));
    r.handle({ msg_type: 'stream', content: { name: 'stderr', text: 'a warning\n' } });
    r.handle(stdout('last line\n'));
    r.endCell();
    // Everything fits in one stdout output (head, note, tail) and one stderr output.
    expect(outputs.map((o) => o.output_type === 'stream' && o.name)).toEqual(['stdout', 'stderr']);
    const out = outputs[0].output_type === 'stream' ? outputs[0].text : '';
    const total = lines * 100 + 'last line\n'.length;
    const leftOut = total - STREAM_HEAD_CHARS - STREAM_TAIL_CHARS;
    expect(out.startsWith(`${'0'.padStart(99, '.')}\n`)).toBe(true);
    expect(out).toContain(`\n[llm-price-lab: ${leftOut.toLocaleString('en-US')} characters of stdout left out here;`);
    expect(out.endsWith(`${String(lines - 1).padStart(99, '.')}\nlast line\n`)).toBe(true);
    expect(out.length).toBeLessThan(STREAM_HEAD_CHARS + STREAM_TAIL_CHARS + 400);
    expect(outputs[1]).toEqual({ output_type: 'stream', name: 'stderr', text: 'a warning\n' });
  });

  it('stdout and stderr taking turns past the limit do not make an output per message', () => {
    const r = new OutputRecorder({ headChars: 100, tailChars: 20 });
    const outputs: Output[] = [];
    r.beginCell(outputs);
    for (let i = 0; i < 1000; i += 1) {
      r.handle(stdout(`out ${i}\n`));
      r.handle({ msg_type: 'stream', content: { name: 'stderr', text: `err ${i}\n` } });
    }
    r.endCell();
    expect(outputs.length).toBeLessThan(30);
    const all = outputs.map((o) => (o.output_type === 'stream' ? o.text : '')).join('');
    expect(all).toMatch(/characters of stdout left out here/);
    expect(all).toMatch(/characters of stderr left out here/);
    expect(all).toMatch(/out 999\n$|err 999\n$/);
    // A new cell starts with a fresh budget.
    const next: Output[] = [];
    r.beginCell(next);
    r.handle(stdout('fresh\n'));
    r.endCell();
    expect(next).toEqual([{ output_type: 'stream', name: 'stdout', text: 'fresh\n' }]);
  });
});

describe('OutputRecorder', () => {
  it('coalesces consecutive streams of the same name, in order', () => {
    const r = new OutputRecorder();
    const outputs: Output[] = [];
    r.beginCell(outputs);
    r.handle({ msg_type: 'stream', content: { name: 'stdout', text: 'a\n' } });
    r.handle({ msg_type: 'stream', content: { name: 'stdout', text: 'b\n' } });
    r.handle({ msg_type: 'stream', content: { name: 'stderr', text: 'warn\n' } });
    r.handle({ msg_type: 'stream', content: { name: 'stdout', text: 'progress 1' } });
    r.handle({ msg_type: 'stream', content: { name: 'stdout', text: '\rprogress 2\n' } });
    expect(outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'a\nb\n' },
      { output_type: 'stream', name: 'stderr', text: 'warn\n' },
      { output_type: 'stream', name: 'stdout', text: 'progress 2\n' },
    ]);
  });

  it('updates every output with a display id, also in earlier cells, and drops transient', () => {
    const r = new OutputRecorder();
    const first: Output[] = [];
    const second: Output[] = [];
    r.beginCell(first);
    r.handle({ msg_type: 'display_data', content: { data: { 'text/plain': 'v1' }, metadata: {}, transient: { display_id: 'd' } } });
    r.handle({ msg_type: 'display_data', content: { data: { 'text/plain': 'other' }, metadata: {} } });
    r.endCell();
    r.beginCell(second);
    r.handle({ msg_type: 'display_data', content: { data: { 'text/plain': 'v1' }, transient: { display_id: 'd' } } });
    r.handle({
      msg_type: 'update_display_data',
      content: { data: { 'text/plain': 'v2', 'text/html': '<b>v2</b>' }, metadata: { m: 1 }, transient: { display_id: 'd' } },
    });
    r.handle({ msg_type: 'update_display_data', content: { data: { 'text/plain': 'nobody' }, transient: { display_id: 'unknown' } } });
    expect(first).toEqual([
      { output_type: 'display_data', data: { 'text/plain': 'v2', 'text/html': '<b>v2</b>' }, metadata: { m: 1 } },
      { output_type: 'display_data', data: { 'text/plain': 'other' }, metadata: {} },
    ]);
    expect(second).toEqual([first[0]]);
    expect(second[0]).not.toBe(first[0]);
  });

  it('showing a display id again updates the earlier outputs with that id', () => {
    const r = new OutputRecorder();
    const first: Output[] = [];
    r.beginCell(first);
    r.handle({ msg_type: 'display_data', content: { data: { 'text/plain': 'old' }, transient: { display_id: 'd' } } });
    const second: Output[] = [];
    r.beginCell(second);
    r.handle({ msg_type: 'display_data', content: { data: { 'text/plain': 'new' }, transient: { display_id: 'd' } } });
    expect(first).toEqual([{ output_type: 'display_data', data: { 'text/plain': 'new' }, metadata: {} }]);
    expect(second).toEqual(first);
  });

  it('clear_output clears now; with wait only when the next output arrives; a pending wait dies with the cell', () => {
    const r = new OutputRecorder();
    const outputs: Output[] = [];
    r.beginCell(outputs);
    r.handle({ msg_type: 'stream', content: { name: 'stdout', text: 'gone\n' } });
    r.handle({ msg_type: 'clear_output', content: { wait: false } });
    expect(outputs).toEqual([]);
    r.handle({ msg_type: 'stream', content: { name: 'stdout', text: 'frame 1\n' } });
    r.handle({ msg_type: 'clear_output', content: { wait: true } });
    expect(outputs).toHaveLength(1);
    r.handle({ msg_type: 'stream', content: { name: 'stdout', text: 'frame 2\n' } });
    expect(outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'frame 2\n' }]);
    r.handle({ msg_type: 'clear_output', content: { wait: true } });
    r.endCell();
    const next: Output[] = [];
    r.beginCell(next);
    r.handle({ msg_type: 'stream', content: { name: 'stdout', text: 'next cell\n' } });
    expect(outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'frame 2\n' }]);
    expect(next).toHaveLength(1);
  });

  it('a cleared display is no longer updated; execute_result and error are recorded', () => {
    const r = new OutputRecorder();
    const outputs: Output[] = [];
    r.beginCell(outputs);
    r.handle({ msg_type: 'display_data', content: { data: { 'text/plain': 'x' }, transient: { display_id: 'd' } } });
    r.handle({ msg_type: 'clear_output', content: { wait: false } });
    r.handle({ msg_type: 'execute_result', content: { data: { 'text/plain': '2' }, metadata: {}, execution_count: 4 } });
    r.handle({ msg_type: 'update_display_data', content: { data: { 'text/plain': 'y' }, transient: { display_id: 'd' } } });
    r.handle({ msg_type: 'error', content: { ename: 'TypeError', evalue: 'bad', traceback: ['TypeError: bad'] } });
    expect(outputs).toEqual([
      { output_type: 'execute_result', data: { 'text/plain': '2' }, metadata: {}, execution_count: 4 },
      { output_type: 'error', ename: 'TypeError', evalue: 'bad', traceback: ['TypeError: bad'] },
    ]);
  });
});
