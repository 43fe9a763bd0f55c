/**
 * Planted low-rank quadratic recovery (SPEC §6.5 F6): y_t = x_tᵀA*x_t + σ·ε_t, x ~ N(0, I_d),
 * A* = Q diag(2, −1, 0, …) Qᵀ (rank 2). Compares trace-norm regression (the k = 1 RedEx program,
 * λ₁ = 2σ√(n·d), our choice) with Frobenius-only (ridge, λ₂ = 1e-3, λ₁ = 0) at the same n.
 * A symmetric d×d matrix has d(d+1)/2 free parameters; a rank-r one about r·d.
 *
 *   pnpm exec tsx --conditions=@cvxnn/source experiments/planted-lowrank.ts [d] [n1,n2,...] [sigma]
 */
import { Matrix, Rng, qr } from '@cvxnn/linalg';
import { quadForms, traceNormRegression } from '../src/index.js';

const d = Number(process.argv[2] ?? 20);
const sizes = (process.argv[3] ?? '40,80,120,200,400').split(',').map(Number);
const sigma = Number(process.argv[4] ?? 0.1);
const rng = new Rng(7);
const Q = qr(Matrix.fromArray(d, d, rng.normalArray(d * d))).Q;
const Astar = Matrix.zeros(d, d);
for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) Astar.set(i, j, 2 * Q.get(i, 0) * Q.get(j, 0) - Q.get(i, 1) * Q.get(j, 1));
const relErr = (A: Matrix) => {
  let num = 0;
  let den = 0;
  for (let q = 0; q < d * d; q++) {
    num += (A.data[q] - Astar.data[q]) ** 2;
    den += Astar.data[q] ** 2;
  }
  return Math.sqrt(num / den);
};
const results: unknown[] = [];
const t0 = performance.now();
for (const n of sizes) {
  const X = Matrix.fromArray(n, d, rng.normalArray(n * d));
  const f = quadForms(X, Astar);
  const y = f.map((v) => v + sigma * rng.normal());
  const lambda1 = 2 * sigma * Math.sqrt(n * d);
  const tn = traceNormRegression(X, y, { lambda1, tol: 1e-8 });
  const ridge = traceNormRegression(X, y, { lambda1: 0, lambda2: 1e-3, tol: 1e-8 });
  results.push({
    n,
    traceNorm: { lambda1, relativeError: relErr(tn.A), rank: tn.rank, status: tn.status, iterations: tn.iterations, seconds: tn.timeSeconds, relGap: tn.gap / Math.max(1, tn.objective) },
    ridge: { lambda2: 1e-3, relativeError: relErr(ridge.A), rank: ridge.rank, status: ridge.status, iterations: ridge.iterations, seconds: ridge.timeSeconds },
  });
  process.stderr.write(`n = ${n}: trace-norm ${relErr(tn.A).toFixed(4)} (rank ${tn.rank}), ridge ${relErr(ridge.A).toFixed(4)}\n`);
}
process.stdout.write(JSON.stringify({ experiment: 'planted-lowrank', d, rank: 2, sigma, parameters: (d * (d + 1)) / 2, results, seconds: (performance.now() - t0) / 1000 }, null, 2) + '\n');
