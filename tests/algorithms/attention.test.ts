import { describe, expect, it } from 'vitest';
import { AlgorithmInputError, constructedAttentionExample, scaledDotProductAttention, selfAttentionExample } from '../../src/algorithms';

describe('scaled dot-product attention', () => {
  it('matches a hand computation on a 2×2 example', async () => {
    const q = [[1, 0], [0, 1]];
    const k = [[1, 0], [0, 1]];
    const v = [[10, 0], [0, 10]];
    const { weights, output } = await scaledDotProductAttention(q, k, v);
    const a = Math.exp(1 / Math.SQRT2) / (Math.exp(1 / Math.SQRT2) + 1);
    expect(weights[0]?.[0]).toBeCloseTo(a, 5);
    expect(weights[0]?.[1]).toBeCloseTo(1 - a, 5);
    expect(output[0]?.[0]).toBeCloseTo(10 * a, 4);
  });

  it('gives rows that sum to 1, and a causal mask hides later tokens', async () => {
    const example = await selfAttentionExample(['a', 'b', 'c', 'd'], 8, 3, { causal: true });
    for (const row of example.weights) expect(row.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 5);
    expect(example.weights[0]?.slice(1).every((w) => w < 1e-6)).toBe(true);
    expect(example.weights[2]?.[3]).toBeLessThan(1e-6);
    expect(example.output).toHaveLength(4);
  });

  it('rejects mismatched shapes', async () => {
    await expect(scaledDotProductAttention([[1, 2]], [[1, 2, 3]], [[1]])).rejects.toThrow('k: has 3 columns, q has 2');
    await expect(scaledDotProductAttention([[1, 2]], [[1, 2]], [[1], [2]])).rejects.toThrow(AlgorithmInputError);
    await expect(selfAttentionExample([], 4, 1)).rejects.toThrow('tokens: is empty');
  });
});

describe('a constructed attention example whose weights mean something', () => {
  it('sends each verb and the adjective to the subject of its clause, with most of the weight', async () => {
    const ex = await constructedAttentionExample();
    for (const { query, key } of ex.expected) {
      const row = ex.weights[ex.tokens.indexOf(query)]!;
      const top = row.indexOf(Math.max(...row));
      expect(ex.tokens[top], query).toBe(key);
      expect(row[top]!, query).toBeGreaterThan(0.9);
    }
    for (const row of ex.weights) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // A token that asks nothing spreads its weight evenly.
    expect(Math.max(...ex.weights[1]!) - Math.min(...ex.weights[1]!)).toBeLessThan(1e-6);
  });

  it('gets flatter with a blunter query, and a causal mask leaves it unchanged (subjects come first)', async () => {
    const blunt = await constructedAttentionExample({ sharpness: 1 });
    expect(Math.max(...blunt.weights[3]!)).toBeLessThan(0.5);
    const causal = await constructedAttentionExample({ causal: true });
    expect(causal.tokens[causal.weights[3]!.indexOf(Math.max(...causal.weights[3]!))]).toBe('prices');
    expect(causal.weights[0]![0]).toBeCloseTo(1, 6);
  });
});
