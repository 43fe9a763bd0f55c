/** IDX files (MNIST, Fashion-MNIST): big-endian typed tensors, optionally gzip-compressed. */
import { gunzipSync } from 'node:zlib';
import { CvxnnError, Matrix, checkOptions } from '@cvxnn/linalg';
import { baseName } from './csv.js';
import { readInput } from './file.js';
import { encodeLabels } from './table.js';
import type { Dataset } from './types.js';
import { IDX_OPTIONS } from './option-specs.js';

const TYPES: Record<number, { name: string; size: number }> = {
  0x08: { name: 'unsigned byte', size: 1 },
  0x09: { name: 'signed byte', size: 1 },
  0x0b: { name: 'int16', size: 2 },
  0x0c: { name: 'int32', size: 4 },
  0x0d: { name: 'float32', size: 4 },
  0x0e: { name: 'float64', size: 8 },
};

/**
 * A decoded IDX tensor: its element type code, dimensions and a reader of element `k`.
 *
 * @example
 *   const t = parseIdx(readFileSync('t10k-labels-idx1-ubyte'), 'labels');
 *   t.dims; // [10000]
 */
export interface IdxTensor {
  type: number;
  dims: number[];
  get(k: number): number;
}

/**
 * Decode IDX bytes (gunzipped first when they start with the gzip magic 1f 8b), validating the
 * magic number, the dimensions and the data length.
 *
 * @example
 *   const t = parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]), 'tiny');
 *   [t.get(0), t.get(1)]; // [7, 9]
 */
export function parseIdx(bytes: Uint8Array, what: string): IdxTensor {
  let buf = bytes;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new CvxnnError('PARSE_ERROR', `${what}: gzip data cannot be decompressed: ${(e as Error).message}`);
    }
  }
  if (buf.length < 4) throw new CvxnnError('PARSE_ERROR', `${what}: ${buf.length} bytes is too short for an IDX header (4-byte magic number)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const type = buf[2]!;
  const ndim = buf[3]!;
  const t = TYPES[type];
  if (buf[0] !== 0 || buf[1] !== 0 || !t || ndim === 0) {
    const magic = Array.from(buf.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new CvxnnError(
      'PARSE_ERROR',
      `${what}: bad IDX magic number ${magic}; expected 00 00 <type 08/09/0b/0c/0d/0e> <ndim ≥ 1> (is this an IDX file, e.g. train-images-idx3-ubyte?)`,
    );
  }
  const headerBytes = 4 + 4 * ndim;
  if (buf.length < headerBytes) throw new CvxnnError('PARSE_ERROR', `${what}: truncated IDX header (${ndim} dimensions need ${headerBytes} bytes, file has ${buf.length})`);
  const dims: number[] = [];
  for (let k = 0; k < ndim; k++) dims.push(view.getUint32(4 + 4 * k, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * t.size;
  if (buf.length !== expected) {
    throw new CvxnnError(
      'PARSE_ERROR',
      `${what}: IDX dimensions ${dims.join('×')} of ${t.name} need ${expected} bytes, but the file has ${buf.length}; the file is truncated or not an IDX file`,
    );
  }
  const o = headerBytes;
  const readers: Record<number, (k: number) => number> = {
    0x08: (k) => buf[o + k]!,
    0x09: (k) => view.getInt8(o + k),
    0x0b: (k) => view.getInt16(o + 2 * k, false),
    0x0c: (k) => view.getInt32(o + 4 * k, false),
    0x0d: (k) => view.getFloat32(o + 4 * k, false),
    0x0e: (k) => view.getFloat64(o + 8 * k, false),
  };
  return { type, dims, get: readers[type]! };
}

/**
 * Options of {@link loadIdx}.
 *
 * @example
 *   const opts: IdxOptions = { limit: 5000, normalize: true };
 */
export interface IdxOptions {
  /** keep only the first `limit` images (and labels) */
  limit?: number;
  /** divide unsigned-byte pixels by 255 (default true) */
  normalize?: boolean;
  name?: string;
  /** refuse files (and decompressed contents) larger than this many bytes (default 256 MiB) */
  maxBytes?: number;
}

/**
 * Load IDX images (n × H × W [× C], flattened row-major into H·W·C features named `p0`, `p1`, …)
 * and, optionally, their labels (a 1-D IDX file with one label per image). Files may be gzipped.
 * Labels become classes in numeric order (binary for two distinct labels, else multiclass); without
 * a labels file `y` is all zeros and the task is 'regression'.
 *
 * @example
 *   const ds = loadIdx('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz',
 *                      '/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz', { limit: 1000 });
 *   ds.X.cols; // 784
 */
export function loadIdx(imagesPath: string, labelsPath?: string, opts: IdxOptions = {}): Dataset {
  checkOptions('loadIdx', opts, IDX_OPTIONS);
  const { limit, normalize = true } = opts;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new CvxnnError('INVALID_OPTION', `limit must be a positive integer, got ${limit}`);
  }
  const images = parseIdx(readInput(imagesPath, { maxBytes: opts.maxBytes }), imagesPath);
  if (images.dims.length < 2) {
    throw new CvxnnError('SHAPE_MISMATCH', `${imagesPath}: an images IDX file needs at least 2 dimensions (n × features…), got ${images.dims.join('×')}; is this a labels file?`);
  }
  const nAll = images.dims[0]!;
  let labelT: IdxTensor | undefined;
  if (labelsPath !== undefined) {
    labelT = parseIdx(readInput(labelsPath, { maxBytes: opts.maxBytes }), labelsPath);
    if (labelT.dims.length !== 1) {
      throw new CvxnnError('SHAPE_MISMATCH', `${labelsPath}: a labels IDX file must be 1-dimensional, got ${labelT.dims.join('×')}`);
    }
    if (labelT.dims[0] !== nAll) {
      throw new CvxnnError('SHAPE_MISMATCH', `${labelsPath} has ${labelT.dims[0]} labels but ${imagesPath} has ${nAll} images; pair the matching images and labels files`);
    }
  }
  const n = Math.min(nAll, limit ?? nAll);
  if (n === 0) throw new CvxnnError('EMPTY_DATA', `${imagesPath}: the IDX file holds no images`);
  const d = images.dims.slice(1).reduce((a, b) => a * b, 1);
  if (d === 0) throw new CvxnnError('EMPTY_DATA', `${imagesPath}: images have zero pixels (${images.dims.join('×')})`);
  const X = Matrix.zeros(n, d);
  const scale = normalize && images.type === 0x08 ? 1 / 255 : 1;
  for (let k = 0; k < n * d; k++) X.data[k] = images.get(k) * scale;
  const featureNames = Array.from({ length: d }, (_, k) => `p${k}`);
  const name = opts.name ?? baseName(imagesPath);
  if (!labelT) return { name, X, y: new Float64Array(n), featureNames, labelName: 'label', task: 'regression' };
  const texts = Array.from({ length: n }, (_, i) => String(labelT.get(i)));
  const enc = encodeLabels(texts, 'auto', 'label', name);
  if (enc.task === 'regression') {
    // Non-class labels (float, or more than 20 values) stay numeric.
    return { name, X, y: enc.y, featureNames, labelName: 'label', task: 'regression' };
  }
  return { name, X, y: enc.y, featureNames, labelName: 'label', task: enc.task, classes: enc.classes! };
}
