import { enumeratePatterns, samplePatterns } from '@cvxnn/arrangements';
import { coneGroupPenalty, customPenalty, dataLoss, indexLayout, type LinearMap, linearProblem } from '@cvxnn/group-lasso';
import { assertFinite, assertOption, assertShape, checkOptions, CvxnnError, getBackend, Matrix, type PatternMasks, type OptionSpec } from '@cvxnn/linalg';
import { checkObjectiveOptions, CONV_GEOMETRY_OPTIONS, convOptionsOf, OBJECTIVE_OPTIONS, type ObjectiveOptions, SOLVE_RULE_OPTIONS } from './option-specs.js';
import { type LossName, makeLoss, type ObjectiveScale } from '@cvxnn/networks';
import { certifiedFields, solveCertified } from './certified.js';
import type { LinearCnnResultBase } from './linear.js';
import { assertImages, type ConvGeometry, convGeometry, type ConvOptions, extractPatches, type ImageShape } from './patches.js';

/**
 * A separable ReLU CNN (SPEC §4.3): every patch position k has its own neurons,
 * f(x) = Σ_j w_j (x_{p_j}ᵀ u_j)_+ with p_j the position of neuron j; weight decay
 * (λ/2)Σ_j(‖u_j‖² + w_j²). The regulariser separates over positions, so the convex program is
 * the fully connected C-ReLU program of each patch matrix X_k, all sharing one loss.
 *
 * @example
 *   separablePredict(model, X);
 */
export interface SeparableCnnModel {
  geometry: ConvGeometry;
  /** h × m filters */
  filters: Matrix<Float64Array>;
  /** m output weights */
  head: Float64Array;
  /** patch position of each neuron */
  position: Int32Array;
}

/**
 * Result of {@link fitSeparableCnn}: V_k, W_k (h × P_k) per position.
 *
 * @example
 *   const model = recoverSeparableCnn(fitSeparableCnn(X, y, opts));
 */
export interface SeparableCnnResult extends LinearCnnResultBase {
  geometry: ConvGeometry;
  /** per position: patterns used and the convex variables */
  positions: Array<{ patterns: number; V: Matrix<Float64Array>; W: Matrix<Float64Array> }>;
  activeNeurons: number;
}

/** X_k: row i = patch k of image i. */
function positionMatrix(patches: Matrix<Float64Array>, K: number, k: number): Matrix<Float64Array> {
  const n = patches.rows / K;
  const h = patches.cols;
  const out = Matrix.zeros(n, h);
  for (let i = 0; i < n; i++) out.data.set(patches.row(i * K + k), i * h);
  return out;
}

/** The options `fitSeparableCnn` takes, with their types (the compiler keeps the list complete). */
export const SEPARABLE_CNN_OPTIONS: OptionSpec<Parameters<typeof fitSeparableCnn>[2]> = {
  imageShape: 'object',
  ...CONV_GEOMETRY_OPTIONS,
  lambda: 'number',
  patterns: 'integer|"all"',
  seed: 'number',
  ...SOLVE_RULE_OPTIONS,
};

/**
 * Train a separable ReLU CNN by its convex program (SPEC §4.3):
 *
 *   min ℓ(Σ_k Σ_i D_i^k X_k (v_ik − w_ik)) + λ Σ_{i,k} (‖v_ik‖ + ‖w_ik‖),  v_ik, w_ik ∈ K_i^k
 *
 * with D_i^k the patterns of each patch matrix X_k (all, or `patterns` Gaussian gates per
 * position). Each block is group-lasso's fully connected C-ReLU group (operator D_i^k X_k, exact
 * cone prox `coneGroupPenalty(X_k, …)`); R-FISTA on the sum, duality-gap certificate. Scalar output.
 *
 * @example
 *   const r = fitSeparableCnn(X, y, { imageShape: { height: 1, width: 4, channels: 1 }, kernel: [1, 2], stride: 2, lambda: 0.1, patterns: 'all' });
 */
export function fitSeparableCnn(
  X: Matrix<Float64Array>,
  Y: Matrix<Float64Array>,
  opts: ConvOptions & { imageShape: ImageShape; lambda: number; patterns?: number | 'all'; seed?: number; loss?: LossName; scale?: ObjectiveScale; tol?: number; maxIters?: number; timeLimit?: number },
): SeparableCnnResult {
  checkOptions('fitSeparableCnn', opts, SEPARABLE_CNN_OPTIONS);
  const geometry = convGeometry(opts.imageShape, convOptionsOf(opts));
  assertImages(X, geometry);
  if (X.rows === 0) throw new CvxnnError('EMPTY_DATA', 'no images were given; need at least one');
  assertShape(Y.rows === X.rows && Y.cols === 1, `the separable CNN has one output: targets must be ${X.rows}×1, got ${Y.rows}×${Y.cols}`);
  assertFinite(X.clone().data, 'the images', X.cols);
  assertFinite(Y.clone().data, 'the targets', 1);
  const lambda = opts.lambda;
  assertOption(Number.isFinite(lambda) && lambda > 0, `lambda must be a finite number > 0, got ${lambda}`);
  const backend = getBackend();
  const K = geometry.patches;
  const n = X.rows;
  const patches = extractPatches(X, geometry);
  const h = patches.cols;
  const spec = opts.patterns ?? 'all';
  const blocks: Array<{ k: number; Xk: Matrix<Float64Array>; masks: PatternMasks; P: number; offset: number; Phi: Matrix<Float64Array>; cone: ReturnType<typeof coneGroupPenalty> }> = [];
  let offset = 0;
  for (let k = 0; k < K; k++) {
    const Xk = positionMatrix(patches, K, k);
    let allZero = true;
    for (const v of Xk.data) if (v !== 0) allZero = false;
    if (allZero) continue; // a position that is zero in every image carries no pattern
    const ps = spec === 'all' ? enumeratePatterns(Xk) : samplePatterns(Xk, { count: spec, seed: (opts.seed ?? 0) + k, maxDraws: 50 * spec });
    const P = ps.masks.p;
    if (P === 0) continue;
    // Φ_k = [D_1^k X_k, …, D_P^k X_k] laid out like group-lasso's d×P variables (column r·P + i)
    const Phi = Matrix.zeros(n, h * P);
    for (let i = 0; i < n; i++) {
      for (let q = 0; q < P; q++) {
        if (!ps.masks.get(i, q)) continue;
        for (let r = 0; r < h; r++) Phi.data[i * h * P + r * P + q] = Xk.data[i * h + r];
      }
    }
    blocks.push({ k, Xk, masks: ps.masks, P, offset, Phi, cone: coneGroupPenalty(Xk, ps.masks, lambda, backend) });
    offset += 2 * h * P;
  }
  if (blocks.length === 0) throw new CvxnnError('EMPTY_DATA', 'no activation patterns: every patch position is zero in every image');
  const dim = offset;
  const tmp = new Float64Array(n);
  const A: LinearMap = {
    inDim: dim,
    outDim: n,
    apply(x, out) {
      out.fill(0);
      for (const b of blocks) {
        const half = h * b.P;
        const diff = new Float64Array(half);
        for (let j = 0; j < half; j++) diff[j] = x[b.offset + j] - x[b.offset + half + j];
        backend.gemm(b.Phi, new Matrix(half, 1, diff), { out: new Matrix(n, 1, tmp) });
        for (let i = 0; i < n; i++) out[i] += tmp[i];
      }
    },
    adjoint(z, out) {
      for (const b of blocks) {
        const half = h * b.P;
        const g = backend.gemm(b.Phi, new Matrix(n, 1, z), { transA: true }).data;
        for (let j = 0; j < half; j++) {
          out[b.offset + j] = g[j];
          out[b.offset + half + j] = -g[j];
        }
      }
    },
  };
  // one group per (position, pattern): the pair (v, w) of that pattern's cone blocks; the dual
  // norm is the larger cone-restricted norm of the two (what the dual rescaling needs)
  const groupCoords: number[][] = [];
  for (const b of blocks) {
    const half = h * b.P;
    for (let i = 0; i < b.P; i++) {
      const cs: number[] = [];
      for (let r = 0; r < h; r++) cs.push(b.offset + r * b.P + i, b.offset + half + r * b.P + i);
      groupCoords.push(cs);
    }
  }
  const layout = indexLayout(groupCoords, dim);
  const cones = (lam: number) => blocks.map((b) => coneGroupPenalty(b.Xk, b.masks, lam, backend));
  const penalty = (lam: number): ReturnType<typeof customPenalty> => {
    const cs = lam === lambda ? blocks.map((b) => b.cone) : cones(lam);
    const slice = (x: Float64Array, b: (typeof blocks)[number]) => x.subarray(b.offset, b.offset + 2 * h * b.P);
    return customPenalty({
      layout,
      lambda: lam,
      value: (x) => blocks.reduce((acc, b, t) => acc + cs[t].value(slice(x, b)), 0),
      prox(x, t, out) {
        blocks.forEach((b, q) => cs[q].prox(slice(x, b), t, out.subarray(b.offset, b.offset + 2 * h * b.P)));
      },
      groupNorms(x) {
        const out = new Float64Array(layout.count);
        let o = 0;
        blocks.forEach((b, q) => {
          const nv = cs[q].groupNorms(slice(x, b));
          for (let i = 0; i < b.P; i++) out[o + i] = nv[i] + nv[b.P + i];
          o += b.P;
        });
        return out;
      },
      dualNorms(z) {
        const out = new Float64Array(layout.count);
        let o = 0;
        blocks.forEach((b, q) => {
          out.set(cs[q].dualNorms(z.subarray(b.offset, b.offset + h * b.P)), o);
          o += b.P;
        });
        return out;
      },
      withLambda: (l2) => penalty(l2),
    });
  };
  const lossName = opts.loss ?? 'squared';
  const scale = opts.scale ?? 'sum';
  const problem = linearProblem(A, layout, dataLoss(lossName, scale, Y), lambda, (_L, lam) => penalty(lam), 'separable-patches');
  const r = solveCertified(problem, { tol: opts.tol ?? 1e-8, maxIters: opts.maxIters ?? 20000, timeLimit: opts.timeLimit ?? Infinity });
  const positions: SeparableCnnResult['positions'] = [];
  let active = 0;
  for (let k = 0; k < K; k++) {
    const b = blocks.find((q) => q.k === k);
    if (!b) {
      positions.push({ patterns: 0, V: Matrix.zeros(h, 0), W: Matrix.zeros(h, 0) });
      continue;
    }
    const half = h * b.P;
    for (const v of b.cone.groupNorms(r.x.subarray(b.offset, b.offset + 2 * half))) if (v > 0) active++;
    positions.push({ patterns: b.P, V: new Matrix(h, b.P, r.x.slice(b.offset, b.offset + half)), W: new Matrix(h, b.P, r.x.slice(b.offset + half, b.offset + 2 * half)) });
  }
  return {
    ...certifiedFields(r, lambda, lossName, scale),
    geometry,
    positions,
    activeNeurons: active,
  };
}

/**
 * Recover the separable CNN (SPEC §2.4's map per position): u = v/√‖v‖, w = ±√‖v‖ at position k.
 *
 * @example
 *   const model = recoverSeparableCnn(result);
 */
export function recoverSeparableCnn(r: SeparableCnnResult): SeparableCnnModel {
  const h = r.geometry.patchSize;
  const cols: Float64Array[] = [];
  const head: number[] = [];
  const pos: number[] = [];
  r.positions.forEach((p, k) => {
    for (const [M, sign] of [
      [p.V, 1],
      [p.W, -1],
    ] as const) {
      for (let i = 0; i < p.patterns; i++) {
        let nr = 0;
        for (let a = 0; a < h; a++) nr += M.get(a, i) ** 2;
        nr = Math.sqrt(nr);
        if (nr === 0) continue;
        const sq = Math.sqrt(nr);
        cols.push(Float64Array.from({ length: h }, (_, a) => M.get(a, i) / sq));
        head.push(sign * sq);
        pos.push(k);
      }
    }
  });
  const m = cols.length;
  const filters = Matrix.zeros(h, m);
  cols.forEach((u, j) => u.forEach((v, a) => (filters.data[a * m + j] = v)));
  return { geometry: r.geometry, filters, head: Float64Array.from(head), position: Int32Array.from(pos) };
}

/**
 * Outputs (n × 1) of a separable CNN.
 *
 * @example
 *   separablePredict(model, X);
 */
export function separablePredict(model: SeparableCnnModel, X: Matrix<Float64Array>): Matrix<Float64Array> {
  const g = model.geometry;
  const K = g.patches;
  const P = extractPatches(X, g);
  const h = P.cols;
  const m = model.filters.cols;
  const F = Matrix.zeros(X.rows, 1);
  for (let i = 0; i < X.rows; i++) {
    let f = 0;
    for (let j = 0; j < m; j++) {
      const row = P.row(i * K + model.position[j]);
      let z = 0;
      for (let a = 0; a < h; a++) z += row[a] * model.filters.data[a * m + j];
      f += model.head[j] * Math.max(z, 0);
    }
    F.data[i] = f;
  }
  return F;
}

/**
 * Non-convex objective ℓ(f(X), y) + (λ/2)Σ_j(‖u_j‖² + w_j²) of a separable CNN.
 *
 * @example
 *   separableObjective(model, X, y, { lambda: 0.1 });
 */
export function separableObjective(model: SeparableCnnModel, X: Matrix<Float64Array>, Y: Matrix<Float64Array>, opts: ObjectiveOptions): number {
  checkObjectiveOptions('separableObjective', opts, OBJECTIVE_OPTIONS);
  let w = 0;
  for (const v of model.filters.data) w += v * v;
  for (const v of model.head) w += v * v;
  return makeLoss(opts.loss ?? 'squared', opts.scale ?? 'sum').value(separablePredict(model, X), Y) + (opts.lambda / 2) * w;
}
