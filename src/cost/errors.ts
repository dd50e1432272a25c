/**
 * Typed errors of the cost library. Each message is one line naming the parameter (or file and
 * line) and what is wrong with it, so a notebook cell that fails says exactly why.
 */
import { FileProblemError, ProjectError } from '../errors';

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A numeric input outside its domain (negative size, utilisation outside (0, 1], …). */
export class CostInputError extends ProjectError<{ parameter: string; value: unknown; reason: string }> {
  constructor(
    readonly parameter: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`${parameter} = ${show(value)}: ${reason}`, { parameter, value, reason });
  }
}

/** A GPU name that the hardware table does not list, or lists without the needed figure. */
export class UnknownGpuError extends ProjectError<{ gpu: string; known: readonly string[]; missingColumn?: string }> {
  constructor(
    readonly gpu: string,
    readonly known: readonly string[],
    /** The hardware.csv column the GPU's row leaves blank, when the GPU is listed without it. */
    readonly missingColumn?: string,
  ) {
    super(
      missingColumn === undefined
        ? `unknown GPU ${show(gpu)}; hardware.csv lists: ${known.join('; ')}`
        : `GPU ${show(gpu)} has no ${missingColumn} in hardware.csv; rows with one: ${known.join('; ')}`,
      { gpu, known, missingColumn },
    );
  }
}

/** A reference CSV that cannot be read as its schema says: names the file and the line. */
export class ReferenceDataError extends FileProblemError {
  constructor(
    readonly file: string,
    /** 1-based line in the file; null when the problem is not on one line (a missing row). */
    line: number | null,
    readonly reason: string,
  ) {
    super(file, reason, { line });
  }
}

/** Checks that `value` is a finite number. */
export function requireFinite(parameter: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CostInputError(parameter, value, 'must be a finite number');
  }
  return value;
}

/** Checks that `value` is finite and > 0. */
export function requirePositive(parameter: string, value: number): number {
  requireFinite(parameter, value);
  if (value <= 0) throw new CostInputError(parameter, value, 'must be greater than 0');
  return value;
}

/** Checks that `value` is finite and >= 0. */
export function requireNonNegative(parameter: string, value: number): number {
  requireFinite(parameter, value);
  if (value < 0) throw new CostInputError(parameter, value, 'must not be negative');
  return value;
}

/** Checks that `value` is a fraction in (0, 1] (utilisation, MFU). */
export function requireFraction(parameter: string, value: number): number {
  requireFinite(parameter, value);
  if (value <= 0 || value > 1) throw new CostInputError(parameter, value, 'must lie in (0, 1]');
  return value;
}
