import { describe, expect, it } from 'vitest';
import { describeConformance, relErr } from './conformance.js';
import { createCpuBackend, gemm, groupNorms, groupSoftThreshold, maskedBackward, maskedForward } from './cpu.js';
import { CvxnnError } from './errors.js';
import { PatternMasks } from './masks.js';
import { Matrix } from './matrix.js';
import { Rng } from './random.js';
import { naiveGemm, naiveMaskedBackward, naiveMaskedForward } from './reference.js';

describeConformance('ts (CPU reference)', () => createCpuBackend(), { refusesNonFinite: true });

const randn = (rng: Rng, r: number, c: number) => new Matrix(r, c, rng.normalArray(r * c));
function randomMasks(rng: Rng, n: number, p: number, density: number): PatternMasks {
  const m = new PatternMasks(n, p);
  for (let j = 0; j < n; j++) for (let i = 0; i < p; i++) if (rng.uniform() < density) m.set(j, i, true);
  return m;
}
function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof CvxnnError ? e.code : `not a CvxnnError: ${String(e)}`;
  }
  return undefined;
}

describe('ts kernels beyond conformance', () => {
  it('masked products give the same result for every row chunk size (1, 3, 4, 128, > n)', () => {
    const rng = new Rng(31);
    const X = randn(rng, 133, 9);
    const M = randomMasks(rng, 133, 45, 0.5);
    for (const c of [1, 2]) {
      const U = randn(rng, 9, 45 * c);
      const R = randn(rng, 133, c);
      const F0 = naiveMaskedForward(X, M, U);
      const G0 = naiveMaskedBackward(X, M, R);
      for (const chunk of [1, 3, 4, 128, 500]) {
        expect(relErr(maskedForward(X, M, U, undefined, chunk), F0)).toBeLessThan(1e-13);
        expect(relErr(maskedBackward(X, M, R, undefined, chunk), G0)).toBeLessThan(1e-13);
      }
    }
  });

  it('vector outputs (the unfused path) agree with c scalar products (the fused path), column by column', () => {
    const rng = new Rng(32);
    const n = 157;
    const d = 11;
    const p = 38;
    const c = 3;
    const X = randn(rng, n, d);
    const M = randomMasks(rng, n, p, 0.5);
    const U = randn(rng, d, p * c);
    const F = maskedForward(X, M, U);
    for (let k = 0; k < c; k++) {
      const Uk = Matrix.zeros(d, p); // U_k: column k of every block
      for (let t = 0; t < d; t++) for (let i = 0; i < p; i++) Uk.set(t, i, U.get(t, i * c + k));
      const Fk = maskedForward(X, M, Uk);
      for (let j = 0; j < n; j++) expect(F.get(j, k)).toBeCloseRel(Fk.get(j, 0), 1e-12, 1e-12);
    }
  });

  it('maskedBackward is the adjoint of maskedForward: ⟨F(U), R⟩ = ⟨U, G(R)⟩', () => {
    const rng = new Rng(33);
    for (const c of [1, 2]) {
      const X = randn(rng, 301, 13);
      const M = randomMasks(rng, 301, 66, 0.5);
      const U = randn(rng, 13, 66 * c);
      const R = randn(rng, 301, c);
      const F = maskedForward(X, M, U);
      const G = maskedBackward(X, M, R);
      let lhs = 0;
      let rhs = 0;
      for (let i = 0; i < F.data.length; i++) lhs += F.data[i] * R.data[i];
      for (let i = 0; i < G.data.length; i++) rhs += U.data[i] * G.data[i];
      expect(lhs).toBeCloseRel(rhs, 1e-11);
    }
  });

  it('empty and degenerate sizes: no rows, no patterns, no features, k = 0', () => {
    const X0 = Matrix.zeros(0, 4);
    expect(maskedForward(X0, new PatternMasks(0, 5), Matrix.zeros(4, 5)).rows).toBe(0);
    expect(Array.from(maskedBackward(X0, new PatternMasks(0, 5), Matrix.zeros(0, 1)).data)).toAllClose(new Array(20).fill(0));
    const X = randn(new Rng(1), 6, 4);
    const F = maskedForward(X, new PatternMasks(6, 0), Matrix.zeros(4, 0));
    expect([F.rows, F.cols]).toEqual([6, 1]);
    expect(Array.from(F.data)).toAllClose(new Array(6).fill(0));
    expect(maskedBackward(X, new PatternMasks(6, 0), Matrix.zeros(6, 1)).cols).toBe(0);
    // k = 0: the product is empty, so C = beta·C
    const C = Matrix.from([[1, 2]]);
    gemm(Matrix.zeros(1, 0), Matrix.zeros(0, 2), { beta: 3, out: C });
    expect(Array.from(C.data)).toAllClose([3, 6]);
  });

  it('beta = 0 overwrites (NaN in the output is discarded); NaN in an input is refused with NON_FINITE', () => {
    const rng = new Rng(34);
    const a = randn(rng, 40, 30);
    const b = randn(rng, 30, 40); // 48000 > the small-product threshold: the packed path
    const out = Matrix.zeros(40, 40);
    out.data.fill(Number.NaN);
    gemm(a, b, { out });
    expect(relErr(out, naiveGemm(a, b))).toBeLessThan(1e-13);
    a.set(3, 7, Number.NaN);
    expect(codeOf(() => gemm(a, b))).toBe('NON_FINITE');
    expect(() => gemm(a, b)).toThrow(/gemm: A has NaN at row 3, column 7/);
    // with beta ≠ 0 the old output is read, so its NaNs are refused too
    expect(codeOf(() => gemm(b, b.transpose(), { beta: 1, out: Matrix.from(Array.from({ length: 30 }, () => new Array(30).fill(Number.NaN))) }))).toBe('NON_FINITE');
    // `inputsFinite`: the caller vouches for its own intermediates, no scan — the NaN goes through
    const through = gemm(a, b, { inputsFinite: true });
    expect(Number.isNaN(through.get(3, 0))).toBe(true);
    expect(Number.isFinite(through.get(4, 0))).toBe(true);
  });

  it('alpha = 0 leaves beta·C; alpha scales both paths', () => {
    const rng = new Rng(35);
    for (const [m, k, n] of [
      [5, 4, 3],
      [50, 40, 30],
    ]) {
      const a = randn(rng, m, k);
      const b = randn(rng, k, n);
      const C = randn(rng, m, n);
      const C0 = C.clone();
      gemm(a, b, { alpha: 0, beta: 0.5, out: C });
      expect(Array.from(C.data)).toAllClose(Array.from(C0.data, (v) => 0.5 * v), { rtol: 1e-15 });
      const ab = naiveGemm(a, b);
      expect(relErr(gemm(a, b, { alpha: -2.5 }), naiveGemm(a, b, { alpha: -2.5 }))).toBeLessThan(1e-13);
      expect(relErr(gemm(a, b, { alpha: -2.5 }), new Matrix(m, n, ab.data.map((v) => -2.5 * v)))).toBeLessThan(1e-13);
    }
  });

  it('bad input raises typed errors with actionable messages', () => {
    const X = Matrix.zeros(10, 3);
    const M = new PatternMasks(10, 4);
    expect(codeOf(() => gemm(Matrix.zeros(2, 3), Matrix.zeros(4, 2)))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => gemm(Matrix.zeros(2, 3), Matrix.zeros(3, 2), { out: Matrix.zeros(2, 3) }))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => gemm(Matrix.zeros(2, 3), Matrix.zeros(3, 2), { beta: 1 }))).toBe('INVALID_OPTION');
    expect(codeOf(() => gemm(Matrix.zeros(2, 3), Matrix.zeros(3, 2), { alpha: Number.NaN }))).toBe('INVALID_OPTION');
    expect(codeOf(() => maskedForward(X, new PatternMasks(9, 4), Matrix.zeros(3, 4)))).toBe('SHAPE_MISMATCH');
    expect(() => maskedForward(X, new PatternMasks(9, 4), Matrix.zeros(3, 4))).toThrow(/masks cover 9 samples but X has 10 rows/);
    expect(codeOf(() => maskedForward(X, M, Matrix.zeros(2, 4)))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => maskedForward(X, M, Matrix.zeros(3, 6)))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => maskedForward(X, M, Matrix.zeros(3, 4), Matrix.zeros(10, 2)))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => maskedForward(X, M, Matrix.zeros(3, 4), undefined, 0))).toBe('INVALID_OPTION');
    expect(codeOf(() => maskedBackward(X, M, Matrix.zeros(9, 1)))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => maskedBackward(X, M, Matrix.zeros(10, 1), Matrix.zeros(3, 5)))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => maskedBackward(X, M, Matrix.zeros(10, 1), undefined, 2.5))).toBe('INVALID_OPTION');
    expect(codeOf(() => groupNorms(Matrix.zeros(2, 5), 2))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => groupSoftThreshold(Matrix.zeros(2, 4), 1, 2, Matrix.zeros(2, 3)))).toBe('SHAPE_MISMATCH');
  });

  it('groupSoftThreshold is the prox of t·Σ‖U_i‖: closed form on a 2-group example', () => {
    // U_1 = (3, 4) (norm 5), U_2 = (0.3, 0.4) (norm 0.5), t = 1: U_1 → 0.8·U_1, U_2 → 0
    const U = Matrix.from([
      [3, 0.3],
      [4, 0.4],
    ]);
    expect(Array.from(groupNorms(U))).toAllClose([5, 0.5], { rtol: 1e-15 });
    expect(groupSoftThreshold(U, 1).toArrays().flat()).toAllClose([2.4, 0, 3.2, 0], { rtol: 1e-15 });
  });

  it('every kernel refuses NaN and ±Infinity in any input with NON_FINITE naming kernel, argument and position (also inside strided views)', () => {
    const rng = new Rng(36);
    const X = randn(rng, 50, 4);
    const M = randomMasks(rng, 50, 7, 0.5);
    const U = randn(rng, 4, 7);
    const R = randn(rng, 50, 1);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const Xb = X.clone();
      Xb.set(10, 2, bad);
      const Ub = U.clone();
      Ub.set(1, 5, bad);
      const Rb = R.clone();
      Rb.set(49, 0, bad);
      expect(codeOf(() => maskedForward(Xb, M, U))).toBe('NON_FINITE');
      expect(codeOf(() => maskedForward(X, M, Ub))).toBe('NON_FINITE');
      expect(codeOf(() => maskedBackward(Xb, M, R))).toBe('NON_FINITE');
      expect(codeOf(() => maskedBackward(X, M, Rb))).toBe('NON_FINITE');
      expect(codeOf(() => gemm(Xb, U))).toBe('NON_FINITE');
      expect(codeOf(() => gemm(X, Ub))).toBe('NON_FINITE');
      expect(codeOf(() => groupNorms(Ub))).toBe('NON_FINITE');
      expect(codeOf(() => groupSoftThreshold(Ub, 0.1))).toBe('NON_FINITE');
    }
    const Xb = X.clone();
    Xb.set(10, 2, Number.NaN);
    expect(() => maskedForward(Xb, M, U)).toThrow(/maskedForward: X has NaN at row 10, column 2/);
    expect(() => maskedBackward(X, M, new Matrix(50, 1, R.data.map((v, i) => (i === 49 ? Number.POSITIVE_INFINITY : v))))).toThrow(/maskedBackward: R has Infinity at row 49/);
    // a view is checked on its own entries only: a NaN outside it is not an input
    const big = randn(rng, 60, 6);
    big.set(0, 0, Number.NaN);
    const inner = big.view(5, 1, 50, 4);
    expect(relErr(maskedForward(inner, M, U), naiveMaskedForward(inner.clone(), M, U))).toBeLessThan(1e-13);
    big.set(7, 3, Number.NaN); // inside: row 2, column 2 of the view
    expect(() => maskedForward(inner, M, U)).toThrow(/row 2, column 2/);
    // thresholds: finite, ≥ 0, one per group
    expect(codeOf(() => groupSoftThreshold(U, Number.NaN))).toBe('INVALID_OPTION');
    expect(codeOf(() => groupSoftThreshold(U, -1))).toBe('INVALID_OPTION');
    expect(codeOf(() => groupSoftThreshold(U, [1, 2]))).toBe('SHAPE_MISMATCH');
  });
});
