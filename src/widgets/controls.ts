/**
 * The controls a notebook reader moves, as typed values over widget models (`model.ts`) of
 * `@jupyter-widgets/controls` 5: sliders (integer, float, log-scale), a dropdown, a checkbox, a text
 * field, HTML text, and boxes that lay them out. Each control's `value` is read and set in the
 * kernel's terms (a dropdown's value is the option, not its index; a log slider's is the number,
 * not its exponent); a bad setting is refused at once, naming the control and what is wrong.
 */
import { MIME_BUNDLE, type MimeBundle } from '../display';
import { ProjectError } from '../errors';
import { WidgetModel, type WidgetChange } from './model';
import { modelSpec, referencedModel } from './spec';

export class WidgetValueError extends ProjectError<{ control: string; problem: string }> {
  constructor(control: string, problem: string) {
    super(`${control}: ${problem}`, { control, problem });
  }
}

/** A widget shown on its own or inside a box. */
export interface Widget {
  readonly model: WidgetModel;
  [MIME_BUNDLE](): MimeBundle;
}

/** A widget whose value the reader changes. */
export interface Control<T> extends Widget {
  value: T;
  /** Called with the new value after each change, from the front end or from `value = …`. */
  onChange(listener: (value: T) => void | Promise<void>): void;
}

interface Common {
  /** The label shown beside the control. */
  description?: string;
  /** The label's width (CSS, e.g. `'10em'`, or `'initial'` for its text's): the front end's default cuts long labels short. */
  descriptionWidth?: string;
  /** The whole control's width (CSS, e.g. `'32em'`), label included; the front end's default is narrow. */
  width?: string;
  disabled?: boolean;
}

/**
 * A control's model. With `descriptionWidth` its style model, with `width` its layout model (the ones
 * its spec refers to) are made with those; otherwise the front end's defaults stay.
 */
function describedModel(modelName: string, state: Record<string, unknown>, options: Common): WidgetModel {
  const referenced = (attribute: string, values: Record<string, unknown>) => {
    const spec = modelSpec(modelName).attributes.find((a) => a.name === attribute);
    if (spec === undefined) throw new WidgetValueError(label(modelName, options), `has no ${attribute} to set`);
    return { [attribute]: new WidgetModel(referencedModel(spec), values) };
  };
  return new WidgetModel(modelName, {
    ...state,
    ...(options.descriptionWidth !== undefined ? referenced('style', { description_width: options.descriptionWidth }) : {}),
    ...(options.width !== undefined ? referenced('layout', { width: options.width }) : {}),
  });
}

function label(kind: string, options: Common): string {
  return options.description ? `${kind} ${JSON.stringify(options.description)}` : kind;
}

/** A control over `model`'s `attribute`, converted between the kernel's value and the model's. */
function control<T>(model: WidgetModel, attribute: string, read: (raw: unknown) => T, write: (value: T) => unknown, check: (value: T) => void, text: () => string): Control<T> {
  return {
    model,
    get value() {
      return read(model.get(attribute));
    },
    set value(value: T) {
      check(value);
      model.set({ [attribute]: write(value) });
    },
    onChange(listener) {
      model.onChange(async (change: WidgetChange) => {
        if (attribute in change.changed) await listener(read(change.changed[attribute]));
      });
    },
    [MIME_BUNDLE]() {
      return { ...model[MIME_BUNDLE](), 'text/plain': text() };
    },
  };
}

export interface SliderOptions extends Common {
  value: number;
  min: number;
  max: number;
  /** Default 1 for an integer slider, a hundredth of the range for a float one. */
  step?: number;
  /** Send values while the handle is dragged (default), or only where it is let go. */
  continuousUpdate?: boolean;
  /** d3-format of the number shown beside the slider. */
  readoutFormat?: string;
}

function checkRange(name: string, options: SliderOptions, integer: boolean): (value: number) => void {
  if (!(Number.isFinite(options.min) && Number.isFinite(options.max) && options.min < options.max)) {
    throw new WidgetValueError(name, `min ${options.min} must be a number below max ${options.max}`);
  }
  if (options.step !== undefined && !(options.step > 0)) throw new WidgetValueError(name, `step ${options.step} must be above 0`);
  const check = (value: number) => {
    if (!Number.isFinite(value) || value < options.min || value > options.max) throw new WidgetValueError(name, `value ${value} is outside ${options.min}…${options.max}`);
    if (integer && !Number.isInteger(value)) throw new WidgetValueError(name, `value ${value} is not an integer`);
  };
  check(options.value);
  return check;
}

function sliderState(options: SliderOptions, step: number): Record<string, unknown> {
  return {
    value: options.value,
    min: options.min,
    max: options.max,
    step,
    description: options.description ?? '',
    disabled: options.disabled ?? false,
    continuous_update: options.continuousUpdate ?? true,
    ...(options.readoutFormat ? { readout_format: options.readoutFormat } : {}),
  };
}

export function intSlider(options: SliderOptions): Control<number> {
  const name = label('intSlider', options);
  const check = checkRange(name, options, true);
  const model = describedModel('IntSliderModel', sliderState(options, options.step ?? 1), options);
  return control(model, 'value', Number, (v) => v, check, () => `${options.description ?? 'value'}: ${model.get('value')}`);
}

export function floatSlider(options: SliderOptions): Control<number> {
  const name = label('floatSlider', options);
  const check = checkRange(name, options, false);
  const model = describedModel('FloatSliderModel', sliderState(options, options.step ?? (options.max - options.min) / 100), options);
  return control(model, 'value', Number, (v) => v, check, () => `${options.description ?? 'value'}: ${model.get('value')}`);
}

export interface LogSliderOptions extends SliderOptions {
  /** Default 10. */
  base?: number;
  /** The step of the exponent; default a hundredth of the exponents' range. */
  step?: number;
}

/**
 * A slider over a range spanning orders of magnitude (`FloatLogSliderModel`): `min`, `max` and `value`
 * are the numbers themselves; the model's `min` and `max` are their exponents in `base`.
 */
export function logSlider(options: LogSliderOptions): Control<number> {
  const name = label('logSlider', options);
  const base = options.base ?? 10;
  if (!(options.min > 0)) throw new WidgetValueError(name, `min ${options.min} must be above 0 on a log scale`);
  if (!(base > 1)) throw new WidgetValueError(name, `base ${base} must be above 1`);
  const check = checkRange(name, options, false);
  const exponent = (x: number) => Math.log(x) / Math.log(base);
  const model = describedModel('FloatLogSliderModel', {
    ...sliderState({ ...options, min: exponent(options.min), max: exponent(options.max) }, options.step ?? (exponent(options.max) - exponent(options.min)) / 100),
    base,
  }, options);
  // Values spanning orders of magnitude read best in powers of ten beyond six digits: 4.05e+11.
  const shown = (v: number) => (Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(Number(v.toPrecision(6))));
  return control(model, 'value', Number, (v) => v, check, () => `${options.description ?? 'value'}: ${shown(Number(model.get('value')))}`);
}

export interface DropdownOptions<T> extends Common {
  /** The choices: values shown as themselves, or `[label, value]` pairs. */
  options: ReadonlyArray<T | readonly [string, T]>;
  /** Default the first option. */
  value?: T;
}

export function dropdown<T>(options: DropdownOptions<T>): Control<T> {
  const name = label('dropdown', options);
  if (options.options.length === 0) throw new WidgetValueError(name, 'needs at least one option');
  const pairs = options.options.map((o) => (Array.isArray(o) && o.length === 2 && typeof o[0] === 'string' ? (o as readonly [string, T]) : ([String(o), o as T] as const)));
  const indexOf = (value: T) => pairs.findIndex(([, v]) => v === value);
  const check = (value: T) => {
    if (indexOf(value) < 0) throw new WidgetValueError(name, `${JSON.stringify(value)} is not one of its options`);
  };
  const initial = options.value ?? pairs[0]![1];
  check(initial);
  const model = describedModel('DropdownModel', {
    _options_labels: pairs.map(([l]) => l),
    index: indexOf(initial),
    description: options.description ?? '',
    disabled: options.disabled ?? false,
  }, options);
  return control(
    model,
    'index',
    (raw) => pairs[Number(raw)]![1],
    (value) => indexOf(value),
    check,
    () => `${options.description ?? 'choice'}: ${pairs[Number(model.get('index'))]![0]}`,
  );
}

export function checkbox(options: Common & { value: boolean }): Control<boolean> {
  const model = describedModel('CheckboxModel', { value: options.value, description: options.description ?? '', disabled: options.disabled ?? false }, options);
  return control(model, 'value', Boolean, (v) => v, () => undefined, () => `${options.description ?? 'checked'}: ${model.get('value') ? 'yes' : 'no'}`);
}

export function text(options: Common & { value: string; placeholder?: string }): Control<string> {
  const model = describedModel('TextModel', {
    value: options.value,
    description: options.description ?? '',
    disabled: options.disabled ?? false,
    ...(options.placeholder !== undefined ? { placeholder: options.placeholder } : {}),
  }, options);
  return control(model, 'value', String, (v) => v, () => undefined, () => `${options.description ?? 'text'}: ${String(model.get('value'))}`);
}

/** Text (HTML) shown among the controls; its `value` may be changed later. */
export function html(value: string): Control<string> {
  const model = new WidgetModel('HTMLModel', { value });
  return control(model, 'value', String, (v) => v, () => undefined, () => String(model.get('value')).replace(/<[^>]*>/g, ''));
}

function box(modelName: string, children: readonly Widget[]): Widget {
  const model = new WidgetModel(modelName, { children: children.map((c) => c.model) });
  return {
    model,
    [MIME_BUNDLE]() {
      const lines = children.map((c) => String(c[MIME_BUNDLE]()['text/plain'] ?? '')).filter((line) => line !== '');
      return { ...model[MIME_BUNDLE](), 'text/plain': lines.join('\n') };
    },
  };
}

/** Widgets side by side. */
export function hbox(children: readonly Widget[]): Widget {
  return box('HBoxModel', children);
}

/** Widgets one under another. */
export function vbox(children: readonly Widget[]): Widget {
  return box('VBoxModel', children);
}
