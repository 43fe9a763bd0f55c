/**
 * Convex two-layer CNN (global sum pooling, convolutional gates) versus an Adam-trained ReLU CNN of
 * the same width, same patches and pooling, same loss and weight decay, in the same run.
 *
 * Tasks: digits8x8 (bundled; 1797 images 8×8, pixels/16, seeded 75/25 split) as a binary task
 * (3 vs 8) and 10 classes, and 10 classes with 2×2 pooling regions (`digits-10-regions`: λ = 1, run
 * to the certificate — up to 20 000 iterations — and the Adam CNN with the same regions, width and
 * at least the convex fit's wall time); Fashion-MNIST (Debian dataset-fashion-mnist, IDX under
 * /usr/share/datasets/fashion-mnist; pixels/255) subsampled: the first N_TRAIN training images
 * (default 1000) and the first N_TEST test images (default 1000), binary (T-shirt/top vs shirt,
 * classes 0 vs 6, taken from the first 4·N_TRAIN / 4·N_TEST images) and 10 classes.
 *
 * Convex side: `fitConvexCnn` with `gated-relu` (exact for the gated CNN; nuclear-norm groups for
 * 10 classes), P convolutional gates, an iteration cap (status/certificate reported as reached),
 * and the recovered CNN's train/test accuracy. Baseline: `trainCnnAdam` (ReLU CNN, He init, width
 * = the recovered CNN's number of filters, same λ/loss, mini-batches of 100 images, cosine step
 * schedule). On digits binary the exact C-ReLU CNN (augmented Lagrangian) runs too.
 *
 *   pnpm -s --filter @cvxnn/cnn bench > bench/results/conv.json
 *
 * Environment: CNN_BENCH_TASKS (comma list of digits-binary,digits-10,digits-10-regions,fashion-binary,fashion-10),
 * CNN_BENCH_N_TRAIN, CNN_BENCH_N_TEST, CNN_BENCH_ADAM_ITERS, CNN_BENCH_CONVEX_ITERS, CNN_BENCH_ADAM_TIME (s).
 */
import { existsSync } from 'node:fs';
import { emit } from '@cvxnn/bench-harness';
import { loadDataset, loadIdx } from '@cvxnn/data';
import { Matrix, Rng } from '@cvxnn/linalg';
import type { LossName } from '@cvxnn/networks';
import { cnnAccuracy, cnnObjectiveTerms, type ConvOptions, convGeometry, fitConvexCnn, type ImageShape, recoverCnn, trainCnnAdam } from '../src/index.js';

const tasks = (process.env.CNN_BENCH_TASKS ?? 'digits-binary,digits-10,fashion-binary,fashion-10').split(',');
const nTrain = Number(process.env.CNN_BENCH_N_TRAIN ?? 1000);
const nTest = Number(process.env.CNN_BENCH_N_TEST ?? 1000);
const adamIters = Number(process.env.CNN_BENCH_ADAM_ITERS ?? 500);
const convexIters = Number(process.env.CNN_BENCH_CONVEX_ITERS ?? 500);
const adamTime = Number(process.env.CNN_BENCH_ADAM_TIME ?? 240);
const FASHION = '/usr/share/datasets/fashion-mnist';

interface Task {
  name: string;
  shape: ImageShape;
  conv: ConvOptions;
  Xtr: Matrix<Float64Array>;
  Ytr: Matrix<Float64Array>;
  Xte: Matrix<Float64Array>;
  Yte: Matrix<Float64Array>;
  loss: LossName;
  lambda: number;
  patterns: number;
  relu?: boolean;
  /** regional pooling grid (both sides); default global */
  regions?: [number, number];
  /** convex iteration cap for this task (default CNN_BENCH_CONVEX_ITERS) */
  maxIters?: number;
}

function rows(X: Matrix<Float64Array>, idx: number[], scale = 1): Matrix<Float64Array> {
  const out = Matrix.zeros(idx.length, X.cols);
  idx.forEach((r, t) => {
    const src = X.row(r);
    for (let k = 0; k < X.cols; k++) out.data[t * X.cols + k] = src[k] * scale;
  });
  return out;
}

function targets(y: ArrayLike<number>, idx: number[], classes: number[]): Matrix<Float64Array> {
  if (classes.length === 2) return Matrix.fromArray(idx.length, 1, idx.map((r) => (y[r] === classes[1] ? 1 : -1)));
  const Y = Matrix.zeros(idx.length, classes.length);
  idx.forEach((r, t) => (Y.data[t * classes.length + classes.indexOf(y[r])] = 1));
  return Y;
}

function digits(binary: boolean): Task {
  const ds = loadDataset('digits8x8');
  const all = Array.from({ length: ds.X.rows }, (_, i) => i).filter((i) => !binary || ds.y[i] === 3 || ds.y[i] === 8);
  const perm = new Rng(7).permutation(all.length);
  const cut = Math.round(0.75 * all.length);
  const tr = Array.from(perm.subarray(0, cut), (p) => all[p]);
  const te = Array.from(perm.subarray(cut), (p) => all[p]);
  const classes = binary ? [3, 8] : [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  return {
    name: binary ? 'digits8x8 3-vs-8' : 'digits8x8 10-class',
    shape: { height: 8, width: 8, channels: 1 },
    conv: { kernel: 3 },
    Xtr: rows(ds.X, tr, 1 / 16),
    Ytr: targets(ds.y, tr, classes),
    Xte: rows(ds.X, te, 1 / 16),
    Yte: targets(ds.y, te, classes),
    loss: binary ? 'logistic' : 'cross-entropy',
    lambda: 1e-2,
    patterns: 32,
    relu: binary,
  };
}

function fashion(binary: boolean): Task | null {
  if (!existsSync(`${FASHION}/train-images-idx3-ubyte.gz`)) return null;
  const factor = binary ? 4 : 1;
  const train = loadIdx(`${FASHION}/train-images-idx3-ubyte.gz`, `${FASHION}/train-labels-idx1-ubyte.gz`, { limit: factor * nTrain });
  const test = loadIdx(`${FASHION}/t10k-images-idx3-ubyte.gz`, `${FASHION}/t10k-labels-idx1-ubyte.gz`, { limit: factor * nTest });
  const classes = binary ? [0, 6] : [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const pick = (y: Float64Array, cap: number) => Array.from({ length: y.length }, (_, i) => i).filter((i) => classes.includes(y[i])).slice(0, cap);
  const tr = pick(train.y, nTrain);
  const te = pick(test.y, nTest);
  return {
    name: binary ? `fashion-mnist t-shirt-vs-shirt (n=${tr.length})` : `fashion-mnist 10-class (n=${tr.length})`,
    shape: { height: 28, width: 28, channels: 1 },
    conv: { kernel: 5, stride: 2 },
    Xtr: rows(train.X, tr),
    Ytr: targets(train.y, tr, classes),
    Xte: rows(test.X, te),
    Yte: targets(test.y, te, classes),
    loss: binary ? 'logistic' : 'cross-entropy',
    lambda: 1e-2,
    patterns: 32,
  };
}

const results: unknown[] = [];
for (const name of tasks) {
  const t = name === 'digits-binary' ? digits(true) : name === 'digits-10' ? digits(false) : name === 'digits-10-regions' ? { ...digits(false), name: 'digits8x8 10-class, 2×2 pooling regions', regions: [2, 2] as [number, number], lambda: 1, maxIters: 20000 } : name === 'fashion-binary' ? fashion(true) : name === 'fashion-10' ? fashion(false) : null;
  if (!t) {
    results.push({ task: name, skipped: 'unknown task or data not installed' });
    continue;
  }
  const geometry = convGeometry(t.shape, t.conv);
  const common = { imageShape: t.shape, ...t.conv, lambda: t.lambda, loss: t.loss, patterns: t.patterns, seed: 0, maxIters: t.maxIters ?? convexIters, tol: 1e-6, ...(t.regions ? { regions: t.regions } : {}) };
  const runs: Record<string, unknown>[] = [];
  const convexModels: Array<'gated-relu' | 'relu'> = t.relu ? ['gated-relu', 'relu'] : ['gated-relu'];
  let width = 0;
  let convexSeconds = 0;
  for (const model of convexModels) {
    const r = fitConvexCnn(t.Xtr, t.Ytr, { ...common, model, solver: 'al' });
    const cnn = recoverCnn(r);
    if (model === 'gated-relu') {
      width = cnn.network.W1.cols;
      convexSeconds = r.timeSeconds;
    }
    runs.push({
      method: `convex ${model}`,
      status: r.status,
      objective: r.objective,
      networkObjective: cnnObjectiveTerms(cnn, t.Xtr, t.Ytr, { lambda: t.lambda, loss: t.loss }).objective,
      certificate: r.certificate,
      constraintViolation: r.constraintViolation,
      iterations: r.iterations,
      timeSeconds: r.timeSeconds,
      patterns: r.patterns,
      filters: cnn.network.W1.cols,
      trainAccuracy: cnnAccuracy(cnn, t.Xtr, t.Ytr),
      testAccuracy: cnnAccuracy(cnn, t.Xte, t.Yte),
    });
  }
  const a = trainCnnAdam({ geometry, width: Math.max(1, width), seed: 1, c: t.Ytr.cols, ...(t.regions ? { regions: t.regions } : {}) }, t.Xtr, t.Ytr, {
    lambda: t.lambda,
    loss: t.loss,
    iterations: adamIters,
    learningRate: 0.01,
    batchSize: Math.min(100, t.Xtr.rows),
    schedule: 'cosine',
    seed: 1,
    timeLimit: t.regions ? Math.max(adamTime, convexSeconds) : adamTime,
  });
  runs.push({
    method: 'adam relu',
    status: a.status,
    objective: a.objective,
    iterations: a.iterations,
    timeSeconds: a.timeSeconds,
    filters: a.model.network.W1.cols,
    trainAccuracy: cnnAccuracy(a.model, t.Xtr, t.Ytr),
    testAccuracy: cnnAccuracy(a.model, t.Xte, t.Yte),
  });
  results.push({ task: t.name, regions: t.regions ?? [1, 1], nTrain: t.Xtr.rows, nTest: t.Xte.rows, kernel: t.conv.kernel, stride: t.conv.stride ?? 1, patchesPerImage: geometry.patches, patchSize: geometry.patchSize, lambda: t.lambda, loss: t.loss, runs });
  process.stderr.write(`${t.name}: ${JSON.stringify(runs.map((r) => [r.method, r.testAccuracy, r.timeSeconds]))}\n`);
}
emit('cnn-conv', results, { tasks, nTrain, nTest, adamIters, adamTimeLimit: adamTime, convexIters, pooling: 'sum', objective: 'loss (sum) + (λ/2)Σ(‖u‖² + ‖w‖²)' });
