import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectionFileError } from '../kernel/connection';
import { ReferenceDataError } from '../src/cost/errors';
import { IdxFormatError } from '../src/data/idx';
import { FileProblemError, firstLine, ProjectError } from '../src/errors';
import { projectRoot } from '../src/paths';
import { PlotlyBundleError } from '../src/plot/plotly-source';

class ExampleError extends ProjectError<{ answer: number }> {
  constructor(answer: number) {
    super(`the answer is ${answer}`, { answer });
  }
}
class NarrowerExampleError extends ExampleError {}

describe('ProjectError', () => {
  it('takes its name from the class actually thrown, also a subclass of a subclass', () => {
    const error = new ExampleError(42);
    expect(error.name).toBe('ExampleError');
    expect(String(error)).toBe('ExampleError: the answer is 42');
    expect(error.stack?.split('\n')[0]).toBe('ExampleError: the answer is 42');
    expect(new NarrowerExampleError(1).name).toBe('NarrowerExampleError');
  });

  it('carries its context as data and stays an Error', () => {
    const error = new NarrowerExampleError(7);
    expect(error.context).toEqual({ answer: 7 });
    expect(error.message).toBe('the answer is 7');
    expect(error).toBeInstanceOf(ExampleError);
    expect(error).toBeInstanceOf(ProjectError);
    expect(error).toBeInstanceOf(Error);
  });
});

describe('FileProblemError', () => {
  it('reads "<path>: <problem>" and carries both', () => {
    const error = new FileProblemError('data/prices.csv', 'is empty');
    expect(error.message).toBe('data/prices.csv: is empty');
    expect(error.name).toBe('FileProblemError');
    expect([error.path, error.problem, error.line]).toEqual(['data/prices.csv', 'is empty', null]);
    expect(error.context).toEqual({ path: 'data/prices.csv', problem: 'is empty', line: null });
  });

  it('puts a line after the path and what the file is before it', () => {
    expect(new FileProblemError('hardware.csv', 'no price', { line: 12 }).message).toBe('hardware.csv:12: no price');
    expect(new FileProblemError('k.json', 'has no key', { what: 'connection file' }).message).toBe('connection file k.json: has no key');
  });

  it('keeps the messages and fields of the classes built on it', () => {
    const idx = new IdxFormatError('train-images-idx3-ubyte', 'magic number 2049, expected 2051');
    expect(idx.message).toBe('train-images-idx3-ubyte: magic number 2049, expected 2051');
    expect([idx.name, idx.fileName, idx.problem]).toEqual(['IdxFormatError', 'train-images-idx3-ubyte', 'magic number 2049, expected 2051']);

    const connection = new ConnectionFileError('kernel-1.json', 'no shell_port');
    expect(connection.message).toBe('connection file kernel-1.json: no shell_port');
    expect([connection.name, connection.file, connection.reason]).toEqual(['ConnectionFileError', 'kernel-1.json', 'no shell_port']);

    const onLine = new ReferenceDataError('hardware.csv', 7, 'usdPerHour is not a number');
    expect(onLine.message).toBe('hardware.csv:7: usdPerHour is not a number');
    expect([onLine.file, onLine.line, onLine.reason]).toEqual(['hardware.csv', 7, 'usdPerHour is not a number']);
    expect(new ReferenceDataError('hardware.csv', null, 'no H100 row').message).toBe('hardware.csv: no H100 row');

    const plotly = new PlotlyBundleError('node_modules/plotly.js-dist-min/plotly.min.js', 'is missing');
    expect(plotly.message).toBe('plotly.js bundle node_modules/plotly.js-dist-min/plotly.min.js: is missing');
    expect(plotly.path).toBe('node_modules/plotly.js-dist-min/plotly.min.js');
    for (const error of [idx, connection, onLine, plotly]) expect(error).toBeInstanceOf(FileProblemError);
  });
});

describe('firstLine', () => {
  it("gives the first line of an Error's message", () => {
    expect(firstLine(new Error("ENOENT: no such file or directory, open 'model.json'\n    at open (node:fs:1)\nhint"))).toBe(
      "ENOENT: no such file or directory, open 'model.json'",
    );
    expect(firstLine(new SyntaxError('Unexpected end of JSON input'))).toBe('Unexpected end of JSON input');
  });

  it('gives the first line of a thrown string, and a string for any other value', () => {
    expect(firstLine('disk full\nsecond line')).toBe('disk full');
    expect(firstLine(42)).toBe('42');
    expect(firstLine(undefined)).toBe('undefined');
    expect(firstLine(null)).toBe('null');
    expect(firstLine({ code: 'EIO' })).toBe('[object Object]');
  });
});

/** `src/**` and `kernel/**` TypeScript sources, relative to the project root. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(projectRoot(), dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const EXPORTED_SUBCLASS = /^export class (\w+)\b[^{\n]*\bextends\b/gm;

describe('every error class of the library and the kernel', () => {
  it('extends ProjectError', async () => {
    const errorClasses: string[] = [];
    const onOtherBases: string[] = [];
    for (const file of [...sourceFiles('src'), ...sourceFiles('kernel')]) {
      const names = [...readFileSync(join(projectRoot(), file), 'utf8').matchAll(EXPORTED_SUBCLASS)].map((m) => m[1]!);
      if (names.length === 0) continue;
      const module = (await import(/* @vite-ignore */ join(projectRoot(), file))) as Record<string, unknown>;
      for (const name of names) {
        const exported = module[name];
        expect(typeof exported, `${file} exports class ${name}`).toBe('function');
        const prototype: unknown = (exported as { prototype: unknown }).prototype;
        if (!(prototype instanceof Error)) continue;
        errorClasses.push(name);
        if (exported !== ProjectError && !(prototype instanceof ProjectError)) onOtherBases.push(`${file}: ${name}`);
      }
    }
    // The scan found the error classes at all (a regular expression that matched nothing would pass).
    expect(errorClasses).toEqual(expect.arrayContaining(['ProjectError', 'FileProblemError', 'IdxFormatError', 'ConnectionFileError', 'TrainingThreadsError']));
    expect(errorClasses.length).toBeGreaterThan(40);
    expect(onOtherBases).toEqual([]);
  }, 120_000);
});
