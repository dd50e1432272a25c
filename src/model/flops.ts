import type * as tf from '@tensorflow/tfjs';
import { ProjectError } from '../errors';

/**
 * Arithmetic of a forward pass, counted layer by layer (taught in notebook 05): a multiply-add is
 * two FLOPs. Convolutions reuse each weight at every output position, so for a CNN the count is far
 * above 2 × parameters; pooling, activations and biases are left out (a few percent at most here).
 */
export interface LayerFlops {
  readonly name: string;
  readonly type: string;
  readonly flops: number;
}

/** One training step costs about three forward passes (forward, and a backward pass of twice the work). */
export const TRAINING_FLOPS_PER_FORWARD = 3;

/** A layer type the counter does not know; names the layer so the caller can extend the count. */
export class UnsupportedLayerError extends ProjectError<{ layerName: string; layerType: string }> {
  constructor(
    readonly layerName: string,
    readonly layerType: string,
  ) {
    super(`forwardFlops: layer '${layerName}' of type ${layerType} has weights and is not counted (Conv2D and Dense are)`, { layerName, layerType });
  }
}

function product(values: ReadonlyArray<number | null>): number {
  return values.reduce<number>((n, v) => n * (v ?? 1), 1);
}

/** Forward FLOPs per example of each Conv2D and Dense layer; weightless layers count zero. */
export function layerFlops(model: tf.LayersModel): LayerFlops[] {
  return model.layers.map((layer) => {
    const type = layer.getClassName();
    const out = layer.outputShape as Array<number | null>;
    if (type === 'Conv2D') {
      const kernel = layer.getWeights()[0]!.shape; // [kh, kw, cin, cout]
      const positions = product(out.slice(1, -1));
      return { name: layer.name, type, flops: 2 * positions * product(kernel) };
    }
    if (type === 'Dense') {
      const kernel = layer.getWeights()[0]!.shape; // [in, out]
      return { name: layer.name, type, flops: 2 * product(kernel) };
    }
    if (layer.countParams() > 0) throw new UnsupportedLayerError(layer.name, type);
    return { name: layer.name, type, flops: 0 };
  });
}

/** Forward FLOPs to classify one example. */
export function forwardFlops(model: tf.LayersModel): number {
  return layerFlops(model).reduce((n, l) => n + l.flops, 0);
}

/** FLOPs of training on `samples` examples (one pass each): 3 × forward × samples. */
export function trainingFlopsOfModel(model: tf.LayersModel, samples: number): number {
  if (!(samples >= 0)) throw new RangeError(`trainingFlopsOfModel: samples = ${samples} is not ≥ 0`);
  return TRAINING_FLOPS_PER_FORWARD * forwardFlops(model) * samples;
}
