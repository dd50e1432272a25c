import { describe, expect, it } from 'vitest';
import { OutputRecorder, applyCarriageReturns } from '../../src/runner/outputs';
import type { Output } from '../../src/runner/types';

describe('applyCarriageReturns', () => {
  it('keeps the last state of a line rewritten with \\r', () => {
    expect(applyCarriageReturns('step 1\rstep 2\rstep 3\ndone\n')).toBe('step 3\ndone\n');
    expect(applyCarriageReturns('a\r\nb\n')).toBe('a\nb\n');
    expect(applyCarriageReturns('abc\x08d')).toBe('abd');
    expect(applyCarriageReturns('pending\r')).toBe('pending\r');
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
