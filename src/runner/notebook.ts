/**
 * Reading, validating and writing notebooks. Validation uses the official nbformat 4.5 JSON schema
 * as shipped with Python's `nbformat` package (found through the system Python, the same package
 * nbconvert and nbclient use), compiled with Ajv's draft-04 class (the schema's draft).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv-draft-04';
import { writeFileAtomic } from '../atomic';
import { systemPython } from '../machine';
import { RunnerInputError, errorMessage } from './errors';
import { cellTags, type Notebook } from './types';

/** Cells the runner adds to mark a failure; removed before a notebook runs again. */
export const ERROR_NOTE_TAG = 'runner-error-note';

/** Path of `nbformat.v4.5.schema.json` from the installed nbformat package. */
export function nbformatSchemaPath(): string {
  const fromEnv = process.env.NBFORMAT_SCHEMA;
  if (fromEnv) return fromEnv;
  const script =
    'import os, nbformat.v4 as v4; print(os.path.join(os.path.dirname(v4.__file__), "nbformat.v4.5.schema.json"))';
  const python = systemPython();
  try {
    return execFileSync(python, ['-c', script], { encoding: 'utf8' }).trim();
  } catch (error) {
    throw new Error(`cannot locate the nbformat 4.5 schema through ${python} (is nbformat installed?): ${errorMessage(error)}`);
  }
}

let compiled: ValidateFunction | undefined;

/** The compiled schema validator (loaded once per process). */
export function nbformatValidator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(nbformatSchemaPath(), 'utf8')) as object;
    const ajv = new Ajv({ allErrors: false, strict: false });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/** Schema errors as short strings (`/cells/3/source: must be string`); empty when valid. */
export function validateNotebook(value: unknown): string[] {
  const validate = nbformatValidator();
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
}

function newCellId(): string {
  return randomBytes(4).toString('hex');
}

/**
 * Parses notebook text: nbformat 4 (minor < 5 is upgraded to 4.5 by giving cells ids, as nbformat
 * does), valid against the 4.5 schema. Throws RunnerInputError naming the file and the problem.
 */
export function parseNotebook(path: string, text: string): Notebook {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunnerInputError(`${path}: not JSON (${errorMessage(error)})`, { file: path });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RunnerInputError(`${path}: not a notebook (expected a JSON object)`, { file: path });
  }
  const raw = value as { nbformat?: unknown; nbformat_minor?: unknown; cells?: unknown };
  if (raw.nbformat !== 4) {
    throw new RunnerInputError(`${path}: nbformat ${String(raw.nbformat)} is not supported (need 4)`, { file: path });
  }
  if (typeof raw.nbformat_minor === 'number' && raw.nbformat_minor < 5 && Array.isArray(raw.cells)) {
    for (const cell of raw.cells as Array<Record<string, unknown>>) {
      if (cell && typeof cell === 'object' && cell.id === undefined) cell.id = newCellId();
    }
    raw.nbformat_minor = 5;
  }
  const errors = validateNotebook(value);
  if (errors.length) {
    throw new RunnerInputError(`${path}: invalid nbformat 4.5 notebook: ${errors[0]}`, { file: path });
  }
  const notebook = value as Notebook;
  const kernel = notebook.metadata.kernelspec?.name;
  if (!kernel) {
    throw new RunnerInputError(`${path}: metadata.kernelspec.name is missing (which kernel should run it?)`, {
      file: path,
    });
  }
  return notebook;
}

/** Reads and validates a notebook file. */
export function readNotebook(path: string): Notebook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RunnerInputError(`${path}: cannot read (${errorMessage(error)})`, { file: path });
  }
  return parseNotebook(path, text);
}

/** The notebook without error notes a previous run left (e.g. after `--inplace`). */
export function withoutErrorNotes(notebook: Notebook): Notebook {
  return { ...notebook, cells: notebook.cells.filter((cell) => !cellTags(cell).includes(ERROR_NOTE_TAG)) };
}

/** Writes a notebook atomically, formatted as Jupyter writes it (1-space indent, trailing newline). */
export function writeNotebook(path: string, notebook: Notebook): void {
  writeFileAtomic(path, `${JSON.stringify(notebook, null, 1)}\n`);
}
