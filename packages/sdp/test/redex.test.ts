import { CvxnnError, Matrix, Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import {
  fitRedexLayer,
  fitRedexNetwork,
  quadForms,
  recoverRedex,
  redexForward,
  redexNetworkForward,
  redexNorm,
  redexRegularizer,
  solveSdp,
  symEig,
  traceNormAsSdp,
  traceNormRegression,
  type SdpProblem,
} from '../src/index.js';
import { diff, fro, fromSpectrum, randomOrthogonal, randomSymmetric } from './helpers.js';

/** Σ|λ_j| via the 2×2 closed form or a planted spectrum (independent of the solvers). */
const X8 = Matrix.from([[1, 2], [2, 1]]);

describe('RedEx norm ‖(A_i)‖_Rx = min{tr R : −R ⪯ A_i ⪯ R} (SPEC §6.3)', () => {
  it('X8: ‖A‖_Rx = ‖A‖_Tr = 4 with R* = |A| = [[2,1],[1,2]]', () => {
    const r = redexNorm([X8]);
    expect(r.status).toBe('optimal');
    expect(r.value).toBeCloseRel(4, 1e-7);
    expect(r.R.data).toAllClose([2, 1, 1, 2], { rtol: 1e-6, atol: 1e-6 });
  });
  it('F1: k = 1 on planted spectra equals Σ|λ| and R* = Q diag(|λ|) Qᵀ', () => {
    const rng = new Rng(11);
    const Q = randomOrthogonal(rng, 4);
    const lam = [2.5, -1.5, 0.7, -0.3];
    const r = redexNorm([fromSpectrum(Q, lam)]);
    expect(r.value).toBeCloseRel(lam.reduce((s, l) => s + Math.abs(l), 0), 1e-6);
    expect(r.R.data).toAllClose(fromSpectrum(Q, lam.map(Math.abs)).data, { rtol: 1e-5, atol: 1e-5 });
  });
  it('F3: commuting (diagonal) outputs: Σ_j max_i |λ_j(A_i)|', () => {
    const D = [[1, -3, 0.5], [-2, 1, 0.25], [0.5, 0.5, -1]];
    const A = D.map((diag) => Matrix.from(diag.map((v, i) => diag.map((_, j) => (i === j ? v : 0)))));
    const expected = [0, 1, 2].reduce((s, j) => s + Math.max(...D.map((dg) => Math.abs(dg[j]))), 0);
    expect(redexNorm(A).value).toBeCloseRel(expected, 1e-6);
  });
  it('F4: max_i ‖A_i‖_Tr ≤ ‖(A_i)‖_Rx ≤ min(Σ_i ‖A_i‖_Tr, d·max_i ‖A_i‖_2) for random k = 3, d = 3', () => {
    const rng = new Rng(12);
    for (let trial = 0; trial < 3; trial++) {
      const A = [0, 1, 2].map(() => randomSymmetric(rng, 3));
      const tr = A.map((Ai) => symEig(Ai).values.reduce((s, l) => s + Math.abs(l), 0));
      const sp = A.map((Ai) => Math.max(...symEig(Ai).values.map(Math.abs)));
      const v = redexNorm(A).value;
      expect(v).toBeGreaterThanOrEqual(Math.max(...tr) * (1 - 1e-6));
      expect(v).toBeLessThanOrEqual(Math.min(tr.reduce((a, b) => a + b, 0), 3 * Math.max(...sp)) * (1 + 1e-6));
    }
  });
  it('F7: homogeneity ‖cA‖ = |c|‖A‖ and the triangle inequality on random pairs (k = 2)', () => {
    const rng = new Rng(13);
    const A = [randomSymmetric(rng, 3), randomSymmetric(rng, 3)];
    const B = [randomSymmetric(rng, 3), randomSymmetric(rng, 3)];
    const nA = redexNorm(A).value;
    const scale = (M: Matrix, c: number) => Matrix.fromArray(M.rows, M.cols, M.data.map((x) => c * x));
    expect(redexNorm(A.map((M) => scale(M, -2.5))).value).toBeCloseRel(2.5 * nA, 1e-6);
    const sum = A.map((M, i) => Matrix.fromArray(3, 3, M.data.map((x, q) => x + B[i].data[q])));
    expect(redexNorm(sum).value).toBeLessThanOrEqual((nA + redexNorm(B).value) * (1 + 1e-6));
  });
});

describe('F2: min{c₁ tr R + c₂‖R‖_F² : −R ⪯ A ⪯ R} = c₁‖A‖_Tr + c₂‖A‖_F²', () => {
  it('X8: c₁ = c₂ = 1 ⇒ 4 + 10 = 14, R* = |A|', () => {
    const r = redexRegularizer([X8], 1, 1);
    expect(r.value).toBeCloseRel(14, 1e-7);
    expect(r.R.data).toAllClose([2, 1, 1, 2], { rtol: 1e-6, atol: 1e-6 });
  });
  it('random symmetric A (planted spectrum), c₁ = 0.5, c₂ = 2', () => {
    const rng = new Rng(14);
    const Q = randomOrthogonal(rng, 4);
    const lam = [1.2, -0.8, 0.1, -2];
    const r = redexRegularizer([fromSpectrum(Q, lam)], 0.5, 2);
    const expected = 0.5 * lam.reduce((s, l) => s + Math.abs(l), 0) + 2 * lam.reduce((s, l) => s + l * l, 0);
    expect(r.value).toBeCloseRel(expected, 1e-6);
  });
});

describe('RedEx layer training', () => {
  const rng = new Rng(21);
  const N = 60;
  const d = 5;
  const X = Matrix.fromArray(N, d, rng.normalArray(N * d));

  it('k = 1: the trace-norm prox solver and the general SDP solver (Schur-complement form) agree to 1e-6', () => {
    // tiny instance: N = 6, d = 2; min s + λ₁(tr P + tr Q) with A = P − Q, [[I, r],[rᵀ, 2s]] ⪰ 0, r_t = x_tᵀAx_t − y_t
    const r2 = new Rng(22);
    const n = 6;
    const Xs = Matrix.fromArray(n, 2, r2.normalArray(2 * n));
    const y = Array.from({ length: n }, (_, t) => Xs.get(t, 0) * Xs.get(t, 1) + 0.3 * r2.normal());
    const lambda1 = 0.4;
    const prox = traceNormRegression(Xs, y, { lambda1, tol: 1e-12 });
    const CT = Matrix.zeros(n + 1, n + 1);
    CT.set(n, n, 0.5);
    const constraints: SdpProblem['constraints'] = [];
    for (let a = 0; a < n; a++) for (let b = a; b < n; b++) constraints.push({ terms: [{ block: 2, i: a, j: b, value: 1 }], rhs: a === b ? 1 : 0 });
    for (let t = 0; t < n; t++) {
      const x0 = Xs.get(t, 0);
      const x1 = Xs.get(t, 1);
      const q = [[0, 0, x0 * x0], [1, 1, x1 * x1], [0, 1, 2 * x0 * x1]] as const;
      constraints.push({
        terms: [{ block: 2, i: t, j: n, value: 1 }, ...q.map(([i, j, v]) => ({ block: 0, i, j, value: -v })), ...q.map(([i, j, v]) => ({ block: 1, i, j, value: v }))],
        rhs: -y[t],
      });
    }
    const sdp = solveSdp(
      { blocks: [{ kind: 'psd', size: 2 }, { kind: 'psd', size: 2 }, { kind: 'psd', size: n + 1 }], C: [Matrix.from([[lambda1, 0], [0, lambda1]]), Matrix.from([[lambda1, 0], [0, lambda1]]), CT], constraints },
      { tol: 1e-10, maxIterations: 50000 },
    );
    expect(sdp.status).toBe('optimal');
    expect(sdp.objective).toBeCloseRel(prox.objective, 1e-6);
    const A = diff(sdp.X[0] as Matrix, sdp.X[1] as Matrix);
    expect(A.data).toAllClose(prox.A.data, { rtol: 1e-4, atol: 1e-5 });
    // the library's builder gives the same problem
    const built = traceNormAsSdp(Xs, y, lambda1);
    const res2 = solveSdp(built.problem, { tol: 1e-10, maxIterations: 50000 });
    expect(res2.objective).toBeCloseRel(prox.objective, 1e-6);
    expect(built.toA(res2).data).toAllClose(prox.A.data, { rtol: 1e-4, atol: 1e-5 });
  });

  it('F5: round trip (A, R) → (V, P): orthogonal rows, ‖V‖_F² = tr R, ‖P_i‖_sp ≤ 1, output = xᵀA_i x on fresh x (k = 3, width 3)', () => {
    const Y = Matrix.zeros(N, 3);
    for (let t = 0; t < N; t++) {
      Y.set(t, 0, X.get(t, 0) * X.get(t, 1));
      Y.set(t, 1, X.get(t, 2) ** 2 - X.get(t, 3) ** 2);
      Y.set(t, 2, X.get(t, 4) * X.get(t, 0) + 0.1 * rng.normal());
    }
    const res = fitRedexLayer(X, Y, { lambda1: 0.5, width: 3 });
    expect(res.solver).toBe('admm');
    expect(res.status).toBe('optimal');
    expect(res.certificate.value).toBeLessThanOrEqual(1e-8 * Math.max(1, res.objective));
    const { V, P, A, R } = res.layer;
    // feasibility: R ± A_i ⪰ 0, tr R ≤ τ
    for (const Ai of A) for (const s of [1, -1]) expect(symEig(Matrix.fromArray(d, d, R.data.map((v, q) => v - s * Ai.data[q]))).values[0]).toBeGreaterThan(-1e-9);
    let trR = 0;
    for (let i = 0; i < d; i++) trR += R.get(i, i);
    expect(trR).toBeLessThanOrEqual(3 + 1e-9);
    const VVt = Matrix.zeros(V.rows, V.rows);
    let vf = 0;
    for (let a = 0; a < V.rows; a++) for (let b = 0; b < V.rows; b++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += V.get(a, c) * V.get(b, c);
      VVt.set(a, b, s);
      if (a === b) vf += s;
      else expect(Math.abs(s)).toBeLessThan(1e-9);
    }
    expect(vf).toBeCloseRel(trR, 1e-9);
    for (const Pi of P) expect(Math.max(...symEig(Pi).values.map(Math.abs))).toBeLessThanOrEqual(1 + 1e-6);
    const Xf = Matrix.fromArray(10, d, rng.normalArray(10 * d));
    const out = redexForward(res.layer, Xf);
    A.forEach((Ai, i) => expect(Array.from({ length: 10 }, (_, t) => out.get(t, i))).toAllClose(quadForms(Xf, Ai), { rtol: 1e-8, atol: 1e-9 }));
  });

  it('F6: trace-norm regression recovers a planted rank-2 quadratic from Gaussian samples', () => {
    const Q = randomOrthogonal(rng, d);
    const Astar = fromSpectrum(Q, [2, -1, 0, 0, 0]);
    const y = quadForms(X, Astar);
    const res = fitRedexLayer(X, y, { lambda1: 1e-3 });
    expect(res.solver).toBe('prox');
    expect(fro(diff(res.layer.A[0], Astar)) / fro(Astar)).toBeLessThan(1e-3);
    expect(res.rank).toBe(2);
  });

  it('F6: planted 2-parity on {±1}^d (centred y) is recovered as (e_a e_bᵀ + e_b e_aᵀ)/2', () => {
    const n = 80;
    const dd = 6;
    const H = Matrix.fromArray(n, dd, Array.from({ length: n * dd }, () => (rng.uniform() < 0.5 ? -1 : 1)));
    const y = Array.from({ length: n }, (_, t) => H.get(t, 1) * H.get(t, 4));
    const res = fitRedexLayer(H, y, { lambda1: 1e-3 });
    const expected = Matrix.zeros(dd, dd);
    expected.set(1, 4, 0.5);
    expected.set(4, 1, 0.5);
    expect(res.layer.A[0].data).toAllClose(expected.data, { rtol: 0, atol: 2e-3 });
  });

  it('F8: the constrained optimum is non-increasing in τ and reaches zero loss once τ ≥ ‖A*‖_Tr', () => {
    const Astar = fromSpectrum(randomOrthogonal(rng, d), [1, -0.5, 0, 0, 0]); // ‖A*‖_Tr = 1.5
    const y = quadForms(X, Astar);
    let prev = Infinity;
    for (const tau of [0.25, 0.5, 1, 1.5, 2]) {
      const res = fitRedexLayer(X, y, { lambda1: 0, width: tau, tol: 1e-9 });
      expect(res.status).toBe('optimal');
      expect(res.objective).toBeLessThanOrEqual(prev + 1e-9);
      prev = res.objective;
      if (tau >= 1.5) expect(res.objective).toBeLessThan(1e-7);
      else expect(res.objective).toBeGreaterThan(1e-3);
    }
  });

  it('bad input ⇒ typed errors', () => {
    const y = new Float64Array(N);
    expect(() => fitRedexLayer(X, y.subarray(1), { lambda1: 1 })).toThrow(/60 rows but the targets have 59/);
    expect(() => fitRedexLayer(X, Matrix.zeros(N, 2), { lambda1: 1, solver: 'prox' })).toThrow(/prox solver handles one output/);
    expect(() => fitRedexLayer(X, y, { lambda1: 1, width: -1 })).toThrow(/width/);
    expect(() => fitRedexLayer(X, y, { lambda1: 0 })).toThrow(/not regularised/);
    expect(() => fitRedexLayer(X, y, { lambda1: 1, solver: 'magic' as 'prox' })).toThrow(/solver/);
    expect(() => recoverRedex([Matrix.eye(2)], Matrix.eye(3))).toThrow(CvxnnError);
    expect(() => redexNorm([Matrix.from([[0, 1], [0, 0]])])).toThrow(/symmetric/);
    expect(() => fitRedexNetwork([], { lambda1: 1 })).toThrow(/one batch/);
  });
});

describe('multi-layer RedEx, layer by layer on fresh samples', () => {
  it('two layers fit y = x₁x₂ + x₃x₄ + x₁x₂x₃x₄ on {±1}^8 (uniform); one quadratic layer cannot reach the 4-parity', () => {
    // y = q(z) with z = x₁x₂ + x₃x₄ and q(z) = (z² + 2z)/2 − 1 (z ∈ {−2, 0, 2}); the 4-parity part is
    // orthogonal to every degree-≤2 polynomial, so the best single layer leaves variance 1 of 3
    const rng = new Rng(31);
    const d = 8;
    const sample = (n: number) => {
      const X = Matrix.zeros(n, d);
      for (let t = 0; t < n; t++) for (let j = 0; j < d; j++) X.set(t, j, rng.uniform() < 0.5 ? 1 : -1);
      const y = Array.from({ length: n }, (_, t) => {
        const a = X.get(t, 0) * X.get(t, 1);
        const b = X.get(t, 2) * X.get(t, 3);
        return a + b + a * b;
      });
      return { X, y };
    };
    const batches = [sample(600), sample(150)];
    const test = sample(300);
    const mse = (pred: Matrix) => test.y.reduce((s, v, t) => s + (pred.get(t, 0) - v) ** 2, 0) / test.y.length;
    const two = fitRedexNetwork(batches, { lambda1: 1e-3, tol: 1e-6, layerOptions: [{ lambda1: 30 }] });
    const one = fitRedexNetwork([batches[0]], { lambda1: 30, tol: 1e-6 });
    expect(two.results.every((r) => r.status === 'optimal')).toBe(true);
    // population variance of y is 3; the 4-parity part alone has variance 1
    expect(mse(redexNetworkForward(two.network, test.X))).toBeLessThan(0.3);
    expect(mse(redexNetworkForward(one.network, test.X))).toBeGreaterThan(0.8);
  });
});
