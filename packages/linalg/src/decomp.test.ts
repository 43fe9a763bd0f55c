import { describe, expect, it } from 'vitest';
import { cholesky, eigh, qr, rank, solve, svd } from './decomp.js';
import { CvxnnError } from './errors.js';
import { Matrix } from './matrix.js';
import { Rng } from './random.js';
import { naiveGemm } from './reference.js';

const randn = (rng: Rng, r: number, c: number) => new Matrix(r, c, rng.normalArray(r * c));
const mul = (a: Matrix, b: Matrix, transA = false, transB = false) => naiveGemm(a, b, { transA, transB });
const flat = (a: Matrix) => a.toArrays().flat();

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof CvxnnError ? e.code : `not a CvxnnError: ${String(e)}`;
  }
  return undefined;
}

function expectOrthonormalColumns(Q: Matrix): void {
  const I = Matrix.eye(Q.cols);
  expect(flat(mul(Q, Q, true))).toAllClose(flat(I), { atol: 1e-12 });
}

describe('decompositions (ml-matrix wrappers)', () => {
  for (const [n, d] of [
    [9, 4],
    [4, 9],
    [6, 6],
  ] as const) {
    it(`svd of a ${n}×${d} matrix reconstructs it with orthonormal factors and descending s`, () => {
      const X = randn(new Rng(n * 10 + d), n, d);
      const { U, s, V } = svd(X);
      const k = Math.min(n, d);
      expect([U.rows, U.cols, V.rows, V.cols, s.length]).toEqual([n, k, d, k, k]);
      expectOrthonormalColumns(U);
      expectOrthonormalColumns(V);
      for (let i = 1; i < k; i++) expect(s[i - 1]).toBeGreaterThanOrEqual(s[i]);
      expect(s[k - 1]).toBeGreaterThanOrEqual(0);
      const US = U.clone();
      for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) US.set(i, j, US.get(i, j) * s[j]);
      expect(flat(mul(US, V, false, true))).toAllClose(flat(X), { atol: 1e-12 });
      // ‖X‖_F² = Σ s²
      const fro = flat(X).reduce((a, v) => a + v * v, 0);
      expect(s.reduce((a, v) => a + v * v, 0)).toBeCloseRel(fro, 1e-12);
    });
  }

  it('svd recovers planted singular values', () => {
    const rng = new Rng(8);
    const { Q: Q1 } = qr(randn(rng, 7, 3));
    const { Q: Q2 } = qr(randn(rng, 5, 3));
    const sigma = [5, 2, 0.25];
    const Q1S = Q1.clone();
    for (let i = 0; i < 7; i++) for (let j = 0; j < 3; j++) Q1S.set(i, j, Q1S.get(i, j) * sigma[j]);
    const X = mul(Q1S, Q2, false, true); // 7×5 of rank 3
    const { s } = svd(X);
    expect(Array.from(s.subarray(0, 3))).toAllClose(sigma, { rtol: 1e-12 });
    expect(Array.from(s.subarray(3))).toAllClose([0, 0], { atol: 1e-12 });
  });

  it('eigh: A Q = Q diag(w), Q orthogonal, w ascending, and a 2×2 closed form', () => {
    const B = randn(new Rng(4), 6, 6);
    const A = mul(B, B, false, true); // symmetric PSD
    const { values: w, vectors: Q } = eigh(A);
    expectOrthonormalColumns(Q);
    for (let i = 1; i < 6; i++) expect(w[i]).toBeGreaterThanOrEqual(w[i - 1]);
    const QW = Q.clone();
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) QW.set(i, j, QW.get(i, j) * w[j]);
    expect(flat(mul(A, Q))).toAllClose(flat(QW), { atol: 1e-11 });
    const two = eigh(Matrix.from([
      [2, 1],
      [1, 2],
    ]));
    expect(Array.from(two.values)).toAllClose([1, 3], { rtol: 1e-14 });
    expect(codeOf(() => eigh(Matrix.zeros(2, 3)))).toBe('SHAPE_MISMATCH');
  });

  it('qr: A = Q R, orthonormal Q, upper-triangular R', () => {
    const A = randn(new Rng(5), 8, 5);
    const { Q, R } = qr(A);
    expect([Q.rows, Q.cols, R.rows, R.cols]).toEqual([8, 5, 5, 5]);
    expectOrthonormalColumns(Q);
    for (let i = 0; i < 5; i++) for (let j = 0; j < i; j++) expect(Math.abs(R.get(i, j))).toBeLessThan(1e-14);
    expect(flat(mul(Q, R))).toAllClose(flat(A), { atol: 1e-12 });
  });

  it('cholesky: L Lᵀ = A with L lower triangular; INFEASIBLE when A is not positive definite', () => {
    const B = randn(new Rng(6), 5, 5);
    const A = mul(B, B, true);
    for (let i = 0; i < 5; i++) A.set(i, i, A.get(i, i) + 1);
    const L = cholesky(A);
    for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) expect(L.get(i, j)).toBe(0);
    expect(flat(mul(L, L, false, true))).toAllClose(flat(A), { rtol: 1e-12, atol: 1e-12 });
    const indefinite = Matrix.from([
      [1, 2],
      [2, 1],
    ]);
    expect(codeOf(() => cholesky(indefinite))).toBe('INFEASIBLE');
    expect(codeOf(() => cholesky(Matrix.zeros(3, 2)))).toBe('SHAPE_MISMATCH');
  });

  it('solve: square systems exactly, tall ones in the least-squares sense (normal equations)', () => {
    const rng = new Rng(7);
    const A = randn(rng, 6, 6);
    const xTrue = randn(rng, 6, 2);
    const b = mul(A, xTrue);
    expect(flat(solve(A, b))).toAllClose(flat(xTrue), { rtol: 1e-9, atol: 1e-10 });
    const T = randn(rng, 12, 3);
    const y = randn(rng, 12, 1);
    const x = solve(T, y);
    const r = mul(T, x);
    for (let i = 0; i < 12; i++) r.set(i, 0, r.get(i, 0) - y.get(i, 0));
    expect(flat(mul(T, r, true))).toAllClose([0, 0, 0], { atol: 1e-11 }); // Tᵀ(Tx − y) = 0
    expect(codeOf(() => solve(A, Matrix.zeros(5, 1)))).toBe('SHAPE_MISMATCH');
  });

  it('rank of products of Gaussians is the inner dimension', () => {
    const rng = new Rng(10);
    expect(rank(mul(randn(rng, 10, 3), randn(rng, 3, 8)))).toBe(3);
    expect(rank(mul(randn(rng, 5, 4), randn(rng, 4, 12)))).toBe(4);
    expect(rank(randn(rng, 6, 4))).toBe(4);
    expect(rank(Matrix.zeros(4, 4))).toBe(0);
    expect(rank(Matrix.zeros(0, 3))).toBe(0);
  });

  it('bad input to every decomposition is a typed error naming the problem (NaN, ±Infinity, empty, singular, not symmetric, wide QR)', () => {
    const nan = Matrix.from([[1, 2], [3, Number.NaN]]);
    const inf = Matrix.from([[1, Number.POSITIVE_INFINITY], [Number.POSITIVE_INFINITY, 1]]);
    for (const [name, f] of [
      ['svd', (m: Matrix) => svd(m)],
      ['eigh', (m: Matrix) => eigh(m)],
      ['qr', (m: Matrix) => qr(m)],
      ['cholesky', (m: Matrix) => cholesky(m)],
      ['solve', (m: Matrix) => solve(m, Matrix.from([[1], [2]]))],
      ['rank', (m: Matrix) => rank(m)],
    ] as const) {
      expect(codeOf(() => f(nan)), name).toBe('NON_FINITE');
      expect(codeOf(() => f(inf)), name).toBe('NON_FINITE');
    }
    expect(() => svd(nan)).toThrow(/row 1, column 1/);
    expect(codeOf(() => solve(Matrix.eye(2), Matrix.from([[1], [Number.NaN]])))).toBe('NON_FINITE');
    for (const f of [() => svd(Matrix.zeros(0, 3)), () => svd(Matrix.zeros(3, 0)), () => eigh(Matrix.zeros(0, 0)), () => qr(Matrix.zeros(0, 2)), () => cholesky(Matrix.zeros(0, 0))]) {
      expect(codeOf(f)).toBe('EMPTY_DATA');
    }
    // an exactly singular square system, and one whose LU meets a zero pivot only through cancellation
    expect(codeOf(() => solve(Matrix.from([[1, 1], [1, 1]]), Matrix.from([[1], [2]])))).toBe('INFEASIBLE');
    expect(() => solve(Matrix.from([[1, 2], [2, 4]]), Matrix.from([[1], [2]]))).toThrow(/singular/);
    expect(codeOf(() => cholesky(Matrix.from([[2, 1], [0, 2]])))).toBe('INVALID_OPTION');
    expect(codeOf(() => qr(Matrix.zeros(2, 3)))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => svd(null as unknown as Matrix))).toBe('SHAPE_MISMATCH');
  });
});
