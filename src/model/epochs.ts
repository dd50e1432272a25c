/**
 * The epoch and batch loop that every trainer of the project shares (`trainCnn`, `distill`,
 * `trainDpSgd`): each epoch the training split is shuffled with the seeded random source, cut into
 * batches and gathered (shifted at random when augmenting), one step is taken per batch, the time
 * spent stepping is counted apart from validation, an abort is honoured between batches, the event
 * loop gets a turn after each batch (so a kernel stays responsive to interrupts and displays), and
 * the model is validated after each epoch. What a step does is the trainer's.
 */
import type * as tf from '@tensorflow/tfjs';
import { batchIndices, gatherBatch, type DigitSplit, type ShiftAugmentation } from '../data/prepare';
import { permutation, type Random } from '../data/random';
import { evaluate } from './evaluate';

/** One gathered batch: images, one-hot targets, labels, and the positions they came from. */
export interface Batch {
  readonly images: Float32Array;
  readonly oneHot: Float32Array;
  readonly labels: Uint8Array;
  readonly indices: Int32Array;
}

/** What a step reports: the batch's mean loss and accuracy (NaN when the step does not compute it). */
export interface StepOutcome {
  readonly loss: number;
  readonly accuracy: number;
}

export interface BatchEvent {
  readonly epoch: number;
  readonly epochs: number;
  /** 1-based. */
  readonly batch: number;
  readonly batchesPerEpoch: number;
  readonly loss: number;
  readonly accuracy: number;
  /** Examples stepped over so far in this epoch, and the seconds spent stepping on them. */
  readonly seen: number;
  readonly seconds: number;
}

export interface EpochOutcome {
  /** 1-based. */
  readonly epoch: number;
  /** Means over the epoch's examples of the steps' losses and accuracies. */
  readonly loss: number;
  readonly accuracy: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  /** Seconds spent stepping (gathering and validation excluded). */
  readonly trainSeconds: number;
  readonly examples: number;
}

export interface EpochLoop {
  readonly train: DigitSplit;
  /** Validated after each epoch when it has examples. */
  readonly validation?: DigitSplit;
  /** The model validated (the one being trained). */
  readonly model: tf.LayersModel;
  readonly epochs: number;
  readonly batchSize: number;
  /** The seeded source of the shuffles (and of the shifts when augmenting). */
  readonly random: Random;
  /** Random shifts of each image (default: none). */
  readonly shift?: ShiftAugmentation;
  /** Stops between batches when aborted. */
  readonly signal?: AbortSignal;
  /** One training step on a batch. */
  step(batch: Batch): Promise<StepOutcome>;
  /** After an epoch's last step, before validation: e.g. writing weights held apart back into the model. */
  endOfEpoch?(): Promise<void>;
  onBatch?(event: BatchEvent): void;
  onEpoch?(outcome: EpochOutcome): void | Promise<void>;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs the loop; returns each epoch's outcome, in order. */
export async function runEpochs(loop: EpochLoop): Promise<EpochOutcome[]> {
  const { train, validation, epochs, batchSize, random } = loop;
  const augment = loop.shift && loop.shift.maxShift > 0 ? { shift: loop.shift, random } : undefined;
  const outcomes: EpochOutcome[] = [];
  for (let epoch = 1; epoch <= epochs; epoch += 1) {
    const batches = batchIndices(train.count, batchSize, permutation(train.count, random));
    let lossSum = 0;
    let accuracySum = 0;
    let seen = 0;
    let seconds = 0;
    for (let b = 0; b < batches.length; b += 1) {
      loop.signal?.throwIfAborted();
      const indices = batches[b]!;
      const batch = { ...gatherBatch(train, indices, augment), indices };
      const started = performance.now();
      const { loss, accuracy } = await loop.step(batch);
      seconds += (performance.now() - started) / 1000;
      lossSum += loss * indices.length;
      accuracySum += accuracy * indices.length;
      seen += indices.length;
      loop.onBatch?.({ epoch, epochs, batch: b + 1, batchesPerEpoch: batches.length, loss, accuracy, seen, seconds });
      await yieldToEventLoop();
    }
    await loop.endOfEpoch?.();
    const val = validation && validation.count > 0 ? await evaluate(loop.model, validation) : undefined;
    const outcome: EpochOutcome = {
      epoch,
      loss: lossSum / seen,
      accuracy: accuracySum / seen,
      ...(val ? { valLoss: val.loss, valAccuracy: val.accuracy } : {}),
      trainSeconds: seconds,
      examples: seen,
    };
    outcomes.push(outcome);
    await loop.onEpoch?.(outcome);
  }
  return outcomes;
}
