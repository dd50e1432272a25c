import * as tf from '@tensorflow/tfjs';
import type { DigitSplit } from '../data/prepare';

/** Keras' clipping of probabilities inside the cross-entropy. */
const EPSILON = 1e-7;
const DEFAULT_PREDICT_BATCH = 256;

export interface Predictions {
  /** The most probable class of each image. */
  readonly classes: Uint8Array;
  /** `count × classCount` probabilities, row per image. */
  readonly probabilities: Float32Array;
  readonly classCount: number;
}

export interface Evaluation {
  /** Mean categorical cross-entropy. */
  readonly loss: number;
  readonly accuracy: number;
  /** `confusion[true][predicted]` counts. */
  readonly confusion: number[][];
  readonly count: number;
}

/** Images to predict: a split, or `count` images of `rows × cols` in a flat array. */
export type ImageBatch = Pick<DigitSplit, 'images' | 'count' | 'rows' | 'cols'>;

/**
 * Classes and probabilities for every image, computed in batches. Asynchronous because the
 * probabilities are read back with `await tensor.data()`: the `webgpu` backend has no synchronous read.
 */
export async function predict(model: tf.LayersModel, input: ImageBatch, batchSize = DEFAULT_PREDICT_BATCH): Promise<Predictions> {
  const pixels = input.rows * input.cols;
  const outShape = model.outputs[0]?.shape;
  const classCount = outShape?.[outShape.length - 1] ?? 0;
  const probabilities = new Float32Array(input.count * classCount);
  for (let start = 0; start < input.count; start += batchSize) {
    const n = Math.min(batchSize, input.count - start);
    const output = tf.tidy(() => {
      const xs = tf.tensor4d(input.images.subarray(start * pixels, (start + n) * pixels), [n, input.rows, input.cols, 1]);
      return model.predict(xs) as tf.Tensor;
    });
    try {
      probabilities.set(await output.data(), start * classCount);
    } finally {
      output.dispose();
    }
  }
  const classes = new Uint8Array(input.count);
  for (let i = 0; i < input.count; i += 1) {
    let best = 0;
    for (let c = 1; c < classCount; c += 1) if (probabilities[i * classCount + c]! > probabilities[i * classCount + best]!) best = c;
    classes[i] = best;
  }
  return { classes, probabilities, classCount };
}

/** Loss, accuracy and confusion matrix of predictions against true labels (pure). */
export function scorePredictions(predictions: Predictions, labels: ArrayLike<number>): Evaluation {
  const k = predictions.classCount;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < labels.length; i += 1) {
    const label = labels[i]!;
    const p = Math.min(1 - EPSILON, Math.max(EPSILON, predictions.probabilities[i * k + label]!));
    loss -= Math.log(p);
    const predicted = predictions.classes[i]!;
    confusion[label]![predicted]! += 1;
    if (predicted === label) correct += 1;
  }
  const count = labels.length;
  return { loss: count ? loss / count : NaN, accuracy: count ? correct / count : NaN, confusion, count };
}

/** Evaluates a model on a split: loss, accuracy, confusion matrix. */
export async function evaluate(model: tf.LayersModel, split: DigitSplit, batchSize = DEFAULT_PREDICT_BATCH): Promise<Evaluation> {
  return scorePredictions(await predict(model, split, batchSize), split.labels);
}

export interface Misclassified {
  /** Position of the image in the evaluated split. */
  readonly index: number;
  readonly label: number;
  readonly predicted: number;
  /** Probability the model gave its (wrong) prediction. */
  readonly confidence: number;
}

/** The images the model got wrong, most confident mistakes first (at most `limit`). */
export function misclassified(predictions: Predictions, labels: ArrayLike<number>, limit = Infinity): Misclassified[] {
  const wrong: Misclassified[] = [];
  for (let i = 0; i < labels.length; i += 1) {
    const predicted = predictions.classes[i]!;
    if (predicted !== labels[i]) {
      wrong.push({ index: i, label: labels[i]!, predicted, confidence: predictions.probabilities[i * predictions.classCount + predicted]! });
    }
  }
  wrong.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
  return wrong.slice(0, limit);
}
