import { dataLoss, denseProblem, l2Penalty, nuclearPenalty, solve, stridedLayout } from '@cvxnn/group-lasso';
import { CvxnnError, Matrix, Rng } from '@cvxnn/linalg';
import { initNetwork } from '@cvxnn/networks';
import { describe, expect, it } from 'vitest';
import { type CnnModel, cnnFromJson, cnnObjectiveTerms, cnnPredict, cnnToJson, trainCnnAdam } from './model.js';
import { convGeometry, extractPatches, patchRegions } from './patches.js';
import { convolutionalPatterns, fitConvexCnn, recoverCnn } from './pooled.js';

/**
 * Regional pooling by brute force: for every image, unit and patch position (oy, ox), the unit's
 * activation counts when the position's block — ⌊oy·rows/outH⌋, ⌊ox·cols/outW⌋ — is the unit's.
 */
function naiveRegional(model: CnnModel, X: Matrix<Float64Array>): number[][] {
  const g = model.geometry;
  const net = model.network;
  const reg = model.regions;
  if (!reg) throw new Error('regional model expected');
  const P = extractPatches(X, g, { appendOne: net.appendOne });
  const K = g.patches;
  const out: number[][] = [];
  for (let i = 0; i < X.rows; i++) {
    const f = new Array<number>(net.W2.cols).fill(0);
    for (let j = 0; j < net.W1.cols; j++) {
      let pooled = 0;
      for (let oy = 0; oy < g.outH; oy++) {
        for (let ox = 0; ox < g.outW; ox++) {
          const block = Math.floor((oy * reg.rows) / g.outH) * reg.cols + Math.floor((ox * reg.cols) / g.outW);
          if (block !== reg.unit[j]) continue;
          const row = i * K + oy * g.outW + ox;
          let z = 0;
          let gz = 0;
          for (let r = 0; r < P.cols; r++) {
            z += P.get(row, r) * net.W1.get(r, j);
            if (net.gates) gz += P.get(row, r) * net.gates.get(r, j);
          }
          pooled += net.kind === 'gated-relu' ? (gz > 0 ? z : 0) : Math.max(z, 0);
        }
      }
      for (let k = 0; k < f.length; k++) f[k] += pooled * net.W2.get(j, k);
    }
    out.push(f);
  }
  return out;
}

describe('regional pooling: neurons that pool one block of patch positions', () => {
  const g = convGeometry({ height: 5, width: 6, channels: 1 }, { kernel: 2 });
  const rng = new Rng(11);
  const X = new Matrix(7, 30, rng.normalArray(7 * 30));

  it('patchRegions cuts the 4×5 grid of positions into near-equal blocks; too many regions is one typed error', () => {
    const reg = patchRegions(g, 2, 2);
    // rows 0–1 | 2–3 and columns 0–2 | 3–4 (⌊ox·2/5⌋)
    expect(Array.from(reg)).toEqual([0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 2, 2, 2, 3, 3]);
    expect(Array.from(patchRegions(g, 1, 1)).every((v) => v === 0)).toBe(true);
    expect(() => patchRegions(g, 5, 1)).toThrow(/at most 4×5 regions/);
    expect(() => patchRegions(g, 0, 2)).toThrow(CvxnnError);
  });

  it('cnnPredict equals the brute-force loop; 1×1 regions equal global pooling; the JSON round trip keeps the regions', () => {
    for (const kind of ['relu', 'gated-relu'] as const) {
      const net = initNetwork(g.patchSize, 3, { width: 5, seed: 3, kind, appendOne: true });
      const model: CnnModel = { geometry: g, pooling: 'sum', network: net, regions: { rows: 2, cols: 3, unit: Int32Array.of(0, 5, 2, 3, 5) } };
      const F = cnnPredict(model, X, 3);
      expect(Array.from(F.data)).toAllClose(naiveRegional(model, X).flat(), { rtol: 1e-12, atol: 1e-12 });
      const global = cnnPredict({ ...model, regions: undefined }, X);
      const one = cnnPredict({ ...model, regions: { rows: 1, cols: 1, unit: new Int32Array(5) } }, X);
      expect(Array.from(one.data)).toAllClose(Array.from(global.data), { rtol: 1e-12, atol: 1e-12 });
      const back = cnnFromJson(JSON.parse(JSON.stringify(cnnToJson(model))));
      expect(Array.from(back.regions?.unit ?? [])).toEqual([0, 5, 2, 3, 5]);
      expect(Array.from(cnnPredict(back, X).data)).toAllClose(Array.from(F.data), { rtol: 1e-12, atol: 1e-12 });
    }
    const net = initNetwork(g.patchSize, 1, { width: 2, seed: 1 });
    expect(() => cnnPredict({ geometry: g, pooling: 'sum', network: net, regions: { rows: 2, cols: 2, unit: Int32Array.of(0, 4) } }, X)).toThrow(/outside 0…3/);
    expect(() => cnnPredict({ geometry: g, pooling: 'sum', network: net, regions: { rows: 2, cols: 2, unit: Int32Array.of(0) } }, X)).toThrow(/name 1 hidden units but the network has 2/);
    expect(() => cnnPredict({ geometry: g, pooling: 'mean', network: net, regions: { rows: 2, cols: 2, unit: Int32Array.of(0, 1) } }, X)).toThrow(/sum pooling within each region/);
  });

  it('Adam with regions assigns unit j to region j mod 4 and lowers the objective (the regional gradient: model.test.ts)', () => {
    const Y = new Matrix(7, 2, rng.normalArray(14));
    const r = trainCnnAdam({ geometry: g, width: 6, seed: 4, regions: [2, 2] }, X, Y, { lambda: 0.1, iterations: 300, learningRate: 0.02 });
    expect(Array.from(r.model.regions?.unit ?? [])).toEqual([0, 1, 2, 3, 0, 1]);
    expect(r.objective).toBeLessThan(r.history[0].objective);
  });

  it('the regional convex program: Φ equals a hand-built one, the solve certifies, and the recovered CNN has the convex objective', () => {
    const n = X.rows;
    const Yb = new Matrix(n, 1, Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1)));
    const Y3 = Matrix.zeros(n, 3);
    for (let i = 0; i < n; i++) Y3.data[i * 3 + (i % 3)] = 1;
    const patches = extractPatches(X, g);
    const ps = convolutionalPatterns(patches, { count: 6, seed: 2 });
    const P = ps.masks.p;
    const K = g.patches;
    const h = patches.cols;
    const block = patchRegions(g, 2, 2);
    // Φ by hand: column r·Q + ρ·P + i sums pattern i's active patches of region ρ
    const Q = 4 * P;
    const Phi = Matrix.zeros(n, h * Q);
    for (let j = 0; j < n; j++) for (let k = 0; k < K; k++) for (let i = 0; i < P; i++) if (ps.masks.get(j * K + k, i)) for (let r = 0; r < h; r++) Phi.data[j * h * Q + r * Q + block[k] * P + i] += patches.get(j * K + k, r);
    for (const [Y, loss, lambda] of [
      [Yb, 'logistic', 0.3],
      [Y3, 'cross-entropy', 0.3],
    ] as const) {
      const c = Y.cols;
      const r = fitConvexCnn(X, Y, { imageShape: g.image, kernel: 2, model: 'gated-relu', lambda, loss, patterns: ps, regions: [2, 2], tol: 1e-8, maxIters: 50000 });
      expect(r.status).toBe('optimal');
      expect(r.patterns).toBe(Q);
      expect(r.regions).toEqual([2, 2]);
      const ref = solve(denseProblem(Phi, stridedLayout(h, Q, c, 1), dataLoss(loss, 'sum', Y), lambda, (L, lam) => (c > 1 ? nuclearPenalty(h, Q, c, lam) : l2Penalty(L, lam))), { solver: 'fista', tol: 1e-9, maxIters: 100000 });
      expect(r.objective).toBeCloseRel(ref.objective, 1e-7);
      const cnn = recoverCnn(r);
      expect(cnn.regions?.rows).toBe(2);
      const terms = cnnObjectiveTerms(cnn, X, Y, { lambda, loss });
      expect(terms.objective).toBeCloseRel(r.objective, 1e-6);
      // the brute-force forward pass of the recovered network
      expect(Array.from(cnnPredict(cnn, X).data)).toAllClose(naiveRegional(cnn, X).flat(), { rtol: 1e-10, atol: 1e-10 });
    }
    expect(() => fitConvexCnn(X, Yb, { imageShape: g.image, kernel: 2, model: 'relu', lambda: 0.3, loss: 'logistic', patterns: 4, regions: [2, 2] })).toThrow(/available for the gated-relu CNN/);
    expect(() => fitConvexCnn(X, Yb, { imageShape: g.image, kernel: 2, model: 'gated-relu', lambda: 0.3, loss: 'logistic', patterns: 4, regions: [5, 5] })).toThrow(/at most 4×5 regions/);
  });
});
