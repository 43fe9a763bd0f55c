import { lambdaGrid } from '@cvxnn/group-lasso';
import { Matrix, Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { cnnPredict, outputScore } from './model.js';
import { convGeometry, extractPatches } from './patches.js';
import { convolutionalPatterns, fitConvexCnn, recoverCnn } from './pooled.js';
import { selectCnnLambda } from './select.js';

/** 5×5 images of three noisy classes: a bright left column, right column or centre pixel. */
function data(n: number, seed: number) {
  const rng = new Rng(seed);
  const X = Matrix.zeros(n, 25);
  const Y = Matrix.zeros(n, 3);
  for (let i = 0; i < n; i++) {
    const cls = i % 3;
    for (let t = 0; t < 25; t++) {
      const y = Math.floor(t / 5);
      const x = t % 5;
      const on = cls === 0 ? x === 0 : cls === 1 ? x === 4 : x === 2 && y === 2;
      X.data[i * 25 + t] = (on ? 1 : 0) + 0.6 * rng.normal();
    }
    Y.data[i * 3 + cls] = 1;
  }
  return { X, Y };
}

describe('selectCnnLambda: λ by validation for the convex CNN', () => {
  const { X, Y } = data(36, 3);
  const imageShape = { height: 5, width: 5, channels: 1 };
  const g = convGeometry(imageShape, { kernel: 3 });
  const base = { imageShape, kernel: 3, model: 'gated-relu' as const, loss: 'cross-entropy' as const, regions: [2, 2] as [number, number], tol: 1e-9, maxIters: 100000 };
  const ps = convolutionalPatterns(extractPatches(X, g), { count: 5, seed: 1 });

  it('warm starts begin closer to the cold optimum and reach it; a warm start of another shape is refused', () => {
    const a = fitConvexCnn(X, Y, { ...base, patterns: ps, lambda: 2 });
    const cold = fitConvexCnn(X, Y, { ...base, patterns: ps, lambda: 1 });
    const warm = fitConvexCnn(X, Y, { ...base, patterns: ps, lambda: 1, warmStart: a });
    expect(warm.status).toBe('optimal');
    expect(warm.objective).toBeCloseRel(cold.objective, 1e-7);
    // the first evaluated point of each solve (iteration 0): the warm one is nearer the optimum
    // (the iteration counts are not compared: both certify in a few hundred, in either order)
    const p = cold.objective;
    expect(warm.history[0].iteration).toBe(0);
    expect(cold.history[0].iteration).toBe(0);
    expect(warm.history[0].objective - p).toBeLessThan(0.1 * (cold.history[0].objective - p));
    const global = fitConvexCnn(X, Y, { ...base, regions: [1, 1], patterns: ps, lambda: 2 });
    expect(() => fitConvexCnn(X, Y, { ...base, patterns: ps, lambda: 1, warmStart: global })).toThrow(/warm-start only from the same formulation, patterns, regions and outputs/);
  });

  it('agrees with a brute-force search over the same grid (cold fits on each fold, patience = the whole grid)', () => {
    const folds = Int32Array.from({ length: X.rows }, (_, i) => Math.floor(i / 3) % 3);
    const sel = selectCnnLambda(X, Y, { ...base, patterns: ps }, { folds, points: 6, ratio: 1e-2, score: 'accuracy', patience: Infinity });
    expect(sel.folds).toBe(3);
    expect(sel.solves).toBe(18);
    const lmax = sel.table[0].lambda / Math.pow(1e-2, 1 / 6);
    const grid = lambdaGrid(lmax, lmax * 1e-2, 6);
    expect(sel.table.map((r) => r.lambda)).toAllClose(Array.from(grid), { rtol: 1e-12 });
    // brute force: every λ, every fold, a cold fit on the other images with the gates' masks there
    const K = g.patches;
    const scores = Array.from(grid, (lam) => {
      let s = 0;
      for (let k = 0; k < 3; k++) {
        const tr: number[] = [];
        const va: number[] = [];
        folds.forEach((f, i) => (f === k ? va : tr).push(i));
        const rows = tr.flatMap((i) => Array.from({ length: K }, (_, q) => i * K + q));
        const r = fitConvexCnn(X.selectRows(tr), Y.selectRows(tr), { ...base, lambda: lam, patterns: { ...ps, masks: ps.masks.rows(rows) } });
        expect(r.status).toBe('optimal');
        s += outputScore(cnnPredict(recoverCnn(r), X.selectRows(va)), Y.selectRows(va), 'accuracy');
      }
      return s / 3;
    });
    expect(sel.table.map((r) => r.score)).toAllClose(scores, { rtol: 1e-12 });
    let best = 0;
    for (let t = 1; t < scores.length; t++) if (scores[t] > scores[best] + 1e-12) best = t;
    expect(sel.lambda).toBe(sel.table[best].lambda);
    // the refit is the certified fit on all images at that λ
    const ref = fitConvexCnn(X, Y, { ...base, lambda: sel.lambda, patterns: ps });
    expect(sel.result.status).toBe('optimal');
    expect(sel.result.objective).toBeCloseRel(ref.objective, 1e-7);
    expect(sel.result.regions).toEqual([2, 2]);
  });
});
