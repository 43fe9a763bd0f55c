import { assertFinite, assertOption, assertShape, type Backend, checkOptions, createCpuBackend, CvxnnError, getBackend, Matrix, type OptionSpec, svd } from '@cvxnn/linalg';
import { gatedProblem, type GroupLassoProblem, reluProblem, type SolveResult } from './core/problem.js';
import { blockDualNorms } from './gated.js';
import { dataLoss } from './losses.js';
import { coneOperator, maskedOperator } from './problem.js';
import { listSolvers } from './solvers/registry.js';
import { solveStaged } from './solvers/staged.js';
import type { ConvexFitOptions, ConvexResult, Formulation, HistoryPoint, PathPoint, PatternInput, SolveStatus } from './types.js';

/**
 * λ_max = max_i ‖(D_i X)ᵀ ∇ℓ(0)‖_* — the smallest λ at which U = 0 solves the gated problem
 * (Frobenius blocks; spectral norm for nuclear blocks). For C-ReLU the exact threshold is the
 * cone-restricted maximum (SPEC §2.10 B3), which is ≤ this value, so U = 0 is optimal there too.
 *
 * @example
 *   const lmax = lambdaMax(X, Y, masks, 'squared', 'sum');
 */
export function lambdaMax(
  X: Matrix<Float64Array>,
  Y: Matrix<Float64Array>,
  masks: PatternInput['masks'],
  loss: ConvexFitOptions['loss'] = 'squared',
  scale: ConvexFitOptions['scale'] = 'sum',
  nuclear = true,
  backend: Backend = getBackend(),
): number {
  const l = dataLoss(loss, scale, Y);
  const c = Y.cols;
  const R = new Float64Array(X.rows * c);
  l.valueAndGrad(new Float64Array(X.rows * c), R);
  const G = new Float64Array(X.cols * masks.p * c);
  maskedOperator(X, masks, c, backend).adjoint(R, G);
  let m = 0;
  for (const v of blockDualNorms(G, X.cols, masks.p, c, nuclear, backend)) if (v > m) m = v;
  return m;
}

/**
 * The program a fit with these options and c outputs solves (what its result's `formulation`
 * says): the rule the convex CNN's fits share.
 *
 * @example
 *   formulationOf({ model: 'gated-relu' }, 10); // 'gated-relu-nuclear'
 */
export function formulationOf(o: Pick<ConvexFitOptions, 'model' | 'vectorOutput'>, c: number): Formulation {
  if (o.model === 'relu') return c === 1 ? 'relu' : 'relu-one-vs-all';
  return c === 1 ? 'gated-relu' : o.vectorOutput === 'one-vs-all' ? 'gated-relu-one-vs-all' : 'gated-relu-nuclear';
}

/** The options `fitConvex` takes, with their types (the compiler keeps the list complete). */
export const CONVEX_FIT_OPTIONS: OptionSpec<ConvexFitOptions> = {
  model: '"relu"|"gated-relu"',
  lambda: 'number',
  loss: '"squared"|"logistic"|"cross-entropy"',
  scale: '"sum"|"mean"',
  solver: 'string',
  tol: 'number',
  constraintTol: 'number',
  maxIters: 'integer',
  timeLimit: 'number',
  workingSet: 'boolean',
  vectorOutput: '"nuclear"|"one-vs-all"',
  lambdaPath: 'integer',
  warmStart: 'object',
  backend: 'object',
  onProgress: 'function',
};

function validate(X: Matrix<Float64Array>, Y: Matrix<Float64Array>, patterns: PatternInput, o: ConvexFitOptions): void {
  checkOptions('fitConvex', o, CONVEX_FIT_OPTIONS);
  if (X.rows === 0 || X.cols === 0) throw new CvxnnError('EMPTY_DATA', `the data matrix is ${X.rows}×${X.cols}; need at least one sample and one feature`);
  assertShape(Y.rows === X.rows, `X has ${X.rows} rows but the targets have ${Y.rows}; pass one target row per sample`);
  assertFinite(X.clone().data, 'X', X.cols);
  assertFinite(Y.clone().data, 'the targets', Y.cols);
  assertOption(o.model === 'relu' || o.model === 'gated-relu', `fitConvex: unknown model '${String(o.model)}'; use relu or gated-relu`);
  assertOption(Number.isFinite(o.lambda) && o.lambda > 0, `fitConvex: lambda must be a finite number > 0, got ${o.lambda}`);
  assertShape(patterns.masks.n === X.rows, `the patterns cover ${patterns.masks.n} samples but X has ${X.rows} rows`);
  if (patterns.masks.p === 0) throw new CvxnnError('EMPTY_DATA', 'no activation patterns were given; sample or enumerate at least one');
  if (patterns.gates) {
    assertShape(patterns.gates.rows === X.cols && patterns.gates.cols === patterns.masks.p, `gates are ${patterns.gates.rows}×${patterns.gates.cols}, expected ${X.cols}×${patterns.masks.p}`);
  }
  const tol = o.tol ?? 1e-6;
  assertOption(Number.isFinite(tol) && tol > 0, `tol must be > 0, got ${tol}`);
  assertOption(o.maxIters === undefined || (Number.isInteger(o.maxIters) && o.maxIters > 0), `maxIters must be a positive integer, got ${o.maxIters}`);
  assertOption(o.lambdaPath === undefined || (Number.isInteger(o.lambdaPath) && o.lambdaPath >= 2), `lambdaPath must be an integer ≥ 2 (number of grid points), got ${o.lambdaPath}`);
  if (o.warmStart) {
    const w = o.warmStart;
    const c = Y.cols;
    const want = formulationOf(o, c);
    const M = o.model === 'gated-relu' ? w.solution?.U : w.solution?.V;
    const ok = w.formulation === want && M !== undefined && M.rows === X.cols && M.cols === patterns.masks.p * c && (o.model === 'gated-relu' || w.solution.W !== undefined);
    assertShape(ok, `fitConvex: warmStart is a ${w.formulation ?? 'unknown'} solution${M ? ` with ${M.rows}×${M.cols} blocks` : ''}; this fit is ${want} with ${X.cols}×${patterns.masks.p * c} (same model, d, P and outputs)`);
  }
  const solver = o.solver ?? 'auto';
  const names = ['auto', ...listSolvers().map((s) => s.name)];
  assertOption(names.includes(solver), `fitConvex: unknown solver '${solver}'; use one of ${names.join(', ')}`);
  if (o.model === 'gated-relu' && solver === 'al') {
    throw new CvxnnError('INVALID_OPTION', "fitConvex: the gated ReLU program has no constraints, so solver 'al' does not apply; use solver 'auto', 'newton' or 'fista'");
  }
  const loss = o.loss ?? 'squared';
  const vo = o.vectorOutput ?? (o.model === 'relu' ? 'one-vs-all' : 'nuclear');
  assertOption(vo === 'nuclear' || vo === 'one-vs-all', `unknown vectorOutput '${String(vo)}'; use nuclear or one-vs-all`);
  if (o.model === 'relu' && vo === 'nuclear' && Y.cols > 1) {
    throw new CvxnnError('INVALID_OPTION', "convex ReLU with several outputs runs one-vs-all: its exact vector-output program (a cone-constrained nuclear norm, SPEC §2.8) is NP-hard to evaluate; use model 'gated-relu' (CLI: --model gated-relu) for the nuclear-norm form");
  }
  if (o.model === 'gated-relu' && vo === 'one-vs-all' && Y.cols > 1 && loss !== 'squared') {
    throw new CvxnnError('INVALID_OPTION', `one-vs-all splits the outputs into independent problems and needs the squared loss (got ${loss}); use the nuclear-norm form for cross-entropy`);
  }
  if (o.model === 'relu' && Y.cols > 1 && loss !== 'squared') {
    throw new CvxnnError('INVALID_OPTION', `convex ReLU with ${Y.cols} outputs runs one-vs-all and needs the squared loss (got ${loss}); use model 'gated-relu' (CLI: --model gated-relu) for cross-entropy`);
  }
}

/**
 * Train a two-layer ReLU (C-ReLU, SPEC §2.3) or gated-ReLU (C-GReLU, §2.7; nuclear norm for vector
 * output, §2.8) network by convex optimization over the given patterns, with a certificate.
 * Pass X with the ones column already appended for the papers' bias convention. The program is
 * built as a {@link GroupLassoProblem} and solved by the solver registry (`solver: 'auto'` picks by
 * the rule in solvers/registry.ts); fp32 backends finish in fp64 (`polish`).
 *
 * @example
 *   const G = new Rng(1).normalArray ... ; const masks = PatternMasks.fromGates(X, G);
 *   const r = fitConvex(X, Matrix.column(y), { masks, gates: G }, { model: 'gated-relu', lambda: 0.1 });
 *   r.certificate.value; // ≤ 1e-6 relative duality gap
 */
export function fitConvex(X: Matrix<Float64Array>, Y: Matrix<Float64Array>, patterns: PatternInput, options: ConvexFitOptions): ConvexResult {
  validate(X, Y, patterns, options);
  const t0 = performance.now();
  const backend = options.backend ?? getBackend();
  const exact = backend.precision === 'fp64' ? backend : createCpuBackend();
  let polishIterations = 0;
  let usedReference = false;
  const lossName = options.loss ?? 'squared';
  const scale = options.scale ?? 'sum';
  const tol = options.tol ?? 1e-6;
  const maxIters = options.maxIters ?? 20000;
  const timeLimit = options.timeLimit ?? Infinity;
  const { masks } = patterns;
  const n = X.rows;
  const d = X.cols;
  const P = masks.p;
  const c = Y.cols;
  const lambda = options.lambda;
  const history: HistoryPoint[] = [];
  const Xc = X.isContiguous && X.offset === 0 ? X : X.clone();
  const solverName = options.solver ?? 'auto';
  const solvers: string[] = [];
  const warm = options.warmStart?.solution;

  const gated = options.model === 'gated-relu';
  const formulation = formulationOf(options, c);
  const lmax = lambdaMax(Xc, Y, masks, lossName, scale, true, exact);
  const grid = lambdaGrid(lmax, lambda, options.lambdaPath);
  const path: PathPoint[] = [];
  let iterations = 0;

  /**
   * One scalar or matrix program along the λ grid (warm starts); `budget` caps its iterations,
   * `deadline` (seconds since the start) its wall time.
   */
  const solvePath = (build: (be: Backend, lam: number) => GroupLassoProblem, budget: number, recordPath: boolean, start?: Float64Array, deadline = timeLimit) => {
    const before = iterations;
    let x0: Float64Array | undefined = start;
    let step0: number | undefined;
    let r!: SolveResult;
    for (const lam of grid) {
      const staged = solveStaged((be) => build(be, lam), backend, {
        solver: solverName,
        tol,
        constraintTol: options.constraintTol,
        maxIters: Math.max(1, budget - (iterations - before)),
        timeLimit: deadline - (performance.now() - t0) / 1000,
        x0,
        step0,
        t0,
        itersOffset: iterations,
        history,
        onProgress: options.onProgress,
        workingSet: options.workingSet ?? true,
      });
      r = staged.result;
      polishIterations += staged.polishIterations;
      usedReference ||= staged.reference !== null;
      iterations += r.iterations;
      x0 = r.x;
      step0 = r.step;
      solvers.push(r.solver);
      if (recordPath) path.push({ lambda: lam, objective: r.objective, certificate: r.certificate.value, activeNeurons: countActive(r.groupNorms), iterations: r.iterations });
      if (r.status !== 'optimal') break;
    }
    return r;
  };
  const column = (k: number) => {
    const yk = Matrix.zeros(n, 1);
    for (let j = 0; j < n; j++) yk.data[j] = Y.get(j, k);
    return yk;
  };
  const statusOf = (rs: SolveResult[]): SolveStatus => (rs.every((r) => r.status === 'optimal') ? 'optimal' : rs.some((r) => r.status === 'time-limit') ? 'time-limit' : 'max-iterations');
  const common = { backend: backend.name, precision: backend.precision, patterns: P, formulation, lambda, lambdaMax: lmax, loss: lossName, scale, gates: patterns.gates };
  let out: Omit<ConvexResult, 'iterations' | 'timeSeconds' | 'history' | 'path'>;

  if (formulation === 'gated-relu' || formulation === 'gated-relu-nuclear') {
    const loss = dataLoss(lossName, scale, Y);
    const r = solvePath((be, lam) => gatedProblem(Xc, masks, loss, lam, { nuclear: c > 1, backend: be }), maxIters, true, warm?.U ? Float64Array.from(warm.U.data) : undefined);
    const U = new Matrix(d, P * c, r.x);
    const groupNorms = Array.from(r.groupNorms);
    out = { ...common, status: statusOf([r]), objective: r.objective, dataTerm: r.dataTerm, penalty: r.penalty, certificate: r.certificate, constraintViolation: 0, activeNeurons: c === 1 ? countActive(groupNorms) : nuclearRank(U, d, P, c), groupNorms, solution: { U } };
  } else {
    // one scalar program per output column (one-vs-all; c = 1: the exact program), each with the
    // full iteration budget and an equal share of the time left (a column that stops early leaves
    // its share to the next), so every column is solved under a time limit; the certificate is
    // the worst column's relative gap (absolute: sum)
    const U = Matrix.zeros(d, P * c);
    const V = Matrix.zeros(d, P * c);
    const W = Matrix.zeros(d, P * c);
    const normsA = new Float64Array(P * c);
    const normsB = new Float64Array(P * c);
    const results: SolveResult[] = [];
    let viol = 0;
    for (let k = 0; k < c; k++) {
      const loss = dataLoss(lossName, scale, column(k));
      const start = warm ? warmColumn(warm, d, P, c, k, gated) : undefined;
      const now = (performance.now() - t0) / 1000;
      const deadline = now + Math.max(0, timeLimit - now) / (c - k);
      const r = gated
        ? solvePath((be, lam) => gatedProblem(Xc, masks, loss, lam, { nuclear: false, backend: be }), maxIters, c === 1, start, deadline)
        : solvePath((be, lam) => reluProblem(Xc, masks, loss, lam, { backend: be }), maxIters, c === 1, start, deadline);
      results.push(r);
      for (let row = 0; row < d; row++) {
        for (let i = 0; i < P; i++) {
          if (gated) U.data[row * P * c + i * c + k] = r.x[row * P + i];
          else {
            V.data[row * P * c + i * c + k] = r.x[row * P + i];
            W.data[row * P * c + i * c + k] = r.x[d * P + row * P + i];
          }
        }
      }
      for (let i = 0; i < P; i++) {
        normsA[i * c + k] = r.groupNorms[i];
        if (!gated) normsB[i * c + k] = r.groupNorms[P + i];
      }
      if (!gated) {
        const cone = coneOperator(Xc, masks, exact);
        const gx = new Float64Array(cone.outDim);
        cone.apply(r.x, gx);
        for (const v of gx) if (-v > viol) viol = -v;
      }
    }
    const sum = (f: (r: SolveResult) => number) => results.reduce((acc, r) => acc + f(r), 0);
    const kind = results[0].certificate.kind;
    const certificate = { kind, value: Math.max(...results.map((r) => r.certificate.value)), absolute: sum((r) => r.certificate.absolute) };
    const groupNorms = gated ? Array.from(normsA) : [...normsA, ...normsB];
    out = {
      ...common,
      status: statusOf(results),
      objective: sum((r) => r.objective),
      dataTerm: sum((r) => r.dataTerm),
      penalty: sum((r) => r.penalty),
      certificate,
      constraintViolation: viol,
      activeNeurons: countActive(groupNorms),
      groupNorms,
      solution: gated ? { U } : { V, W },
    };
  }
  const result: ConvexResult = { ...out, iterations, timeSeconds: (performance.now() - t0) / 1000, history, solver: [...new Set(solvers)].join('; ') };
  if (usedReference) result.polish = { backend: 'ts', precision: 'fp64', iterations: polishIterations };
  if (options.lambdaPath) result.path = path;
  return result;
}

/**
 * The geometric λ-grid from λ_max down to λ with K points (scikit-learn's `_alpha_grid` and
 * glmnet's path, in one place): [λ] when K is undefined or λ ≥ λ_max.
 *
 * @example
 *   lambdaGrid(10, 0.1, 3); // [10·0.01^(1/3), 10·0.01^(2/3), 0.1]
 */
export function lambdaGrid(lmax: number, lambda: number, K?: number): number[] {
  if (!K || !(lmax > lambda)) return [lambda];
  const grid: number[] = [];
  for (let k = 0; k < K; k++) grid.push(k === K - 1 ? lambda : lmax * Math.pow(lambda / lmax, (k + 1) / K));
  return grid;
}

/**
 * Column k of a one-vs-all (or scalar) solution as the unknowns of its scalar program: U's column
 * for gated, (V's, W's) for C-ReLU — the inverse of the interleaving fitConvex writes.
 */
function warmColumn(sol: ConvexResult['solution'], d: number, P: number, c: number, k: number, gated: boolean): Float64Array {
  const x = new Float64Array((gated ? 1 : 2) * d * P);
  for (let row = 0; row < d; row++) {
    for (let i = 0; i < P; i++) {
      const at = row * P * c + i * c + k;
      if (gated) x[row * P + i] = sol.U!.data[at];
      else {
        x[row * P + i] = sol.V!.data[at];
        x[d * P + row * P + i] = sol.W!.data[at];
      }
    }
  }
  return x;
}

function countActive(norms: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < norms.length; i++) if (norms[i] > 0) k++;
  return k;
}

/** Total number of non-zero singular values over the d×c blocks (neurons of the gated vector-output net). */
function nuclearRank(U: Matrix<Float64Array>, d: number, P: number, c: number): number {
  let k = 0;
  const B = Matrix.zeros(d, c);
  for (let i = 0; i < P; i++) {
    let any = false;
    for (let r = 0; r < d; r++) for (let l = 0; l < c; l++) {
      const v = U.data[r * P * c + i * c + l];
      B.data[r * c + l] = v;
      if (v !== 0) any = true;
    }
    if (!any) continue;
    const s = svd(B).s;
    for (const v of s) if (v > 1e-12 * s[0]) k++;
  }
  return k;
}
