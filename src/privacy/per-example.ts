import * as tf from '@tensorflow/tfjs';

/**
 * The clipped sum DP-SGD needs: every example's gradient clipped to L2 norm `clipNorm`, then summed.
 * Two ways to the same numbers:
 *
 * - `clippedSumByExample`: any model; one forward and backward pass per example.
 * - `clippedSumBatched`: the article's CNN (valid convolution with ReLU, max-pooling, flatten, a
 *   ReLU dense layer, a softmax dense layer); one forward and backward pass per batch. A layer's
 *   weight gradient for one example is its input times the loss's gradient at its output, so the
 *   backward pass is taken with respect to each layer's output (zero tensors added there), and the
 *   per-example gradients follow: for a dense layer the norm is ‖input‖·‖output gradient‖ and the
 *   clipped sum is one matrix product with each example's output gradient scaled; for the
 *   convolution, image patches times output gradients, one small product per example. This is the
 *   "ghost clipping" of Goodfellow (2015, arXiv:1510.01799) and Lee & Kifer (2021).
 */
export interface ClippedSum {
  /** One tensor per trainable weight, in `model.trainableWeights` order (the caller disposes them). */
  readonly sums: tf.Tensor[];
  /** Sum of the examples' losses. */
  readonly lossSum: number;
  /** How many examples had a gradient norm above the clipping norm. */
  readonly clipped: number;
}

/** A batch: `count` images (rows × cols × 1) and one-hot targets (`classes` per example). */
export interface ExampleBatch {
  readonly images: Float32Array;
  readonly oneHot: Float32Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly classes: number;
}

function crossEntropy(probabilities: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probabilities, 1e-7, 1)))).neg() as tf.Scalar;
}

/** The clipped sum one example at a time (any model). */
export async function clippedSumByExample(model: tf.LayersModel, batch: ExampleBatch, clipNorm: number): Promise<ClippedSum> {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const pixels = batch.rows * batch.cols;
  let sums: tf.Tensor[] = variables.map((v) => tf.zerosLike(v));
  let lossSum = 0;
  let clipped = 0;
  try {
    for (let i = 0; i < batch.count; i += 1) {
      const { value, grads } = tf.tidy(() => {
        const x = tf.tensor4d(batch.images.subarray(i * pixels, (i + 1) * pixels), [1, batch.rows, batch.cols, 1]);
        const y = tf.tensor2d(batch.oneHot.subarray(i * batch.classes, (i + 1) * batch.classes), [1, batch.classes]);
        return tf.variableGrads(() => crossEntropy(model.apply(x, { training: true }) as tf.Tensor, y), variables);
      });
      try {
        const gradients = variables.map((v) => grads[v.name]!);
        // Read with await: the webgpu backend has no synchronous read.
        const squared = tf.tidy(() => tf.addN(gradients.map((g) => tf.sum(tf.square(g)))));
        const norm = Math.sqrt((await squared.data())[0]!);
        squared.dispose();
        const factor = Math.min(1, clipNorm / (norm + 1e-12));
        if (norm > clipNorm) clipped += 1;
        lossSum += (await value.data())[0]!;
        const previous = sums;
        sums = tf.tidy(() => gradients.map((g, j) => tf.add(previous[j]!, tf.mul(g, factor))));
        tf.dispose(previous);
      } finally {
        value.dispose();
        tf.dispose(grads);
      }
    }
    return { sums, lossSum, clipped };
  } catch (error) {
    tf.dispose(sums);
    throw error;
  }
}

interface ArticleCnnShape {
  readonly kernelSize: number;
  readonly poolSize: number;
  readonly weights: {
    convKernel: tf.Variable;
    convBias: tf.Variable;
    hiddenKernel: tf.Variable;
    hiddenBias: tf.Variable;
    outputKernel: tf.Variable;
    outputBias: tf.Variable;
  };
}

type Config = Record<string, unknown>;
const same = (value: unknown, expected: unknown): boolean => JSON.stringify(value) === JSON.stringify(expected);

/** The article CNN's shape and weights, or why `model` is not built that way. */
export function articleCnnShape(model: tf.LayersModel): ArticleCnnShape | string {
  const types = model.layers.map((l) => l.getClassName());
  if (!same(types, ['Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense'])) return `layers ${types.join(', ')}`;
  const [conv, pool, , hidden, output] = model.layers.map((l) => l.getConfig() as Config) as Config[];
  const kernel = conv!.kernelSize as number[];
  if (kernel[0] !== kernel[1]) return 'a convolution kernel that is not square';
  if (conv!.padding !== 'valid' || !same(conv!.strides, [1, 1]) || !same(conv!.dilationRate, [1, 1])) return 'a convolution other than valid, stride 1';
  if (conv!.activation !== 'relu' || conv!.useBias !== true || conv!.dataFormat !== 'channelsLast') return 'a convolution without ReLU and bias';
  const poolSize = pool!.poolSize as number[];
  if (poolSize[0] !== poolSize[1] || !same(pool!.strides, poolSize) || pool!.padding !== 'valid') return 'pooling other than square, valid, stride = size';
  if (hidden!.activation !== 'relu' || hidden!.useBias !== true) return 'a hidden dense layer without ReLU and bias';
  if (output!.activation !== 'softmax' || output!.useBias !== true) return 'an output layer without softmax and bias';
  if ([conv, hidden, output].some((c) => c!.kernelRegularizer || c!.biasRegularizer || c!.activityRegularizer)) return 'a regularised layer';
  if (model.nonTrainableWeights.length > 0) return 'non-trainable weights';
  const input = model.inputs[0]!.shape;
  if (input.length !== 4 || input[3] !== 1) return 'an input that is not one-channel images';
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (variables.length !== 6) return `${variables.length} trainable weights`;
  const [convKernel, convBias, hiddenKernel, hiddenBias, outputKernel, outputBias] = variables as [
    tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable,
  ];
  return { kernelSize: kernel[0]!, poolSize: poolSize[0]!, weights: { convKernel, convBias, hiddenKernel, hiddenBias, outputKernel, outputBias } };
}

/** Image patches under each output position of a valid, stride-1 `k`×`k` convolution: [n, positions, k·k·channels]. */
function patches(x: tf.Tensor4D, k: number): tf.Tensor3D {
  const [n, rows, cols, channels] = x.shape;
  const outRows = rows - k + 1;
  const outCols = cols - k + 1;
  const slices: tf.Tensor4D[] = [];
  // Kernel layout [k, k, channels, filters]: the flat index is (i·k + j)·channels + c.
  for (let i = 0; i < k; i += 1) for (let j = 0; j < k; j += 1) slices.push(tf.slice(x, [0, i, j, 0], [n, outRows, outCols, channels]));
  return tf.reshape(tf.concat(slices, 3), [n, outRows * outCols, k * k * channels]);
}

/** The clipped sum for the article's CNN in one batched pass (see above). */
export async function clippedSumBatched(shape: ArticleCnnShape, batch: ExampleBatch, clipNorm: number): Promise<ClippedSum> {
  const { kernelSize: k, poolSize: p, weights: w } = shape;
  const n = batch.count;
  const kept: { loss?: tf.Scalar; count?: tf.Scalar } = {};
  const sums = tf.tidy(() => {
    const x = tf.tensor4d(batch.images, [n, batch.rows, batch.cols, 1]);
    const y = tf.tensor2d(batch.oneHot, [n, batch.classes]);
    const outRows = batch.rows - k + 1;
    const outCols = batch.cols - k + 1;
    const filters = w.convBias.shape[0]!;
    const hiddenUnits = w.hiddenBias.shape[0]!;
    const probe = {
      conv: tf.zeros([n, outRows, outCols, filters]),
      hidden: tf.zeros([n, hiddenUnits]),
      output: tf.zeros([n, batch.classes]),
    };
    const activations: { flat?: tf.Tensor2D; hidden?: tf.Tensor2D } = {};
    // The loss summed over examples: its gradient at a layer's output is each example's own.
    const total = (conv: tf.Tensor, hidden: tf.Tensor, output: tf.Tensor): tf.Scalar => {
      const z1 = tf.add(tf.add(tf.conv2d(x, w.convKernel as tf.Tensor4D, 1, 'valid'), w.convBias), conv);
      const pooled = tf.maxPool(tf.relu(z1) as tf.Tensor4D, p, p, 'valid');
      const flat = tf.reshape(pooled, [n, -1]) as tf.Tensor2D;
      const a2 = tf.relu(tf.add(tf.add(tf.matMul(flat, w.hiddenKernel as tf.Tensor2D), w.hiddenBias), hidden)) as tf.Tensor2D;
      const z3 = tf.add(tf.add(tf.matMul(a2, w.outputKernel as tf.Tensor2D), w.outputBias), output);
      activations.flat = tf.keep(flat);
      activations.hidden = tf.keep(a2);
      return crossEntropy(tf.softmax(z3), y);
    };
    const { value, grads } = tf.valueAndGrads(total)([probe.conv, probe.hidden, probe.output]);
    const [dConv, dHidden, dOutput] = grads as [tf.Tensor4D, tf.Tensor2D, tf.Tensor2D];
    const flat = activations.flat!;
    const hidden = activations.hidden!;
    // Per-example gradients of the convolution (small: k·k × filters each) and of every bias.
    const dConvRows = tf.reshape(dConv, [n, outRows * outCols, filters]);
    const convKernelGrads = tf.matMul(patches(x, k), dConvRows, true, false); // [n, k·k, filters]
    const convBiasGrads = tf.sum(dConvRows, 1); // [n, filters]
    const rowSquares = (t: tf.Tensor) => tf.sum(tf.square(t), t.shape.slice(1).map((_, a) => a + 1));
    const squaredNorms = tf.addN([
      rowSquares(convKernelGrads),
      rowSquares(convBiasGrads),
      tf.mul(rowSquares(flat), rowSquares(dHidden)),
      rowSquares(dHidden),
      tf.mul(rowSquares(hidden), rowSquares(dOutput)),
      rowSquares(dOutput),
    ]);
    const norms = tf.sqrt(squaredNorms);
    const factors = tf.minimum(1, tf.div(clipNorm, tf.add(norms, 1e-12))); // [n]
    kept.loss = tf.keep(value);
    kept.count = tf.keep(tf.sum(tf.cast(tf.greater(norms, clipNorm), 'float32')) as tf.Scalar);
    const column = tf.reshape(factors, [n, 1]);
    const scaledHidden = tf.mul(dHidden, column);
    const scaledOutput = tf.mul(dOutput, column);
    const result = [
      tf.reshape(tf.sum(tf.mul(convKernelGrads, tf.reshape(factors, [n, 1, 1])), 0), w.convKernel.shape),
      tf.sum(tf.mul(convBiasGrads, column), 0),
      tf.matMul(flat, scaledHidden, true, false),
      tf.sum(scaledHidden, 0),
      tf.matMul(hidden, scaledOutput, true, false),
      tf.sum(scaledOutput, 0),
    ];
    // Kept past the gradient's own scope to be used here; not needed further.
    flat.dispose();
    hidden.dispose();
    return result;
  });
  try {
    const lossSum = (await kept.loss!.data())[0]!;
    const clipped = (await kept.count!.data())[0]!;
    return { sums, lossSum, clipped };
  } catch (error) {
    tf.dispose(sums);
    throw error;
  } finally {
    kept.loss?.dispose();
    kept.count?.dispose();
  }
}

/** The clipped sum, batched where the model allows it (the article's CNN), else one example at a time. */
export async function clippedGradientSum(model: tf.LayersModel, batch: ExampleBatch, clipNorm: number): Promise<ClippedSum> {
  const shape = articleCnnShape(model);
  return typeof shape === 'string' ? clippedSumByExample(model, batch, clipNorm) : clippedSumBatched(shape, batch, clipNorm);
}
