/**
 * A Jupyter widget model in the kernel, speaking the widget messaging protocol 2.1.0 (ipywidgets 8,
 * `@jupyter-widgets/jupyterlab-manager` 5) over a comm to the `jupyter.widget` target:
 * - created with every attribute of its model (`spec.ts`), a layout or style of its own where the
 *   model refers to one, and opened with `comm_open` (`{state, buffer_paths}`, the protocol version
 *   in the message's metadata);
 * - `set()` sends the changed attributes as an `update`; an `update` from the front end is applied,
 *   echoed back to every front end as `echo_update`, and reported to `onChange` listeners;
 *   `request_state` is answered with the whole state; `custom` messages go to `onCustom` listeners;
 * - shown through `application/vnd.jupyter.widget-view+json`, with a `text/plain` fallback for every
 *   front end without a widget manager (the headless runner, nbconvert, GitHub).
 *
 * Outside the kernel (a script, a test) a model works the same without a comm: nothing is sent.
 * Every live model is listed in one registry (`liveWidgets`), from which the `jupyter.widget.control`
 * target answers `request_states` and the saved notebook's widget state is made.
 */
import { randomUUID } from 'node:crypto';
import { COMM_MANAGER, type Comm, type CommData, type CommManager, type CommMessage } from '../comm';
import { MIME_BUNDLE, type MimeBundle } from '../display';
import { ProjectError } from '../errors';
import { putBuffers, removeBuffers, type BufferPath } from './buffers';
import { modelSpec, NEW_INSTANCE, referencedModel, type ModelSpec } from './spec';

export const WIDGET_PROTOCOL_VERSION = '2.1.0';
export const WIDGET_TARGET = 'jupyter.widget';
export const CONTROL_TARGET = 'jupyter.widget.control';
export const CONTROL_PROTOCOL_VERSION = '1.0.0';
export const VIEW_MIME_TYPE = 'application/vnd.jupyter.widget-view+json';
export const STATE_MIME_TYPE = 'application/vnd.jupyter.widget-state+json';
/** How a model is referred to inside another's state. */
export const MODEL_REFERENCE_PREFIX = 'IPY_MODEL_';

export type WidgetState = Record<string, unknown>;
export type ChangeSource = 'kernel' | 'front end';

export interface WidgetChange {
  /** The attributes that changed, with their new values. */
  readonly changed: WidgetState;
  readonly source: ChangeSource;
}

export class WidgetProtocolError extends ProjectError<{ model: string; method: string }> {
  constructor(model: string, method: string) {
    super(`${model}: the front end sent a widget message with method ${JSON.stringify(method)}, which the protocol does not have`, { model, method });
  }
}

interface Registry {
  readonly widgets: Map<string, WidgetModel>;
  /** The saved state of every live model (what the headless runner asks for after the last cell). */
  readonly saved: () => SavedWidgetState;
  /** The comm managers the control target is registered with (one per kernel; tests make several). */
  readonly controlRegistered: WeakSet<CommManager>;
}

/** Where the live models are listed, for the control comm and the headless runner. */
export const WIDGET_REGISTRY_SYMBOL = 'llm-price-lab.widgets';
const REGISTRY = Symbol.for(WIDGET_REGISTRY_SYMBOL);

function registry(): Registry {
  const slot = globalThis as Record<symbol, Registry | undefined>;
  slot[REGISTRY] ??= { widgets: new Map(), saved: () => widgetState(), controlRegistered: new WeakSet() };
  return slot[REGISTRY];
}

function commManager(): CommManager | undefined {
  return (globalThis as Record<symbol, CommManager | undefined>)[COMM_MANAGER];
}

/** Every model not closed, in the order they were made (children before the models that hold them). */
export function liveWidgets(): WidgetModel[] {
  return [...registry().widgets.values()];
}

/** Widget models in values become `IPY_MODEL_<id>` references, at any depth. */
function serialise(value: unknown): unknown {
  if (value instanceof WidgetModel) return `${MODEL_REFERENCE_PREFIX}${value.id}`;
  if (Array.isArray(value)) return value.map(serialise);
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, serialise(item)]));
  }
  return value;
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

export class WidgetModel {
  readonly id: string;
  readonly spec: ModelSpec;
  /** Models this one holds (its layout and style, a box's children): kept alive with it. */
  readonly held: readonly WidgetModel[];
  private readonly state: WidgetState;
  private readonly comm: Comm | undefined;
  private readonly changeListeners: Array<(change: WidgetChange) => void | Promise<void>> = [];
  private readonly customListeners: Array<(content: unknown, buffers: readonly Uint8Array[]) => void | Promise<void>> = [];
  private closed = false;

  /**
   * A model named in `@jupyter-widgets/schema` (`FloatSliderModel`), its attributes the model's
   * defaults overridden by `values` (widget models in them are sent as references).
   */
  constructor(modelName: string, values: WidgetState = {}) {
    this.spec = modelSpec(modelName);
    const held: WidgetModel[] = [];
    const state: WidgetState = {};
    for (const attribute of this.spec.attributes) {
      if (attribute.name in values) continue;
      if (attribute.type === 'reference' && attribute.default === NEW_INSTANCE) {
        const child = new WidgetModel(referencedModel(attribute));
        held.push(child);
        state[attribute.name] = child;
      } else state[attribute.name] = structuredClone(attribute.default);
    }
    for (const [key, value] of Object.entries(values)) {
      state[key] = value;
      collectModels(value, held);
    }
    this.held = held;
    this.state = Object.fromEntries(Object.entries(state).map(([key, value]) => [key, serialise(value)]));
    const manager = commManager();
    if (manager) {
      ensureControlTarget(manager);
      const { state: json, buffer_paths, buffers } = removeBuffers(this.state);
      this.comm = manager.open(WIDGET_TARGET, { state: json, buffer_paths }, { version: WIDGET_PROTOCOL_VERSION }, buffers);
      this.comm.onMessage((message) => this.receive(message));
      this.comm.onClose(() => this.forget());
      this.id = this.comm.commId;
    } else {
      this.id = randomUUID().replaceAll('-', '');
    }
    registry().widgets.set(this.id, this);
  }

  get modelName(): string {
    return this.spec.model.name;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** One attribute's value as the front end has it (references as `IPY_MODEL_…`). */
  get(name: string): unknown {
    return this.state[name];
  }

  /** The whole state, as sent to the front end (a copy). */
  snapshot(): WidgetState {
    return structuredClone(this.state);
  }

  /**
   * Changes attributes: the front end gets those whose value differs, as one `update`, and the
   * change listeners are called with source `kernel`.
   */
  set(values: WidgetState): void {
    const changed: WidgetState = {};
    for (const [key, value] of Object.entries(values)) {
      const json = serialise(value);
      if (!same(this.state[key], json)) changed[key] = json;
    }
    if (Object.keys(changed).length === 0) return;
    Object.assign(this.state, changed);
    this.sendState('update', changed);
    // set() is synchronous: a listener that fails later is said on stderr (the cell's, or the log's).
    this.notify({ changed, source: 'kernel' }).catch((error: unknown) => {
      process.stderr.write(`${this.spec.model.name} change listener failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    });
  }

  /** Called after each change (from the kernel or the front end), in order; an async listener is awaited. */
  onChange(listener: (change: WidgetChange) => void | Promise<void>): void {
    this.changeListeners.push(listener);
  }

  /** Called with each `custom` message from the front end. */
  onCustom(listener: (content: unknown, buffers: readonly Uint8Array[]) => void | Promise<void>): void {
    this.customListeners.push(listener);
  }

  /** Sends a `custom` message to the front end's model. */
  sendCustom(content: CommData, buffers: readonly Uint8Array[] = []): void {
    this.comm?.send({ method: 'custom', content }, {}, buffers);
  }

  /** Closes the comm: the front end drops the model and its views. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.comm?.close();
    this.forget();
  }

  /** This model's entry in a saved widget state (`application/vnd.jupyter.widget-state+json`). */
  savedState(): { model_name: string; model_module: string; model_module_version: string; state: WidgetState; buffers?: Array<{ path: BufferPath; data: string; encoding: 'base64' }> } {
    const { state, buffer_paths, buffers } = removeBuffers(this.state);
    return {
      model_name: this.spec.model.name,
      model_module: this.spec.model.module,
      model_module_version: this.spec.model.version,
      state,
      ...(buffers.length ? { buffers: buffers.map((b, i) => ({ path: buffer_paths[i]!, data: Buffer.from(b).toString('base64'), encoding: 'base64' as const })) } : {}),
    };
  }

  /** What a front end without widgets shows: the model and its main attributes. */
  describe(): string {
    const shown = ['description', 'value', 'min', 'max'].filter((key) => key in this.state && this.state[key] !== '' && this.state[key] !== null);
    const name = this.spec.model.name.replace(/Model$/, '');
    return `${name}(${shown.map((key) => `${key}=${JSON.stringify(this.state[key])}`).join(', ')})`;
  }

  [MIME_BUNDLE](): MimeBundle {
    return {
      'text/plain': this.describe(),
      // ipywidgets 8 sends view format 2.0; the protocol of the comm messages is 2.1.0.
      [VIEW_MIME_TYPE]: { version_major: 2, version_minor: 0, model_id: this.id },
    };
  }

  private sendState(method: 'update' | 'echo_update', state: WidgetState): void {
    if (!this.comm || this.comm.closed) return;
    const split = removeBuffers(state);
    this.comm.send({ method, state: split.state, buffer_paths: split.buffer_paths }, {}, split.buffers);
  }

  private async receive(message: CommMessage): Promise<void> {
    const method = String(message.data.method ?? '');
    if (method === 'update') {
      const incoming = putBuffers(structuredClone((message.data.state ?? {}) as WidgetState), (message.data.buffer_paths ?? []) as BufferPath[], message.buffers);
      const known = Object.fromEntries(Object.entries(incoming).filter(([key]) => key in this.state));
      // Every front end learns of the change, the sender included (it then knows the order of updates).
      this.sendState('echo_update', known);
      const changed = Object.fromEntries(Object.entries(known).filter(([key, value]) => !same(this.state[key], value)));
      Object.assign(this.state, known);
      if (Object.keys(changed).length) await this.notify({ changed, source: 'front end' });
    } else if (method === 'request_state') {
      this.sendState('update', this.state);
    } else if (method === 'custom') {
      for (const listener of this.customListeners) await listener(message.data.content, message.buffers);
    } else {
      throw new WidgetProtocolError(this.spec.model.name, method);
    }
  }

  private async notify(change: WidgetChange): Promise<void> {
    for (const listener of this.changeListeners) await listener(change);
  }

  private forget(): void {
    this.closed = true;
    registry().widgets.delete(this.id);
  }
}

function collectModels(value: unknown, into: WidgetModel[]): void {
  if (value instanceof WidgetModel) into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectModels(item, into);
}

/**
 * The saved state of every live model (`application/vnd.jupyter.widget-state+json`, format 2.0),
 * which a notebook keeps in `metadata.widgets` so that its widgets show again without a kernel.
 */
export interface SavedWidgetState {
  version_major: 2;
  version_minor: 0;
  state: Record<string, ReturnType<WidgetModel['savedState']>>;
}

export function widgetState(): SavedWidgetState {
  return { version_major: 2, version_minor: 0, state: Object.fromEntries(liveWidgets().map((w) => [w.id, w.savedState()])) };
}

/**
 * The `jupyter.widget.control` target: a front end that (re)connects asks for every model's state in
 * one `request_states` message, answered by `update_states`.
 */
function ensureControlTarget(manager: CommManager): void {
  const reg = registry();
  if (reg.controlRegistered.has(manager)) return;
  reg.controlRegistered.add(manager);
  manager.registerTarget(CONTROL_TARGET, (comm) => {
    comm.onMessage((message) => {
      if (message.data.method !== 'request_states') throw new WidgetProtocolError('jupyter.widget.control', String(message.data.method));
      const states = Object.fromEntries(
        liveWidgets().map((w) => [w.id, { model_name: w.spec.model.name, model_module: w.spec.model.module, model_module_version: w.spec.model.version, state: w.snapshot() }]),
      );
      const split = removeBuffers(states);
      comm.send({ method: 'update_states', states: split.state, buffer_paths: split.buffer_paths }, {}, split.buffers);
    });
  });
}
