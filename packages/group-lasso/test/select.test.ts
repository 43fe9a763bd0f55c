import { Matrix, PatternMasks, Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { fitConvex, recoverNetwork, selectLambda } from '../src/index.js';
import { randn } from './helpers.js';

/** λ_max of the gated squared-loss problem, from the definition with dense D_i X blocks. */
function lambdaMaxDense(X: Matrix<Float64Array>, y: Float64Array, masks: PatternMasks): number {
  let m = 0;
  for (let i = 0; i < masks.p; i++) {
    let s = 0;
    for (let k = 0; k < X.cols; k++) {
      let g = 0;
      for (let j = 0; j < X.rows; j++) if (masks.get(j, i)) g += X.get(j, k) * -y[j];
      s += g * g;
    }
    m = Math.max(m, Math.sqrt(s));
  }
  return m;
}

describe('λ selection (cross-validation along the λ grid)', () => {
  it('chooses the grid point a brute-force search over the same grid chooses (independent fits and scores)', () => {
    const rng = new Rng(7);
    const n = 90;
    const d = 3;
    const X = randn(rng, n, d);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) y[j] = Math.max(0, X.get(j, 0) - X.get(j, 1)) + 0.5 * rng.normal();
    const Y = Matrix.column(y);
    const G = randn(rng, d, 12);
    const masks = PatternMasks.fromGates(X, G);
    const folds = Int32Array.from({ length: n }, (_, j) => j % 3);
    const points = 6;
    const ratio = 1e-3;
    const sel = selectLambda(X, Y, { masks, gates: G }, { model: 'gated-relu', lambda: 1, tol: 1e-8 }, { folds, points, ratio, score: 'mse', patience: Infinity });
    // the grid, from the definition
    const lmax = lambdaMaxDense(X, y, masks);
    const grid = Array.from({ length: points }, (_, k) => lmax * Math.pow(ratio, (k + 1) / points));
    expect(sel.table.map((r) => r.lambda)).toEqual(grid.map((v) => expect.closeTo(v, 10)));
    // brute force: every λ, every fold, solved by R-FISTA (not the auto solver) and scored here
    const scores = grid.map((lam) => {
      let tot = 0;
      for (let k = 0; k < 3; k++) {
        const tr: number[] = [];
        const va: number[] = [];
        for (let j = 0; j < n; j++) (folds[j] === k ? va : tr).push(j);
        const sub = (M: Matrix<Float64Array>, rows: number[]) => Matrix.fromArray(rows.length, M.cols, rows.flatMap((j) => Array.from({ length: M.cols }, (_, c) => M.get(j, c))));
        const Xtr = sub(X, tr);
        const r = fitConvex(Xtr, sub(Y, tr), { masks: PatternMasks.fromGates(Xtr, G), gates: G }, { model: 'gated-relu', lambda: lam, solver: 'fista', tol: 1e-10, maxIters: 200000 });
        const net = recoverNetwork(r);
        // the network's predictions by hand: Σ_neurons 1[g·x > 0] (u·x) w
        let se = 0;
        for (const j of va) {
          let f = 0;
          for (let h = 0; h < net.W1.cols; h++) {
            let pre = 0;
            let gate = 0;
            for (let c = 0; c < d; c++) {
              pre += X.get(j, c) * net.W1.get(c, h);
              gate += X.get(j, c) * (net.gates ? net.gates.get(c, h) : net.W1.get(c, h));
            }
            if (gate > 0) f += pre * net.W2.get(h, 0);
          }
          se += (f - y[j]) ** 2;
        }
        tot += se / va.length;
      }
      return tot / 3;
    });
    // validation predictions of near-optimal (1e-8) solutions agree to ~√1e-8 (U need not be unique)
    sel.table.forEach((row, t) => expect(Math.abs(row.score - scores[t])).toBeLessThan(1e-4 * scores[t]));
    const best = scores.indexOf(Math.min(...scores));
    const chosen = sel.table.findIndex((r) => r.lambda === sel.lambda);
    // the chosen point is the brute-force best (or tied with it within that precision)
    expect(scores[chosen]).toBeLessThanOrEqual(scores[best] * (1 + 2e-4));
    expect(sel.result.status).toBe('optimal');
    expect(sel.result.lambda).toBe(sel.lambda);
    // the refit, warm-started from the first fold's solution, reaches the optimum a cold R-FISTA
    // solve on all rows finds (objectives within the two 1e-8 gaps)
    const cold = fitConvex(X, Y, { masks, gates: G }, { model: 'gated-relu', lambda: sel.lambda, solver: 'fista', tol: 1e-10, maxIters: 200000 });
    expect(Math.abs(sel.result.objective - cold.objective)).toBeLessThanOrEqual(2e-8 * cold.objective);

    // with a patience of 1, each fold's path stops at the first point that scores worse than its
    // best so far: the scored rows are those every fold reached, their scores those of the full grid
    const short = selectLambda(X, Y, { masks, gates: G }, { model: 'gated-relu', lambda: 1, tol: 1e-8 }, { folds, points, ratio, score: 'mse', patience: 1 });
    const scored = short.table.map((r) => Number.isFinite(r.score));
    const firstUnscored = scored.indexOf(false);
    // scored rows come first, then none
    if (firstUnscored >= 0) expect(scored.slice(firstUnscored).every((v) => !v)).toBe(true);
    short.table.forEach((row, t) => {
      if (scored[t]) expect(Math.abs(row.score - scores[t])).toBeLessThan(1e-4 * scores[t]);
    });
    expect(short.table.filter((r) => Number.isFinite(r.score)).length).toBeGreaterThanOrEqual(2);
  });

  it('stops a one-split path `patience` points after the validation best, the stop found by scoring the full grid independently', () => {
    const rng = new Rng(3);
    const n = 80;
    const d = 3;
    const X = randn(rng, n, d);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) y[j] = X.get(j, 0) + 0.8 * rng.normal();
    const G = randn(rng, d, 10);
    const masks = PatternMasks.fromGates(X, G);
    // fold 0 is the validation split; evaluateFolds 1 scores only it
    const folds = Int32Array.from({ length: n }, (_, j) => (j % 4 === 0 ? 0 : 1));
    const opts = { model: 'gated-relu' as const, lambda: 1, tol: 1e-9 };
    const full = selectLambda(X, Matrix.column(y), { masks, gates: G }, opts, { folds, points: 10, ratio: 1e-4, score: 'mse', evaluateFolds: 1, patience: Infinity });
    const sc = full.table.map((r) => r.score);
    // where a patience-2 path must stop, from the full grid's scores: 2 points after a running best that is not improved on
    let best = 0;
    let stop = sc.length - 1;
    for (let t = 1; t < sc.length; t++) {
      if (sc[t] < sc[best] - 1e-12 * Math.max(1, Math.abs(sc[best]))) best = t;
      else if (t - best >= 2) {
        stop = t;
        break;
      }
    }
    const short = selectLambda(X, Matrix.column(y), { masks, gates: G }, opts, { folds, points: 10, ratio: 1e-4, score: 'mse', evaluateFolds: 1, patience: 2 });
    short.table.forEach((r, t) => {
      if (t <= stop) expect(Math.abs(r.score - sc[t])).toBeLessThan(1e-5 * sc[t]);
      else expect(Number.isNaN(r.score)).toBe(true);
    });
    // it chooses the best of the rows up to the stop (ties: the larger λ)
    let bestUpTo = 0;
    for (let t = 1; t <= stop; t++) if (sc[t] < sc[bestUpTo] - 1e-12 * Math.max(1, Math.abs(sc[bestUpTo]))) bestUpTo = t;
    expect(short.lambda).toBe(full.table[bestUpTo].lambda);
    expect(short.result.status).toBe('optimal');
  });

  it('refuses folds without a second fold, or with a gap in the numbering', () => {
    const rng = new Rng(1);
    const X = randn(rng, 10, 2);
    const Y = Matrix.column(Float64Array.from({ length: 10 }, () => rng.normal()));
    const masks = PatternMasks.fromGates(X, randn(rng, 2, 4));
    expect(() => selectLambda(X, Y, { masks }, { model: 'gated-relu', lambda: 1 }, { folds: new Int32Array(10), score: 'mse' })).toThrow(/K ≥ 2/);
    expect(() => selectLambda(X, Y, { masks }, { model: 'gated-relu', lambda: 1 }, { folds: Int32Array.from({ length: 10 }, (_, j) => (j % 2) * 2), score: 'mse' })).toThrow(/fold 1 has no rows/);
  });
});

describe('fitConvex warm starts', () => {
  const rng = new Rng(5);
  const n = 60;
  const d = 3;
  const X = randn(rng, n, d);
  const Y = Matrix.zeros(n, 2);
  for (let j = 0; j < n; j++) {
    Y.data[j * 2] = Math.max(0, X.get(j, 0)) + 0.3 * rng.normal();
    Y.data[j * 2 + 1] = Math.max(0, -X.get(j, 1)) + 0.3 * rng.normal();
  }
  const G = randn(rng, d, 8);
  const masks = PatternMasks.fromGates(X, G);

  it.each([
    ['gated-relu', 'nuclear'],
    ['gated-relu', 'one-vs-all'],
    ['relu', 'one-vs-all'],
  ] as const)('%s (%s): started at its own optimum it stops at once with the same objective; started at another λ it reaches the cold optimum', (model, vectorOutput) => {
    const o = { model, vectorOutput, lambda: 0.5, tol: 1e-9, solver: 'fista' as const, maxIters: 200000 };
    const cold = fitConvex(X, Y, { masks, gates: G }, o);
    expect(cold.status).toBe('optimal');
    const again = fitConvex(X, Y, { masks, gates: G }, { ...o, warmStart: cold });
    // every column's first check is already within the tolerance
    expect(again.iterations).toBe(0);
    expect(again.objective).toBeCloseTo(cold.objective, 10);
    const other = fitConvex(X, Y, { masks, gates: G }, { ...o, lambda: 2 });
    const warm = fitConvex(X, Y, { masks, gates: G }, { ...o, warmStart: other });
    expect(warm.status).toBe('optimal');
    expect(Math.abs(warm.objective - cold.objective)).toBeLessThanOrEqual(2e-9 * cold.objective);
  });

  it('refuses a warm start of another model or shape', () => {
    const g = fitConvex(X, Y, { masks, gates: G }, { model: 'gated-relu', lambda: 0.5 });
    expect(() => fitConvex(X, Y, { masks, gates: G }, { model: 'relu', lambda: 0.5, warmStart: g })).toThrow(/warmStart is a gated-relu-nuclear solution.*this fit is relu-one-vs-all/);
    const sub = masks.select([0, 1, 2]);
    expect(() => fitConvex(X, Y, { masks: sub }, { model: 'gated-relu', lambda: 0.5, warmStart: g })).toThrow(/3×16 blocks|3×6/);
  });
});
