import * as tf from '@tensorflow/tfjs';
import type { BatchArrays, BatchGradients } from './gradients';

/**
 * The gradient of the article's network in one hand-written pass, for the backends that keep
 * tensors in this process's memory (wasm, cpu). The network is convolution (ReLU, stride 1, no
 * padding) → max pooling (non-overlapping windows) → flatten → dense (ReLU) → dense (softmax), with
 * categorical cross-entropy and accuracy, as `createCnn` builds it.
 *
 * tfjs' automatic differentiation computes the same gradient with about 200 kernels per step, most
 * of them element-wise passes over the 26x26x32 feature maps (bias add, ReLU, its mask, pooling's
 * gradient, the bias gradient's sum). Here the heavy products stay tfjs kernels (the convolution
 * with its bias and ReLU fused, the dense products, the filter gradient) and everything between
 * them is one loop each: pooling records where each window's maximum was, and the backward pass
 * routes each pooled gradient to that place, applies ReLU's mask and sums the bias gradient in the
 * same pass. The tests compare it with tfjs' own gradient.
 */

/** The backends whose tensors live in this process's memory, where the loops in between are cheap. */
export const FUSED_BACKENDS: readonly string[] = ['wasm', 'cpu'];

/** The shapes of a network the fused pass computes; read from a model by `fusedPlanOf`. */
export interface FusedPlan {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly kernel: number;
  readonly filters: number;
  readonly pool: number;
  readonly units: number;
  readonly classes: number;
}

interface LayerLike {
  getClassName(): string;
  getConfig(): Record<string, unknown>;
}

const pair = (value: unknown): number[] => (Array.isArray(value) ? (value as number[]) : [value as number, value as number]);

/** Why the fused pass cannot compute `model`'s gradient ('' when it can). */
export function fusedUnsupportedReason(model: tf.LayersModel): string {
  const layers = model.layers as unknown as LayerLike[];
  const names = layers.map((l) => l.getClassName()).join(', ');
  if (names !== 'Conv2D, MaxPooling2D, Flatten, Dense, Dense') return `its layers are ${names}, not Conv2D, MaxPooling2D, Flatten, Dense, Dense`;
  const [conv, pool, , hidden, output] = layers.map((l) => l.getConfig());
  const noExtras = (c: Record<string, unknown>) =>
    ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint'].every((k) => c[k] === null || c[k] === undefined) && c.useBias === true;
  const kernel = pair(conv!.kernelSize);
  if (kernel[0] !== kernel[1]) return 'its convolution kernel is not square';
  if (pair(conv!.strides).some((s) => s !== 1) || pair(conv!.dilationRate).some((d) => d !== 1)) return 'its convolution has strides or dilation';
  if (conv!.padding !== 'valid' || conv!.dataFormat !== 'channelsLast' || conv!.activation !== 'relu' || !noExtras(conv!)) {
    return 'its convolution is not a biased, unpadded, channels-last ReLU convolution without regularisers or constraints';
  }
  const size = pair(pool!.poolSize);
  const strides = pair(pool!.strides ?? pool!.poolSize);
  if (size[0] !== size[1] || strides[0] !== size[0] || strides[1] !== size[0] || pool!.padding !== 'valid' || pool!.dataFormat !== 'channelsLast') {
    return 'its pooling windows are not square, non-overlapping and unpadded';
  }
  if (hidden!.activation !== 'relu' || !noExtras(hidden!)) return 'its hidden dense layer is not a biased ReLU layer without regularisers or constraints';
  if (output!.activation !== 'softmax' || !noExtras(output!)) return 'its output layer is not a biased softmax layer without regularisers or constraints';
  const loss = (model as unknown as { loss?: unknown }).loss;
  if (loss !== 'categoricalCrossentropy') return `its loss is ${JSON.stringify(loss)}, not categoricalCrossentropy`;
  const metrics = (model as unknown as { metricsNames?: string[] }).metricsNames ?? [];
  if (metrics.length > 2 || (metrics[1] !== undefined && metrics[1] !== 'acc' && metrics[1] !== 'accuracy')) return `its metrics are ${metrics.slice(1).join(', ')}, not accuracy`;
  if (model.trainableWeights.length !== 6 || model.nonTrainableWeights.length > 0) return 'its weights are not the six of the network';
  return '';
}

/** The fused pass's shapes for `model`, or undefined when it cannot compute its gradient. */
export function fusedPlanOf(model: tf.LayersModel): FusedPlan | undefined {
  if (fusedUnsupportedReason(model) !== '') return undefined;
  const [height, width, channels] = model.inputs[0]!.shape.slice(1) as number[];
  const [conv, pool, , hidden, output] = (model.layers as unknown as LayerLike[]).map((l) => l.getConfig());
  return {
    height: height!,
    width: width!,
    channels: channels!,
    kernel: pair(conv!.kernelSize)[0]!,
    filters: conv!.filters as number,
    pool: pair(pool!.poolSize)[0]!,
    units: hidden!.units as number,
    classes: output!.units as number,
  };
}

/** tfjs' categorical cross-entropy clips probabilities to [ε, 1 − ε] with Keras' ε. */
const EPSILON = 1e-7;

/**
 * The gradient of the mean loss over `batch` at `weights` (in `model.trainableWeights` order:
 * filter, filter bias, hidden kernel, hidden bias, output kernel, output bias), with the batch's
 * mean loss and accuracy, as `batchGradients` returns them. Runs on the current backend, which must
 * be one of `FUSED_BACKENDS`.
 */
export async function fusedGradients(plan: FusedPlan, weights: readonly Float32Array[], batch: BatchArrays): Promise<BatchGradients> {
  const { height, width, channels, kernel, filters, pool, units, classes } = plan;
  const count = batch.count;
  const convHeight = height - kernel + 1;
  const convWidth = width - kernel + 1;
  const poolHeight = Math.floor(convHeight / pool);
  const poolWidth = Math.floor(convWidth / pool);
  const flat = poolHeight * poolWidth * filters;
  const [filterW, filterB, hiddenW, hiddenB, outputW, outputB] = weights as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const held: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    held.push(t);
    return t;
  };
  try {
    // Forward: the convolution with bias and ReLU in one kernel.
    const x = keep(tf.tensor4d(batch.images, [count, height, width, channels]));
    const filter = keep(tf.tensor4d(filterW, [kernel, kernel, channels, filters]));
    const activated = await keep(tf.fused.conv2d({ x, filter, strides: 1, pad: 'valid', bias: keep(tf.tensor1d(filterB)), activation: 'relu' })).data() as Float32Array;

    // Pooling, remembering where each window's maximum is (the first one in row-major order on ties, as tfjs).
    const pooled = new Float32Array(count * flat);
    const where = new Int32Array(count * flat);
    const rowStride = convWidth * filters;
    let out = 0;
    for (let b = 0; b < count; b += 1) {
      for (let py = 0; py < poolHeight; py += 1) {
        for (let px = 0; px < poolWidth; px += 1) {
          const corner = ((b * convHeight + py * pool) * convWidth + px * pool) * filters;
          for (let f = 0; f < filters; f += 1, out += 1) {
            let best = corner + f;
            let max = activated[best]!;
            for (let i = 0; i < pool; i += 1) {
              for (let j = 0; j < pool; j += 1) {
                const at = corner + i * rowStride + j * filters + f;
                if (activated[at]! > max) {
                  max = activated[at]!;
                  best = at;
                }
              }
            }
            pooled[out] = max;
            where[out] = best;
          }
        }
      }
    }

    // The hidden layer as one kernel; the small output layer, softmax and loss here.
    const flattened = keep(tf.tensor2d(pooled, [count, flat]));
    const hiddenKernel = keep(tf.tensor2d(hiddenW, [flat, units]));
    const hidden = await keep(tf.fused.matMul({ a: flattened, b: hiddenKernel, bias: keep(tf.tensor1d(hiddenB)), activation: 'relu' })).data() as Float32Array;
    const dLogits = new Float32Array(count * classes);
    const probabilities = new Float64Array(classes);
    let loss = 0;
    let correct = 0;
    for (let b = 0; b < count; b += 1) {
      let top = -Infinity;
      for (let k = 0; k < classes; k += 1) {
        let z = outputB[k]!;
        for (let u = 0; u < units; u += 1) z += hidden[b * units + u]! * outputW[u * classes + k]!;
        probabilities[k] = z;
        if (z > top) top = z;
      }
      let sum = 0;
      for (let k = 0; k < classes; k += 1) sum += (probabilities[k] = Math.exp(probabilities[k]! - top));
      let predicted = 0;
      let actual = 0;
      for (let k = 0; k < classes; k += 1) {
        const p = (probabilities[k] = probabilities[k]! / sum);
        const target = batch.targets[b * classes + k]!;
        if (target !== 0) loss -= target * Math.log(Math.min(Math.max(p, EPSILON), 1 - EPSILON));
        if (p > probabilities[predicted]!) predicted = k;
        if (target > batch.targets[b * classes + actual]!) actual = k;
        dLogits[b * classes + k] = (p - target) / count;
      }
      if (predicted === actual) correct += 1;
    }

    // Backward through the output layer, here.
    const gradOutputW = new Float32Array(units * classes);
    const gradOutputB = new Float32Array(classes);
    const dHidden = new Float32Array(count * units);
    const gradHiddenB = new Float32Array(units);
    for (let b = 0; b < count; b += 1) {
      for (let k = 0; k < classes; k += 1) gradOutputB[k] += dLogits[b * classes + k]!;
      for (let u = 0; u < units; u += 1) {
        const h = hidden[b * units + u]!;
        let d = 0;
        for (let k = 0; k < classes; k += 1) {
          const g = dLogits[b * classes + k]!;
          gradOutputW[u * classes + k] += h * g;
          d += g * outputW[u * classes + k]!;
        }
        // ReLU's gradient: nothing flows where the unit was off.
        const dh = h > 0 ? d : 0;
        dHidden[b * units + u] = dh;
        gradHiddenB[u] += dh;
      }
    }

    // The hidden layer's kernel gradient and the gradient at the pooled maps, as kernels.
    const dHiddenT = keep(tf.tensor2d(dHidden, [count, units]));
    const gradHiddenW = keep(tf.matMul(flattened, dHiddenT, true, false));
    const dPooled = await keep(tf.matMul(dHiddenT, hiddenKernel, false, true)).data() as Float32Array;

    // Each pooled gradient to its window's maximum, where the convolution's ReLU was on; the bias gradient alongside.
    const dActivated = new Float32Array(activated.length);
    const gradFilterB = new Float32Array(filters);
    for (let i = 0; i < dPooled.length; i += 1) {
      const at = where[i]!;
      if (activated[at]! > 0) {
        const g = dPooled[i]!;
        dActivated[at] = g;
        gradFilterB[i % filters] += g;
      }
    }
    const dy = keep(tf.tensor4d(dActivated, [count, convHeight, convWidth, filters]));
    const gradFilterW = keep(
      tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [kernel, kernel, channels, filters] } as unknown as tf.NamedAttrMap) as tf.Tensor,
    );
    return {
      gradients: [
        new Float32Array(await gradFilterW.data()),
        gradFilterB,
        new Float32Array(await gradHiddenW.data()),
        gradHiddenB,
        gradOutputW,
        gradOutputB,
      ],
      loss: loss / count,
      metric: correct / count,
      count,
    };
  } finally {
    tf.dispose(held);
  }
}
