import { describe, expect, it } from 'vitest';
import { svd } from './decomp.js';
import { CvxnnError } from './errors.js';
import { jacobiSvd, singularValues, spectralNorm } from './jacobi.js';
import { Matrix } from './matrix.js';
import { Rng } from './random.js';

/** max |A − U diag(s) Vᵀ| over the entries */
function reconstructionError(a: Float64Array, rows: number, cols: number, r: ReturnType<typeof jacobiSvd>): number {
  let e = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let v = 0;
      for (let l = 0; l < r.k; l++) v += r.U[i * r.k + l] * r.s[l] * r.V[j * r.k + l];
      e = Math.max(e, Math.abs(v - a[i * cols + j]));
    }
  }
  return e;
}

/** max |QᵀQ − I| over the columns of Q (rows×k) whose singular value is non-zero */
function orthonormalityError(Q: Float64Array, rows: number, k: number, keep: (l: number) => boolean): number {
  let e = 0;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      if (!keep(a) || !keep(b)) continue;
      let v = 0;
      for (let i = 0; i < rows; i++) v += Q[i * k + a] * Q[i * k + b];
      e = Math.max(e, Math.abs(v - (a === b ? 1 : 0)));
    }
  }
  return e;
}

describe('jacobiSvd (one-sided Jacobi) against ml-matrix\'s Golub–Kahan SVD', () => {
  for (const [rows, cols] of [
    [65, 10],
    [10, 65],
    [785, 10],
    [7, 7],
    [1, 5],
    [5, 1],
    [1, 1],
  ] as const) {
    it(`${rows}×${cols}: same singular values (1e-12 relative), U diag(s) Vᵀ = A, orthonormal factors`, () => {
      const rng = new Rng(rows * 100 + cols);
      const a = rng.normalArray(rows * cols);
      const r = jacobiSvd(a, rows, cols);
      const ref = svd(new Matrix(rows, cols, Float64Array.from(a))).s;
      expect(r.k).toBe(Math.min(rows, cols));
      for (let l = 0; l < r.k; l++) expect(Math.abs(r.s[l] - ref[l])).toBeLessThanOrEqual(1e-12 * ref[0]);
      for (let l = 1; l < r.k; l++) expect(r.s[l - 1]).toBeGreaterThanOrEqual(r.s[l]);
      // the values-only route gives the same values
      expect(Array.from(singularValues(a, rows, cols))).toAllClose(Array.from(r.s), { rtol: 1e-14, atol: 1e-14 * r.s[0] });
      expect(reconstructionError(a, rows, cols, r)).toBeLessThan(1e-12 * r.s[0]);
      expect(orthonormalityError(r.U, rows, r.k, () => true)).toBeLessThan(1e-12);
      expect(orthonormalityError(r.V, cols, r.k, () => true)).toBeLessThan(1e-12);
    });
  }

  it('a rank-2 6×4 block: two non-zero singular values equal to the planted ones (closed form), the rest ≤ 1e-14·σ₁', () => {
    // A = 5·u₁v₁ᵀ + 2·u₂v₂ᵀ with orthonormal u (6-vectors) and v (4-vectors)
    const u1 = [1, 1, 1, 1, 1, 1].map((x) => x / Math.sqrt(6));
    const u2 = [1, -1, 1, -1, 1, -1].map((x) => x / Math.sqrt(6));
    const v1 = [1, 0, 0, 0];
    const v2 = [0, 0.6, 0.8, 0];
    const a = new Float64Array(24);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 4; j++) a[i * 4 + j] = 5 * u1[i] * v1[j] + 2 * u2[i] * v2[j];
    const r = jacobiSvd(a, 6, 4);
    expect(r.s[0]).toBeCloseTo(5, 13);
    expect(r.s[1]).toBeCloseTo(2, 13);
    expect(r.s[2]).toBeLessThan(1e-14 * 5);
    expect(r.s[3]).toBeLessThan(1e-14 * 5);
    expect(reconstructionError(a, 6, 4, r)).toBeLessThan(1e-13);
    // the left vectors of the non-zero values are orthonormal
    expect(orthonormalityError(r.U, 6, 4, (l) => r.s[l] > 1e-10)).toBeLessThan(1e-12);
  });

  it('diagonal, zero and 2×2 closed forms; spectralNorm = σ₁', () => {
    expect(Array.from(jacobiSvd(new Float64Array([3, 0, 0, -4]), 2, 2).s)).toEqual([4, 3]);
    const z = jacobiSvd(new Float64Array(12), 3, 4);
    expect(Array.from(z.s)).toEqual([0, 0, 0]);
    // [[1, 1], [0, 1]]: σ = (√5 ± 1)/2
    const g = jacobiSvd(new Float64Array([1, 1, 0, 1]), 2, 2).s;
    expect(g[0]).toBeCloseTo((Math.sqrt(5) + 1) / 2, 14);
    expect(g[1]).toBeCloseTo((Math.sqrt(5) - 1) / 2, 14);
    expect(spectralNorm(new Float64Array([1, 1, 0, 1]), 2, 2)).toBeCloseTo((Math.sqrt(5) + 1) / 2, 14);
  });

  it('keeps high relative accuracy on a graded block (σ from 1 to 1e-12), where the Gram route would lose the small ones', () => {
    // A = diag(1, 1e-4, 1e-8, 1e-12) · R with R a rotation: σ are exactly the diagonal
    const c = Math.cos(0.3);
    const sn = Math.sin(0.3);
    const R = [c, -sn, 0, 0, sn, c, 0, 0, 0, 0, c, -sn, 0, 0, sn, c];
    const D = [1, 1e-4, 1e-8, 1e-12];
    const a = new Float64Array(16);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) a[i * 4 + j] = D[i] * R[i * 4 + j];
    const s = jacobiSvd(a, 4, 4).s;
    for (let l = 0; l < 4; l++) expect(Math.abs(s[l] - D[l]) / D[l]).toBeLessThan(1e-12);
  });

  it('tall blocks (the Householder-QR route): planted singular values 1 … 1e-10 to 1e-12 relative, and a zero column', () => {
    // A = U diag(D) Vᵀ, U 40×4 orthonormal (Gram–Schmidt of a random block), V a rotation
    const rng = new Rng(7);
    const m = 40;
    const U = rng.normalArray(m * 4);
    for (let c = 0; c < 4; c++) {
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += U[i * 4 + c] * U[i * 4 + p];
        for (let i = 0; i < m; i++) U[i * 4 + c] -= dot * U[i * 4 + p];
      }
      let nn = 0;
      for (let i = 0; i < m; i++) nn += U[i * 4 + c] ** 2;
      for (let i = 0; i < m; i++) U[i * 4 + c] /= Math.sqrt(nn);
    }
    const c = Math.cos(0.7);
    const sn = Math.sin(0.7);
    const V = [c, -sn, 0, 0, sn, c, 0, 0, 0, 0, c, -sn, 0, 0, sn, c];
    const D = [1, 1e-3, 1e-7, 1e-10];
    const a = new Float64Array(m * 4);
    for (let i = 0; i < m; i++) for (let j = 0; j < 4; j++) for (let l = 0; l < 4; l++) a[i * 4 + j] += U[i * 4 + l] * D[l] * V[j * 4 + l];
    const r = jacobiSvd(a, m, 4);
    for (let l = 0; l < 4; l++) expect(Math.abs(r.s[l] - D[l]) / D[l]).toBeLessThan(1e-9);
    expect(reconstructionError(a, m, 4, r)).toBeLessThan(1e-15);
    expect(orthonormalityError(r.U, m, 4, () => true)).toBeLessThan(1e-12);
    // a zero column: one zero singular value, the rest those of the other columns
    const b = rng.normalArray(30);
    for (let i = 0; i < 10; i++) b[i * 3 + 1] = 0;
    const rb = jacobiSvd(b, 10, 3);
    const two = new Float64Array(20);
    for (let i = 0; i < 10; i++) {
      two[i * 2] = b[i * 3];
      two[i * 2 + 1] = b[i * 3 + 2];
    }
    const ref = svd(new Matrix(10, 2, two)).s;
    expect(Math.abs(rb.s[0] - ref[0])).toBeLessThan(1e-13);
    expect(Math.abs(rb.s[1] - ref[1])).toBeLessThan(1e-13);
    expect(rb.s[2]).toBe(0);
    expect(reconstructionError(b, 10, 3, rb)).toBeLessThan(1e-13);
  });

  it('a non-finite entry is NON_FINITE', () => {
    expect(() => jacobiSvd(new Float64Array([1, Number.NaN]), 1, 2)).toThrow(CvxnnError);
  });
});
