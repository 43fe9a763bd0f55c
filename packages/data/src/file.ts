/** Reading a data file: regular files only, a byte limit, gzip by its magic number. */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { CvxnnError, checkOptions } from '@cvxnn/linalg';
import { READ_OPTIONS } from './option-specs.js';

/**
 * The largest data file (and the largest decompressed `.gz` content) the loaders read by
 * default: 256 MiB. A CSV of that size already holds some 30 million cells.
 *
 * @example
 *   loadCsv('big.csv', { maxBytes: 2 * DEFAULT_MAX_BYTES });
 */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/** Options of {@link readInput}. */
export interface ReadInputOptions {
  /** refuse files (and decompressed contents) larger than this many bytes; default {@link DEFAULT_MAX_BYTES} */
  maxBytes?: number;
}

function mb(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/**
 * The bytes of a data file, gunzipped when they start with the gzip magic 1f 8b. Refuses, with
 * `IO_ERROR`, a path that is not a regular file (a directory, `/dev/zero`, a pipe) and a file or a
 * decompressed content larger than `maxBytes`: nothing is read past the limit.
 *
 * @example
 *   const bytes = readInput('data/train.csv.gz'); // the decompressed CSV bytes
 */
export function readInput(file: string, opts: ReadInputOptions = {}): Buffer {
  checkOptions('readInput', opts, READ_OPTIONS);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!(Number.isFinite(maxBytes) && maxBytes > 0)) throw new CvxnnError('INVALID_OPTION', `maxBytes must be a positive number of bytes, got ${maxBytes}`);
  const fail = (e: unknown): never => {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new CvxnnError('IO_ERROR', `cannot read '${file}': ${why}`);
  };
  // stat before open: opening a named pipe for reading would block until a writer appears
  let kind: ReturnType<typeof statSync>;
  try {
    kind = statSync(file);
  } catch (e) {
    return fail(e);
  }
  if (kind.isDirectory()) throw new CvxnnError('IO_ERROR', `cannot read '${file}': it is a directory; pass a data file`);
  if (!kind.isFile()) throw new CvxnnError('IO_ERROR', `cannot read '${file}': it is not a regular file (a device, pipe or socket); save the data to a file first`);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    return fail(e);
  }
  try {
    const st = fstatSync(fd);
    if (st.size > maxBytes) {
      throw new CvxnnError('IO_ERROR', `'${file}' is ${mb(st.size)}, more than the ${mb(maxBytes)} a data file may have; use a smaller sample of the rows, or raise the limit (maxBytes)`);
    }
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const k = readSync(fd, buf, off, st.size - off, off);
      if (k === 0) break;
      off += k;
    }
    const bytes = off === st.size ? buf : buf.subarray(0, off);
    if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        return gunzipSync(bytes, { maxOutputLength: maxBytes });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'ERR_BUFFER_TOO_LARGE') {
          throw new CvxnnError('IO_ERROR', `'${file}' decompresses to more than the ${mb(maxBytes)} a data file may have; use a smaller sample of the rows, or raise the limit (maxBytes)`);
        }
        throw new CvxnnError('PARSE_ERROR', `'${file}': gzip data cannot be decompressed: ${err.message}`);
      }
    }
    return bytes;
  } catch (e) {
    if (e instanceof CvxnnError) throw e;
    throw new CvxnnError('IO_ERROR', `cannot read '${file}': ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * A data file as UTF-8 text (see {@link readInput} for the checks; gzip is decompressed).
 *
 * @example
 *   const text = readText('data.csv');
 */
export function readText(file: string, opts: ReadInputOptions = {}): string {
  checkOptions('readText', opts, READ_OPTIONS);
  return readInput(file, opts).toString('utf8');
}
