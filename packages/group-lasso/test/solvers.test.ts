/**
 * The registered solvers against each other, against the closed forms of SPEC §2.10 / §9 and
 * against the independent BCD oracle of ./oracles.ts; the registry's refusals and its `auto` rule;
 * working sets never losing a group that the unrestricted solve uses.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CvxnnError, Matrix, PatternMasks, Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import {
  chooseSolver,
  contiguousLayout,
  customPenalty,
  dataLoss,
  denseProblem,
  gatedProblem,
  type GroupLassoProblem,
  l2Penalty,
  lambdaMaxOf,
  linearProblem,
  listSolvers,
  reluProblem,
  solve,
  solveNewton,
  solveSsnal,
  type SolveResult,
  SSNAL_MAX_N,
  stridedLayout,
} from '../src/index.js';
import { allPatterns2d, randn } from './helpers.js';
import { gatedDense, groupLassoOracle, primalValue } from './oracles.js';

const col = (v: number[]) => Matrix.fromArray(v.length, 1, v);
const sq = (Y: Matrix<Float64Array>, scale: 'sum' | 'mean' = 'sum') => dataLoss('squared', scale, Y);

/** the gap a result carries, when its certificate is a duality gap */
const gapOf = (r: SolveResult) => (r.certificate.kind === 'duality-gap' ? r.certificate.absolute : NaN);

/** every registered solver that takes the problem (the registry's own view) */
const applicable = (p: GroupLassoProblem) => listSolvers().filter((s) => !s.unsupported(p)).map((s) => s.name);

function gatedRandom(seed: number, n: number, d: number, P: number) {
  const rng = new Rng(seed);
  const X = randn(rng, n, d);
  const G = randn(rng, d, P);
  const masks = PatternMasks.fromGates(X, G);
  const y = new Float64Array(n);
  for (let j = 0; j < n; j++) y[j] = Math.max(0, X.get(j, 0) + X.get(j, 1)) - Math.max(0, X.get(j, 2)) + 0.2 * rng.normal();
  return { rng, X, G, masks, y, Y: Matrix.column(y) };
}

/** max_j,i (−(2D_i − I) X v_i)_+ over the v and w parts: the C-ReLU constraint violation, written out */
function coneViolation(X: Matrix<Float64Array>, masks: PatternMasks, x: Float64Array): number {
  const d = X.cols;
  const P = masks.p;
  let worst = 0;
  for (let part = 0; part < 2; part++) for (let i = 0; i < P; i++) for (let j = 0; j < X.rows; j++) {
    let t = 0;
    for (let r = 0; r < d; r++) t += X.get(j, r) * x[part * d * P + r * P + i];
    const s = masks.get(j, i) ? 1 : -1;
    worst = Math.max(worst, -s * t);
  }
  return worst;
}

describe('solvers agree with each other within their certificates and with the closed forms', () => {
  it('the registry holds fista, newton and al; auto is not a solver', () => {
    const names = listSolvers().map((s) => s.name);
    for (const s of ['fista', 'newton', 'al']) expect(names).toContain(s);
    expect(names).not.toContain('auto');
  });

  for (const [seed, lam] of [
    [1, 0.5],
    [2, 3],
    [3, 0.05],
  ]) {
    it(`C-GReLU seed ${seed}, λ = ${lam} (n = 40, d = 4, P = 16): every applicable solver, newton direct and iterative, and the BCD oracle`, () => {
      const { X, masks, y, Y } = gatedRandom(seed, 40, 4, 16);
      const problem = gatedProblem(X, masks, sq(Y), lam);
      const oracle = groupLassoOracle(gatedDense(X, masks, y, lam));
      expect(oracle.upper - oracle.lower).toBeLessThanOrEqual(1e-5 * oracle.upper);
      const results: Array<[string, SolveResult]> = [];
      const names = applicable(problem);
      expect(names).toEqual(expect.arrayContaining(['fista', 'newton']));
      expect(names).not.toContain('al');
      for (const name of names) results.push([name, solve(problem, { solver: name, tol: 1e-9 })]);
      results.push(['newton direct', solveNewton(problem, { mode: 'direct', tol: 1e-9 })]);
      const iterative = solveNewton(problem, { mode: 'iterative', structure: { X, masks }, tol: 1e-9 });
      results.push(['newton iterative', iterative]);
      for (const [name, r] of results) {
        expect(r.status, name).toBe('optimal');
        expect(r.certificate.kind, name).toBe('duality-gap');
        expect(r.certificate.value, name).toBeLessThanOrEqual(1e-9);
        // the reported objective is the objective of the returned point (written out here)
        expect(primalValue(gatedDense(X, masks, y, lam), r.x), name).toBeCloseRel(r.objective, 1e-12);
        // against the oracle: p* ∈ [lower, upper]; the gap bounds the distance from above
        expect(r.objective, name).toBeGreaterThanOrEqual(oracle.lower - 1e-12 * oracle.upper);
        expect(r.objective - oracle.upper, name).toBeLessThanOrEqual(gapOf(r) + 1e-12 * oracle.upper);
      }
      // pairwise: |obj_a − obj_b| ≤ gap_a + gap_b
      for (const [a, ra] of results) for (const [b, rb] of results) {
        expect(Math.abs(ra.objective - rb.objective), `${a} vs ${b}`).toBeLessThanOrEqual(gapOf(ra) + gapOf(rb) + 1e-13 * Math.abs(ra.objective));
      }
      // where the warm start reaches the hand-over gap, the forced iterative mode ran MINRES steps
      const m = /(\d+) Newton steps \((\d+) MINRES it\)/.exec(iterative.solver);
      expect(m, iterative.solver).not.toBeNull();
      if (!/fista \d+ it\)$/.test(iterative.solver)) {
        expect(Number(m![1])).toBeGreaterThan(0);
        expect(Number(m![2])).toBeGreaterThan(0);
      }
    });
  }

  it('forced iterative Newton with an inexact preconditioner (more active patterns than its rank k = ⌊400/d⌋) vs direct and fista', () => {
    const { X, masks, Y } = gatedRandom(8, 150, 25, 40);
    const problem = gatedProblem(X, masks, sq(Y), 1);
    const r = solveNewton(problem, { mode: 'iterative', structure: { X, masks }, tol: 1e-9 });
    const m = /(\d+) Newton steps \((\d+) MINRES it\)/.exec(r.solver);
    expect(m, r.solver).not.toBeNull();
    expect(Number(m![1]), r.solver).toBeGreaterThan(0);
    expect(r.status).toBe('optimal');
    const active = Array.from(r.groupNorms).filter((v) => v > 0).length;
    expect(active).toBeGreaterThan(Math.floor(400 / 25));
    // MINRES did real work per step (the exact-preconditioner case needs ≈ 3)
    expect(Number(m![2]) / Number(m![1])).toBeGreaterThan(3);
    const d = solveNewton(problem, { mode: 'direct', tol: 1e-9 });
    expect(d.solver).toMatch(/\(direct\)/);
    const f = solve(problem, { solver: 'fista', tol: 1e-9 });
    for (const other of [d, f]) expect(Math.abs(other.objective - r.objective)).toBeLessThanOrEqual(gapOf(other) + gapOf(r) + 1e-13 * r.objective);
  });

  describe('closed forms through every applicable solver', () => {
    const X1 = Matrix.from([[3, 4]]);
    const m1 = PatternMasks.fromGates(X1, Matrix.from([[3], [4]]));
    const X5 = Matrix.eye(3);
    const G5 = Matrix.zeros(3, 8);
    for (let i = 0; i < 8; i++) for (let k = 0; k < 3; k++) G5.set(k, i, (i >> k) & 1 ? 1 : -1);
    const m5 = PatternMasks.fromGates(X5, G5);
    const Y5 = col([3, -1, 2]);
    const X3 = Matrix.from([
      [2, 2],
      [3, 3],
      [1, 0],
    ]);
    const m3 = allPatterns2d(X3).masks;
    const X7 = Matrix.eye(2);
    const m7 = PatternMasks.fromGates(X7, Matrix.from([[1], [1]]));
    const cases: Array<[string, () => GroupLassoProblem, number, number, Matrix<Float64Array>, PatternMasks]> = [
      ['B1 gated: 0.38', () => gatedProblem(X1, m1, sq(col([2])), 1), 0.38, 1e-9, X1, m1],
      ['B1 relu: 0.38', () => reluProblem(X1, m1, sq(col([2])), 1), 0.38, 1e-9, X1, m1],
      ['B2 relu: √13', () => reluProblem(X5, m5, sq(Y5), 1), Math.sqrt(13), 1e-9, X5, m5],
      ['B2 gated: √14 − ½', () => gatedProblem(X5, m5, sq(Y5), 1), Math.sqrt(14) - 0.5, 1e-9, X5, m5],
      ['X3 relu: 0.4116793', () => reluProblem(X3, m3, sq(col([1, 2, 3])), 0.1), 0.4116793, 3e-7, X3, m3],
      ['X7 nuclear: 4.5', () => gatedProblem(X7, m7, sq(Matrix.from([[3, 0], [0, 1]])), 2), 4.5, 1e-9, X7, m7],
    ];
    for (const [name, build, pStar, rtol, X, masks] of cases) {
      it(name, () => {
        const problem = build();
        const names = applicable(problem);
        expect(names.length).toBeGreaterThan(0);
        if (problem.penalty.kind === 'cone') expect(names).toEqual(expect.arrayContaining(['fista', 'al']));
        for (const s of names) {
          const al = s === 'al';
          const r = solve(problem, { solver: s, tol: al ? 1e-8 : 1e-11, maxIters: al ? 100000 : 20000 });
          if (al) {
            // AL iterates are infeasible by O(violation): objective close, violation small
            expect(r.certificate.kind).toBe('min-norm-subgradient');
            expect(coneViolation(X, masks, r.x), s).toBeLessThanOrEqual(1e-6);
            expect(r.objective, s).toBeCloseRel(pStar, Math.max(rtol, 1e-5));
            continue;
          }
          expect(r.status, s).toBe('optimal');
          expect(r.objective, s).toBeCloseRel(pStar, rtol);
          // the gap bounds the distance to the known optimum
          expect(r.objective - pStar, s).toBeLessThanOrEqual(gapOf(r) + rtol * pStar);
          if (problem.penalty.kind === 'cone') expect(coneViolation(X, masks, r.x), s).toBeLessThanOrEqual(1e-9);
        }
      });
    }
  });

  it('C-ReLU: fista and al agree on a random problem (al within 1e-5, feasible to 1e-6)', () => {
    const { X, masks, Y } = gatedRandom(8, 12, 3, 8);
    const problem = reluProblem(X, masks, sq(Y), 0.3);
    const f = solve(problem, { solver: 'fista', tol: 1e-10 });
    const a = solve(problem, { solver: 'al', tol: 1e-8, maxIters: 100000 });
    expect(f.status).toBe('optimal');
    expect(coneViolation(X, masks, f.x)).toBeLessThanOrEqual(1e-9);
    expect(coneViolation(X, masks, a.x)).toBeLessThanOrEqual(1e-6);
    expect(a.objective).toBeCloseRel(f.objective, 1e-5);
    // auto on squared-loss C-ReLU is fista-ipm (documented rule), same optimum
    const auto = solve(problem, { tol: 1e-10 });
    expect(Math.abs(auto.objective - f.objective)).toBeLessThanOrEqual(gapOf(auto) + gapOf(f) + 1e-13 * f.objective);
  });
});

describe('newton with free coordinates (an unpenalized intercept and column)', () => {
  /** A = [Φ (8 columns, 4 groups of 2) | 1 | z]: coordinates 8 and 9 free. */
  function interceptLasso(seed: number) {
    const rng = new Rng(seed);
    const n = 30;
    const N = 10;
    const A = new Float64Array(n * N);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 8; j++) A[i * N + j] = rng.normal();
      A[i * N + 8] = 1;
      A[i * N + 9] = rng.normal();
    }
    const y = Float64Array.from({ length: n }, (_, i) => 5 + A[i * N] - 2 * A[i * N + 3] + 0.3 * rng.normal());
    const groups = [
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
    ];
    const map = {
      inDim: N,
      outDim: n,
      apply(x: Float64Array, out: Float64Array) {
        for (let i = 0; i < n; i++) out[i] = x.reduce((t, v, j) => t + A[i * N + j] * v, 0);
      },
      adjoint(z: Float64Array, out: Float64Array) {
        for (let j = 0; j < N; j++) out[j] = z.reduce((t, v, i) => t + A[i * N + j] * v, 0);
      },
    };
    const layout = contiguousLayout(groups.map((g) => ({ offset: g[0], size: 2, penalized: 2 })), N);
    const lam = 0.5;
    const problem = linearProblem(map, layout, sq(Matrix.column(y)), lam, (L, l) => l2Penalty(L, l));
    return { problem, dense: { A, n, N, y, groups, lambda: lam } };
  }

  it('direct and iterative reach the oracle optimum (BCD with an exact least-squares free block)', () => {
    for (const seed of [11, 12, 13]) {
      const { problem, dense } = interceptLasso(seed);
      const o = groupLassoOracle(dense);
      expect(o.upper - o.lower).toBeLessThanOrEqual(1e-7 * o.upper);
      expect(chooseSolver(problem)).toBe('newton');
      for (const mode of ['direct', 'iterative'] as const) {
        const r = solveNewton(problem, { mode, tol: 1e-10 });
        expect(r.status, `${seed} ${mode}`).toBe('optimal');
        expect(r.objective - o.upper, `${seed} ${mode}`).toBeLessThanOrEqual(gapOf(r) + 1e-12 * o.upper);
        expect(r.objective, `${seed} ${mode}`).toBeGreaterThanOrEqual(o.lower - 1e-12 * o.upper);
      }
    }
  });

  // BUG (src/solvers/newton.ts, newtonAt: `r2[m + t] = G[free[t]]`): the saddle system is
  // [K B; Bᵀ 0][δθ; δμ] = −[F1; r2] with B's free columns −a_f, so its free rows read
  // −a_fᵀδθ = −(Aᵀθ)_f, i.e. a_fᵀ(θ + δθ) = 2(Aᵀθ)_f: each step doubles the free-coordinate
  // residual (a linear equation Newton should zero in one step) instead of removing it. Newton
  // then stalls and hands back to R-FISTA ("…, fista N it"), which finishes the job. With
  // r2[m + t] = −G[free[t]] the same problems certify in 2–3 Newton steps, no hand-back.
  it('…by Newton steps alone: no R-FISTA hand-back after the warm start', () => {
    for (const seed of [11, 12, 13]) {
      const { problem } = interceptLasso(seed);
      for (const mode of ['direct', 'iterative'] as const) {
        const r = solveNewton(problem, { mode, tol: 1e-10 });
        // observed: "newton (fista warm start 20 it, 5 Newton steps (direct), fista 40 it)"
        expect(r.solver, `${seed} ${mode}`).not.toMatch(/, fista \d+ it\)$/);
      }
    }
  });
});

describe('ssnal reports what it reached', () => {
  it('an iteration budget ends at max-iterations with the gap it reached; a warm start at the optimum needs fewer Newton steps than a cold one', () => {
    const { X, masks, y, Y } = gatedRandom(5, 60, 4, 12);
    const problem = gatedProblem(X, masks, sq(Y), 0.2);
    const capped = solveSsnal(problem, { tol: 1e-12, maxIters: 2 });
    expect(capped.status).toBe('max-iterations');
    expect(capped.iterations).toBeLessThanOrEqual(2);
    expect(capped.certificate.value).toBeGreaterThan(1e-12);
    // its objective is its point's (written out), and the oracle's optimum lies within its gap
    const dp = gatedDense(X, masks, y, 0.2);
    expect(primalValue(dp, capped.x)).toBeCloseRel(capped.objective, 1e-12);
    const oracle = groupLassoOracle(dp);
    expect(capped.objective - gapOf(capped)).toBeLessThanOrEqual(oracle.upper * (1 + 1e-12));
    const full = solveSsnal(problem, { tol: 1e-10 });
    expect(full.status).toBe('optimal');
    const again = solveSsnal(problem, { tol: 1e-9, x0: full.x });
    expect(again.status).toBe('optimal');
    expect(again.iterations).toBeLessThan(full.iterations);
    expect(Math.abs(again.objective - full.objective)).toBeLessThanOrEqual(gapOf(again) + gapOf(full) + 1e-13 * full.objective);
    // an unreachable tolerance: the progress guard stops Newton, R-FISTA spends the rest, and
    // the run ends (no endless outer loop) with the certificate it reached
    const stuck = solveSsnal(problem, { tol: 1e-300, maxIters: 400 });
    expect(stuck.status).toBe('max-iterations');
    expect(stuck.solver).toMatch(/→ fista \(\d+ it\)/);
    expect(stuck.iterations).toBeLessThanOrEqual(400);
    expect(stuck.certificate.value).toBeLessThanOrEqual(1e-9);
    // λ ≥ λ_max: 0 is optimal and certified at once
    const lmax = lambdaMaxOf(problem.op, problem.loss, problem.penalty);
    const zero = solveSsnal(problem.withLambda(1.01 * lmax), { tol: 1e-9 });
    expect(zero.status).toBe('optimal');
    expect(Array.from(zero.groupNorms).every((v) => v === 0)).toBe(true);
  });
});

describe('newton and ssnal on a small-λ regression with unscaled targets (diabetes, λ ≪ λ_max)', () => {
  it('certifies; no point found by an independent method lies below objective − gap', () => {
    const path = fileURLToPath(new URL('../../data/datasets/diabetes.csv', import.meta.url));
    const rows = readFileSync(path, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    const n = rows.length;
    const d0 = rows[0].length - 1;
    const d = d0 + 1;
    // standardized features plus a bias column; the target (disease progression, 25…346) unscaled
    const X = Matrix.zeros(n, d);
    for (let k = 0; k < d0; k++) {
      let m = 0;
      for (const r of rows) m += r[k];
      m /= n;
      let v = 0;
      for (const r of rows) v += (r[k] - m) ** 2;
      const sd = Math.sqrt(v / n);
      rows.forEach((r, j) => X.set(j, k, (r[k] - m) / sd));
    }
    for (let j = 0; j < n; j++) X.set(j, d0, 1);
    const y = Float64Array.from(rows.map((r) => r[d0]));
    expect(n).toBe(442);
    const rng = new Rng(3);
    const P = 16;
    const masks = PatternMasks.fromGates(X, Matrix.fromArray(d, P, rng.normalArray(d * P)));
    const lam = 0.01;
    const problem = gatedProblem(X, masks, sq(Matrix.column(y)), lam);
    const lmax = lambdaMaxOf(problem.op, problem.loss, problem.penalty);
    expect(lam / lmax).toBeLessThan(1e-6);
    for (const solver of ['newton', 'ssnal']) {
    const r = solve(problem, { solver, tol: 1e-8 });
    expect(r.status, r.solver).toBe('optimal');
    expect(r.certificate.value).toBeLessThanOrEqual(1e-8);
    const dp = gatedDense(X, masks, y, lam);
    expect(primalValue(dp, r.x)).toBeCloseRel(r.objective, 1e-12);
    // falsification test of the certificate: exact-block BCD from Newton's point (it only goes
    // down) must stay above objective − gap, i.e. above the claimed lower bound on p*
    const polished = groupLassoOracle(dp, 60, r.x);
    expect(polished.upper).toBeLessThanOrEqual(r.objective * (1 + 1e-14));
    expect(polished.upper).toBeGreaterThanOrEqual(r.objective - gapOf(r) - 1e-12 * r.objective);
    // and R-FISTA (a different solver) ends above it too
    const f = solve(problem, { solver: 'fista', tol: 1e-8, maxIters: 300 });
    expect(f.objective).toBeGreaterThanOrEqual(r.objective - gapOf(r) - 1e-12 * r.objective);
    }
  });
});

describe('the registry refuses what a solver cannot take (INVALID_OPTION) and auto follows its rule', () => {
  const rng = new Rng(41);
  const X = randn(rng, 10, 3);
  const masks = PatternMasks.fromGates(X, randn(rng, 3, 5));
  const Y = Matrix.fromArray(10, 1, rng.normalArray(10));
  const Ylog = Matrix.fromArray(10, 1, Array.from({ length: 10 }, (_, j) => (j % 2 ? 1 : -1)));
  const Y2 = Matrix.fromArray(10, 2, rng.normalArray(20));
  const gated = gatedProblem(X, masks, sq(Y), 0.1);
  const relu = reluProblem(X, masks, sq(Y), 0.1);
  const logistic = gatedProblem(X, masks, dataLoss('logistic', 'sum', Ylog), 0.1);
  const nuclear = gatedProblem(X, masks, sq(Y2), 0.1);
  const frob2 = gatedProblem(X, masks, sq(Y2), 0.1, { nuclear: false });
  const Phi = randn(rng, 10, 6);
  const dense = denseProblem(Phi, stridedLayout(2, 3, 1), sq(Y), 0.1, (L, l) => l2Penalty(L, l));
  const map = {
    inDim: 6,
    outDim: 10,
    apply: (x: Float64Array, out: Float64Array) => {
      for (let i = 0; i < 10; i++) out[i] = x.reduce((s, v, j) => s + Phi.get(i, j) * v, 0);
    },
    adjoint: (z: Float64Array, out: Float64Array) => {
      for (let j = 0; j < 6; j++) out[j] = z.reduce((s, v, i) => s + Phi.get(i, j) * v, 0);
    },
  };
  const withFree = linearProblem(map, contiguousLayout([{ offset: 0, size: 3, penalized: 2 }], 6), sq(Y), 0.1, (L, l) => l2Penalty(L, l));
  const constrained = linearProblem(map, stridedLayout(2, 3, 1), sq(Y), 0.1, (L, l) => l2Penalty(L, l), 'linear-map', {
    inDim: 6,
    outDim: 6,
    apply: (x, out) => out.set(x),
    adjoint: (z, out) => out.set(z),
  });
  const l2 = l2Penalty(stridedLayout(3, 5, 1), 0.1);
  const custom = { ...gated, penalty: customPenalty({ layout: l2.layout, lambda: 0.1, value: l2.value, prox: l2.prox, groupNorms: l2.groupNorms, dualNorms: l2.dualNorms, withLambda: l2.withLambda }) };

  const expectInvalid = (f: () => unknown, msg: RegExp) => {
    let err: unknown = null;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CvxnnError);
    expect((err as CvxnnError).code).toBe('INVALID_OPTION');
    expect((err as Error).message).toMatch(msg);
  };

  it('unknown solvers, and solvers that do not take the problem, naming the ones that would', () => {
    expectInvalid(() => solve(gated, { solver: 'nope' }), /unknown solver 'nope'.*fista/);
    expectInvalid(() => solve(gated, { solver: '' }), /unknown solver/);
    expectInvalid(() => solve(relu, { solver: 'newton' }), /cannot solve this problem.*use one of: auto, .*fista/);
    expectInvalid(() => solve(logistic, { solver: 'newton' }), /squared loss/);
    expectInvalid(() => solve(nuclear, { solver: 'newton' }), /Euclidean group norms.*nuclear/);
    expectInvalid(() => solve(frob2, { solver: 'newton' }), /one output column/);
    expectInvalid(() => solve(custom, { solver: 'newton' }), /custom/);
    expectInvalid(() => solve(gated, { solver: 'al' }), /cannot solve this problem/);
    expectInvalid(() => solve(logistic, { solver: 'al' }), /cannot solve this problem/);
    expectInvalid(() => solve(constrained, { solver: 'fista' }), /constraints/);
    expectInvalid(() => solve(constrained, { solver: 'newton' }), /constraints/);
    // the refusal lists only solvers that really take the problem
    try {
      solve(relu, { solver: 'newton' });
    } catch (e) {
      const listed = /use one of: (.*)$/.exec((e as Error).message)![1].split(', ').filter((s) => s !== 'auto');
      expect(listed.sort()).toEqual(applicable(relu).sort());
      expect(listed).not.toContain('newton');
    }
  });

  it('chooseSolver: squared loss + Euclidean groups + one output → ssnal (newton with free coordinates or n > SSNAL_MAX_N); squared-loss C-ReLU → fista-ipm; constraints → al; everything else → fista', () => {
    expect(chooseSolver(gated)).toBe('ssnal');
    expect(chooseSolver(dense)).toBe('ssnal');
    expect(chooseSolver(withFree)).toBe('newton');
    expect(chooseSolver(gated.withLambda(5))).toBe('ssnal');
    expect(chooseSolver(gatedProblem(X, masks, sq(Y, 'mean'), 0.1))).toBe('ssnal');
    // n above SSNAL_MAX_N: the n×n systems are too large, MINRES-mode newton takes it
    const big = gatedRandom(4, SSNAL_MAX_N + 1, 3, 4);
    expect(chooseSolver(gatedProblem(big.X, big.masks, sq(big.Y), 0.1))).toBe('newton');
    expect(chooseSolver(relu)).toBe('fista-ipm');
    expect(chooseSolver(reluProblem(X, masks, dataLoss('logistic', 'sum', Ylog), 0.1))).toBe('fista');
    expect(chooseSolver(logistic)).toBe('fista');
    expect(chooseSolver(nuclear)).toBe('fista');
    expect(chooseSolver(frob2)).toBe('fista');
    expect(chooseSolver(custom)).toBe('fista');
    expect(chooseSolver(constrained)).toBe('al');
    // auto runs what chooseSolver names
    expect(solve(gated, { tol: 1e-8 }).solver).toMatch(/^ssnal/);
    // (an easy program: the R-FISTA probe certifies it)
    expect(solve(relu, { tol: 1e-8 }).solver).toMatch(/^fista \(\d+ it\)$/);
    // the chosen solver always takes the problem
    for (const p of [gated, dense, withFree, relu, logistic, nuclear, frob2, custom, constrained]) expect(applicable(p)).toContain(chooseSolver(p));
  });
});

describe('working sets never drop a group that the unrestricted solve uses', () => {
  for (const [seed, n, P, lam] of [
    [51, 150, 120, 1],
    [52, 200, 160, 1.5],
  ]) {
    it(`C-GReLU seed ${seed} (n = ${n}, d = 4, P = ${P}, λ = ${lam}): group norms of fista with and without working sets`, () => {
      const { X, masks, Y } = gatedRandom(seed, n, 4, P);
      const problem = gatedProblem(X, masks, sq(Y), lam);
      const full = solve(problem, { solver: 'fista', workingSet: false, tol: 1e-10 });
      const ws = solve(problem, { solver: 'fista', workingSet: true, tol: 1e-10 });
      expect(full.status).toBe('optimal');
      expect(ws.status).toBe('optimal');
      const active = Array.from(full.groupNorms).filter((v) => v > 0).length;
      // the working set had to grow past its start (a quarter of the groups) for the test to bite
      expect(active).toBeGreaterThan(P / 4);
      const top = Math.max(...full.groupNorms);
      for (let g = 0; g < P; g++) {
        if (full.groupNorms[g] > 1e-3 * top) expect(ws.groupNorms[g], `group ${g}`).toBeGreaterThan(0);
      }
      expect(Math.abs(full.objective - ws.objective)).toBeLessThanOrEqual(gapOf(full) + gapOf(ws) + 1e-13 * full.objective);
      // and the other registered solvers keep them too (newton: working-set warm start; bcd has
      // its own, smaller test below: its epochs are slow on these correlated blocks)
      for (const name of applicable(problem).filter((s) => s !== 'fista' && s !== 'bcd')) {
        const r = solve(problem, { solver: name, tol: 1e-10 });
        expect(r.status, name).toBe('optimal');
        for (let g = 0; g < P; g++) if (full.groupNorms[g] > 1e-3 * top) expect(r.groupNorms[g], `${name} group ${g}`).toBeGreaterThan(0);
        expect(Math.abs(full.objective - r.objective), name).toBeLessThanOrEqual(gapOf(full) + gapOf(r) + 1e-13 * full.objective);
      }
    });
  }

  it('bcd (strong-rule screening, full KKT check) keeps every group the unscreened fista solve uses', () => {
    const { X, masks, Y } = gatedRandom(54, 100, 4, 80);
    const problem = gatedProblem(X, masks, sq(Y), 0.7);
    expect(applicable(problem)).toContain('bcd');
    const full = solve(problem, { solver: 'fista', workingSet: false, tol: 1e-10 });
    const top = Math.max(...full.groupNorms);
    expect(Array.from(full.groupNorms).filter((v) => v > 0).length).toBeGreaterThan(80 / 4);
    const r = solve(problem, { solver: 'bcd', tol: 1e-9 });
    expect(r.status).toBe('optimal');
    for (let g = 0; g < 80; g++) if (full.groupNorms[g] > 1e-3 * top) expect(r.groupNorms[g], `group ${g}`).toBeGreaterThan(0);
    expect(Math.abs(full.objective - r.objective)).toBeLessThanOrEqual(gapOf(full) + gapOf(r) + 1e-13 * full.objective);
  });

  it('C-ReLU with working sets (patterns) vs without', () => {
    const { X, masks, Y } = gatedRandom(53, 60, 3, 40);
    const problem = reluProblem(X, masks, sq(Y), 1);
    const full = solve(problem, { solver: 'fista', workingSet: false, tol: 1e-9 });
    const ws = solve(problem, { solver: 'fista', workingSet: true, tol: 1e-9 });
    const top = Math.max(...full.groupNorms);
    const used = Array.from(full.groupNorms).filter((v) => v > 1e-3 * top).length;
    expect(used).toBeGreaterThan(2);
    for (let g = 0; g < 2 * masks.p; g++) if (full.groupNorms[g] > 1e-3 * top) expect(ws.groupNorms[g], `group ${g}`).toBeGreaterThan(0);
    expect(Math.abs(full.objective - ws.objective)).toBeLessThanOrEqual(gapOf(full) + gapOf(ws) + 1e-13 * full.objective);
  });
});
