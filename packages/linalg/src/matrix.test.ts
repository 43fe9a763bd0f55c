import { describe, expect, it } from 'vitest';
import { CvxnnError } from './errors.js';
import { Matrix } from './matrix.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof CvxnnError ? e.code : `not a CvxnnError: ${String(e)}`;
  }
  return undefined;
}

describe('Matrix', () => {
  it('stores row-major and reads back with get/set', () => {
    const A = Matrix.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(A.rows).toBe(2);
    expect(A.cols).toBe(3);
    expect(Array.from(A.data)).toAllClose([1, 2, 3, 4, 5, 6]);
    expect(A.get(1, 2)).toBe(6);
    A.set(0, 1, -7);
    expect(A.data[1]).toBe(-7);
    expect(A.precision).toBe('fp64');
    expect(A.isContiguous).toBe(true);
  });

  it('views share the parent buffer in both directions, also when nested', () => {
    const A = Matrix.fromArray(4, 5, Array.from({ length: 20 }, (_, i) => i));
    const V = A.view(1, 2, 2, 3); // rows 1..2, cols 2..4
    expect(V.data).toBe(A.data);
    expect(V.stride).toBe(5);
    expect(V.offset).toBe(7);
    expect(V.isContiguous).toBe(false);
    expect(V.toArrays()).toEqual([
      [7, 8, 9],
      [12, 13, 14],
    ]);
    V.set(1, 0, 100);
    expect(A.get(2, 2)).toBe(100);
    A.set(1, 4, -1);
    expect(V.get(0, 2)).toBe(-1);
    const W = V.view(1, 1, 1, 2); // element (2, 3) and (2, 4) of A
    W.set(0, 1, 55);
    expect(A.get(2, 4)).toBe(55);
    // row() of a view is a typed-array view, not a copy
    const r = V.row(0);
    r[0] = 42;
    expect(A.get(1, 2)).toBe(42);
  });

  it('refuses views outside the matrix with SHAPE_MISMATCH', () => {
    const A = Matrix.zeros(3, 4);
    expect(codeOf(() => A.view(2, 0, 2, 1))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => A.view(0, 3, 1, 2))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => A.view(-1, 0, 1, 1))).toBe('SHAPE_MISMATCH');
    expect(() => A.view(0, 0, 4, 1)).toThrow(/outside a 3×4 matrix/);
    // empty views at the edge are fine
    expect(A.view(3, 4, 0, 0).rows).toBe(0);
  });

  it('refuses bad shapes, short buffers and ragged rows with typed errors', () => {
    expect(codeOf(() => Matrix.zeros(-1, 2))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => Matrix.zeros(1.5, 2))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => new Matrix(3, 3, new Float64Array(8)))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => new Matrix(2, 2, new Float64Array(6), 3, 2))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => Matrix.from([[1, 2], [3]]))).toBe('SHAPE_MISMATCH');
    expect(() => Matrix.from([[1, 2], [3]])).toThrow(/row 1 has 1 entries/);
    expect(codeOf(() => Matrix.fromArray(2, 3, [1, 2, 3]))).toBe('SHAPE_MISMATCH');
  });

  it('selectRows copies the chosen rows of a strided view in order and checks the indices', () => {
    const base = Matrix.fromArray(3, 4, Array.from({ length: 12 }, (_, i) => i));
    const V = base.view(0, 1, 3, 2);
    expect(V.selectRows([2, 0, 2]).toArrays()).toEqual([[9, 10], [1, 2], [9, 10]]);
    expect(codeOf(() => V.selectRows([3]))).toBe('INVALID_OPTION');
    expect(codeOf(() => V.selectRows([-1]))).toBe('INVALID_OPTION');
  });

  it('clone, colCopy and transpose copy (no sharing) and agree with get', () => {
    const base = Matrix.fromArray(3, 4, Array.from({ length: 12 }, (_, i) => i * 1.5 - 3));
    const V = base.view(1, 1, 2, 3);
    const C = V.clone();
    expect(C.isContiguous).toBe(true);
    expect(C.toArrays()).toEqual(V.toArrays());
    C.set(0, 0, 999);
    expect(V.get(0, 0)).not.toBe(999);
    const T = V.transpose();
    expect(T.rows).toBe(3);
    expect(T.cols).toBe(2);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expect(T.get(j, i)).toBe(V.get(i, j));
    const col = V.colCopy(2);
    expect(Array.from(col)).toEqual([V.get(0, 2), V.get(1, 2)]);
    col[0] = 1234;
    expect(V.get(0, 2)).not.toBe(1234);
  });

  it('converts precision: toFloat64 is the identity on a packed fp64 matrix, toFloat32 rounds', () => {
    const A = Matrix.from([
      [0.1, 1 / 3],
      [2, -5],
    ]);
    expect(A.toFloat64()).toBe(A);
    const V = A.view(1, 0, 1, 2);
    const V64 = V.toFloat64();
    expect(V64).not.toBe(V);
    expect(Array.from(V64.data)).toEqual([2, -5]);
    const S = A.toFloat32();
    expect(S.precision).toBe('fp32');
    expect(S.get(0, 1)).toBe(Math.fround(1 / 3));
    expect(Matrix.zeros32(2, 2).data).toBeInstanceOf(Float32Array);
  });

  it('eye and column', () => {
    const I = Matrix.eye(3);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(I.get(i, j)).toBe(i === j ? 1 : 0);
    const v = new Float64Array([1, 2, 3]);
    const c = Matrix.column(v);
    expect(c.rows).toBe(3);
    expect(c.cols).toBe(1);
    c.set(2, 0, 9);
    expect(v[2]).toBe(9);
  });

  it('assertFinite names the first non-finite entry with NON_FINITE', () => {
    const A = Matrix.from([
      [1, 2],
      [3, Number.NaN],
    ]);
    expect(codeOf(() => A.assertFinite('X'))).toBe('NON_FINITE');
    expect(() => A.assertFinite('X')).toThrow(/X \(row 1, column 1\) contains NaN/);
    const B = Matrix.from([[Number.POSITIVE_INFINITY]]);
    expect(codeOf(() => B.assertFinite())).toBe('NON_FINITE');
    expect(Matrix.from([[1, 2]]).assertFinite()).toBeInstanceOf(Matrix);
  });
});
