/**
 * The Jupyter widget models of `@jupyter-widgets/base`, `@jupyter-widgets/controls` 5 and
 * `@jupyter-widgets/output` as `@jupyter-widgets/schema` describes them
 * (`jupyterwidgetmodels.latest.json`: each model's module, name and version, its view, and every
 * attribute with its type and default). A widget's first state is built from it, so that the front
 * end receives every attribute ipywidgets 8 would send, and the tests check states against it.
 */
import { createRequire } from 'node:module';
import { ProjectError } from '../errors';

export interface AttributeSpec {
  readonly name: string;
  readonly type: string;
  readonly default: unknown;
  readonly allow_none?: boolean;
  readonly enum?: readonly string[];
  /** For `reference` attributes: the widget referred to (`Layout`, `SliderStyle`, …). */
  readonly widget?: string;
  readonly items?: unknown;
}

export interface ModelSpec {
  readonly model: { readonly module: string; readonly name: string; readonly version: string };
  readonly view: { readonly module: string | null; readonly name: string | null; readonly version: string };
  readonly attributes: readonly AttributeSpec[];
}

/** What a `reference` attribute holds by default: a new widget of its own (a layout, a style). */
export const NEW_INSTANCE = 'reference to new instance';

export class UnknownWidgetModelError extends ProjectError<{ model: string }> {
  constructor(model: string) {
    super(`${model}: not a model of @jupyter-widgets/base, controls or output (see jupyterwidgetmodels.latest.json)`, { model });
  }
}

let specs: Map<string, ModelSpec> | undefined;

/** Every model spec, by model name (`FloatSliderModel`), read once. */
export function modelSpecs(): ReadonlyMap<string, ModelSpec> {
  specs ??= new Map((createRequire(__filename)('@jupyter-widgets/schema/jupyterwidgetmodels.latest.json') as ModelSpec[]).map((spec) => [spec.model.name, spec]));
  return specs;
}

export function modelSpec(modelName: string): ModelSpec {
  const spec = modelSpecs().get(modelName);
  if (spec === undefined) throw new UnknownWidgetModelError(modelName);
  return spec;
}

/** The model name a `reference` attribute's widget has (`SliderStyle` → `SliderStyleModel`). */
export function referencedModel(attribute: AttributeSpec): string {
  return `${attribute.widget ?? 'Widget'}Model`;
}
