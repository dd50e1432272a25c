/**
 * The kernel side of the Jupyter widget protocol 2.1.0 (src/widgets/), against the kernel's comm
 * registry with a recorded IOPub (no sockets): what a model opens with and sends, checked against the
 * model specs and view and state schemas of @jupyter-widgets/schema and against the message shapes
 * the protocol documents (packages/schema/messages.md, which has no schema of its own); updates in
 * both directions, echo_update, request_state, the control comm's request_states; the typed controls'
 * values and their refusals; interact drawing again, debounced, after a change.
 */
import Ajv from 'ajv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createComms, type KernelComms } from '../../kernel/comms';
import type { Message } from '../../kernel/messages';
import { putBuffers, removeBuffers } from '../../src/widgets/buffers';
import { modelSpec, NEW_INSTANCE, referencedModel } from '../../src/widgets/spec';
import { liveWidgets, widgetState, VIEW_MIME_TYPE, WIDGET_PROTOCOL_VERSION, type WidgetModel } from '../../src/widgets/model';
import { checkbox, dropdown, floatSlider, intSlider, logSlider, vbox, WidgetValueError } from '../../src/widgets/controls';
import { interact } from '../../src/widgets/interact';
import { output } from '../../src/widgets/output';
import { MIME_BUNDLE } from '../../src/display';

const schemas = require('@jupyter-widgets/schema') as { v2: { state: object; view: object } };
const ajv = new Ajv({ strict: false, allErrors: true });
const validView = ajv.compile(schemas.v2.view);
const validState = ajv.compile(schemas.v2.state);

/** The shapes of the widget comm messages, as messages.md documents them. */
const pathList = { type: 'array', items: { type: 'array', items: { type: ['string', 'integer'] } } };
const validOpen = ajv.compile({
  type: 'object',
  required: ['state', 'buffer_paths'],
  additionalProperties: false,
  properties: {
    state: { type: 'object', required: ['_model_module', '_model_module_version', '_model_name', '_view_module', '_view_module_version', '_view_name'] },
    buffer_paths: pathList,
  },
});
const validUpdate = ajv.compile({
  type: 'object',
  required: ['method', 'state', 'buffer_paths'],
  additionalProperties: false,
  properties: { method: { enum: ['update', 'echo_update'] }, state: { type: 'object' }, buffer_paths: pathList },
});
const validStates = ajv.compile({
  type: 'object',
  required: ['method', 'states', 'buffer_paths'],
  additionalProperties: false,
  properties: {
    method: { const: 'update_states' },
    states: { type: 'object', additionalProperties: { type: 'object', required: ['model_name', 'model_module', 'model_module_version', 'state'] } },
    buffer_paths: pathList,
  },
});

interface Sent {
  msgType: string;
  content: Record<string, unknown>;
  metadata: Record<string, unknown>;
  buffers: Uint8Array[];
  parent: string | undefined;
}

let comms: KernelComms;
let sent: Sent[];
let uninstall: () => void;
let parent: Message | undefined;

function message(msgType: string, content: Record<string, unknown>, buffers: Buffer[] = []): Message {
  return {
    identities: [],
    header: { msg_id: `${msgType}-${Math.random().toString(16).slice(2)}`, session: 's', username: 'u', date: '', msg_type: msgType, version: '5.3' },
    parent_header: {},
    metadata: {},
    content,
    buffers,
  };
}

async function fromFrontEnd(model: WidgetModel, data: Record<string, unknown>, buffers: Buffer[] = []): Promise<void> {
  const m = message('comm_msg', { comm_id: model.id, data }, buffers);
  await comms.handlers.get('comm_msg')!(m);
}

const opened = (model: WidgetModel) => sent.find((s) => s.msgType === 'comm_open' && s.content.comm_id === model.id)!;
const messagesTo = (model: WidgetModel) => sent.filter((s) => s.msgType === 'comm_msg' && s.content.comm_id === model.id).map((s) => ({ ...(s.content.data as Record<string, unknown>) }));

/** Checks each attribute of a state against its model's spec: present, of its type, in its enum. */
function checkAgainstSpec(state: Record<string, unknown>): void {
  const spec = modelSpec(String(state._model_name));
  for (const attribute of spec.attributes) {
    expect(attribute.name in state, `${spec.model.name}.${attribute.name}`).toBe(true);
    const value = state[attribute.name];
    if (value === null && (attribute.allow_none || attribute.default === null)) continue;
    const type = String(attribute.type);
    const expected: Record<string, (v: unknown) => boolean> = {
      string: (v) => typeof v === 'string',
      bool: (v) => typeof v === 'boolean',
      int: (v) => Number.isInteger(v),
      float: (v) => typeof v === 'number',
      array: Array.isArray,
      reference: (v) => typeof v === 'string' && v.startsWith('IPY_MODEL_'),
    };
    if (expected[type]) expect(expected[type]!(value), `${spec.model.name}.${attribute.name} = ${JSON.stringify(value)} (${type})`).toBe(true);
    if (attribute.enum && value !== null) expect(attribute.enum).toContain(value);
  }
}

beforeEach(() => {
  sent = [];
  parent = message('execute_request', {});
  comms = createComms({
    publish: (msgType, content, p, extras) => sent.push({ msgType, content, parent: p?.header.msg_id, metadata: { ...(extras?.metadata ?? {}) }, buffers: [...(extras?.buffers ?? [])] }),
    parent: () => parent,
    setParent: (m) => (parent = m),
    log: () => undefined,
  });
  uninstall = comms.install();
});

afterEach(() => {
  for (const w of liveWidgets()) w.close();
  uninstall();
});

describe('a widget model', () => {
  it('opens its layout and style first, then itself, with every attribute of its model and the protocol version', () => {
    const slider = floatSlider({ value: 2, min: 0, max: 10, description: 'GPU rent' });
    const opens = sent.filter((s) => s.msgType === 'comm_open');
    expect(opens.map((s) => (s.content.data as { state: { _model_name: string } }).state._model_name)).toEqual(['LayoutModel', 'SliderStyleModel', 'FloatSliderModel']);
    for (const open of opens) {
      expect(open.content.target_name).toBe('jupyter.widget');
      expect(open.metadata).toEqual({ version: WIDGET_PROTOCOL_VERSION });
      expect(open.parent).toBe(parent!.header.msg_id);
      expect(validOpen(open.content.data), JSON.stringify(validOpen.errors)).toBe(true);
      checkAgainstSpec((open.content.data as { state: Record<string, unknown> }).state);
    }
    const state = (opened(slider.model).content.data as { state: Record<string, unknown> }).state;
    expect(state).toMatchObject({ value: 2, min: 0, max: 10, step: 0.1, description: 'GPU rent', _model_module: '@jupyter-widgets/controls', _model_module_version: '2.0.0' });
    const layoutId = opens[0]!.content.comm_id;
    expect(state.layout).toBe(`IPY_MODEL_${layoutId}`);
  });

  it('with a description width or a width, opens the style or layout its model refers to with it, checked against its spec', () => {
    const slider = floatSlider({ value: 2, min: 0, max: 10, description: 'USD per GPU-hour', descriptionWidth: '11em' });
    const menu = dropdown({ options: ['a', 'b'], description: 'GPU', descriptionWidth: 'initial' });
    const styleOf = (model: WidgetModel) => {
      const id = String(model.get('style')).replace(/^IPY_MODEL_/, '');
      return (opened(liveWidgets().find((w) => w.id === id)!).content.data as { state: Record<string, unknown> }).state;
    };
    for (const [model, name, width] of [[slider.model, 'SliderStyleModel', '11em'], [menu.model, 'DescriptionStyleModel', 'initial']] as const) {
      const style = styleOf(model);
      checkAgainstSpec(style);
      expect(style).toMatchObject({ _model_name: name, description_width: width });
    }
    // Without one, the front end's default (an empty width) stays; a width goes to the control's layout.
    expect(styleOf(intSlider({ value: 1, min: 0, max: 2 }).model).description_width).toBe('');
    const wide = intSlider({ value: 1, min: 0, max: 2, width: '36em' });
    const layoutId = String(wide.model.get('layout')).replace(/^IPY_MODEL_/, '');
    const layout = (opened(liveWidgets().find((w) => w.id === layoutId)!).content.data as { state: Record<string, unknown> }).state;
    checkAgainstSpec(layout);
    expect(layout).toMatchObject({ _model_name: 'LayoutModel', width: '36em' });
  });

  it('is displayed through the widget view MIME type, valid against the view schema, with a text fallback', () => {
    const slider = intSlider({ value: 3, min: 1, max: 8, description: 'GPUs' });
    const bundle = slider[MIME_BUNDLE]();
    expect(validView(bundle[VIEW_MIME_TYPE]), JSON.stringify(validView.errors)).toBe(true);
    expect(bundle[VIEW_MIME_TYPE]).toEqual({ version_major: 2, version_minor: 0, model_id: slider.model.id });
    expect(bundle['text/plain']).toBe('GPUs: 3');
  });

  it('sends only what changed as an update, and tells its listeners', async () => {
    const slider = floatSlider({ value: 2, min: 0, max: 10 });
    const seen: number[] = [];
    slider.onChange((v) => void seen.push(v));
    slider.value = 2;
    slider.value = 4.5;
    const updates = messagesTo(slider.model);
    expect(updates).toEqual([{ method: 'update', state: { value: 4.5 }, buffer_paths: [] }]);
    expect(validUpdate(updates[0])).toBe(true);
    expect(seen).toEqual([4.5]);
  });

  it('applies an update from the front end, echoes it to every front end under that message, and tells its listeners', async () => {
    const slider = floatSlider({ value: 2, min: 0, max: 10 });
    const seen: number[] = [];
    slider.onChange((v) => void seen.push(v));
    await fromFrontEnd(slider.model, { method: 'update', state: { value: 7.5 }, buffer_paths: [] });
    const echo = sent.at(-1)!;
    expect(echo.content.data).toEqual({ method: 'echo_update', state: { value: 7.5 }, buffer_paths: [] });
    expect(validUpdate(echo.content.data)).toBe(true);
    expect(echo.parent).toBe(parent!.header.msg_id);
    expect(parent!.header.msg_type).toBe('comm_msg');
    expect(slider.value).toBe(7.5);
    expect(seen).toEqual([7.5]);
  });

  it('answers request_state with the whole state, and reports a method the protocol does not have', async () => {
    const box = checkbox({ value: true, description: 'spot' });
    await fromFrontEnd(box.model, { method: 'request_state' });
    const update = sent.at(-1)!.content.data as { method: string; state: Record<string, unknown> };
    expect(update.method).toBe('update');
    expect(update.state).toEqual(box.model.snapshot());
    checkAgainstSpec(update.state);
    await fromFrontEnd(box.model, { method: 'nonsense' });
    expect(sent.at(-1)).toMatchObject({ msgType: 'stream', content: { name: 'stderr', text: expect.stringContaining('method "nonsense", which the protocol does not have') } });
  });

  it('sends binary values as buffers with their paths, and takes them back from the front end', async () => {
    const split = removeBuffers({ a: new Uint8Array([1]), b: { c: [0, new Uint8Array([2, 3])] }, d: 'x' });
    expect(split.state).toEqual({ b: { c: [0, null] }, d: 'x' });
    expect(split.buffer_paths).toEqual([['a'], ['b', 'c', 1]]);
    expect(split.buffers.map((b) => [...b])).toEqual([[1], [2, 3]]);
    expect(putBuffers(split.state, split.buffer_paths, split.buffers)).toEqual({ a: new Uint8Array([1]), b: { c: [0, new Uint8Array([2, 3])] }, d: 'x' });
    const area = output();
    await fromFrontEnd(area.model, { method: 'update', state: { outputs: [] }, buffer_paths: [['outputs', 0]] }, [Buffer.from([9])]);
    expect(sent.at(-1)!.buffers.map((b) => [...b])).toEqual([[9]]);
    expect(sent.at(-1)!.content.data).toEqual({ method: 'echo_update', state: { outputs: [null] }, buffer_paths: [['outputs', 0]] });
  });

  it('answers the control comm’s request_states with every live model, and saves a state valid against the state schema', async () => {
    const layout = vbox([intSlider({ value: 1, min: 0, max: 4 }), checkbox({ value: false })]);
    await comms.handlers.get('comm_open')!(message('comm_open', { comm_id: 'control-1', target_name: 'jupyter.widget.control', data: {} }));
    await comms.handlers.get('comm_msg')!(message('comm_msg', { comm_id: 'control-1', data: { method: 'request_states' } }));
    const reply = sent.at(-1)!;
    expect(reply.content.comm_id).toBe('control-1');
    expect(validStates(reply.content.data), JSON.stringify(validStates.errors)).toBe(true);
    const states = (reply.content.data as { states: Record<string, { state: Record<string, unknown> }> }).states;
    expect(Object.keys(states).sort()).toEqual(liveWidgets().map((w) => w.id).sort());
    expect(states[layout.model.id]!.state.children).toHaveLength(2);
    const saved = widgetState();
    expect(validState(saved), JSON.stringify(validState.errors)).toBe(true);
    expect(Object.keys(saved.state)).toHaveLength(liveWidgets().length);
  });

  it('forgets a model closed by either side', async () => {
    const box = checkbox({ value: false });
    await comms.handlers.get('comm_close')!(message('comm_close', { comm_id: box.model.id, data: {} }));
    expect(box.model.isClosed).toBe(true);
    expect(liveWidgets().map((w) => w.id)).not.toContain(box.model.id);
  });
});

describe('the controls', () => {
  it('keep a dropdown’s value as the option and a log slider’s as the number', async () => {
    const gpu = dropdown({ options: [['H100 SXM', 'h100'], ['A100 80 GB', 'a100']] as const, value: 'a100', description: 'GPU' });
    expect(gpu.model.get('_options_labels')).toEqual(['H100 SXM', 'A100 80 GB']);
    expect(gpu.model.get('index')).toBe(1);
    await fromFrontEnd(gpu.model, { method: 'update', state: { index: 0 }, buffer_paths: [] });
    expect(gpu.value).toBe('h100');
    const tokens = logSlider({ value: 1e6, min: 1e3, max: 1e9, description: 'tokens' });
    expect(tokens.model.get('min')).toBeCloseTo(3);
    expect(tokens.model.get('max')).toBeCloseTo(9);
    expect(tokens.model.get('value')).toBe(1e6);
  });

  it('refuse a bad setting at once, naming the control and what is wrong', () => {
    expect(() => floatSlider({ value: 11, min: 0, max: 10, description: 'MFU' })).toThrow(new WidgetValueError('floatSlider "MFU"', 'value 11 is outside 0…10'));
    expect(() => intSlider({ value: 1.5, min: 0, max: 4 })).toThrow('intSlider: value 1.5 is not an integer');
    expect(() => floatSlider({ value: 1, min: 2, max: 1 })).toThrow('min 2 must be a number below max 1');
    expect(() => logSlider({ value: 1, min: 0, max: 10 })).toThrow('must be above 0 on a log scale');
    expect(() => dropdown({ options: [] })).toThrow('needs at least one option');
    const gpu = dropdown({ options: ['h100', 'a100'] });
    expect(() => (gpu.value = 'b200')).toThrow('"b200" is not one of its options');
  });

  it('exist for every model they name, each reference a new instance of its model', () => {
    for (const name of ['IntSliderModel', 'FloatSliderModel', 'FloatLogSliderModel', 'DropdownModel', 'CheckboxModel', 'TextModel', 'HTMLModel', 'HBoxModel', 'VBoxModel', 'OutputModel']) {
      const spec = modelSpec(name);
      for (const reference of spec.attributes.filter((a) => a.type === 'reference' && a.default === NEW_INSTANCE)) expect(() => modelSpec(referencedModel(reference))).not.toThrow();
    }
  });
});

describe('interact', () => {
  it('shows the first result in the cell, and after a change draws again once, debounced, into its output area', async () => {
    const rent = floatSlider({ value: 2, min: 1, max: 4, description: 'rent' });
    const hours = intSlider({ value: 10, min: 1, max: 100, description: 'hours' });
    const calls: Array<{ rent: number; hours: number }> = [];
    const shown = await interact({ rent, hours }, (v) => {
      calls.push(v);
      return `cost ${v.rent * v.hours}`;
    }, { debounceMs: 20 });
    // In the cell: the layout, then the first result under the cell's request, captured by the area.
    expect(calls).toEqual([{ rent: 2, hours: 10 }]);
    const area = liveWidgets().find((w) => w.modelName === 'OutputModel')!;
    const captures = messagesTo(area).map((d) => (d.state as { msg_id?: string }).msg_id);
    expect(captures).toEqual([parent!.header.msg_id, '']);
    await fromFrontEnd(rent.model, { method: 'update', state: { value: 3 }, buffer_paths: [] });
    await fromFrontEnd(hours.model, { method: 'update', state: { value: 20 }, buffer_paths: [] });
    await shown.settled();
    expect(calls).toEqual([{ rent: 2, hours: 10 }, { rent: 3, hours: 20 }]);
    expect(area.get('outputs')).toEqual([{ output_type: 'display_data', data: { 'text/plain': 'cost 60' }, metadata: {} }]);
    expect(shown[MIME_BUNDLE]()['text/plain']).toBe('rent: 3\nhours: 20');
  });

  it('shows an error from render in its area and keeps working', async () => {
    const n = intSlider({ value: 1, min: 0, max: 3 });
    const shown = await interact({ n }, (v) => {
      if (v.n === 2) throw new RangeError('two is not allowed');
      return `n = ${v.n}`;
    }, { debounceMs: 5 });
    const area = liveWidgets().find((w) => w.modelName === 'OutputModel')!;
    n.value = 2;
    await shown.settled();
    expect(area.get('outputs')).toEqual([{ output_type: 'display_data', data: { 'text/plain': 'render failed: RangeError: two is not allowed' }, metadata: {} }]);
    n.value = 3;
    await shown.settled();
    expect(area.get('outputs')).toEqual([{ output_type: 'display_data', data: { 'text/plain': 'n = 3' }, metadata: {} }]);
  });
});
