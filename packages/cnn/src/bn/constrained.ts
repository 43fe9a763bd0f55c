import { type ConvexResult, type DataLoss, type HistoryPoint, type LinearMap, type Penalty, rfista, type SmoothFunction, type SolveStatus } from '@cvxnn/group-lasso';
import { assertOption } from '@cvxnn/linalg';

/**
 * One group of a {@link ConstrainedGroupLasso}: coordinates `offset … offset+size−1` of x, of
 * which the first `penalized` carry the Euclidean norm (the rest are free: no penalty, they only
 * enter the constraints).
 *
 * @example
 *   const g: GroupSpec = { offset: 0, size: 3, penalized: 2 };
 */
export interface GroupSpec {
  offset: number;
  size: number;
  penalized: number;
}

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
  const norms = (x: Float64Array) => {
    const out = new Float64Array(groups.length);
    groups.forEach((g, k) => {
      let s = 0;
      for (let j = 0; j < g.penalized; j++) s += x[g.offset + j] ** 2;
      out[k] = Math.sqrt(s);
    });
    return out;
  };
  return {
    groupNorms: norms,
    value(x) {
      let s = 0;
      for (const v of norms(x)) s += v;
      return lambda * s;
    },
    prox(x, t, out) {
      out.set(x);
      const th = t * lambda;
      for (const g of groups) {
        let s = 0;
        for (let j = 0; j < g.penalized; j++) s += x[g.offset + j] ** 2;
        s = Math.sqrt(s);
        const f = s > th ? 1 - th / s : 0;
        for (let j = 0; j < g.penalized; j++) out[g.offset + j] = f * x[g.offset + j];
      }
    },
  };
}

/**
 * Minimum-norm element of h + λ∂(Σ‖x_g,pen‖) (free coordinates contribute h itself): the
 * stationarity residual of the Lagrangian.
 */
function kktResidual(h: Float64Array, x: Float64Array, groups: GroupSpec[], lambda: number): number {
  let total = 0;
  for (const g of groups) {
    let xn = 0;
    let hn = 0;
    for (let j = 0; j < g.penalized; j++) {
      xn += x[g.offset + j] ** 2;
      hn += h[g.offset + j] ** 2;
    }
    xn = Math.sqrt(xn);
    if (xn > 0) for (let j = 0; j < g.penalized; j++) total += (h[g.offset + j] + (lambda * x[g.offset + j]) / xn) ** 2;
    else total += Math.max(0, Math.sqrt(hn) - lambda) ** 2;
    for (let j = g.penalized; j < g.size; j++) total += h[g.offset + j] ** 2;
  }
  return Math.sqrt(total);
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

/**
 * Augmented Lagrangian on the cone constraints, each subproblem solved by group-lasso's R-FISTA
 * (the constraint term (ρ/2)‖(μ/ρ − Gx)_+‖² − ‖μ‖²/(2ρ) is one more smooth term), multipliers
 * μ ← (μ − ρGx)_+, ρ ×10 when the violation does not shrink 4×. Certified by the minimum-norm
 * subgradient of the Lagrangian at the final multipliers, relative to max_g ‖(Aᵀ∇ℓ(0))_g‖, plus the
 * violation and complementarity — group-lasso's `min-norm-subgradient` certificate.
 *
 * @example
 *   const r = solveConstrainedGroupLasso({ dim, data, loss, cone, groups, lambda }, { tol: 1e-7 });
 */
export function solveConstrainedGroupLasso(p: ConstrainedGroupLasso, o: ConstrainedOptions = {}): ConstrainedResult {
  const tol = o.tol ?? 1e-6;
  const constraintTol = o.constraintTol ?? 1e-8;
  const maxIters = o.maxIters ?? 50000;
  const timeLimit = o.timeLimit ?? Infinity;
  assertOption(tol > 0 && constraintTol > 0, `tolerances must be > 0 (tol ${tol}, constraintTol ${constraintTol})`);
  const t0 = performance.now();
  const N = p.dim;
  const pen = partialGroupPenalty(p.groups, p.lambda);
  const R = new Float64Array(p.data.outDim);
  const h = new Float64Array(N);
  const hc = new Float64Array(N);
  // certificate scale: the largest group gradient at x = 0 (λ_max of the unconstrained problem)
  p.loss.valueAndGrad(new Float64Array(p.data.outDim), R);
  p.data.adjoint(R, h);
  let certScale = 0;
  for (const g of p.groups) {
    let s = 0;
    for (let j = 0; j < g.penalized; j++) s += h[g.offset + j] ** 2;
    certScale = Math.max(certScale, Math.sqrt(s));
  }
  certScale = Math.max(certScale, 1e-300);
  const m = p.cone ? p.cone.outDim : 0;
  const mu = new Float64Array(m);
  const muNew = new Float64Array(m);
  const smooth = p.loss.name === 'squared' ? 1 : p.loss.name === 'logistic' ? 0.25 : 0.5;
  let rho = 100 * (p.loss.scale === 'mean' ? smooth / p.loss.n : smooth);
  const al: SmoothFunction = {
    valueAndGrad(gx, grad) {
      let v = 0;
      for (let j = 0; j < m; j++) {
        const t = mu[j] - rho * gx[j];
        const tp = t > 0 ? t : 0;
        v += tp * tp - mu[j] * mu[j];
        if (grad) grad[j] = -tp;
      }
      return v / (2 * rho);
    },
  };
  const terms = p.cone ? [{ map: p.data, fn: p.loss as SmoothFunction }, { map: p.cone, fn: al }] : [{ map: p.data, fn: p.loss as SmoothFunction }];
  const history: HistoryPoint[] = [];
  let x: Float64Array = new Float64Array(N);
  let step = 1;
  let iterations = 0;
  let prevViol = Infinity;
  let innerTol = 1e-2 * certScale;
  let status: SolveStatus = 'max-iterations';
  let res = { objective: 0, dataTerm: 0, penalty: 0, kkt: Infinity, rel: Infinity, viol: Infinity };
  for (let outer = 0; outer < 300 && iterations < maxIters; outer++) {
    const elapsed = (performance.now() - t0) / 1000;
    if (elapsed > timeLimit) {
      status = 'time-limit';
      break;
    }
    const r = rfista({ dim: N, terms, penalty: pen }, { x0: x, step0: step, gradTol: innerTol, maxIters: maxIters - iterations, timeLimit: timeLimit - elapsed });
    iterations += r.iterations;
    step = r.step;
    x = r.x;
    let viol = 0;
    let compl = 0;
    if (p.cone) {
      const g = r.Ax[1];
      for (let j = 0; j < m; j++) {
        if (-g[j] > viol) viol = -g[j];
        const t = mu[j] - rho * g[j];
        muNew[j] = t > 0 ? t : 0;
        compl += muNew[j] * g[j];
      }
    }
    const dataTerm = p.loss.valueAndGrad(r.Ax[0], R);
    p.data.adjoint(R, h);
    if (p.cone) {
      p.cone.adjoint(muNew, hc);
      for (let j = 0; j < N; j++) h[j] -= hc[j];
    }
    const kkt = kktResidual(h, x, p.groups, p.lambda);
    const penalty = pen.value(x);
    res = { objective: dataTerm + penalty, dataTerm, penalty, kkt, rel: kkt / certScale, viol };
    history.push({ iteration: iterations, timeSeconds: (performance.now() - t0) / 1000, objective: res.objective, certificate: res.rel });
    o.onProgress?.({ iteration: iterations, certificate: res.rel, objective: res.objective });
    mu.set(muNew);
    if (viol <= constraintTol && res.rel <= tol && Math.abs(compl) <= tol * Math.max(1, Math.abs(res.objective))) {
      status = 'optimal';
      break;
    }
    if (r.timedOut) {
      status = 'time-limit';
      break;
    }
    if (viol > constraintTol && viol > 0.25 * prevViol) {
      rho *= 10;
      step /= 10;
    }
    prevViol = viol;
    innerTol = Math.max(innerTol * 0.1, 0.1 * tol * certScale);
  }
  return {
    x,
    status,
    objective: res.objective,
    dataTerm: res.dataTerm,
    penalty: res.penalty,
    certificate: { kind: 'min-norm-subgradient', value: res.rel, absolute: res.kkt },
    constraintViolation: res.viol,
    iterations,
    timeSeconds: (performance.now() - t0) / 1000,
    history,
    groupNorms: pen.groupNorms(x),
  };
}
