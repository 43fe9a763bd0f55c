/**
 * New rows for a fitted model: the model's feature columns found in a file by header name (in any
 * order) or, in a file without a header, by position; labels, when the file has them, encoded
 * against the model's classes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CvxnnError, Matrix, checkOptions } from '@cvxnn/linalg';
import { baseName, readCsvRecords } from './csv.js';
import { readText } from './file.js';
import { loadIdx } from './idx.js';
import { readJsonRecords } from './json.js';
import { checkLabelCell, checkMissing, encodeLabels, isMissing, parseCell, type RawRecord, readFeatureCell, type TableContext } from './table.js';
import type { Task } from './types.js';
import { ALIGN_OPTIONS } from './option-specs.js';

/**
 * The columns a fitted model reads: its feature names in order, the label column's name and
 * 0-based position in the training file, the task and the class names.
 *
 * @example
 *   const cols: ModelColumns = { featureNames: ['age', 'bmi'], labelName: 'y', labelIndex: 2, task: 'regression' };
 */
export interface ModelColumns {
  featureNames: string[];
  labelName?: string;
  /** where the label sat in the training file (used for files without a header); default last */
  labelIndex?: number;
  task: Task;
  /** class names in index order (classification) */
  classes?: string[];
}

/**
 * Options of {@link alignCsv} / {@link loadAligned}.
 *
 * @example
 *   loadAligned('new.csv', cols, { missing: 'drop' } satisfies AlignOptions);
 */
export interface AlignOptions {
  /** whether the first row is a header; 'auto' (default): it is when it names columns */
  header?: boolean | 'auto';
  delimiter?: string;
  missing?: 'error' | 'drop';
  name?: string;
  maxBytes?: number;
}

/**
 * Rows read for a model: features in the model's order and, when the file has the label column,
 * the encoded targets (`y`: values or class indices) and the label texts.
 *
 * @example
 *   const a: AlignedData = loadAligned('test.csv', cols);
 *   a.reordered; // true when the file's columns came in another order
 */
export interface AlignedData {
  name: string;
  X: Matrix<Float64Array>;
  y?: Float64Array;
  labels?: string[];
  /** columns were matched by header name (false: by position, the file has no header) */
  byName: boolean;
  /** the file's feature columns are in another order than the model's (and were reordered) */
  reordered: boolean;
  /** 1-based data rows left out because of a missing value (only with `missing: 'drop'`) */
  droppedRows?: number[];
}

function quoteList(names: string[], max = 12): string {
  const shown = names.slice(0, max).map((s) => `'${s}'`).join(', ');
  return names.length > max ? `${shown}, … (${names.length} in all)` : shown;
}

function checkColumns(model: ModelColumns): void {
  if (!model || !Array.isArray(model.featureNames) || model.featureNames.length === 0 || model.featureNames.some((s) => typeof s !== 'string')) {
    throw new CvxnnError('INVALID_OPTION', 'the model columns need featureNames: a non-empty array of strings');
  }
  if (!['regression', 'binary', 'multiclass'].includes(model.task)) throw new CvxnnError('INVALID_OPTION', `the model columns need task regression, binary or multiclass, got '${String(model.task)}'`);
}

/** Whether the first record names columns: it holds every feature name, or a cell that is neither a number nor missing where numbers go. */
function looksLikeHeader(first: string[], model: ModelColumns, labelAt: number | undefined): boolean {
  const cells = first.map((c) => c.trim());
  const set = new Set(cells);
  if (model.featureNames.every((f) => set.has(f))) return true;
  return cells.some((c, j) => j !== labelAt && !isMissing(c) && Number.isNaN(parseCell(c)));
}

/**
 * Align text records with a model's columns (see {@link loadAligned}).
 * @internal
 */
export function alignRecords(records: RawRecord[], model: ModelColumns, opts: AlignOptions, ctx: TableContext): AlignedData {
  checkColumns(model);
  const drop = checkMissing(opts.missing) === 'drop';
  if (records.length === 0) throw new CvxnnError('EMPTY_DATA', `${ctx.name}: the data is empty (no rows)`);
  const d = model.featureNames.length;
  const ncol = records[0]!.cells.length;
  const headerless = (labelAt: number | undefined) => !looksLikeHeader(records[0]!.cells, model, labelAt);
  // without a header the label, if present, sits where it sat in the training file
  const positionalLabel = ncol === d + 1 ? Math.min(model.labelIndex ?? d, d) : undefined;
  const header = opts.header === true ? true : opts.header === false ? false : !headerless(positionalLabel);
  const rows = header ? records.slice(1) : records;
  if (rows.length === 0) throw new CvxnnError('EMPTY_DATA', `${ctx.name}: only a header row and no data rows`);
  for (let r = 0; r < rows.length; r++) {
    if (rows[r]!.cells.length !== ncol) {
      throw new CvxnnError('PARSE_ERROR', `${ctx.name}: row ${r + 1} (line ${rows[r]!.line}) has ${rows[r]!.cells.length} fields, but the ${header ? 'header' : 'first row'} has ${ncol}; fix the row`);
    }
  }
  let featureAt: number[];
  let labelAt: number | undefined;
  let names: string[];
  if (header) {
    names = records[0]!.cells.map((s) => s.trim());
    const where = (f: string) => names.flatMap((s, j) => (s === f ? [j] : []));
    const generated = model.featureNames.every((f, k) => f === `x${k}`);
    featureAt = model.featureNames.map((f) => {
      const at = where(f);
      if (at.length === 0) {
        throw new CvxnnError(
          'SHAPE_MISMATCH',
          generated && !names.includes('x0')
            ? `${ctx.name}: the model was trained on a file without a header (features x0…x${d - 1}), but this file has the header ${quoteList(names)}; pass the rows without a header, columns in the training order`
            : `${ctx.name}: the model's feature '${f}' is not a column of this file (its columns: ${quoteList(names)}); the model needs ${quoteList(model.featureNames)}`,
        );
      }
      if (at.length > 1) {
        throw new CvxnnError('INVALID_OPTION', `${ctx.name}: columns ${at.map((j) => j + 1).join(' and ')} are all named '${f}', a feature of the model, so the file's columns cannot be matched by name; rename or remove the duplicates`);
      }
      return at[0]!;
    });
    const dupModel = model.featureNames.filter((f, k) => model.featureNames.indexOf(f) !== k);
    if (dupModel.length > 0) {
      // duplicated names in the model: only the training order itself can be matched
      const inOrder = featureAt.every((j, k) => k === 0 || j > featureAt[k - 1]!);
      if (!inOrder) throw new CvxnnError('INVALID_OPTION', `${ctx.name}: the model has several features named ${quoteList([...new Set(dupModel)])}, so columns in another order cannot be matched by name; give the columns in the training order`);
    }
    if (model.labelName !== undefined) {
      const at = where(model.labelName);
      if (at.length > 1) throw new CvxnnError('INVALID_OPTION', `${ctx.name}: columns ${at.map((j) => j + 1).join(' and ')} are all named '${model.labelName}', the model's label; keep one`);
      labelAt = at[0];
    }
    const used = new Set([...featureAt, ...(labelAt !== undefined ? [labelAt] : [])]);
    const extra = names.filter((_, j) => !used.has(j));
    if (extra.length > 0) {
      throw new CvxnnError(
        'SHAPE_MISMATCH',
        `${ctx.name}: the columns ${quoteList(extra)} are not features of the model${model.labelName !== undefined ? ` nor its label '${model.labelName}'` : ''}; remove them (the model reads ${quoteList(model.featureNames)})`,
      );
    }
  } else {
    if (ncol !== d && ncol !== d + 1) {
      throw new CvxnnError(
        'SHAPE_MISMATCH',
        `${ctx.name}: the rows have ${ncol} columns, but the model reads ${d} features (${quoteList(model.featureNames)}), so a file without a header needs ${d} columns, or ${d + 1} with the label`,
      );
    }
    labelAt = positionalLabel;
    featureAt = Array.from({ length: ncol }, (_, j) => j).filter((j) => j !== labelAt);
    names = Array.from({ length: ncol }, (_, j) => (j === labelAt ? (model.labelName ?? 'label') : model.featureNames[featureAt.indexOf(j)]!));
  }
  const n = rows.length;
  const keep: number[] = [];
  const droppedRows: number[] = [];
  const Xall = new Float64Array(n * d);
  const labels: string[] = [];
  for (let r = 0; r < n; r++) {
    const { cells, line } = rows[r]!;
    let ok = true;
    for (let k = 0; k < d; k++) {
      const j = featureAt[k]!;
      const v = readFeatureCell(cells[j]!, { row: r, line, column: j, columnName: names[j]! }, ctx, drop);
      if (Number.isNaN(v)) ok = false;
      Xall[r * d + k] = v;
    }
    if (labelAt !== undefined) {
      const lab = cells[labelAt]!.trim();
      if (!checkLabelCell(lab, { row: r, line, column: labelAt, columnName: names[labelAt]! }, ctx, drop)) ok = false;
      labels.push(lab);
    }
    if (ok) keep.push(r);
    else droppedRows.push(r + 1);
  }
  if (keep.length === 0) throw new CvxnnError('EMPTY_DATA', `${ctx.name}: every one of the ${n} rows has a missing value, so dropping them leaves no data`);
  const X = Matrix.zeros(keep.length, d);
  keep.forEach((r, t) => X.data.set(Xall.subarray(r * d, (r + 1) * d), t * d));
  const kept = labelAt !== undefined ? keep.map((r) => labels[r]!) : undefined;
  const labelName = model.labelName ?? 'label';
  const y = kept ? encodeLabels(kept, model.task, labelName, ctx.name, model.task === 'regression' ? undefined : model.classes).y : undefined;
  return {
    name: ctx.name,
    X,
    ...(y ? { y, labels: kept } : {}),
    byName: header,
    reordered: featureAt.some((j, k) => k > 0 && j < featureAt[k - 1]!),
    ...(droppedRows.length ? { droppedRows } : {}),
  };
}

/**
 * Align CSV text with a model's columns (see {@link loadAligned}).
 *
 * @example
 *   alignCsv('b,a\n2,1\n', { featureNames: ['a', 'b'], task: 'regression' }).X.toArrays(); // [[1, 2]]
 */
export function alignCsv(text: string, model: ModelColumns, opts: AlignOptions = {}): AlignedData {
  checkOptions('alignCsv', opts, ALIGN_OPTIONS);
  const name = opts.name ?? 'data';
  return alignRecords(readCsvRecords(text, opts.delimiter, name), model, opts, { name, source: 'csv' });
}

/**
 * Read new rows (CSV, JSON or IDX, optionally gzipped) for a fitted model. With a header, every
 * model feature is found by name — in any order, reordered to the model's — and the label column
 * by the model's label name when present; a missing feature, a duplicated name, or a column the
 * model does not know is refused (`SHAPE_MISMATCH` / `INVALID_OPTION`), so a file with other
 * columns is never scored by position. Without a header the columns are taken in the training
 * order: d features, or d + 1 with the label where it sat in training. Labels are encoded against
 * the model's classes (a class it was not trained on is `INVALID_OPTION`); cells are validated as
 * by the loaders (`MISSING_VALUE`, `NON_NUMERIC`, with `missing: 'drop'` to skip rows).
 *
 * @example
 *   const a = loadAligned('new-patients.csv', { featureNames: ['age', 'bmi'], labelName: 'y', task: 'regression' });
 *   a.X.cols; // 2, in the order age, bmi
 */
export function loadAligned(file: string, model: ModelColumns, opts: AlignOptions = {}): AlignedData {
  checkOptions('loadAligned', opts, ALIGN_OPTIONS);
  checkColumns(model);
  const lower = file.toLowerCase().replace(/\.gz$/, '');
  const name = opts.name ?? baseName(file);
  const ctx = (source: 'csv' | 'json'): TableContext => ({ name, source });
  if (lower.endsWith('.json')) {
    const { records, opts: o } = readJsonRecords(file, { name, ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}) });
    return alignRecords(records, model, { ...opts, header: o.header === true ? true : o.header === false ? false : opts.header }, ctx('json'));
  }
  const base = path.basename(lower);
  if (base.endsWith('.idx') || /-ubyte$/.test(base) || /idx\d-/.test(base)) {
    const labelsBase = path.basename(file).replace(/images-idx3/, 'labels-idx1');
    const labelsPath = labelsBase !== path.basename(file) ? path.join(path.dirname(file), labelsBase) : undefined;
    const ds = loadIdx(file, labelsPath && existsSync(labelsPath) ? labelsPath : undefined, { name, ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}) });
    const d = model.featureNames.length;
    if (ds.X.cols !== d) throw new CvxnnError('SHAPE_MISMATCH', `${name}: the images have ${ds.X.cols} pixels, but the model reads ${d} features`);
    const out: AlignedData = { name, X: ds.X, byName: false, reordered: false };
    if (ds.classes) {
      const texts = Array.from(ds.y, (c) => ds.classes![c]!);
      out.labels = texts;
      out.y = encodeLabels(texts, model.task, ds.labelName, name, model.task === 'regression' ? undefined : model.classes).y;
    }
    return out;
  }
  const text = readText(file, { ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}) });
  return alignRecords(readCsvRecords(text, opts.delimiter, name), model, opts, ctx('csv'));
}
