import type { Backend, Matrix, PatternMasks } from '@cvxnn/linalg';
import { rfista } from './fista.js';
import type { DataLoss } from './losses.js';
import { coneOperator, frobeniusGroupPenalty, reluDataOperator, type SmoothFunction } from './problem.js';
import type { HistoryPoint } from './types.js';

/**
 * Inputs of the C-ReLU core solver (scalar output).
 *
 * @example
 *   const input: ReluCoreInput = { X, masks, loss: dataLoss('squared', 'sum', Y), lambda: 0.1, backend: getBackend(), certScale: 1 };
 */
export interface ReluCoreInput {
  X: Matrix<Float64Array>;
  masks: PatternMasks;
  loss: DataLoss;
  lambda: number;
  backend: Backend;
  /** scale of the relative certificate (λ_max of the gated problem) */
  certScale: number;
}

/**
 * Options of the C-ReLU core solver.
 *
 * @example
 *   const o: ReluCoreOptions = { tol: 1e-6, constraintTol: 1e-6, maxIters: 1e4, timeLimit: 60, t0: performance.now(), itersOffset: 0, history: [] };
 */
export interface ReluCoreOptions {
  tol: number;
  constraintTol: number;
  maxIters: number;
  timeLimit: number;
  /** warm start [vec V; vec W], 2·d·P */
  x0?: Float64Array;
  t0: number;
  itersOffset: number;
  history: HistoryPoint[];
  onProgress?: (p: { iteration: number; certificate: number; objective: number }) => void;
}

/**
 * Output of the C-ReLU core solver.
 *
 * @example
 *   const { objective, violation, relKkt } = solveReluCore(input, options);
 */
export interface ReluCoreResult {
  x: Float64Array;
  objective: number;
  dataTerm: number;
  penalty: number;
  /** min-norm subgradient of the Lagrangian, absolute and relative to certScale */
  kkt: number;
  relKkt: number;
  violation: number;
  /** Σ μ_j g_j(x): complementary slackness of the final multipliers */
  complementarity: number;
  iterations: number;
  converged: boolean;
  timedOut: boolean;
}

/**
 * Minimum-norm element of h + λ∂Σ‖x_i‖ over the d-vector groups of `parts` consecutive d×P blocks:
 * for x_i ≠ 0 the residual is h_i + λ x_i/‖x_i‖, for x_i = 0 it is (‖h_i‖ − λ)_+ in norm.
 *
 * @example
 *   const r = minNormSubgradient(h, x, d, P, 2, 0.1);
 */
export function minNormSubgradient(h: Float64Array, x: Float64Array, d: number, P: number, parts: number, lambda: number): number {
  let total = 0;
  for (let part = 0; part < parts; part++) {
    const o = part * d * P;
    for (let i = 0; i < P; i++) {
      let xn = 0;
      let hn = 0;
      for (let r = 0; r < d; r++) {
        xn += x[o + r * P + i] ** 2;
        hn += h[o + r * P + i] ** 2;
      }
      xn = Math.sqrt(xn);
      if (xn > 0) {
        for (let r = 0; r < d; r++) total += (h[o + r * P + i] + (lambda * x[o + r * P + i]) / xn) ** 2;
      } else {
        const e = Math.max(0, Math.sqrt(hn) - lambda);
        total += e * e;
      }
    }
  }
  return Math.sqrt(total);
}

/**
 * Solve the C-ReLU constrained group Lasso (SPEC §2.3)
 *   min ℓ(Σ D_i X (v_i − w_i)) + λ Σ (‖v_i‖ + ‖w_i‖)  s.t. (2D_i − I) X v_i ≥ 0, (2D_i − I) X w_i ≥ 0
 * by an augmented Lagrangian: the cone term (ρ/2)‖(μ/ρ − Gx)_+‖² − ‖μ‖²/(2ρ) is one more smooth
 * term of the composite problem solved by R-FISTA (warm-started), then μ ← (μ − ρ Gx)_+ and ρ grows
 * ×10 when the violation does not shrink 4×. The certificate is the minimum-norm subgradient of the
 * Lagrangian at the final multipliers (the AL gradient identity ∇ℓ∘A − Gᵀμ⁺), plus the violation.
 *
 * @example
 *   const r = solveReluCore(input, { tol: 1e-6, constraintTol: 1e-6, maxIters: 20000, timeLimit: Infinity, t0: performance.now(), itersOffset: 0, history: [] });
 */
export function solveReluCore(input: ReluCoreInput, opts: ReluCoreOptions): ReluCoreResult {
  const { X, masks, loss, lambda, backend, certScale } = input;
  const n = X.rows;
  const d = X.cols;
  const P = masks.p;
  const N = 2 * d * P;
  const tStart = performance.now();
  const dataA = reluDataOperator(X, masks, backend);
  const coneA = coneOperator(X, masks, backend);
  const pen = frobeniusGroupPenalty(lambda, d, P, 1, 2, backend);
  const m = 2 * n * P;
  const mu = new Float64Array(m);
  const muNew = new Float64Array(m);
  const smooth = loss.name === 'squared' ? 1 : loss.name === 'logistic' ? 0.25 : 0.5;
  const s = loss.scale === 'mean' ? smooth / n : smooth;
  let rho = 100 * s;
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
  const R = new Float64Array(n);
  const h = new Float64Array(N);
  const hc = new Float64Array(N);
  let iterations = 0;
  let step = 1;
  let prevViol = Infinity;
  let innerTol = 1e-2 * certScale;
  let converged = false;
  let timedOut = false;
  let res = { objective: 0, dataTerm: 0, penalty: 0, kkt: Infinity, relKkt: Infinity, violation: Infinity, complementarity: 0 };
  for (let outer = 0; outer < 200 && iterations < opts.maxIters; outer++) {
    const elapsed = (performance.now() - tStart) / 1000;
    if (elapsed > opts.timeLimit) {
      timedOut = true;
      break;
    }
    const r = rfista(
      { dim: N, terms: [{ map: dataA, fn: loss }, { map: coneA, fn: al }], penalty: pen },
      { x0: x, step0: step, gradTol: innerTol, maxIters: opts.maxIters - iterations, timeLimit: opts.timeLimit - elapsed },
    );
    iterations += r.iterations;
    step = r.step;
    x = r.x;
    const F = r.Ax[0];
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
    dataA.adjoint(R, h);
    coneA.adjoint(muNew, hc);
    for (let j = 0; j < N; j++) h[j] -= hc[j];
    const kkt = minNormSubgradient(h, x, d, P, 2, lambda);
    const penalty = pen.value(x);
    res = { objective: dataTerm + penalty, dataTerm, penalty, kkt, relKkt: kkt / certScale, violation: viol, complementarity: compl };
    opts.history.push({ iteration: opts.itersOffset + iterations, timeSeconds: (performance.now() - opts.t0) / 1000, objective: res.objective, certificate: res.relKkt });
    opts.onProgress?.({ iteration: opts.itersOffset + iterations, certificate: res.relKkt, objective: res.objective });
    mu.set(muNew);
    if (viol <= opts.constraintTol && res.relKkt <= opts.tol && Math.abs(compl) <= opts.tol * Math.max(1, Math.abs(res.objective))) {
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
  return { x, ...res, iterations, converged, timedOut };
}
