import { CvxnnError, Matrix, Rng } from '@cvxnn/linalg';
import highsModule from 'highs';
import { describe, expect, it } from 'vitest';
import { denseTerms, projectPsd, solveSdp, symEig, type SdpProblem } from '../src/index.js';

type Loader = typeof highsModule.default;
const highsLoader: Loader = ((highsModule as unknown as { default?: Loader }).default ?? highsModule) as Loader;

/** Max-cut SDP relaxation max ¼ΣW_ij(1 − X_ij) over X ⪰ 0, diag X = 1, written as min ⟨−L/4, X⟩ + const. */
function maxCutProblem(n: number, edges: Array<[number, number]>): SdpProblem {
  const C = Matrix.zeros(n, n);
  for (const [a, b] of edges) {
    // ¼ Σ_{edges} (1 − X_ab) · 2 (both orders) /2 = ¼ Σ_{(a,b)∈E} (X_aa + X_bb − 2X_ab)/… use L/4
    C.set(a, a, C.get(a, a) - 0.25);
    C.set(b, b, C.get(b, b) - 0.25);
    C.set(a, b, C.get(a, b) + 0.25);
    C.set(b, a, C.get(b, a) + 0.25);
  }
  return {
    blocks: [{ kind: 'psd', size: n }],
    C: [C],
    constraints: Array.from({ length: n }, (_, i) => ({ terms: [{ block: 0, i, j: i, value: 1 }], rhs: 1 })),
  };
}

describe('solveSdp: standard SDPs with known optima', () => {
  it('max-cut of the 5-cycle: ¼ΣW(1 − X) = (n/4)λ_max(L) = (25 + 5√5)/8 (vertex-transitive graph)', () => {
    const n = 5;
    const edges: Array<[number, number]> = [[0, 1], [1, 2], [2, 3], [3, 4], [4, 0]];
    const res = solveSdp(maxCutProblem(n, edges));
    expect(res.status).toBe('optimal');
    // on diag X = 1, ¼Σ_{edges}(1 − X_ab) = ¼⟨L, X⟩ = −⟨C, X⟩; circulant Laplacian eigenvalues 2 − 2cos(2πk/n)
    const lmax = Math.max(...Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos((2 * Math.PI * k) / n)));
    expect(-res.objective).toBeCloseRel((n / 4) * lmax, 1e-6);
    expect(-res.objective).toBeCloseRel((25 + 5 * Math.sqrt(5)) / 8, 1e-6);
    expect(-res.dualObjective).toBeCloseRel((25 + 5 * Math.sqrt(5)) / 8, 1e-6);
    const X = res.X[0] as Matrix;
    for (let i = 0; i < n; i++) expect(X.get(i, i)).toBeCloseRel(1, 1e-6);
    expect(symEig(X).values[0]).toBeGreaterThan(-1e-8);
  });
  it('max-cut of K_n: L = nI − J has λ_max = n, so the value is n²/4 (K_4 → 4, K_5 → 6.25)', () => {
    for (const n of [4, 5]) {
      const edges: Array<[number, number]> = [];
      for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) edges.push([a, b]);
      const res = solveSdp(maxCutProblem(n, edges));
      expect(res.status).toBe('optimal');
      expect(-res.objective).toBeCloseRel((n * n) / 4, 1e-6);
    }
  });
  it('nearest correlation matrix (Schur-complement form) agrees with Higham alternating projections', () => {
    const G = Matrix.from([[1, 0.9, 0.7], [0.9, 1, -0.9], [0.7, -0.9, 1]]); // not PSD
    const n = 3;
    // Higham (2002): Dykstra-corrected alternating projections onto S_+ and {diag = 1}
    let Y = G.clone();
    let dS = Matrix.zeros(n, n);
    for (let it = 0; it < 20000; it++) {
      const Rk = Matrix.zeros(n, n);
      for (let q = 0; q < n * n; q++) Rk.data[q] = Y.data[q] - dS.data[q];
      const Xk = projectPsd(Rk);
      dS = Matrix.zeros(n, n);
      for (let q = 0; q < n * n; q++) dS.data[q] = Xk.data[q] - Rk.data[q];
      Y = Xk.clone();
      for (let i = 0; i < n; i++) Y.set(i, i, 1);
    }
    let higham = 0;
    for (let q = 0; q < n * n; q++) higham += (Y.data[q] - G.data[q]) ** 2;
    // SDP: blocks X (3×3 PSD) and T = [[I_6, v],[vᵀ, t]] ⪰ 0 (t ≥ ‖v‖²), v = weighted entries of X − G
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) pairs.push([i, j]);
    const m = pairs.length;
    const CT = Matrix.zeros(m + 1, m + 1);
    CT.set(m, m, 1);
    const constraints: SdpProblem['constraints'] = [];
    for (let i = 0; i < n; i++) constraints.push({ terms: [{ block: 0, i, j: i, value: 1 }], rhs: 1 });
    for (let a = 0; a < m; a++) for (let b = a; b < m; b++) constraints.push({ terms: [{ block: 1, i: a, j: b, value: 1 }], rhs: a === b ? 1 : 0 });
    pairs.forEach(([i, j], a) => {
      const w = i === j ? 1 : Math.SQRT2; // ‖X − G‖_F² = Σ_a v_a²
      constraints.push({ terms: [{ block: 1, i: a, j: m, value: 1 }, { block: 0, i, j, value: -w }], rhs: -w * G.get(i, j) });
    });
    const res = solveSdp({ blocks: [{ kind: 'psd', size: n }, { kind: 'psd', size: m + 1 }], C: [null, CT], constraints }, { tol: 1e-10 });
    expect(res.status).toBe('optimal');
    expect(res.objective).toBeCloseRel(higham, 1e-6);
    expect((res.X[0] as Matrix).data).toAllClose(Y.data, { rtol: 1e-5, atol: 1e-5 });
  });
  it('small LPs as diagonal SDPs (nonneg blocks, ≤/≥ rows) match HiGHS', async () => {
    const highs = await highsLoader();
    const rng = new Rng(7);
    for (let trial = 0; trial < 4; trial++) {
      const nv = 5;
      const nc = 3;
      const c = Array.from({ length: nv }, () => rng.uniform() + 0.1);
      const A = Array.from({ length: nc }, () => Array.from({ length: nv }, () => rng.uniform()));
      const b = Array.from({ length: nc }, () => 1 + rng.uniform());
      // min cᵀx s.t. A x ≥ b, x ≥ 0, plus Σx ≤ 100 (a ≤ row)
      const fmt = (v: number) => v.toPrecision(17);
      const lp = ['Minimize', ' obj: ' + c.map((v, i) => `+ ${fmt(v)} x${i}`).join(' '), 'Subject To'];
      A.forEach((row, r) => lp.push(` c${r}: ` + row.map((v, i) => `+ ${fmt(v)} x${i}`).join(' ') + ` >= ${fmt(b[r])}`));
      lp.push(' cap: ' + c.map((_, i) => `+ x${i}`).join(' ') + ' <= 100', 'End');
      const sol = highs.solve(lp.join('\n'), { output_flag: false });
      expect(sol.Status).toBe('Optimal');
      const res = solveSdp({
        blocks: [{ kind: 'nonneg', size: nv }],
        C: [c],
        constraints: [
          ...A.map((row, r) => ({ terms: row.map((v, i) => ({ block: 0, i, j: i, value: v })), rhs: b[r], sense: 'geq' as const })),
          { terms: c.map((_, i) => ({ block: 0, i, j: i, value: 1 })), rhs: 100, sense: 'leq' as const },
        ],
      });
      expect(res.status).toBe('optimal');
      expect(res.objective).toBeCloseRel(sol.ObjectiveValue, 1e-6);
    }
  });
  it('the certificate is consistent: objective − dualObjective matches the reported gap, residuals small', () => {
    const res = solveSdp(maxCutProblem(4, [[0, 1], [1, 2], [2, 3]]));
    const rel = Math.abs(res.objective - res.dualObjective) / (1 + Math.abs(res.objective) + Math.abs(res.dualObjective));
    expect(res.gap).toBeCloseRel(rel, 1e-12, 1e-15);
    expect(res.primalResidual).toBeLessThan(1e-8);
    expect(res.dualResidual).toBeLessThan(1e-8);
    // path graph P4 is bipartite: the SDP is tight at the max cut = 3 edges
    expect(-res.objective).toBeCloseRel(3, 1e-6);
  });
  it('a warm start from the solution needs fewer iterations', () => {
    const p = maxCutProblem(5, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 0]]);
    const cold = solveSdp(p);
    const warm = solveSdp(p, { warmStart: cold });
    expect(warm.iterations).toBeLessThan(cold.iterations);
    expect(warm.objective).toBeCloseRel(cold.objective, 1e-7);
  });
  it('denseTerms builds ⟨M, X⟩: tr X = 1 with min ⟨C, X⟩ gives λ_min(C)', () => {
    const C = Matrix.from([[2, 1, 0], [1, 3, 1], [0, 1, 4]]);
    const res = solveSdp({ blocks: [{ kind: 'psd', size: 3 }], C: [C], constraints: [{ terms: denseTerms(0, Matrix.eye(3)), rhs: 1 }] });
    // λ_min of this tridiagonal matrix is 3 − √3
    expect(res.objective).toBeCloseRel(3 - Math.sqrt(3), 1e-6);
  });
});

describe('solveSdp: infeasibility and unboundedness (Farkas directions of the diverging iterates)', () => {
  it('X ⪰ 0 with X_00 = −1 is infeasible (y = −1 certifies: bᵀy = 1 > 0, 𝒜*y = −e₀e₀ᵀ ⪯ 0)', () => {
    const r = solveSdp({ blocks: [{ kind: 'psd', size: 2 }], C: [Matrix.eye(2)], constraints: [{ terms: [{ block: 0, i: 0, j: 0, value: 1 }], rhs: -1 }] });
    expect(r.status).toBe('infeasible');
  });
  it('an LP with x ≥ 0 and x₀ + x₁ ≤ −1 is infeasible', () => {
    const r = solveSdp({ blocks: [{ kind: 'nonneg', size: 2 }], C: [[1, 1]], constraints: [{ terms: [{ block: 0, i: 0, j: 0, value: 1 }, { block: 0, i: 1, j: 1, value: 1 }], rhs: -1, sense: 'leq' }] });
    expect(r.status).toBe('infeasible');
  });
  it('min −X_00 s.t. X_11 = 1, X ⪰ 0 is unbounded (direction e₀e₀ᵀ)', () => {
    const r = solveSdp({ blocks: [{ kind: 'psd', size: 2 }], C: [Matrix.from([[-1, 0], [0, 0]])], constraints: [{ terms: [{ block: 0, i: 1, j: 1, value: 1 }], rhs: 1 }] });
    expect(r.status).toBe('unbounded');
  });
});

describe('solveSdp: bad input ⇒ typed errors', () => {
  const ok = maxCutProblem(3, [[0, 1]]);
  it('non-symmetric C', () => {
    expect(() => solveSdp({ ...ok, C: [Matrix.from([[0, 1, 0], [0, 0, 0], [0, 0, 0]])] })).toThrow(/symmetric/);
  });
  it('dimension mismatches', () => {
    expect(() => solveSdp({ ...ok, C: [Matrix.eye(2)] })).toThrow(/2×2 but block 0 is 3×3/);
    expect(() => solveSdp({ ...ok, C: [] })).toThrow(/0 blocks/);
    expect(() => solveSdp({ ...ok, constraints: [{ terms: [{ block: 0, i: 3, j: 0, value: 1 }], rhs: 1 }] })).toThrow(/outside block 0/);
    expect(() => solveSdp({ ...ok, constraints: [{ terms: [{ block: 2, i: 0, j: 0, value: 1 }], rhs: 1 }] })).toThrow(/block 2/);
  });
  it('NaN data, empty constraints, dependent rows, bad options', () => {
    expect(() => solveSdp({ ...ok, constraints: [{ terms: [{ block: 0, i: 0, j: 0, value: NaN }], rhs: 1 }] })).toThrow(/NaN/);
    expect(() => solveSdp({ ...ok, constraints: [] })).toThrow(/no constraints/);
    const dup = { terms: [{ block: 0, i: 0, j: 0, value: 1 }], rhs: 1 };
    expect(() => solveSdp({ ...ok, constraints: [dup, dup] })).toThrow(/linearly dependent/);
    expect(() => solveSdp(ok, { relaxation: 2 })).toThrow(/relaxation/);
    expect(() => solveSdp({ ...ok, constraints: [{ terms: [], rhs: 1 }] })).toThrow(CvxnnError);
    try {
      solveSdp({ ...ok, constraints: [{ terms: [], rhs: 1 }] });
    } catch (e) {
      expect((e as CvxnnError).code).toBe('INFEASIBLE');
    }
  });
});
