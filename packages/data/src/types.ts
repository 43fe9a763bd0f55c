import type { Matrix } from '@cvxnn/linalg';

/** The learning task a dataset's labels describe. */
export type Task = 'regression' | 'binary' | 'multiclass';

/**
 * A loaded, validated dataset: raw (unstandardized) features and a numeric target.
 *
 * @example
 *   const ds: Dataset = loadDataset('wine');
 *   ds.X.rows; // 178
 *   ds.classes; // ['0', '1', '2']
 */
export interface Dataset {
  /** file base name (without extension) or bundled name */
  name: string;
  /** n × d features, raw (unstandardized), fp64 */
  X: Matrix<Float64Array>;
  /** length n: the numeric target (regression) or the class index 0..K−1 (classification) */
  y: Float64Array;
  /** length d (generated `x0`, `x1`, … when there is no header) */
  featureNames: string[];
  labelName: string;
  /** class labels in index order (classification only), as written in the source */
  classes?: string[];
  task: Task;
  /** 0-based column of the label in the source table (CSV and JSON rows) */
  labelIndex?: number;
  /** 1-based data rows left out because of a missing value (only with `missing: 'drop'`) */
  droppedRows?: number[];
}

/**
 * Options of {@link parseCsv} / {@link loadCsv} (and, for the label column and task, of the JSON loader).
 *
 * @example
 *   const opts: CsvOptions = { labelColumn: 'diagnosis', header: true, task: 'binary' };
 */
export interface CsvOptions {
  /** 'last' (default), 'first', a 0-based index (negative counts from the end), a header name, or 'none' (no label: every column is a feature, y all zeros) */
  labelColumn?: 'last' | 'first' | number | string;
  /** whether the first row is a header; 'auto' (default) detects it */
  header?: boolean | 'auto';
  /** the task; 'auto' (default) guesses it from the labels */
  task?: Task | 'auto';
  /**
   * field delimiter; default: detected — the one of `,` `;` and tab (outside quotes) that splits
   * the first lines into the same number of fields, the most frequent on a tie
   */
  delimiter?: string;
  /** dataset name (default: the file base name, or 'data' for text) */
  name?: string;
  /** a missing cell (empty, NA, NaN, N/A, null, ?): `'error'` (default, `MISSING_VALUE` naming row and column) or `'drop'` (leave the row out; see `Dataset.droppedRows`) */
  missing?: 'error' | 'drop';
  /** encode the labels against these class names, in this order (the classes of a fitted model); a label outside them is an error */
  classes?: string[];
  /** refuse files larger than this many bytes (default 256 MiB; see `DEFAULT_MAX_BYTES`) */
  maxBytes?: number;
}

/**
 * One problem found in a table: a missing or non-numeric cell, or a ragged row.
 *
 * @example
 *   const { problems } = inspectCsv('a,b\n1,NA\n');
 *   problems[0].code; // 'MISSING_VALUE'
 */
export interface DataProblem {
  code: 'MISSING_VALUE' | 'NON_NUMERIC' | 'PARSE_ERROR';
  /** 1-based data row (the header is not counted) */
  row: number;
  /** 1-based line of the file where the record starts (equals `row` for JSON input) */
  line: number;
  /** 0-based column index in the file (−1 for a ragged row) */
  column: number;
  /** the column's header name, or `x<k>` / the label name when there is no header */
  columnName: string;
  /** the offending cell text */
  value: string;
  message: string;
}
