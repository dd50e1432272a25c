/**
 * Writing so that a reader, or a crash, never sees half a file or half a folder. One file: written
 * whole to a temporary file beside it (`<name>.<pid>.<hex>.tmp`), flushed to disk, then renamed
 * over it. A folder of files: written into a temporary folder beside it, then published with one
 * rename. Every writer in src/, kernel/ and scripts/ (through dist/) goes through this module.
 *
 * Not the `write-file-atomic` package: it issues one write() and ignores a short count, so on a
 * full disk (or under a file size limit) it renames a truncated file over the good one and reports
 * success. `writeFileSync` on a descriptor loops until every byte is written or an error is thrown.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cp, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileProblemError, firstLine } from './errors';

/** A file or folder that could not be written or published; names it and the problem. */
export class AtomicWriteError extends FileProblemError {}

/**
 * Writes `data` to `path` (creating its folder): whole into a temporary file beside it, flushed,
 * then renamed over `path`, so `path` holds the previous content or the new one, never a part. On
 * failure (full disk, no permission) the previous file is left as it was, the temporary file is
 * removed and the error is thrown.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(temp, 'wx');
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Times to retry publishing when other writers keep replacing the folder. */
const PUBLISH_ATTEMPTS = 5;

/** The infix of a previous folder set aside while the new one is renamed in. */
const ASIDE_INFIX = '.old-';

function suffix(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Renames the finished folder `temp` to `dir`; when `dir` exists it is renamed aside first, then removed. */
export async function renameFolderIn(temp: string, dir: string): Promise<void> {
  for (let attempt = 0; attempt < PUBLISH_ATTEMPTS; attempt += 1) {
    try {
      await rename(temp, dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw new AtomicWriteError(dir, `cannot publish the folder (${firstLine(error)})`);
    }
    const aside = `${dir}${ASIDE_INFIX}${suffix()}`;
    try {
      await rename(dir, aside);
    } catch (error) {
      // Another writer moved it first: try again.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new AtomicWriteError(dir, `cannot move the previous folder aside (${firstLine(error)})`);
    }
    try {
      await rename(temp, dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') {
        await rename(aside, dir).catch(() => undefined);
        throw new AtomicWriteError(dir, `cannot publish the folder (${firstLine(error)})`);
      }
    } finally {
      await rm(aside, { recursive: true, force: true });
    }
  }
  throw new AtomicWriteError(dir, `other writers kept replacing it; gave up after ${PUBLISH_ATTEMPTS} attempts`);
}

/**
 * Makes `dir` hold exactly `files` (plain name → content), all published together: they are
 * written into a temporary folder beside `dir`, which then replaces it with one rename, so a
 * reader sees the previous folder or the new one, never a mix. On failure `dir` is left as it was.
 */
export async function publishFolder(dir: string, files: Readonly<Record<string, string | Uint8Array>>): Promise<void> {
  for (const name of Object.keys(files)) {
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\\')) {
      throw new AtomicWriteError(join(dir, name), 'is not a plain file name');
    }
  }
  await mkdir(dirname(dir), { recursive: true });
  const temp = `${dir}.tmp-${suffix()}`;
  try {
    await mkdir(temp);
    for (const [name, data] of Object.entries(files)) await writeFile(join(temp, name), data);
    await renameFolderIn(temp, dir);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * Makes `target` a copy of `source` (a file or a folder), published with one rename like
 * `publishFolder`: a reader sees the previous `target` or the copy, never a part of it.
 */
export async function publishCopy(source: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.tmp-${suffix()}`;
  try {
    await cp(source, temp, { recursive: true, verbatimSymlinks: true });
    await renameFolderIn(temp, target);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Whether a `publishFolder` has set `dir`'s previous version aside and is about to rename the new one in. */
export async function folderBeingReplaced(dir: string): Promise<boolean> {
  const prefix = `${basename(dir)}${ASIDE_INFIX}`;
  const siblings = await readdir(dirname(dir)).catch(() => [] as string[]);
  return siblings.some((name) => name.startsWith(prefix));
}
