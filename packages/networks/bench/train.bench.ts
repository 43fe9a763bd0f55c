/**
 * Time of one full-batch training step (forward + backward through the backend's gemm, the
 * size the issue names: n = 10000, d = 50, m = 500, c = 1, fp64) for relu and gated relu, of one
 * full objective evaluation, and of one mini-batch (b = 256) step. Prints one JSON document.
 *
 *   pnpm -s --filter @cvxnn/networks bench > bench/results/networks-train.json
 */
import { emit, measure, type Measurement } from '@cvxnn/bench-harness';
import { getBackend, Matrix, Rng } from '@cvxnn/linalg';
import { initNetwork, objective, trainAdam, trainSgd } from '../src/index.js';

const n = 10_000;
const d = 50;
const m = 500;
const rng = new Rng(42);
const X = new Matrix(n, d, rng.normalArray(n * d));
const Y = new Matrix(n, 1, rng.normalArray(n));
const flopsStep = 3 * 2 * n * (d + 1) * m + 4 * n * m; // X̃W1, X̃ᵀG_Z, (gates: once) + the two n×m×c products
const results: Measurement[] = [];
for (const kind of ['relu', 'gated-relu'] as const) {
  const net = initNetwork(d, 1, { width: m, seed: 1, kind, appendOne: true });
  results.push(
    await measure(`${kind}: objective (full data)`, () => objective(net, X, Y, { lambda: 0.01 }), { minSamples: 3, minTimeMs: 500 }),
  );
  // 10 full-batch steps per call (plus the 2 objective evaluations at start and end)
  results.push(
    await measure(`${kind}: sgd 10 full-batch steps`, () => trainSgd(net, X, Y, { lambda: 0.01, learningRate: 1e-5, iterations: 10, evalEvery: 10 }), {
      minSamples: 3,
      minTimeMs: 500,
      flops: 10 * flopsStep,
    }),
  );
  results.push(
    await measure(`${kind}: adam 100 mini-batch steps (b = 256)`, () => trainAdam(net, X, Y, { lambda: 0.01, iterations: 100, batchSize: 256, evalEvery: 100 }), {
      minSamples: 3,
      minTimeMs: 500,
    }),
  );
}
emit('networks-train', results, { n, d, m, c: 1, backend: getBackend().name, precision: getBackend().precision });
