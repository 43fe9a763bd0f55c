import { type Certificate, customPenalty, dataLoss, type HistoryPoint, indexLayout, type LinearMap, linearProblem, type SolveStatus } from '@cvxnn/group-lasso';
import { certifiedFields, solveCertified } from './certified.js';
import { assertFinite, assertOption, assertShape, checkOptions, CvxnnError, Matrix, svd, type OptionSpec } from '@cvxnn/linalg';
import { checkObjectiveOptions, CONV_GEOMETRY_OPTIONS, convOptionsOf, OBJECTIVE_OPTIONS, type ObjectiveOptions, SOLVE_RULE_OPTIONS } from './option-specs.js';
import { type LossName, makeLoss, type ObjectiveScale } from '@cvxnn/networks';
import { nuclearNorm, svt } from '@cvxnn/sdp';
import { assertImages, type ConvGeometry, convGeometry, type ConvOptions, extractPatches, type ImageShape } from './patches.js';

/**
 * A linear CNN with a fully connected output layer (SPEC §4.4):
 * f_c(x) = Σ_j Σ_k (x_kᵀ u_j) α_j[k·c + c'] — filters u_j (columns of `filters`, h × m) and one
 * output weight per (patch position, class) (rows of `head`, m × K·c). Weight decay
 * (λ/2)(‖filters‖² + ‖head‖²).
 *
 * @example
 *   const F = linearCnnPredict(model, X);
 */
export interface LinearCnnModel {
  geometry: ConvGeometry;
  filters: Matrix<Float64Array>;
  head: Matrix<Float64Array>;
  outputs: number;
}

/**
 * Common result fields of the convex linear-CNN programs: status, objective split, duality-gap
 * certificate, iterations and time, like group-lasso's results.
 *
 * @example
 *   if (r.certificate.value <= 1e-8) console.log('certified', r.objective);
 */
export interface LinearCnnResultBase {
  status: SolveStatus;
  objective: number;
  dataTerm: number;
  penalty: number;
  certificate: Certificate;
  iterations: number;
  timeSeconds: number;
  lambda: number;
  loss: LossName;
  scale: ObjectiveScale;
  history: HistoryPoint[];
}

/**
 * Result of {@link fitLinearCnn}: Z = Σ_j u_j α_jᵀ (h × K·c) and its rank.
 *
 * @example
 *   const model = recoverLinearCnn(fitLinearCnn(X, Y, opts));
 */
export interface LinearCnnResult extends LinearCnnResultBase {
  geometry: ConvGeometry;
  Z: Matrix<Float64Array>;
  rank: number;
}

/**
 * Options of {@link fitLinearCnn}.
 *
 * @example
 *   const o: LinearCnnOptions = { imageShape: { height: 8, width: 8, channels: 1 }, kernel: 3, lambda: 0.1 };
 */
export interface LinearCnnOptions extends ConvOptions {
  imageShape: ImageShape;
  lambda: number;
  loss?: LossName;
  scale?: ObjectiveScale;
  /** relative duality-gap tolerance (default 1e-8) */
  tol?: number;
  maxIters?: number;
  timeLimit?: number;
}

/** The patch operator Z (h × K·c) ↦ F (n × c), F[i, c'] = Σ_k Σ_r P[iK + k, r] Z[r, k·c + c']. */
function patchOperator(P: Matrix<Float64Array>, K: number, c: number): LinearMap {
  const n = P.rows / K;
  const h = P.cols;
  const pd = P.data;
  const Kc = K * c;
  return {
    inDim: h * Kc,
    outDim: n * c,
    apply(z, out) {
      out.fill(0);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < K; k++) {
          const o = (i * K + k) * h;
          for (let r = 0; r < h; r++) {
            const p = pd[o + r];
            if (p === 0) continue;
            const zo = r * Kc + k * c;
            for (let l = 0; l < c; l++) out[i * c + l] += p * z[zo + l];
          }
        }
      }
    },
    adjoint(g, out) {
      out.fill(0);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < K; k++) {
          const o = (i * K + k) * h;
          for (let r = 0; r < h; r++) {
            const p = pd[o + r];
            if (p === 0) continue;
            const zo = r * Kc + k * c;
            for (let l = 0; l < c; l++) out[zo + l] += p * g[i * c + l];
          }
        }
      }
    },
  };
}

function spectralNorm(M: Matrix<Float64Array>): number {
  const A = M.rows < M.cols ? M.transpose() : M;
  return svd(A).s[0] ?? 0;
}

function checkCommon(X: Matrix<Float64Array>, Y: Matrix<Float64Array>, lambda: number): void {
  if (X.rows === 0) throw new CvxnnError('EMPTY_DATA', 'no images were given; need at least one');
  assertShape(Y.rows === X.rows, `X has ${X.rows} images but the targets have ${Y.rows} rows; pass one target row per image`);
  assertFinite(X.clone().data, 'the images', X.cols);
  assertFinite(Y.clone().data, 'the targets', Y.cols);
  assertOption(Number.isFinite(lambda) && lambda > 0, `lambda must be a finite number > 0, got ${lambda}`);
}

/** The options `fitLinearCnn` takes, with their types (the compiler keeps the list complete). */
export const LINEAR_CNN_OPTIONS: OptionSpec<LinearCnnOptions> = {
  imageShape: 'object',
  ...CONV_GEOMETRY_OPTIONS,
  lambda: 'number',
  ...SOLVE_RULE_OPTIONS,
};

/**
 * The linear CNN with a fully connected head as a nuclear-norm problem (SPEC §4.4):
 *
 *   min_Z ℓ(⟨X_iᵀ, Z⟩_i) + λ‖Z‖_*,   Z = Σ_j u_j α_jᵀ ∈ R^{h × K·c},
 *
 * exact because min{(1/2)Σ(‖u_j‖² + ‖α_j‖²) : Σ u_j α_jᵀ = Z} = ‖Z‖_*. Solved by R-FISTA with
 * `@cvxnn/sdp`'s singular-value thresholding as the prox; certificate: duality gap with the
 * spectral-norm dual constraint ‖Aᵀz‖_sp ≤ λ.
 *
 * @example
 *   const r = fitLinearCnn(X, Y, { imageShape: { height: 8, width: 8, channels: 1 }, kernel: 3, lambda: 1 });
 *   const model = recoverLinearCnn(r);
 */
export function fitLinearCnn(X: Matrix<Float64Array>, Y: Matrix<Float64Array>, opts: LinearCnnOptions): LinearCnnResult {
  checkOptions('fitLinearCnn', opts, LINEAR_CNN_OPTIONS);
  const geometry = convGeometry(opts.imageShape, convOptionsOf(opts));
  assertImages(X, geometry);
  checkCommon(X, Y, opts.lambda);
  const lossName = opts.loss ?? 'squared';
  const scale = opts.scale ?? 'sum';
  const K = geometry.patches;
  const h = geometry.patchSize;
  const c = Y.cols;
  const A = patchOperator(extractPatches(X, geometry), K, c);
  const lambda = opts.lambda;
  const asMatrix = (x: Float64Array) => new Matrix(h, K * c, x);
  // one matrix-valued group: λ‖Z‖_* with its SVT prox, dual = spectral norm, direction u₁v₁ᵀ
  const layout = indexLayout([Array.from({ length: h * K * c }, (_, j) => j)], h * K * c);
  const nuclear = (lam: number): ReturnType<typeof customPenalty> =>
    customPenalty({
      layout,
      lambda: lam,
      value: (x) => lam * nuclearNorm(asMatrix(x)),
      prox: (x, t, out) => out.set(svt(asMatrix(x), t * lam).data),
      groupNorms: (x) => Float64Array.of(nuclearNorm(asMatrix(x))),
      dualNorms: (z) => Float64Array.of(spectralNorm(asMatrix(z))),
      dualDirection(z, _g, out) {
        const M = asMatrix(z);
        const tall = h >= K * c;
        const { U, s, V } = svd(tall ? M : M.transpose());
        if (!((s[0] ?? 0) > 0)) return;
        for (let r = 0; r < h; r++) for (let k = 0; k < K * c; k++) out[r * K * c + k] = tall ? U.get(r, 0) * V.get(k, 0) : V.get(r, 0) * U.get(k, 0);
      },
      withLambda: (l2) => nuclear(l2),
    });
  const problem = linearProblem(A, layout, dataLoss(lossName, scale, Y), lambda, (_L, lam) => nuclear(lam), 'patch');
  const r = solveCertified(problem, { tol: opts.tol ?? 1e-8, maxIters: opts.maxIters ?? 20000, timeLimit: opts.timeLimit ?? Infinity });
  const Z = asMatrix(r.x);
  const s = svd(h >= K * c ? Z : Z.transpose()).s;
  return {
    ...certifiedFields(r, lambda, lossName, scale),
    geometry,
    Z,
    rank: s.filter((v) => v > 1e-10 * (s[0] ?? 0)).length,
  };
}

/**
 * Factor Z = Σ σ_j a_j b_jᵀ into filters u_j = √σ_j a_j and output weights α_j = √σ_j b_j (SPEC §4.4):
 * the linear CNN's weight decay then equals λ‖Z‖_*.
 *
 * @example
 *   const model = recoverLinearCnn(fitLinearCnn(X, Y, opts));
 */
export function recoverLinearCnn(r: { geometry: ConvGeometry; Z: Matrix<Float64Array> }): LinearCnnModel {
  const Z = r.Z;
  const h = Z.rows;
  const Kc = Z.cols;
  const outputs = Kc / r.geometry.patches;
  const tall = h >= Kc;
  const { U, s, V } = svd(tall ? Z : Z.transpose());
  const keep: number[] = [];
  for (let j = 0; j < s.length; j++) if (s[j] > 1e-12 * (s[0] ?? 0)) keep.push(j);
  const m = keep.length;
  const filters = Matrix.zeros(h, m);
  const head = Matrix.zeros(m, Kc);
  keep.forEach((j, t) => {
    const q = Math.sqrt(s[j]);
    for (let a = 0; a < h; a++) filters.data[a * m + t] = q * (tall ? U.get(a, j) : V.get(a, j));
    for (let b = 0; b < Kc; b++) head.data[t * Kc + b] = q * (tall ? V.get(b, j) : U.get(b, j));
  });
  return { geometry: r.geometry, filters, head, outputs };
}

/**
 * Outputs of a linear CNN on images X (n × c).
 *
 * @example
 *   linearCnnPredict(model, X);
 */
export function linearCnnPredict(model: LinearCnnModel, X: Matrix<Float64Array>): Matrix<Float64Array> {
  const g = model.geometry;
  assertImages(X, g);
  const K = g.patches;
  const c = model.outputs;
  const m = model.filters.cols;
  const P = extractPatches(X, g);
  const F = Matrix.zeros(X.rows, c);
  for (let i = 0; i < X.rows; i++) {
    for (let k = 0; k < K; k++) {
      const row = P.row(i * K + k);
      for (let j = 0; j < m; j++) {
        let z = 0;
        for (let r = 0; r < row.length; r++) z += row[r] * model.filters.data[r * m + j];
        for (let l = 0; l < c; l++) F.data[i * c + l] += z * model.head.data[j * K * c + k * c + l];
      }
    }
  }
  return F;
}

/**
 * Non-convex objective ℓ(f(X), Y) + (λ/2)(‖filters‖² + ‖head‖²) of a linear CNN.
 *
 * @example
 *   linearCnnObjective(model, X, Y, { lambda: 0.1 });
 */
export function linearCnnObjective(model: LinearCnnModel, X: Matrix<Float64Array>, Y: Matrix<Float64Array>, opts: ObjectiveOptions): number {
  checkObjectiveOptions('linearCnnObjective', opts, OBJECTIVE_OPTIONS);
  const F = linearCnnPredict(model, X);
  let w = 0;
  for (const v of model.filters.data) w += v * v;
  for (const v of model.head.data) w += v * v;
  return makeLoss(opts.loss ?? 'squared', opts.scale ?? 'sum').value(F, Y) + (opts.lambda / 2) * w;
}
