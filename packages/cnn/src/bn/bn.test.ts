import { appendOnes, enumeratePatterns } from '@cvxnn/arrangements';
import { fitConvex } from '@cvxnn/group-lasso';
import { CvxnnError, Matrix, Rng, svd } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { type BnNetwork, type BnPlacement, bnForward, bnObjective, fitBnConvex, patternBasis, trainBnAdam } from '../index.js';

function randn(rng: Rng, r: number, c: number): Matrix<Float64Array> {
  return new Matrix(r, c, rng.normalArray(r * c));
}

/** minimise a convex f on a box by nested golden-section searches (independent of the solvers) */
function golden(f: (t: number) => number, lo: number, hi: number, iters = 90): { t: number; v: number } {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let k = 0; k < iters; k++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  const t = (a + b) / 2;
  return { t, v: f(t) };
}
function min2d(f: (a: number, b: number) => number, R: number): number {
  return golden((a) => golden((b) => f(a, b), -R, R).v, -R, R).v;
}

const placements: BnPlacement[] = ['scale', 'centred', 'before'];

describe('BN networks (SPEC §3)', () => {
  it('C1: scaling a first-layer neuron by c > 0 leaves every placement’s output unchanged', () => {
    const rng = new Rng(1);
    const X = randn(rng, 7, 3);
    for (const placement of placements) {
      const net: BnNetwork = { kind: 'bn', placement, W1: randn(rng, 3, 4), gamma: rng.normalArray(4), alpha: rng.normalArray(4), W2: randn(rng, 4, 2), appendOne: false };
      const F1 = bnForward(net, X).F;
      const W1 = net.W1.clone();
      for (let k = 0; k < 3; k++) W1.data[k * 4 + 2] *= 7.5;
      const F2 = bnForward({ ...net, W1 }, X).F;
      expect(F2.data).toAllClose(F1.data, { rtol: 1e-12, atol: 1e-12 });
    }
  });

  it('C2: whitened bases: UᵀU = I and M T(s, t) = U s for every pattern (scale-only and centred)', () => {
    const rng = new Rng(2);
    const X = appendOnes(randn(rng, 6, 2));
    const { masks } = enumeratePatterns(X);
    for (const centre of [false, true]) {
      for (let i = 0; i < masks.p; i++) {
        const b = patternBasis(X, masks, i, centre);
        const utu = Matrix.zeros(b.r, b.r);
        for (let a = 0; a < b.r; a++) for (let c = 0; c < b.r; c++) for (let j = 0; j < 6; j++) utu.data[a * b.r + c] += b.U.get(j, a) * b.U.get(j, c);
        expect(utu.data).toAllClose(Matrix.eye(b.r).data, { atol: 1e-12 });
        // a random (s, t): u = T(s, t); M u must equal U s, so ‖M u‖ = ‖s‖
        const st = rng.normalArray(3);
        const u = new Float64Array(3);
        for (let a = 0; a < 3; a++) for (let k = 0; k < 3; k++) u[a] += b.T.get(a, k) * st[k];
        const Mu = new Float64Array(6);
        for (let j = 0; j < 6; j++) if (masks.get(j, i)) for (let a = 0; a < 3; a++) Mu[j] += X.get(j, a) * u[a];
        if (centre) {
          const mean = Mu.reduce((s, v) => s + v, 0) / 6;
          for (let j = 0; j < 6; j++) Mu[j] -= mean;
        }
        const Us = new Float64Array(6);
        for (let j = 0; j < 6; j++) for (let k = 0; k < b.r; k++) Us[j] += b.U.get(j, k) * st[k];
        expect(Mu).toAllClose(Us, { atol: 1e-10 });
      }
    }
  });

  for (const placement of placements) {
    it(`C3/C4 (${placement}): recovered BN network reproduces the convex fit and optimum; Adam never goes below it`, () => {
      const rng = new Rng(10 + placements.indexOf(placement));
      const n = 6;
      const X = randn(rng, n, 2);
      const Y = new Matrix(n, 1, rng.normalArray(n));
      const lambda = 0.3;
      // scale-only without the bias column: with it, patterns with fewer than d active rows carry free
      // null-space coordinates and the augmented Lagrangian needs > 30 000 iterations (README, limits)
      const appendOne = placement !== 'scale';
      // the scale-only certificate often stalls near 1e-6 (degenerate multipliers): capped at 20 000 iterations
      const r = fitBnConvex(X, Y, { placement, lambda, patterns: 'all', appendOne, tol: 1e-8, maxIters: 20000 });
      expect(r.certificate.value).toBeLessThan(placement === 'scale' ? 1e-5 : 1e-8);
      expect(r.constraintViolation).toBeLessThan(1e-7);
      const net = r.network;
      const obj = bnObjective(net, X, Y, { lambda });
      expect(obj.objective).toBeCloseRel(r.objective, 1e-6);
      expect(bnForward(net, X).F.data).toAllClose(r.fit.data, { atol: 1e-6 });
      // lower bound: Adam on the same non-convex objective, several widths and seeds
      let best = Infinity;
      for (let seed = 0; seed < 5; seed++) {
        const a = trainBnAdam(X, Y, { placement, lambda, width: 4 + 2 * (seed % 3), iterations: 1000, learningRate: 0.03, seed, appendOne });
        expect(a.objective).toBeGreaterThanOrEqual(r.objective * (1 - 1e-5));
        best = Math.min(best, a.objective);
      }
      // and Adam does learn (far below the zero network), so the bound is not vacuous
      const zero = 0.5 * Y.data.reduce((s, v) => s + v * v, 0);
      expect(best).toBeLessThan(0.95 * zero);
    });
  }

  it('std normalization (divide by the standard deviation): recovery exact, Adam never below (before, all patterns), full-rank centred certified', () => {
    const rng = new Rng(21);
    const n = 6;
    const X = randn(rng, n, 2);
    const Y = new Matrix(n, 1, rng.normalArray(n));
    const lambda = 0.3;
    const r = fitBnConvex(X, Y, { placement: 'before', normalization: 'std', lambda, patterns: 'all', appendOne: true, tol: 1e-8 });
    expect(r.status).toBe('optimal');
    expect(r.network.normalization).toBe('std');
    expect(bnObjective(r.network, X, Y, { lambda }).objective).toBeCloseRel(r.objective, 1e-6);
    expect(bnForward(r.network, X).F.data).toAllClose(r.fit.data, { atol: 1e-6 });
    const l2 = fitBnConvex(X, Y, { placement: 'before', lambda, patterns: 'all', appendOne: true, tol: 1e-8 });
    expect(Math.abs(l2.objective - r.objective) / r.objective).toBeGreaterThan(1e-3); // a different network class
    for (let seed = 0; seed < 3; seed++) {
      const a = trainBnAdam(X, Y, { placement: 'before', normalization: 'std', lambda, width: 6, iterations: 800, learningRate: 0.03, seed, appendOne: true });
      expect(a.objective).toBeGreaterThanOrEqual(r.objective * (1 - 1e-6));
    }
    // centred, n ≫ d with sampled (full-rank) patterns: exact-prox path with a duality gap
    const n2 = 30;
    const X2 = randn(rng, n2, 2);
    const Y2 = new Matrix(n2, 1, Float64Array.from({ length: n2 }, (_, k) => Math.abs(X2.get(k, 0)) - X2.get(k, 1)));
    const c = fitBnConvex(X2, Y2, { placement: 'centred', normalization: 'std', lambda: 0.5, patterns: 8, seed: 3, tol: 1e-8 });
    expect(c.certificate.kind).toBe('duality-gap');
    expect(c.status).toBe('optimal');
    expect(bnObjective(c.network, X2, Y2, { lambda: 0.5 }).objective).toBeCloseRel(c.objective, 1e-7);
  });

  it('C5: BN before the ReLU equals C-ReLU on [U, 1] and is invariant to X ↦ XA; the plain network is not', () => {
    const rng = new Rng(5);
    const n = 6;
    const X = randn(rng, n, 2);
    const Y = new Matrix(n, 1, rng.normalArray(n));
    const lambda = 0.2;
    const A = Matrix.from([
      [3, 1],
      [-1, 0.5],
    ]);
    const XA = Matrix.zeros(n, 2);
    for (let j = 0; j < n; j++) for (let k = 0; k < 2; k++) XA.data[j * 2 + k] = X.get(j, 0) * A.get(0, k) + X.get(j, 1) * A.get(1, k);
    const r1 = fitBnConvex(X, Y, { placement: 'before', lambda, patterns: 'all', tol: 1e-8 });
    const r2 = fitBnConvex(XA, Y, { placement: 'before', lambda, patterns: 'all', tol: 1e-8 });
    expect(r2.objective).toBeCloseRel(r1.objective, 1e-6);
    // the plain C-ReLU on [U, 1] built here from the centred SVD
    const Pc = Matrix.zeros(n, 2);
    for (let k = 0; k < 2; k++) {
      let m = 0;
      for (let j = 0; j < n; j++) m += X.get(j, k) / n;
      for (let j = 0; j < n; j++) Pc.data[j * 2 + k] = X.get(j, k) - m;
    }
    const { U } = svd(Pc);
    const Ut = Matrix.zeros(n, 3);
    for (let j = 0; j < n; j++) Ut.data.set([U.get(j, 0), U.get(j, 1), 1], j * 3);
    const plainU = fitConvex(Ut, Y, enumeratePatterns(Ut), { model: 'relu', lambda, tol: 1e-8 });
    expect(plainU.objective).toBeCloseRel(r1.objective, 1e-6);
    // discriminating: the plain two-layer network on X and on XA has different optima
    const p1 = fitConvex(appendOnes(X), Y, enumeratePatterns(appendOnes(X)), { model: 'relu', lambda, tol: 1e-8 });
    const p2 = fitConvex(appendOnes(XA), Y, enumeratePatterns(appendOnes(XA)), { model: 'relu', lambda, tol: 1e-8 });
    expect(Math.abs(p1.objective - p2.objective) / p1.objective).toBeGreaterThan(1e-3);
  });

  it('C6: n = 2, centred BN: the optimum of ½(E − y_e)² + ½(√2C − y₁)² + β‖(E, C)‖ computed by hand', () => {
    const X = Matrix.from([
      [1, 0.3],
      [-0.4, 1],
    ]);
    for (const [y0, y1, beta] of [
      [2, -1, 0.5],
      [1.5, 0.7, 0.4],
      [0.2, 0.1, 3],
    ]) {
      const Y = Matrix.from([[y0], [y1]]);
      const ye = (y0 - y1) / Math.SQRT2;
      const y1n = (y0 + y1) / Math.SQRT2;
      const hand = min2d((E, C) => 0.5 * (E - ye) ** 2 + 0.5 * (Math.SQRT2 * C - y1n) ** 2 + beta * Math.hypot(E, C), 10);
      const r = fitBnConvex(X, Y, { placement: 'centred', lambda: beta, patterns: 'all', tol: 1e-10 });
      expect(r.objective).toBeCloseRel(hand, 1e-7);
    }
  });

  it('scale-only, n = 2: the optimum with the gauge ‖f‖₂ (same-sign quadrants) / ‖f‖₁ (mixed signs) of the atoms', () => {
    // 2×2 invertible X: every pattern occurs; normalized ReLU outputs are all unit vectors of the
    // closed positive quadrant; the gauge of conv(±atoms) is ‖f‖₂ when f₁f₂ ≥ 0 and ‖f‖₁ otherwise.
    // Patterns (1,0) and (0,1) have rank 1 < d: this exercises the free null-space coordinates.
    const X = Matrix.from([
      [1, 0.5],
      [0.2, -1],
    ]);
    for (const [y0, y1, beta] of [
      [2, -1, 0.5],
      [1.5, 0.7, 0.4],
      [-0.3, 2, 0.25],
    ]) {
      const Y = Matrix.from([[y0], [y1]]);
      const gauge = (a: number, b: number) => (a * b >= 0 ? Math.hypot(a, b) : Math.abs(a) + Math.abs(b));
      const hand = min2d((a, b) => 0.5 * ((a - y0) ** 2 + (b - y1) ** 2) + beta * gauge(a, b), 10);
      const r = fitBnConvex(X, Y, { placement: 'scale', lambda: beta, patterns: 'all', tol: 1e-10 });
      expect(r.objective).toBeCloseRel(hand, 1e-7);
      expect(bnObjective(r.network, X, Y, { lambda: beta }).objective).toBeCloseRel(hand, 1e-6);
    }
  });

  it('full-rank patterns: R-FISTA with the exact cone prox (duality gap) and the augmented Lagrangian agree', () => {
    const rng = new Rng(12);
    const n = 30;
    const X = randn(rng, n, 2);
    const Y = new Matrix(n, 1, Float64Array.from({ length: n }, (_, i) => Math.abs(X.get(i, 0)) - X.get(i, 1)));
    for (const placement of ['scale', 'centred'] as const) {
      const a = fitBnConvex(X, Y, { placement, lambda: 0.5, patterns: 8, seed: 3, tol: 1e-8 });
      const b = fitBnConvex(X, Y, { placement, lambda: 0.5, patterns: 8, seed: 3, tol: 1e-8, solver: 'al' });
      expect(a.certificate.kind).toBe('duality-gap');
      expect(b.certificate.kind).toBe('min-norm-subgradient');
      expect(a.status).toBe('optimal');
      expect(a.objective).toBeCloseRel(b.objective, 1e-6);
      expect(a.constraintViolation).toBeLessThan(1e-9);
      expect(bnObjective(a.network, X, Y, { lambda: 0.5 }).objective).toBeCloseRel(a.objective, 1e-9);
    }
  });

  it('the augmented Lagrangian route honours constraintTol (the violation of the returned point, measured on the cone map)', () => {
    const rng = new Rng(41);
    const n = 30;
    const X = randn(rng, n, 2);
    const Y = new Matrix(n, 1, Float64Array.from({ length: n }, (_, i) => Math.abs(X.get(i, 0)) - X.get(i, 1)));
    const b = fitBnConvex(X, Y, { placement: 'scale', lambda: 0.5, patterns: 8, seed: 3, tol: 1e-8, solver: 'al', constraintTol: 1e-13, maxIters: 200000 });
    expect(b.status).toBe('optimal');
    expect(b.constraintViolation).toBeLessThanOrEqual(1e-13);
  });

  it('vector targets run one-vs-all: the objective is the sum of the per-column programs', () => {
    const rng = new Rng(8);
    const X = randn(rng, 6, 2);
    const Y = randn(rng, 6, 2);
    const r = fitBnConvex(X, Y, { placement: 'centred', lambda: 0.5, patterns: 'all', appendOne: true, tol: 1e-9 });
    let s = 0;
    for (let k = 0; k < 2; k++) {
      const yk = new Matrix(6, 1, Float64Array.from({ length: 6 }, (_, j) => Y.get(j, k)));
      s += fitBnConvex(X, yk, { placement: 'centred', lambda: 0.5, patterns: 'all', appendOne: true, tol: 1e-9 }).objective;
    }
    expect(r.objective).toBeCloseRel(s, 1e-7);
    expect(bnObjective(r.network, X, Y, { lambda: 0.5 }).objective).toBeCloseRel(r.objective, 1e-6);
  });

  it('bad input gives typed errors', () => {
    const X = Matrix.from([
      [1, 2],
      [3, 4],
    ]);
    const y = Matrix.from([[1], [2]]);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(CvxnnError);
        return (e as CvxnnError).code;
      }
      return 'none';
    };
    expect(code(() => fitBnConvex(X, Matrix.from([[1]]), { placement: 'scale', lambda: 1 }))).toBe('SHAPE_MISMATCH');
    expect(code(() => fitBnConvex(X, y, { placement: 'scale', lambda: 0 }))).toBe('INVALID_OPTION');
    expect(code(() => fitBnConvex(X, y, { placement: 'sideways' as BnPlacement, lambda: 1 }))).toBe('INVALID_OPTION');
    expect(code(() => fitBnConvex(Matrix.from([[1, NaN]]), Matrix.from([[1]]), { placement: 'scale', lambda: 1 }))).toBe('NON_FINITE');
    expect(code(() => fitBnConvex(Matrix.zeros(0, 2), Matrix.zeros(0, 1), { placement: 'scale', lambda: 1 }))).toBe('EMPTY_DATA');
    expect(code(() => fitBnConvex(X, Matrix.from([[1, 0], [0, 1]]), { placement: 'centred', lambda: 1, loss: 'cross-entropy' }))).toBe('INVALID_OPTION');
    expect(code(() => trainBnAdam(X, y, { placement: 'scale', lambda: 1, width: 0 }))).toBe('INVALID_OPTION');
  });
});
