import type { Backend, Matrix, PatternMasks } from '@cvxnn/linalg';
import { stridedLayout } from './core/layout.js';
import type { DataLoss } from './losses.js';
import { layoutMinNormSubgradient, methodOfMultipliers } from './multipliers.js';
import { coneOperator, frobeniusGroupPenalty, reluDataOperator } from './problem.js';
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
  return layoutMinNormSubgradient(h, x, stridedLayout(d, P, 1, parts), lambda);
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
  const dataA = reluDataOperator(X, masks, backend);
  const coneA = coneOperator(X, masks, backend);
  const pen = frobeniusGroupPenalty(lambda, d, P, 1, 2, backend);
  const layout = stridedLayout(d, P, 1, 2);
  const r = methodOfMultipliers(
    { dim: N, data: dataA, loss, constraints: coneA, penalty: pen, kkt: (h, x) => layoutMinNormSubgradient(h, x, layout, lambda), certScale, n },
    { ...opts, maxOuter: 200 },
  );
  return { x: r.x, objective: r.objective, dataTerm: r.dataTerm, penalty: r.penalty, kkt: r.kkt, relKkt: r.rel, violation: r.violation, complementarity: r.complementarity, iterations: r.iterations, converged: r.converged, timedOut: r.timedOut };
}
