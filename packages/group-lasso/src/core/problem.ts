import { type Backend, getBackend, type Matrix, type PatternMasks } from '@cvxnn/linalg';
import type { DataLoss } from '../losses.js';
import type { LinearMap } from '../problem.js';
import type { Certificate, HistoryPoint, SolveStatus } from '../types.js';
import { type GroupLayout } from './layout.js';
import { denseOperator, genericOperator, maskedOperator, type ProblemOperator, reluOperator } from './operator.js';
import { conePenalty, type GroupPenalty, l2Penalty, nuclearPenalty } from './penalty.js';

/**
 * A group-Lasso problem as data (ARCHITECTURE seam 3): min_x ℓ(A x) + λ Σ_g ρ(x_g), the operator
 * with its group layout and fast paths, the datafit with its gradient and Fenchel conjugate, the
 * penalty with prox and dual norms. Formulations build one of these and call the solver registry;
 * no formulation runs a solver loop or computes its own gap.
 *
 * `restrict(groups)` gives the same problem on a subset of groups (a working set) in the
 * operator's natural layout, with the maps to and from the full unknowns.
 *
 * @example
 *   const problem = gatedProblem(X, masks, dataLoss('squared', 'sum', Y), 0.1);
 *   const r = solve(problem, { tol: 1e-6 });
 */
export interface GroupLassoProblem {
  readonly op: ProblemOperator;
  readonly loss: DataLoss;
  readonly penalty: GroupPenalty;
  /**
   * Linear inequality constraints C x ≥ 0 that the penalty does not fold in (batch-norm and
   * three-layer programs); only the augmented-Lagrangian solver takes them.
   */
  readonly constraints?: LinearMap;
  /** X and the masks behind a masked operator (second-order preconditioners) */
  readonly structure?: { X: Matrix<Float64Array>; masks: PatternMasks; backend: Backend };
  restrict?(groups: Int32Array): { problem: GroupLassoProblem; gather(x: Float64Array): Float64Array; scatter(xs: Float64Array, x: Float64Array): void };
  /** the same problem at another λ (λ-paths) */
  withLambda(lambda: number): GroupLassoProblem;
}

/**
 * Options every registered solver takes.
 *
 * @example
 *   const o: SolveOptions = { solver: 'auto', tol: 1e-6, maxIters: 20000, timeLimit: 60 };
 */
export interface SolveOptions {
  /** a registered solver name, or `auto` (default): the rule in solvers/registry.ts */
  solver?: string;
  /** relative duality-gap tolerance (default 1e-6) */
  tol?: number;
  /**
   * maximum cone-constraint violation accepted as optimal by solvers whose iterates are not
   * exactly feasible (`al`: default 1e-6 for C-ReLU, 1e-8 for explicit constraints); the other
   * solvers return points on the cones (violation 0)
   */
  constraintTol?: number;
  /** iteration cap (default 20 000; what counts as an iteration is the solver's: see its doc) */
  maxIters?: number;
  /** wall-clock limit in seconds (default ∞) */
  timeLimit?: number;
  /** warm start (copied) */
  x0?: Float64Array;
  /** working sets over the groups (default true where the problem can restrict) */
  workingSet?: boolean;
  /** first step of proximal-gradient solvers (warm starts along a path) */
  step0?: number;
  /** the backend for dense linear algebra (Newton systems); the operator carries its own */
  backend?: Backend;
  /** trace: points are appended here (default a new array) */
  history?: HistoryPoint[];
  /** time origin (performance.now()) and iteration offset of the trace (several solves in one fit) */
  t0?: number;
  itersOffset?: number;
  onProgress?: (p: { iteration: number; certificate: number; objective: number }) => void;
  /** stop (not converged) after this many certificate checks without a 10% gain (fp32 stages) */
  stallChecks?: number;
}

/**
 * What every registered solver returns: the point, its image, the certificate (duality gap of
 * the full problem, fp64), and how it got there.
 *
 * @example
 *   const r: SolveResult = solve(problem);
 *   r.status; r.certificate.value; r.solver;
 */
export interface SolveResult {
  x: Float64Array;
  /** A x */
  F: Float64Array;
  status: SolveStatus;
  objective: number;
  dataTerm: number;
  penalty: number;
  certificate: Certificate;
  /** solver iterations (FISTA iterations, Newton steps + their warm start, …) */
  iterations: number;
  /** forward + adjoint operator products, counted in full-operator equivalents */
  products: number;
  timeSeconds: number;
  /** the solver that ran (with its stages, e.g. `newton (fista warm start 120 it)`) */
  solver: string;
  history: HistoryPoint[];
  groupNorms: Float64Array;
  /** last proximal-gradient step (warm start for the next λ) */
  step?: number;
  /** λ at which the result was computed */
  lambda: number;
  /** max_g ρ° of the final KKT scores: > λ(1+tol) means a group that should enter */
  maxDualNorm: number;
}

/**
 * C-GReLU (SPEC §2.7): min ℓ(Σ_i D_i X U_i) + λ Σ_i ‖U_i‖ (Frobenius, or nuclear with `nuclear`
 * and c > 1, SPEC §2.8), U d×(P·c).
 *
 * @example
 *   const p = gatedProblem(X, masks, dataLoss('squared', 'sum', Y), 0.1);
 */
export function gatedProblem(X: Matrix<Float64Array>, masks: PatternMasks, loss: DataLoss, lambda: number, opts: { nuclear?: boolean; backend?: Backend } = {}): GroupLassoProblem {
  const backend = opts.backend ?? getBackend();
  const c = loss.c;
  const nuclear = (opts.nuclear ?? true) && c > 1;
  const op = maskedOperator(X, masks, c, backend);
  const pen = nuclear ? nuclearPenalty(X.cols, masks.p, c, lambda) : l2Penalty(op.layout, lambda, backend);
  const problem: GroupLassoProblem = {
    op,
    loss,
    penalty: pen,
    structure: { X, masks, backend },
    restrict(groups) {
      const sub = masks.select(Array.from(groups));
      const r = op.restrict!(groups);
      return { problem: gatedProblem(X, sub, loss, lambda, { nuclear, backend }), gather: r.gather, scatter: r.scatter };
    },
    withLambda: (l) => gatedProblem(X, masks, loss, l, { nuclear, backend }),
  };
  return problem;
}

/**
 * C-ReLU (SPEC §2.3): min ℓ(Σ_i D_i X (v_i − w_i)) + λ Σ_i (‖v_i‖ + ‖w_i‖) over the cones
 * (2D_i − I) X v_i ≥ 0, (2D_i − I) X w_i ≥ 0, folded into the penalty (exact cone prox).
 * Scalar output.
 *
 * @example
 *   const p = reluProblem(X, masks, dataLoss('squared', 'sum', y), 0.1);
 */
export function reluProblem(X: Matrix<Float64Array>, masks: PatternMasks, loss: DataLoss, lambda: number, opts: { backend?: Backend } = {}): GroupLassoProblem {
  const backend = opts.backend ?? getBackend();
  const op = reluOperator(X, masks, backend);
  const problem: GroupLassoProblem = {
    op,
    loss,
    penalty: conePenalty(X, masks, lambda, backend),
    structure: { X, masks, backend },
    restrict(groups) {
      const P = masks.p;
      const pats = [...new Set(Array.from(groups, (g) => (g >= P ? g - P : g)))].sort((a, b) => a - b);
      const r = op.restrict!(Int32Array.from(pats));
      return { problem: reluProblem(X, masks.select(pats), loss, lambda, { backend }), gather: r.gather, scatter: r.scatter };
    },
    withLambda: (l) => reluProblem(X, masks, loss, l, { backend }),
  };
  return problem;
}

/**
 * A dense-feature group Lasso min ℓ(Φ x) + λ Σ_g ρ(x_g) (the pooled convex CNN: Φ n×(h·P), x
 * (h·P)×c, groups the strided h×c blocks; `penalty` builds ρ for a layout and λ).
 *
 * @example
 *   const p = denseProblem(Phi, stridedLayout(h, P, 1), loss, 1e-3, (L, l) => l2Penalty(L, l));
 */
export function denseProblem(Phi: Matrix<Float64Array>, layout: GroupLayout, loss: DataLoss, lambda: number, penalty: (layout: GroupLayout, lambda: number) => GroupPenalty, opts: { backend?: Backend } = {}): GroupLassoProblem {
  const backend = opts.backend ?? getBackend();
  const op = denseOperator(Phi, layout, loss.c, backend);
  return {
    op,
    loss,
    penalty: penalty(layout, lambda),
    withLambda: (l) => denseProblem(Phi, layout, loss, l, penalty, opts),
  };
}

/**
 * Any linear map with a group layout (batch-norm bases, three-layer blocks, Clifford
 * dictionaries, separable / circular CNNs): the solvers use apply/adjoint and the penalty.
 *
 * @example
 *   const p = linearProblem(A, layout, loss, 0.1, (L, l) => l2Penalty(L, l));
 */
export function linearProblem(
  A: LinearMap,
  layout: GroupLayout,
  loss: DataLoss,
  lambda: number,
  penalty: (layout: GroupLayout, lambda: number) => GroupPenalty,
  kind = 'linear-map',
  constraints?: LinearMap,
): GroupLassoProblem {
  const op = genericOperator(A, layout, loss.n, loss.c, kind);
  return {
    op,
    loss,
    penalty: penalty(layout, lambda),
    constraints,
    withLambda: (l) => linearProblem(A, layout, loss, l, penalty, kind, constraints),
  };
}

