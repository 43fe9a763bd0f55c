/**
 * The one data path of the CLI: every command reads `--data` (and `--test-data`, `predict`'s rows,
 * `--gates`) through `@cvxnn/data`, and fit, compare, patterns and the CNN/BN fits share one
 * preparation — targets, one seeded stratified split, one standardizer fitted on the training
 * rows — whose statistics the run file stores for `predict`.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  type AlignedData,
  applyStandardizer,
  bundledPath,
  type CsvOptions,
  type Dataset,
  fitStandardizer,
  listBundled,
  loadAligned,
  loadDataset,
  type ModelColumns,
  oneHot,
  signLabels,
  trainTestSplit,
} from '@cvxnn/data';
import { assertOption, CvxnnError, Matrix } from '@cvxnn/linalg';
import type { Preprocessing } from '@cvxnn/run-format';
import { derivedSeed } from './io.js';
import { userPath } from './user-path.js';

/**
 * The data flags shared by the commands that read a labelled table.
 *
 * @example
 *   const flags: DataFlags = { labelColumn: 'last', delimiter: ';', dropMissing: true };
 */
export interface DataFlags {
  labelColumn: string;
  task?: string;
  /** ',' ';' tab ('\t' or 'tab') or any single character; default: detected */
  delimiter?: string;
  /** auto | yes | no */
  header?: string;
  dropMissing?: boolean;
}

/**
 * The flags of {@link DataFlags} as commander options, added to a command.
 *
 * @example
 *   dataOptions(program.command('fit'));
 */
export function addDataOptions<T extends { option(flags: string, description: string, defaultValue?: string): T }>(cmd: T, labelHelp = 'last | first | 0-based index | header name'): T {
  return cmd
    .option('--label-column <col>', labelHelp, 'last')
    .option('--delimiter <c>', "field delimiter: ',' ';' tab or any one character (default: detected from the first lines)")
    .option('--header <h>', 'auto | yes | no: whether the first row names the columns', 'auto')
    .option('--drop-missing', 'leave out rows with a missing cell (empty, NA, NaN, N/A, null, ?) instead of refusing them');
}

/**
 * The `@cvxnn/data` options of the flags (task, delimiter, header, missing rows).
 *
 * @example
 *   loadDataset(file, csvOptions({ labelColumn: 'y', header: 'yes' }));
 */
export function csvOptions(f: DataFlags): CsvOptions {
  const header = f.header ?? 'auto';
  assertOption(['auto', 'yes', 'no'].includes(header), `--header must be auto, yes or no, got '${header}'`);
  const o: CsvOptions = { labelColumn: f.labelColumn, header: header === 'auto' ? 'auto' : header === 'yes', missing: f.dropMissing ? 'drop' : 'error' };
  if (f.task !== undefined) {
    assertOption(['regression', 'binary', 'multiclass', 'auto'].includes(f.task), `--task must be regression, binary or multiclass, got '${f.task}'`);
    o.task = f.task as CsvOptions['task'];
  }
  if (f.delimiter !== undefined) {
    const d = f.delimiter === '\\t' || f.delimiter === 'tab' ? '\t' : f.delimiter;
    assertOption(d.length === 1 && d !== '"' && d !== '\n' && d !== '\r', `--delimiter must be one character (',' ';' tab '|' …), got ${JSON.stringify(f.delimiter)}`);
    o.delimiter = d;
  }
  return o;
}

/** Where `--data X` points: a file (absolute path) or a bundled dataset. */
export type DataSource = { kind: 'file'; file: string } | { kind: 'bundled'; name: string; file: string };

/**
 * Resolve a data argument: a file relative to the user's directory, a file in `CVXNN_DATA_DIR`
 * (`X` or `X.csv`), or a dataset bundled with `@cvxnn/data`; else IO_ERROR naming what was tried.
 *
 * @example
 *   resolveData('breast_cancer'); // { kind: 'bundled', name: 'breast_cancer', file: '…/datasets/breast_cancer.csv' }
 */
export function resolveData(spec: string, flag = '--data'): DataSource {
  if (typeof spec !== 'string' || spec.trim() === '') throw new CvxnnError('INVALID_OPTION', `${flag} is empty; give a data file or a bundled dataset name (cvxnn data list)`);
  const file = userPath(spec);
  if (existsSync(file)) return { kind: 'file', file };
  const dir = process.env.CVXNN_DATA_DIR;
  if (dir) {
    for (const name of [spec, `${spec}.csv`]) {
      const p = path.resolve(dir, name);
      if (existsSync(p) && statSync(p).isFile()) return { kind: 'file', file: p };
    }
  }
  const shipped = bundledPath(spec);
  if (shipped && existsSync(shipped)) return { kind: 'bundled', name: listBundled().find((b) => bundledPath(b.name) === shipped)?.name ?? spec, file: shipped };
  throw new CvxnnError(
    'IO_ERROR',
    `${flag}: no file '${spec}' in ${process.cwd()}${dir ? ` or in CVXNN_DATA_DIR (${dir})` : ''}, and no bundled dataset of that name (${listBundled().map((b) => b.name).join(', ')}); pass a CSV, JSON or IDX file path`,
  );
}

/**
 * The file `--data X` reads, when it resolves (for refusing an output that would overwrite it);
 * undefined otherwise — the data error is reported when the data is read.
 *
 * @example
 *   prepareOutput('--out', o.out, [inputFile(o.data)]);
 */
export function inputFile(spec: string | undefined): string | undefined {
  if (spec === undefined) return undefined;
  try {
    return resolveData(spec).file;
  } catch {
    return undefined;
  }
}

/** Add the CLI flag to the library's advice for missing values. */
function withCliHints<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CvxnnError && e.code === 'MISSING_VALUE') throw new CvxnnError(e.code, `${e.message.replace(/ \(or load with missing: 'drop'[^)]*\)/, '')} (or pass --drop-missing)`, e.details);
    throw e;
  }
}

/**
 * Load a labelled dataset (any format `@cvxnn/data` reads: CSV, JSON, IDX, `.gz`).
 *
 * @example
 *   const ds = loadData('breast_cancer', { labelColumn: 'last' });
 */
export function loadData(spec: string, flags: DataFlags): Dataset {
  const src = resolveData(spec);
  const opts = csvOptions(flags);
  return withCliHints(() => (src.kind === 'bundled' ? loadDataset(src.name, opts) : loadDataset(src.file, opts)));
}

/**
 * Targets for a dataset: regression y (n×1), binary ±1 (class 1 ↦ +1), multiclass one-hot (n×K).
 *
 * @example
 *   targets(loadDataset('wine')).cols; // 3
 */
export function targets(y: Float64Array, task: Dataset['task'], classes?: string[]): Matrix<Float64Array> {
  if (task === 'regression') return new Matrix(y.length, 1, Float64Array.from(y));
  if (task === 'binary') return new Matrix(y.length, 1, signLabels(y));
  return oneHot(y, classes!.length);
}

/** Entries at or beyond this size make squares overflow fp64 once summed; they need --standardize zscore. */
const HUGE = 1e150;

/**
 * Training data as fit, compare, patterns and the CNN/BN fits prepare it: targets for the task,
 * train/test rows (a seeded stratified split with `--test-fraction`, or `--test-data`), and
 * z-score statistics of the training rows only. `Xtr`/`Xte` are standardized without a bias
 * column (`pre.bias` says whether one is appended).
 *
 * @example
 *   const p = prepareData({ data: 'breast_cancer', flags: { labelColumn: 'last' }, standardize: 'zscore', bias: true, seed: 0, testFraction: 0.2 });
 *   p.Xtr.rows + (p.Xte?.rows ?? 0); // 569
 */
export interface PreparedData {
  dataset: Dataset;
  task: Dataset['task'];
  classes?: string[];
  Xtr: Matrix<Float64Array>;
  Ytr: Matrix<Float64Array>;
  /** the training labels as `@cvxnn/data` encodes them: class indices 0 … K−1, or the regression values (for validation folds) */
  ytr: Float64Array;
  Xte: Matrix<Float64Array> | null;
  Yte: Matrix<Float64Array> | null;
  /** test rows: from the split, or from `--test-data` */
  nTest: number;
  testSource?: string;
  pre: Preprocessing;
}

/**
 * Read, split and standardize (see {@link PreparedData}). The split seed is derived from `seed`
 * (so gates and split differ); classification splits keep the class proportions.
 *
 * @example
 *   const p = prepareData({ data: 'wine', flags: { labelColumn: 'last' }, standardize: 'zscore', bias: false, seed: 0, testFraction: 0.25 });
 */
export function prepareData(o: {
  data: string;
  flags: DataFlags;
  standardize: string;
  bias: boolean;
  seed: number;
  testFraction: number;
  testData?: string;
  /** an already-built dataset (compare's synthetic sets); `data` is then only its name */
  dataset?: Dataset;
}): PreparedData {
  assertOption(o.standardize === 'zscore' || o.standardize === 'none', `--standardize must be zscore or none, got '${o.standardize}'`);
  assertOption(o.testFraction >= 0 && o.testFraction < 1, `--test-fraction must be in [0, 1), got ${o.testFraction}`);
  if (o.testData !== undefined && o.testFraction > 0) throw new CvxnnError('INVALID_OPTION', '--test-data and --test-fraction both choose the test rows; give one of them');
  const ds = o.dataset ?? loadData(o.data, o.flags);
  let train = ds;
  let test: Dataset | null = null;
  if (o.testFraction > 0) {
    ({ train, test } = trainTestSplit(ds, o.testFraction, derivedSeed(o.seed, 7919)));
  }
  const d = train.X.cols;
  const stats = o.standardize === 'zscore' ? fitStandardizer(train.X) : undefined;
  if (!stats) {
    for (let k = 0; k < d; k++) {
      for (let i = 0; i < train.X.rows; i++) {
        const v = train.X.data[i * d + k]!;
        if (Math.abs(v) >= HUGE) throw new CvxnnError('INVALID_OPTION', `--standardize none: feature '${ds.featureNames[k]}' has the entry ${v} (row ${i + 1} of the training rows), and squares of such values overflow fp64; use --standardize zscore`);
      }
    }
  }
  const pre: Preprocessing = {
    task: ds.task,
    ...(ds.classes ? { classes: [...ds.classes] } : {}),
    standardize: o.standardize as 'zscore' | 'none',
    ...(stats ? { mean: Array.from(stats.mean), std: Array.from(stats.scale) } : {}),
    bias: o.bias,
    featureNames: [...ds.featureNames],
    labelName: ds.labelName,
    labelColumn: o.flags.labelColumn,
    ...(ds.labelIndex !== undefined ? { labelIndex: ds.labelIndex } : {}),
  };
  const std = (X: Matrix<Float64Array>) => (stats ? applyStandardizer(X, stats) : X);
  let Xte: Matrix<Float64Array> | null = null;
  let Yte: Matrix<Float64Array> | null = null;
  let testSource: string | undefined;
  if (test) {
    Xte = std(test.X);
    Yte = targets(test.y, ds.task, ds.classes);
    testSource = `${test.X.rows} rows held out (seeded${ds.task === 'regression' ? '' : ', stratified'} split)`;
  } else if (o.testData !== undefined) {
    const t = loadRowsFor(o.testData, pre, o.flags, '--test-data');
    if (!t.y) throw new CvxnnError('INVALID_OPTION', `--test-data '${o.testData}' has no label column '${pre.labelName}'; test rows need their labels to be scored`);
    Xte = std(t.X);
    Yte = targets(t.y, ds.task, ds.classes);
    testSource = `${t.X.rows} rows of ${o.testData}${t.reordered ? ' (columns reordered by name)' : ''}`;
  }
  return { dataset: ds, task: ds.task, classes: ds.classes, Xtr: std(train.X), Ytr: targets(train.y, ds.task, ds.classes), ytr: Float64Array.from(train.y), Xte, Yte, nTest: Xte?.rows ?? 0, testSource, pre };
}

/**
 * The model columns of a run's preprocessing (for `loadAligned`).
 *
 * @example
 *   loadAligned(file, modelColumns(run.preprocessing));
 */
export function modelColumns(pre: Preprocessing): ModelColumns {
  const labelIndex = pre.labelIndex ?? (pre.labelColumn === 'first' ? 0 : /^\d+$/.test(pre.labelColumn) ? Number(pre.labelColumn) : pre.featureNames.length);
  return { featureNames: pre.featureNames, labelName: pre.labelName, labelIndex, task: pre.task, ...(pre.classes ? { classes: pre.classes } : {}) };
}

/**
 * New rows for a fitted model (predict, `--test-data`): its features found by header name in any
 * order (or by position without a header), labels encoded against its classes when present.
 *
 * @example
 *   const rows = loadRowsFor('new.csv', run.preprocessing, flags);
 */
export function loadRowsFor(spec: string, pre: Preprocessing, flags: Pick<DataFlags, 'delimiter' | 'header' | 'dropMissing'>, flag = '--data'): AlignedData {
  const src = resolveData(spec, flag);
  const o = csvOptions({ labelColumn: 'last', ...flags });
  return withCliHints(() =>
    loadAligned(src.file, modelColumns(pre), {
      ...(o.header !== undefined ? { header: o.header } : {}),
      ...(o.delimiter !== undefined ? { delimiter: o.delimiter } : {}),
      missing: o.missing ?? 'error',
      ...(src.kind === 'bundled' ? { name: src.name } : {}),
    }),
  );
}

/**
 * Apply a run's standardization to model inputs in its feature order.
 *
 * @example
 *   const Xs = standardizeLike(rows.X, run.preprocessing);
 */
export function standardizeLike(X: Matrix<Float64Array>, pre: Preprocessing): Matrix<Float64Array> {
  if (pre.standardize !== 'zscore') return X;
  return applyStandardizer(X, { mean: Float64Array.from(pre.mean!), scale: Float64Array.from(pre.std!) });
}

/**
 * A numeric matrix file without labels (`--gates`): every column a number, header optional.
 *
 * @example
 *   const G = loadMatrix('gates.csv', '--gates');
 */
export function loadMatrix(spec: string, flag: string): Matrix<Float64Array> {
  const src = resolveData(spec, flag);
  if (src.kind === 'bundled') throw new CvxnnError('INVALID_OPTION', `${flag} '${spec}' names a bundled dataset; pass a file`);
  return loadDataset(src.file, { labelColumn: 'none' }).X;
}
