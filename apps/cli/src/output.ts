/**
 * Files a command writes (`--out`, `--vertices`, …), checked before any work and written so that
 * nothing is ever lost: an output that is one of the inputs is refused, the folder is created and
 * tested for writing up front, and the content goes to a temporary file in the same folder that is
 * renamed into place (a failed write leaves the previous file as it was).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, realpathSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { CvxnnError } from '@cvxnn/linalg';
import { userPath } from './user-path.js';

/**
 * An output file that passed {@link prepareOutput}: its absolute path and how to write it.
 *
 * @example
 *   const target = prepareOutput('--out', o.out, [dataFile]);
 *   target?.write(JSON.stringify(run));
 */
export interface OutputTarget {
  /** the flag it came from, for messages */
  flag: string;
  /** as the user wrote it (for printing) */
  given: string;
  /** absolute path */
  file: string;
  /** write `text` atomically (temporary file + rename); IO_ERROR when that fails */
  write(text: string): void;
}

/** The real path of `p`, or of its deepest existing ancestor joined with the rest. */
function canonical(p: string): string {
  const abs = path.resolve(p);
  let head = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync(head), ...rest.reverse());
    } catch {
      const up = path.dirname(head);
      if (up === head) return abs;
      rest.push(path.basename(head));
      head = up;
    }
  }
}

let counter = 0;
function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.${(counter++).toString(36)}.tmp`);
}

/**
 * Write `text` to `file` atomically: to a temporary file in the same folder, flushed, then renamed
 * over `file`. When anything fails the temporary file is removed and `file` is left as it was.
 *
 * @example
 *   writeFileAtomic('/runs/fit.json', '{"cvxnnRun": 1}\n');
 */
export function writeFileAtomic(file: string, text: string, flag = '--out'): void {
  const tmp = tempName(file);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
    const why = (e as NodeJS.ErrnoException).code === 'ENOSPC' ? 'no space left on the device' : (e as Error).message;
    throw new CvxnnError('IO_ERROR', `cannot write ${flag} '${file}': ${why}; ${existsSync(file) ? 'the previous file is unchanged' : 'nothing was written'}`);
  }
}

/** folders prepareOutput created in this command: [the output's folder, the topmost one made] */
const madeFolders: Array<[string, string]> = [];

/**
 * At the end of a command (runCli calls it): remove the folders prepareOutput created that are
 * still empty (a later check or the solve failed before the write), so a refused run leaves
 * nothing behind.
 */
export function removeUnusedOutputFolders(): void {
  for (const [dir, top] of madeFolders.splice(0)) removeEmptyUpTo(dir, top);
}

/** rmdir `dir` and its parents up to and including `top` while they are empty */
function removeEmptyUpTo(dir: string, top: string): void {
  for (let d = dir; d.length >= top.length; d = path.dirname(d)) {
    try {
      rmdirSync(d);
    } catch {
      return;
    }
    if (d === top) return;
  }
}

/**
 * Check an output path before any work: non-empty, not a folder, not one of `inputs` (compared by
 * real path, so `./x.csv`, `x.csv` and a symlink to it are the same file), and its folder created
 * and tested for writing. Returns undefined when the option was not given.
 *
 * @example
 *   const out = prepareOutput('--out', o.out, [dataFile, o.gates]);
 */
export function prepareOutput(flag: string, given: string | undefined, inputs: Array<string | undefined>, others: OutputTarget[] = []): OutputTarget | undefined {
  if (given === undefined) return undefined;
  if (given.trim() === '') throw new CvxnnError('INVALID_OPTION', `${flag} '' is empty; give the path of the file to write`);
  const file = userPath(given);
  if (existsSync(file) && statSync(file).isDirectory()) throw new CvxnnError('INVALID_OPTION', `${flag} '${given}' is a folder; give a file path inside it (e.g. ${path.join(given, 'run.json')})`);
  const target = canonical(file);
  for (const input of inputs) {
    if (input === undefined || input === '') continue;
    const abs = userPath(input);
    if (existsSync(abs) && canonical(abs) === target) {
      throw new CvxnnError('INVALID_OPTION', `${flag} '${given}' is the input file '${input}'; writing there would destroy it, so choose another output path`);
    }
  }
  for (const o of others) {
    if (canonical(o.file) === target) throw new CvxnnError('INVALID_OPTION', `${flag} '${given}' is also ${o.flag}; give the two outputs different paths`);
  }
  const dir = path.dirname(file);
  let created: string | undefined;
  try {
    created = mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new CvxnnError('IO_ERROR', `cannot create the folder '${dir}' for ${flag} '${given}': ${(e as Error).message}`);
  }
  // folders made here that are still empty when the process ends (a later check or the solve
  // failed before the write) are removed again: a refused run leaves nothing behind
  if (created !== undefined) madeFolders.push([dir, created]);
  // a real write test (access(W_OK) says nothing about a full disk or a read-only mount)
  const probe = tempName(file);
  try {
    closeSync(openSync(probe, 'wx', 0o644));
    unlinkSync(probe);
  } catch (e) {
    throw new CvxnnError('IO_ERROR', `cannot write in '${dir}' for ${flag} '${given}': ${(e as Error).message}; choose a writable folder`);
  }
  return { flag, given, file, write: (text) => writeFileAtomic(file, text, flag) };
}
