import * as tf from '@tensorflow/tfjs';

/** The article's CNN and its training settings, as named options. */
export interface CnnOptions {
  /** Image shape `[rows, cols, channels]`; default `[28, 28, 1]`. */
  inputShape?: [number, number, number];
  /** Convolution filters; article: 32. */
  filters?: number;
  /** Convolution kernel side; article: 3 (3x3). */
  kernelSize?: number;
  /** Max-pooling window side; article: 2 (2x2). */
  poolSize?: number;
  /** Units of the hidden dense layer; article: 64. */
  denseUnits?: number;
  /** Output classes; article: 10. */
  classes?: number;
  /** Adam's learning rate; Keras' default 0.001. */
  learningRate?: number;
  /** Seed of the weight initialisers: same seed, same initial weights. Default: unseeded. */
  seed?: number;
}

/** The article's settings (section 5): Conv2D 32 3x3 relu, MaxPooling 2x2, Dense 64 relu, Dense 10, 10 epochs of batch 64. */
export const ARTICLE_CNN = {
  inputShape: [28, 28, 1] as [number, number, number],
  filters: 32,
  kernelSize: 3,
  poolSize: 2,
  denseUnits: 64,
  classes: 10,
  learningRate: 0.001,
  epochs: 10,
  batchSize: 64,
} as const;

function initializer(seed: number | undefined, offset: number): ReturnType<typeof tf.initializers.glorotUniform> {
  return seed === undefined ? tf.initializers.glorotUniform({}) : tf.initializers.glorotUniform({ seed: seed * 16 + offset });
}

function checkPositiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`createCnn: ${name} = ${value} is not a positive integer`);
  return value;
}

/**
 * Builds and compiles the article's CNN: Conv2D(32, 3x3, relu) → MaxPooling(2x2) → Flatten →
 * Dense(64, relu) → Dense(10, softmax), Adam, categorical cross-entropy, accuracy.
 */
export function createCnn(options: CnnOptions = {}): tf.Sequential {
  const o = { ...ARTICLE_CNN, ...options };
  for (const key of ['filters', 'kernelSize', 'poolSize', 'denseUnits', 'classes'] as const) checkPositiveInteger(key, o[key]);
  if (!(o.learningRate > 0)) throw new RangeError(`createCnn: learningRate = ${o.learningRate} is not positive`);
  const model = tf.sequential({
    name: 'article_cnn',
    layers: [
      tf.layers.conv2d({
        inputShape: o.inputShape,
        filters: o.filters,
        kernelSize: o.kernelSize,
        activation: 'relu',
        kernelInitializer: initializer(o.seed, 1),
        biasInitializer: 'zeros',
      }),
      tf.layers.maxPooling2d({ poolSize: o.poolSize }),
      tf.layers.flatten(),
      tf.layers.dense({ units: o.denseUnits, activation: 'relu', kernelInitializer: initializer(o.seed, 2), biasInitializer: 'zeros' }),
      tf.layers.dense({ units: o.classes, activation: 'softmax', kernelInitializer: initializer(o.seed, 3), biasInitializer: 'zeros' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

export interface LayerSummary {
  readonly name: string;
  readonly type: string;
  readonly outputShape: string;
  readonly params: number;
}

/** A model's layers, output shapes and parameter counts (`layerTable` of `llm-price-lab/show` displays it). */
export interface ModelSummary {
  readonly layers: readonly LayerSummary[];
  readonly totalParams: number;
}

export function summarizeModel(model: tf.LayersModel): ModelSummary {
  const layers = model.layers.map((layer) => ({
    name: layer.name,
    type: layer.getClassName(),
    outputShape: JSON.stringify(layer.outputShape).replace(/null/g, 'None'),
    params: layer.countParams(),
  }));
  const totalParams = layers.reduce((n, l) => n + l.params, 0);
  return { layers, totalParams };
}
