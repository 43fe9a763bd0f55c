/** Preprocessing: standardization, seeded splits, row subsets and label encodings. */
import { CvxnnError, Matrix, Rng, checkOptions } from '@cvxnn/linalg';
import type { Dataset } from './types.js';
import { SPLIT_OPTIONS } from './option-specs.js';

/**
 * Per-feature z-score statistics: `mean` and `scale` (the population standard deviation, or 1 for
 * a constant column, whose indices are listed in `constantColumns`).
 *
 * @example
 *   const s: Standardizer = fitStandardizer(train.X);
 *   s.constantColumns; // [] when every feature varies
 */
export interface Standardizer {
  mean: Float64Array;
  scale: Float64Array;
  /** indices of the features that are constant on the fitting data (scale set to 1); always set by {@link fitStandardizer} */
  constantColumns?: number[];
}

function checkMatrix(X: Matrix<Float64Array>, what: string): void {
  if (X.rows === 0 || X.cols === 0) throw new CvxnnError('EMPTY_DATA', `${what}: the matrix is ${X.rows}×${X.cols}; it needs at least one row and one column`);
  for (let i = 0; i < X.rows; i++) {
    const o = X.offset + i * X.stride;
    for (let k = 0; k < X.cols; k++) {
      if (!Number.isFinite(X.data[o + k]!)) {
        throw new CvxnnError('NON_FINITE', `${what}: entry (${i}, ${k}) is ${X.data[o + k]}; remove or fix non-finite values first`, { row: i, col: k });
      }
    }
  }
}

/**
 * Fit z-score statistics on `X` (n × d): column means and population standard deviations
 * (divide by n). Constant columns (std ≤ 1e-12·max(1, |mean|)) get scale 1, so they map to 0.
 *
 * @example
 *   const s = fitStandardizer(Matrix.from([[1, 5], [3, 5]]));
 *   Array.from(s.mean); // [2, 5]
 *   Array.from(s.scale); // [1, 1]; s.constantColumns = [1]
 */
export function fitStandardizer(X: Matrix<Float64Array>): Required<Standardizer> {
  checkMatrix(X, 'fitStandardizer');
  const n = X.rows;
  const d = X.cols;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = X.offset + i * X.stride;
    for (let k = 0; k < d; k++) mean[k]! += X.data[o + k]!;
  }
  for (let k = 0; k < d; k++) mean[k]! /= n;
  // Two-pass variance (numerically stable for large means).
  for (let i = 0; i < n; i++) {
    const o = X.offset + i * X.stride;
    for (let k = 0; k < d; k++) {
      const t = X.data[o + k]! - mean[k]!;
      scale[k]! += t * t;
    }
  }
  const constantColumns: number[] = [];
  for (let k = 0; k < d; k++) {
    let s = Math.sqrt(scale[k]! / n);
    // Entries near ±1.8e308 overflow the sums above; such a column is redone on x / max|x|.
    if (!Number.isFinite(mean[k]!) || !Number.isFinite(s)) [mean[k], s] = scaledMoments(X, k);
    if (s <= 1e-12 * Math.max(1, Math.abs(mean[k]!))) {
      scale[k] = 1;
      constantColumns.push(k);
    } else scale[k] = s;
  }
  return { mean, scale, constantColumns };
}

/**
 * Mean and population standard deviation of column k computed on x / M (M = max |x|), which
 * cannot overflow: both lie in [−M, M] (for values in [−M, M] the standard deviation is at most M,
 * Popoviciu's inequality).
 */
function scaledMoments(X: Matrix<Float64Array>, k: number): [number, number] {
  const n = X.rows;
  const at = (i: number) => X.data[X.offset + i * X.stride + k]!;
  let M = 0;
  for (let i = 0; i < n; i++) M = Math.max(M, Math.abs(at(i)));
  let m = 0;
  for (let i = 0; i < n; i++) m += at(i) / M;
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (at(i) / M - m) ** 2;
  return [m * M, M * Math.sqrt(v / n)];
}

/**
 * Standardize `X` with fitted statistics: a new matrix with entries (x − mean) / scale. Fit on the
 * training data and apply the same statistics to test data (no leakage).
 *
 * @example
 *   const s = fitStandardizer(train.X);
 *   const Ztrain = applyStandardizer(train.X, s), Ztest = applyStandardizer(test.X, s);
 */
export function applyStandardizer(X: Matrix<Float64Array>, s: Standardizer): Matrix<Float64Array> {
  if (X.cols !== s.mean.length || s.scale.length !== s.mean.length) {
    throw new CvxnnError('SHAPE_MISMATCH', `applyStandardizer: X has ${X.cols} columns but the standardizer was fitted on ${s.mean.length}; use the same features as in fitting`);
  }
  for (let k = 0; k < s.mean.length; k++) {
    if (!Number.isFinite(s.mean[k]!) || !(s.scale[k]! > 0) || !Number.isFinite(s.scale[k]!)) {
      throw new CvxnnError('INVALID_OPTION', `applyStandardizer: feature ${k} has mean ${s.mean[k]} and scale ${s.scale[k]}; the mean must be finite and the scale finite and positive (use fitStandardizer)`);
    }
  }
  const Z = Matrix.zeros(X.rows, X.cols);
  for (let i = 0; i < X.rows; i++) {
    const o = X.offset + i * X.stride;
    for (let k = 0; k < X.cols; k++) {
      const v = X.data[o + k]!;
      if (!Number.isFinite(v)) throw new CvxnnError('NON_FINITE', `applyStandardizer: entry (${i}, ${k}) is ${v}; remove or fix non-finite values first`, { row: i, col: k });
      let z = (v - s.mean[k]!) / s.scale[k]!;
      // v − mean overflows for entries of opposite sign near ±1.8e308; divide first then
      if (!Number.isFinite(z)) z = v / s.scale[k]! - s.mean[k]! / s.scale[k]!;
      Z.data[i * X.cols + k] = z;
    }
  }
  return Z;
}

/**
 * The dataset restricted to the given rows (in the given order; repeats allowed).
 *
 * @example
 *   const firstTen = subset(ds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 */
export function subset(ds: Dataset, rows: ArrayLike<number>): Dataset {
  const n = ds.X.rows;
  const d = ds.X.cols;
  const m = rows.length;
  const X = Matrix.zeros(m, d);
  const y = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    const i = rows[r]!;
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new CvxnnError('INVALID_OPTION', `subset: row index ${i} (position ${r}) is not an integer in 0..${n - 1}`);
    }
    const o = ds.X.offset + i * ds.X.stride;
    for (let k = 0; k < d; k++) X.data[r * d + k] = ds.X.data[o + k]!;
    y[r] = ds.y[i]!;
  }
  return { ...ds, X, y, featureNames: [...ds.featureNames], ...(ds.classes ? { classes: [...ds.classes] } : {}) };
}

/**
 * Options of {@link trainTestSplit}.
 *
 * @example
 *   trainTestSplit(ds, 0.2, 0, { stratify: false } satisfies SplitOptions);
 */
export interface SplitOptions {
  /** keep class proportions (classification only; default true for classification) */
  stratify?: boolean;
}

/**
 * Split rows at random (seeded with `Rng`) into train and test parts, both in increasing row order.
 * The test part has round(n · testFraction) rows. Stratified (classification, the default there):
 * each class contributes floor or ceil of its proportional share (largest remainders), so class
 * counts stay within ±1 of the exact proportion.
 *
 * @example
 *   const { train, test } = trainTestSplit(loadDataset('wine'), 0.25, 42);
 *   test.X.rows; // 45
 */
export function trainTestSplit(ds: Dataset, testFraction: number, seed: number, opts: SplitOptions = {}): { train: Dataset; test: Dataset } {
  checkOptions('trainTestSplit', opts, SPLIT_OPTIONS);
  const n = ds.X.rows;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new CvxnnError('INVALID_OPTION', `testFraction must be in (0, 1), got ${testFraction}`);
  }
  if (!Number.isInteger(seed)) throw new CvxnnError('INVALID_OPTION', `seed must be an integer, got ${seed}`);
  const nTest = Math.round(n * testFraction);
  if (nTest < 1 || nTest > n - 1) {
    throw new CvxnnError('INVALID_OPTION', `testFraction ${testFraction} of ${n} rows leaves ${nTest} test and ${n - nTest} train rows; both parts need at least one row`);
  }
  const classification = ds.task !== 'regression';
  const stratify = opts.stratify ?? classification;
  if (stratify && !classification) throw new CvxnnError('INVALID_OPTION', `stratify needs a classification dataset, but '${ds.name}' is a regression task`);
  const rng = new Rng(seed);
  const isTest = new Uint8Array(n);
  if (!stratify) {
    const p = rng.permutation(n);
    for (let r = 0; r < nTest; r++) isTest[p[r]!] = 1;
  } else {
    const K = ds.classes?.length ?? Math.max(...Array.from(ds.y)) + 1;
    const members: number[][] = Array.from({ length: K }, () => []);
    for (let i = 0; i < n; i++) members[ds.y[i]!]!.push(i);
    // Largest-remainder allocation of nTest over the classes.
    const exact = members.map((m) => (m.length * nTest) / n);
    const take = exact.map(Math.floor);
    let left = nTest - take.reduce((a, b) => a + b, 0);
    const order = exact.map((e, c) => c).sort((a, b) => exact[b]! - take[b]! - (exact[a]! - take[a]!) || a - b);
    for (const c of order) {
      if (left === 0) break;
      if (take[c]! < members[c]!.length) {
        take[c]!++;
        left--;
      }
    }
    for (let c = 0; c < K; c++) {
      const m = members[c]!;
      const p = rng.permutation(m.length);
      for (let r = 0; r < take[c]!; r++) isTest[m[p[r]!]!] = 1;
    }
  }
  const trainRows: number[] = [];
  const testRows: number[] = [];
  for (let i = 0; i < n; i++) (isTest[i] ? testRows : trainRows).push(i);
  return { train: subset(ds, trainRows), test: subset(ds, testRows) };
}

/**
 * One-hot encode class indices: an n × K matrix with a 1 in column y[i] of row i.
 *
 * @example
 *   oneHot(Float64Array.from([2, 0]), 3).toArrays(); // [[0, 0, 1], [1, 0, 0]]
 */
export function oneHot(y: Float64Array, numClasses: number): Matrix<Float64Array> {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new CvxnnError('INVALID_OPTION', `numClasses must be a positive integer, got ${numClasses}`);
  const Y = Matrix.zeros(y.length, numClasses);
  for (let i = 0; i < y.length; i++) {
    const c = y[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new CvxnnError('INVALID_OPTION', `oneHot: y[${i}] = ${c} is not a class index in 0..${numClasses - 1}`);
    }
    Y.data[i * numClasses + c] = 1;
  }
  return Y;
}

/**
 * Map binary class indices {0, 1} to signs {−1, +1} (class 0 ↦ −1, class 1 ↦ +1).
 *
 * @example
 *   Array.from(signLabels(Float64Array.from([0, 1, 1]))); // [-1, 1, 1]
 */
export function signLabels(y: Float64Array): Float64Array {
  const s = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (v !== 0 && v !== 1) throw new CvxnnError('INVALID_OPTION', `signLabels: y[${i}] = ${v}; binary class indices must be 0 or 1`);
    s[i] = v === 1 ? 1 : -1;
  }
  return s;
}

/**
 * Class counts of a classification dataset, in class-index order.
 *
 * @example
 *   classCounts(loadDataset('wine')); // [59, 71, 48]
 */
export function classCounts(ds: Dataset): number[] {
  if (ds.task === 'regression' || !ds.classes) throw new CvxnnError('INVALID_OPTION', `classCounts: '${ds.name}' is a regression dataset`);
  const c = new Array<number>(ds.classes.length).fill(0);
  for (let i = 0; i < ds.y.length; i++) if (Number.isInteger(ds.y[i])) c[ds.y[i]!]!++;
  return c;
}
