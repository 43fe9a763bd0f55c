/**
 * Batch-normalized and layer-wise convex training against Adam, in the same run.
 *
 * 1. `bn`: breast_cancer (bundled; z-scored with training statistics, seeded 75/25 split, labels
 *    ±1, logistic loss, β = BN_LAMBDA): the convex BN program (`fitBnConvex`, placements
 *    BN_PLACEMENTS as placement[:normalization], P = BN_PATTERNS sampled gates) versus full-batch Adam on the same non-convex
 *    BN objective (`trainBnAdam`, width = the recovered network's, ADAM_SEEDS seeds, cosine steps).
 *    Reported: objectives (Adam's must be ≥ the certified convex optimum up to the certificate),
 *    certificate, time, train/test accuracy.
 * 2. `layerwise`: digits8x8 (pixels/16, seeded 75/25 split, 10 classes, cross-entropy), greedy
 *    gated-ReLU convex blocks (`fitLayerwise`, depth 1..LW_DEPTH, LW_PATTERNS gates per block,
 *    λ = LW_LAMBDA, LW_ITERS R-FISTA iterations per block: status/certificate reported as reached) versus Adam end-to-end on the same architecture (a deep gated-free ReLU MLP with
 *    the layer-wise model's hidden widths, biases, cross-entropy + (λ/2)‖W‖², mini-batches of 128,
 *    MLP_EPOCHS epochs): train/test accuracy and time per depth.
 *
 *   pnpm -s --filter @cvxnn/cnn bench:bn > bench/results/bn.json
 */
import { loadDataset } from '@cvxnn/data';
import { emit } from '@cvxnn/bench-harness';
import { Matrix, Rng } from '@cvxnn/linalg';
import { classesOf } from '@cvxnn/networks';
import { type BnPlacement, bnForward, fitBnConvex, fitLayerwise, layerwiseMetrics, trainBnAdam } from '../src/index.js';

const env = (k: string, d: string) => process.env[k] ?? d;
// entries placement[:normalization], e.g. scale, before, centred:std
const placements = env('BN_PLACEMENTS', 'scale,before,centred:std').split(',');
const bnLambda = Number(env('BN_LAMBDA', '1'));
const bnPatterns = Number(env('BN_PATTERNS', '50'));
const adamSeeds = Number(env('ADAM_SEEDS', '3'));
const adamIters = Number(env('ADAM_ITERS', '2000'));
const depth = Number(env('LW_DEPTH', '3'));
const lwPatterns = Number(env('LW_PATTERNS', '30'));
const lwLambda = Number(env('LW_LAMBDA', '1e-3'));
const mlpEpochs = Number(env('MLP_EPOCHS', '30'));
const lwIters = Number(env('LW_ITERS', '300'));
const parts = env('BENCH_PARTS', 'bn,layerwise').split(',');

function split(n: number, seed: number): { tr: number[]; te: number[] } {
  const perm = Array.from(new Rng(seed).permutation(n));
  const cut = Math.round(0.75 * n);
  return { tr: perm.slice(0, cut), te: perm.slice(cut) };
}
function take(X: Matrix<Float64Array>, idx: number[], scale = 1): Matrix<Float64Array> {
  const out = Matrix.zeros(idx.length, X.cols);
  idx.forEach((r, t) => {
    for (let k = 0; k < X.cols; k++) out.data[t * X.cols + k] = X.get(r, k) * scale;
  });
  return out;
}
function zscore(A: Matrix<Float64Array>, B: Matrix<Float64Array>): void {
  for (let k = 0; k < A.cols; k++) {
    let m = 0;
    for (let i = 0; i < A.rows; i++) m += A.get(i, k) / A.rows;
    let v = 0;
    for (let i = 0; i < A.rows; i++) v += (A.get(i, k) - m) ** 2 / A.rows;
    const s = v > 0 ? Math.sqrt(v) : 1;
    for (const M of [A, B]) for (let i = 0; i < M.rows; i++) M.data[i * M.cols + k] = (M.get(i, k) - m) / s;
  }
}
function acc(F: Matrix<Float64Array>, Y: Matrix<Float64Array>): number {
  const p = classesOf(F);
  const t = classesOf(Y);
  let ok = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === t[i]) ok++;
  return ok / p.length;
}

const results: unknown[] = [];

if (parts.includes('bn')) {
  const ds = loadDataset('breast_cancer');
  const { tr, te } = split(ds.X.rows, 11);
  const Xtr = take(ds.X, tr);
  const Xte = take(ds.X, te);
  zscore(Xtr, Xte);
  const lab = (idx: number[]) => Matrix.fromArray(idx.length, 1, idx.map((r) => (ds.y[r] === 1 ? 1 : -1)));
  const Ytr = lab(tr);
  const Yte = lab(te);
  for (const entry of placements) {
    const [placement, normalization = 'l2'] = entry.split(':') as [BnPlacement, 'l2' | 'std' | undefined];
    const r = fitBnConvex(Xtr, Ytr, { placement, normalization, lambda: bnLambda, patterns: bnPatterns, seed: 0, loss: 'logistic', tol: 1e-6, maxIters: 20000 });
    const convex = {
      method: 'convex',
      placement,
      normalization,
      status: r.status,
      objective: r.objective,
      certificate: r.certificate,
      constraintViolation: r.constraintViolation,
      iterations: r.iterations,
      timeSeconds: r.timeSeconds,
      patterns: r.patterns,
      neurons: r.activeNeurons,
      trainAccuracy: acc(bnForward(r.network, Xtr).F, Ytr),
      testAccuracy: acc(bnForward(r.network, Xte).F, Yte),
    };
    results.push({ task: 'breast_cancer bn', ...convex });
    for (let seed = 0; seed < adamSeeds; seed++) {
      const a = trainBnAdam(Xtr, Ytr, { placement, normalization, lambda: bnLambda, loss: 'logistic', width: Math.max(r.activeNeurons, 2), iterations: adamIters, learningRate: 0.01, seed });
      results.push({
        task: 'breast_cancer bn',
        method: 'adam',
        placement,
        normalization,
        seed,
        width: Math.max(r.activeNeurons, 2),
        iterations: adamIters,
        objective: a.objective,
        aboveConvex: (a.objective - r.objective) / Math.abs(r.objective),
        timeSeconds: a.timeSeconds,
        trainAccuracy: acc(bnForward(a.network, Xtr).F, Ytr),
        testAccuracy: acc(bnForward(a.network, Xte).F, Yte),
      });
    }
  }
}

/** Adam end-to-end on a ReLU MLP with the given hidden widths (biases free), cross-entropy + (λ/2)‖W‖². */
function trainMlp(X: Matrix<Float64Array>, Y: Matrix<Float64Array>, widths: number[], lambda: number, epochs: number, seed: number) {
  const rng = new Rng(seed);
  const sizes = [X.cols, ...widths, Y.cols];
  const W = sizes.slice(1).map((m, l) => rng.normalArray(sizes[l] * m).map((v) => v * Math.sqrt(2 / sizes[l])));
  const b = sizes.slice(1).map((m) => new Float64Array(m));
  const params = [...W, ...b];
  const mom = params.map((p) => new Float64Array(p.length));
  const vel = params.map((p) => new Float64Array(p.length));
  const L = W.length;
  const fwd = (x: Float64Array) => {
    const acts: Float64Array[] = [x];
    for (let l = 0; l < L; l++) {
      const a = acts[l];
      const out = Float64Array.from(b[l]);
      const din = sizes[l];
      const dout = sizes[l + 1];
      for (let k = 0; k < din; k++) {
        const v = a[k];
        if (v !== 0) for (let j = 0; j < dout; j++) out[j] += v * W[l][k * dout + j];
      }
      if (l < L - 1) for (let j = 0; j < dout; j++) out[j] = out[j] > 0 ? out[j] : 0;
      acts.push(out);
    }
    return acts;
  };
  const n = X.rows;
  const c = Y.cols;
  let t = 0;
  const t0 = performance.now();
  for (let ep = 0; ep < epochs; ep++) {
    const perm = new Rng(seed * 1000 + ep).permutation(n);
    for (let s = 0; s < n; s += 128) {
      const batch = Array.from(perm.subarray(s, Math.min(n, s + 128)));
      const grads = params.map((p) => new Float64Array(p.length));
      for (const i of batch) {
        const acts = fwd(X.row(i) as Float64Array);
        const out = acts[L];
        let mx = -Infinity;
        for (let j = 0; j < c; j++) mx = Math.max(mx, out[j]);
        let z = 0;
        for (let j = 0; j < c; j++) z += Math.exp(out[j] - mx);
        let delta = new Float64Array(c);
        for (let j = 0; j < c; j++) delta[j] = (Math.exp(out[j] - mx) / z - Y.get(i, j)) / batch.length;
        for (let l = L - 1; l >= 0; l--) {
          const din = sizes[l];
          const dout = sizes[l + 1];
          const a = acts[l];
          for (let j = 0; j < dout; j++) grads[L + l][j] += delta[j];
          const prev = new Float64Array(din);
          for (let k = 0; k < din; k++) {
            const v = a[k];
            let g = 0;
            for (let j = 0; j < dout; j++) {
              if (v !== 0) grads[l][k * dout + j] += v * delta[j];
              g += W[l][k * dout + j] * delta[j];
            }
            prev[k] = l > 0 && a[k] > 0 ? g : 0;
          }
          delta = prev;
        }
      }
      t++;
      for (let l = 0; l < L; l++) for (let k = 0; k < W[l].length; k++) grads[l][k] += (lambda / n) * W[l][k];
      const c1 = 1 / (1 - 0.9 ** t);
      const c2 = 1 / (1 - 0.999 ** t);
      params.forEach((p, q) => {
        for (let k = 0; k < p.length; k++) {
          mom[q][k] = 0.9 * mom[q][k] + 0.1 * grads[q][k];
          vel[q][k] = 0.999 * vel[q][k] + 0.001 * grads[q][k] ** 2;
          p[k] -= (1e-3 * mom[q][k] * c1) / (Math.sqrt(vel[q][k] * c2) + 1e-8);
        }
      });
    }
  }
  const timeSeconds = (performance.now() - t0) / 1000;
  const score = (A: Matrix<Float64Array>, B: Matrix<Float64Array>) => {
    const F = Matrix.zeros(A.rows, c);
    for (let i = 0; i < A.rows; i++) F.data.set(fwd(A.row(i) as Float64Array)[L], i * c);
    return acc(F, B);
  };
  return { timeSeconds, score };
}

if (parts.includes('layerwise')) {
  const ds = loadDataset('digits8x8');
  const { tr, te } = split(ds.X.rows, 7);
  const Xtr = take(ds.X, tr, 1 / 16);
  const Xte = take(ds.X, te, 1 / 16);
  const onehot = (idx: number[]) => {
    const Y = Matrix.zeros(idx.length, 10);
    idx.forEach((r, t) => (Y.data[t * 10 + ds.y[r]] = 1));
    return Y;
  };
  const Ytr = onehot(tr);
  const Yte = onehot(te);
  const t0 = performance.now();
  const { model, blocks } = fitLayerwise(Xtr, Ytr, { layers: depth, lambda: lwLambda, patterns: lwPatterns, seed: 0, loss: 'cross-entropy', tol: 1e-6, maxIters: lwIters });
  const total = (performance.now() - t0) / 1000;
  const trainAcc = layerwiseMetrics(model, Xtr, Ytr, 'accuracy');
  const testAcc = layerwiseMetrics(model, Xte, Yte, 'accuracy');
  let cum = 0;
  blocks.forEach((b, l) => {
    cum += b.timeSeconds;
    results.push({
      task: 'digits8x8 10-class layerwise',
      method: 'convex-layerwise',
      depth: l + 1,
      inputDim: b.inputDim,
      width: b.width,
      patterns: b.patterns,
      status: b.status,
      objective: b.objective,
      certificate: b.certificate,
      iterations: b.iterations,
      timeSeconds: cum,
      trainAccuracy: trainAcc[l],
      testAccuracy: testAcc[l],
    });
    const widths = blocks.slice(0, l + 1).map((q) => q.width);
    const m = trainMlp(Xtr, Ytr, widths, lwLambda, mlpEpochs, 1);
    results.push({ task: 'digits8x8 10-class layerwise', method: 'adam-mlp', depth: l + 1, widths, epochs: mlpEpochs, timeSeconds: m.timeSeconds, trainAccuracy: m.score(Xtr, Ytr), testAccuracy: m.score(Xte, Yte) });
  });
  results.push({ task: 'digits8x8 10-class layerwise', method: 'convex-layerwise-total', timeSeconds: total });
}

emit('cnn-bn', results, { placements, bnLambda, bnPatterns, adamSeeds, adamIters, depth, lwPatterns, lwLambda, lwIters, mlpEpochs, bnObjective: 'logistic (sum) + (β/2)Σ(γ² + α² + w₂²)', layerwise: 'gated-ReLU convex blocks, cross-entropy, nuclear-norm groups' });
