import { Matrix, Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { fitRedexLayer, quadForms, redexObjective, solveSdp, symEig, type LinearConstraint, type SdpProblem } from '../src/index.js';

/**
 * The RedEx layer SDP of SPEC §6.2 for k outputs, written independently of the library's splitting
 * solver as a standard-form SDP for `solveSdp` (λ₂ = 0):
 *
 *   blocks P_i = R − A_i ⪰ 0, Q_i = R + A_i ⪰ 0 (i = 1..k), T = [[I, r], [rᵀ, 2s]] ⪰ 0 (so s ≥ ½‖r‖²)
 *   A_i = (Q_i − P_i)/2, R = (P_i + Q_i)/2 (rows P_i + Q_i = P_1 + Q_1), tr R ≤ τ,
 *   r_(t,i) = x_tᵀ A_i x_t − y_ti,  objective s + λ₁ tr R.
 */
function layerSdp(X: Matrix, Y: Matrix, lambda1: number, tau: number): { problem: SdpProblem; decode: (Xs: Array<Matrix | Float64Array>) => { A: Matrix[]; R: Matrix } } {
  const N = X.rows;
  const d = X.cols;
  const k = Y.cols;
  const m = N * k;
  const blocks: SdpProblem['blocks'] = [];
  for (let i = 0; i < 2 * k; i++) blocks.push({ kind: 'psd', size: d });
  blocks.push({ kind: 'psd', size: m + 1 });
  const T = 2 * k;
  const C: SdpProblem['C'] = blocks.map(() => null);
  // λ₁ tr R = (λ₁/2)(tr P_1 + tr Q_1)
  const half = Matrix.zeros(d, d);
  for (let a = 0; a < d; a++) half.set(a, a, lambda1 / 2);
  C[0] = half;
  C[1] = half;
  const CT = Matrix.zeros(m + 1, m + 1);
  CT.set(m, m, 0.5);
  C[T] = CT;
  const constraints: LinearConstraint[] = [];
  for (let a = 0; a < m; a++) for (let b = a; b < m; b++) constraints.push({ terms: [{ block: T, i: a, j: b, value: 1 }], rhs: a === b ? 1 : 0 });
  for (let i = 0; i < k; i++) {
    for (let t = 0; t < N; t++) {
      // T[(t,i), m] − ½⟨x xᵀ, Q_i⟩ + ½⟨x xᵀ, P_i⟩ = −y_ti   (off-diagonal terms address X_ab once)
      const terms = [{ block: T, i: t * k + i, j: m, value: 1 }];
      for (let a = 0; a < d; a++) for (let b = a; b < d; b++) {
        const w = (a === b ? 1 : 2) * X.get(t, a) * X.get(t, b) * 0.5;
        terms.push({ block: 2 * i + 1, i: a, j: b, value: -w }, { block: 2 * i, i: a, j: b, value: w });
      }
      constraints.push({ terms, rhs: -Y.get(t, i) });
    }
  }
  for (let i = 1; i < k; i++) {
    for (let a = 0; a < d; a++) for (let b = a; b < d; b++) {
      constraints.push({
        terms: [
          { block: 2 * i, i: a, j: b, value: 1 },
          { block: 2 * i + 1, i: a, j: b, value: 1 },
          { block: 0, i: a, j: b, value: -1 },
          { block: 1, i: a, j: b, value: -1 },
        ],
        rhs: 0,
      });
    }
  }
  const trTerms = [];
  for (let a = 0; a < d; a++) trTerms.push({ block: 0, i: a, j: a, value: 0.5 }, { block: 1, i: a, j: a, value: 0.5 });
  constraints.push({ terms: trTerms, rhs: tau, sense: 'leq' });
  const decode = (Xs: Array<Matrix | Float64Array>) => {
    const P0 = Xs[0] as Matrix;
    const Q0 = Xs[1] as Matrix;
    const R = Matrix.zeros(d, d);
    for (let q = 0; q < d * d; q++) R.data[q] = 0.5 * (P0.data[q] + Q0.data[q]);
    const A = Array.from({ length: k }, (_, i) => {
      const P = Xs[2 * i] as Matrix;
      const Q = Xs[2 * i + 1] as Matrix;
      const Ai = Matrix.zeros(d, d);
      for (let q = 0; q < d * d; q++) Ai.data[q] = 0.5 * (Q.data[q] - P.data[q]);
      return Ai;
    });
    return { A, R };
  };
  return { problem: { blocks, C, constraints }, decode };
}

describe('RedEx layer SDP for k > 1: the splitting solver vs the general SDP solver (SPEC §6.2)', () => {
  // k = 2 outputs whose unconstrained fits need tr R above the budget, so both λ₁ and τ matter
  const rng = new Rng(61);
  const N = 7;
  const d = 3;
  const k = 2;
  const X = Matrix.fromArray(N, d, rng.normalArray(N * d));
  const Y = Matrix.zeros(N, k);
  for (let t = 0; t < N; t++) {
    Y.set(t, 0, X.get(t, 0) * X.get(t, 1) + 0.2 * rng.normal());
    Y.set(t, 1, X.get(t, 2) ** 2 - X.get(t, 0) ** 2 + 0.2 * rng.normal());
  }

  for (const [lambda1, tau] of [[0.3, 1.2], [0.05, 100]] as const) {
    it(`λ₁ = ${lambda1}, τ = ${tau}: same optimum to 1e-6, the same fitted values, a feasible (A, R)`, () => {
      const admm = fitRedexLayer(X, Y, { lambda1, width: tau, solver: 'admm', tol: 1e-10, maxIterations: 200000 });
      expect(admm.status).toBe('optimal');
      const { problem, decode } = layerSdp(X, Y, lambda1, tau);
      const sdp = solveSdp(problem, { tol: 1e-10, maxIterations: 100000 });
      expect(sdp.status).toBe('optimal');
      expect(admm.objective).toBeCloseRel(sdp.objective, 1e-6);
      const { A, R } = decode(sdp.X);
      // the SDP's point evaluated by the library's own objective is the same number
      expect(redexObjective(X, Y, A, R, lambda1, 0).objective).toBeCloseRel(sdp.objective, 1e-6);
      // the data term is strictly convex in the N·k fitted values, so those are unique even where the
      // matrices A_i need not be (they are only when the x_t x_tᵀ span S^d): compare fitted values
      for (let i = 0; i < k; i++) {
        expect(Array.from(quadForms(X, admm.layer.A[i]))).toAllClose(Array.from(quadForms(X, A[i])), { rtol: 1e-4, atol: 1e-5 });
      }
      // feasibility of the library's point: R ± A_i ⪰ 0, tr R ≤ τ
      let trR = 0;
      for (let a = 0; a < d; a++) trR += admm.layer.R.get(a, a);
      expect(trR).toBeLessThanOrEqual(tau + 1e-8);
      for (const Ai of admm.layer.A) {
        for (const s of [1, -1]) {
          const M = Matrix.fromArray(d, d, admm.layer.R.data.map((v, q) => v - s * Ai.data[q]));
          expect(symEig(M).values[0]).toBeGreaterThan(-1e-8);
        }
      }
      if (tau < 10) expect(trR).toBeCloseRel(tau, 1e-5); // the budget binds in the first case
    });
  }
});

describe('reported rank of a first-order (ADMM) layer solve', () => {
  it('planted A₁ = diag(2, −1, 0, 0), A₂ = (e₀e₁ᵀ + e₁e₀ᵀ)/2: R* = diag(2, 1, 0, 0) has rank 2, and rank 2 is reported', () => {
    const rng = new Rng(62);
    const N = 60;
    const X = Matrix.fromArray(N, 4, rng.normalArray(N * 4));
    const Y = Matrix.zeros(N, 2);
    for (let t = 0; t < N; t++) {
      Y.set(t, 0, 2 * X.get(t, 0) ** 2 - X.get(t, 1) ** 2 + 0.01 * rng.normal());
      Y.set(t, 1, X.get(t, 0) * X.get(t, 1) + 0.01 * rng.normal());
    }
    const res = fitRedexLayer(X, Y, { lambda1: 0.1, width: 3, solver: 'admm', tol: 1e-7 });
    expect(res.status).toBe('optimal');
    const rho = Array.from(symEig(res.layer.R).values).sort((a, b) => b - a);
    // A₂ is dominated by diag(2, 1) (R ± A₂ ⪰ 0 on the first two coordinates), so R* = |A₁| shrunk slightly by λ₁
    expect(rho[0]).toBeCloseRel(2, 1e-2);
    expect(rho[1]).toBeCloseRel(1, 1e-2);
    expect(res.rank).toBe(2);
    // (V, P) keep every positive eigenvalue, so the layer still reproduces A_i exactly
    expect(res.layer.V.rows).toBeGreaterThanOrEqual(2);
  });
});
