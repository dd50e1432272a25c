import { createRandom } from '../../src/data/random';
import { describe, expect, it } from 'vitest';
import {
  AlgorithmInputError,
  flattenGradients,
  gradientRelativeErrors,
  initMlp,
  mlpAutodiffGradients,
  mlpForward,
  mlpManualGradients,
  randomMatrix,
  type MlpParams,
} from '../../src/algorithms';

const sizes = { inputs: 4, hidden: 5, outputs: 3 };
const random = createRandom(7);
const x = randomMatrix(8, sizes.inputs, random);
const y = randomMatrix(8, sizes.outputs, random);
const params = initMlp(sizes, 1);

describe('tiny MLP from tensor ops', () => {
  it('is reproducible from its seed', async () => {
    expect(initMlp(sizes, 1)).toEqual(params);
    expect(initMlp(sizes, 2)).not.toEqual(params);
  });

  it('hand-derived backprop matches tf.grads to better than 1e-4', async () => {
    const errors = gradientRelativeErrors(await mlpManualGradients(params, x, y), await mlpAutodiffGradients(params, x, y));
    expect(errors.max).toBeLessThan(1e-4);
  });

  it('the error measure catches a wrong backward pass', async () => {
    const manual = await mlpManualGradients(params, x, y);
    const wrong: MlpParams = { ...manual, b1: manual.b1.map((g) => g * 1.01) };
    expect(gradientRelativeErrors(wrong, await mlpAutodiffGradients(params, x, y)).perParam.b1).toBeGreaterThan(5e-3);
  });

  it('the gradient points downhill: a small step lowers the loss', async () => {
    const g = await mlpManualGradients(params, x, y);
    const step = (p: number[][], d: number[][]): number[][] => p.map((r, i) => r.map((v, j) => v - 0.1 * (d[i]?.[j] as number)));
    const next: MlpParams = {
      w1: step(params.w1, g.w1),
      b1: params.b1.map((v, i) => v - 0.1 * (g.b1[i] as number)),
      w2: step(params.w2, g.w2),
      b2: params.b2.map((v, i) => v - 0.1 * (g.b2[i] as number)),
    };
    expect((await mlpForward(next, x, y)).loss).toBeLessThan((await mlpForward(params, x, y)).loss);
  });

  it('rejects mismatched shapes with the argument named', async () => {
    await expect(mlpForward(params, x, y.slice(1))).rejects.toThrow('y: has 7 rows, x has 8');
    await expect(mlpManualGradients(params, x.map((r) => r.slice(1)), y)).rejects.toThrow(AlgorithmInputError);
    expect(() => initMlp({ ...sizes, hidden: 0 }, 1)).toThrow('hidden: must be a positive integer, got 0');
  });
});

describe('flattenGradients', () => {
  it('lists every entry once, w1 then b1, w2, b2', async () => {
    const g: MlpParams = { w1: [[1, 2], [3, 4]], b1: [5, 6], w2: [[7], [8]], b2: [9] };
    expect(flattenGradients(g)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
