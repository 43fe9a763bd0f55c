/**
 * Naive triple-loop reference implementations of the named kernels. They are the oracle of the
 * conformance suite: obviously correct, unoptimised, allocation-happy. Never use them in solvers.
 */
import type { GemmOptions } from './backend.js';
import { assertShape } from './errors.js';
import type { PatternMasks } from './masks.js';
import { Matrix } from './matrix.js';

/**
 * C = alpha·op(A)·op(B) + beta·C by the triple loop.
 *
 * @example
 *   naiveGemm(A, B, { transA: true });
 */
export function naiveGemm(a: Matrix<Float64Array>, b: Matrix<Float64Array>, opts: GemmOptions = {}): Matrix<Float64Array> {
  const { transA = false, transB = false, alpha = 1, beta = 0 } = opts;
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const k2 = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  assertShape(k === k2, `gemm inner dimensions differ: ${k} vs ${k2}`);
  const out = opts.out ?? Matrix.zeros(m, n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += (transA ? a.get(t, i) : a.get(i, t)) * (transB ? b.get(j, t) : b.get(t, j));
      out.set(i, j, alpha * s + (beta === 0 ? 0 : beta * out.get(i, j)));
    }
  }
  return out;
}

/**
 * Σ_i D_i X U_i by its definition, one dot product per active (sample, pattern).
 *
 * @example
 *   naiveMaskedForward(X, M, U); // n×c
 */
export function naiveMaskedForward(X: Matrix<Float64Array>, M: PatternMasks, U: Matrix<Float64Array>): Matrix<Float64Array> {
  const c = U.cols / M.p;
  const out = Matrix.zeros(X.rows, c);
  for (let j = 0; j < X.rows; j++) {
    for (let i = 0; i < M.p; i++) {
      if (!M.get(j, i)) continue;
      for (let k = 0; k < c; k++) {
        let s = 0;
        for (let t = 0; t < X.cols; t++) s += X.get(j, t) * U.get(t, i * c + k);
        out.set(j, k, out.get(j, k) + s);
      }
    }
  }
  return out;
}

/**
 * Xᵀ D_i R by its definition, a masked sum per (feature, pattern, output).
 *
 * @example
 *   naiveMaskedBackward(X, M, R); // d×(P·c)
 */
export function naiveMaskedBackward(X: Matrix<Float64Array>, M: PatternMasks, R: Matrix<Float64Array>): Matrix<Float64Array> {
  const c = R.cols;
  const out = Matrix.zeros(X.cols, M.p * c);
  for (let i = 0; i < M.p; i++) {
    for (let k = 0; k < c; k++) {
      for (let t = 0; t < X.cols; t++) {
        let s = 0;
        for (let j = 0; j < X.rows; j++) if (M.get(j, i)) s += X.get(j, t) * R.get(j, k);
        out.set(t, i * c + k, s);
      }
    }
  }
  return out;
}

/**
 * Frobenius norms of the d×c blocks, entry by entry.
 *
 * @example
 *   naiveGroupNorms(U, 1);
 */
export function naiveGroupNorms(U: Matrix<Float64Array>, c = 1): Float64Array {
  const p = U.cols / c;
  const out = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = 0;
    for (let t = 0; t < U.rows; t++) for (let k = 0; k < c; k++) s += U.get(t, i * c + k) ** 2;
    out[i] = Math.sqrt(s);
  }
  return out;
}

/**
 * Block soft-thresholding by its definition.
 *
 * @example
 *   naiveGroupSoftThreshold(U, 0.1, 1);
 */
export function naiveGroupSoftThreshold(U: Matrix<Float64Array>, t: number | ArrayLike<number>, c = 1): Matrix<Float64Array> {
  const norms = naiveGroupNorms(U, c);
  const out = Matrix.zeros(U.rows, U.cols);
  for (let i = 0; i < norms.length; i++) {
    const ti = typeof t === 'number' ? t : t[i];
    const f = norms[i] > ti ? 1 - ti / norms[i] : 0;
    for (let r = 0; r < U.rows; r++) for (let k = 0; k < c; k++) out.set(r, i * c + k, f * U.get(r, i * c + k));
  }
  return out;
}
