/**
 * Widgets in the real kernel through jupyter_client (tests/kernel/widgets_driver.py), the driver
 * acting as a widget manager: a cell's slider and `interact` open their models (protocol version in
 * the message metadata) and show the widget view and the first result; an update from the "page"
 * is echoed under its own message, reaches the kernel's value, and redraws the output area;
 * request_state is answered with the whole state.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runDriver } from './jupyter-env';

interface Iopub {
  msg_type: string;
  parent: string;
  content: Record<string, any>;
  metadata: Record<string, any>;
}
type Result = Record<string, any>;

describe('widgets through jupyter_client', () => {
  let result: Result;
  beforeAll(() => {
    result = runDriver('widgets_driver.py', 180_000);
  }, 200_000);

  it('opens every model of a cell under that cell, with the protocol version, and shows the view and the first result', () => {
    const iopub = result.define.iopub as Iopub[];
    expect(result.define.reply.status).toBe('ok');
    const opens = iopub.filter((m) => m.msg_type === 'comm_open');
    expect(opens.map((m) => m.content.data.state._model_name)).toEqual([
      'LayoutModel',
      'SliderStyleModel',
      'FloatSliderModel',
      'LayoutModel',
      'OutputModel',
      'LayoutModel',
      'VBoxModel',
    ]);
    for (const open of opens) {
      expect(open.metadata).toEqual({ version: '2.1.0' });
      expect(open.parent).toBe(result.define.msg_id);
      expect(open.content.target_name).toBe('jupyter.widget');
    }
    const displays = iopub.filter((m) => m.msg_type === 'display_data');
    const vboxId = opens.at(-1)!.content.comm_id;
    expect(displays[0]!.content.data['application/vnd.jupyter.widget-view+json']).toEqual({ version_major: 2, version_minor: 0, model_id: vboxId });
    expect(displays[0]!.content.data['text/plain']).toBe('rent: 2');
    // The first result under the cell's own message, which the output area captured while it was drawn.
    expect(displays[1]!.content.data).toEqual({ 'text/plain': 'cost 20' });
    const captures = iopub.filter((m) => m.msg_type === 'comm_msg' && m.content.comm_id === result.output_id).map((m) => m.content.data.state.msg_id);
    expect(captures).toEqual([result.define.msg_id, '']);
  });

  it('echoes an update from the page under its message, takes the value and redraws the output area', () => {
    const echo = (result.update.iopub as Iopub[]).find((m) => m.msg_type === 'comm_msg');
    expect(echo).toMatchObject({ parent: result.update.msg_id, content: { comm_id: result.slider_id, data: { method: 'echo_update', state: { value: 3 }, buffer_paths: [] } } });
    const redrawn = (result.after_update as Iopub[]).filter((m) => m.msg_type === 'comm_msg' && m.content.comm_id === result.output_id);
    expect(redrawn.map((m) => m.content.data)).toEqual([
      { method: 'update', state: { outputs: [{ output_type: 'display_data', data: { 'text/plain': 'cost 30' }, metadata: {} }] }, buffer_paths: [] },
    ]);
    expect(result.value.iopub.find((m: Iopub) => m.msg_type === 'execute_result').content.data['text/plain']).toBe('3');
  });

  it('answers request_state with the whole state', () => {
    const update = (result.request_state.iopub as Iopub[]).find((m) => m.msg_type === 'comm_msg')!;
    expect(update.content.data.method).toBe('update');
    expect(update.content.data.state).toMatchObject({ _model_name: 'FloatSliderModel', value: 3, min: 1, max: 4, description: 'rent' });
  });
});
