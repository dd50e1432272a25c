import { ProjectError } from '../errors';

/** An argument of an algorithm helper that cannot be used: names the argument and the problem. */
export class AlgorithmInputError extends ProjectError<{ parameter: string; reason: string }> {
  constructor(
    readonly parameter: string,
    readonly reason: string,
  ) {
    super(`${parameter}: ${reason}`, { parameter, reason });
  }
}

/** Checks that `m` is a non-empty rectangular matrix of finite numbers; returns [rows, cols]. */
export function matrixShape(parameter: string, m: readonly (readonly number[])[]): [number, number] {
  if (m.length === 0) throw new AlgorithmInputError(parameter, 'is empty');
  const cols = (m[0] as readonly number[]).length;
  if (cols === 0) throw new AlgorithmInputError(parameter, 'has empty rows');
  m.forEach((row, i) => {
    if (row.length !== cols) throw new AlgorithmInputError(parameter, `row ${i} has ${row.length} entries, row 0 has ${cols}`);
    if (!row.every(Number.isFinite)) throw new AlgorithmInputError(parameter, `row ${i} holds a non-finite number`);
  });
  return [m.length, cols];
}
