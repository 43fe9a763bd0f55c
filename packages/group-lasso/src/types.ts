import type { Backend, Matrix, PatternMasks } from '@cvxnn/linalg';
import type { LossName, ObjectiveScale } from '@cvxnn/networks';

/**
 * Which convex program ran:
 * - `gated-relu`: C-GReLU, SPEC §2.7, group penalty λΣ‖u_i‖ (scalar output)
 * - `gated-relu-nuclear`: gated ReLU with vector output, λΣ‖U_i‖_* (exact, SPEC §2.8)
 * - `relu`: C-ReLU, constrained group Lasso, SPEC §2.3 (scalar output)
 * - `relu-one-vs-all`: c independent C-ReLU problems, one per output column (exact for the
 *   network whose neurons each feed one output; squared loss only)
 * - `gated-relu-one-vs-all`: c independent C-GReLU problems, one per output column (exact for the
 *   gated network whose neurons each feed one output; squared loss only; `vectorOutput: 'one-vs-all'`)
 *
 * @example
 *   if (result.formulation === 'gated-relu-nuclear') console.log('vector output, nuclear norm');
 */
export type Formulation = 'gated-relu' | 'gated-relu-nuclear' | 'gated-relu-one-vs-all' | 'relu' | 'relu-one-vs-all';

/**
 * Final status of a solve.
 *
 * @example
 *   if (result.status !== 'optimal') console.warn('not certified');
 */
export type SolveStatus = 'optimal' | 'max-iterations' | 'time-limit';

/**
 * Optimality certificate. `value` is relative: the duality gap divided by |primal objective|
 * (`duality-gap`), or the minimum-norm subgradient of the Lagrangian divided by
 * max_i ‖(D_i X)ᵀ∇ℓ(0)‖ (= λ_max of the gated problem; `min-norm-subgradient`). `absolute` is the
 * undivided number.
 *
 * @example
 *   if (result.certificate.value <= 1e-6) console.log('certified');
 */
export interface Certificate {
  kind: 'duality-gap' | 'min-norm-subgradient';
  value: number;
  absolute: number;
}

/**
 * One point of a solver trace.
 *
 * @example
 *   result.history.map((h) => [h.timeSeconds, h.objective]);
 */
export interface HistoryPoint {
  iteration: number;
  timeSeconds: number;
  objective: number;
  certificate: number;
}

/**
 * The patterns a convex program runs over: masks D_1..D_P and, when known, gate vectors
 * g_i (d×P) with D_i = diag(1[X g_i > 0]) (needed to recover a gated network).
 *
 * @example
 *   const patterns = { masks: PatternMasks.fromGates(X, G), gates: G };
 */
export interface PatternInput {
  masks: PatternMasks;
  gates?: Matrix<Float64Array>;
}

/**
 * Options of `fitConvex`.
 *
 * @example
 *   const o: ConvexFitOptions = { model: 'relu', lambda: 0.1, loss: 'squared', scale: 'sum', tol: 1e-6 };
 */
export interface ConvexFitOptions {
  model: 'relu' | 'gated-relu';
  /** group penalty λ (> 0) */
  lambda: number;
  loss?: LossName;
  /** `sum` (default, ½‖·‖²) or `mean` (1/(2n)‖·‖², scnn's) */
  scale?: ObjectiveScale;
  /** a registered solver (`auto`, `ssnal`, `newton`, `fista`, `bcd`, `al`, `ipm`, `fista-ipm`; see `listSolvers`), default `auto` */
  solver?: 'auto' | 'ssnal' | 'newton' | 'fista' | 'bcd' | 'al' | 'ipm' | 'fista-ipm';
  /** relative certificate tolerance (default 1e-6) */
  tol?: number;
  /** maximum absolute cone-constraint violation for C-ReLU (default 1e-6) */
  constraintTol?: number;
  /** inner-iteration cap (default 20 000), over the whole λ-path; per output for one-vs-all */
  maxIters?: number;
  /** wall-clock limit, seconds (default ∞) */
  timeLimit?: number;
  /** working sets over pattern groups with KKT-based growth (default true for gated models) */
  workingSet?: boolean;
  /**
   * vector outputs (c > 1): `nuclear` (gated default; λΣ‖U_i‖_*, exact for gated networks, SPEC
   * §2.8) or `one-vs-all` (c independent scalar programs; the only form for relu, squared loss)
   */
  vectorOutput?: 'nuclear' | 'one-vs-all';
  /** solve a geometric λ-path from λ_max down to λ with warm starts (number of grid points, ≥ 2) */
  lambdaPath?: number;
  /**
   * start from this earlier result's solution (same model, vector-output form, d, P and c; any
   * rows and λ): the next point of a λ-path, or the refit after a validation fold
   */
  warmStart?: ConvexResult;
  backend?: Backend;
  /** called at each certificate check (progress bars) */
  onProgress?: (p: { iteration: number; certificate: number; objective: number }) => void;
}

/**
 * One solved point of a λ-path.
 *
 * @example
 *   fitConvex(X, Y, patterns, { model: 'gated-relu', lambda: 0.01, lambdaPath: 10 }).path?.map((p) => p.activeNeurons);
 */
export interface PathPoint {
  lambda: number;
  objective: number;
  certificate: number;
  activeNeurons: number;
  iterations: number;
}

/**
 * The result of a convex fit (serializable into the run JSON of docs/run-format.md).
 *
 * @example
 *   const r = fitConvex(X, Y, patterns, { model: 'gated-relu', lambda: 0.1 });
 *   r.objective === r.dataTerm + r.penalty;
 */
export interface ConvexResult {
  status: SolveStatus;
  objective: number;
  dataTerm: number;
  penalty: number;
  certificate: Certificate;
  /** max_j,i of (−(2D_i − I)X v_i)_+ over all cone constraints (0 for gated models) */
  constraintViolation: number;
  iterations: number;
  timeSeconds: number;
  backend: string;
  precision: 'fp64' | 'fp32';
  activeNeurons: number;
  patterns: number;
  formulation: Formulation;
  lambda: number;
  /** the smallest λ with the zero solution optimal (gated problem; an upper bound for C-ReLU) */
  lambdaMax: number;
  loss: LossName;
  scale: ObjectiveScale;
  history: HistoryPoint[];
  /** one norm per group (per pattern for gated; v groups then w groups for relu) */
  groupNorms: number[];
  /** the convex variables: U d×(P·c) (gated), or V and W d×(P·c) (relu, column i·c+k) */
  solution: { U?: Matrix<Float64Array>; V?: Matrix<Float64Array>; W?: Matrix<Float64Array> };
  gates?: Matrix<Float64Array>;
  path?: PathPoint[];
  /**
   * Present when `backend` computes in fp32: the solve ran there to a loose tolerance and was
   * finished on this fp64 CPU backend, which also evaluated the objective, certificate and
   * constraint violation reported here (`iterations` of the total were fp64 ones).
   */
  polish?: { backend: string; precision: 'fp64'; iterations: number };
  /** the registered solver(s) that ran, with their stages */
  solver?: string;
}
