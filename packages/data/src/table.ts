/**
 * From a table of text cells to a validated {@link Dataset}: header detection, the label column,
 * numeric features, label encoding and the task guess. Shared by the CSV and JSON loaders.
 */
import { CvxnnError, Matrix } from '@cvxnn/linalg';
import type { CsvOptions, DataProblem, Dataset, Task } from './types.js';

/** One record of the source with the 1-based line (CSV) or row (JSON) where it starts. */
export interface RawRecord {
  cells: string[];
  line: number;
}

/** Where problems go: thrown at once (default) or collected (for `cvxnn data info`). */
export interface ProblemSink {
  list: DataProblem[];
  count: number;
  max: number;
}

const MISSING = new Set(['', 'na', 'nan', 'n/a', 'null', '?']);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A cell that stands for a missing value: empty, NA, NaN, N/A, null or ? (any case).
 *
 * @example
 *   isMissing(' NA '); // true
 *   isMissing('0'); // false
 */
export function isMissing(cell: string): boolean {
  return MISSING.has(cell.trim().toLowerCase());
}

/**
 * The number a cell holds, or NaN when it is not a plain decimal number (hex `0x1f`, `1_000`,
 * `Infinity` and numbers outside the fp64 range such as `1e309` are not numbers here).
 */
export function parseCell(cell: string): number {
  const s = cell.trim();
  if (!NUMBER.test(s)) return Number.NaN;
  const v = Number(s);
  return Number.isFinite(v) ? v : Number.NaN;
}

/** Why a cell that is neither missing nor a number was refused (for messages). */
function nonNumericWhy(cell: string): string {
  const s = cell.trim();
  if (NUMBER.test(s)) return ' (outside the fp64 range ±1.8e308)';
  if (/^[+-]?0[xob][0-9a-f]+$/i.test(s)) return ' (hexadecimal, octal and binary literals are not read as numbers; write decimal digits)';
  return '';
}

/**
 * Maximum number of distinct integer labels for which task 'auto' guesses classification.
 *
 * @example
 *   if (distinctIntegerLabels <= MAX_AUTO_CLASSES) console.log('treated as classes');
 */
export const MAX_AUTO_CLASSES = 20;

const TASKS = ['regression', 'binary', 'multiclass', 'auto'];

/** Check a task option. */
export function checkTask(task: unknown): Task | 'auto' {
  const t = task ?? 'auto';
  if (typeof t !== 'string' || !TASKS.includes(t)) {
    throw new CvxnnError('INVALID_OPTION', `task must be one of ${TASKS.join(', ')}, got '${String(t)}'`);
  }
  return t as Task | 'auto';
}

function isKeyword(s: string): boolean {
  return s === 'last' || s === 'first' || s === 'none';
}

function isIndexLike(s: string): boolean {
  return /^-?\d+$/.test(s.trim());
}

/**
 * A first row 0, 1, …, ncol−1 (at least 3 columns) that no later row repeats: the column indices
 * pandas writes as the header of a frame without column names (`df.to_csv(index=False)`). A first
 * row 1, 2, 3 stays data (too likely to be values).
 */
function isIndexHeader(records: RawRecord[]): boolean {
  const first = records[0]!.cells;
  if (first.length < 3 || records.length < 2) return false;
  const v = first.map((c) => (/^\d+$/.test(c.trim()) ? Number(c.trim()) : Number.NaN));
  if (v.some((x, j) => x !== j)) return false;
  const key = v.join(',');
  const upto = Math.min(records.length, 51);
  for (let i = 1; i < upto; i++) if (records[i]!.cells.map((c) => c.trim()).join(',') === key) return false;
  return true;
}

/** Decide whether the first record is a header (options.header 'auto'). */
function detectHeader(records: RawRecord[], labelIndex: number | undefined): boolean {
  const first = records[0]!.cells;
  if (isIndexHeader(records)) return true;
  const textual = (c: string | undefined) => c !== undefined && !isMissing(c) && Number.isNaN(parseCell(c));
  const ncol = first.length;
  // A non-numeric cell in a feature column of the first row: a header (data rows are numeric there).
  for (let j = 0; j < ncol; j++) {
    if (j === labelIndex) continue;
    if (textual(first[j])) return true;
  }
  // All feature cells numeric: still a header when the first label cell is text and the next labels are numbers.
  if (labelIndex !== undefined && textual(first[labelIndex]) && records.length > 1) {
    const upto = Math.min(records.length, 51);
    for (let i = 1; i < upto; i++) if (textual(records[i]!.cells[labelIndex])) return false;
    return true;
  }
  return false;
}

function resolveLabelIndex(spec: CsvOptions['labelColumn'], names: string[], hasHeader: boolean): number {
  const ncol = names.length;
  const bad = (why: string) =>
    new CvxnnError(
      'INVALID_OPTION',
      `${why}; ` +
        (hasHeader
          ? `the columns are: ${names.map((s) => `'${s}'`).join(', ')} (or use 'first', 'last' or a 0-based index)`
          : `the data has no header, so use 'first', 'last' or a 0-based index 0..${ncol - 1}`),
    );
  if (spec === 'none') return -1;
  if (spec === undefined || spec === 'last') return ncol - 1;
  if (spec === 'first') return 0;
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < -ncol || spec >= ncol) throw bad(`label column index ${spec} is out of range for ${ncol} columns`);
    return spec < 0 ? ncol + spec : spec;
  }
  if (typeof spec !== 'string') throw bad(`label column must be a name, an index, 'first' or 'last', got ${String(spec)}`);
  if (hasHeader) {
    const exact = positionsOf(names, (s) => s === spec);
    const ci = exact.length > 0 ? exact : positionsOf(names, (s) => s.toLowerCase() === spec.toLowerCase());
    if (ci.length > 1) {
      throw new CvxnnError(
        'INVALID_OPTION',
        `label column '${spec}' is ambiguous: columns ${ci.map((j) => j + 1).join(' and ')} are all named '${names[ci[0]!]}', and the other would stay a feature (a copy of the label); rename or remove one, or choose the label by its 0-based index`,
        { columns: ci },
      );
    }
    if (ci.length === 1) return ci[0]!;
  }
  if (isIndexLike(spec)) return resolveLabelIndex(Number(spec), names, hasHeader);
  throw bad(`unknown label column '${spec}'`);
}

function positionsOf(names: string[], match: (s: string) => boolean): number[] {
  const out: number[] = [];
  names.forEach((s, j) => match(s) && out.push(j));
  return out;
}

/** 'column 3 'bmi'' — 1-based position and name, for messages. */
function colDesc(j: number, name: string): string {
  return `column ${j + 1} '${name}'`;
}

function rowDesc(r: number, line: number, source: 'csv' | 'json'): string {
  return source === 'csv' ? `row ${r + 1} (line ${line})` : `row ${r + 1}`;
}

function report(sink: ProblemSink | undefined, p: DataProblem): void {
  if (!sink) throw new CvxnnError(p.code, p.message, { row: p.row, line: p.line, column: p.column, columnName: p.columnName, value: p.value });
  sink.count++;
  if (sink.list.length < sink.max) sink.list.push(p);
}

/** Options of {@link tableToDataset} beyond {@link CsvOptions}. */
export interface TableContext {
  name: string;
  source: 'csv' | 'json';
  sink?: ProblemSink;
}

/** Check the `missing` option. */
export function checkMissing(missing: unknown): 'error' | 'drop' {
  const m = missing ?? 'error';
  if (m !== 'error' && m !== 'drop') throw new CvxnnError('INVALID_OPTION', `missing must be 'error' or 'drop', got '${String(m)}'`);
  return m;
}

/** Where a cell sits, for {@link readFeatureCell}. */
export interface CellPlace {
  /** 0-based data row and the record's 1-based line */
  row: number;
  line: number;
  /** 0-based column in the source and its name */
  column: number;
  columnName: string;
}

/**
 * The number in a feature cell, or NaN after reporting the problem (`MISSING_VALUE` for the
 * missing-value tokens, `NON_NUMERIC` otherwise) to the sink, or throwing without one.
 * With `dropMissing`, a missing cell returns NaN silently (the caller drops the row).
 */
export function readFeatureCell(cell: string, at: CellPlace, ctx: TableContext, dropMissing = false): number {
  const v = parseCell(cell);
  if (!Number.isNaN(v)) return v;
  const where = `${rowDesc(at.row, at.line, ctx.source)}, ${colDesc(at.column, at.columnName)}`;
  const base = { row: at.row + 1, line: at.line, column: at.column, columnName: at.columnName, value: cell };
  if (isMissing(cell)) {
    if (dropMissing) return Number.NaN;
    report(ctx.sink, {
      code: 'MISSING_VALUE', ...base,
      message: `${ctx.name}: missing value '${cell}' at ${where}; cvxnn does not impute, so fill or remove that row (or load with missing: 'drop' to skip rows with missing values)`,
    });
  } else {
    report(ctx.sink, {
      code: 'NON_NUMERIC', ...base,
      message: `${ctx.name}: non-numeric value '${cell}' at ${where}${nonNumericWhy(cell)}; features must be numbers, so encode categorical features numerically (e.g. one-hot) or, if this is the target, choose it with the label column option`,
    });
  }
  return Number.NaN;
}

/** Report a missing label (see {@link readFeatureCell}); returns false when the label is missing. */
export function checkLabelCell(label: string, at: CellPlace, ctx: TableContext, dropMissing = false): boolean {
  if (!isMissing(label)) return true;
  if (!dropMissing) {
    report(ctx.sink, {
      code: 'MISSING_VALUE', row: at.row + 1, line: at.line, column: at.column, columnName: at.columnName, value: label,
      message: `${ctx.name}: missing label '${label}' at ${rowDesc(at.row, at.line, ctx.source)}, ${colDesc(at.column, at.columnName)} (the label column); a missing label is not a class, so remove that row (or load with missing: 'drop')`,
    });
  }
  return false;
}

/** Build a dataset from text cells (see module doc). With a sink, bad cells are collected and the result may hold NaN. */
export function tableToDataset(records: RawRecord[], opts: CsvOptions, ctx: TableContext): Dataset {
  const task = checkTask(opts.task);
  const drop = checkMissing(opts.missing) === 'drop' && !ctx.sink;
  const headerOpt = opts.header ?? 'auto';
  if (headerOpt !== true && headerOpt !== false && headerOpt !== 'auto') {
    throw new CvxnnError('INVALID_OPTION', `header must be true, false or 'auto', got '${String(headerOpt)}'`);
  }
  if (records.length === 0) throw new CvxnnError('EMPTY_DATA', `${ctx.name}: the data is empty (no rows); supply a table with at least one data row`);
  const ncol = records[0]!.cells.length;
  const spec = opts.labelColumn;
  const byName = typeof spec === 'string' && !isKeyword(spec) && !isIndexLike(spec);
  let header: boolean;
  if (headerOpt === 'auto') {
    let tentative: number | undefined;
    if (!byName) {
      try {
        tentative = resolveLabelIndex(spec, Array.from({ length: ncol }, (_, j) => `x${j}`), false);
      } catch {
        tentative = undefined;
      }
    }
    header = byName || detectHeader(records, tentative);
  } else {
    header = headerOpt;
    if (!header && byName) {
      throw new CvxnnError('INVALID_OPTION', `label column '${spec}' is a name, but header is false; use a 0-based index, 'first' or 'last', or header: true`);
    }
  }
  const names = header ? records[0]!.cells.map((s, j) => (s.trim() === '' ? `x${j}` : s.trim())) : Array.from({ length: ncol }, (_, j) => `x${j}`);
  const rows = header ? records.slice(1) : records;
  if (rows.length === 0) {
    throw new CvxnnError('EMPTY_DATA', `${ctx.name}: only a header row (${names.join(', ')}) and no data rows`);
  }
  // Ragged rows: reported before anything else, because every later column reference would be off.
  for (let r = 0; r < rows.length; r++) {
    const k = rows[r]!.cells.length;
    if (k !== ncol) {
      throw new CvxnnError(
        'PARSE_ERROR',
        `${ctx.name}: ${rowDesc(r, rows[r]!.line, ctx.source)} has ${k} fields, but the ${header ? 'header' : 'first row'} has ${ncol}; fix the row (a stray delimiter, or a missing cell that should be written explicitly)`,
        { row: r + 1, line: rows[r]!.line, fields: k, expected: ncol },
      );
    }
  }
  const labelIndex = resolveLabelIndex(spec, names, header);
  if (labelIndex < 0) return featuresOnly(rows, names, ctx, drop);
  const d = ncol - 1;
  if (d === 0) throw new CvxnnError('EMPTY_DATA', `${ctx.name}: the only column '${names[labelIndex]}' is the label, so there are no features`);
  const labelName = names[labelIndex]!;
  if (header) {
    // A feature with the label's name is either a copy of the label (a leak) or a column that a
    // later lookup by name (predict, test data) cannot tell apart from it.
    const same = positionsOf(names, (s) => s === labelName);
    if (same.length > 1) {
      throw new CvxnnError(
        'INVALID_OPTION',
        `${ctx.name}: columns ${same.map((j) => j + 1).join(' and ')} are all named '${labelName}', the name of the label column; the label's name must be unique, so rename or remove the other column(s)`,
        { columns: same },
      );
    }
  }
  const n = rows.length;
  const featureCols = names.map((_, j) => j).filter((j) => j !== labelIndex);
  const featureNames = featureCols.map((j) => names[j]!);
  const Xall = new Float64Array(n * d);
  const labels: string[] = new Array(n);
  const labelOk: boolean[] = new Array(n).fill(true);
  const keep: boolean[] = new Array(n).fill(true);
  for (let r = 0; r < n; r++) {
    const { cells, line } = rows[r]!;
    for (let k = 0; k < d; k++) {
      const j = featureCols[k]!;
      const v = readFeatureCell(cells[j]!, { row: r, line, column: j, columnName: names[j]! }, ctx, drop);
      if (Number.isNaN(v) && drop) keep[r] = false;
      Xall[r * d + k] = v;
    }
    const lab = cells[labelIndex]!.trim();
    if (!checkLabelCell(lab, { row: r, line, column: labelIndex, columnName: labelName }, ctx, drop)) {
      labelOk[r] = false;
      keep[r] = false;
    }
    labels[r] = lab;
  }
  let droppedRows: number[] | undefined;
  let X: Matrix<Float64Array>;
  let kept = labels;
  if (drop && keep.some((k) => !k)) {
    droppedRows = [];
    const idx: number[] = [];
    keep.forEach((k, r) => (k ? idx.push(r) : droppedRows!.push(r + 1)));
    if (idx.length === 0) throw new CvxnnError('EMPTY_DATA', `${ctx.name}: every one of the ${n} rows has a missing value, so dropping them leaves no data`);
    X = Matrix.zeros(idx.length, d);
    idx.forEach((r, t) => X.data.set(Xall.subarray(r * d, (r + 1) * d), t * d));
    kept = idx.map((r) => labels[r]!);
  } else {
    X = new Matrix(n, d, Xall);
  }
  const valid = droppedRows ? kept : kept.filter((_, r) => labelOk[r]);
  const enc = encodeLabels(valid, task, labelName, ctx.name, opts.classes);
  let y = enc.y;
  if (!droppedRows && valid.length !== n) {
    y = new Float64Array(n).fill(Number.NaN);
    for (let r = 0, k = 0; r < n; r++) if (labelOk[r]) y[r] = enc.y[k++]!;
  }
  return {
    name: ctx.name, X, y, featureNames, labelName, labelIndex, task: enc.task,
    ...(enc.classes ? { classes: enc.classes } : {}),
    ...(droppedRows ? { droppedRows } : {}),
  };
}

/** `labelColumn: 'none'`: every column is a feature; y is all zeros, the task 'regression'. */
function featuresOnly(rows: RawRecord[], names: string[], ctx: TableContext, drop: boolean): Dataset {
  const n = rows.length;
  const d = names.length;
  const keep: number[] = [];
  const droppedRows: number[] = [];
  const Xall = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    let ok = true;
    for (let j = 0; j < d; j++) {
      const v = readFeatureCell(rows[r]!.cells[j]!, { row: r, line: rows[r]!.line, column: j, columnName: names[j]! }, ctx, drop);
      if (Number.isNaN(v) && drop) ok = false;
      Xall[r * d + j] = v;
    }
    if (ok) keep.push(r);
    else droppedRows.push(r + 1);
  }
  if (keep.length === 0) throw new CvxnnError('EMPTY_DATA', `${ctx.name}: every one of the ${n} rows has a missing value, so dropping them leaves no data`);
  const X = Matrix.zeros(keep.length, d);
  keep.forEach((r, t) => X.data.set(Xall.subarray(r * d, (r + 1) * d), t * d));
  return { name: ctx.name, X, y: new Float64Array(keep.length), featureNames: names, labelName: '', task: 'regression', ...(droppedRows.length ? { droppedRows } : {}) };
}

/**
 * The result of {@link encodeLabels}.
 *
 * @example
 *   const { y, task, classes }: EncodedLabels = encodeLabels(['a', 'b'], 'auto', 'label');
 */
export interface EncodedLabels {
  y: Float64Array;
  task: Task;
  classes?: string[];
}

/**
 * Encode label texts as a target: numbers (regression) or class indices 0..K−1 (classification).
 *
 * Classes are ordered numerically when every label is a number (so '0','1' ↦ 0,1 and '2' < '10'),
 * otherwise by sorted text (code-unit order, e.g. 'B' < 'M'). The task 'auto' picks classification
 * for text labels, or integer labels with at most {@link MAX_AUTO_CLASSES} distinct values (binary
 * for two; for three or more, at least two rows per class on average), else regression. With
 * `knownClasses` (a fitted model's), labels are encoded against those names instead, and a label
 * outside them is `INVALID_OPTION`.
 *
 * @example
 *   encodeLabels(['M', 'B', 'M'], 'auto', 'diagnosis', 'cancer'); // { y: [1, 0, 1], task: 'binary', classes: ['B', 'M'] }
 */
export function encodeLabels(labels: string[], task: Task | 'auto', labelName: string, name = 'data', knownClasses?: string[]): EncodedLabels {
  if (knownClasses !== undefined) return encodeKnownClasses(labels, task, labelName, name, knownClasses);
  const n = labels.length;
  const values = labels.map(parseCell);
  const firstText = values.findIndex((v) => Number.isNaN(v));
  const allNumeric = firstText < 0;
  if (task === 'regression') {
    if (!allNumeric) {
      throw new CvxnnError(
        'INVALID_OPTION',
        `${name}: task 'regression' needs numeric labels, but label column '${labelName}' holds '${labels[firstText]}' (label ${firstText + 1}); use task 'binary' or 'multiclass' (or 'auto') for class labels, or choose another label column`,
      );
    }
    return { y: Float64Array.from(values), task };
  }
  // Distinct classes: by numeric value when all numeric (first spelling kept), else by text.
  const key = (i: number) => (allNumeric ? String(values[i]) : labels[i]!);
  const spelling = new Map<string, string>();
  for (let i = 0; i < n; i++) if (!spelling.has(key(i))) spelling.set(key(i), labels[i]!);
  const keys = [...spelling.keys()];
  if (allNumeric) keys.sort((a, b) => Number(a) - Number(b));
  else keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const K = keys.length;
  const integral = allNumeric && values.every((v) => Number.isInteger(v));
  if (task === 'auto') {
    // integer labels are classes when there are few of them and, beyond two, at least two rows per
    // class on average (a 3-row table with targets 1, 2, 3 is a regression)
    if (allNumeric && (!integral || K > MAX_AUTO_CLASSES || K < 2 || (K > 2 && n < 2 * K))) return { y: Float64Array.from(values), task: 'regression' };
  }
  const shown = keys.slice(0, 10).map((k) => `'${spelling.get(k)}'`).join(', ') + (K > 10 ? `, … (${K} in all)` : '');
  if (K < 2) {
    throw new CvxnnError('INVALID_OPTION', `${name}: label column '${labelName}' holds a single class (${shown}); classification needs at least two classes — check the label column`);
  }
  if (task === 'binary' && K !== 2) {
    throw new CvxnnError('INVALID_OPTION', `${name}: task 'binary' needs exactly 2 classes, but label column '${labelName}' has ${K}: ${shown}; use task 'multiclass' (or 'auto')`);
  }
  if (allNumeric && !integral && task !== 'auto') {
    throw new CvxnnError('INVALID_OPTION', `${name}: task '${task}' needs class labels, but label column '${labelName}' has non-integer numbers (${shown}); use task 'regression' (or 'auto')`);
  }
  const index = new Map(keys.map((k, c) => [k, c] as const));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = index.get(key(i))!;
  const classes = keys.map((k) => spelling.get(k)!);
  return { y, task: task === 'auto' ? (K === 2 ? 'binary' : 'multiclass') : task, classes };
}

/**
 * Labels encoded against given class names (those of a fitted model): index k for `classes[k]`,
 * matched by text, or by value when both are numbers ('1.0' is class '1'). A label that is none of
 * them ⇒ `INVALID_OPTION` naming it, since the model cannot score a class it was not trained on.
 */
function encodeKnownClasses(labels: string[], task: Task | 'auto', labelName: string, name: string, classes: string[]): EncodedLabels {
  if (!Array.isArray(classes) || classes.length < 2 || classes.some((c) => typeof c !== 'string')) {
    throw new CvxnnError('INVALID_OPTION', `${name}: classes must be an array of at least two class names, got ${JSON.stringify(classes)}`);
  }
  if (task === 'regression') throw new CvxnnError('INVALID_OPTION', `${name}: class names were given, but the task is 'regression'; drop the classes or choose a classification task`);
  const resolved: Task = task === 'auto' ? (classes.length === 2 ? 'binary' : 'multiclass') : task;
  if (resolved === 'binary' && classes.length !== 2) throw new CvxnnError('INVALID_OPTION', `${name}: task 'binary' needs exactly 2 classes, got ${classes.length}`);
  const byText = new Map(classes.map((c, k) => [c, k] as const));
  const byValue = new Map<number, number>();
  classes.forEach((c, k) => {
    const v = parseCell(c);
    if (!Number.isNaN(v) && !byValue.has(v)) byValue.set(v, k);
  });
  const y = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    const k = byText.get(l) ?? byValue.get(parseCell(l));
    if (k === undefined) {
      throw new CvxnnError(
        'INVALID_OPTION',
        `${name}: label '${l}' (label ${i + 1} of column '${labelName}') is not one of the model's classes ${classes.map((c) => `'${c}'`).join(', ')}; a model cannot score a class it was not trained on`,
      );
    }
    y[i] = k;
  }
  return { y, task: resolved, classes: [...classes] };
}
