import * as tf from '@tensorflow/tfjs';
import type { DigitSplit } from '../data/prepare';
import { createRandom } from '../data/random';
import { createCnn, type CnnOptions } from '../model/cnn';
import { runEpochs } from '../model/epochs';

/**
 * Knowledge distillation (taught in notebook 08): a smaller student learns from the teacher's soft
 * labels, softmax(log p_teacher / T), mixed with the true labels:
 *   loss = α · CE(y, p_student) + (1 − α) · T² · CE(soft_teacher, softmax(log p_student / T)).
 * Both models end in a softmax, so log p differs from the logits by a constant per row and the
 * tempered softmax of log p equals that of the logits.
 */

/** The default student: the article's architecture, narrower (8 filters, 16 hidden units). */
export const DEFAULT_STUDENT: CnnOptions = { filters: 8, denseUnits: 16 };
const PROBABILITY_FLOOR = 1e-7;

export interface DistillOptions {
  /** Architecture of the student (default `DEFAULT_STUDENT`); `seed` seeds its weights. */
  student?: CnnOptions;
  /** Softening temperature T (default 4). */
  temperature?: number;
  /** Weight α of the true labels (default 0.1; the rest goes to the soft labels). */
  alpha?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  onEpoch?: (record: { epoch: number; loss: number; valAccuracy?: number }) => void;
}

export interface Distilled {
  readonly student: tf.LayersModel;
  readonly history: ReadonlyArray<{ epoch: number; loss: number; valAccuracy?: number }>;
}

/** Tempered soft labels from probabilities: softmax(log p / T), row-wise. */
export function softenProbabilities(probabilities: tf.Tensor2D, temperature: number): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(tf.log(tf.clipByValue(probabilities, PROBABILITY_FLOOR, 1)).div(temperature)) as tf.Tensor2D);
}

/** Trains a student from `teacher`'s soft labels on the training split. */
export async function distill(teacher: tf.LayersModel, data: { train: DigitSplit; validation?: DigitSplit }, options: DistillOptions = {}): Promise<Distilled> {
  const temperature = options.temperature ?? 4;
  const alpha = options.alpha ?? 0.1;
  const epochs = options.epochs ?? 5;
  const batchSize = options.batchSize ?? 64;
  if (!(temperature > 0)) throw new RangeError(`distill: temperature = ${temperature} is not positive`);
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`distill: alpha = ${alpha} is not in [0, 1]`);
  const seed = options.seed ?? 0;
  const student = createCnn({ ...DEFAULT_STUDENT, seed, ...options.student });
  const optimizer = tf.train.adam(options.learningRate ?? 0.001);
  const variables = student.trainableWeights.map((w) => w.read() as tf.Variable);
  const history: Array<{ epoch: number; loss: number; valAccuracy?: number }> = [];
  try {
    await runEpochs({
      train: data.train,
      ...(data.validation ? { validation: data.validation } : {}),
      model: student,
      epochs,
      batchSize,
      random: createRandom(seed),
      step: async (batch) => {
        const { train } = data;
        const count = batch.indices.length;
        const loss = tf.tidy(() => {
          const xs = tf.tensor4d(batch.images, [count, train.rows, train.cols, 1]);
          const hard = tf.tensor2d(batch.oneHot, [count, train.classes]);
          const soft = softenProbabilities(teacher.predict(xs) as tf.Tensor2D, temperature);
          const cost = optimizer.minimize(
            () => {
              const p = tf.clipByValue(student.apply(xs, { training: true }) as tf.Tensor2D, PROBABILITY_FLOOR, 1);
              const hardLoss = tf.mean(tf.sum(tf.mul(hard, tf.log(p)), -1)).neg();
              const logSoftStudent = tf.logSoftmax(tf.log(p).div(temperature));
              const softLoss = tf.mean(tf.sum(tf.mul(soft, logSoftStudent), -1)).neg();
              return tf.add(tf.mul(alpha, hardLoss), tf.mul((1 - alpha) * temperature * temperature, softLoss)) as tf.Scalar;
            },
            true,
            variables,
          );
          return cost!;
        });
        try {
          return { loss: (await loss.data())[0]!, accuracy: NaN };
        } finally {
          loss.dispose();
        }
      },
      onEpoch: (outcome) => {
        const record = { epoch: outcome.epoch, loss: outcome.loss, ...(outcome.valAccuracy !== undefined ? { valAccuracy: outcome.valAccuracy } : {}) };
        history.push(record);
        options.onEpoch?.(record);
      },
    });
  } finally {
    optimizer.dispose();
  }
  return { student, history };
}
