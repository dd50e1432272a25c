import * as tf from '@tensorflow/tfjs';
import type { BatchArrays, BatchGradients } from './gradients';
import { activeWasmHeap } from './tfjs-internals';

/**
 * The gradient of the article's network in one hand-written pass, for the backends that keep
 * tensors in this process's memory (wasm, cpu). The network is convolution (ReLU, stride 1, no
 * padding) → max pooling (non-overlapping windows) → flatten → dense (ReLU) → dense (softmax), with
 * categorical cross-entropy and accuracy, as `createCnn` builds it.
 *
 * A training step through tfjs' automatic differentiation runs a couple of hundred kernels for the
 * article's CNN, most of them element-wise passes over the 26x26x32 feature maps (bias add, ReLU, its mask, pooling's
 * gradient, the bias gradient's sum). Here the products stay kernels: the convolution as the input's
 * patches times the filter with bias and ReLU fused, pooling, the dense products, and the filter's
 * gradient as one product of the same patches. What lies between them is one loop each: the small
 * output layer with softmax and loss, and the loop routing each pooled gradient to its window's
 * maximum with ReLU's mask and the bias sum. Products are arranged so that the operand XNNPACK packs
 * anew on every call (the right one) is the smaller. The tests compare it with tfjs' own gradient.
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

const pair = (value: unknown): number[] => (Array.isArray(value) ? (value as number[]) : [value as number, value as number]);

/** Why the fused pass cannot compute `model`'s gradient ('' when it can). */
export function fusedUnsupportedReason(model: tf.LayersModel): string {
  const layers = model.layers;
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
  const loss: unknown = model.loss;
  if (loss !== 'categoricalCrossentropy') return `its loss is ${JSON.stringify(loss)}, not categoricalCrossentropy`;
  const metrics: readonly string[] = model.metricsNames ?? [];
  if (metrics.length > 2 || (metrics[1] !== undefined && metrics[1] !== 'acc' && metrics[1] !== 'accuracy')) return `its metrics are ${metrics.slice(1).join(', ')}, not accuracy`;
  if (model.trainableWeights.length !== 6 || model.nonTrainableWeights.length > 0) return 'its weights are not the six of the network';
  return '';
}

/** The fused pass's shapes for `model`, or undefined when it cannot compute its gradient. */
export function fusedPlanOf(model: tf.LayersModel): FusedPlan | undefined {
  if (fusedUnsupportedReason(model) !== '') return undefined;
  const [height, width, channels] = model.inputs[0]!.shape.slice(1) as number[];
  const [conv, pool, , hidden, output] = model.layers.map((l) => l.getConfig());
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

/** The interval tfjs' categorical cross-entropy clips probabilities to: [ε, 1 − ε] with tfjs-layers' ε. */
export interface ClipBounds {
  readonly low: number;
  readonly high: number;
}

let clipBounds: ClipBounds | undefined;

/**
 * [ε, 1 − ε] as tfjs-layers' own loss applies it (its ε is not exported): read back from the loss
 * itself, −log(low) for a true class given probability 0 and −log(high) for one given 1, rounded to
 * float32 as the clip's bounds are. Computed once, on the current backend.
 */
export async function crossentropyClipBounds(): Promise<ClipBounds> {
  if (clipBounds) return clipBounds;
  const losses = tf.tidy(() => tf.metrics.categoricalCrossentropy(tf.tensor2d([[1, 0], [1, 0]]), tf.tensor2d([[0, 1], [1, 0]])));
  const [atZero, atOne] = await losses.data();
  losses.dispose();
  const low = Math.fround(Math.exp(-atZero!));
  const high = Math.fround(Math.exp(-atOne!));
  if (!(low > 0 && low < 1e-3 && high < 1 && high > 1 - 1e-3)) {
    throw new Error(`crossentropyClipBounds: tfjs' categorical cross-entropy clips to [${low}, ${high}], not [ε, 1 − ε] for a small ε: the fused gradient does not know this loss`);
  }
  clipBounds = { low, high };
  return clipBounds;
}

/**
 * The gradient of the mean loss over `batch` at `weights` (in `model.trainableWeights` order:
 * filter, filter bias, hidden kernel, hidden bias, output kernel, output bias), with the batch's
 * mean loss and accuracy, as `batchGradients` returns them. Runs on the current backend, which must
 * be one of `FUSED_BACKENDS`. Given `into` (arrays of the weights' sizes, e.g. in shared memory), the
 * gradients are written there and returned as those arrays.
 */
export async function fusedGradients(plan: FusedPlan, weights: readonly Float32Array[], batch: BatchArrays, into?: readonly Float32Array[]): Promise<BatchGradients> {
  const { height, width, channels, kernel, filters, pool, units, classes } = plan;
  const count = batch.count;
  const convHeight = height - kernel + 1;
  const convWidth = width - kernel + 1;
  const poolHeight = Math.floor(convHeight / pool);
  const poolWidth = Math.floor(convWidth / pool);
  const flat = poolHeight * poolWidth * filters;
  const expected = [kernel * kernel * channels * filters, filters, flat * units, units, units * classes, classes];
  if (weights.length !== expected.length || weights.some((w, i) => w.length !== expected[i])) {
    throw new RangeError(`fusedGradients: weights of sizes [${weights.map((w) => w.length).join(', ')}], expected [${expected.join(', ')}]`);
  }
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`fusedGradients: count = ${count} is not a positive integer`);
  if (batch.images.length !== count * height * width * channels) {
    throw new RangeError(`fusedGradients: ${batch.images.length} pixel values for ${count} images of ${height}x${width}x${channels}`);
  }
  if (batch.targets.length !== count * classes) throw new RangeError(`fusedGradients: ${batch.targets.length} target values for ${count} rows of ${classes} classes`);
  if (into !== undefined && (into.length !== expected.length || into.some((g, i) => g.length !== expected[i]))) {
    throw new RangeError(`fusedGradients: arrays for the gradients of sizes [${into.map((g) => g.length).join(', ')}], expected [${expected.join(', ')}]`);
  }
  const [filterW, filterB, hiddenW, hiddenB, outputW, outputB] = weights as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const held: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    held.push(t);
    return t;
  };
  try {
    // Forward: the convolution as the product of the input's patches ([positions, taps], kept for the
    // filter's gradient) with the filter ([taps, filters]), bias and ReLU fused, which is the
    // [count, convH, convW, filters] map; then pooling and the hidden layer, each one kernel.
    const positions = count * convHeight * convWidth;
    const taps = kernel * kernel * channels;
    const heap = activeWasmHeap();
    let patches: tf.Tensor2D;
    if (heap) {
      // Written in place into the backend's memory: no array to allocate and copy on every step.
      patches = keep(tf.fill([positions, taps], 0));
      writePatches(batch.images, heap.typedArrayFromHeap(patches), plan, count);
    } else {
      const values = new Float32Array(positions * taps);
      writePatches(batch.images, values, plan, count);
      patches = keep(tf.tensor2d(values, [positions, taps]));
    }
    const convolved = keep(tf.fused.matMul({ a: patches, b: keep(tf.tensor2d(filterW, [taps, filters])), bias: keep(tf.tensor1d(filterB)), activation: 'relu' }));
    const activatedT = keep(tf.reshape(convolved, [count, convHeight, convWidth, filters]));
    const pooledT = keep(tf.maxPool(activatedT as tf.Tensor4D, pool, pool, 'valid'));
    const flattened = keep(tf.reshape(pooledT, [count, flat]));
    const hiddenKernel = keep(tf.tensor2d(hiddenW, [flat, units]));
    const hidden = await keep(tf.fused.matMul({ a: flattened, b: hiddenKernel, bias: keep(tf.tensor1d(hiddenB)), activation: 'relu' })).data() as Float32Array;

    // The small output layer, softmax and loss here.
    const dLogits = new Float32Array(count * classes);
    const probabilities = new Float64Array(classes);
    const dProbabilities = new Float64Array(classes);
    const { low, high } = await crossentropyClipBounds();
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
      // The loss −Σ t·log(clip(p)): a class whose probability lies outside [low, high] (judged in
      // float32, as tfjs holds it) is clipped and passes no gradient, so a row whose true class is
      // below ε (confidently wrong) or above 1 − ε contributes none. Inside, dL/dp = −t/p; through the
      // softmax, dL/dz_i = p_i (dL/dp_i − Σ_j p_j dL/dp_j), which is p − t for one-hot targets.
      let weighted = 0;
      for (let k = 0; k < classes; k += 1) {
        const p = (probabilities[k] = probabilities[k]! / sum);
        const target = batch.targets[b * classes + k]!;
        const inside = Math.fround(p) >= low && Math.fround(p) <= high;
        if (target !== 0) loss -= target * Math.log(Math.min(Math.max(p, low), high));
        dProbabilities[k] = inside && target !== 0 ? -target / p : 0;
        weighted += p * dProbabilities[k]!;
        if (p > probabilities[predicted]!) predicted = k;
        if (target > batch.targets[b * classes + actual]!) actual = k;
      }
      for (let k = 0; k < classes; k += 1) dLogits[b * classes + k] = (probabilities[k]! * (dProbabilities[k]! - weighted)) / count;
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

    // The hidden layer's kernel gradient and the gradient at the pooled maps, as kernels. The latter is
    // computed transposed ([flat, count]) with the hidden kernel as the left operand (XNNPACK packs the
    // right operand of every product anew, and the hidden kernel was packed on the way forward), then
    // transposed back on the backend, so that the loop below reads it in order.
    const dHiddenT = keep(tf.tensor2d(dHidden, [count, units]));
    const gradHiddenW = keep(tf.matMul(flattened, dHiddenT, true, false));
    const dPooledT = keep(tf.transpose(keep(tf.matMul(hiddenKernel, dHiddenT, false, true))));

    // Each pooled gradient to its window's maximum where the ReLU was on (the window's maximum above
    // zero), the bias gradient alongside; then the filter's gradient as one product of that map,
    // laid out [filters, positions], with the input's patches laid out [positions, taps].
    let gradFilterB: Float32Array;
    let dActivatedT: tf.Tensor2D;
    if (heap) {
      dActivatedT = keep(tf.fill([filters, positions], 0));
      // Views taken after the last allocation (a later one may grow the heap and detach them), used at once.
      const view = (t: tf.Tensor) => heap.typedArrayFromHeap(t);
      gradFilterB = routeToMaxima(view(activatedT), view(pooledT), view(dPooledT), view(dActivatedT), plan, count);
    } else {
      const dActivated = new Float32Array(filters * positions);
      const read = async (t: tf.Tensor) => (await t.data()) as Float32Array;
      gradFilterB = routeToMaxima(await read(activatedT), await read(pooledT), await read(dPooledT), dActivated, plan, count);
      dActivatedT = keep(tf.tensor2d(dActivated, [filters, positions]));
    }
    const product = keep(tf.matMul(dActivatedT, patches));
    const gradFilterT = await product.data() as Float32Array;
    const gradFilterW = new Float32Array(taps * filters);
    for (let f = 0; f < filters; f += 1) for (let t = 0; t < taps; t += 1) gradFilterW[t * filters + f] = gradFilterT[f * taps + t]!;
    const hiddenGradient = heap ? heap.typedArrayFromHeap(gradHiddenW) : ((await gradHiddenW.data()) as Float32Array);
    const gradients = into
      ? [gradFilterW, gradFilterB, hiddenGradient, gradHiddenB, gradOutputW, gradOutputB].map((g, k) => {
          into[k]!.set(g);
          return into[k]!;
        })
      : // One copy of the largest gradient, out of the backend's memory.
        [gradFilterW, gradFilterB, new Float32Array(hiddenGradient), gradHiddenB, gradOutputW, gradOutputB];
    return {
      gradients,
      loss: loss / count,
      metric: correct / count,
      count,
    };
  } finally {
    tf.dispose(held);
  }
}

/**
 * Writes each pooled gradient (`dPooled`, [count, pooled position]) into `dActivated` ([filters,
 * count · convH · convW], zero) at the place of its window's maximum: the first place in row-major
 * order holding it, as tfjs routes the gradient on ties. Windows whose maximum is zero were switched
 * off by the ReLU and pass nothing. Returns the bias gradient (per filter, the sum of what passed).
 */
function routeToMaxima(activated: Float32Array, pooled: Float32Array, dPooled: Float32Array, dActivated: Float32Array, plan: FusedPlan, count: number): Float32Array {
  const { height, width, kernel, filters, pool } = plan;
  const convHeight = height - kernel + 1;
  const convWidth = width - kernel + 1;
  const poolHeight = Math.floor(convHeight / pool);
  const poolWidth = Math.floor(convWidth / pool);
  const positions = count * convHeight * convWidth;
  const rowStride = convWidth * filters;
  const bias = new Float64Array(filters);
  let at = 0;
  for (let b = 0; b < count; b += 1) {
    for (let py = 0; py < poolHeight; py += 1) {
      for (let px = 0; px < poolWidth; px += 1) {
        const cornerPosition = (b * convHeight + py * pool) * convWidth + px * pool;
        const corner = cornerPosition * filters;
        for (let f = 0; f < filters; f += 1, at += 1) {
          const max = pooled[at]!;
          if (pool === 2) {
            // Without branches on the data (they mispredict on every other window): an off window
            // writes a zero, and the place is found by arithmetic on which values differ from the maximum.
            const g = dPooled[at]! * +(max > 0);
            bias[f] += g;
            const i0 = corner + f;
            const n0 = +(activated[i0] !== max);
            const n1 = +(activated[i0 + filters] !== max);
            const n2 = +(activated[i0 + rowStride] !== max);
            dActivated[f * positions + cornerPosition + n0 * (1 + n1 * (convWidth - 1 + n2))] = g;
            continue;
          }
          if (!(max > 0)) continue;
          const g = dPooled[at]!;
          bias[f] += g;
          let place = cornerPosition;
          search: for (let i = 0; i < pool; i += 1) {
            for (let j = 0; j < pool; j += 1) {
              if (activated[corner + (i * convWidth + j) * filters + f] === max) {
                place = cornerPosition + i * convWidth + j;
                break search;
              }
            }
          }
          dActivated[f * positions + place] = g;
        }
      }
    }
  }
  return Float32Array.from(bias);
}

/** Writes the input's patches as rows into `patches`: [count · convH · convW, kernel · kernel · channels], tap (i, j, c) in filter order. */
function writePatches(images: Float32Array, patches: Float32Array, plan: FusedPlan, count: number): void {
  const { height, width, channels, kernel } = plan;
  const convHeight = height - kernel + 1;
  const convWidth = width - kernel + 1;
  let at = 0;
  for (let b = 0; b < count; b += 1) {
    for (let y = 0; y < convHeight; y += 1) {
      for (let x = 0; x < convWidth; x += 1) {
        for (let i = 0; i < kernel; i += 1) {
          const row = ((b * height + y + i) * width + x) * channels;
          for (let k = 0; k < kernel * channels; k += 1) patches[at++] = images[row + k]!;
        }
      }
    }
  }
}
