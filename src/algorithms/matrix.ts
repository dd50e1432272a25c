/** Random matrices for the algorithm examples, drawn from the project's seeded generator. */
import { randomNormal, type Random } from '../data/random';

/** A rows × cols matrix of N(0, scale²) draws. */
export function randomMatrix(rows: number, cols: number, random: Random, scale = 1): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * randomNormal(random)));
}
