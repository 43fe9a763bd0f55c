import { type Backend, createCpuBackend, CvxnnError, Matrix, PatternMasks, Rng } from '@cvxnn/linalg';
import { forward, halfSquaredWeights, makeLoss, type TwoLayerNetwork } from '@cvxnn/networks';
import { describe, expect, it } from 'vitest';
import { type ConvexFitOptions, coneDecomposition, fitConvex, lambdaMax, recoverNetwork } from '../src/index.js';
import { adamRelu, adamReluRun, allPatterns2d, bcdOracle2d, randn } from './helpers.js';

/** Non-convex objective of a network under the SPEC §0.3 canonical convention (½-sum squared loss). */
function netObjective(net: TwoLayerNetwork, X: Matrix<Float64Array>, Y: Matrix<Float64Array>, beta: number, loss: 'squared' | 'logistic' = 'squared', scale: 'sum' | 'mean' = 'sum'): number {
  return makeLoss(loss, scale).value(forward(net, X).F, Y) + beta * halfSquaredWeights(net);
}

/** n samples in 3 classes (one-hot Y) split by the first two features, P Gaussian gates. */
function threeClasses(seed: number, n: number, P: number) {
  const rng = new Rng(seed);
  const X = randn(rng, n, 3);
  const G = randn(rng, 3, P);
  const Y = Matrix.zeros(n, 3);
  for (let j = 0; j < n; j++) Y.set(j, X.get(j, 0) > 0.5 ? 0 : X.get(j, 1) > 0 ? 1 : 2, 1);
  return { X, Y, pats: { masks: PatternMasks.fromGates(X, G), gates: G } };
}

const col = (v: number[]) => Matrix.fromArray(v.length, 1, v);

function tinyProblem(seed: number, n = 6) {
  const rng = new Rng(seed);
  const X = randn(rng, n, 2);
  const y = new Float64Array(n);
  for (let j = 0; j < n; j++) y[j] = Math.max(0, X.get(j, 0) - 0.5 * X.get(j, 1)) - 0.7 * Math.max(0, X.get(j, 1)) + 0.3 * rng.normal();
  return { X, y, Y: Matrix.fromArray(n, 1, y), ...allPatterns2d(X) };
}

describe('closed forms (SPEC §2.10, §9; canonical ½-sum convention)', () => {
  it('X6/B1: one sample x=(3,4), y=2, β=1 ⇒ p* = 0.38 and the one-neuron solution', () => {
    const X = Matrix.from([[3, 4]]);
    const G = Matrix.from([[3], [4]]);
    for (const model of ['relu', 'gated-relu'] as const) {
      const r = fitConvex(X, col([2]), { masks: PatternMasks.fromGates(X, G), gates: G }, { model, lambda: 1, tol: 1e-10 });
      expect(r.objective).toBeCloseRel(0.38, 1e-9);
      expect(r.status).toBe('optimal');
      const net = recoverNetwork(r);
      // t = (‖x‖|y| − β)/‖x‖² = 9/25: u = √t x/‖x‖, α = √t
      const t = 9 / 25;
      expect(Array.from(net.W1.data)).toAllClose([(Math.sqrt(t) * 3) / 5, (Math.sqrt(t) * 4) / 5], { rtol: 1e-4 });
      expect(net.W2.get(0, 0)).toBeCloseRel(Math.sqrt(t), 1e-4);
    }
  });

  it('X5/B2: whitened X = I₃, y = (3,−1,2), β = 1 ⇒ C-ReLU p* = √13 (Huber formula); gated is lower', () => {
    const X = Matrix.eye(3);
    const G = Matrix.zeros(3, 8);
    for (let i = 0; i < 8; i++) for (let k = 0; k < 3; k++) G.set(k, i, (i >> k) & 1 ? 1 : -1);
    const patterns = { masks: PatternMasks.fromGates(X, G), gates: G };
    const Y = col([3, -1, 2]);
    const relu = fitConvex(X, Y, patterns, { model: 'relu', lambda: 1, tol: 1e-10, constraintTol: 1e-10 });
    expect(relu.objective).toBeCloseRel(Math.sqrt(13), 1e-8);
    expect(relu.constraintViolation).toBeLessThanOrEqual(1e-10);
    expect(relu.activeNeurons).toBe(2); // u_± ∝ Xᵀ y_±
    const gated = fitConvex(X, Y, patterns, { model: 'gated-relu', lambda: 1, tol: 1e-10 });
    // gated relaxation: all-ones pattern, one group: Huber H_1(‖y‖) = √14 − ½ (B13: ≤ C-ReLU)
    expect(gated.objective).toBeCloseRel(Math.sqrt(14) - 0.5, 1e-8);
    expect(gated.objective).toBeLessThan(relu.objective);
  });

  it('X3: SEED 002 data X = [[2,2],[3,3],[1,0]], y = (1,2,3), β = 0.1 ⇒ C-ReLU p* = 0.4116793', () => {
    const X = Matrix.from([
      [2, 2],
      [3, 3],
      [1, 0],
    ]);
    const r = fitConvex(X, col([1, 2, 3]), allPatterns2d(X), { model: 'relu', lambda: 0.1, tol: 1e-10 });
    expect(r.objective).toBeCloseRel(0.4116793, 2e-7);
    const net = recoverNetwork(r);
    expect(netObjective(net, X, col([1, 2, 3]), 0.1)).toBeCloseRel(r.objective, 1e-8);
  });

  it('B3: λ ≥ λ_max ⇒ zero solution and ½‖y‖² (λ_max computed densely here)', () => {
    const { X, Y, y, masks, gates } = tinyProblem(3);
    let lmax = 0;
    for (let i = 0; i < masks.p; i++) {
      let g0 = 0;
      let g1 = 0;
      for (let j = 0; j < X.rows; j++) if (masks.get(j, i)) {
        g0 += X.get(j, 0) * y[j];
        g1 += X.get(j, 1) * y[j];
      }
      lmax = Math.max(lmax, Math.hypot(g0, g1));
    }
    expect(lambdaMax(X, Y, masks)).toBeCloseRel(lmax, 1e-12);
    const half = 0.5 * y.reduce((s, v) => s + v * v, 0);
    for (const model of ['relu', 'gated-relu'] as const) {
      const r = fitConvex(X, Y, { masks, gates }, { model, lambda: 1.0001 * lmax });
      expect(r.objective).toBeCloseRel(half, 1e-12);
      expect(r.activeNeurons).toBe(0);
    }
    // just below λ_max the gated solution is non-zero
    expect(fitConvex(X, Y, { masks, gates }, { model: 'gated-relu', lambda: 0.99 * lmax }).activeNeurons).toBeGreaterThan(0);
  });

  it('X7/B14: vector output with X = I₂, one all-active pattern, Y = diag(3,1), β = 2 ⇒ SVT, p* = 4.5', () => {
    const X = Matrix.eye(2);
    const G = Matrix.from([[1], [1]]);
    const r = fitConvex(X, Matrix.from([[3, 0], [0, 1]]), { masks: PatternMasks.fromGates(X, G), gates: G }, { model: 'gated-relu', lambda: 2, tol: 1e-10 });
    expect(r.formulation).toBe('gated-relu-nuclear');
    expect(r.objective).toBeCloseRel(4.5, 1e-9);
    expect(Array.from(r.solution.U!.data)).toAllClose([1, 0, 0, 0], { atol: 1e-7 });
    expect(r.activeNeurons).toBe(1);
    const net = recoverNetwork(r);
    expect(netObjective(net, X, Matrix.from([[3, 0], [0, 1]]), 2)).toBeCloseRel(4.5, 1e-8);
  });
});

describe('tiny problems with all patterns: second-algorithm oracle (block-coordinate descent, polar form)', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: C-GReLU and C-ReLU optima equal the BCD oracle; recovery is exact (B6, B8, B9, B13)`, () => {
      const { X, y, Y, masks, gates } = tinyProblem(seed);
      const beta = 0.3;
      const gated = fitConvex(X, Y, { masks, gates }, { model: 'gated-relu', lambda: beta, tol: 1e-10 });
      const relu = fitConvex(X, Y, { masks, gates }, { model: 'relu', lambda: beta, tol: 1e-10, constraintTol: 1e-10 });
      const oracleG = bcdOracle2d(X, y, masks, gates, beta, false);
      const oracleR = bcdOracle2d(X, y, masks, gates, beta, true, 30000);
      // the oracle stopped on its own criterion (no further decrease), not on the sweep cap
      expect(oracleG.sweeps).toBeLessThan(3000);
      expect(oracleR.sweeps).toBeLessThan(30000);
      expect(gated.objective).toBeCloseRel(oracleG.value, 1e-6);
      expect(relu.objective).toBeCloseRel(oracleR.value, 1e-6);
      expect(gated.certificate.value).toBeLessThanOrEqual(1e-10);
      expect(relu.constraintViolation).toBeLessThanOrEqual(1e-10);
      // B13: gated ≤ ReLU on the same patterns
      expect(gated.objective).toBeLessThanOrEqual(relu.objective + 1e-9);
      // B6: recovered networks reproduce the convex predictions and objective
      for (const r of [gated, relu]) {
        expect(r.objective).toBeCloseRel(r.dataTerm + r.penalty, 1e-14);
        const net = recoverNetwork(r);
        expect(netObjective(net, X, Y, beta)).toBeCloseRel(r.objective, 1e-6);
      }
      const net = recoverNetwork(relu);
      // B8: each recovered ReLU neuron's pattern is its group's pattern (up to ties)
      const V = relu.solution.V!;
      const W = relu.solution.W!;
      let neuron = 0;
      for (const M of [V, W]) {
        for (let i = 0; i < masks.p; i++) {
          if (Math.hypot(M.get(0, i), M.get(1, i)) === 0) continue;
          for (let j = 0; j < X.rows; j++) {
            const z = X.get(j, 0) * net.W1.get(0, neuron) + X.get(j, 1) * net.W1.get(1, neuron);
            if (Math.abs(z) > 1e-7) expect(z > 0 ? 1 : 0).toBe(masks.get(j, i));
          }
          neuron++;
        }
      }
      // B9 (KKT, squared loss): with v = y − ŷ, vᵀD_iX v_i = β‖v_i‖ on active groups
      const F = forward(net, X).F;
      for (let i = 0; i < masks.p; i++) {
        const nv = Math.hypot(V.get(0, i), V.get(1, i));
        if (nv < 1e-6) continue;
        let s = 0;
        for (let j = 0; j < X.rows; j++) if (masks.get(j, i)) s += (y[j] - F.data[j]) * (X.get(j, 0) * V.get(0, i) + X.get(j, 1) * V.get(1, i));
        expect(s).toBeCloseRel(beta * nv, 1e-4, 1e-7);
      }
    });
  }

  it('B13: cone decomposition of the C-GReLU solution is C-ReLU-feasible, same predictions, larger penalty', () => {
    const { X, Y, masks, gates } = tinyProblem(6);
    const beta = 0.2;
    const gated = fitConvex(X, Y, { masks, gates }, { model: 'gated-relu', lambda: beta, tol: 1e-10 });
    const relu = fitConvex(X, Y, { masks, gates }, { model: 'relu', lambda: beta, tol: 1e-10 });
    const U = gated.solution.U!;
    const { V, W } = coneDecomposition(X, masks, gates, U);
    let penV = 0;
    let penU = 0;
    for (let i = 0; i < masks.p; i++) {
      penU += Math.hypot(U.get(0, i), U.get(1, i));
      penV += Math.hypot(V.get(0, i), V.get(1, i)) + Math.hypot(W.get(0, i), W.get(1, i));
      for (let j = 0; j < X.rows; j++) {
        const s = masks.get(j, i) ? 1 : -1;
        const xv = X.get(j, 0) * V.get(0, i) + X.get(j, 1) * V.get(1, i);
        const xw = X.get(j, 0) * W.get(0, i) + X.get(j, 1) * W.get(1, i);
        const xu = X.get(j, 0) * U.get(0, i) + X.get(j, 1) * U.get(1, i);
        expect(s * xv).toBeGreaterThanOrEqual(-1e-12);
        expect(s * xw).toBeGreaterThanOrEqual(-1e-12);
        expect(xv - xw).toBeCloseRel(xu, 1e-9, 1e-12);
      }
    }
    expect(penV).toBeGreaterThanOrEqual(penU - 1e-12);
    // the decomposed point is C-ReLU feasible, so its objective bounds the C-ReLU optimum from above
    const feasibleObjective = gated.dataTerm + beta * penV;
    expect(feasibleObjective).toBeGreaterThanOrEqual(relu.objective - 1e-9);
    expect(relu.objective).toBeGreaterThanOrEqual(gated.objective - 1e-9);
  });

  it('B7: full-batch Adam from 10 seeds never goes below the C-ReLU optimum (all patterns)', () => {
    const { X, y, Y, masks, gates } = tinyProblem(5);
    const beta = 0.2;
    const p = fitConvex(X, Y, { masks, gates }, { model: 'relu', lambda: beta, tol: 1e-10, constraintTol: 1e-10 }).objective;
    const runs = Array.from({ length: 10 }, (_, s) => adamRelu(X, y, beta, 8, 100 + s, 3000));
    for (const v of runs) expect(v).toBeGreaterThanOrEqual(p - 1e-6 * (1 + p));
    // and the best run gets close (the landscape has no bad valley here), so the bound is not vacuous
    expect(Math.min(...runs)).toBeLessThan(p * 1.05);
  });

  it('B16 (§2.9): a near-stationary Adam network is optimal for the convex program over its own patterns', () => {
    // 1-D data with a bias column (x, 1): a small problem where Adam settles
    const n = 8;
    const rng = new Rng(31);
    const X = Matrix.zeros(n, 2);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const x = -1 + (2 * j) / (n - 1);
      X.set(j, 0, x);
      X.set(j, 1, 1);
      y[j] = Math.abs(x) - 0.3 + 0.05 * rng.normal();
    }
    const Y = Matrix.fromArray(n, 1, y);
    const beta = 0.05;
    for (const seed of [1, 2, 3]) {
      const run = adamReluRun(X, y, beta, 5, seed, 20000, 0.02, true);
      // the network's own patterns D_j = 1[X u_j > 0] of its non-zero neurons, deduplicated
      const keep: number[] = [];
      const seen = new Set<string>();
      for (let k = 0; k < run.U.cols; k++) {
        if (Math.abs(run.alpha[k]) < 1e-8) continue;
        const key = Array.from({ length: n }, (_, j) => (X.get(j, 0) * run.U.get(0, k) + X.get(j, 1) * run.U.get(1, k) > 0 ? 1 : 0)).join('');
        if (!key.includes('1') || seen.has(key)) continue;
        seen.add(key);
        keep.push(k);
      }
      expect(keep.length).toBeGreaterThan(0);
      const G = Matrix.zeros(2, keep.length);
      keep.forEach((k, t) => {
        G.set(0, t, run.U.get(0, k));
        G.set(1, t, run.U.get(1, k));
      });
      const sub = fitConvex(X, Y, { masks: PatternMasks.fromGates(X, G), gates: G }, { model: 'relu', lambda: beta, tol: 1e-10, constraintTol: 1e-10 });
      // the sub-sampled convex optimum is a lower bound for the network (its neurons are feasible
      // points of those cones), and at a stationary point it is attained: equal up to how far Adam
      // is from stationarity
      expect(sub.objective).toBeLessThanOrEqual(run.value + 1e-9);
      expect((run.value - sub.objective) / run.value).toBeLessThan(1e-3);
    }
  });

  it('B10: dropping patterns never lowers the optimum; B11 scaling identities', () => {
    const { X, Y, masks, gates } = tinyProblem(7);
    const beta = 0.25;
    const o: ConvexFitOptions = { model: 'relu', lambda: beta, tol: 1e-10, constraintTol: 1e-10 };
    const full = fitConvex(X, Y, { masks, gates }, o).objective;
    const keep = Array.from({ length: masks.p }, (_, i) => i).filter((i) => i % 2 === 0);
    const G2 = Matrix.zeros(2, keep.length);
    keep.forEach((i, t) => {
      G2.set(0, t, gates.get(0, i));
      G2.set(1, t, gates.get(1, i));
    });
    const sub = fitConvex(X, Y, { masks: masks.select(keep), gates: G2 }, o).objective;
    expect(sub).toBeGreaterThanOrEqual(full - 1e-9);
    // cy, cβ ⇒ c²
    const c = 2.5;
    const Yc = Matrix.fromArray(Y.rows, 1, Y.data.map((v) => c * v));
    expect(fitConvex(X, Yc, { masks, gates }, { ...o, lambda: c * beta }).objective).toBeCloseRel(c * c * full, 1e-7);
    // sX ⇒ β/s
    const s = 3;
    const Xs = Matrix.fromArray(X.rows, 2, X.data.map((v) => s * v));
    expect(fitConvex(Xs, Y, { masks, gates }, { ...o, lambda: beta }).objective).toBeCloseRel(fitConvex(X, Y, { masks, gates }, { ...o, lambda: beta / s }).objective, 1e-7);
    // XQ for a rotation Q (gates rotate with it): same optimum
    const th = 0.7;
    const Q = Matrix.from([
      [Math.cos(th), -Math.sin(th)],
      [Math.sin(th), Math.cos(th)],
    ]);
    const XQ = Matrix.zeros(X.rows, 2);
    for (let j = 0; j < X.rows; j++) for (let k = 0; k < 2; k++) XQ.set(j, k, X.get(j, 0) * Q.get(0, k) + X.get(j, 1) * Q.get(1, k));
    const GQ = Matrix.zeros(2, gates.cols); // Qᵀ g keeps the patterns: (XQ)(Qᵀg) = Xg
    for (let i = 0; i < gates.cols; i++) for (let k = 0; k < 2; k++) GQ.set(k, i, Q.get(0, k) * gates.get(0, i) + Q.get(1, k) * gates.get(1, i));
    expect(fitConvex(XQ, Y, { masks: PatternMasks.fromGates(XQ, GQ), gates: GQ }, o).objective).toBeCloseRel(full, 1e-7);
  });
});

describe('conventions, losses, λ-path', () => {
  it('objective scale: mean with λ/n has the same optimum as sum with λ (objective ÷ n)', () => {
    const rng = new Rng(11);
    const n = 40;
    const X = randn(rng, n, 3);
    const G = randn(rng, 3, 12);
    const Y = Matrix.fromArray(n, 1, rng.normalArray(n));
    const pats = { masks: PatternMasks.fromGates(X, G), gates: G };
    for (const model of ['gated-relu', 'relu'] as const) {
      const a = fitConvex(X, Y, pats, { model, lambda: 0.5, scale: 'sum', tol: 1e-9 });
      const b = fitConvex(X, Y, pats, { model, lambda: 0.5 / n, scale: 'mean', tol: 1e-9 });
      expect(b.objective * n).toBeCloseRel(a.objective, 1e-6);
      const ua = a.solution.U ?? a.solution.V!;
      const ub = b.solution.U ?? b.solution.V!;
      expect(Array.from(ub.data)).toAllClose(Array.from(ua.data), { rtol: 1e-3, atol: 1e-5 });
    }
  });

  it('logistic loss: certified gap; recovered gated network has the same logistic objective', () => {
    const rng = new Rng(12);
    const n = 60;
    const X = randn(rng, n, 3);
    const G = randn(rng, 3, 10);
    const Y = Matrix.fromArray(n, 1, Array.from({ length: n }, (_, j) => (X.get(j, 0) * X.get(j, 1) > 0 ? 1 : -1)));
    const pats = { masks: PatternMasks.fromGates(X, G), gates: G };
    const r = fitConvex(X, Y, pats, { model: 'gated-relu', loss: 'logistic', lambda: 0.5, tol: 1e-8 });
    expect(r.certificate.kind).toBe('duality-gap');
    expect(r.certificate.value).toBeLessThanOrEqual(1e-8);
    expect(netObjective(recoverNetwork(r), X, Y, 0.5, 'logistic')).toBeCloseRel(r.objective, 1e-8);
    // the gap bounds the suboptimality: a much longer run cannot go lower than objective − gap
    const tight = fitConvex(X, Y, pats, { model: 'gated-relu', loss: 'logistic', lambda: 0.5, tol: 1e-12, maxIters: 50000 });
    expect(tight.objective).toBeGreaterThanOrEqual(r.objective - r.certificate.absolute - 1e-12);
    const relu = fitConvex(X, Y, pats, { model: 'relu', loss: 'logistic', lambda: 0.5, tol: 1e-7 });
    expect(relu.objective).toBeGreaterThanOrEqual(tight.objective - 1e-7);
    expect(netObjective(recoverNetwork(relu), X, Y, 0.5, 'logistic')).toBeCloseRel(relu.objective, 1e-6);
  });

  it('cross-entropy with vector output (nuclear norm): certified, recovered network objective matches', () => {
    const rng = new Rng(13);
    const n = 45;
    const X = randn(rng, n, 3);
    const G = randn(rng, 3, 8);
    const Y = Matrix.zeros(n, 3);
    for (let j = 0; j < n; j++) Y.set(j, X.get(j, 0) > 0.5 ? 0 : X.get(j, 1) > 0 ? 1 : 2, 1);
    const r = fitConvex(X, Y, { masks: PatternMasks.fromGates(X, G), gates: G }, { model: 'gated-relu', loss: 'cross-entropy', lambda: 0.3, tol: 1e-8 });
    expect(r.formulation).toBe('gated-relu-nuclear');
    expect(r.certificate.value).toBeLessThanOrEqual(1e-8);
    expect(netObjective(recoverNetwork(r), X, Y, 0.3, 'cross-entropy' as 'squared')).toBeCloseRel(r.objective, 1e-7);
  });

  it('augmented Lagrangian (--solver al) agrees with the cone-prox solver; its KKT certificate is small', () => {
    const { X, Y, masks, gates } = tinyProblem(4, 8);
    const exact = fitConvex(X, Y, { masks, gates }, { model: 'relu', lambda: 0.2, tol: 1e-10 });
    const al = fitConvex(X, Y, { masks, gates }, { model: 'relu', lambda: 0.2, solver: 'al', tol: 1e-7, constraintTol: 1e-7, maxIters: 100000 });
    expect(al.certificate.kind).toBe('min-norm-subgradient');
    expect(al.constraintViolation).toBeLessThanOrEqual(1e-6);
    expect(al.certificate.value).toBeLessThanOrEqual(1e-5);
    // an infeasible point can sit slightly below the optimum, by O(violation)
    expect(al.objective).toBeCloseRel(exact.objective, 1e-5);
  });

  it('the augmented Lagrangian honours constraintTol: the cone violation measured from V, W is within it', () => {
    const { X, Y, masks, gates } = tinyProblem(4, 8);
    /** max over patterns i, rows j, and both weight sets of −(2D_i − I)X u, from the solution alone */
    const violation = (r: ReturnType<typeof fitConvex>) => {
      let worst = 0;
      for (const U of [r.solution.V!, r.solution.W!])
        for (let i = 0; i < masks.p; i++)
          for (let j = 0; j < X.rows; j++) {
            const s = 2 * masks.get(j, i) - 1;
            const xu = X.get(j, 0) * U.get(0, i) + X.get(j, 1) * U.get(1, i);
            worst = Math.max(worst, -s * xu);
          }
      return worst;
    };
    for (const constraintTol of [1e-3, 1e-11]) {
      const r = fitConvex(X, Y, { masks, gates }, { model: 'relu', lambda: 0.2, solver: 'al', tol: 1e-6, constraintTol, maxIters: 200000 });
      expect(r.status).toBe('optimal');
      expect(violation(r)).toBeLessThanOrEqual(constraintTol * (1 + 1e-9));
    }
    expect(() => fitConvex(X, Y, { masks, gates }, { model: 'relu', lambda: 0.2, solver: 'al', constraintTol: 'tight' as never })).toThrow(/constraintTol/);
  });

  it('multiclass C-ReLU one-vs-all = sum of the per-class programs; recovered network objective matches', () => {
    const n = 30;
    const { X, Y, pats } = threeClasses(14, n, 8);
    const r = fitConvex(X, Y, pats, { model: 'relu', lambda: 0.3, tol: 1e-7 });
    expect(r.formulation).toBe('relu-one-vs-all');
    expect(r.status).toBe('optimal');
    let sum = 0;
    for (let k = 0; k < 3; k++) {
      const yk = Matrix.fromArray(n, 1, Array.from({ length: n }, (_, j) => Y.get(j, k)));
      sum += fitConvex(X, yk, pats, { model: 'relu', lambda: 0.3, tol: 1e-7 }).objective;
    }
    expect(r.objective).toBeCloseRel(sum, 1e-7);
    expect(netObjective(recoverNetwork(r), X, Y, 0.3)).toBeCloseRel(r.objective, 1e-7);
  });

  it('one-vs-all under a time limit: every column is solved (each gets its share), and the reported objective is the whole solution\'s', () => {
    const { X, Y, pats } = threeClasses(16, 30, 8);
    for (const model of ['relu', 'gated-relu'] as const) {
      const r = fitConvex(X, Y, pats, { model, lambda: 0.3, tol: 1e-12, timeLimit: 1e-9, vectorOutput: 'one-vs-all' });
      expect(r.status, model).toBe('time-limit');
      // the objective of the returned V, W (or U) over all three outputs, through the network
      expect(netObjective(recoverNetwork(r), X, Y, 0.3), model).toBeCloseRel(r.objective, 1e-9);
      expect(r.objective, model).toBeGreaterThan(0);
    }
  });

  it('gated one-vs-all = sum of the per-class gated programs ≥ the nuclear-norm optimum; recovery matches', () => {
    const n = 40;
    const { X, Y, pats } = threeClasses(15, n, 10);
    const ova = fitConvex(X, Y, pats, { model: 'gated-relu', lambda: 0.3, tol: 1e-8, vectorOutput: 'one-vs-all' });
    expect(ova.formulation).toBe('gated-relu-one-vs-all');
    expect(ova.status).toBe('optimal');
    let sum = 0;
    for (let k = 0; k < 3; k++) {
      const yk = Matrix.fromArray(n, 1, Array.from({ length: n }, (_, j) => Y.get(j, k)));
      sum += fitConvex(X, yk, pats, { model: 'gated-relu', lambda: 0.3, tol: 1e-8 }).objective;
    }
    expect(ova.objective).toBeCloseRel(sum, 1e-7);
    const net = recoverNetwork(ova);
    expect(net.W1.cols).toBe(ova.activeNeurons);
    expect(netObjective(net, X, Y, 0.3)).toBeCloseRel(ova.objective, 1e-7);
    // every one-vs-all network is a network of the nuclear form's class (SPEC §2.8)
    const nuc = fitConvex(X, Y, pats, { model: 'gated-relu', lambda: 0.3, tol: 1e-8, loss: 'squared' });
    expect(nuc.formulation).toBe('gated-relu-nuclear');
    expect(nuc.objective).toBeLessThanOrEqual(ova.objective + nuc.certificate.absolute);
    // one-vs-all needs the squared loss; relu has no nuclear form
    expect(() => fitConvex(X, Y, pats, { model: 'gated-relu', lambda: 0.3, loss: 'cross-entropy', vectorOutput: 'one-vs-all' })).toThrow(/squared loss/);
    expect(() => fitConvex(X, Y, pats, { model: 'relu', lambda: 0.3, vectorOutput: 'nuclear' })).toThrow(/NP-hard/);
  });

  it('λ-path with warm starts ends at the same optimum as a direct solve', () => {
    const { X, Y, masks, gates } = tinyProblem(9, 8);
    for (const model of ['gated-relu', 'relu'] as const) {
      const direct = fitConvex(X, Y, { masks, gates }, { model, lambda: 0.05, tol: 1e-9 });
      const path = fitConvex(X, Y, { masks, gates }, { model, lambda: 0.05, tol: 1e-9, lambdaPath: 6 });
      expect(path.path).toHaveLength(6);
      expect(path.path![0].lambda).toBeGreaterThan(path.path![5].lambda);
      expect(path.path![5].lambda).toBeCloseRel(0.05, 1e-12);
      expect(path.objective).toBeCloseRel(direct.objective, 1e-7);
      // objective along the path decreases with λ
      for (let k = 1; k < 6; k++) expect(path.path![k].objective).toBeLessThanOrEqual(path.path![k - 1].objective + 1e-9);
    }
  });

  it('medium problem (n=2000, d=10, P=100): gated certificate reaches 1e-6 with working sets', () => {
    const rng = new Rng(1);
    const n = 2000;
    const X = randn(rng, n, 10);
    const G = randn(rng, 10, 100);
    const Y = Matrix.zeros(n, 1);
    for (let j = 0; j < n; j++) Y.data[j] = Math.max(0, X.get(j, 0)) - Math.max(0, X.get(j, 1) + X.get(j, 2)) + 0.1 * rng.normal();
    const pats = { masks: PatternMasks.fromGates(X, G), gates: G };
    const r = fitConvex(X, Y, pats, { model: 'gated-relu', lambda: 20 });
    expect(r.status).toBe('optimal');
    expect(r.certificate.value).toBeLessThanOrEqual(1e-6);
    // the gap is a true bound: a solve without working sets agrees within it
    const r2 = fitConvex(X, Y, pats, { model: 'gated-relu', lambda: 20, workingSet: false, tol: 1e-7 });
    expect(Math.abs(r2.objective - r.objective)).toBeLessThanOrEqual(r.certificate.absolute + r2.certificate.absolute);
  });
});

describe('fp32 backends', () => {
  /** The CPU kernels with every input and output rounded to fp32 (an fp32 backend's storage). */
  function fp32Backend(): Backend {
    const cpu = createCpuBackend();
    const r32 = (M: Matrix<Float64Array>) => {
      const c = M.clone();
      for (let k = 0; k < c.data.length; k++) c.data[k] = Math.fround(c.data[k]);
      return c;
    };
    const back = (res: Matrix<Float64Array>, out?: Matrix<Float64Array>) => {
      const o = out ?? res;
      for (let r = 0; r < o.rows; r++) for (let k = 0; k < o.cols; k++) o.set(r, k, Math.fround(res.get(r, k)));
      return o;
    };
    return {
      ...cpu,
      name: 'fake-fp32',
      precision: 'fp32',
      maskedForward: (X, M, U, out) => back(cpu.maskedForward(r32(X), M, r32(U)), out),
      maskedBackward: (X, M, R, out) => back(cpu.maskedBackward(r32(X), M, r32(R)), out),
      gemm: (A, B, o) => back(cpu.gemm(r32(A as Matrix<Float64Array>), r32(B as Matrix<Float64Array>), { ...o, out: undefined }), o?.out as Matrix<Float64Array> | undefined),
    };
  }

  it('the solve finishes on the fp64 CPU backend and the reported gap is an fp64 duality gap', () => {
    const rng = new Rng(21);
    const n = 120;
    const X = randn(rng, n, 4);
    const G = randn(rng, 4, 16);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) y[j] = Math.max(0, X.get(j, 0) + X.get(j, 1)) - Math.max(0, X.get(j, 2)) + 0.1 * rng.normal();
    const Y = Matrix.fromArray(n, 1, y);
    const masks = PatternMasks.fromGates(X, G);
    const beta = 2;
    for (const model of ['gated-relu', 'relu'] as const) {
      const r = fitConvex(X, Y, { masks, gates: G }, { model, lambda: beta, backend: fp32Backend() });
      expect(r.precision).toBe('fp32');
      expect(r.polish?.precision).toBe('fp64');
      expect(r.polish!.iterations).toBeGreaterThanOrEqual(0);
      expect(r.polish!.iterations).toBeLessThanOrEqual(r.iterations);
      expect(r.status).toBe('optimal');
      expect(r.certificate.value).toBeLessThanOrEqual(1e-6);
      // independent fp64 check of the certificate: residual-based dual point, scaled to feasibility
      // with dual norms computed densely here (gated: ‖(D_iX)ᵀz‖; relu: an upper bound, ‖·‖ as well)
      const net = recoverNetwork(r);
      const F = forward(net, X).F.data;
      const res = Array.from(F, (f, j) => f - y[j]);
      let m = 0;
      for (let i = 0; i < masks.p; i++) {
        const g = [0, 0, 0, 0];
        for (let j = 0; j < n; j++) if (masks.get(j, i)) for (let k = 0; k < 4; k++) g[k] += X.get(j, k) * res[j];
        m = Math.max(m, Math.hypot(...g));
      }
      const s = Math.min(1, beta / m);
      const primal = netObjective(net, X, Y, beta);
      // dual of ½‖F − y‖²: −(½‖z‖² + ⟨z, y⟩) at z = s·(F − y)
      let dual = 0;
      for (let j = 0; j < n; j++) dual -= 0.5 * (s * res[j]) ** 2 + s * res[j] * y[j];
      expect(primal).toBeCloseRel(r.objective, 1e-9);
      if (model === 'gated-relu') expect((primal - dual) / primal).toBeLessThanOrEqual(1.5e-6);
      // and the fp64 solve reaches the same optimum within the two certificates
      const r64 = fitConvex(X, Y, { masks, gates: G }, { model, lambda: beta });
      expect(r64.polish).toBeUndefined();
      expect(Math.abs(r64.objective - r.objective)).toBeLessThanOrEqual(r.certificate.absolute + r64.certificate.absolute + 1e-12);
    }
  });
});

describe('bad input raises typed errors', () => {
  const X = Matrix.from([
    [1, 2],
    [3, -1],
  ]);
  const G = Matrix.from([[1], [0.5]]);
  const pats = { masks: PatternMasks.fromGates(X, G), gates: G };
  const expectCode = (f: () => unknown, code: string, msg: RegExp) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(CvxnnError);
      expect((e as CvxnnError).code).toBe(code);
      expect((e as Error).message).toMatch(msg);
      return;
    }
    throw new Error('expected an error');
  };
  it('λ ≤ 0, NaN, shape mismatch, solver/model mismatch, bad labels', () => {
    expectCode(() => fitConvex(X, col([1, 2]), pats, { model: 'relu', lambda: 0 }), 'INVALID_OPTION', /lambda/);
    expectCode(() => fitConvex(X, col([1, 2]), pats, { model: 'relu', lambda: -1 }), 'INVALID_OPTION', /lambda/);
    expectCode(() => fitConvex(Matrix.from([[1, NaN], [0, 1]]), col([1, 2]), pats, { model: 'relu', lambda: 1 }), 'NON_FINITE', /X/);
    expectCode(() => fitConvex(X, col([1, 2, 3]), pats, { model: 'relu', lambda: 1 }), 'SHAPE_MISMATCH', /rows/);
    expectCode(() => fitConvex(X, col([1, 2]), pats, { model: 'gated-relu', lambda: 1, solver: 'al' }), 'INVALID_OPTION', /no constraints/);
    expectCode(() => fitConvex(X, col([1, 2]), pats, { model: 'gated-relu', lambda: 1, loss: 'logistic' }), 'INVALID_OPTION', /±1/);
    expectCode(() => fitConvex(X, col([1, 2]), pats, { model: 'gated-relu', lambda: 1, lambdaPath: 1 }), 'INVALID_OPTION', /lambdaPath/);
    expectCode(() => fitConvex(X, col([1, 2]), { masks: pats.masks, gates: Matrix.from([[1], [2], [3]]) }, { model: 'gated-relu', lambda: 1 }), 'SHAPE_MISMATCH', /gates/);
    expectCode(() => recoverNetwork(fitConvex(X, col([1, 2]), { masks: pats.masks }, { model: 'gated-relu', lambda: 0.01 })), 'INVALID_OPTION', /gate vectors/);
  });
});
