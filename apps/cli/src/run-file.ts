/**
 * Shared helpers of `cvxnn fit` / `cvxnn predict`: reading a labelled CSV, the preprocessing that
 * `predict` must re-apply (label encoding, z-score standardization, bias column), pattern sampling,
 * and the run-JSON envelope of docs/run-format.md.
 *
 * The CSV reader here is deliberately small (numbers, one header row or none, a label column);
 * bundled dataset names are resolved to the files shipped with `@cvxnn/data`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundledPath, encodeLabels } from '@cvxnn/data';
import { samplePatterns } from '@cvxnn/arrangements';
import { assertOption, CvxnnError, Matrix, type PatternMasks, Rng } from '@cvxnn/linalg';
import { type Io, printJson, printKv } from './io.js';

/**
 * A labelled table: features as numbers, labels as strings (as read).
 *
 * @example
 *   const { X, labels } = readLabelledCsv('data.csv');
 */
export interface LabelledTable {
  name: string;
  X: Matrix<Float64Array>;
  labels: string[];
  featureNames: string[];
  labelName: string;
}

/**
 * How targets were encoded, stored in the run file so `predict` decodes the same way.
 *
 * @example
 *   const X = applyPreprocessing(rawX, run.preprocessing);
 */
export interface Preprocessing {
  task: 'regression' | 'binary' | 'multiclass';
  /** class names in output order (binary: [negative, positive] ↦ −1, +1) */
  classes?: string[];
  standardize: 'zscore' | 'none';
  mean?: number[];
  std?: number[];
  bias: boolean;
  featureNames: string[];
  labelName: string;
  labelColumn: string;
}

function splitLine(line: string): string[] {
  return line.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
}

/** Where bundled datasets may live (the shared data folder of this workspace, then cwd/data). */
const BUNDLED_DIRS = [process.env.CVXNN_DATA_DIR, '/work/shared/data', path.join(process.cwd(), 'data')].filter((d): d is string => !!d);

/**
 * Resolve `--data`: an existing file path, or a bundled dataset name (`breast_cancer`, `diabetes`,
 * ...). Throws IO_ERROR naming what was tried.
 *
 * @example
 *   resolveDataPath('breast_cancer'); // '/work/shared/data/breast_cancer.csv'
 */
export function resolveDataPath(spec: string): string {
  if (existsSync(spec)) return spec;
  // datasets shipped with @cvxnn/data (diabetes, breast_cancer, wine, diabetes-bmi)
  const shipped = bundledPath(spec);
  if (shipped && existsSync(shipped)) return shipped;
  for (const dir of BUNDLED_DIRS) {
    for (const name of [spec, `${spec}.csv`]) {
      const p = path.join(dir, name);
      if (existsSync(p)) return p;
    }
  }
  throw new CvxnnError('IO_ERROR', `no file '${spec}' and no bundled dataset of that name (looked in ${BUNDLED_DIRS.join(', ')}); pass a CSV path`);
}

/**
 * Read a numeric CSV with a label column. The header row is detected (a first row with a
 * non-numeric feature cell). `labelColumn`: `last` (default), `first`, a 0-based index, or a
 * header name; `'none'` reads features only (labels empty).
 *
 * @example
 *   const t = readLabelledCsv('data.csv', 'last');
 */
export function readLabelledCsv(file: string, labelColumn = 'last'): LabelledTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CvxnnError('IO_ERROR', `cannot read '${file}': ${(e as Error).message}`);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new CvxnnError('EMPTY_DATA', `'${file}' is empty; it needs at least one data row`);
  const first = splitLine(lines[0]);
  const ncol = first.length;
  const isNum = (s: string) => s !== '' && Number.isFinite(Number(s));
  let header: string[] | null = null;
  // a header row has some cell that is not a number in a column that is numeric below it
  if (lines.length > 1) {
    const second = splitLine(lines[1]);
    if (first.some((s, k) => !isNum(s) && isNum(second[k] ?? ''))) header = first;
  } else if (!first.every(isNum)) header = first;
  let lc: number;
  if (labelColumn === 'none') lc = -1;
  else if (labelColumn === 'last') lc = ncol - 1;
  else if (labelColumn === 'first') lc = 0;
  else if (/^\d+$/.test(labelColumn)) lc = Number(labelColumn);
  else {
    lc = header ? header.indexOf(labelColumn) : -1;
    if (lc < 0) throw new CvxnnError('INVALID_OPTION', `--label-column '${labelColumn}' is not a column name${header ? ` (columns: ${header.join(', ')})` : ' (the file has no header row)'}; use last, first, an index or a header name`);
  }
  assertOption(lc < ncol, `--label-column ${labelColumn} is out of range: the file has ${ncol} columns`);
  const body = header ? lines.slice(1) : lines;
  if (body.length === 0) throw new CvxnnError('EMPTY_DATA', `'${file}' has a header but no data rows`);
  const d = lc >= 0 ? ncol - 1 : ncol;
  if (d === 0) throw new CvxnnError('EMPTY_DATA', `'${file}' has no feature columns besides the label`);
  const X = Matrix.zeros(body.length, d);
  const labels: string[] = [];
  body.forEach((line, i) => {
    const cells = splitLine(line);
    if (cells.length !== ncol) throw new CvxnnError('PARSE_ERROR', `'${file}' line ${i + (header ? 2 : 1)} has ${cells.length} cells, expected ${ncol}`);
    let k = 0;
    cells.forEach((cell, j) => {
      if (j === lc) {
        if (cell === '') throw new CvxnnError('MISSING_VALUE', `'${file}' line ${i + (header ? 2 : 1)}: the label is missing`);
        labels.push(cell);
        return;
      }
      if (cell === '' || cell.toLowerCase() === 'na' || cell.toLowerCase() === 'nan') {
        throw new CvxnnError('MISSING_VALUE', `'${file}' line ${i + (header ? 2 : 1)}, column ${j + 1}: missing value; impute or drop the row first`);
      }
      const v = Number(cell);
      if (!Number.isFinite(v)) throw new CvxnnError('NON_NUMERIC', `'${file}' line ${i + (header ? 2 : 1)}, column ${j + 1}: '${cell}' is not a number`);
      X.data[i * d + k++] = v;
    });
  });
  const names = header ?? Array.from({ length: ncol }, (_, j) => `x${j}`);
  return {
    name: path.basename(file).replace(/\.csv$/i, ''),
    X,
    labels,
    featureNames: names.filter((_, j) => j !== lc),
    labelName: lc >= 0 ? names[lc] : '',
  };
}

/**
 * Infer the task from the labels: two distinct values ⇒ binary; otherwise `@cvxnn/data`'s rule
 * (the one `cvxnn data info` reports: text labels, or integers with at most 20
 * `MAX_AUTO_CLASSES` distinct values, are classes), with integer classes also needing on average
 * two rows per class — so wine's 0/1/2 over 178 rows is multiclass, while a 3-row fixture with
 * targets 1, 2, 3 stays a regression. Pass `--task` to override.
 *
 * @example
 *   inferTask(['0', '1', '1']); // 'binary'
 *   inferTask(['0', '2', '1', '1', '0', '2']); // 'multiclass'
 *   inferTask(['1', '2', '3']); // 'regression'
 */
export function inferTask(labels: string[]): 'regression' | 'binary' | 'multiclass' {
  const distinct = new Set(labels).size;
  if (distinct === 2) return 'binary';
  if (distinct < 2) return 'regression';
  const task = encodeLabels(labels, 'auto', 'label').task;
  const numeric = labels.every((l) => Number.isFinite(Number(l)));
  return numeric && task === 'multiclass' && labels.length < 2 * distinct ? 'regression' : task;
}

/**
 * Sorted class names (numerically when all numeric).
 *
 * @example
 *   classNames(['b', 'a', 'b']); // ['a', 'b']
 */
export function classNames(labels: string[]): string[] {
  const u = [...new Set(labels)];
  return u.every((l) => Number.isFinite(Number(l))) ? u.sort((a, b) => Number(a) - Number(b)) : u.sort();
}

/**
 * Targets for the task: regression y (n×1), binary ±1 (n×1), multiclass one-hot (n×c). Labels that
 * do not fit the task are an INVALID_OPTION with the reason.
 *
 * @example
 *   encodeTargets(['no', 'yes'], 'binary').Y; // [[-1], [1]]
 */
export function encodeTargets(labels: string[], task: Preprocessing['task'], classes?: string[]): { Y: Matrix<Float64Array>; classes?: string[] } {
  const n = labels.length;
  if (task === 'regression') {
    const Y = Matrix.zeros(n, 1);
    labels.forEach((l, i) => {
      const v = Number(l);
      if (!Number.isFinite(v)) throw new CvxnnError('INVALID_OPTION', `--task regression needs numeric labels, but label ${i} is '${l}'; use --task binary or multiclass`);
      Y.data[i] = v;
    });
    return { Y };
  }
  const cls = classes ?? classNames(labels);
  if (task === 'binary' && cls.length !== 2) {
    throw new CvxnnError('INVALID_OPTION', `--task binary needs exactly 2 classes, but the labels have ${cls.length} (${cls.slice(0, 5).join(', ')}${cls.length > 5 ? ', ...' : ''}); use --task multiclass or regression`);
  }
  if (task === 'multiclass' && cls.length < 2) throw new CvxnnError('INVALID_OPTION', `--task multiclass needs at least 2 classes, got ${cls.length}`);
  const index = new Map(cls.map((c, k) => [c, k]));
  if (task === 'binary') {
    const Y = Matrix.zeros(n, 1);
    labels.forEach((l, i) => {
      const k = index.get(l);
      if (k === undefined) throw new CvxnnError('INVALID_OPTION', `label '${l}' (row ${i}) is not one of the training classes ${cls.join(', ')}`);
      Y.data[i] = k === 1 ? 1 : -1;
    });
    return { Y, classes: cls };
  }
  const Y = Matrix.zeros(n, cls.length);
  labels.forEach((l, i) => {
    const k = index.get(l);
    if (k === undefined) throw new CvxnnError('INVALID_OPTION', `label '${l}' (row ${i}) is not one of the training classes ${cls.join(', ')}`);
    Y.data[i * cls.length + k] = 1;
  });
  return { Y, classes: cls };
}

/**
 * Column means and standard deviations (std 1 for constant columns).
 *
 * @example
 *   const { mean, std } = zscoreFit(X);
 */
export function zscoreFit(X: Matrix<Float64Array>): { mean: number[]; std: number[] } {
  const n = X.rows;
  const d = X.cols;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += X.data[i * d + k] / n;
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) std[k] += (X.data[i * d + k] - mean[k]) ** 2 / n;
  for (let k = 0; k < d; k++) std[k] = std[k] > 0 ? Math.sqrt(std[k]) : 1;
  return { mean, std };
}

/**
 * Apply the stored preprocessing to raw features (standardization; the bias is the network's appendOne).
 *
 * @example
 *   const Xs = applyPreprocessing(X, { standardize: 'zscore', mean, std, featureNames });
 */
export function applyPreprocessing(X: Matrix<Float64Array>, pre: Pick<Preprocessing, 'standardize' | 'mean' | 'std' | 'featureNames'>): Matrix<Float64Array> {
  const d = pre.featureNames.length;
  if (X.cols !== d) throw new CvxnnError('SHAPE_MISMATCH', `the model was trained on ${d} features (${pre.featureNames.join(', ')}) but the data has ${X.cols}`);
  if (pre.standardize !== 'zscore' || !pre.mean || !pre.std) return X;
  const out = Matrix.zeros(X.rows, d);
  for (let i = 0; i < X.rows; i++) for (let k = 0; k < d; k++) out.data[i * d + k] = (X.get(i, k) - pre.mean[k]) / pre.std[k];
  return out;
}

/**
 * [X, 1].
 *
 * @example
 *   withOnes(Matrix.from([[2]])); // [[2, 1]]
 */
export function withOnes(X: Matrix<Float64Array>): Matrix<Float64Array> {
  const out = Matrix.zeros(X.rows, X.cols + 1);
  for (let i = 0; i < X.rows; i++) {
    for (let k = 0; k < X.cols; k++) out.data[i * (X.cols + 1) + k] = X.get(i, k);
    out.data[i * (X.cols + 1) + X.cols] = 1;
  }
  return out;
}

/**
 * Rows `idx` of X.
 *
 * @example
 *   takeRows(X, [0, 2]); // rows 0 and 2
 */
export function takeRows(X: Matrix<Float64Array>, idx: ArrayLike<number>): Matrix<Float64Array> {
  const out = Matrix.zeros(idx.length, X.cols);
  for (let t = 0; t < idx.length; t++) for (let k = 0; k < X.cols; k++) out.data[t * X.cols + k] = X.get(idx[t], k);
  return out;
}

/**
 * Upper bound on the number of distinct patterns of n points in rank r (Cover): 2Σ_{k<r} C(n−1, k).
 *
 * @example
 *   patternCountBound(3, 2); // 6 regions of 3 lines through the origin in the plane
 */
export function patternCountBound(n: number, r: number): number {
  let s = 0;
  let c = 1;
  for (let k = 0; k < r; k++) {
    s += c;
    c = (c * (n - 1 - k)) / (k + 1);
    if (!Number.isFinite(s) || s > 1e15) return Infinity;
  }
  return 2 * s;
}

/**
 * Sample `count` distinct non-zero activation patterns with standard-normal gates (SPEC §1.4;
 * `@cvxnn/arrangements`' `samplePatterns`: gate t is the t-th block of d normals of `Rng(seed)`),
 * drawing up to 50·count gates; too few distinct patterns ⇒ INVALID_OPTION with the count found.
 *
 * @example
 *   const { masks, gates } = sampleDistinctPatterns(X, 100, 0);
 */
export function sampleDistinctPatterns(X: Matrix<Float64Array>, count: number, seed: number): { masks: PatternMasks; gates: Matrix<Float64Array> } {
  const ps = samplePatterns(X, { count, seed, maxDraws: 50 * count });
  if (ps.masks.p < count) {
    throw new CvxnnError(
      'INVALID_OPTION',
      `--patterns ${count} is more than the ${ps.masks.p} distinct non-zero activation patterns found with ${ps.draws ?? 50 * count} Gaussian gates (the data admit at most ${patternCountBound(X.rows, X.cols)}); use --patterns ${ps.masks.p} or fewer`,
    );
  }
  return { masks: ps.masks, gates: ps.gates };
}

/**
 * Read a d×P gate CSV (header optional). `d` must equal the number of first-layer inputs.
 *
 * @example
 *   const G = readGates('gates.csv', 11);
 */
export function readGates(file: string, d: number, bias: boolean): Matrix<Float64Array> {
  const t = readLabelledCsv(file, 'none');
  if (t.X.rows !== d) {
    throw new CvxnnError(
      'SHAPE_MISMATCH',
      `the gates file '${file}' has ${t.X.rows} rows but the first layer has ${d} inputs (${bias ? `${d - 1} features + 1 for --bias` : `${d} features`}); it must be a d×P matrix, one gate per column`,
    );
  }
  return t.X;
}

/**
 * `environment` of the run JSON.
 *
 * @example
 *   environment('ts', 'fp64').cores;
 */
export function environment(backend: string, precision: string) {
  const cpus = os.cpus();
  return { backend, precision, node: process.version, platform: `${process.platform}-${process.arch}`, cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length };
}

/**
 * Replace non-finite numbers by null (the run format), collecting warnings.
 *
 * @example
 *   finiteJson({ a: NaN }, warnings); // { a: null }, one warning
 */
export function finiteJson<T>(value: T, warnings: string[]): T {
  return JSON.parse(
    JSON.stringify(value, (k, v) => {
      if (v instanceof Float64Array || v instanceof Float32Array || v instanceof Int32Array) v = Array.from(v);
      if (typeof v === 'number' && !Number.isFinite(v)) {
        warnings.push(`non-finite value at '${k}' written as null`);
        return null;
      }
      return v;
    }),
  ) as T;
}

/**
 * Training data as `cvxnn fit` (and `compare`, and the CNN/BN fits) prepare it: targets encoded for
 * the task, a seeded train/test split, z-score statistics from the training rows only.
 * `Xtr`/`Xte` are standardized but have no bias column (`pre.bias` says whether one is appended).
 */
export interface PreparedData {
  table: LabelledTable;
  task: Preprocessing['task'];
  classes?: string[];
  trainIdx: number[];
  testIdx: number[];
  Xtr: Matrix<Float64Array>;
  Ytr: Matrix<Float64Array>;
  Xte: Matrix<Float64Array> | null;
  Yte: Matrix<Float64Array> | null;
  pre: Preprocessing;
}

/**
 * Read `--data`, encode targets, split (seed + 7919 permutation; the first round(f·n) rows of it
 * are the test set) and standardize with training statistics.
 *
 * @example
 *   const p = prepareData({ data: 'breast_cancer', labelColumn: 'last', standardize: 'zscore', bias: true, seed: 0, testFraction: 0.2 });
 *   p.Xtr.rows + (p.Xte?.rows ?? 0); // 569
 */
export function prepareData(o: {
  data: string;
  labelColumn: string;
  task?: string;
  standardize: string;
  bias: boolean;
  seed: number;
  testFraction: number;
  /** an already-read table (e.g. `compare`'s synthetic sets); `data` is then only its name */
  table?: LabelledTable;
}): PreparedData {
  assertOption(o.standardize === 'zscore' || o.standardize === 'none', `--standardize must be zscore or none, got '${o.standardize}'`);
  assertOption(o.testFraction >= 0 && o.testFraction < 1, `--test-fraction must be in [0, 1), got ${o.testFraction}`);
  const table = o.table ?? readLabelledCsv(resolveDataPath(o.data), o.labelColumn);
  const task = (o.task ?? inferTask(table.labels)) as Preprocessing['task'];
  assertOption(['regression', 'binary', 'multiclass'].includes(task), `--task must be regression, binary or multiclass, got '${task}'`);
  const { Y, classes } = encodeTargets(table.labels, task);
  const n = table.X.rows;
  const perm = Array.from(new Rng(o.seed + 7919).permutation(n));
  const nTest = Math.round(o.testFraction * n);
  if (o.testFraction > 0) assertOption(nTest >= 1 && n - nTest >= 1, `--test-fraction ${o.testFraction} leaves ${n - nTest} training and ${nTest} test rows; both need at least one`);
  const trainIdx = o.testFraction > 0 ? perm.slice(nTest).sort((a, b) => a - b) : perm.sort((a, b) => a - b);
  const testIdx = o.testFraction > 0 ? perm.slice(0, nTest).sort((a, b) => a - b) : [];
  const Xtr0 = takeRows(table.X, trainIdx);
  const stats = o.standardize === 'zscore' ? zscoreFit(Xtr0) : undefined;
  const pre: Preprocessing = {
    task,
    classes,
    standardize: o.standardize as 'zscore' | 'none',
    mean: stats?.mean,
    std: stats?.std,
    bias: o.bias,
    featureNames: table.featureNames,
    labelName: table.labelName,
    labelColumn: o.labelColumn,
  };
  return {
    table,
    task,
    classes,
    trainIdx,
    testIdx,
    Xtr: applyPreprocessing(Xtr0, pre),
    Ytr: takeRows(Y, trainIdx),
    Xte: testIdx.length > 0 ? applyPreprocessing(takeRows(table.X, testIdx), pre) : null,
    Yte: testIdx.length > 0 ? takeRows(Y, testIdx) : null,
    pre,
  };
}

/**
 * Print a run (`--json`: the light object; otherwise the key/value rows) and write the heavy
 * object to `--out`. Non-finite numbers become null with a warning (docs/run-format.md).
 *
 * @example
 *   emitRun(io, { run, heavy: { history }, json: o.json, out: o.out, rows });
 */
export function emitRun(io: Io, a: { run: Record<string, unknown>; heavy?: Record<string, unknown>; json?: boolean; out?: string; rows: Array<[string, string | number]> }): void {
  const warnings: string[] = [];
  const light = finiteJson(a.run, warnings);
  if (a.out) {
    const heavy = finiteJson({ ...a.run, ...a.heavy }, warnings);
    try {
      writeFileSync(a.out, JSON.stringify({ ...heavy, warnings: warnings.length ? [...new Set(warnings)] : undefined }, null, 1) + '\n');
    } catch (e) {
      throw new CvxnnError('IO_ERROR', `cannot write '${a.out}': ${(e as Error).message}`);
    }
  }
  if (a.json) {
    printJson(io, warnings.length ? { ...light, warnings: [...new Set(warnings)] } : light);
    return;
  }
  printKv(io, a.out ? [...a.rows, ['run file', a.out]] : a.rows);
}
