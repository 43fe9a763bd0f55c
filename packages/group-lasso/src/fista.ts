import { assertOption } from '@cvxnn/linalg';
import type { CompositeProblem } from './problem.js';

/**
 * Options of {@link rfista}.
 *
 * @example
 *   const opts: FistaOptions = { maxIters: 500, checkEvery: 10, check: (x, Ax) => false };
 */
export interface FistaOptions {
  /** starting point (copied); zeros by default */
  x0?: Float64Array;
  /** iteration cap (default 10 000) */
  maxIters?: number;
  /**
   * stop when the gradient-mapping norm ‖x⁺ − y‖/t falls below `gradTol` (absolute; default 0 =
   * never — rely on `check`)
   */
  gradTol?: number;
  /** initial step size (default 1; backtracking shrinks it) */
  step0?: number;
  /** step growth factor after an iteration without backtracking (default 1.1) */
  growth?: number;
  /** function-value restarts (default true) */
  restart?: boolean;
  /** call `check` every this many iterations (default 10) */
  checkEvery?: number;
  /**
   * Optimality check at the current iterate x (with its cached operator images Ax); return true to
   * stop. This is where formulations compute duality gaps.
   */
  check?: (x: Float64Array, Ax: Float64Array[], iteration: number) => boolean;
  /** wall-clock limit, seconds */
  timeLimit?: number;
}

/**
 * Result of {@link rfista}.
 *
 * @example
 *   const { x, objective, converged } = rfista(problem, opts);
 */
export interface FistaResult {
  x: Float64Array;
  /** operator images A_k x, one per smooth term */
  Ax: Float64Array[];
  objective: number;
  smoothValue: number;
  iterations: number;
  /** last accepted step size (warm start for the next solve) */
  step: number;
  /** true when `check` or the gradient tolerance stopped it */
  converged: boolean;
  timedOut: boolean;
}

/**
 * R-FISTA: accelerated proximal gradient (Beck–Teboulle) with function-value restarts
 * (O'Donoghue–Candès), backtracking line search and step-size growth, over any
 * {@link CompositeProblem}. One application of each operator and one adjoint per iteration when the
 * step is accepted: A y is extrapolated from A x_k and A x_{k−1} (A is linear), never recomputed.
 *
 * @example
 *   const r = rfista(problem, { maxIters: 500, check: (x, Ax) => gap(x, Ax) < 1e-6 });
 */
export function rfista(problem: CompositeProblem, opts: FistaOptions = {}): FistaResult {
  const { maxIters = 10000, gradTol = 0, growth = 1.1, restart = true, checkEvery = 10, timeLimit = Infinity } = opts;
  assertOption(Number.isInteger(maxIters) && maxIters >= 0, `maxIters must be a non-negative integer, got ${maxIters}`);
  const N = problem.dim;
  const terms = problem.terms;
  const K = terms.length;
  const t0 = performance.now();

  let x = opts.x0 ? Float64Array.from(opts.x0) : new Float64Array(N);
  let xPrev = new Float64Array(N);
  const y = new Float64Array(N);
  const xNew = new Float64Array(N);
  const grad = new Float64Array(N);
  const tmp = new Float64Array(N);
  const Ax = terms.map((t) => new Float64Array(t.map.outDim));
  const AxPrev = terms.map((t) => new Float64Array(t.map.outDim));
  const Ay = terms.map((t) => new Float64Array(t.map.outDim));
  const AxNew = terms.map((t) => new Float64Array(t.map.outDim));
  const R = terms.map((t) => new Float64Array(t.map.outDim));

  const smoothAt = (Az: Float64Array[], g: Float64Array | null): number => {
    let v = 0;
    if (g) g.fill(0);
    for (let k = 0; k < K; k++) {
      v += terms[k].fn.valueAndGrad(Az[k], g ? R[k] : null);
      if (g) {
        terms[k].map.adjoint(R[k], tmp);
        for (let j = 0; j < N; j++) g[j] += tmp[j];
      }
    }
    return v;
  };

  for (let k = 0; k < K; k++) terms[k].map.apply(x, Ax[k]);
  let fx = smoothAt(Ax, null);
  let Fx = fx + problem.penalty.value(x);
  y.set(x);
  for (let k = 0; k < K; k++) Ay[k].set(Ax[k]);
  let theta = 1;
  let step = opts.step0 ?? 1;
  let it = 0;
  let converged = false;
  let timedOut = false;

  if (opts.check && opts.check(x, Ax, 0)) {
    return { x, Ax, objective: Fx, smoothValue: fx, iterations: 0, step, converged: true, timedOut: false };
  }

  while (it < maxIters) {
    it++;
    const fy = smoothAt(Ay, grad);
    let backtracked = false;
    let fNew = 0;
    let gm = 0;
    let proxValue: number | void;
    for (;;) {
      for (let j = 0; j < N; j++) tmp[j] = y[j] - step * grad[j];
      proxValue = problem.penalty.prox(tmp, step, xNew);
      for (let k = 0; k < K; k++) terms[k].map.apply(xNew, AxNew[k]);
      fNew = smoothAt(AxNew, null);
      let lin = 0;
      let sq = 0;
      for (let j = 0; j < N; j++) {
        const dj = xNew[j] - y[j];
        lin += grad[j] * dj;
        sq += dj * dj;
      }
      gm = Math.sqrt(sq) / step;
      // sufficient-decrease test of the quadratic upper model (with a round-off allowance)
      if (fNew <= fy + lin + sq / (2 * step) + 1e-12 * Math.abs(fy) || sq === 0) break;
      step *= 0.5;
      backtracked = true;
      if (step < 1e-300) break;
    }
    const FNew = fNew + (typeof proxValue === 'number' ? proxValue : problem.penalty.value(xNew));
    // rotate buffers: xPrev ← x, x ← xNew
    const swap = xPrev;
    xPrev = x;
    x = swap;
    x.set(xNew);
    for (let k = 0; k < K; k++) {
      AxPrev[k].set(Ax[k]);
      Ax[k].set(AxNew[k]);
    }
    // restart test: the function value, unless it is within round-off of the last one, where the
    // gradient test of O'Donoghue–Candès (momentum pointing uphill: ⟨y − x⁺, x⁺ − x⟩ > 0) decides
    let uphill: boolean;
    if (Math.abs(FNew - Fx) > 1e-13 * Math.abs(Fx)) uphill = FNew > Fx;
    else {
      let ip = 0;
      for (let j = 0; j < N; j++) ip += (y[j] - x[j]) * (x[j] - xPrev[j]);
      uphill = ip > 0;
    }
    if (restart && uphill) {
      // function-value restart: drop the momentum, continue from the new point
      theta = 1;
      y.set(x);
      for (let k = 0; k < K; k++) Ay[k].set(Ax[k]);
    } else {
      const thetaNew = (1 + Math.sqrt(1 + 4 * theta * theta)) / 2;
      const beta = (theta - 1) / thetaNew;
      theta = thetaNew;
      for (let j = 0; j < N; j++) y[j] = x[j] + beta * (x[j] - xPrev[j]);
      for (let k = 0; k < K; k++) {
        const a = Ax[k];
        const ap = AxPrev[k];
        const ay = Ay[k];
        for (let j = 0; j < a.length; j++) ay[j] = a[j] + beta * (a[j] - ap[j]);
      }
    }
    Fx = FNew;
    fx = fNew;
    if (!backtracked) step *= growth;
    if (gradTol > 0 && gm <= gradTol) {
      converged = true;
      break;
    }
    if (opts.check && it % checkEvery === 0 && opts.check(x, Ax, it)) {
      converged = true;
      break;
    }
    if ((performance.now() - t0) / 1000 > timeLimit) {
      timedOut = true;
      break;
    }
  }
  if (!converged && opts.check && it % checkEvery !== 0 && opts.check(x, Ax, it)) converged = true;
  return { x, Ax, objective: Fx, smoothValue: fx, iterations: it, step, converged, timedOut };
}
