/** JSON loading: an array of rows, or `{ X, y }`. */
import { CvxnnError, checkOptions } from '@cvxnn/linalg';
import { baseName } from './csv.js';
import { readText } from './file.js';
import { tableToDataset, type RawRecord } from './table.js';
import type { CsvOptions, Dataset } from './types.js';
import { CSV_OPTIONS } from './option-specs.js';

function cellText(v: unknown, where: () => string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NaN';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  throw new CvxnnError('NON_NUMERIC', `${where()} is ${Array.isArray(v) ? 'an array' : 'an object'}, not a number or a label`);
}

/**
 * Load JSON data from a path or from the JSON text itself (text starting with `[` or `{`).
 *
 * Accepted shapes: an array of row arrays (label column as in {@link CsvOptions}, last by default;
 * with `header: true` the first row holds the names), or an object `{ X: number[][], y: (number|string)[] }`
 * with optional `featureNames` and `labelName`. Cells are validated exactly like CSV cells
 * (`null` is a missing value).
 *
 * @example
 *   const ds = loadJson('{"X": [[0, 1], [1, 0]], "y": [1, 0]}', { task: 'binary' });
 *   ds.X.rows; // 2
 */
export function loadJson(pathOrText: string, opts: CsvOptions = {}): Dataset {
  checkOptions('loadJson', opts, CSV_OPTIONS);
  const { records, opts: o, yName } = readJsonRecords(pathOrText, opts);
  const ds = tableToDataset(records, o, { name: o.name!, source: 'json' });
  return yName === undefined ? ds : { ...ds, labelName: yName };
}

/**
 * The rows of JSON data as text cells, with the options that describe them (`header`, `labelColumn`
 * for the `{X, y}` shape); shared by {@link loadJson} and the aligned loader.
 * @internal
 */
export function readJsonRecords(pathOrText: string, opts: CsvOptions = {}): { records: RawRecord[]; opts: CsvOptions; yName?: string } {
  const trimmed = pathOrText.trimStart();
  const isText = trimmed.startsWith('[') || trimmed.startsWith('{');
  const name = opts.name ?? (isText ? 'data' : baseName(pathOrText));
  const text = isText ? pathOrText : readText(pathOrText, { maxBytes: opts.maxBytes });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new CvxnnError('PARSE_ERROR', `${name}: invalid JSON: ${(e as Error).message}`);
  }
  let records: RawRecord[];
  let o: CsvOptions = { ...opts, name };
  let yName: string | undefined;
  if (Array.isArray(doc)) {
    records = doc.map((row, i) => {
      if (!Array.isArray(row)) throw new CvxnnError('PARSE_ERROR', `${name}: row ${i + 1} is not an array; expected an array of row arrays or {X, y}`);
      return { cells: row.map((v, j) => cellText(v, () => `${name}: row ${i + 1}, column ${j + 1}`)), line: i + 1 };
    });
  } else if (doc !== null && typeof doc === 'object' && 'X' in doc && 'y' in doc) {
    const { X, y, featureNames, labelName } = doc as { X: unknown; y: unknown; featureNames?: unknown; labelName?: unknown };
    if (!Array.isArray(X) || !Array.isArray(y)) throw new CvxnnError('PARSE_ERROR', `${name}: X must be an array of rows and y an array of labels`);
    if (X.length !== y.length) {
      throw new CvxnnError('SHAPE_MISMATCH', `${name}: X has ${X.length} rows but y has ${y.length} labels; they must have one label per row`);
    }
    records = X.map((row, i) => {
      if (!Array.isArray(row)) throw new CvxnnError('PARSE_ERROR', `${name}: X row ${i + 1} is not an array`);
      const cells = row.map((v, j) => cellText(v, () => `${name}: X row ${i + 1}, column ${j + 1}`));
      cells.push(cellText(y[i], () => `${name}: y[${i}]`));
      return { cells, line: i + 1 };
    });
    const d = Array.isArray(X[0]) ? (X[0] as unknown[]).length : 0;
    if (Array.isArray(featureNames)) {
      if (featureNames.length !== d) throw new CvxnnError('SHAPE_MISMATCH', `${name}: featureNames has ${featureNames.length} names but X has ${d} columns`);
      records.unshift({ cells: [...featureNames.map(String), typeof labelName === 'string' ? labelName : 'y'], line: 0 });
      o = { ...o, header: true };
    } else {
      o = { ...o, header: false };
      yName = typeof labelName === 'string' ? labelName : 'y';
    }
    o = { ...o, labelColumn: 'last' };
  } else {
    throw new CvxnnError('PARSE_ERROR', `${name}: expected an array of row arrays or an object {X: number[][], y: number[]}`);
  }
  return { records, opts: o, yName };
}
