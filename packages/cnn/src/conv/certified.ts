import { type GroupLassoProblem, type HistoryPoint, solve, type SolveStatus } from '@cvxnn/group-lasso';
import type { Backend } from '@cvxnn/linalg';
import type { LossName, ObjectiveScale } from '@cvxnn/networks';
import type { LinearCnnResultBase } from './linear.js';

/**
 * Options of {@link solveCertified}.
 *
 * @example
 *   const o: CertifiedOptions = { tol: 1e-8, maxIters: 20000, timeLimit: Infinity };
 */
export interface CertifiedOptions {
  tol: number;
  maxIters: number;
  timeLimit: number;
  /** a registered solver (default auto) */
  solver?: string;
  /** `al`: maximum cone-constraint violation (the registry's default when absent) */
  constraintTol?: number;
  /** first proximal-gradient step (it backtracks and grows from there) */
  step0?: number;
  /** starting point (a warm start; default zero) */
  x0?: Float64Array;
  /** time origin and iteration offset of the history (several solves in one fit) */
  t0?: number;
  itersOffset?: number;
  history?: HistoryPoint[];
  backend?: Backend;
  onProgress?: (p: { iteration: number; certificate: number; objective: number }) => void;
}

/**
 * What a CNN formulation needs of a solve: the point, the objective split, the duality gap, the
 * status and the trace.
 *
 * @example
 *   const r: CertifiedSolve = solveCertified(problem, opts);
 */
export interface CertifiedSolve {
  x: Float64Array;
  objective: number;
  dataTerm: number;
  penalty: number;
  gap: number;
  relGap: number;
  certificateKind: 'duality-gap' | 'min-norm-subgradient';
  iterations: number;
  status: SolveStatus;
  history: HistoryPoint[];
  timeSeconds: number;
  solver: string;
}

/**
 * Solve a CNN program through group-lasso's solver registry (the formulation only builds the
 * problem: operator, loss, penalty). The certificate is the registry's: the duality gap of the full
 * problem with the best (refined) dual point kept.
 * @internal
 */
export function solveCertified(problem: GroupLassoProblem, o: CertifiedOptions): CertifiedSolve {
  const history = o.history ?? [];
  const r = solve(problem, {
    solver: o.solver ?? 'auto',
    tol: o.tol,
    constraintTol: o.constraintTol,
    maxIters: o.maxIters,
    timeLimit: o.timeLimit,
    step0: o.step0,
    x0: o.x0,
    t0: o.t0,
    itersOffset: o.itersOffset,
    history,
    backend: o.backend,
    onProgress: o.onProgress,
  });
  return {
    x: r.x,
    objective: r.objective,
    dataTerm: r.dataTerm,
    penalty: r.penalty,
    gap: r.certificate.absolute,
    relGap: r.certificate.value,
    certificateKind: r.certificate.kind,
    iterations: r.iterations,
    status: r.status,
    history,
    timeSeconds: r.timeSeconds,
    solver: r.solver,
  };
}

/**
 * The result fields every certified CNN variant reports (status, objective split, duality-gap
 * certificate, iterations, time, history) with the problem's λ, loss and scale.
 * @internal
 */
export function certifiedFields(r: CertifiedSolve, lambda: number, loss: LossName, scale: ObjectiveScale): LinearCnnResultBase {
  return {
    status: r.status,
    objective: r.objective,
    dataTerm: r.dataTerm,
    penalty: r.penalty,
    certificate: { kind: r.certificateKind, value: r.relGap, absolute: r.gap },
    iterations: r.iterations,
    timeSeconds: r.timeSeconds,
    lambda,
    loss,
    scale,
    history: r.history,
  };
}
