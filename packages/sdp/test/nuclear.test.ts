import { CvxnnError, Matrix, Rng, reference } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { nuclearNormObjective, nuclearNormRegression, solveSdp, type LinearConstraint, type SdpProblem } from '../src/index.js';
import { randomOrthogonal } from './helpers.js';

/** A·B with plain loops (linalg's naive reference, not the packed kernel). */
const matmul = (A: Matrix, B: Matrix): Matrix => reference.naiveGemm(A, B);

/** U diag(s) Vᵀ with plain loops. */
function compose(U: Matrix, s: number[], V: Matrix): Matrix {
  const M = Matrix.zeros(U.rows, V.rows);
  for (let i = 0; i < U.rows; i++) for (let j = 0; j < V.rows; j++) {
    let v = 0;
    for (let k = 0; k < s.length; k++) v += U.get(i, k) * s[k] * V.get(j, k);
    M.set(i, j, v);
  }
  return M;
}

describe('nuclearNormRegression: ½‖XW − Y‖² + λ₁‖W‖_* + λ₂‖W‖_F² (λ₂ as written)', () => {
  it('X7 (SPEC §9): X = I₂, Y = diag(3, 1), λ₁ = 2 ⇒ W* = diag(1, 0), p* = 4.5', () => {
    const res = nuclearNormRegression(Matrix.eye(2), Matrix.from([[3, 0], [0, 1]]), { lambda1: 2, tol: 1e-12 });
    expect(res.status).toBe('optimal');
    expect(res.objective).toBeCloseRel(4.5, 1e-9);
    expect(res.W.data).toAllClose([1, 0, 0, 0], { rtol: 0, atol: 1e-9 });
    expect(res.rank).toBe(1);
  });

  it('orthonormal columns X = Q: W* = SVT(QᵀY, λ₁)/(1 + 2λ₂), built from a planted spectrum', () => {
    const rng = new Rng(3);
    const n = 9;
    const d = 4;
    const c = 3;
    const Q = randomOrthogonal(rng, n);
    const Xq = Matrix.zeros(n, d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) Xq.set(i, j, Q.get(i, j));
    // QᵀY = U diag(5, 2, 0.5) Vᵀ by construction: Y = Q_{:,1..d} U diag(s) Vᵀ + (part orthogonal to range Q_d)
    const U = randomOrthogonal(rng, d);
    const V = randomOrthogonal(rng, c);
    const s = [5, 2, 0.5];
    const core = compose(U, s, V); // d × c
    const Y = matmul(Xq, core);
    for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) Y.set(i, j, Y.get(i, j) + 0.7 * Q.get(i, d) * (j + 1)); // orthogonal to range(X)
    for (const [lambda1, lambda2] of [[1, 0], [1, 0.25]]) {
      const res = nuclearNormRegression(Xq, Y, { lambda1, lambda2, tol: 1e-12 });
      expect(res.status).toBe('optimal');
      const expected = compose(U, s.map((v) => Math.max(v - lambda1, 0) / (1 + 2 * lambda2)), V);
      expect(res.W.data).toAllClose(expected.data, { rtol: 1e-7, atol: 1e-8 });
      expect(res.rank).toBe(2);
      expect(Array.from(res.singularValues).slice(0, 2)).toAllClose([4, 1].map((v) => v / (1 + 2 * lambda2)), { rtol: 1e-7 });
      expect(res.gap).toBeGreaterThanOrEqual(-1e-12);
      expect(res.dualObjective).toBeLessThanOrEqual(res.objective + 1e-12);
    }
  });

  it('general X: agrees with solveSdp on the Schur-complement SDP to 1e-6 (‖W‖_* ≤ ½(tr P + tr Q) with [[P, W],[Wᵀ, Q]] ⪰ 0)', () => {
    const rng = new Rng(5);
    const n = 6;
    const d = 3;
    const c = 2;
    const X = Matrix.fromArray(n, d, rng.normalArray(n * d));
    const Y = Matrix.fromArray(n, c, rng.normalArray(n * c));
    const lambda1 = 0.8;
    const res = nuclearNormRegression(X, Y, { lambda1, tol: 1e-12, maxIterations: 100000 });
    expect(res.status).toBe('optimal');
    // blocks: M = [[P, W], [Wᵀ, Q]] (d + c), T = [[I, r], [rᵀ, 2s]] (n·c + 1), r = vec(XW − Y)
    const m = n * c;
    const CM = Matrix.zeros(d + c, d + c);
    for (let a = 0; a < d + c; a++) CM.set(a, a, lambda1 / 2);
    const CT = Matrix.zeros(m + 1, m + 1);
    CT.set(m, m, 0.5);
    const constraints: LinearConstraint[] = [];
    for (let a = 0; a < m; a++) for (let b = a; b < m; b++) constraints.push({ terms: [{ block: 1, i: a, j: b, value: 1 }], rhs: a === b ? 1 : 0 });
    for (let t = 0; t < n; t++) {
      for (let j = 0; j < c; j++) {
        const terms = [{ block: 1, i: t * c + j, j: m, value: 1 }];
        for (let k = 0; k < d; k++) terms.push({ block: 0, i: k, j: d + j, value: -X.get(t, k) }); // W_kj = M[k, d + j]
        constraints.push({ terms, rhs: -Y.get(t, j) });
      }
    }
    const problem: SdpProblem = { blocks: [{ kind: 'psd', size: d + c }, { kind: 'psd', size: m + 1 }], C: [CM, CT], constraints };
    const sdp = solveSdp(problem, { tol: 1e-10, maxIterations: 100000 });
    expect(sdp.status).toBe('optimal');
    expect(res.objective).toBeCloseRel(sdp.objective, 1e-6);
    const M = sdp.X[0] as Matrix;
    const Wsdp = Matrix.zeros(d, c);
    for (let k = 0; k < d; k++) for (let j = 0; j < c; j++) Wsdp.set(k, j, M.get(k, d + j));
    expect(res.W.data).toAllClose(Wsdp.data, { rtol: 1e-4, atol: 1e-5 });
    expect(nuclearNormObjective(X, Y, Wsdp, lambda1).objective).toBeCloseRel(sdp.objective, 1e-6);
  });

  it('one output: ‖w‖_* = ‖w‖₂, so with X = I the solution is the group soft-threshold (1 − λ₁/‖y‖)₊ y', () => {
    const y = [3, -4, 0];
    const res = nuclearNormRegression(Matrix.eye(3), y, { lambda1: 2, tol: 1e-12 });
    expect(Array.from(res.W.data)).toAllClose(y.map((v) => v * (1 - 2 / 5)), { rtol: 1e-9, atol: 1e-12 });
    expect(res.objective).toBeCloseRel(0.5 * 4 + 2 * 3, 1e-9); // ½‖y − w‖² = ½·2², λ₁‖w‖ = 2·3
  });

  it('a warm start from the solution stops at the first check', () => {
    const rng = new Rng(8);
    const X = Matrix.fromArray(12, 4, rng.normalArray(48));
    const Y = Matrix.fromArray(12, 3, rng.normalArray(36));
    const cold = nuclearNormRegression(X, Y, { lambda1: 1, tol: 1e-10 });
    const warm = nuclearNormRegression(X, Y, { lambda1: 1, tol: 1e-10, warmStart: cold.W });
    expect(warm.iterations).toBeLessThanOrEqual(10);
    expect(warm.objective).toBeCloseRel(cold.objective, 1e-9);
  });

  it('bad input ⇒ typed errors', () => {
    const X = Matrix.eye(3);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof CvxnnError ? e.code : 'untyped';
      }
      return 'no error';
    };
    expect(code(() => nuclearNormRegression(X, Matrix.zeros(2, 2), { lambda1: 1 }))).toBe('SHAPE_MISMATCH');
    expect(code(() => nuclearNormRegression(Matrix.zeros(0, 3), Matrix.zeros(0, 1), { lambda1: 1 }))).toBe('EMPTY_DATA');
    expect(code(() => nuclearNormRegression(X, [1, Number.NaN, 0], { lambda1: 1 }))).toBe('NON_FINITE');
    expect(code(() => nuclearNormRegression(Matrix.from([[1, Number.NaN], [0, 1]]), [1, 2], { lambda1: 1 }))).toBe('NON_FINITE');
    expect(code(() => nuclearNormRegression(X, [1, 2, 3], { lambda1: -1 }))).toBe('INVALID_OPTION');
    expect(code(() => nuclearNormRegression(X, [1, 2, 3], { lambda1: 0 }))).toBe('INVALID_OPTION');
    expect(code(() => nuclearNormRegression(X, [1, 2, 3], { lambda1: 1, warmStart: Matrix.zeros(2, 1) }))).toBe('SHAPE_MISMATCH');
    expect(() => nuclearNormRegression(X, [1, 2], { lambda1: 1 })).toThrow(/3 rows but Y has 2/);
  });
});
