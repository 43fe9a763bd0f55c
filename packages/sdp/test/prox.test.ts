import { CvxnnError, Matrix, Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { eigSoftThreshold, nuclearNorm, redexAdmm, svt, traceNorm, traceNormObjective, traceNormRegression } from '../src/index.js';
import { diff, fro, fromSpectrum, randomOrthogonal } from './helpers.js';

describe('eigenvalue soft-thresholding (prox of t‖·‖_Tr on S^d)', () => {
  it('matches Q diag(sign(λ)(|λ|−t)_+) Qᵀ for a planted spectrum', () => {
    const rng = new Rng(1);
    const Q = randomOrthogonal(rng, 5);
    const lam = [3, -2, 0.5, -0.2, 1.5];
    const Z = eigSoftThreshold(fromSpectrum(Q, lam), 0.7);
    const expected = fromSpectrum(Q, lam.map((l) => Math.sign(l) * Math.max(Math.abs(l) - 0.7, 0)));
    expect(Z.data).toAllClose(expected.data, { rtol: 1e-10, atol: 1e-10 });
  });
  it('2×2 closed form: A = [[1,2],[2,1]] (λ = 3, −1), t = 2 ⇒ (1/2)[[1,1],[1,1]]', () => {
    const Z = eigSoftThreshold(Matrix.from([[1, 2], [2, 1]]), 2);
    // only λ = 3 survives, shrunk to 1, eigenvector (1,1)/√2
    expect(Z.data).toAllClose([0.5, 0.5, 0.5, 0.5], { rtol: 1e-12, atol: 1e-12 });
  });
  it('minimises ½‖Z − A‖² + t‖Z‖_Tr against 300 random perturbations', () => {
    const rng = new Rng(2);
    const Q = randomOrthogonal(rng, 4);
    const A = fromSpectrum(Q, [2, -1, 0.3, -0.1]);
    const t = 0.5;
    const Z = eigSoftThreshold(A, t);
    const F = (M: Matrix) => 0.5 * fro(diff(M, A)) ** 2 + t * traceNorm(M);
    const f0 = F(Z);
    for (let k = 0; k < 300; k++) {
      const E = Matrix.fromArray(4, 4, rng.normalArray(16));
      const P = Matrix.zeros(4, 4);
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) P.set(i, j, Z.get(i, j) + 0.01 * (E.get(i, j) + E.get(j, i)));
      expect(F(P)).toBeGreaterThanOrEqual(f0 - 1e-12);
    }
  });
  it('rejects a non-symmetric matrix and a negative threshold', () => {
    expect(() => eigSoftThreshold(Matrix.from([[1, 2], [0, 1]]), 1)).toThrow(/symmetric/);
    expect(() => eigSoftThreshold(Matrix.eye(2), -1)).toThrow(CvxnnError);
  });
});

describe('SVT (prox of the nuclear norm)', () => {
  it('X7: Y = diag(3,1), β = 2 ⇒ Z* = diag(1,0), p* = ½‖Z−Y‖² + β‖Z‖_* = 4.5', () => {
    const Y = Matrix.from([[3, 0], [0, 1]]);
    const Z = svt(Y, 2);
    expect(Z.data).toAllClose([1, 0, 0, 0], { rtol: 1e-12, atol: 1e-12 });
    const p = 0.5 * fro(diff(Z, Y)) ** 2 + 2 * nuclearNorm(Z);
    expect(p).toBeCloseRel(4.5, 1e-12);
  });
  it('rectangular Y: singular values shrink by t, singular vectors kept', () => {
    const rng = new Rng(3);
    const U = randomOrthogonal(rng, 4);
    const V = randomOrthogonal(rng, 3);
    const s = [5, 2, 0.5];
    const Y = Matrix.zeros(4, 3);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) {
      let v = 0;
      for (let k = 0; k < 3; k++) v += U.get(i, k) * s[k] * V.get(j, k);
      Y.set(i, j, v);
    }
    const Z = svt(Y, 1);
    const Zt = svt(Y.transpose(), 1);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) {
      let v = 0;
      for (let k = 0; k < 3; k++) v += U.get(i, k) * Math.max(s[k] - 1, 0) * V.get(j, k);
      expect(Z.get(i, j)).toBeCloseRel(v, 1e-9, 1e-12);
      expect(Zt.get(j, i)).toBeCloseRel(v, 1e-9, 1e-12);
    }
  });
  it('bad input ⇒ typed errors', () => {
    expect(() => svt(Matrix.from([[NaN, 1]]), 1)).toThrow(/NaN/);
    expect(() => svt(Matrix.eye(2), Number.NaN)).toThrow(CvxnnError);
  });
});

describe('traceNormRegression: ½Σ(xᵀAx − y)² + λ₁‖A‖_Tr + λ₂‖A‖_F² (λ₂ as written)', () => {
  it('coordinate-vector samples decouple: A_ii = sign(y)(|y|−λ₁)_+/(1+2λ₂), off-diagonal 0', () => {
    const X = Matrix.eye(4);
    const y = [3, -0.5, -2, 1.2];
    for (const [l1, l2] of [[1, 0], [0.7, 0.25]]) {
      const res = traceNormRegression(X, y, { lambda1: l1, lambda2: l2 });
      expect(res.status).toBe('optimal');
      const expected = Matrix.zeros(4, 4);
      y.forEach((v, i) => expected.set(i, i, (Math.sign(v) * Math.max(Math.abs(v) - l1, 0)) / (1 + 2 * l2)));
      expect(res.A.data).toAllClose(expected.data, { rtol: 1e-6, atol: 1e-7 });
    }
  });
  it('is certified by the duality gap, and matches the ADMM splitting solver to 1e-6 relative (k = 1)', () => {
    const rng = new Rng(4);
    const N = 50;
    const d = 5;
    const X = Matrix.fromArray(N, d, rng.normalArray(N * d));
    const y = Array.from({ length: N }, (_, t) => X.get(t, 0) * X.get(t, 1) - 0.5 * X.get(t, 2) ** 2 + 0.1 * rng.normal());
    for (const l2 of [0, 0.3]) {
      const p = traceNormRegression(X, y, { lambda1: 1, lambda2: l2, tol: 1e-11 });
      expect(p.status).toBe('optimal');
      expect(p.gap).toBeLessThanOrEqual(1e-10 * p.objective);
      expect(p.gap).toBeGreaterThanOrEqual(-1e-12);
      const a = redexAdmm(X, y, { lambda1: 1, lambda2: l2, tol: 1e-10 });
      expect(a.status).toBe('optimal');
      expect(a.objective).toBeCloseRel(p.objective, 1e-6);
      expect(a.layer.A[0].data).toAllClose(p.A.data, { rtol: 1e-4, atol: 1e-5 });
      const recomputed = traceNormObjective(X, y, p.A, 1, l2);
      expect(recomputed.objective).toBeCloseRel(p.objective, 1e-12);
    }
  });
  it('warm start from the solution converges at once', () => {
    const rng = new Rng(5);
    const X = Matrix.fromArray(30, 4, rng.normalArray(120));
    const y = Array.from({ length: 30 }, (_, t) => X.get(t, 0) * X.get(t, 3));
    const cold = traceNormRegression(X, y, { lambda1: 0.5 });
    const warm = traceNormRegression(X, y, { lambda1: 0.5, warmStart: cold.A });
    expect(warm.iterations).toBeLessThan(cold.iterations);
    expect(warm.objective).toBeCloseRel(cold.objective, 1e-8);
  });
  it('bad input ⇒ typed errors', () => {
    const X = Matrix.eye(3);
    expect(() => traceNormRegression(X, [1, 2], { lambda1: 1 })).toThrow(/3 rows but y has 2/);
    expect(() => traceNormRegression(X, [1, NaN, 2], { lambda1: 1 })).toThrow(/NaN/);
    expect(() => traceNormRegression(X, [1, 2, 3], { lambda1: -1 })).toThrow(/lambda1/);
    expect(() => traceNormRegression(X, [1, 2, 3], { lambda1: 0 })).toThrow(/both 0/);
    expect(() => traceNormRegression(Matrix.zeros(0, 3), [], { lambda1: 1 })).toThrow(/empty/);
    expect(() => traceNormRegression(X, [1, 2, 3], { lambda1: 1, warmStart: Matrix.eye(2) })).toThrow(/warmStart is 2×2/);
  });
});
