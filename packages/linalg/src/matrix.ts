import { assertFinite, assertShape, CvxnnError } from './errors.js';

/**
 * The typed arrays a `Matrix` can hold, and the name of their precision.
 *
 * @example
 *   const p: Precision = new Matrix(1, 1, new Float32Array(1)).precision; // 'fp32'
 */
export type FloatArray = Float64Array | Float32Array;
/** 'fp64' (the default everywhere) or 'fp32' (what some backends compute in). */
export type Precision = 'fp64' | 'fp32';

function checkShape(rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new CvxnnError('SHAPE_MISMATCH', `matrix shape must be non-negative integers, got ${rows}×${cols}`);
  }
}

/**
 * A dense row-major matrix over a typed array. `stride` is the distance between rows, `offset`
 * the index of element (0,0); views share their parent's buffer (no copy).
 *
 * @example
 *   const A = Matrix.from([[1, 2], [3, 4]]);
 *   A.get(1, 0); // 3
 *   const top = A.view(0, 0, 1, 2); // 1×2 view, no copy
 */
export class Matrix<T extends FloatArray = Float64Array> {
  readonly rows: number;
  readonly cols: number;
  readonly data: T;
  readonly stride: number;
  readonly offset: number;

  constructor(rows: number, cols: number, data: T, stride = cols, offset = 0) {
    checkShape(rows, cols);
    if (rows > 0 && cols > 0 && offset + (rows - 1) * stride + cols > data.length) {
      throw new CvxnnError(
        'SHAPE_MISMATCH',
        `a ${rows}×${cols} matrix (stride ${stride}, offset ${offset}) needs ${offset + (rows - 1) * stride + cols} elements but the buffer has ${data.length}`,
      );
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data;
    this.stride = stride;
    this.offset = offset;
  }

  /** An fp64 zero matrix. */
  static zeros(rows: number, cols: number): Matrix<Float64Array> {
    checkShape(rows, cols);
    return new Matrix(rows, cols, new Float64Array(rows * cols));
  }

  /** An fp32 zero matrix. */
  static zeros32(rows: number, cols: number): Matrix<Float32Array> {
    checkShape(rows, cols);
    return new Matrix(rows, cols, new Float32Array(rows * cols));
  }

  /** The n×n identity. */
  static eye(n: number): Matrix<Float64Array> {
    const m = Matrix.zeros(n, n);
    for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
    return m;
  }

  /** Build from nested arrays; rows must all have the same length (entries are not checked: see `assertFinite`). */
  static from(rows: ArrayLike<ArrayLike<number>>): Matrix<Float64Array> {
    const r = rows.length;
    const c = r > 0 ? rows[0].length : 0;
    const out = Matrix.zeros(r, c);
    for (let i = 0; i < r; i++) {
      const row = rows[i];
      assertShape(row.length === c, `row ${i} has ${row.length} entries but row 0 has ${c}; every row needs the same length`);
      for (let j = 0; j < c; j++) out.data[i * c + j] = row[j];
    }
    return out;
  }

  /** Wrap a flat row-major array (copied into a Float64Array unless it already is one). */
  static fromArray(rows: number, cols: number, data: ArrayLike<number>): Matrix<Float64Array> {
    assertShape(data.length === rows * cols, `expected ${rows * cols} values for a ${rows}×${cols} matrix, got ${data.length}`);
    return new Matrix(rows, cols, data instanceof Float64Array ? data : Float64Array.from(data));
  }

  /** A column vector (n×1) sharing `v`'s buffer. */
  static column<T extends FloatArray>(v: T): Matrix<T> {
    return new Matrix(v.length, 1, v, 1, 0);
  }

  get precision(): Precision {
    return this.data instanceof Float32Array ? 'fp32' : 'fp64';
  }

  /** True when rows are packed back to back (stride = cols), so `data` can be read flat from `offset`. */
  get isContiguous(): boolean {
    return this.stride === this.cols || this.rows <= 1;
  }

  get(i: number, j: number): number {
    return this.data[this.offset + i * this.stride + j];
  }

  set(i: number, j: number, v: number): void {
    this.data[this.offset + i * this.stride + j] = v;
  }

  /** A view of rows r0..r0+nr−1 and columns c0..c0+nc−1 (shares the buffer). */
  view(r0: number, c0: number, nr: number, nc: number): Matrix<T> {
    assertShape(
      r0 >= 0 && c0 >= 0 && nr >= 0 && nc >= 0 && r0 + nr <= this.rows && c0 + nc <= this.cols,
      `view [${r0}:${r0 + nr}, ${c0}:${c0 + nc}] is outside a ${this.rows}×${this.cols} matrix`,
    );
    return new Matrix(nr, nc, this.data, this.stride, this.offset + r0 * this.stride + c0);
  }

  /** Row i as a typed-array view (no copy). */
  row(i: number): T {
    const s = this.offset + i * this.stride;
    return this.data.subarray(s, s + this.cols) as T;
  }

  /** Column j as a fresh Float64Array. */
  colCopy(j: number): Float64Array {
    const out = new Float64Array(this.rows);
    for (let i = 0; i < this.rows; i++) out[i] = this.data[this.offset + i * this.stride + j];
    return out;
  }

  /**
   * A contiguous copy of the given rows, in order (repeats allowed), same precision.
   *
   * @example
   *   Matrix.from([[1], [2], [3]]).selectRows([2, 0]).toArrays(); // [[3], [1]]
   */
  selectRows(indices: ArrayLike<number>): Matrix<T> {
    const Ctor = this.data.constructor as { new (n: number): T };
    const out = new Ctor(indices.length * this.cols);
    for (let t = 0; t < indices.length; t++) {
      const i = indices[t];
      if (!Number.isInteger(i) || i < 0 || i >= this.rows) throw new CvxnnError('INVALID_OPTION', `selectRows: row index ${i} (position ${t}) is outside 0..${this.rows - 1}`);
      out.set(this.row(i), t * this.cols);
    }
    return new Matrix(indices.length, this.cols, out);
  }

  /** A contiguous copy with the same precision. */
  clone(): Matrix<T> {
    const Ctor = this.data.constructor as { new (n: number): T };
    const out = new Ctor(this.rows * this.cols);
    for (let i = 0; i < this.rows; i++) out.set(this.row(i), i * this.cols);
    return new Matrix(this.rows, this.cols, out);
  }

  /** A contiguous fp64 copy of the transpose. */
  transpose(): Matrix<Float64Array> {
    const out = Matrix.zeros(this.cols, this.rows);
    for (let i = 0; i < this.rows; i++) {
      const base = this.offset + i * this.stride;
      for (let j = 0; j < this.cols; j++) out.data[j * this.rows + i] = this.data[base + j];
    }
    return out;
  }

  /** Contiguous fp64 copy (the same object when it already is one). */
  toFloat64(): Matrix<Float64Array> {
    if (this.data instanceof Float64Array && this.isContiguous && this.offset === 0 && this.data.length === this.rows * this.cols) {
      return this as unknown as Matrix<Float64Array>;
    }
    const out = Matrix.zeros(this.rows, this.cols);
    for (let i = 0; i < this.rows; i++) out.data.set(this.row(i), i * this.cols);
    return out;
  }

  /** Contiguous fp32 copy. */
  toFloat32(): Matrix<Float32Array> {
    const out = Matrix.zeros32(this.rows, this.cols);
    for (let i = 0; i < this.rows; i++) out.data.set(this.row(i), i * this.cols);
    return out;
  }

  /** Nested arrays (for JSON). */
  toArrays(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.row(i)));
    return out;
  }

  /** Throw `NON_FINITE` naming the first NaN/Infinity entry. */
  assertFinite(what = 'matrix'): this {
    for (let i = 0; i < this.rows; i++) {
      const r = this.row(i);
      for (let j = 0; j < r.length; j++) {
        if (!Number.isFinite(r[j])) assertFinite([r[j]], `${what} (row ${i}, column ${j})`);
      }
    }
    return this;
  }
}
