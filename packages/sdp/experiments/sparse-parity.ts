/**
 * Sparse-parity experiment (SPEC §6.4): layer-wise RedEx versus fixed-representation baselines at
 * equal sample sizes. Prints one JSON document.
 *
 * Target (our choice; the paper's exact distribution could not be verified): x uniform on {±1}^d,
 *   y = x₁x₂ + x₃x₄ + x₁x₂x₃x₄ = q(z),  z = x₁x₂ + x₃x₄,  q(z) = (z² + 2z)/2 − 1.
 * The 4-parity part (variance 1 of the total 3) is orthogonal to every polynomial of degree ≤ 2, so
 * one quadratic layer (and a degree-2 kernel) cannot get below MSE 1; two RedEx layers can, since
 * layer 1 (trained on y) finds z and layer 2 fits the quadratic q(z). Each RedEx layer gets its
 * own fresh samples (¾ of the budget for layer 1, ¼ for layer 2); the baselines get all n samples
 * and pick their ridge parameter on a 20% validation split.
 *
 *   pnpm exec tsx --conditions=@cvxnn/source experiments/sparse-parity.ts [d] [n1,n2,...]
 */
import { Matrix, Rng } from '@cvxnn/linalg';
import { choleskyInPlace, choleskySolve, fitRedexNetwork, redexNetworkForward } from '../src/index.js';

const d = Number(process.argv[2] ?? 16);
const sizes = (process.argv[3] ?? '300,600,1200').split(',').map(Number);
const nTest = 2000;
const rng = new Rng(2024);

function sample(n: number): { X: Matrix; y: Float64Array } {
  const X = Matrix.zeros(n, d);
  for (let t = 0; t < n; t++) for (let j = 0; j < d; j++) X.set(t, j, rng.uniform() < 0.5 ? 1 : -1);
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const a = X.get(t, 0) * X.get(t, 1);
    const b = X.get(t, 2) * X.get(t, 3);
    y[t] = a + b + a * b;
  }
  return { X, y };
}

function rows(X: Matrix, from: number, to: number): Matrix {
  return Matrix.fromArray(to - from, X.cols, X.data.slice(from * X.cols, to * X.cols));
}

type Kernel = (a: Float64Array, b: Float64Array) => number;
const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);
const kernels: Record<string, Kernel> = {
  'poly-2 kernel ridge': (a, b) => (1 + dot(a, b) / d) ** 2,
  'poly-4 kernel ridge': (a, b) => (1 + dot(a, b) / d) ** 4,
  'RBF kernel ridge': (a, b) => Math.exp(-a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / (2 * d)),
};

function kernelRidge(k: Kernel, Xtr: Matrix, ytr: Float64Array, lambda: number): (X: Matrix) => Float64Array {
  const n = Xtr.rows;
  const rowsTr = Array.from({ length: n }, (_, t) => Xtr.row(t) as Float64Array);
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) {
    const v = k(rowsTr[i], rowsTr[j]);
    K[i * n + j] = v;
    K[j * n + i] = v;
  }
  for (let i = 0; i < n; i++) K[i * n + i] += lambda;
  if (!choleskyInPlace(K, n, 0)) throw new Error('kernel matrix not PD');
  const alpha = choleskySolve(K, n, ytr.slice());
  return (X: Matrix) => {
    const out = new Float64Array(X.rows);
    for (let t = 0; t < X.rows; t++) {
      const x = X.row(t) as Float64Array;
      let s = 0;
      for (let i = 0; i < n; i++) s += alpha[i] * k(x, rowsTr[i]);
      out[t] = s;
    }
    return out;
  };
}

/** Random ReLU features φ(x) = max(0, wᵀx + b)/√m with ridge, m features (a fixed representation). */
function randomFeatures(Xtr: Matrix, ytr: Float64Array, m: number, lambda: number, seed: number): (X: Matrix) => Float64Array {
  const r = new Rng(seed);
  const W = Matrix.fromArray(m, d, r.normalArray(m * d).map((v) => v / Math.sqrt(d)));
  const b = r.normalArray(m).map((v) => 0.5 * v);
  const feats = (X: Matrix) => {
    const F = Matrix.zeros(X.rows, m);
    for (let t = 0; t < X.rows; t++) for (let j = 0; j < m; j++) {
      let s = b[j];
      for (let c = 0; c < d; c++) s += W.get(j, c) * X.get(t, c);
      F.set(t, j, Math.max(s, 0) / Math.sqrt(m));
    }
    return F;
  };
  const F = feats(Xtr);
  // dual ridge: (F Fᵀ + λI) α = y, prediction F(x) Fᵀ α
  const n = Xtr.rows;
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) {
    let s = 0;
    for (let q = 0; q < m; q++) s += F.data[i * m + q] * F.data[j * m + q];
    G[i * n + j] = s;
    G[j * n + i] = s;
  }
  for (let i = 0; i < n; i++) G[i * n + i] += lambda;
  choleskyInPlace(G, n, 0);
  const alpha = choleskySolve(G, n, ytr.slice());
  const w = new Float64Array(m);
  for (let i = 0; i < n; i++) for (let q = 0; q < m; q++) w[q] += alpha[i] * F.data[i * m + q];
  return (X: Matrix) => {
    const Fx = feats(X);
    return Float64Array.from({ length: X.rows }, (_, t) => {
      let s = 0;
      for (let q = 0; q < m; q++) s += Fx.data[t * m + q] * w[q];
      return s;
    });
  };
}

const mse = (p: ArrayLike<number>, y: ArrayLike<number>) => {
  let s = 0;
  for (let t = 0; t < y.length; t++) s += (p[t] - y[t]) ** 2;
  return s / y.length;
};

/** Fit with each λ on 80%, pick the best on the last 20%, refit on all. */
function selectRidge(fit: (X: Matrix, y: Float64Array, lambda: number) => (X: Matrix) => Float64Array, X: Matrix, y: Float64Array, grid: number[]) {
  const nv = Math.floor(0.8 * X.rows);
  const Xa = rows(X, 0, nv);
  const Xv = rows(X, nv, X.rows);
  let best = grid[0];
  let bestErr = Infinity;
  for (const l of grid) {
    const err = mse(fit(Xa, y.slice(0, nv), l)(Xv), y.slice(nv));
    if (err < bestErr) {
      bestErr = err;
      best = l;
    }
  }
  return { predict: fit(X, y, best), lambda: best };
}

const test = sample(nTest);
const results: unknown[] = [];
const t0 = performance.now();
for (const n of sizes) {
  const train = sample(n);
  const row: Record<string, unknown> = { n, d };
  // RedEx, two layers on fresh samples (¾ + ¼ of the same budget)
  const n1 = Math.floor(0.75 * n);
  const tA = performance.now();
  const lambda1 = 1.25 * Math.sqrt(n1);
  const two = fitRedexNetwork(
    [{ X: rows(train.X, 0, n1), y: train.y.slice(0, n1) }, { X: rows(train.X, n1, n), y: train.y.slice(n1) }],
    { lambda1: 1e-3, tol: 1e-6, layerOptions: [{ lambda1 }] },
  );
  const pTwo = redexNetworkForward(two.network, test.X);
  row['RedEx 2 layers'] = { testMSE: mse(pTwo.data, test.y), seconds: (performance.now() - tA) / 1000, lambda1Layer0: lambda1, status: two.results.map((r) => r.status), relGap: two.results.map((r) => r.certificate.value / Math.max(1, r.objective)) };
  const one = fitRedexNetwork([{ X: train.X, y: train.y }], { lambda1: 1.25 * Math.sqrt(n), tol: 1e-6 });
  row['RedEx 1 layer'] = { testMSE: mse(redexNetworkForward(one.network, test.X).data, test.y) };
  const grid = [1e-3, 1e-2, 1e-1, 1];
  for (const [name, k] of Object.entries(kernels)) {
    const tK = performance.now();
    const sel = selectRidge((X, y, l) => kernelRidge(k, X, y, l), train.X, train.y, grid);
    row[name] = { testMSE: mse(sel.predict(test.X), test.y), ridge: sel.lambda, seconds: (performance.now() - tK) / 1000 };
  }
  const tR = performance.now();
  const selRf = selectRidge((X, y, l) => randomFeatures(X, y, 1000, l, 7), train.X, train.y, grid);
  row['random ReLU features (m=1000) ridge'] = { testMSE: mse(selRf.predict(test.X), test.y), ridge: selRf.lambda, seconds: (performance.now() - tR) / 1000 };
  results.push(row);
  process.stderr.write(`n = ${n} done (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
}
process.stdout.write(
  JSON.stringify(
    { experiment: 'sparse-parity', target: 'y = x1x2 + x3x4 + x1x2x3x4, x uniform on {±1}^d', varianceY: 3, varianceOfParityPart: 1, nTest, results, seconds: (performance.now() - t0) / 1000 },
    null,
    2,
  ) + '\n',
);
