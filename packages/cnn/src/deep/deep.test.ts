import { appendOnes, enumeratePatterns, regionCount, samplePatterns } from '@cvxnn/arrangements';
import { fitConvex } from '@cvxnn/group-lasso';
import { CvxnnError, Matrix, PatternMasks, Rng, rank } from '@cvxnn/linalg';
import { forward, objectiveTerms, predict } from '@cvxnn/networks';
import { describe, expect, it } from 'vitest';
import { fitLayerwise, fitThreeLayer, layerwiseFeatures, layerwiseMetrics, layerwisePredict, pathForward, pathObjective, trainPathAdam } from '../index.js';

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CvxnnError);
    return (e as CvxnnError).code;
  }
  return 'none';
}

describe('three-layer path-regularized convex program (SPEC §5.1, §5.3)', () => {
  const x = [-1.5, -0.5, 0.5, 1.5];
  const X = appendOnes(new Matrix(4, 1, Float64Array.from(x)));
  const y = Float64Array.of(1, -1, 2, 0.5);
  const beta = 0.1;

  it('E1/E3: recovered network reproduces the fit and objective; Adam never goes below; pattern count ≤ Cover bound', () => {
    const r = fitThreeLayer(X, y, { lambda: beta, tol: 1e-7, maxIters: 30000 });
    // the AL certificate stalls a little above 1e-6 here (degenerate multipliers of the nested cones)
    expect(r.certificate.value).toBeLessThan(1e-5);
    expect(r.constraintViolation).toBeLessThan(1e-7);
    expect(pathForward(r.network, X)).toAllClose(r.fit, { atol: 1e-6 });
    expect(pathObjective(r.network, X, y, beta).objective).toBeCloseRel(r.objective, 1e-6);
    // E3: second-layer patterns of X̂ = [D_1X, …, D_PX] number at most Cover(n, rank X̂)
    const first = enumeratePatterns(X).masks;
    const Xh = Matrix.zeros(4, 2 * first.p);
    for (let j = 0; j < 4; j++) for (let i = 0; i < first.p; i++) if (first.get(j, i)) for (let k = 0; k < 2; k++) Xh.data[j * 2 * first.p + 2 * i + k] = X.get(j, k);
    expect(r.firstPatterns).toBe(first.p);
    expect(r.secondPatterns).toBeLessThanOrEqual(regionCount(4, rank(Xh)));
    for (let seed = 0; seed < 4; seed++) {
      const a = trainPathAdam(X, y, { lambda: beta, subnets: 3, width: 3 + (seed % 3), iterations: 1500, learningRate: 0.02, seed });
      expect(a.objective).toBeGreaterThanOrEqual(r.objective * (1 - 1e-5));
    }
  });

  it('E2: with only D′ = I (both output signs) the program equals the two-layer C-ReLU program', () => {
    const r = fitThreeLayer(X, y, { lambda: beta, secondPatterns: 'identity', tol: 1e-9 });
    const two = fitConvex(X, new Matrix(4, 1, y), enumeratePatterns(X), { model: 'relu', lambda: beta, tol: 1e-9 });
    expect(r.objective).toBeCloseRel(two.objective, 1e-6);
  });

  it('the third layer helps: the full program is ≤ the D′ = I program', () => {
    const full = fitThreeLayer(X, y, { lambda: beta, secondPatterns: 6, tol: 1e-7, maxIters: 20000 });
    const id = fitThreeLayer(X, y, { lambda: beta, secondPatterns: 'identity', tol: 1e-8 });
    expect(full.objective).toBeLessThanOrEqual(id.objective * (1 + 1e-6));
  });

  it('bad input gives typed errors', () => {
    expect(code(() => fitThreeLayer(X, Float64Array.of(1), { lambda: 1 }))).toBe('SHAPE_MISMATCH');
    expect(code(() => fitThreeLayer(X, y, { lambda: -1 }))).toBe('INVALID_OPTION');
    expect(code(() => fitThreeLayer(Matrix.zeros(0, 2), new Float64Array(0), { lambda: 1 }))).toBe('EMPTY_DATA');
    expect(code(() => fitThreeLayer(X, y, { lambda: 1, maxBlocks: 3 }))).toBe('INVALID_OPTION');
  });
});

describe('greedy layer-wise training (SPEC §5.2, §5.3)', () => {
  const rng = new Rng(3);
  const n = 30;
  const X = new Matrix(n, 3, rng.normalArray(n * 3));
  const y = new Matrix(n, 1, Float64Array.from({ length: n }, (_, i) => Math.sin(2 * X.get(i, 0)) + X.get(i, 1) * X.get(i, 2)));
  const lambda = 0.05;

  it('E6: one block equals the two-layer gated convex program on the same patterns', () => {
    const { blocks } = fitLayerwise(X, y, { layers: 1, lambda, patterns: 12, seed: 4, tol: 1e-7 });
    const Xt = appendOnes(X);
    const ps = samplePatterns(Xt, { count: 12, seed: 4, maxDraws: 600 });
    const two = fitConvex(Xt, y, { masks: ps.masks, gates: ps.gates }, { model: 'gated-relu', lambda, tol: 1e-7 });
    expect(blocks[0].objective).toBeCloseRel(two.objective, 1e-6);
  });

  it('each block is certified; the composed forward pass equals the stacked features; E5 bound across depth', () => {
    const L = 3;
    const { model, blocks } = fitLayerwise(X, y, { layers: L, lambda, patterns: 12, seed: 1, tol: 1e-6 });
    expect(blocks).toHaveLength(L);
    let H = X;
    for (let l = 0; l < L; l++) {
      const b = blocks[l];
      expect(b.status).toBe('optimal');
      expect(b.certificate.value).toBeLessThanOrEqual(1e-6);
      expect(b.inputDim).toBe(H.cols);
      // block l's recovered network on the stacked features H_{l−1} has the block's convex objective
      expect(objectiveTerms(b.network, H, y, { loss: 'squared', lambda }).objective).toBeCloseRel(b.objective, 1e-6);
      expect(layerwiseFeatures(model, X, l).data).toAllClose(H.data, { rtol: 1e-12, atol: 1e-12 });
      expect(layerwisePredict(model, X, l + 1).data).toAllClose(predict(b.network, H).data, { rtol: 1e-12, atol: 1e-12 });
      if (l > 0) {
        // E5: block l+1 contains the all-ones pattern, so obj_{l+1} ≤ ½‖f_l − y‖² + β‖W2_l‖
        const prev = blocks[l - 1].network;
        const f = predict(prev, layerwiseFeatures(model, X, l - 1));
        let bound = 0;
        for (let i = 0; i < n; i++) bound += 0.5 * (f.data[i] - y.data[i]) ** 2;
        let w = 0;
        for (const v of prev.W2.data) w += v * v;
        bound += lambda * Math.sqrt(w);
        expect(b.objective).toBeLessThanOrEqual(bound * (1 + 1e-6));
      }
      H = forward(b.network, H).H;
    }
    const mses = layerwiseMetrics(model, X, y, 'mse');
    expect(mses).toHaveLength(L);
  });

  it('vector output (one-hot, cross-entropy) and accuracy per depth', () => {
    const Y = Matrix.zeros(n, 3);
    for (let i = 0; i < n; i++) Y.data[i * 3 + (X.get(i, 0) > 0.5 ? 0 : X.get(i, 1) > 0 ? 1 : 2)] = 1;
    const { model, blocks } = fitLayerwise(X, Y, { layers: 2, lambda: 0.01, patterns: 10, loss: 'cross-entropy', tol: 1e-5 });
    expect(blocks[0].formulation).toBe('gated-relu-nuclear');
    const acc = layerwiseMetrics(model, X, Y, 'accuracy');
    expect(acc[0]).toBeGreaterThan(0.9);
    expect(acc[1]).toBeGreaterThan(0.9);
  });

  it('bad input gives typed errors', () => {
    expect(code(() => fitLayerwise(X, y, { layers: 0, lambda }))).toBe('INVALID_OPTION');
    expect(code(() => fitLayerwise(X, y, { layers: 2, lambda: [0.1] }))).toBe('INVALID_OPTION');
    expect(code(() => fitLayerwise(X, new Matrix(3, 1, new Float64Array(3)), { layers: 1, lambda }))).toBe('SHAPE_MISMATCH');
    expect(code(() => fitLayerwise(X, y, { layers: 1, lambda: 1e9 }))).toBe('INVALID_OPTION');
    void PatternMasks;
  });
});
