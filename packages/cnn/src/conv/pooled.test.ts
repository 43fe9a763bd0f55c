import { enumeratePatterns } from '@cvxnn/arrangements';
import { fitConvex } from '@cvxnn/group-lasso';
import { CvxnnError, Matrix, Rng } from '@cvxnn/linalg';
import { forward, makeLoss } from '@cvxnn/networks';
import { describe, expect, it } from 'vitest';
import { cnnFromJson, cnnObjectiveTerms, cnnPredict, cnnToJson, trainCnnAdam } from './model.js';
import { convGeometry, extractPatches } from './patches.js';
import { fitConvexCnn, recoverCnn } from './pooled.js';

/** Cover's count of regions of N generic hyperplanes through the origin of R^r: 2 Σ_{k<r} C(N−1, k). */
function cover(N: number, r: number): number {
  let s = 0;
  let c = 1;
  for (let k = 0; k < r; k++) {
    s += c;
    c = (c * (N - 1 - k)) / (k + 1);
  }
  return 2 * s;
}

function images(seed: number, n: number, d: number) {
  const rng = new Rng(seed);
  return { X: new Matrix(n, d, rng.normalArray(n * d)), y: new Matrix(n, 1, rng.normalArray(n)), rng };
}

/** Independent forward pass of a sum-pooled CNN: loop over images, patches and filters. */
function naiveCnn(W1: Matrix<Float64Array>, W2: Matrix<Float64Array>, patches: Matrix<Float64Array>, K: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < patches.rows / K; i++) {
    let f = 0;
    for (let j = 0; j < W1.cols; j++) {
      let pooled = 0;
      for (let k = 0; k < K; k++) {
        let z = 0;
        for (let r = 0; r < W1.rows; r++) z += patches.get(i * K + k, r) * W1.get(r, j);
        pooled += Math.max(z, 0);
      }
      f += pooled * W2.get(j, 0);
    }
    out.push(f);
  }
  return out;
}

describe('convex two-layer ReLU CNN with global pooling (SPEC §4.2, oracles §4.7)', () => {
  const shape1d = { height: 1, width: 4, channels: 1 };

  it('D2: the joint patterns are those of the stacked patch matrix; count = Cover(nK, h) for generic patches', () => {
    const { X } = images(1, 4, 4);
    const g = convGeometry(shape1d, { kernel: [1, 2] });
    const P = extractPatches(X, g);
    expect(P.rows).toBe(12);
    expect(enumeratePatterns(P, { dropZero: false }).masks.p).toBe(cover(12, 2));
    // a 2×3 image with 2×2 filters: K = 2 patches of h = 4 features, 5 images ⇒ 10 rows in R^4
    const { X: X2 } = images(2, 5, 6);
    const P2 = extractPatches(X2, convGeometry({ height: 2, width: 3, channels: 1 }, { kernel: 2 }));
    expect(enumeratePatterns(P2, { dropZero: false }).masks.p).toBe(cover(10, 4));
  });

  it('D1: one patch covering the whole image reduces to the fully connected C-ReLU program', () => {
    const { X, y } = images(3, 6, 4);
    const ps = enumeratePatterns(X);
    const fc = fitConvex(X, y, ps, { model: 'relu', lambda: 0.2, tol: 1e-10, maxIters: 50000 });
    const cnn = fitConvexCnn(X, y, { imageShape: { height: 2, width: 2, channels: 1 }, kernel: 2, model: 'relu', lambda: 0.2, patterns: 'all', tol: 1e-10, maxIters: 50000 });
    expect(cnn.geometry.patches).toBe(1);
    expect(cnn.objective).toBeCloseRel(fc.objective, 1e-7);
  });

  it('D3: with all patterns the recovered CNN reproduces the convex fit and objective; Adam (10 seeds) and SGD (5 seeds) never go below', () => {
    const { X, y } = images(4, 4, 4);
    const lambda = 0.1;
    const r = fitConvexCnn(X, y, { imageShape: shape1d, kernel: [1, 2], model: 'relu', lambda, patterns: 'all', tol: 1e-6, maxIters: 20000 });
    expect(r.status).toBe('optimal');
    expect(r.constraintViolation).toBeLessThan(1e-9);
    const cnn = recoverCnn(r);
    const terms = cnnObjectiveTerms(cnn, X, y, { lambda });
    expect(terms.objective).toBeCloseRel(r.objective, 1e-6);
    expect(terms.dataTerm).toBeCloseRel(r.dataTerm, 1e-6);
    // predictions by an independent loop over images, patches and filters
    const g = convGeometry(shape1d, { kernel: [1, 2] });
    expect(Array.from(cnnPredict(cnn, X).data)).toAllClose(naiveCnn(cnn.network.W1, cnn.network.W2, extractPatches(X, g), g.patches), { rtol: 1e-10, atol: 1e-12 });
    // the convex optimum is a lower bound for every non-convex CNN (B7 for CNNs)
    for (let seed = 0; seed < 10; seed++) {
      const a = trainCnnAdam({ geometry: g, width: 6, seed }, X, y, { lambda, iterations: 1500, learningRate: 0.02, schedule: 'cosine' });
      // rigorous lower bound: primal − duality gap
      expect(a.objective).toBeGreaterThanOrEqual(r.objective - r.certificate.absolute);
    }
    for (let seed = 0; seed < 5; seed++) {
      const s = trainCnnAdam({ geometry: g, width: 6, seed }, X, y, { lambda, iterations: 1500, learningRate: 0.01, optimizer: 'sgd', momentum: 0.9, schedule: 'cosine' });
      expect(s.status).toBe('max-iterations');
      expect(s.objective).toBeGreaterThanOrEqual(r.objective - r.certificate.absolute);
    }
  });

  it('exact with a filter bias and 2-D images; mean pooling equals sum pooling of the patches scaled by 1/K', () => {
    const { X, y } = images(5, 3, 6);
    const lambda = 0.05;
    const base = { imageShape: { height: 2, width: 3, channels: 1 }, kernel: 2, model: 'relu' as const, lambda, patterns: 'all' as const, tol: 1e-8, maxIters: 100000 };
    const r = fitConvexCnn(X, y, { ...base, bias: true });
    const cnn = recoverCnn(r);
    expect(cnn.network.appendOne).toBe(true);
    expect(cnnObjectiveTerms(cnn, X, y, { lambda }).objective).toBeCloseRel(r.objective, 1e-6);
    const rm = fitConvexCnn(X, y, { ...base, pooling: 'mean' });
    const cm = recoverCnn(rm);
    expect(cnnObjectiveTerms(cm, X, y, { lambda }).objective).toBeCloseRel(rm.objective, 1e-6);
    // average pooling of K = 2 patches = sum pooling on X/2: same optimum
    const half = new Matrix(X.rows, X.cols, X.data.map((v) => v / 2));
    expect(fitConvexCnn(half, y, base).objective).toBeCloseRel(rm.objective, 1e-6);
  });

  it('gated ReLU CNN (scalar and vector output) recovers a gated CNN with the same objective, below the ReLU optimum', () => {
    const { X, y, rng } = images(6, 4, 4);
    const lambda = 0.1;
    const o = { imageShape: shape1d, kernel: [1, 2] as [number, number], lambda, patterns: 'all' as const, tol: 1e-8, maxIters: 100000 };
    const gr = fitConvexCnn(X, y, { ...o, model: 'gated-relu' });
    const cg = recoverCnn(gr);
    expect(cg.network.kind).toBe('gated-relu');
    expect(cnnObjectiveTerms(cg, X, y, { lambda }).objective).toBeCloseRel(gr.objective, 1e-6);
    const rr = fitConvexCnn(X, y, { ...o, model: 'relu' });
    expect(gr.objective - gr.certificate.absolute).toBeLessThanOrEqual(rr.objective);
    // vector output (3 classes, one-hot): nuclear-norm groups; relu one-vs-all
    const Y = Matrix.zeros(4, 3);
    for (let i = 0; i < 4; i++) Y.data[i * 3 + rng.int(3)] = 1;
    for (const model of ['gated-relu', 'relu'] as const) {
      const r = fitConvexCnn(X, Y, { ...o, model });
      expect(r.status).toBe('optimal');
      expect(r.formulation).toBe(model === 'relu' ? 'relu-one-vs-all' : 'gated-relu-nuclear');
      expect(cnnObjectiveTerms(recoverCnn(r), X, Y, { lambda }).objective).toBeCloseRel(r.objective, 1e-6);
    }
    // cross-entropy needs the gated model
    expect(() => fitConvexCnn(X, Y, { ...o, model: 'relu', loss: 'cross-entropy' })).toThrow(CvxnnError);
  });

  it('the augmented-Lagrangian route (stacked patches, pooled loss) agrees with the exact cone prox', () => {
    const { X, y } = images(10, 5, 6);
    const o = { imageShape: { height: 2, width: 3, channels: 1 }, kernel: 2, model: 'relu' as const, lambda: 0.1, patterns: 12, maxIters: 30000 };
    const f = fitConvexCnn(X, y, { ...o, solver: 'fista', tol: 1e-9 });
    const a = fitConvexCnn(X, y, { ...o, solver: 'al', tol: 1e-5, constraintTol: 1e-7 });
    expect(a.status).toBe('optimal');
    expect(a.certificate.kind).toBe('min-norm-subgradient');
    expect(a.constraintViolation).toBeLessThanOrEqual(1e-7);
    expect(a.objective).toBeCloseRel(f.objective, 1e-6);
    expect(cnnObjectiveTerms(recoverCnn(a), X, y, { lambda: 0.1 }).objective).toBeCloseRel(a.objective, 1e-5);
  });

  it('logistic loss: certified, and the recovered CNN has the convex objective', () => {
    const { X, rng } = images(7, 6, 4);
    const y = new Matrix(6, 1, Float64Array.from({ length: 6 }, () => (rng.uniform() > 0.5 ? 1 : -1)));
    const r = fitConvexCnn(X, y, { imageShape: shape1d, kernel: [1, 2], model: 'relu', lambda: 0.1, loss: 'logistic', patterns: 'all', tol: 1e-8, maxIters: 100000 });
    expect(r.status).toBe('optimal');
    const cnn = recoverCnn(r);
    const F = cnnPredict(cnn, X);
    expect(makeLoss('logistic').value(F, y) + r.penalty).toBeCloseRel(r.objective, 1e-6);
  });

  it('JSON round trip keeps predictions; sampled convolutional gates are reproducible', () => {
    const { X, y } = images(8, 6, 16);
    const o = { imageShape: { height: 4, width: 4, channels: 1 }, kernel: 2, model: 'gated-relu' as const, lambda: 0.05, patterns: 20, seed: 3 };
    const r1 = fitConvexCnn(X, y, o);
    const r2 = fitConvexCnn(X, y, o);
    expect(r1.patterns).toBe(20);
    expect(r2.objective).toBe(r1.objective);
    const cnn = recoverCnn(r1);
    const back = cnnFromJson(JSON.parse(JSON.stringify(cnnToJson(cnn))));
    expect(Array.from(cnnPredict(back, X).data)).toAllClose(Array.from(cnnPredict(cnn, X).data), { rtol: 1e-12, atol: 1e-14 });
    // the patch network is a plain @cvxnn/networks model: summing its outputs over patches is the CNN
    const P = extractPatches(X, r1.geometry);
    const per = forward(cnn.network, P).F;
    const pooled = Array.from({ length: X.rows }, (_, i) => {
      let s = 0;
      for (let k = 0; k < r1.geometry.patches; k++) s += per.get(i * r1.geometry.patches + k, 0);
      return s;
    });
    expect(Array.from(cnnPredict(cnn, X).data)).toAllClose(pooled, { rtol: 1e-12, atol: 1e-14 });
  });

  it('bad inputs raise typed errors', () => {
    const { X, y } = images(9, 4, 16);
    const o = { imageShape: { height: 4, width: 4, channels: 1 }, kernel: 2, model: 'relu' as const, lambda: 0.1 };
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(CvxnnError);
        return (e as CvxnnError).code;
      }
      return 'none';
    };
    expect(code(() => fitConvexCnn(X, y, { ...o, imageShape: { height: 3, width: 4, channels: 1 } }))).toBe('SHAPE_MISMATCH');
    expect(code(() => fitConvexCnn(X, y, { ...o, kernel: 5 }))).toBe('INVALID_OPTION');
    expect(code(() => fitConvexCnn(X, y, { ...o, stride: 0 }))).toBe('INVALID_OPTION');
    expect(code(() => fitConvexCnn(X, y, { ...o, lambda: 0 }))).toBe('INVALID_OPTION');
    expect(code(() => fitConvexCnn(X, Matrix.zeros(3, 1), o))).toBe('SHAPE_MISMATCH');
    const bad = X.clone();
    bad.data[5] = NaN;
    expect(code(() => fitConvexCnn(bad, y, o))).toBe('NON_FINITE');
  });
});
