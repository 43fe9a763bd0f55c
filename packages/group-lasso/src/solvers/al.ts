import { CvxnnError } from '@cvxnn/linalg';
import { lambdaMaxOf } from '../core/certificate.js';
import type { GroupLassoProblem, SolveOptions, SolveResult } from '../core/problem.js';
import { layoutMinNormSubgradient, methodOfMultipliers, type MultipliersResult } from '../multipliers.js';
import { solveReluCore } from '../relu.js';
import { type Resolved, resolve } from './common.js';

/** Why the augmented-Lagrangian solver cannot take a problem. */
export function alUnsupported(problem: GroupLassoProblem): string | undefined {
  if (problem.constraints) return problem.penalty.kind === 'l2' ? undefined : 'the augmented-Lagrangian solver takes explicit constraints with Euclidean groups only';
  if (problem.penalty.kind !== 'cone' || !problem.structure) return 'the augmented-Lagrangian solver handles explicit constraints C x ≥ 0 or the cone-constrained C-ReLU program (model relu)';
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
  if (problem.constraints) return solveConstrainedAl(problem, opts);
  const o = resolve(opts);
  const t = performance.now();
  const { X, masks } = problem.structure!;
  const certScale = Math.max(lambdaMaxOf(problem.op, problem.loss, problem.penalty), 1e-300);
  const r = solveReluCore(
    { X, masks, loss: problem.loss, lambda: problem.penalty.lambda, backend: problem.structure!.backend, certScale },
    { tol: o.tol, constraintTol: opts.constraintTol ?? 1e-6, maxIters: o.maxIters, timeLimit: o.timeLimit, x0: opts.x0, t0: o.t0, itersOffset: o.itersOffset, history: o.history, onProgress: o.onProgress },
  );
  const F = new Float64Array(problem.op.outDim);
  problem.op.apply(r.x, F);
  return alResult({ ...r, rel: r.relKkt, F }, problem, o, t, 2);
}

/**
 * The augmented Lagrangian on explicit constraints C x ≥ 0: the term (ρ/2)‖(μ/ρ − Cx)_+‖² −
 * ‖μ‖²/(2ρ) is one more smooth term of the composite problem solved by R-FISTA (warm-started),
 * then μ ← (μ − ρCx)_+, and ρ ×10 when the violation does not shrink 4×. Certified by the
 * minimum-norm subgradient of the Lagrangian at the final multipliers, relative to the largest
 * group gradient at 0, plus the violation and complementarity.
 */
function solveConstrainedAl(problem: GroupLassoProblem, opts: SolveOptions): SolveResult {
  const o = resolve(opts);
  const tStart = performance.now();
  const tol = o.tol;
  const constraintTol = opts.constraintTol ?? 1e-8;
  const { op, loss, penalty } = problem;
  const C = problem.constraints!;
  const N = op.inDim;
  const R = new Float64Array(op.outDim);
  const h = new Float64Array(N);
  loss.valueAndGrad(new Float64Array(op.outDim), R);
  op.adjoint(R, h);
  let certScale = 0;
  for (let g = 0; g < penalty.layout.count; g++) {
    let s = 0;
    for (const j of penalty.layout.coords(g)) s += h[j] * h[j];
    certScale = Math.max(certScale, Math.sqrt(s));
  }
  certScale = Math.max(certScale, 1e-300);
  const r = methodOfMultipliers(
    { dim: N, data: op, loss, constraints: C, penalty, kkt: (hh, x) => layoutMinNormSubgradient(hh, x, penalty.layout, penalty.lambda), certScale, n: loss.n },
    { tol, constraintTol, maxIters: o.maxIters, timeLimit: o.timeLimit, maxOuter: 300, x0: opts.x0, t0: o.t0, itersOffset: o.itersOffset, history: o.history, onProgress: o.onProgress },
  );
  return alResult(r, problem, o, tStart, 3);
}

/**
 * A method-of-multipliers outcome as a {@link SolveResult}: the certificate is the Lagrangian's
 * minimum-norm subgradient; `perIteration` operator products per R-FISTA iteration (data
 * forward/adjoint, plus the constraint map's when it is separate).
 */
function alResult(
  r: Pick<MultipliersResult, 'x' | 'F' | 'objective' | 'dataTerm' | 'penalty' | 'kkt' | 'rel' | 'iterations' | 'converged' | 'timedOut'>,
  problem: GroupLassoProblem,
  o: Resolved,
  tStart: number,
  perIteration: number,
): SolveResult {
  return {
    x: r.x,
    F: r.F,
    status: r.converged ? 'optimal' : r.timedOut ? 'time-limit' : 'max-iterations',
    objective: r.objective,
    dataTerm: r.dataTerm,
    penalty: r.penalty,
    certificate: { kind: 'min-norm-subgradient', value: r.rel, absolute: r.kkt },
    iterations: r.iterations,
    products: perIteration * r.iterations,
    timeSeconds: (performance.now() - tStart) / 1000,
    solver: 'al',
    history: o.history,
    groupNorms: problem.penalty.groupNorms(r.x),
    lambda: problem.penalty.lambda,
    maxDualNorm: NaN,
  };
}
