import { Matrix, PatternMasks, Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { coneOperator, dataLoss, gatedProblem, IPM_MAX_N, ipmUnsupported, reluProblem, socStep, solve, solveIpm, type SolveResult } from '../src/index.js';
import { randn } from './helpers.js';

const gapOf = (r: SolveResult) => r.certificate.absolute ?? r.certificate.value * Math.abs(r.objective);

/** min over the cone rows of (2D_i − I) X u for every v_i and w_i (≥ 0 when feasible) */
function minConeRow(X: Matrix<Float64Array>, masks: PatternMasks, x: Float64Array): number {
  const A = coneOperator(X, masks);
  const out = new Float64Array(A.outDim);
  A.apply(x, out);
  return Math.min(...out);
}

function random(seed: number, n: number, d: number, P: number) {
  const rng = new Rng(seed);
  const X = randn(rng, n, d);
  const masks = PatternMasks.fromGates(X, randn(rng, d, P));
  const y = Matrix.fromArray(n, 1, Array.from({ length: n }, (_, j) => Math.sin(2 * X.get(j, 0)) + 0.3 * X.get(j, 1) + 0.05 * rng.normal()));
  return { X, masks, y };
}

describe('socStep: the largest α with a + α·da in the second-order cone (closed forms)', () => {
  it('a ray to the apex, a ray along the boundary, a ray into the cone, a start on the boundary', () => {
    // (1, 0) − α(1, 0) reaches the apex at α = 1
    expect(socStep(Float64Array.of(1, 0), Float64Array.of(-1, 0), 0, 2)).toBeCloseTo(1, 14);
    // (2, 1, 0) + α(0, 1, 0): 2 = 1 + α ⇒ α = 1
    expect(socStep(Float64Array.of(2, 1, 0), Float64Array.of(0, 1, 0), 0, 3)).toBeCloseTo(1, 14);
    // (2, 0, 0) + α(0, 1, 1): 2 = α√2 ⇒ α = √2
    expect(socStep(Float64Array.of(2, 0, 0), Float64Array.of(0, 1, 1), 0, 3)).toBeCloseTo(Math.SQRT2, 14);
    // a direction inside the cone never leaves it
    expect(socStep(Float64Array.of(1, 0.5), Float64Array.of(1, 0), 0, 2)).toBe(Infinity);
    // a block at an offset reads only its own entries
    expect(socStep(Float64Array.of(9, 9, 2, 1, 0), Float64Array.of(0, 0, 0, 1, 0), 2, 3)).toBeCloseTo(1, 14);
    // on the boundary already: no step
    expect(socStep(Float64Array.of(1, 1), Float64Array.of(0, 1), 0, 2)).toBe(0);
  });
});

describe('the interior-point solver (ipm)', () => {
  it('gated ReLU: the IPM alone certifies, and agrees with newton and fista within their gaps', () => {
    const { X, masks, y } = random(3, 60, 4, 12);
    const problem = gatedProblem(X, masks, dataLoss('squared', 'sum', y), 0.05);
    const r = solve(problem, { solver: 'ipm', tol: 1e-8 });
    expect(r.status).toBe('optimal');
    // no hand-over: the interior-point iterations reached the tolerance themselves
    expect(r.solver).toMatch(/^ipm \(\d+ it\)$/);
    expect(r.iterations).toBeLessThan(60);
    for (const other of ['newton', 'fista']) {
      const o = solve(problem, { solver: other, tol: 1e-10 });
      expect(Math.abs(o.objective - r.objective), other).toBeLessThanOrEqual(gapOf(o) + gapOf(r) + 1e-13 * r.objective);
    }
  });

  it('C-ReLU at small λ: certified, exactly feasible, the same optimum as fista', () => {
    const { X, masks, y } = random(5, 50, 3, 10);
    const problem = reluProblem(X, masks, dataLoss('squared', 'sum', y), 0.01);
    const r = solveIpm(problem, { tol: 1e-8 });
    expect(r.status).toBe('optimal');
    expect(r.certificate.value).toBeLessThanOrEqual(1e-8);
    expect(minConeRow(X, masks, r.x)).toBeGreaterThanOrEqual(-1e-12);
    const f = solve(problem, { solver: 'fista', tol: 1e-9, maxIters: 200000 });
    expect(f.status).toBe('optimal');
    expect(Math.abs(f.objective - r.objective)).toBeLessThanOrEqual(gapOf(f) + gapOf(r) + 1e-13 * r.objective);
    // auto's staged form (R-FISTA probe, then the IPM) reaches the same optimum
    const st = solve(problem, { solver: 'fista-ipm', tol: 1e-8 });
    expect(st.status).toBe('optimal');
    expect(Math.abs(st.objective - r.objective)).toBeLessThanOrEqual(gapOf(st) + gapOf(r) + 1e-13 * r.objective);
    // the reported penalty is λ Σ (‖v_i‖ + ‖w_i‖) of the returned point, recomputed here
    const d = 3;
    const P = 10;
    let pen = 0;
    for (let part = 0; part < 2; part++) {
      for (let i = 0; i < P; i++) {
        let q = 0;
        for (let k = 0; k < d; k++) q += r.x[part * d * P + k * P + i] ** 2;
        pen += Math.sqrt(q);
      }
    }
    expect(r.penalty).toBeCloseRel(0.01 * pen, 1e-12);
  });

  it('the active-face polish certifies where the IPM stalls: more free directions than rows (m > n), λ = 1e-4', () => {
    // 2P·d = 300 directions over n = 50 rows: the face program is flat along whole subspaces, and
    // an uncut Newton step on it runs into cone rows (before the step cut, this ended at 1.1e-6
    // after an R-FISTA hand-over)
    for (const [seed, n, d, P, lambda] of [
      [3, 50, 6, 25, 1e-4],
      [4, 80, 5, 40, 1e-3],
    ]) {
      const rng = new Rng(seed);
      const X = randn(rng, n, d);
      const masks = PatternMasks.fromGates(X, randn(rng, d, P));
      const y = Matrix.fromArray(n, 1, Array.from({ length: n }, (_, j) => Math.sin(2 * X.get(j, 0)) + 0.3 * X.get(j, 1) + 0.05 * rng.normal()));
      const problem = reluProblem(X, masks, dataLoss('squared', 'sum', y), lambda);
      const r = solveIpm(problem, { tol: 1e-12, maxIters: 400 });
      expect(r.status, `seed ${seed}`).toBe('optimal');
      expect(r.solver).toMatch(/^ipm \(\d+ it\)$/);
      expect(r.certificate.value).toBeLessThanOrEqual(1e-12);
      expect(minConeRow(X, masks, r.x)).toBeGreaterThanOrEqual(-1e-12);
      // a second algorithm brackets p*: R-FISTA's feasible point is above it, its dual bound below
      const f = solve(problem, { solver: 'fista', tol: 1e-12, maxIters: 3000 });
      expect(minConeRow(X, masks, f.x)).toBeGreaterThanOrEqual(-1e-12);
      expect(r.objective).toBeLessThanOrEqual(f.objective + 1e-13 * f.objective);
      expect(r.objective).toBeGreaterThanOrEqual(f.objective - gapOf(f) - 1e-13 * f.objective);
    }
  });

  it('mean-scaled loss and unscaled targets give the same network up to the scale (internal units are invisible)', () => {
    const { X, masks, y } = random(7, 40, 3, 8);
    const big = Matrix.fromArray(40, 1, Array.from(y.data, (v) => 1000 * v));
    const a = solveIpm(reluProblem(X, masks, dataLoss('squared', 'mean', y), 1e-3), { tol: 1e-9 });
    const b = solveIpm(reluProblem(X, masks, dataLoss('squared', 'mean', big), 1), { tol: 1e-9 });
    expect(a.status).toBe('optimal');
    expect(b.status).toBe('optimal');
    // objective(1000 y, 1000 λ) = 1000² objective(y, λ); solutions scale by 1000
    expect(b.objective).toBeCloseRel(1e6 * a.objective, 1e-7);
  });

  it('refuses what it cannot take, naming the reason', () => {
    const { X, masks, y } = random(9, 20, 3, 4);
    const ylog = Matrix.fromArray(20, 1, Array.from({ length: 20 }, (_, j) => (j % 2 ? 1 : -1)));
    expect(ipmUnsupported(reluProblem(X, masks, dataLoss('logistic', 'sum', ylog), 0.1))).toMatch(/squared loss/);
    expect(ipmUnsupported(gatedProblem(X, masks, dataLoss('squared', 'sum', Matrix.fromArray(20, 2, new Float64Array(40))), 0.1))).toMatch(/nuclear|one output column/);
    expect(ipmUnsupported(reluProblem(X, masks, dataLoss('squared', 'sum', y), 0.1))).toBeUndefined();
    const nBig = IPM_MAX_N + 1;
    const Xb = Matrix.zeros(nBig, 2);
    for (let j = 0; j < nBig; j++) Xb.set(j, 0, 1 + (j % 7));
    const mb = new PatternMasks(nBig, 1);
    expect(ipmUnsupported(reluProblem(Xb, mb, dataLoss('squared', 'sum', Matrix.zeros(nBig, 1)), 0.1))).toMatch(/above the interior-point solver/);
  });
});
