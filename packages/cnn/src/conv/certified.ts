import type { DataLoss, HistoryPoint, LinearMap, Penalty, SolveStatus } from '@cvxnn/group-lasso';
import { rfista } from '@cvxnn/group-lasso';
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
  /** first R-FISTA step (default 1; it backtracks and grows from there) */
  step0?: number;
  /** time origin and iteration offset of the history (several solves in one fit) */
  t0?: number;
  itersOffset?: number;
  onProgress?: (p: { iteration: number; certificate: number; objective: number }) => void;
}

/**
 * Solve min_x ℓ(A x) + penalty(x) by R-FISTA, certified by the Fenchel duality gap with the dual
 * point z = s∇ℓ(Ax), s = min(1, λ / dualNorm(Aᵀ∇ℓ)) (feasible for max −ℓ*(z) s.t. dualNorm(Aᵀz) ≤ λ).
 * @internal
 */
export function solveCertified(
  A: LinearMap,
  loss: DataLoss,
  penalty: Penalty,
  dualNorm: (g: Float64Array) => number,
  lambda: number,
  o: CertifiedOptions,
): { x: Float64Array; objective: number; dataTerm: number; penalty: number; gap: number; relGap: number; iterations: number; status: SolveStatus; history: HistoryPoint[]; timeSeconds: number } {
  const t0 = performance.now();
  const R = new Float64Array(A.outDim);
  const G = new Float64Array(A.inDim);
  const history: HistoryPoint[] = [];
  let best = -Infinity;
  const evalGap = (x: Float64Array, Ax: Float64Array) => {
    const dataTerm = loss.valueAndGrad(Ax, R);
    A.adjoint(R, G);
    const m = dualNorm(G);
    const s = m > lambda ? lambda / m : 1;
    for (let j = 0; j < R.length; j++) R[j] *= s;
    best = Math.max(best, -loss.conjugate(R));
    const pen = penalty.value(x);
    const primal = dataTerm + pen;
    const gap = Math.max(0, primal - best);
    return { primal, dataTerm, pen, gap, rel: gap / Math.max(Math.abs(primal), 1e-300) };
  };
  let last = { primal: 0, dataTerm: 0, pen: 0, gap: Infinity, rel: Infinity };
  const r = rfista(
    { dim: A.inDim, terms: [{ map: A, fn: loss }], penalty },
    {
      maxIters: o.maxIters,
      timeLimit: o.timeLimit,
      step0: o.step0,
      checkEvery: 10,
      check: (x, Ax, it) => {
        last = evalGap(x, Ax[0]);
        const t = o.t0 ?? t0;
        const iteration = (o.itersOffset ?? 0) + it;
        history.push({ iteration, timeSeconds: (performance.now() - t) / 1000, objective: last.primal, certificate: last.rel });
        o.onProgress?.({ iteration, certificate: last.rel, objective: last.primal });
        return last.rel <= o.tol;
      },
    },
  );
  last = evalGap(r.x, r.Ax[0]);
  const status: SolveStatus = last.rel <= o.tol ? 'optimal' : r.timedOut ? 'time-limit' : 'max-iterations';
  return { x: r.x, objective: last.primal, dataTerm: last.dataTerm, penalty: last.pen, gap: last.gap, relGap: last.rel, iterations: r.iterations, status, history, timeSeconds: (performance.now() - t0) / 1000 };
}

/**
 * The result fields every certified CNN variant reports (status, objective split, duality-gap
 * certificate, iterations, time, history) with the problem's λ, loss and scale.
 * @internal
 */
export function certifiedFields(r: ReturnType<typeof solveCertified>, lambda: number, loss: LossName, scale: ObjectiveScale): LinearCnnResultBase {
  return {
    status: r.status,
    objective: r.objective,
    dataTerm: r.dataTerm,
    penalty: r.penalty,
    certificate: { kind: 'duality-gap', value: r.relGap, absolute: r.gap },
    iterations: r.iterations,
    timeSeconds: r.timeSeconds,
    lambda,
    loss,
    scale,
    history: r.history,
  };
}
