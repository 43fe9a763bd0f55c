import { enumeratePatterns, type PatternSet, samplePatterns } from '@cvxnn/arrangements';
import {
  blockDualNorms,
  coneGroupPenalty,
  conePenalty,
  type ConvexResult,
  type DataLoss,
  dataLoss,
  denseProblem,
  formulationOf,
  type HistoryPoint,
  l2Penalty,
  type LinearMap,
  linearProblem,
  nuclearPenalty,
  recoverNetwork,
  reluProblem,
  type SolveStatus,
  stridedLayout,
} from '@cvxnn/group-lasso';
import { solveCertified } from './certified.js';
import { assertFinite, assertOption, assertShape, type Backend, checkOptions, CvxnnError, getBackend, Matrix, type OptionSpec, type PatternMasks } from '@cvxnn/linalg';
import { CONV_GEOMETRY_OPTIONS, convOptionsOf } from './option-specs.js';
import type { LossName, ObjectiveScale } from '@cvxnn/networks';
import { type CnnModel, type Pooling, poolingScale } from './model.js';
import { assertImages, type ConvGeometry, convGeometry, type ConvOptions, extractPatches, type ImageShape, patchRegions } from './patches.js';

/**
 * The data loss of the pooled CNN as a loss of the stacked (n·K)×c patch-level outputs:
 * ℓ_S(F) = ℓ(S F) with S the n × nK sum-pooling matrix (S Sᵀ = K·I). Gradient Sᵀ∇ℓ (each patch
 * row gets its sample's gradient); conjugate ℓ_S*(Sᵀw) = ℓ*(w) (S is onto), +∞ off range(Sᵀ).
 * With this loss the pooled CNN program is group-lasso's C-ReLU program on the stacked patch
 * matrix 𝐗 verbatim, so its augmented-Lagrangian solver applies unchanged.
 *
 * @example
 *   const l = pooledLoss(dataLoss('squared', 'sum', Y), K);
 */
export function pooledLoss(base: DataLoss, K: number): DataLoss {
  assertOption(Number.isInteger(K) && K >= 1, `patches per image must be a positive integer, got ${K}`);
  const n = base.n;
  const c = base.c;
  const Fp = new Float64Array(n * c);
  const Gp = new Float64Array(n * c);
  const W = new Float64Array(n * c);
  return {
    name: base.name,
    scale: base.scale,
    pooledBy: K,
    n: n * K,
    c,
    valueAndGrad(z, grad) {
      Fp.fill(0);
      for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) for (let j = 0; j < c; j++) Fp[i * c + j] += z[(i * K + k) * c + j];
      const v = base.valueAndGrad(Fp, grad ? Gp : null);
      if (grad) for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) for (let j = 0; j < c; j++) grad[(i * K + k) * c + j] = Gp[i * c + j];
      return v;
    },
    conjugate(z) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < c; j++) {
          const w = z[i * K * c + j];
          for (let k = 1; k < K; k++) {
            const v = z[(i * K + k) * c + j];
            if (Math.abs(v - w) > 1e-12 * Math.max(1, Math.abs(w))) return Infinity;
          }
          W[i * c + j] = w;
        }
      }
      return base.conjugate(W);
    },
  };
}

/**
 * Options of {@link convolutionalPatterns}.
 *
 * @example
 *   const o: ConvolutionalPatternOptions = { count: 64, seed: 0 };
 */
export interface ConvolutionalPatternOptions {
  /** distinct non-zero patterns to sample, or 'all' to enumerate them */
  count: number | 'all';
  seed?: number;
  /** with 'all': refuse more patterns than this (default 20000) */
  maxPatterns?: number;
}

/** The options `convolutionalPatterns` takes, with their types (the compiler keeps the list complete). */
export const CONVOLUTIONAL_PATTERN_OPTIONS: OptionSpec<ConvolutionalPatternOptions> = { count: 'integer|"all"', seed: 'number', maxPatterns: 'number' };

/**
 * Convolutional gates: Gaussian filters g ~ N(0, I_h) applied to every patch, giving the joint
 * pattern diag(1[𝐗 g > 0]) over the stacked patch matrix (SPEC §4.2); `count` distinct non-zero
 * patterns (up to 50·count filters drawn), de-duplicated. 'all' enumerates every chamber
 * pattern of 𝐗 exactly (small problems; refused above `maxPatterns`).
 *
 * @example
 *   const ps = convolutionalPatterns(patches, { count: 64, seed: 0 });
 */
export function convolutionalPatterns(patches: Matrix<Float64Array>, opts: ConvolutionalPatternOptions): PatternSet {
  assertOption(opts !== undefined && opts !== null, 'convolutionalPatterns needs options with at least count');
  checkOptions('convolutionalPatterns', opts, CONVOLUTIONAL_PATTERN_OPTIONS);
  if (opts.count === 'all') return enumeratePatterns(patches, { maxPatterns: opts.maxPatterns ?? 20000 });
  assertOption(Number.isInteger(opts.count) && opts.count > 0, `the number of convolutional gates must be a positive integer or 'all', got ${opts.count}`);
  return samplePatterns(patches, { count: opts.count, seed: opts.seed ?? 0, maxDraws: 50 * opts.count });
}

/**
 * The pooled feature matrix Φ (n × h·P), column r·P + i: Φ[j, r·P + i] = Σ_k D_i^{(k)}[j] 𝐗[jK + k, r],
 * so that Σ_i Σ_k D_i^{(k)} X_k u_i = Φ vec(U) for U h × P (row-major). Built in one pass over the
 * patch rows (O(n·K·h·P)); memory n·h·P doubles. With `regions` (the region of each of the K patch
 * positions, {@link patchRegions}, and their count R) the sum over k runs over one region at a
 * time: Φ is n × h·RP with column r·RP + ρ·P + i summing the patches of region ρ — group (ρ, i)
 * is the neuron with gate i that pools region ρ.
 *
 * @example
 *   const Phi = pooledFeatures(patches, masks, K); // then F = Φ · vec(U)
 */
export function pooledFeatures(patches: Matrix<Float64Array>, masks: PatternMasks, K: number, regions?: { patch: Int32Array; count: number }): Matrix<Float64Array> {
  assertShape(masks.n === patches.rows && patches.rows % K === 0, `patterns cover ${masks.n} rows, patches ${patches.rows}, not a multiple of K = ${K}`);
  assertShape(!regions || regions.patch.length === K, `the pooling regions name ${regions?.patch.length} patch positions, the images have K = ${K}`);
  const n = patches.rows / K;
  const h = patches.cols;
  const P = masks.p;
  const Q = P * (regions?.count ?? 1);
  const Phi = Matrix.zeros(n, h * Q);
  const pd = Phi.data;
  const xd = patches.data;
  const on = new Uint8Array(P);
  for (let j = 0; j < n; j++) {
    const o = j * h * Q;
    for (let k = 0; k < K; k++) {
      const row = j * K + k;
      const shift = regions ? regions.patch[k] * P : 0;
      for (let i = 0; i < P; i++) on[i] = masks.get(row, i);
      for (let r = 0; r < h; r++) {
        const v = xd[row * h + r];
        if (v === 0) continue;
        const base = o + r * Q + shift;
        for (let i = 0; i < P; i++) if (on[i]) pd[base + i] += v;
      }
    }
  }
  return Phi;
}

/**
 * The pattern set of a CNN fit on its stacked patches: the given one (checked against the patch
 * rows), or `count` convolutional gates (default 64), or 'all'; with the sentence the output prints.
 * @internal
 */
export function cnnPatternSet(patches: Matrix<Float64Array>, n: number, K: number, spec: number | 'all' | PatternSet = 64, seed = 0): { ps: PatternSet; source: string } {
  if (typeof spec === 'object') {
    assertShape(spec.masks.n === patches.rows, `the given patterns cover ${spec.masks.n} rows but the stacked patch matrix has ${patches.rows} (n·K = ${n}·${K})`);
    return { ps: spec, source: `${spec.masks.p} given patterns` };
  }
  const ps = convolutionalPatterns(patches, { count: spec, seed });
  return { ps, source: spec === 'all' ? `all ${ps.masks.p} patterns of the stacked patches (exact enumeration)` : `${ps.masks.p} convolutional gates (Gaussian filters on every patch, seed ${seed})` };
}

/**
 * λ_max of the pooled program: the largest group dual norm of Φᵀ∇ℓ(0) (∇ℓ(0) = R0, n × c), the
 * smallest λ whose solution is zero.
 * @internal
 */
export function pooledLambdaMax(Phi: Matrix<Float64Array>, R0: Float64Array, h: number, Q: number, c: number, backend: Backend): number {
  return maxOf(blockDualNorms(backend.gemm(Phi, new Matrix(Phi.rows, c, R0), { transA: true }).data, h, Q, c, true, backend));
}

function maxOf(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

/** ‖Φ‖₂² estimated by 30 power iterations on ΦᵀΦ, times 1.5 for safety (an R-FISTA first step). */
function spectralNormSq(Phi: Matrix<Float64Array>, backend: Backend): number {
  let x: Matrix<Float64Array> = Matrix.fromArray(Phi.cols, 1, Array.from({ length: Phi.cols }, (_, j) => 1 + ((j * 7919) % 13) / 13));
  let est = 0;
  for (let it = 0; it < 30; it++) {
    let nx = 0;
    for (const v of x.data) nx += v * v;
    nx = Math.sqrt(nx);
    if (nx === 0) return 1;
    for (let j = 0; j < x.data.length; j++) x.data[j] /= nx;
    const g = backend.gemm(Phi, backend.gemm(Phi, x), { transA: true });
    let ng = 0;
    for (const v of g.data) ng += v * v;
    est = Math.sqrt(ng);
    x = g;
  }
  return Math.max(1.5 * est, 1e-300);
}

/**
 * Options of {@link fitConvexCnn}.
 *
 * @example
 *   const o: ConvexCnnOptions = { imageShape: { height: 8, width: 8, channels: 1 }, kernel: 3, model: 'relu', lambda: 1e-3 };
 */
export interface ConvexCnnOptions extends ConvOptions {
  imageShape: ImageShape;
  /** `relu` (exact C-ReLU, cone constraints; one-vs-all for c > 1) or `gated-relu` (C-GReLU; nuclear norm for c > 1) */
  model: 'relu' | 'gated-relu';
  /**
   * gated-relu with c > 1 outputs: `nuclear` (default; the exact vector-output program, SPEC §2.8)
   * or `one-vs-all` (c independent scalar programs, squared loss; exact for the gated CNN whose
   * filters each feed one output — each column solved by the Newton solver)
   */
  vectorOutput?: 'nuclear' | 'one-vs-all';
  /** group penalty λ > 0 (weight decay λ/2 on filters and output weights) */
  lambda: number;
  loss?: LossName;
  scale?: ObjectiveScale;
  /** default `sum` */
  pooling?: Pooling;
  /**
   * regional sum pooling over a rows × cols grid of patch positions ({@link patchRegions}; default
   * [1, 1] = global pooling): every gate gives one group per region, the neuron that pools that
   * region only (gated-relu; `sum` pooling)
   */
  regions?: [number, number];
  /** append a constant-1 feature to every patch (filter bias inside the group norm) */
  bias?: boolean;
  /** sampled convolutional gates (default 64), 'all' for exact enumeration, or a pattern set of the stacked patches */
  patterns?: number | 'all' | PatternSet;
  seed?: number;
  /**
   * C-ReLU solver: `fista` (group-lasso's exact cone prox: feasible iterates, duality gap; best on
   * small problems), `al` (its augmented Lagrangian on the stacked patches with the pooled loss:
   * cheap iterations, certified by the min-norm subgradient and the constraint violation), or
   * `auto` (default: fista when n·K ≤ 2000, al otherwise)
   */
  solver?: 'auto' | 'fista' | 'al';
  tol?: number;
  /** iteration cap (default 20 000); per output column for ReLU one-vs-all */
  maxIters?: number;
  timeLimit?: number;
  /** `al` only: maximum cone-constraint violation (default 1e-6) */
  constraintTol?: number;
  backend?: Backend;
  onProgress?: (p: { iteration: number; certificate: number; objective: number }) => void;
  /**
   * start from this fit's solution (same formulation, patterns, regions and outputs; another λ):
   * the warm start of a λ path ({@link selectCnnLambda})
   */
  warmStart?: ConvexCnnResult;
}

/**
 * The result of a convex CNN fit: group-lasso's {@link ConvexResult} (status, objective, data
 * term, penalty, certificate, iterations, time, solution over the stacked patches) plus the
 * convolution geometry.
 *
 * @example
 *   const r = fitConvexCnn(X, Y, opts); r.certificate.value; r.geometry.patches;
 */
export interface ConvexCnnResult extends ConvexResult {
  geometry: ConvGeometry;
  pooling: Pooling;
  /** the pooling-region grid [rows, cols] ([1, 1]: global); groups are (region, gate) pairs, region-major */
  regions: [number, number];
  bias: boolean;
  patternSource: string;
}

/** The options `fitConvexCnn` takes, with their types (the compiler keeps the list complete). */
export const CONVEX_CNN_OPTIONS: OptionSpec<ConvexCnnOptions> = {
  imageShape: 'object',
  ...CONV_GEOMETRY_OPTIONS,
  model: '"relu"|"gated-relu"',
  vectorOutput: '"nuclear"|"one-vs-all"',
  lambda: 'number',
  loss: '"squared"|"logistic"|"cross-entropy"',
  scale: '"sum"|"mean"',
  pooling: '"sum"|"mean"',
  regions: 'array',
  bias: 'boolean',
  patterns: 'number|"all"|object',
  seed: 'number',
  solver: '"auto"|"fista"|"al"',
  tol: 'number',
  maxIters: 'integer',
  timeLimit: 'number',
  constraintTol: 'number',
  backend: 'object',
  onProgress: 'function',
  warmStart: 'object',
};

/**
 * Train a two-layer ReLU (or gated-ReLU) CNN with global sum/average pooling by convex
 * optimization (SPEC §4.2, exact for ReLU with all patterns):
 *
 *   min ℓ(Σ_i Σ_k D_i^{(k)} X_k (c_i − c'_i)) + λ Σ_i (‖c_i‖ + ‖c'_i‖)
 *   s.t. (2D_i^{(k)} − I) X_k c_i ≥ 0, (2D_i^{(k)} − I) X_k c'_i ≥ 0 for all k,
 *
 * where the joint patterns (D_i^{(1)}, …, D_i^{(K)}) are patterns of the stacked patch matrix
 * 𝐗 (n·K × h). This is group-lasso's C-ReLU program on 𝐗 with the pooled loss ℓ∘S
 * ({@link pooledLoss}), solved by its R-FISTA with exact cone prox and certified by its duality
 * gap. Multiclass: `relu` runs one C-ReLU program per output column (one-vs-all, squared loss);
 * `gated-relu` solves the vector-output program with nuclear-norm groups (exact for gated ReLU).
 *
 * @example
 *   const r = fitConvexCnn(X, Y, { imageShape: { height: 8, width: 8, channels: 1 }, kernel: 3, model: 'relu', lambda: 1e-3, patterns: 64 });
 *   const cnn = recoverCnn(r); cnnPredict(cnn, Xtest);
 */
export function fitConvexCnn(X: Matrix<Float64Array>, Y: Matrix<Float64Array>, opts: ConvexCnnOptions): ConvexCnnResult {
  const t0 = performance.now();
  assertOption(opts !== undefined && opts.imageShape !== undefined, 'fitConvexCnn needs options with imageShape, kernel, model and lambda');
  checkOptions('fitConvexCnn', opts, CONVEX_CNN_OPTIONS);
  const geometry = convGeometry(opts.imageShape, convOptionsOf(opts));
  assertImages(X, geometry);
  if (X.rows === 0) throw new CvxnnError('EMPTY_DATA', 'no images were given; need at least one');
  assertShape(Y.rows === X.rows, `X has ${X.rows} images but the targets have ${Y.rows} rows; pass one target row per image`);
  assertFinite(X.clone().data, 'the images', X.cols);
  assertFinite(Y.clone().data, 'the targets', Y.cols);
  assertOption(opts.model === 'relu' || opts.model === 'gated-relu', `unknown model '${String(opts.model)}'; use relu or gated-relu`);
  assertOption(Number.isFinite(opts.lambda) && opts.lambda > 0, `lambda must be a finite number > 0, got ${opts.lambda}`);
  const pooling = opts.pooling ?? 'sum';
  const bias = opts.bias ?? false;
  const lossName = opts.loss ?? 'squared';
  const scale = opts.scale ?? 'sum';
  const tol = opts.tol ?? 1e-6;
  assertOption(Number.isFinite(tol) && tol > 0, `tol must be > 0, got ${tol}`);
  const maxIters = opts.maxIters ?? 20000;
  assertOption(Number.isInteger(maxIters) && maxIters > 0, `maxIters must be a positive integer, got ${maxIters}`);
  const timeLimit = opts.timeLimit ?? Infinity;
  const backend = opts.backend ?? getBackend();
  const c = Y.cols;
  if (opts.model === 'relu' && c > 1 && lossName !== 'squared') {
    throw new CvxnnError('INVALID_OPTION', `the convex ReLU CNN with ${c} outputs runs one-vs-all and needs the squared loss (got ${lossName}); use model gated-relu for cross-entropy`);
  }
  assertOption(opts.regions === undefined || (opts.regions.length === 2 && opts.regions.every((v) => Number.isInteger(v))), `regions must be [rows, cols] of positive integers, got ${JSON.stringify(opts.regions)}`);
  const [regionRows, regionCols] = opts.regions ?? [1, 1];
  const R = regionRows * regionCols;
  const regionOfPatch = patchRegions(geometry, regionRows, regionCols);
  if (R > 1) {
    assertOption(opts.model === 'gated-relu', `regional pooling (${regionRows}×${regionCols} regions) is available for the gated-relu CNN; the convex ReLU CNN pools globally (its cone constraints span every patch)`);
    assertOption(pooling === 'sum', `regional pooling sums within each region; pooling '${pooling}' is for global pooling`);
  }
  const K = geometry.patches;
  const patches = extractPatches(X, geometry, { scale: poolingScale(geometry, pooling), appendOne: bias });
  const h = patches.cols;

  const chosen = cnnPatternSet(patches, X.rows, K, opts.patterns, opts.seed);
  const ps = chosen.ps;
  let patternSource = chosen.source;
  const { masks, gates } = ps;
  const P = masks.p;
  if (P === 0) throw new CvxnnError('EMPTY_DATA', 'no activation patterns: every filter tried was inactive on every patch');
  const history: HistoryPoint[] = [];
  const lambda = opts.lambda;
  // the pooled feature matrix Φ (n × h·P): Σ_i Σ_k D_i^{(k)} X_k u_i = Φ vec(U) — one dense product
  // per operator application instead of a masked product over all n·K patch rows
  const Phi = pooledFeatures(patches, masks, K, R > 1 ? { patch: regionOfPatch, count: R } : undefined);
  // groups are (region, gate) pairs, region-major: Q = R·P of them, each with its gate's filter
  const Q = R * P;
  const gatesQ = R > 1 && gates ? Matrix.zeros(gates.rows, Q) : gates;
  if (R > 1 && gates && gatesQ) for (let r = 0; r < gates.rows; r++) for (let q = 0; q < Q; q++) gatesQ.data[r * Q + q] = gates.data[r * P + (q % P)];
  const smooth = (lossName === 'squared' ? 1 : lossName === 'logistic' ? 0.25 : 0.5) / (scale === 'mean' ? X.rows : 1);
  // first step 1/L (L from a power iteration on ΦᵀΦ; ×2 for C-ReLU's [V; W] operator): R-FISTA
  // grows and backtracks from there instead of from step 1
  const step0 = 1 / (smooth * spectralNormSq(Phi, backend) * (opts.model === 'relu' ? 2 : 1));
  let iterations = 0;
  let status: SolveStatus = 'optimal';
  let result: ConvexResult;
  const lossY = dataLoss(lossName, scale, Y);
  const R0 = new Float64Array(X.rows * c);
  lossY.valueAndGrad(new Float64Array(X.rows * c), R0);
  const lmax = pooledLambdaMax(Phi, R0, h, Q, c, backend);
  /** the fields every formulation's result shares; activeNeurons counts the non-zero groups */
  const withCommon = (r: Omit<ConvexResult, 'timeSeconds' | 'backend' | 'precision' | 'activeNeurons' | 'patterns' | 'lambda' | 'lambdaMax' | 'loss' | 'scale' | 'history'>): ConvexResult => ({
    ...r,
    timeSeconds: 0,
    backend: backend.name,
    precision: backend.precision,
    activeNeurons: r.groupNorms.filter((v) => v > 0).length,
    patterns: Q,
    lambda,
    lambdaMax: lmax,
    loss: lossName,
    scale,
    history,
  });
  // the iteration cap applies to each scalar program of one-vs-all (as in group-lasso's fitConvex)
  const solveOpts = (it0: number, x0?: Float64Array) => ({ tol, maxIters, timeLimit: timeLimit - (performance.now() - t0) / 1000, step0, t0, itersOffset: it0, onProgress: opts.onProgress, x0 });
  // a warm start: the same formulation over the same groups and outputs
  const warm = opts.warmStart;
  const formulationNow = formulationOf(opts, c);
  if (warm) {
    const M = warm.solution.U ?? warm.solution.V;
    assertOption(
      warm.formulation === formulationNow && warm.patterns === Q && !!M && M.rows === h && M.cols === Q * c,
      `warmStart is a ${warm.formulation} fit over ${warm.patterns} groups (${M?.rows}×${M?.cols} weights); this fit is ${formulationNow} over ${Q} groups (${h}×${Q * c}); warm-start only from the same formulation, patterns, regions and outputs`,
    );
  }
  /** column k of an h × Q·c weight matrix as the h × Q program vector (row-major) */
  const columnOf = (M: Matrix<Float64Array>, k: number, out: Float64Array, at = 0) => {
    for (let row = 0; row < h; row++) for (let i = 0; i < Q; i++) out[at + row * Q + i] = M.data[row * Q * c + i * c + k];
    return out;
  };

  const oneVsAll = opts.model === 'gated-relu' && c > 1 && opts.vectorOutput === 'one-vs-all';
  assertOption(opts.vectorOutput === undefined || opts.vectorOutput === 'nuclear' || opts.vectorOutput === 'one-vs-all', `fitConvexCnn: unknown vectorOutput '${String(opts.vectorOutput)}'; use nuclear or one-vs-all`);
  if (oneVsAll && lossName !== 'squared') throw new CvxnnError('INVALID_OPTION', `fitConvexCnn: vectorOutput 'one-vs-all' splits the outputs into independent programs and needs the squared loss (got ${lossName}); use the nuclear form for cross-entropy`);
  if (opts.model === 'gated-relu' && oneVsAll) {
    // c scalar gated programs over the same pooled features, one per output column
    const U = Matrix.zeros(h, Q * c);
    const groupNorms = new Array<number>(Q * c).fill(0);
    let objective = 0;
    let dataTerm = 0;
    let penaltyV = 0;
    let gapAbs = 0;
    let gapRel = 0;
    const statuses: SolveStatus[] = [];
    for (let k = 0; k < c; k++) {
      const yk = Matrix.zeros(Y.rows, 1);
      for (let j = 0; j < Y.rows; j++) yk.data[j] = Y.get(j, k);
      const problem = denseProblem(Phi, stridedLayout(h, Q, 1, 1), dataLoss(lossName, scale, yk), lambda, (L, lam) => l2Penalty(L, lam, backend), { backend });
      const x0 = warm?.solution.U ? columnOf(warm.solution.U, k, new Float64Array(h * Q)) : undefined;
      const r = solveCertified(problem, { ...solveOpts(iterations, x0), solver: opts.solver === 'fista' ? 'fista' : 'auto' });
      history.push(...r.history);
      iterations += r.iterations;
      statuses.push(r.status);
      objective += r.objective;
      dataTerm += r.dataTerm;
      penaltyV += r.penalty;
      gapAbs += r.gap;
      gapRel = Math.max(gapRel, r.relGap);
      for (let row = 0; row < h; row++) for (let i = 0; i < Q; i++) U.data[row * Q * c + i * c + k] = r.x[row * Q + i];
      const norms = problem.penalty.groupNorms(r.x);
      for (let i = 0; i < Q; i++) groupNorms[i * c + k] = norms[i];
      if (r.status === 'time-limit') break;
    }
    status = statuses.length < c || statuses.some((q) => q === 'time-limit') ? 'time-limit' : statuses.every((q) => q === 'optimal') ? 'optimal' : 'max-iterations';
    result = withCommon({
      status,
      objective,
      dataTerm,
      penalty: penaltyV,
      certificate: { kind: 'duality-gap', value: gapRel, absolute: gapAbs },
      constraintViolation: 0,
      iterations,
      formulation: 'gated-relu-one-vs-all',
      groupNorms,
      solution: { U },
      gates: gatesQ,
    });
  } else if (opts.model === 'gated-relu') {
    const layout = stridedLayout(h, Q, c, 1);
    const problem = denseProblem(Phi, layout, lossY, lambda, (L, lam) => (c > 1 ? nuclearPenalty(h, Q, c, lam) : l2Penalty(L, lam, backend)), { backend });
    const r = solveCertified(problem, { ...solveOpts(0, warm?.solution.U?.data.slice()), solver: opts.solver === 'fista' ? 'fista' : 'auto' });
    const pen = problem.penalty;
    history.push(...r.history);
    iterations = r.iterations;
    status = r.status;
    const groupNorms = Array.from(pen.groupNorms(r.x));
    const U = new Matrix(h, Q * c, r.x);
    result = withCommon({
      status,
      objective: r.objective,
      dataTerm: r.dataTerm,
      penalty: r.penalty,
      certificate: { kind: 'duality-gap', value: r.relGap, absolute: r.gap },
      constraintViolation: 0,
      iterations,
      formulation: c === 1 ? 'gated-relu' : 'gated-relu-nuclear',
      groupNorms,
      solution: { U },
      gates: gatesQ,
    });
    // vector output: one neuron per non-zero singular value of each block (as recovered)
    if (c > 1) result.activeNeurons = recoverRegional(result, P, bias).network.W1.cols;
  } else {
    // C-ReLU: x = [vec V; vec W] (h×P each), A x = Φ vec(V − W); the cone constraints over all n·K
    // patch rows are folded into group-lasso's exact cone prox (feasible iterates, duality gap
    // with cone-restricted dual norms); one scalar program per output column
    const half = h * P;
    const diff = new Float64Array(half);
    const gv = new Float64Array(half);
    const A: LinearMap = {
      inDim: 2 * half,
      outDim: X.rows,
      apply(x, out) {
        for (let j = 0; j < half; j++) diff[j] = x[j] - x[half + j];
        backend.gemm(Phi, new Matrix(half, 1, diff), { out: new Matrix(X.rows, 1, out) });
      },
      adjoint(z, out) {
        backend.gemm(Phi, new Matrix(X.rows, 1, z), { transA: true, out: new Matrix(half, 1, gv) });
        for (let j = 0; j < half; j++) {
          out[j] = gv[j];
          out[half + j] = -gv[j];
        }
      },
    };
    const solver = opts.solver ?? 'auto';
    assertOption(['auto', 'fista', 'al'].includes(solver), `unknown solver '${solver}'; use auto, fista or al`);
    const useAl = solver === 'al' || (solver === 'auto' && patches.rows > 2000);
    const cone = coneGroupPenalty(patches, masks, lambda, backend);
    const conePen = conePenalty(patches, masks, lambda, backend);
    const sigma = Math.sqrt(step0);
    let alPatches: Matrix<Float64Array> | undefined;
    const V = Matrix.zeros(h, P * c);
    const W = Matrix.zeros(h, P * c);
    let objective = 0;
    let dataTerm = 0;
    let penalty = 0;
    let gapAbs = 0;
    let gapRel = 0;
    let allConverged = true;
    let anyTimedOut = false;
    const normsV = new Float64Array(P * c);
    const normsW = new Float64Array(P * c);
    for (let k = 0; k < c; k++) {
      const yk = Matrix.zeros(Y.rows, 1);
      for (let j = 0; j < Y.rows; j++) yk.data[j] = Y.get(j, k);
      let r: { x: Float64Array; objective: number; dataTerm: number; penalty: number; gap: number; relGap: number; iterations: number; status: SolveStatus };
      if (useAl) {
        const lk = dataLoss(lossName, scale, yk);
        const so = solveOpts(iterations);
        // the AL's R-FISTA starts at step 1: solve in the coordinates V' = V/σ, 𝐗' = σ𝐗, λ' = σλ
        // with σ = √step0 (so step 1 is about 1/L there), then map back (same objective; the
        // relative certificate and the cones are scale-invariant)
        alPatches ??= new Matrix(patches.rows, h, patches.data.map((v) => v * sigma));
        const a = solveCertified(reluProblem(alPatches, masks, pooledLoss(lk, K), lambda * sigma, { backend }), { ...so, step0: undefined, history, solver: 'al', constraintTol: opts.constraintTol });
        const x = a.x.map((v) => v * sigma);
        r = { ...a, x, gap: a.gap / sigma };
      } else {
        const problem = linearProblem(A, stridedLayout(h, P, 1, 2), dataLoss(lossName, scale, yk), lambda, (_L, lam) => (lam === lambda ? conePen : conePenalty(patches, masks, lam, backend)), 'pooled-relu');
        const wV = warm?.solution.V;
        const wW = warm?.solution.W;
        const x0 = wV && wW ? columnOf(wW, k, columnOf(wV, k, new Float64Array(2 * half)), half) : undefined;
        const f = solveCertified(problem, { ...solveOpts(iterations, x0), solver: 'fista' });
        history.push(...f.history);
        r = f;
      }
      iterations += r.iterations;
      allConverged &&= r.status === 'optimal';
      anyTimedOut ||= r.status === 'time-limit';
      objective += r.objective;
      dataTerm += r.dataTerm;
      penalty += r.penalty;
      gapAbs += r.gap;
      gapRel = Math.max(gapRel, r.relGap);
      for (let row = 0; row < h; row++) {
        for (let i = 0; i < P; i++) {
          V.data[row * P * c + i * c + k] = r.x[row * P + i];
          W.data[row * P * c + i * c + k] = r.x[half + row * P + i];
        }
      }
      const norms = cone.groupNorms(r.x);
      for (let i = 0; i < P; i++) {
        normsV[i * c + k] = norms[i];
        normsW[i * c + k] = norms[P + i];
      }
      if (anyTimedOut) break;
    }
    status = allConverged ? 'optimal' : anyTimedOut ? 'time-limit' : 'max-iterations';
    const groupNorms = [...normsV, ...normsW];
    result = withCommon({
      status,
      objective,
      dataTerm,
      penalty,
      certificate: useAl ? { kind: 'min-norm-subgradient', value: gapRel, absolute: gapAbs } : { kind: 'duality-gap', value: c === 1 ? gapRel : gapAbs / Math.max(Math.abs(objective), 1e-300), absolute: gapAbs },
      constraintViolation: coneViolation(patches, masks, V, W, c),
      iterations,
      formulation: c === 1 ? 'relu' : 'relu-one-vs-all',
      groupNorms,
      solution: { V, W },
      gates,
    });
  }
  if (R > 1) patternSource += ` × ${regionRows}×${regionCols} pooling regions = ${Q} groups`;
  return { ...result, timeSeconds: (performance.now() - t0) / 1000, geometry, pooling, regions: [regionRows, regionCols], bias, patternSource };
}

/** max over groups and patch rows of (−(2D_i − I)𝐗 v)_+ for the columns of V and W. */
function coneViolation(patches: Matrix<Float64Array>, masks: PatternMasks, V: Matrix<Float64Array>, W: Matrix<Float64Array>, c: number): number {
  const be = getBackend();
  let viol = 0;
  for (const M of [V, W]) {
    const G = be.gemm(patches, M);
    const cols = M.cols;
    for (let r = 0; r < patches.rows; r++) {
      for (let col = 0; col < cols; col++) {
        const i = Math.floor(col / c);
        const v = G.data[r * cols + col];
        const s = masks.get(r, i) ? v : -v;
        if (-s > viol) viol = -s;
      }
    }
  }
  return viol;
}

/**
 * Recover the explicit CNN from a convex CNN solution (SPEC §4.2 with §2.4's map): each non-zero
 * group c_i gives a filter u = c_i/√‖c_i‖ with output weight +√‖c_i‖ (−√‖c'_i‖ for c'_i); gated
 * groups keep their gate filter; gated vector output splits each block by its SVD. The filters
 * act on every patch and their activations are pooled, so with weight decay (λ/2)Σ(‖u‖² + ‖w‖²)
 * the CNN's objective equals the convex optimum.
 *
 * @example
 *   const cnn = recoverCnn(fitConvexCnn(X, Y, opts));
 */
export function recoverCnn(result: ConvexCnnResult): CnnModel {
  const [rows, cols] = result.regions ?? [1, 1];
  if (rows * cols === 1) return { geometry: result.geometry, pooling: result.pooling, network: recoverNetwork(result, { appendOne: result.bias }) };
  const { network, unit } = recoverRegional(result, result.patterns / (rows * cols), result.bias);
  return { geometry: result.geometry, pooling: result.pooling, network, regions: { rows, cols, unit } };
}

/**
 * Recover a regional gated CNN region by region: the groups of region ρ (columns ρ·P … (ρ+1)·P − 1
 * of U, each with its gate) are a gated program of their own, recovered by group-lasso's map; the
 * units are concatenated and each keeps its region. With one region this is group-lasso's map.
 */
function recoverRegional(result: ConvexResult, P: number, appendOne: boolean): { network: ReturnType<typeof recoverNetwork>; unit: Int32Array } {
  const U = result.solution.U;
  const G = result.gates;
  if (!U || !G) throw new CvxnnError('INTERNAL', 'a regional gated CNN result must carry U and the gates');
  const R = result.patterns / P;
  const c = U.cols / result.patterns;
  const h = U.rows;
  const parts: Array<ReturnType<typeof recoverNetwork>> = [];
  const units: number[] = [];
  for (let reg = 0; reg < R; reg++) {
    const Ur = Matrix.zeros(h, P * c);
    const Gr = Matrix.zeros(G.rows, P);
    for (let r = 0; r < h; r++) Ur.data.set(U.data.subarray(r * U.cols + reg * P * c, r * U.cols + (reg + 1) * P * c), r * P * c);
    for (let r = 0; r < G.rows; r++) Gr.data.set(G.data.subarray(r * G.cols + reg * P, r * G.cols + (reg + 1) * P), r * P);
    const net = recoverNetwork({ ...result, patterns: P, solution: { U: Ur }, gates: Gr }, { appendOne });
    parts.push(net);
    for (let j = 0; j < net.W1.cols; j++) units.push(reg);
  }
  const m = units.length;
  const W1 = Matrix.zeros(h, m);
  const W2 = Matrix.zeros(m, c);
  const gates = Matrix.zeros(G.rows, m);
  let at = 0;
  for (const net of parts) {
    const w = net.W1.cols;
    for (let r = 0; r < h; r++) for (let j = 0; j < w; j++) W1.data[r * m + at + j] = net.W1.data[r * w + j];
    const ng = net.gates;
    if (ng) for (let r = 0; r < G.rows; r++) for (let j = 0; j < w; j++) gates.data[r * m + at + j] = ng.data[r * w + j];
    W2.data.set(net.W2.data, at * c);
    at += w;
  }
  return { network: { ...parts[0], W1, W2, gates }, unit: Int32Array.from(units) };
}
