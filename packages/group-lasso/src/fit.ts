import { assertFinite, assertOption, assertShape, type Backend, createCpuBackend, CvxnnError, getBackend, Matrix, svd } from '@cvxnn/linalg';
import { blockDualNorms, solveGatedCore } from './gated.js';
import { dataLoss } from './losses.js';
import { coneOperator, frobeniusGroupPenalty, maskedOperator, nuclearGroupPenalty } from './problem.js';
import { solveReluCore } from './relu.js';
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

function validate(X: Matrix<Float64Array>, Y: Matrix<Float64Array>, patterns: PatternInput, o: ConvexFitOptions): void {
  if (X.rows === 0 || X.cols === 0) throw new CvxnnError('EMPTY_DATA', `the data matrix is ${X.rows}×${X.cols}; need at least one sample and one feature`);
  assertShape(Y.rows === X.rows, `X has ${X.rows} rows but the targets have ${Y.rows}; pass one target row per sample`);
  assertFinite(X.clone().data, 'X', X.cols);
  assertFinite(Y.clone().data, 'the targets', Y.cols);
  assertOption(o.model === 'relu' || o.model === 'gated-relu', `unknown model '${String(o.model)}'; use relu or gated-relu`);
  assertOption(Number.isFinite(o.lambda) && o.lambda > 0, `lambda must be a finite number > 0, got ${o.lambda}`);
  assertShape(patterns.masks.n === X.rows, `the patterns cover ${patterns.masks.n} samples but X has ${X.rows} rows`);
  if (patterns.masks.p === 0) throw new CvxnnError('EMPTY_DATA', 'no activation patterns were given; sample or enumerate at least one');
  if (patterns.gates) {
    assertShape(patterns.gates.rows === X.cols && patterns.gates.cols === patterns.masks.p, `gates are ${patterns.gates.rows}×${patterns.gates.cols}, expected ${X.cols}×${patterns.masks.p}`);
  }
  const tol = o.tol ?? 1e-6;
  assertOption(Number.isFinite(tol) && tol > 0, `tol must be > 0, got ${tol}`);
  assertOption(o.maxIters === undefined || (Number.isInteger(o.maxIters) && o.maxIters > 0), `maxIters must be a positive integer, got ${o.maxIters}`);
  assertOption(o.lambdaPath === undefined || (Number.isInteger(o.lambdaPath) && o.lambdaPath >= 2), `lambdaPath must be an integer ≥ 2 (number of grid points), got ${o.lambdaPath}`);
  const solver = o.solver ?? 'auto';
  assertOption(['auto', 'fista', 'al'].includes(solver), `unknown solver '${solver}'; use auto, fista or al`);
  if (o.model === 'gated-relu' && solver === 'al') {
    throw new CvxnnError('INVALID_OPTION', 'the gated ReLU program has no constraints; use --solver fista (or auto)');
  }
  const loss = o.loss ?? 'squared';
  const vo = o.vectorOutput ?? (o.model === 'relu' ? 'one-vs-all' : 'nuclear');
  assertOption(vo === 'nuclear' || vo === 'one-vs-all', `unknown vectorOutput '${String(vo)}'; use nuclear or one-vs-all`);
  if (o.model === 'relu' && vo === 'nuclear' && Y.cols > 1) {
    throw new CvxnnError('INVALID_OPTION', 'convex ReLU with several outputs runs one-vs-all: its exact vector-output program (a cone-constrained nuclear norm, SPEC §2.8) is NP-hard to evaluate; use --model gated-relu for the nuclear-norm form');
  }
  if (o.model === 'gated-relu' && vo === 'one-vs-all' && Y.cols > 1 && loss !== 'squared') {
    throw new CvxnnError('INVALID_OPTION', `one-vs-all splits the outputs into independent problems and needs the squared loss (got ${loss}); use the nuclear-norm form for cross-entropy`);
  }
  if (o.model === 'relu' && Y.cols > 1 && loss !== 'squared') {
    throw new CvxnnError('INVALID_OPTION', `convex ReLU with ${Y.cols} outputs runs one-vs-all and needs the squared loss (got ${loss}); use --model gated-relu for cross-entropy`);
  }
}

/** Relative tolerance of the first (fp32) stage when the backend is not fp64. */
const FP32_STAGE_TOL = 1e-4;

/**
 * Run a core solver on the chosen backend; when that backend computes in fp32, stop it at a loose
 * tolerance and continue from its point on the fp64 CPU reference backend to the requested one, so
 * the reported objective, certificate and constraint violation are always fp64 evaluations (an
 * fp32 gap is not a certificate: its round-off is far above 1e-6). `polish` accumulates the fp64
 * iterations.
 */
function staged<I extends { backend: Backend }, O extends { tol: number; maxIters: number; timeLimit: number; itersOffset: number; x0?: Float64Array; stallChecks?: number }, R extends { x: Float64Array; iterations: number; timedOut: boolean }>(
  solve: (input: I, opts: O) => R,
  input: I,
  opts: O,
  reference: Backend | null,
  polish: { iterations: number },
): R {
  if (!reference) return solve(input, opts);
  const t = performance.now();
  // the fp32 stage ends at the loose tolerance, when round-off stalls it (20 checks without a 10%
  // gain), or after half of the iteration budget
  const first = solve(input, { ...opts, tol: Math.max(opts.tol, FP32_STAGE_TOL), stallChecks: 20, maxIters: Math.max(1, Math.floor(opts.maxIters / 2)) });
  const left = opts.maxIters - first.iterations;
  if (first.timedOut || left < 1) return first;
  const second = solve({ ...input, backend: reference }, { ...opts, x0: first.x, maxIters: left, itersOffset: opts.itersOffset + first.iterations, timeLimit: opts.timeLimit - (performance.now() - t) / 1000 });
  polish.iterations += second.iterations;
  return { ...second, iterations: first.iterations + second.iterations };
}

/**
 * Train a two-layer ReLU (C-ReLU, SPEC §2.3) or gated-ReLU (C-GReLU, §2.7; nuclear norm for vector
 * output, §2.8) network by convex optimization over the given patterns, with a certificate.
 * Pass X with the ones column already appended for the papers' bias convention.
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
  // fp32 backends solve; the fp64 CPU backend evaluates (and finishes) every reported number
  const reference = backend.precision === 'fp64' ? null : createCpuBackend();
  const exact = reference ?? backend;
  const polish = { iterations: 0 };
  const lossName = options.loss ?? 'squared';
  const scale = options.scale ?? 'sum';
  const tol = options.tol ?? 1e-6;
  const constraintTol = options.constraintTol ?? 1e-6;
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

  const gated = options.model === 'gated-relu';
  const formulation: Formulation = gated ? (c === 1 ? 'gated-relu' : options.vectorOutput === 'one-vs-all' ? 'gated-relu-one-vs-all' : 'gated-relu-nuclear') : c === 1 ? 'relu' : 'relu-one-vs-all';
  const lmax = lambdaMax(Xc, Y, masks, lossName, scale, true, exact);
  const grid: number[] = [];
  if (options.lambdaPath && lmax > lambda) {
    const K = options.lambdaPath;
    for (let k = 0; k < K; k++) grid.push(lmax * Math.pow(lambda / lmax, (k + 1) / K));
  } else grid.push(lambda);
  const path: PathPoint[] = [];
  let iterations = 0;
  let status: SolveStatus = 'optimal';
  let out: Omit<ConvexResult, 'iterations' | 'timeSeconds' | 'history' | 'status' | 'path'>;

  if (gated) {
    // one solve along the λ-grid (warm starts) for targets Yk; `budget` caps its iterations
    const solvePath = (Yk: Matrix<Float64Array>, nuclear: boolean, budget: number, record: boolean) => {
      const loss = dataLoss(lossName, scale, Yk);
      const ck = Yk.cols;
      const before = iterations;
      let x0: Float64Array | undefined;
      let step0: number | undefined;
      let r!: ReturnType<typeof solveGatedCore>;
      for (const lam of grid) {
        r = staged(
          solveGatedCore,
          { X: Xc, masks, loss, lambda: lam, nuclear, backend },
          {
            tol,
            maxIters: budget - (iterations - before),
            timeLimit: timeLimit - (performance.now() - t0) / 1000,
            workingSet: options.workingSet ?? true,
            x0,
            step0,
            t0,
            itersOffset: iterations,
            history,
            onProgress: options.onProgress,
          },
          reference,
          polish,
        );
        iterations += r.iterations;
        x0 = r.x;
        step0 = r.step;
        if (record) {
          const pen = nuclear ? nuclearGroupPenalty(lam, d, P, ck) : frobeniusGroupPenalty(lam, d, P, ck, 1, exact);
          path.push({ lambda: lam, objective: r.objective, certificate: r.relGap, activeNeurons: countActive(pen.groupNorms(r.x)), iterations: r.iterations });
        }
        if (!r.converged) break;
      }
      return r;
    };
    const common = { constraintViolation: 0, backend: backend.name, precision: backend.precision, patterns: P, formulation, lambda, lambdaMax: lmax, loss: lossName, scale, gates: patterns.gates };
    if (formulation === 'gated-relu-one-vs-all') {
      // c independent scalar programs, one per output column, each with the full iteration budget
      const U = Matrix.zeros(d, P * c);
      const groupNorms = new Array<number>(P * c).fill(0);
      let objective = 0;
      let dataTerm = 0;
      let penalty = 0;
      let gap = 0;
      let rel = 0;
      let allConverged = true;
      let anyTimedOut = false;
      for (let k = 0; k < c; k++) {
        const yk = Matrix.zeros(n, 1);
        for (let j = 0; j < n; j++) yk.data[j] = Y.get(j, k);
        const r = solvePath(yk, false, maxIters, false);
        objective += r.objective;
        dataTerm += r.dataTerm;
        penalty += r.penalty;
        gap += r.gap;
        rel = Math.max(rel, r.relGap);
        allConverged &&= r.converged;
        anyTimedOut ||= r.timedOut;
        for (let row = 0; row < d; row++) for (let i = 0; i < P; i++) U.data[row * P * c + i * c + k] = r.x[row * P + i];
        const norms = frobeniusGroupPenalty(lambda, d, P, 1, 1, exact).groupNorms(r.x);
        for (let i = 0; i < P; i++) groupNorms[i * c + k] = norms[i];
      }
      status = allConverged ? 'optimal' : anyTimedOut ? 'time-limit' : 'max-iterations';
      out = { ...common, objective, dataTerm, penalty, certificate: { kind: 'duality-gap', value: rel, absolute: gap }, activeNeurons: countActive(groupNorms), groupNorms, solution: { U } };
    } else {
      const r = solvePath(Y, c > 1, maxIters, true);
      status = r.converged ? 'optimal' : r.timedOut ? 'time-limit' : 'max-iterations';
      const pen = c > 1 ? nuclearGroupPenalty(lambda, d, P, c) : frobeniusGroupPenalty(lambda, d, P, 1, 1, exact);
      const groupNorms = Array.from(pen.groupNorms(r.x));
      const U = new Matrix(d, P * c, r.x);
      const activeNeurons = c === 1 ? countActive(groupNorms) : nuclearRank(U, d, P, c);
      out = { ...common, objective: r.objective, dataTerm: r.dataTerm, penalty: r.penalty, certificate: { kind: 'duality-gap', value: r.relGap, absolute: r.gap }, activeNeurons, groupNorms, solution: { U } };
    }
  } else {
    // C-ReLU: one scalar problem per output column (c = 1: the exact program). Default solver:
    // R-FISTA with the cone constraints folded into an exact prox (feasible iterates, duality
    // gap); `al`: the augmented Lagrangian (scnn's approach), certified by the min-norm subgradient.
    const useAl = (options.solver ?? 'auto') === 'al';
    const V = Matrix.zeros(d, P * c);
    const W = Matrix.zeros(d, P * c);
    let objective = 0;
    let dataTerm = 0;
    let penalty = 0;
    let kkt = 0;
    let relKkt = 0;
    let viol = 0;
    let allConverged = true;
    let anyTimedOut = false;
    const groupNormsV = new Float64Array(P * c);
    const groupNormsW = new Float64Array(P * c);
    for (let k = 0; k < c; k++) {
      // each output's program gets the full iteration budget (the cap is per scalar program)
      const itersBefore = iterations;
      const yk = Matrix.zeros(n, 1);
      for (let j = 0; j < n; j++) yk.data[j] = Y.get(j, k);
      const loss = dataLoss(lossName, scale, yk);
      const certScale = Math.max(lambdaMax(Xc, yk, masks, lossName, scale, false, exact), 1e-300);
      let x0: Float64Array | undefined;
      let step0: number | undefined;
      let r!: { x: Float64Array; objective: number; dataTerm: number; penalty: number; abs: number; rel: number; converged: boolean; timedOut: boolean };
      for (const lam of grid) {
        const common = { maxIters: maxIters - (iterations - itersBefore), timeLimit: timeLimit - (performance.now() - t0) / 1000, x0, t0, itersOffset: iterations, history, onProgress: options.onProgress };
        if (useAl) {
          const a = staged(solveReluCore, { X: Xc, masks, loss, lambda: lam, backend, certScale }, { tol, constraintTol, ...common }, reference, polish);
          r = { ...a, abs: a.kkt, rel: a.relKkt };
          iterations += a.iterations;
        } else {
          const g = staged(solveGatedCore, { X: Xc, masks, loss, lambda: lam, nuclear: false, relu: true, backend }, { tol, workingSet: options.workingSet ?? true, step0, ...common }, reference, polish);
          r = { ...g, abs: g.gap, rel: g.relGap };
          iterations += g.iterations;
          step0 = g.step;
        }
        x0 = r.x;
        if (c === 1) {
          const norms = frobeniusGroupPenalty(lam, d, P, 1, 2, exact).groupNorms(r.x);
          path.push({ lambda: lam, objective: r.objective, certificate: r.rel, activeNeurons: countActive(norms), iterations: iterations - (path.length ? path.reduce((s, q) => s + q.iterations, 0) : 0) });
        }
        if (!r.converged) break;
      }
      const cone = coneOperator(Xc, masks, exact);
      const gx = new Float64Array(cone.outDim);
      cone.apply(r.x, gx);
      for (const v of gx) if (-v > viol) viol = -v;
      allConverged &&= r.converged;
      anyTimedOut ||= r.timedOut;
      objective += r.objective;
      dataTerm += r.dataTerm;
      penalty += r.penalty;
      kkt += r.abs;
      relKkt = Math.max(relKkt, r.rel);
      for (let row = 0; row < d; row++) {
        for (let i = 0; i < P; i++) {
          V.data[row * P * c + i * c + k] = r.x[row * P + i];
          W.data[row * P * c + i * c + k] = r.x[d * P + row * P + i];
        }
      }
      const norms = frobeniusGroupPenalty(lambda, d, P, 1, 2, exact).groupNorms(r.x);
      for (let i = 0; i < P; i++) {
        groupNormsV[i * c + k] = norms[i];
        groupNormsW[i * c + k] = norms[P + i];
      }
    }
    status = allConverged ? 'optimal' : anyTimedOut ? 'time-limit' : 'max-iterations';
    const groupNorms = [...groupNormsV, ...groupNormsW];
    out = {
      objective,
      dataTerm,
      penalty,
      certificate: { kind: useAl ? 'min-norm-subgradient' : 'duality-gap', value: relKkt, absolute: kkt },
      constraintViolation: viol,
      backend: backend.name,
      precision: backend.precision,
      activeNeurons: countActive(groupNorms),
      patterns: P,
      formulation,
      lambda,
      lambdaMax: lmax,
      loss: lossName,
      scale,
      groupNorms,
      solution: { V, W },
      gates: patterns.gates,
    };
  }
  const result: ConvexResult = { status, ...out, iterations, timeSeconds: (performance.now() - t0) / 1000, history };
  if (reference) result.polish = { backend: reference.name, precision: 'fp64', iterations: polish.iterations };
  if (options.lambdaPath) result.path = path;
  return result;
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
