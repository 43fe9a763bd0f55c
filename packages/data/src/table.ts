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

/** The number a cell holds, or NaN when it is not a plain decimal number. */
export function parseCell(cell: string): number {
  const s = cell.trim();
  return NUMBER.test(s) ? Number(s) : Number.NaN;
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
  return s === 'last' || s === 'first';
}

function isIndexLike(s: string): boolean {
  return /^-?\d+$/.test(s.trim());
}

/** Decide whether the first record is a header (options.header 'auto'). */
function detectHeader(records: RawRecord[], labelIndex: number | undefined): boolean {
  const first = records[0]!.cells;
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
  if (spec === undefined || spec === 'last') return ncol - 1;
  if (spec === 'first') return 0;
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < -ncol || spec >= ncol) throw bad(`label column index ${spec} is out of range for ${ncol} columns`);
    return spec < 0 ? ncol + spec : spec;
  }
  if (typeof spec !== 'string') throw bad(`label column must be a name, an index, 'first' or 'last', got ${String(spec)}`);
  if (hasHeader) {
    const k = names.indexOf(spec);
    if (k >= 0) return k;
    const ci = names.findIndex((s) => s.toLowerCase() === spec.toLowerCase());
    if (ci >= 0) return ci;
  }
  if (isIndexLike(spec)) return resolveLabelIndex(Number(spec), names, hasHeader);
  throw bad(`unknown label column '${spec}'`);
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

/** Build a dataset from text cells (see module doc). With a sink, bad cells are collected and the result may hold NaN. */
export function tableToDataset(records: RawRecord[], opts: CsvOptions, ctx: TableContext): Dataset {
  const task = checkTask(opts.task);
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
  const d = ncol - 1;
  if (d === 0) throw new CvxnnError('EMPTY_DATA', `${ctx.name}: the only column '${names[labelIndex]}' is the label, so there are no features`);
  const n = rows.length;
  const featureCols = names.map((_, j) => j).filter((j) => j !== labelIndex);
  const featureNames = featureCols.map((j) => names[j]!);
  const labelName = names[labelIndex]!;
  const X = Matrix.zeros(n, d);
  const labels: string[] = new Array(n);
  const labelOk: boolean[] = new Array(n).fill(true);
  for (let r = 0; r < n; r++) {
    const { cells, line } = rows[r]!;
    for (let k = 0; k < d; k++) {
      const j = featureCols[k]!;
      const cell = cells[j]!;
      let v = parseCell(cell);
      if (Number.isNaN(v)) {
        const where = `${rowDesc(r, line, ctx.source)}, ${colDesc(j, names[j]!)}`;
        if (isMissing(cell)) {
          report(ctx.sink, {
            code: 'MISSING_VALUE', row: r + 1, line, column: j, columnName: names[j]!, value: cell,
            message: `${ctx.name}: missing value '${cell}' at ${where}; cvxnn does not impute, so remove or fill that row before loading`,
          });
        } else {
          report(ctx.sink, {
            code: 'NON_NUMERIC', row: r + 1, line, column: j, columnName: names[j]!, value: cell,
            message: `${ctx.name}: non-numeric value '${cell}' at ${where}; features must be numbers, so encode categorical features numerically (e.g. one-hot) or, if this is the target, choose it with the label column option`,
          });
        }
        v = Number.NaN;
      }
      X.data[r * d + k] = v;
    }
    const lab = cells[labelIndex]!.trim();
    if (isMissing(lab)) {
      labelOk[r] = false;
      report(ctx.sink, {
        code: 'MISSING_VALUE', row: r + 1, line, column: labelIndex, columnName: labelName, value: lab,
        message: `${ctx.name}: missing label '${lab}' at ${rowDesc(r, line, ctx.source)}, ${colDesc(labelIndex, labelName)} (the label column); remove that row before loading`,
      });
    }
    labels[r] = lab;
  }
  const keep = labels.filter((_, r) => labelOk[r]);
  const enc = encodeLabels(keep, task, labelName, ctx.name);
  let y = enc.y;
  if (keep.length !== n) {
    y = new Float64Array(n).fill(Number.NaN);
    for (let r = 0, k = 0; r < n; r++) if (labelOk[r]) y[r] = enc.y[k++]!;
  }
  return { name: ctx.name, X, y, featureNames, labelName, task: enc.task, ...(enc.classes ? { classes: enc.classes } : {}) };
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
 * for two), else regression.
 *
 * @example
 *   encodeLabels(['M', 'B', 'M'], 'auto', 'diagnosis', 'cancer'); // { y: [1, 0, 1], task: 'binary', classes: ['B', 'M'] }
 */
export function encodeLabels(labels: string[], task: Task | 'auto', labelName: string, name = 'data'): EncodedLabels {
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
    if (allNumeric && (!integral || K > MAX_AUTO_CLASSES || K < 2)) return { y: Float64Array.from(values), task: 'regression' };
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
