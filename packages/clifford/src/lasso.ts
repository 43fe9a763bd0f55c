/**
 * The Clifford-Lasso problem (SPEC §7.2, §2.6): a Lasso over a dictionary K (n × m) with a free,
 * unpenalised intercept c,
 *
 *   min_{α, c}  s/2 ‖Kα + c·1 − y‖² + λ‖α‖₁,   s = 1 (`sum`) or 1/n (`mean`).
 *
 * The intercept is eliminated exactly: for any α the best c is mean(y − Kα), and the objective
 * becomes s/2 ‖K_c α − y_c‖² + λ‖α‖₁ with K_c, y_c the column-centred dictionary and targets.
 * That problem is solved by `@cvxnn/group-lasso`'s R-FISTA over a composite problem (groups of
 * size 1, i.e. soft-thresholding) or by cyclic coordinate descent, both with the same duality-gap
 * certificate: the dual point z = θ·s(K_cα − y_c), θ = min(1, λ/‖K_cᵀ s(K_cα − y_c)‖_∞), is
 * feasible for max −ℓ*(z) s.t. ‖K_cᵀz‖_∞ ≤ λ, so gap = primal + ℓ*(z) ≥ primal − p*.
 *
 * @example
 *   const dict = rampDictionary(x);
 *   const r = solveLasso(dict.K, y, { lambda: 0.1 });
 *   r.objective; r.certificate.value; // relative duality gap ≤ 1e-9
 */
import { assertOption, assertShape, CvxnnError, Matrix, type OptionSpec, solve } from '@cvxnn/linalg';
import { type Certificate, dataLoss, type HistoryPoint, l2Penalty, lambdaGrid, type LinearMap, linearProblem, type PathPoint, solve as solveRegistry, type SolveResult, type SolveStatus, stridedLayout } from '@cvxnn/group-lasso';
import type { ObjectiveScale } from '@cvxnn/networks';
import { checkLambdaOptions, LAMBDA_OPTIONS } from './check.js';

/**
 * Options of {@link solveLasso}.
 *
 * @example
 *   const o: LassoOptions = { lambda: 0.1, scale: 'sum', solver: 'cd', tol: 1e-10, lambdaPath: 20 };
 */
export interface LassoOptions {
  /** ℓ1 weight λ > 0 */
  lambda: number;
  /** `sum` (default, ½‖·‖²) or `mean` (1/(2n)‖·‖²) */
  scale?: ObjectiveScale;
  /** free intercept c (default true) */
  intercept?: boolean;
  /** `auto` (= `cd`), `fista` (group-lasso's R-FISTA) or `cd` (cyclic coordinate descent) */
  solver?: 'auto' | 'fista' | 'cd';
  /** relative duality-gap tolerance (default 1e-9) */
  tol?: number;
  /** iteration cap over the whole path: FISTA iterations or CD sweeps (default 200 000) */
  maxIters?: number;
  /** wall-clock limit in seconds (default ∞) */
  timeLimit?: number;
  /** solve a geometric λ-path of this many points from λ_max down to λ with warm starts (≥ 2) */
  lambdaPath?: number;
  /** warm start α (length m) */
  x0?: ArrayLike<number>;
}

/**
 * Result of {@link solveLasso}.
 *
 * @example
 *   const { alpha, intercept, active } = solveLasso(K, y, { lambda: 0.1 });
 */
export interface LassoResult {
  status: SolveStatus;
  objective: number;
  dataTerm: number;
  penalty: number;
  certificate: Certificate;
  iterations: number;
  timeSeconds: number;
  /** the registered solver that ran (auto → newton; cd → bcd) */
  solver: string;
  lambda: number;
  /** smallest λ with α = 0 optimal: ‖K_cᵀ s y_c‖_∞ */
  lambdaMax: number;
  scale: ObjectiveScale;
  /** dictionary coefficients, length m */
  alpha: Float64Array;
  /** the free intercept c (0 without intercept) */
  intercept: number;
  /** indices of the non-zero coefficients */
  active: number[];
  /** Kα + c on the training rows */
  prediction: Float64Array;
  history: HistoryPoint[];
  path?: PathPoint[];
}

/** Dense x ↦ K x over a column-centred copy (row-major n × m). */
function denseMap(K: Float64Array, n: number, m: number): LinearMap {
  return {
    inDim: m,
    outDim: n,
    apply(x, out) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        const o = i * m;
        for (let j = 0; j < m; j++) s += K[o + j] * x[j];
        out[i] = s;
      }
    },
    adjoint(z, out) {
      out.fill(0);
      for (let i = 0; i < n; i++) {
        const zi = z[i];
        if (zi === 0) continue;
        const o = i * m;
        for (let j = 0; j < m; j++) out[j] += K[o + j] * zi;
      }
    },
  };
}

/** The options `solveLasso` takes, with their types (the compiler keeps the list complete). */
export const LASSO_OPTIONS: OptionSpec<LassoOptions> = {
  ...LAMBDA_OPTIONS,
  intercept: 'boolean',
  solver: '"auto"|"fista"|"cd"',
  maxIters: 'integer',
  timeLimit: 'number',
  lambdaPath: 'integer',
  x0: 'numbers',
};

/**
 * Solve the Lasso with free intercept over the dictionary K (n × m) with a duality-gap certificate.
 *
 * @example
 *   const r = solveLasso(rampDictionary([-2, -1, 0, 1, 2]).K, [1, -1, 0.5, 2, 0], { lambda: 0.1 });
 *   r.objective; // 0.65 (SPEC fixture X4)
 */
export function solveLasso(K: Matrix<Float64Array>, y: ArrayLike<number>, options: LassoOptions): LassoResult {
  checkLambdaOptions('solveLasso', options, LASSO_OPTIONS);
  const t0 = performance.now();
  const n = K.rows;
  const m = K.cols;
  if (n === 0) throw new CvxnnError('EMPTY_DATA', 'the Lasso needs at least one sample; the dictionary has no rows');
  assertShape(y.length === n, `the dictionary has ${n} rows but there are ${y.length} targets; pass one target per sample`);
  K.assertFinite('the dictionary K');
  for (let i = 0; i < n; i++) if (!Number.isFinite(y[i])) throw new CvxnnError('NON_FINITE', `target ${i} is ${y[i]}; remove or impute non-finite values first`);
  const lambda = options.lambda;
  assertOption(typeof lambda === 'number' && Number.isFinite(lambda) && lambda > 0, `lambda must be a finite number > 0, got ${lambda}`);
  const scale = options.scale ?? 'sum';
  assertOption(scale === 'sum' || scale === 'mean', `scale must be sum or mean, got '${String(scale)}'`);
  const solverOpt = options.solver ?? 'auto';
  assertOption(['auto', 'fista', 'cd'].includes(solverOpt), `unknown Lasso solver '${solverOpt}'; use auto, fista or cd`);
  const tol = options.tol ?? 1e-9;
  assertOption(Number.isFinite(tol) && tol > 0, `tol must be > 0, got ${tol}`);
  const maxIters = options.maxIters ?? 200000;
  assertOption(Number.isInteger(maxIters) && maxIters > 0, `maxIters must be a positive integer, got ${maxIters}`);
  const timeLimit = options.timeLimit ?? Infinity;
  assertOption(options.lambdaPath === undefined || (Number.isInteger(options.lambdaPath) && options.lambdaPath >= 2), `lambdaPath must be an integer ≥ 2, got ${options.lambdaPath}`);
  if (options.x0) assertShape(options.x0.length === m, `the warm start has ${options.x0.length} entries, expected ${m}`);
  const intercept = options.intercept ?? true;
  const s = scale === 'mean' ? 1 / n : 1;

  // centre (exact elimination of the free intercept)
  const mu = new Float64Array(m);
  let ybar = 0;
  if (intercept) {
    for (let i = 0; i < n; i++) {
      ybar += y[i];
      for (let j = 0; j < m; j++) mu[j] += K.get(i, j);
    }
    ybar /= n;
    for (let j = 0; j < m; j++) mu[j] /= n;
  }
  const Kc = new Float64Array(n * m);
  const yc = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    yc[i] = y[i] - ybar;
    for (let j = 0; j < m; j++) Kc[i * m + j] = K.get(i, j) - mu[j];
  }
  const map = denseMap(Kc, n, m);

  // λ_max; the solves and their certificates come from group-lasso's registry: the centred Lasso
  // is a group Lasso with one-coordinate groups (auto: Newton; cd: block coordinate descent)
  const g = new Float64Array(m);
  map.adjoint(yc, g);
  let lmax = 0;
  for (const v of g) lmax = Math.max(lmax, s * Math.abs(v));
  const grid = lambdaGrid(lmax, lambda, options.lambdaPath);
  const history: HistoryPoint[] = [];
  const path: PathPoint[] = [];
  let alpha = options.x0 ? Float64Array.from(options.x0) : new Float64Array(m);
  let iterations = 0;
  let status: SolveStatus = 'optimal';
  const loss = dataLoss('squared', scale, Matrix.column(yc));
  const layout = stridedLayout(1, m, 1);
  const registryName = solverOpt === 'cd' ? 'bcd' : solverOpt;
  let last!: SolveResult;
  for (const lam of grid) {
    last = solveRegistry(linearProblem(map, layout, loss, lam, (L, l) => l2Penalty(L, l), 'dictionary'), {
      solver: registryName,
      tol,
      x0: alpha,
      maxIters: Math.max(1, maxIters - iterations),
      timeLimit: timeLimit - (performance.now() - t0) / 1000,
      history,
      t0,
      itersOffset: iterations,
    });
    alpha = Float64Array.from(last.x);
    iterations += last.iterations;
    status = last.status;
    let nnz = 0;
    for (const a of alpha) if (a !== 0) nnz++;
    path.push({ lambda: lam, objective: last.objective, certificate: last.certificate.value, activeNeurons: nnz, iterations: last.iterations });
    if (status !== 'optimal') break;
  }
  const elapsed = () => (performance.now() - t0) / 1000;

  let c = 0;
  if (intercept) {
    c = ybar;
    for (let j = 0; j < m; j++) c -= mu[j] * alpha[j];
  }
  const prediction = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = c;
    for (let j = 0; j < m; j++) v += K.get(i, j) * alpha[j];
    prediction[i] = v;
  }
  const active: number[] = [];
  for (let j = 0; j < m; j++) if (alpha[j] !== 0) active.push(j);
  const result: LassoResult = {
    status,
    objective: last.objective,
    dataTerm: last.dataTerm,
    penalty: last.penalty,
    certificate: last.certificate,
    iterations,
    timeSeconds: elapsed(),
    solver: last.solver,
    lambda,
    lambdaMax: lmax,
    scale,
    alpha,
    intercept: c,
    active,
    prediction,
    history,
  };
  if (options.lambdaPath) result.path = path;
  return result;
}
