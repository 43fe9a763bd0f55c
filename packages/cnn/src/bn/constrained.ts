import { contiguousLayout, type ConvexResult, type DataLoss, l2Penalty, type LinearMap, linearProblem, type Penalty, solve, type SolveResult } from '@cvxnn/group-lasso';
import { assertOption, checkOptions, type OptionSpec } from '@cvxnn/linalg';

export type { GroupSpec } from '@cvxnn/group-lasso';
import type { GroupSpec } from '@cvxnn/group-lasso';

/**
 * min_x ℓ(A x) + λ Σ_g ‖x_g[0:penalized]‖  s.t.  G x ≥ 0 — the shape shared by the batch-norm
 * programs (pattern-specific whitened bases, SPEC §3.3–3.4) and the path-regularized three-layer
 * program (double arrangements, §5.1). `data` maps x to the n·c predictions, `cone` to the
 * constraint values.
 *
 * @example
 *   const prob: ConstrainedGroupLasso = { dim, data, loss, cone, groups, lambda: 0.1 };
 */
export interface ConstrainedGroupLasso {
  dim: number;
  data: LinearMap;
  loss: DataLoss;
  cone: LinearMap | null;
  groups: GroupSpec[];
  lambda: number;
}

/**
 * The fields every cvxnn convex solve reports (group-lasso's `ConvexResult` subset): status,
 * objective = data term + penalty, certificate, constraint violation, iterations, time, history.
 *
 * @example
 *   const s: SolveSummary = fitBnConvex(X, Y, { placement: 'scale', lambda: 1 });
 */
export type SolveSummary = Pick<ConvexResult, 'status' | 'objective' | 'dataTerm' | 'penalty' | 'certificate' | 'constraintViolation' | 'iterations' | 'timeSeconds' | 'history'>;

/**
 * The {@link SolveSummary} fields of any solve result (a copy).
 *
 * @example
 *   return { ...solveSummary(res), network };
 */
export function solveSummary(r: SolveSummary): SolveSummary {
  const { status, objective, dataTerm, penalty, certificate, constraintViolation, iterations, timeSeconds, history } = r;
  return { status, objective, dataTerm, penalty, certificate, constraintViolation, iterations, timeSeconds, history };
}

/**
 * Result of {@link solveConstrainedGroupLasso}: the group-lasso result fields (status, objective,
 * certificate, iterations, time) for a problem that is not C-ReLU.
 *
 * @example
 *   const r = solveConstrainedGroupLasso(prob, { tol: 1e-7 });
 *   r.certificate.kind; // 'min-norm-subgradient'
 */
export interface ConstrainedResult extends SolveSummary {
  x: Float64Array;
  /** penalized norm of each group */
  groupNorms: Float64Array;
}

/**
 * The penalty λΣ_g‖x_g[0:penalized]‖ with its prox (block soft-thresholding of the penalized part,
 * identity on the free part).
 *
 * @example
 *   const pen = partialGroupPenalty(groups, 0.1);
 */
export function partialGroupPenalty(groups: GroupSpec[], lambda: number): Penalty & { groupNorms(x: Float64Array): Float64Array } {
  const dim = groups.reduce((m, g) => Math.max(m, g.offset + g.size), 0);
  return l2Penalty(contiguousLayout(groups, dim), lambda);
}

/**
 * Options of {@link solveConstrainedGroupLasso}.
 *
 * @example
 *   const o: ConstrainedOptions = { tol: 1e-7, constraintTol: 1e-9, maxIters: 50000 };
 */
export interface ConstrainedOptions {
  /** relative KKT tolerance (default 1e-6) */
  tol?: number;
  /** absolute constraint-violation tolerance (default 1e-8) */
  constraintTol?: number;
  /** total inner R-FISTA iterations (default 50 000) */
  maxIters?: number;
  /** seconds (default ∞) */
  timeLimit?: number;
  onProgress?: (p: { iteration: number; certificate: number; objective: number }) => void;
}

/** The options `solveConstrainedGroupLasso` takes, with their types (the compiler keeps the list complete). */
export const CONSTRAINED_OPTIONS: OptionSpec<ConstrainedOptions> = { tol: 'number', constraintTol: 'number', maxIters: 'integer', timeLimit: 'number', onProgress: 'function' };

/**
 * Solve the program through group-lasso's solver registry: with cone constraints its augmented
 * Lagrangian (each subproblem by R-FISTA; min-norm-subgradient certificate relative to
 * max_g ‖(Aᵀ∇ℓ(0))_g‖, plus the violation and complementarity), without them the Newton / R-FISTA
 * solvers with the duality gap.
 *
 * @example
 *   const r = solveConstrainedGroupLasso({ dim, data, loss, cone, groups, lambda }, { tol: 1e-7 });
 */
export function solveConstrainedGroupLasso(p: ConstrainedGroupLasso, o: ConstrainedOptions = {}): ConstrainedResult {
  checkOptions('solveConstrainedGroupLasso', o, CONSTRAINED_OPTIONS);
  const tol = o.tol ?? 1e-6;
  assertOption(tol > 0 && (o.constraintTol ?? 1e-8) > 0, `tolerances must be > 0 (tol ${tol}, constraintTol ${o.constraintTol})`);
  const layout = contiguousLayout(p.groups, p.dim);
  // the problem as data; the registry's auto rule picks the augmented Lagrangian when there are
  // cone constraints, the Newton / R-FISTA solvers (duality gap) when there are none
  const problem = linearProblem(p.data, layout, p.loss, p.lambda, (L, l) => l2Penalty(L, l), 'constrained-group-lasso', p.cone ?? undefined);
  const r = solve(problem, { tol, constraintTol: o.constraintTol, maxIters: o.maxIters ?? 50000, timeLimit: o.timeLimit ?? Infinity, onProgress: o.onProgress });
  let viol = 0;
  if (p.cone) {
    const g = new Float64Array(p.cone.outDim);
    p.cone.apply(r.x, g);
    for (const v of g) if (-v > viol) viol = -v;
  }
  return constrainedResult(r, viol);
}

/**
 * A registry solve as a {@link ConstrainedResult}, with the constraint violation measured by the
 * caller (and the time, when the caller's clock started before the solve).
 *
 * @example
 *   return constrainedResult(solve(problem, { tol }), 0, (performance.now() - t0) / 1000);
 */
export function constrainedResult(r: SolveResult, constraintViolation: number, timeSeconds = r.timeSeconds): ConstrainedResult {
  return { x: r.x, ...solveSummary({ ...r, constraintViolation, timeSeconds }), groupNorms: r.groupNorms };
}
