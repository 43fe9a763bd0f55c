import { CvxnnError } from '@cvxnn/linalg';
import { lambdaMaxOf } from '../core/certificate.js';
import type { GroupLassoProblem, SolveOptions, SolveResult } from '../core/problem.js';
import { solveReluCore } from '../relu.js';
import { resolve } from './common.js';

/** Why the augmented-Lagrangian solver cannot take a problem. */
export function alUnsupported(problem: GroupLassoProblem): string | undefined {
  if (problem.penalty.kind !== 'cone' || !problem.structure) return 'the augmented-Lagrangian solver handles the cone-constrained C-ReLU program (model relu)';
  return undefined;
}

/**
 * The augmented Lagrangian on C-ReLU's cone constraints (scnn's approach), each subproblem by
 * R-FISTA; certified by the minimum-norm subgradient of the Lagrangian relative to λ_max, plus
 * the constraint violation and complementarity (see `solveReluCore`).
 *
 * @example
 *   solve(reluProblem(X, masks, loss, 0.1), { solver: 'al' });
 */
export function solveAl(problem: GroupLassoProblem, opts: SolveOptions = {}): SolveResult {
  const why = alUnsupported(problem);
  if (why) throw new CvxnnError('INVALID_OPTION', why);
  const o = resolve(opts);
  const t = performance.now();
  const { X, masks } = problem.structure!;
  const certScale = Math.max(lambdaMaxOf(problem.op, problem.loss, problem.penalty), 1e-300);
  const r = solveReluCore(
    { X, masks, loss: problem.loss, lambda: problem.penalty.lambda, backend: problem.structure!.backend, certScale },
    { tol: o.tol, constraintTol: 1e-6, maxIters: o.maxIters, timeLimit: o.timeLimit, x0: opts.x0, t0: o.t0, itersOffset: o.itersOffset, history: o.history, onProgress: o.onProgress },
  );
  const F = new Float64Array(problem.op.outDim);
  problem.op.apply(r.x, F);
  return {
    x: r.x,
    F,
    status: r.converged ? 'optimal' : r.timedOut ? 'time-limit' : 'max-iterations',
    objective: r.objective,
    dataTerm: r.dataTerm,
    penalty: r.penalty,
    certificate: { kind: 'min-norm-subgradient', value: r.relKkt, absolute: r.kkt },
    iterations: r.iterations,
    products: 2 * r.iterations,
    timeSeconds: (performance.now() - t) / 1000,
    solver: 'al',
    history: o.history,
    groupNorms: problem.penalty.groupNorms(r.x),
    lambda: problem.penalty.lambda,
    maxDualNorm: NaN,
  };
}
