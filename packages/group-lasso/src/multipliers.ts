import { rfista } from './fista.js';
import type { DataLoss } from './losses.js';
import type { GroupLayout } from './core/layout.js';
import type { LinearMap, Penalty, SmoothFunction } from './problem.js';
import type { HistoryPoint } from './types.js';

/**
 * Minimum-norm element of h + λ∂Σ_g‖x_g‖ over a layout's groups (free coordinates contribute h
 * itself): for x_g ≠ 0 the residual is h_g + λ x_g/‖x_g‖, for x_g = 0 it is (‖h_g‖ − λ)_+ in norm.
 * The stationarity residual of a Lagrangian whose smooth part has gradient h.
 *
 * @example
 *   const r = layoutMinNormSubgradient(h, x, stridedLayout(d, P, 1, 2), 0.1);
 */
export function layoutMinNormSubgradient(h: Float64Array, x: Float64Array, layout: GroupLayout, lambda: number): number {
  let total = 0;
  for (let g = 0; g < layout.count; g++) {
    const cs = layout.coords(g);
    let xn = 0;
    let hn = 0;
    for (const j of cs) {
      xn += x[j] * x[j];
      hn += h[j] * h[j];
    }
    xn = Math.sqrt(xn);
    if (xn > 0) for (const j of cs) total += (h[j] + (lambda * x[j]) / xn) ** 2;
    else total += Math.max(0, Math.sqrt(hn) - lambda) ** 2;
  }
  for (const j of layout.free) total += h[j] * h[j];
  return Math.sqrt(total);
}

/**
 * The problem the method of multipliers takes: min ℓ(A x) + penalty(x) s.t. G x ≥ 0, with the
 * stationarity residual `kkt(h, x)` of its Lagrangian (h = Aᵀ∇ℓ − Gᵀμ) and the scale the
 * relative certificate divides by.
 */
export interface MultipliersProblem {
  dim: number;
  data: LinearMap;
  loss: DataLoss;
  constraints: LinearMap;
  penalty: Penalty;
  kkt(h: Float64Array, x: Float64Array): number;
  certScale: number;
  /** samples of the loss (the first ρ is 100·(curvature of the loss)/n for the mean scale) */
  n: number;
}

/**
 * Stopping rule and trace of {@link methodOfMultipliers}.
 */
export interface MultipliersOptions {
  tol: number;
  constraintTol: number;
  maxIters: number;
  timeLimit: number;
  maxOuter: number;
  x0?: Float64Array;
  t0: number;
  itersOffset: number;
  history: HistoryPoint[];
  onProgress?: (p: { iteration: number; certificate: number; objective: number }) => void;
}

/**
 * What {@link methodOfMultipliers} returns: the last point, its image A x, the certificate parts.
 */
export interface MultipliersResult {
  x: Float64Array;
  F: Float64Array;
  objective: number;
  dataTerm: number;
  penalty: number;
  /** min-norm subgradient of the Lagrangian, absolute and relative to certScale */
  kkt: number;
  rel: number;
  violation: number;
  /** Σ μ_j g_j(x): complementary slackness of the final multipliers */
  complementarity: number;
  iterations: number;
  converged: boolean;
  timedOut: boolean;
}

/**
 * Rockafellar's method of multipliers with R-FISTA subproblems: the constraint term
 * (ρ/2)‖(μ/ρ − Gx)_+‖² − ‖μ‖²/(2ρ) is one more smooth term of the composite problem solved by
 * R-FISTA (warm-started, inner tolerance shrinking tenfold per round), then μ ← (μ − ρGx)_+, and
 * ρ ×10 when the violation does not shrink fourfold. The certificate is the minimum-norm
 * subgradient of the Lagrangian at the updated multipliers (the AL gradient identity
 * Aᵀ∇ℓ(Ax) − Gᵀμ⁺), with the violation and the complementarity; converged when all three are
 * within tolerance. Shared by the C-ReLU cone program and the explicitly constrained programs.
 *
 * @example
 *   const r = methodOfMultipliers({ dim, data: A, loss, constraints: G, penalty, kkt, certScale, n }, { tol: 1e-6, constraintTol: 1e-8, maxIters: 1e4, timeLimit: Infinity, maxOuter: 300, t0: performance.now(), itersOffset: 0, history: [] });
 */
export function methodOfMultipliers(p: MultipliersProblem, opts: MultipliersOptions): MultipliersResult {
  const tStart = performance.now();
  const { dim: N, data, loss, constraints: G, penalty, certScale } = p;
  const m = G.outDim;
  const mu = new Float64Array(m);
  const muNew = new Float64Array(m);
  const smooth = loss.name === 'squared' ? 1 : loss.name === 'logistic' ? 0.25 : 0.5;
  let rho = 100 * (loss.scale === 'mean' ? smooth / p.n : smooth);
  const al: SmoothFunction = {
    valueAndGrad(g, grad) {
      let v = 0;
      for (let j = 0; j < m; j++) {
        const t = mu[j] - rho * g[j];
        const tp = t > 0 ? t : 0;
        v += tp * tp - mu[j] * mu[j];
        if (grad) grad[j] = -tp;
      }
      return v / (2 * rho);
    },
  };
  let x: Float64Array = opts.x0 ? Float64Array.from(opts.x0) : new Float64Array(N);
  let F = new Float64Array(data.outDim);
  const R = new Float64Array(data.outDim);
  const h = new Float64Array(N);
  const hc = new Float64Array(N);
  let iterations = 0;
  let step = 1;
  let prevViol = Infinity;
  let innerTol = 1e-2 * certScale;
  let converged = false;
  let timedOut = false;
  let res = { objective: 0, dataTerm: 0, penalty: 0, kkt: Infinity, rel: Infinity, violation: Infinity, complementarity: 0 };
  for (let outer = 0; outer < opts.maxOuter && iterations < opts.maxIters; outer++) {
    const elapsed = (performance.now() - tStart) / 1000;
    if (elapsed > opts.timeLimit) {
      timedOut = true;
      break;
    }
    const r = rfista(
      { dim: N, terms: [{ map: data, fn: loss }, { map: G, fn: al }], penalty },
      { x0: x, step0: step, gradTol: innerTol, maxIters: opts.maxIters - iterations, timeLimit: opts.timeLimit - elapsed },
    );
    iterations += r.iterations;
    step = r.step;
    x = r.x;
    F = Float64Array.from(r.Ax[0]);
    const g = r.Ax[1];
    let viol = 0;
    let compl = 0;
    for (let j = 0; j < m; j++) {
      if (-g[j] > viol) viol = -g[j];
      const t = mu[j] - rho * g[j];
      muNew[j] = t > 0 ? t : 0;
      compl += muNew[j] * g[j];
    }
    // Lagrangian gradient at μ⁺: Aᵀ∇ℓ(Ax) − Gᵀμ⁺ (equals the AL gradient at μ)
    const dataTerm = loss.valueAndGrad(F, R);
    data.adjoint(R, h);
    G.adjoint(muNew, hc);
    for (let j = 0; j < N; j++) h[j] -= hc[j];
    const kkt = p.kkt(h, x);
    const pen = penalty.value(x);
    res = { objective: dataTerm + pen, dataTerm, penalty: pen, kkt, rel: kkt / certScale, violation: viol, complementarity: compl };
    opts.history.push({ iteration: opts.itersOffset + iterations, timeSeconds: (performance.now() - opts.t0) / 1000, objective: res.objective, certificate: res.rel });
    opts.onProgress?.({ iteration: opts.itersOffset + iterations, certificate: res.rel, objective: res.objective });
    mu.set(muNew);
    if (viol <= opts.constraintTol && res.rel <= opts.tol && Math.abs(compl) <= opts.tol * Math.max(1, Math.abs(res.objective))) {
      converged = true;
      break;
    }
    if (r.timedOut) {
      timedOut = true;
      break;
    }
    if (viol > opts.constraintTol && viol > 0.25 * prevViol) {
      rho *= 10;
      step /= 10;
    }
    prevViol = viol;
    innerTol = Math.max(innerTol * 0.1, 0.1 * opts.tol * certScale);
  }
  return { x, F, ...res, iterations, converged, timedOut };
}
