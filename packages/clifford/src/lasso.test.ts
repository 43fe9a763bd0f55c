import { Matrix, Rng, solve } from '@cvxnn/linalg';
import { objective, predict, trainAdam } from '@cvxnn/networks';
import { describe, expect, it } from 'vitest';
import { affineDictionary, rampDictionary, triangleDictionary } from './dictionaries.js';
import { compareWithExact, solveExactFreeBias, solveExactOneDimensional } from './exact.js';
import { buildDictionary, fitClifford } from './fit.js';
import { solveLasso } from './lasso.js';
import { network1dJson, networkFromLasso } from './recover.js';

/** Fixture X4 (SPEC §9). */
const X4 = { x: [-2, -1, 0, 1, 2], y: [1, -1, 0.5, 2, 0], lambda: 0.1 };

/**
 * Brute-force Lasso with free intercept for a handful of columns: for every support S and sign
 * vector σ solve the centred KKT system K_Sᵀ K_S α_S = K_Sᵀ y − λσ, keep candidates whose signs match
 * σ and whose off-support correlations are ≤ λ; the optimum is the best such candidate.
 */
function bruteLasso(K: number[][], y: number[], lambda: number): number {
  const n = y.length;
  const m = K[0].length;
  const mu = Array.from({ length: m }, (_, j) => K.reduce((s, r) => s + r[j], 0) / n);
  const yb = y.reduce((a, b) => a + b, 0) / n;
  const Kc = K.map((r) => r.map((v, j) => v - mu[j]));
  const yc = y.map((v) => v - yb);
  const objectiveOf = (alpha: number[]) => {
    const c = yb - mu.reduce((s, v, j) => s + v * alpha[j], 0);
    let data = 0;
    for (let i = 0; i < n; i++) data += (K[i].reduce((s, v, j) => s + v * alpha[j], 0) + c - y[i]) ** 2;
    return data / 2 + lambda * alpha.reduce((s, a) => s + Math.abs(a), 0);
  };
  let best = objectiveOf(new Array(m).fill(0));
  for (let mask = 1; mask < 1 << m; mask++) {
    const S = Array.from({ length: m }, (_, j) => j).filter((j) => mask & (1 << j));
    for (let sg = 0; sg < 1 << S.length; sg++) {
      const sigma = S.map((_, t) => (sg & (1 << t) ? -1 : 1));
      const G = Matrix.from(S.map((a) => S.map((b) => Kc.reduce((s, r) => s + r[a] * r[b], 0))));
      const rhs = Matrix.from(S.map((a, t) => [Kc.reduce((s, r, i) => s + r[a] * yc[i], 0) - lambda * sigma[t]]));
      let sol: Matrix;
      try {
        sol = solve(G, rhs);
      } catch {
        continue;
      }
      const alpha = new Array(m).fill(0);
      let ok = true;
      S.forEach((j, t) => {
        alpha[j] = sol.get(t, 0);
        if (Math.sign(alpha[j]) !== sigma[t]) ok = false;
      });
      if (!ok) continue;
      best = Math.min(best, objectiveOf(alpha));
    }
  }
  return best;
}

/** ½‖Kα + c − y‖² + λ‖α‖₁ recomputed from the raw dictionary. */
function rawObjective(K: Matrix<Float64Array>, alpha: ArrayLike<number>, c: number, y: number[], lambda: number, s = 1): number {
  let data = 0;
  for (let i = 0; i < K.rows; i++) {
    let f = c;
    for (let j = 0; j < K.cols; j++) f += K.get(i, j) * alpha[j];
    data += (f - y[i]) ** 2;
  }
  let l1 = 0;
  for (let j = 0; j < K.cols; j++) l1 += Math.abs(alpha[j]);
  return (s * data) / 2 + lambda * l1;
}

describe('Lasso with free intercept (SPEC §7.2)', () => {
  it('fixture X4: mirrored ramps reach p* = 0.65 with both solvers; the one-sided K⁺ only 0.8108333', () => {
    const K = rampDictionary(X4.x).K;
    for (const solver of ['cd', 'fista'] as const) {
      const r = solveLasso(K, X4.y, { lambda: X4.lambda, solver });
      expect(r.status).toBe('optimal');
      expect(r.objective).toBeCloseRel(0.65, 1e-8);
      expect(r.certificate.value).toBeLessThan(1e-8);
      expect(rawObjective(K, r.alpha, r.intercept, X4.y, X4.lambda)).toBeCloseRel(r.objective, 1e-12);
    }
    const one = solveLasso(rampDictionary(X4.x, { oneSided: true }).K, X4.y, { lambda: X4.lambda });
    expect(one.objective).toBeCloseRel(0.8108333333, 1e-8);
  });

  it('equals a brute-force KKT enumeration on small random dictionaries', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 4; trial++) {
      const n = 9;
      const m = 4;
      const K = Array.from({ length: n }, () => Array.from(rng.normalArray(m)));
      const y = Array.from(rng.normalArray(n));
      const lambda = 0.3 + trial * 0.4;
      const r = solveLasso(Matrix.from(K), y, { lambda, tol: 1e-12 });
      expect(r.objective).toBeCloseRel(bruteLasso(K, y, lambda), 1e-9);
    }
  });

  it('mean scale equals the sum scale with nλ divided by n; λ ≥ λ_max gives α = 0 and c = mean(y)', () => {
    const rng = new Rng(12);
    const x = Array.from(rng.normalArray(12));
    const y = x.map((v) => Math.abs(v) + 0.1 * rng.normal());
    const K = rampDictionary(x).K;
    const mean = solveLasso(K, y, { lambda: 0.01, scale: 'mean', tol: 1e-11 });
    const sum = solveLasso(K, y, { lambda: 0.01 * 12, scale: 'sum', tol: 1e-11 });
    expect(mean.objective).toBeCloseRel(sum.objective / 12, 1e-8);
    expect(rawObjective(K, mean.alpha, mean.intercept, y, 0.01, 1 / 12)).toBeCloseRel(mean.objective, 1e-10);
    const big = solveLasso(K, y, { lambda: mean.lambdaMax * 1.01, scale: 'mean' });
    expect(big.active).toEqual([]);
    expect(big.intercept).toBeCloseRel(y.reduce((a, b) => a + b, 0) / 12, 1e-12);
  });

  it('λ-path: warm-started path ends at the direct solution; objectives decrease along the decreasing grid', () => {
    const rng = new Rng(13);
    const x = Array.from(rng.normalArray(15));
    const y = x.map((v) => Math.sin(2 * v) + 0.1 * rng.normal());
    const K = rampDictionary(x).K;
    const direct = solveLasso(K, y, { lambda: 0.05, tol: 1e-11 });
    const path = solveLasso(K, y, { lambda: 0.05, tol: 1e-11, lambdaPath: 8 });
    expect(path.path).toHaveLength(8);
    expect(path.path![7].lambda).toBeCloseRel(0.05, 1e-12);
    expect(path.objective).toBeCloseRel(direct.objective, 1e-9);
    for (let k = 1; k < 8; k++) expect(path.path![k].objective).toBeLessThan(path.path![k - 1].objective + 1e-12);
  });

  it('rejects bad input with typed errors', () => {
    const K = Matrix.from([[1, 0], [0, 1]]);
    expect(() => solveLasso(K, [1, 2], { lambda: 0 })).toThrow(/lambda must be/);
    expect(() => solveLasso(K, [1], { lambda: 1 })).toThrow(/2 rows but there are 1 targets/);
    expect(() => solveLasso(K, [1, Number.NaN], { lambda: 1 })).toThrow(/NaN/);
    expect(() => solveLasso(K, [1, 2], { lambda: 1, solver: 'newton' as never })).toThrow(/solveLasso: option 'solver' must be 'auto' or 'fista' or 'cd', got string 'newton'/);
    expect(() => solveLasso(Matrix.from([[1, Number.POSITIVE_INFINITY]]), [1], { lambda: 1 })).toThrow(/finite|Infinity/);
    expect(() => buildDictionary(Matrix.zeros(3, 2), { dictionary: 'ramps' })).toThrow(/1-D/);
    expect(() => buildDictionary(Matrix.zeros(3, 3), { dictionary: 'triangles' })).toThrow(/2-D/);
    expect(() => buildDictionary(Matrix.zeros(3, 1), { dictionary: 'spline' as never })).toThrow(/option 'dictionary' must be 'auto' or/);
    expect(() => networkFromLasso(rampDictionary([0, 1]).atoms, { alpha: [1], intercept: 0 })).toThrow(/1 coefficients for 2 atoms/);
  });
});

describe('1-D exactness (SPEC §2.6, oracle G4)', () => {
  it('fixture X4: the exact constrained program on [x, 1] over all patterns (free bias) reaches 0.65', () => {
    const ex = solveExactOneDimensional(X4.x, X4.y, { lambda: X4.lambda });
    expect(ex.status).toBe('optimal');
    expect(ex.patterns).toBe(2 * X4.x.length - 1); // 2n chambers of the lines u·x_k + b = 0, all-zero pattern dropped
    expect(ex.objective).toBeCloseRel(0.65, 1e-7);
    // its recovered network has the same weight-decay objective
    const X = Matrix.fromArray(5, 1, X4.x);
    expect(objective(ex.network, X, Matrix.column(Float64Array.from(X4.y)), { lambda: X4.lambda })).toBeCloseRel(ex.objective, 1e-6);
  });

  it('random data: Lasso optimum = exact program optimum; recovered network objective and predictions = Lasso', () => {
    const rng = new Rng(21);
    for (let trial = 0; trial < 3; trial++) {
      const n = 7;
      const x = Array.from({ length: n }, () => 4 * rng.uniform() - 2);
      const y = Array.from(rng.normalArray(n));
      const lambda = [0.05, 0.1, 0.3][trial];
      const X = Matrix.fromArray(n, 1, x);
      const Y = Matrix.column(Float64Array.from(y));
      const fit = fitClifford(X, y, { lambda, tol: 1e-11 });
      expect(fit.exactness.exact).toBe(true);
      const ex = solveExactOneDimensional(x, y, { lambda, tol: 1e-10 });
      expect(ex.objective).toBeCloseRel(fit.lasso.objective, 1e-7);
      expect(objective(fit.network, X, Y, { lambda })).toBeCloseRel(fit.lasso.objective, 1e-10);
      expect(Array.from(predict(fit.network, X).data)).toAllClose(fit.lasso.prediction, { rtol: 1e-12, atol: 1e-12 });
      // the 1-D JSON form: f(x) = Σ relu(w_j x + b_j) a_j + c evaluated by hand
      const j = network1dJson(fit.network);
      for (let i = 0; i < n; i++) {
        const f = j.W1.reduce((s, w, k) => s + Math.max(w * x[i] + j.b1[k], 0) * j.w2[k], j.b2);
        expect(f).toBeCloseRel(fit.lasso.prediction[i], 1e-10, 1e-12);
      }
      // breakpoints sit at data points
      for (const bp of j.breakpoints) expect(Math.min(...x.map((v) => Math.abs(v - bp)))).toBeLessThan(1e-12);
    }
  });

  it('Adam from many seeds never goes below the Lasso optimum, and its best run reaches it', () => {
    const rng = new Rng(31);
    const n = 6;
    const x = Array.from({ length: n }, () => 4 * rng.uniform() - 2).sort((a, b) => a - b);
    const y = Array.from(rng.normalArray(n));
    const lambda = 0.1;
    const X = Matrix.fromArray(n, 1, x);
    const Y = Matrix.column(Float64Array.from(y));
    const p = fitClifford(X, y, { lambda, tol: 1e-12 }).lasso.objective;
    const finals: number[] = [];
    for (let seed = 0; seed < 12; seed++) {
      const r = trainAdam({ width: 8, seed, b1: true, b2: true }, X, Y, { lambda, iterations: 6000, learningRate: 0.01, schedule: 'cosine', evalEvery: 6000 });
      finals.push(r.objective);
      for (const h of r.history) expect(h.objective).toBeGreaterThanOrEqual(p * (1 - 1e-9));
    }
    expect(Math.min(...finals)).toBeCloseRel(p, 2e-3);
  });
});

describe('recovered networks in d ≥ 2 and the exact comparison (SPEC §7.2, §7.3, oracle G5)', () => {
  it('2-D affine and triangle dictionaries: the network reproduces the Lasso predictions and objective', () => {
    const rng = new Rng(41);
    const n = 10;
    const X = new Matrix(n, 2, rng.normalArray(2 * n));
    const y = Array.from({ length: n }, (_, i) => Math.max(X.get(i, 0) - X.get(i, 1), 0) + 0.1 * rng.normal());
    const Y = Matrix.column(Float64Array.from(y));
    for (const dictionary of ['affine', 'triangles'] as const) {
      const fit = fitClifford(X, y, { lambda: 0.05, dictionary, tol: 1e-10 });
      expect(fit.exactness.exact).toBe(false);
      expect(fit.network.b1 === undefined).toBe(dictionary === 'triangles');
      expect(Array.from(predict(fit.network, X).data)).toAllClose(fit.lasso.prediction, { rtol: 1e-12, atol: 1e-12 });
      expect(objective(fit.network, X, Y, { lambda: 0.05 })).toBeCloseRel(fit.lasso.objective, 1e-10);
    }
    expect(triangleDictionary(X).kind).toBe('triangles');
    expect(affineDictionary(X).K.cols).toBeLessThanOrEqual(n * (n - 1));
  });

  it('sketched and gate-sampled dictionaries: still exact recoveries of their own Lasso, and upper bounds of the full dictionary', () => {
    const rng = new Rng(61);
    const n = 12;
    const X = new Matrix(n, 6, rng.normalArray(6 * n));
    const y = Array.from({ length: n }, (_, i) => Math.max(X.get(i, 0) + X.get(i, 3), 0) + 0.1 * rng.normal());
    const Y = Matrix.column(Float64Array.from(y));
    const full = fitClifford(X, y, { lambda: 0.05, dictionary: 'affine', tol: 1e-10 });
    for (const opts of [{ sketchDim: 3, sample: 200, seed: 2 }, { sample: 200, seed: 2, sampling: 'gates' as const }]) {
      const fit = fitClifford(X, y, { lambda: 0.05, tol: 1e-10, ...opts });
      expect(fit.dictionary.exhaustive).toBe(false);
      expect(Array.from(predict(fit.network, X).data)).toAllClose(fit.lasso.prediction, { rtol: 1e-12, atol: 1e-12 });
      expect(objective(fit.network, X, Y, { lambda: 0.05 })).toBeCloseRel(fit.lasso.objective, 1e-10);
      // a sub-dictionary of hyperplanes through samples can only be worse when the samples span: the
      // full affine dictionary (all 6-subsets) contains every gate-sampled atom
      if (!('sketchDim' in opts)) expect(fit.lasso.objective).toBeGreaterThanOrEqual(full.lasso.objective * (1 - 1e-8));
    }
  });

  it('2-D with free biases: exact program ≤ GA affine Lasso; its network has its objective; Adam never below it and its best run within 1 %', () => {
    const rng = new Rng(71);
    const n = 6;
    const X = new Matrix(n, 2, rng.normalArray(2 * n));
    const y = Array.from(rng.normalArray(n));
    const Y = Matrix.column(Float64Array.from(y));
    const ex = solveExactFreeBias(X, y, { lambda: 0.1, tol: 1e-8 });
    expect(ex.status).toBe('optimal');
    expect(objective(ex.network, X, Y, { lambda: 0.1 })).toBeCloseRel(ex.objective, 1e-8);
    const ga = fitClifford(X, y, { lambda: 0.1, dictionary: 'affine', tol: 1e-10 });
    expect(ga.lasso.objective).toBeGreaterThanOrEqual(ex.objective * (1 - 1e-7));
    const finals = [0, 1, 2, 3].map((seed) => trainAdam({ width: 10, seed, b1: true, b2: true }, X, Y, { lambda: 0.1, iterations: 6000, schedule: 'cosine', evalEvery: 6000 }).objective);
    for (const f of finals) expect(f).toBeGreaterThanOrEqual(ex.objective * (1 - 1e-7));
    expect(Math.min(...finals)).toBeCloseRel(ex.objective, 1e-2); // best of 4 seeds: 0.55 % above here
    expect(() => solveExactFreeBias(new Matrix(4, 3, rng.normalArray(12)), [1, 2, 3, 4], { lambda: 0.1 })).toThrow(/d ≤ 2/);
  });

  it('G5: the lifted GA Lasso is never below the C-ReLU optimum over all patterns (small 2-D instances)', () => {
    const rng = new Rng(51);
    for (let trial = 0; trial < 2; trial++) {
      const n = 6;
      const X = new Matrix(n, 2, rng.normalArray(2 * n));
      const y = Array.from(rng.normalArray(n));
      const c = compareWithExact(X, y, { lambda: 0.1, tol: 1e-7 });
      expect(c.exactStatus).toBe('optimal');
      expect(c.lassoObjective).toBeGreaterThanOrEqual(c.exactObjective * (1 - 1e-6));
    }
  });

  it('1-D data lifted to [x, 1] (bias decayed, a 2-D no-bias problem): the lifted Lasso is an upper bound too', () => {
    const c = compareWithExact(Matrix.fromArray(5, 1, X4.x), X4.y, { lambda: X4.lambda });
    expect(c.lassoObjective).toBeGreaterThanOrEqual(c.exactObjective * (1 - 1e-6));
  });
});
