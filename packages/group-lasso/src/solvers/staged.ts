import { type Backend, createCpuBackend } from '@cvxnn/linalg';
import type { GroupLassoProblem, SolveOptions, SolveResult } from '../core/problem.js';
import { solve } from './registry.js';

/** Relative tolerance of the first (fp32) stage when the backend is not fp64. */
export const FP32_STAGE_TOL = 1e-4;

/**
 * Solve a problem built for `backend`; when that backend computes in fp32, stop there at a loose
 * tolerance (or when round-off stalls it: 20 checks without a 10% gain, or half the iteration
 * budget) and finish from its point on the fp64 CPU backend, so the reported objective and
 * certificate are fp64 evaluations (an fp32 gap is not a certificate). Returns the result and the
 * fp64 iterations (`polishIterations`, 0 for fp64 backends).
 *
 * @example
 *   const { result } = solveStaged((be) => gatedProblem(X, masks, loss, 0.1, { backend: be }), backend, opts);
 */
export function solveStaged(build: (backend: Backend) => GroupLassoProblem, backend: Backend, opts: SolveOptions): { result: SolveResult; polishIterations: number; reference: Backend | null } {
  if (backend.precision === 'fp64') return { result: solve(build(backend), { ...opts, backend }), polishIterations: 0, reference: null };
  const reference = createCpuBackend();
  const t = performance.now();
  const tol = opts.tol ?? 1e-6;
  const maxIters = opts.maxIters ?? 20000;
  const first = solve(build(backend), { ...opts, backend, solver: opts.solver === 'newton' || opts.solver === 'ssnal' ? 'fista' : opts.solver, tol: Math.max(tol, FP32_STAGE_TOL), stallChecks: 20, maxIters: Math.max(1, Math.floor(maxIters / 2)) });
  const left = maxIters - first.iterations;
  if (first.status === 'time-limit' || left < 1) return { result: first, polishIterations: 0, reference };
  const second = solve(build(reference), { ...opts, backend: reference, x0: first.x, maxIters: left, itersOffset: (opts.itersOffset ?? 0) + first.iterations, timeLimit: (opts.timeLimit ?? Infinity) - (performance.now() - t) / 1000 });
  return { result: { ...second, iterations: first.iterations + second.iterations, products: first.products + second.products, solver: `${first.solver} (fp32) → ${second.solver} (fp64)` }, polishIterations: second.iterations, reference };
}
