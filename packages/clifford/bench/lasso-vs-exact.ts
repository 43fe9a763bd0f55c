/**
 * Benchmark: 1-D data of growing n. The ramp Lasso with free intercept (coordinate descent and
 * group-lasso's R-FISTA) against the exact constrained convex program over all 2n − 1 patterns of
 * [x, 1] (free bias) and against Adam on the non-convex network (same objective, several seeds).
 * Prints one JSON document (@cvxnn/bench-harness).
 *
 *   pnpm --filter @cvxnn/clifford bench [--sizes 10,20,40,80] [--tol 1e-8] [--exact-limit 120] [--lasso-limit 60]
 *
 * Lasso solves are timed over 3 runs (1 from n = 80 on); the exact program and Adam once.
 */
import { emit, measure } from '@cvxnn/bench-harness';
import { Matrix, Rng } from '@cvxnn/linalg';
import { trainAdam } from '@cvxnn/networks';
import { rampDictionary, solveExactOneDimensional, solveLasso } from '../src/index.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const sizes = arg('sizes', '10,20,40,80').split(',').map(Number);
const tol = Number(arg('tol', '1e-8'));
const exactLimit = Number(arg('exact-limit', '120'));
const lassoLimit = Number(arg('lasso-limit', '60'));
const lambda = 0.05;
const once = { warmup: 0, minSamples: 1, minTimeMs: 0 };

const results: unknown[] = [];
for (const n of sizes) {
  const rng = new Rng(n);
  const x = Array.from({ length: n }, () => 4 * rng.uniform() - 2).sort((a, b) => a - b);
  const y = x.map((v) => Math.sin(2 * v) + 0.3 * Math.abs(v) + 0.2 * rng.normal());
  const X = Matrix.fromArray(n, 1, x);
  const Y = Matrix.column(Float64Array.from(y));
  const K = rampDictionary(x).K;
  const row: Record<string, unknown> = { n, columns: K.cols, lambda };
  for (const solver of ['cd', 'fista'] as const) {
    let r!: ReturnType<typeof solveLasso>;
    const m = await measure(`lasso-${solver}`, () => (r = solveLasso(K, y, { lambda, tol, solver, maxIters: 2000000, timeLimit: lassoLimit })), n >= 80 ? once : { warmup: 1, minSamples: 3, minTimeMs: 0 });
    row[`lasso_${solver}`] = { ms: m.ms, objective: r.objective, gap: r.certificate.value, iterations: r.iterations, status: r.status, active: r.active.length };
  }
  {
    let r!: ReturnType<typeof solveExactOneDimensional>;
    const m = await measure('exact', () => (r = solveExactOneDimensional(x, y, { lambda, tol, timeLimit: exactLimit })), once);
    row.exact = { ms: m.ms, objective: r.objective, gap: r.certificate.value, iterations: r.iterations, status: r.status, patterns: r.patterns };
  }
  {
    const finals: number[] = [];
    const m = await measure(
      'adam',
      () => {
        for (let seed = 0; seed < 5; seed++) finals.push(trainAdam({ width: 16, seed, b1: true, b2: true }, X, Y, { lambda, iterations: 5000, learningRate: 0.01, schedule: 'cosine', evalEvery: 5000 }).objective);
      },
      once,
    );
    row.adam = { ms: m.ms, seeds: 5, width: 16, iterations: 5000, best: Math.min(...finals), worst: Math.max(...finals) };
  }
  const p = (row.lasso_cd as { objective: number }).objective;
  row.exactMinusLasso = (row.exact as { objective: number }).objective - p;
  row.adamBestMinusLasso = (row.adam as { best: number }).best - p;
  results.push(row);
  process.stderr.write(`${JSON.stringify(row)}\n`);
}
emit('clifford-lasso-vs-exact', results, { sizes, tol, lambda, exactLimit, lassoLimit, objective: '½‖f − y‖² + (λ/2)Σ(w² + a²), free biases' });
