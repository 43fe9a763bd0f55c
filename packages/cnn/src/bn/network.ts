import { assertFinite, assertMatrix, assertOption, assertShape, CvxnnError, Matrix, type OptionSpec, Rng } from '@cvxnn/linalg';
import { checkObjectiveOptions, OBJECTIVE_OPTIONS } from '../conv/option-specs.js';
import { type LossName, makeLoss, type ObjectiveScale } from '@cvxnn/networks';

/**
 * Where the batch normalization sits and what it does (SPEC §3):
 * - `scale`: BN after the ReLU, scale only, h ↦ γ h/‖h‖ (§3.3; the seeds' exact statement)
 * - `centred`: BN after the ReLU, h ↦ γ P_c h/‖P_c h‖ + α1 (§3.4)
 * - `before`: BN before the ReLU, f = Σ_j w_j (γ_j P_c X u_j/‖P_c X u_j‖ + α_j 1)_+ (§3.5)
 *
 * @example
 *   const p: BnPlacement = 'centred';
 */
export type BnPlacement = 'scale' | 'centred' | 'before';

/**
 * A two-layer ReLU network with one ℓ2-normalized BN unit per hidden neuron (SPEC §3.1: the
 * normalization divides by the Euclidean norm of the centred batch vector, not the standard
 * deviation). Weight decay (β/2)Σ_j(γ_j² + α_j² + ‖W2[j,:]‖²) on the BN parameters and the output
 * layer; W1 is not decayed (BN makes the network invariant to positive scalings of each column).
 * When the normalized vector is zero (P_c h = 0, or h = 0 for `scale`) the BN output is α·1.
 *
 * `stats` holds the training-batch mean and norm of each neuron's pre-BN vector (inference mode:
 * a new batch is normalized with them, so predictions are per-sample). `appendOne`: x̃ = [x, 1].
 *
 * @example
 *   const out = bnForward(net, X).F;
 */
export interface BnNetwork {
  kind: 'bn';
  placement: BnPlacement;
  /** d̃ × m first-layer weights */
  W1: Matrix<Float64Array>;
  gamma: Float64Array;
  /** BN shifts (zero and unused for `scale`) */
  alpha: Float64Array;
  /** m × c output weights */
  W2: Matrix<Float64Array>;
  appendOne: boolean;
  /**
   * `l2` (default, SPEC §3.1): divide by ‖P_c h‖; `std`: divide by the standard deviation
   * ‖P_c h‖/√n (the usual BN; the normalized vector has norm √n)
   */
  normalization?: 'l2' | 'std';
  /** training-batch statistics per neuron (set by `bnSetStats`); absent ⇒ batch statistics */
  stats?: { mean: Float64Array; norm: Float64Array };
}

function inputOf(net: BnNetwork, X: Matrix<Float64Array>): Matrix<Float64Array> {
  const d = net.W1.rows;
  const dx = X.cols + (net.appendOne ? 1 : 0);
  assertShape(dx === d, `the network takes ${d - (net.appendOne ? 1 : 0)} features but the data have ${X.cols}`);
  if (!net.appendOne) return X;
  const out = Matrix.zeros(X.rows, d);
  for (let i = 0; i < X.rows; i++) {
    for (let k = 0; k < X.cols; k++) out.data[i * d + k] = X.get(i, k);
    out.data[i * d + d - 1] = 1;
  }
  return out;
}

/**
 * Check the shapes and values of a BN network.
 *
 * @example
 *   validateBnNetwork(net);
 */
export function validateBnNetwork(net: BnNetwork): void {
  const m = net.W1.cols;
  assertOption(['scale', 'centred', 'before'].includes(net.placement), `BN placement must be scale, centred or before, got '${net.placement}'`);
  assertShape(net.gamma.length === m && net.alpha.length === m, `gamma/alpha have ${net.gamma.length}/${net.alpha.length} entries but W1 has ${m} neurons`);
  assertShape(net.W2.rows === m, `W2 has ${net.W2.rows} rows but W1 has ${m} neurons`);
  assertFinite(net.W1.clone().data, 'W1');
  assertFinite(net.gamma, 'gamma');
  assertFinite(net.alpha, 'alpha');
  assertFinite(net.W2.clone().data, 'W2');
}

/** Per-neuron pre-BN vectors: (X̃u_j)_+ after the ReLU, X̃u_j before. n × m. */
function preBn(net: BnNetwork, Xt: Matrix<Float64Array>): Float64Array {
  const n = Xt.rows;
  const d = Xt.cols;
  const m = net.W1.cols;
  const Z = new Float64Array(n * m);
  const W = net.W1;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += Xt.data[Xt.offset + i * Xt.stride + k] * W.get(k, j);
      Z[i * m + j] = net.placement === 'before' ? s : s > 0 ? s : 0;
    }
  }
  return Z;
}

/** Column means (0 for `scale`) and Euclidean norms of the centred columns of Z (n × m). */
function columnStats(Z: Float64Array, n: number, m: number, centre: boolean, std = false): { mean: Float64Array; norm: Float64Array } {
  const mean = new Float64Array(m);
  const norm = new Float64Array(m);
  if (centre) for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) mean[j] += Z[i * m + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) norm[j] += (Z[i * m + j] - mean[j]) ** 2;
  for (let j = 0; j < m; j++) norm[j] = Math.sqrt(std ? norm[j] / n : norm[j]);
  return { mean, norm };
}

/**
 * Forward pass: hidden BN-ReLU features H (n × m) and outputs F = H W2 (n × c). Uses the stored
 * training statistics when present, else the statistics of this batch.
 *
 * @example
 *   const { H, F } = bnForward(net, X);
 */
export function bnForward(net: BnNetwork, X: Matrix<Float64Array>): { H: Matrix<Float64Array>; F: Matrix<Float64Array> } {
  validateBnNetwork(net);
  const Xt = inputOf(net, X);
  const n = Xt.rows;
  const m = net.W1.cols;
  const c = net.W2.cols;
  const Z = preBn(net, Xt);
  const st = net.stats ?? columnStats(Z, n, m, net.placement !== 'scale', net.normalization === 'std');
  const H = Matrix.zeros(n, m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const q = st.norm[j] > 0 ? (Z[i * m + j] - st.mean[j]) / st.norm[j] : 0;
      const b = net.placement === 'scale' ? 0 : net.alpha[j];
      const v = net.gamma[j] * q + b;
      H.data[i * m + j] = net.placement === 'before' ? (v > 0 ? v : 0) : v;
    }
  }
  const F = Matrix.zeros(n, c);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    const h = H.data[i * m + j];
    if (h !== 0) for (let k = 0; k < c; k++) F.data[i * c + k] += h * net.W2.get(j, k);
  }
  return { H, F };
}

/**
 * Store the batch statistics of X (the training batch) in the network, so later forward passes
 * normalize new rows the same way (BN inference mode). Returns the network.
 *
 * @example
 *   bnSetStats(net, Xtrain); predict(net, Xtest);
 */
export function bnSetStats(net: BnNetwork, X: Matrix<Float64Array>): BnNetwork {
  validateBnNetwork(net);
  const Xt = inputOf(net, X);
  net.stats = columnStats(preBn(net, Xt), Xt.rows, net.W1.cols, net.placement !== 'scale', net.normalization === 'std');
  return net;
}

/**
 * Options of the BN objective: loss (default squared), β (`lambda`), scale (`sum` = ½‖·‖²).
 *
 * @example
 *   const o: BnObjectiveOptions = { lambda: 0.1, loss: 'squared', scale: 'sum' };
 */
export interface BnObjectiveOptions {
  lambda: number;
  loss?: LossName;
  scale?: ObjectiveScale;
}

/**
 * The non-convex BN objective on a training batch (batch statistics):
 * ℓ(f(X), Y) + (β/2)Σ_j(γ_j² + α_j² + ‖W2[j,:]‖²) — the objective whose minimum the convex BN
 * programs certify (SPEC §3.2–3.5).
 *
 * @example
 *   const { objective } = bnObjective(net, X, Y, { lambda: 0.1 });
 */
export function bnObjective(net: BnNetwork, X: Matrix<Float64Array>, Y: Matrix<Float64Array>, o: BnObjectiveOptions): { objective: number; dataTerm: number; penalty: number } {
  checkObjectiveOptions('bnObjective', o, OBJECTIVE_OPTIONS);
  assertShape(Y.rows === X.rows && Y.cols === net.W2.cols, `targets are ${Y.rows}×${Y.cols}, expected ${X.rows}×${net.W2.cols}`);
  const batch: BnNetwork = { ...net, stats: undefined };
  const { F } = bnForward(batch, X);
  const dataTerm = makeLoss(o.loss ?? 'squared', o.scale ?? 'sum').value(F, Y);
  let sq = 0;
  for (let j = 0; j < net.gamma.length; j++) sq += net.gamma[j] ** 2 + (net.placement === 'scale' ? 0 : net.alpha[j] ** 2);
  for (const v of net.W2.clone().data) sq += v * v;
  const penalty = (o.lambda / 2) * sq;
  return { objective: dataTerm + penalty, dataTerm, penalty };
}

/**
 * Options of {@link trainBnAdam}.
 *
 * @example
 *   const o: BnAdamOptions = { lambda: 0.1, width: 8, iterations: 3000, seed: 1 };
 */
export interface BnAdamOptions extends BnObjectiveOptions {
  placement: BnPlacement;
  normalization?: 'l2' | 'std';
  width: number;
  iterations?: number;
  learningRate?: number;
  seed?: number;
  appendOne?: boolean;
  /** cosine annealing of the step (default true) */
  cosine?: boolean;
}

/** The options `trainBnAdam` takes, with their types (the compiler keeps the list complete). */
export const BN_ADAM_OPTIONS: OptionSpec<BnAdamOptions> = {
  ...OBJECTIVE_OPTIONS,
  placement: '"scale"|"centred"|"before"',
  normalization: '"l2"|"std"',
  width: 'integer',
  iterations: 'integer',
  learningRate: 'number',
  seed: 'number',
  appendOne: 'boolean',
  cosine: 'boolean',
};

/**
 * Full-batch Adam on the non-convex BN objective of {@link bnObjective} (batch statistics, the
 * same β convention); a baseline for the convex programs. Random N(0, 1/d) first layer, γ = 1,
 * α = 0, small output weights. Returns the best network seen and its objective.
 *
 * @example
 *   const r = trainBnAdam(X, Y, { placement: 'centred', lambda: 0.1, width: 8, iterations: 2000 });
 */
export function trainBnAdam(X: Matrix<Float64Array>, Y: Matrix<Float64Array>, o: BnAdamOptions): { network: BnNetwork; objective: number; timeSeconds: number } {
  checkObjectiveOptions('trainBnAdam', o, BN_ADAM_OPTIONS);
  assertMatrix('trainBnAdam', 'X', X);
  assertMatrix('trainBnAdam', 'Y', Y);
  assertOption(Number.isInteger(o.width) && o.width >= 1, `trainBnAdam: option 'width' must be a positive integer, got ${o.width}`);
  assertShape(Y.rows === X.rows, `X has ${X.rows} rows but the targets have ${Y.rows}`);
  const t0 = performance.now();
  const rng = new Rng(o.seed ?? 0);
  const appendOne = o.appendOne ?? false;
  const d = X.cols + (appendOne ? 1 : 0);
  const m = o.width;
  const c = Y.cols;
  const n = X.rows;
  const W1 = new Matrix(d, m, rng.normalArray(d * m).map((v) => v / Math.sqrt(d)));
  const net: BnNetwork = {
    kind: 'bn',
    placement: o.placement,
    normalization: o.normalization ?? 'l2',
    W1,
    gamma: new Float64Array(m).fill(1),
    alpha: o.placement === 'scale' ? new Float64Array(m) : rng.normalArray(m).map((v) => 0.1 * v),
    W2: new Matrix(m, c, rng.normalArray(m * c).map((v) => v / Math.sqrt(m))),
    appendOne,
  };
  const Xt = inputOf(net, X);
  const loss = makeLoss(o.loss ?? 'squared', o.scale ?? 'sum');
  const lam = o.lambda;
  const centre = o.placement !== 'scale';
  const std = o.normalization === 'std';
  const params = [net.W1.data, net.gamma, net.alpha, net.W2.data];
  const grads = params.map((p) => new Float64Array(p.length));
  const mom = params.map((p) => new Float64Array(p.length));
  const vel = params.map((p) => new Float64Array(p.length));
  const T = o.iterations ?? 2000;
  const lr0 = o.learningRate ?? 0.01;
  const Fm = Matrix.zeros(n, c);
  const G = Matrix.zeros(n, c);
  const Z = new Float64Array(n * m); // pre-activation X̃u
  const A = new Float64Array(n * m); // pre-BN vector
  const Q = new Float64Array(n * m); // normalized vector
  const H = new Float64Array(n * m);
  let best = Infinity;
  let bestParams = params.map((p) => Float64Array.from(p));
  for (let t = 1; t <= T + 1; t++) {
    // forward
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += Xt.data[Xt.offset + i * Xt.stride + k] * W1.data[k * m + j];
        Z[i * m + j] = s;
        A[i * m + j] = o.placement === 'before' ? s : s > 0 ? s : 0;
      }
    }
    const { mean, norm } = columnStats(A, n, m, centre, std);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        const q = norm[j] > 0 ? (A[i * m + j] - mean[j]) / norm[j] : 0;
        Q[i * m + j] = q;
        const v = net.gamma[j] * q + (o.placement === 'scale' ? 0 : net.alpha[j]);
        H[i * m + j] = o.placement === 'before' ? (v > 0 ? v : 0) : v;
      }
    }
    Fm.data.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let k = 0; k < c; k++) Fm.data[i * c + k] += H[i * m + j] * net.W2.data[j * c + k];
    const dataTerm = loss.valueAndGrad(Fm, Y, G);
    let sq = 0;
    for (let j = 0; j < m; j++) sq += net.gamma[j] ** 2 + (o.placement === 'scale' ? 0 : net.alpha[j] ** 2);
    for (const v of net.W2.data) sq += v * v;
    const obj = dataTerm + (lam / 2) * sq;
    if (obj < best) {
      best = obj;
      bestParams = params.map((p) => Float64Array.from(p));
    }
    if (t > T || !Number.isFinite(obj)) break;
    // backward
    for (const g of grads) g.fill(0);
    const [gW1, gG, gA, gW2] = grads;
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let k = 0; k < c; k++) gW2[j * c + k] += H[i * m + j] * G.data[i * c + k];
    for (let j = 0; j < m * c; j++) gW2[j] += lam * net.W2.data[j];
    const dV = new Float64Array(n); // ∂/∂(γq + α) for one neuron
    for (let j = 0; j < m; j++) {
      let gq = 0;
      let ga = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < c; k++) s += G.data[i * c + k] * net.W2.data[j * c + k];
        const v = net.gamma[j] * Q[i * m + j] + (o.placement === 'scale' ? 0 : net.alpha[j]);
        if (o.placement === 'before' && !(v > 0)) s = 0;
        dV[i] = s;
        gq += s * Q[i * m + j];
        ga += s;
      }
      gG[j] = gq + lam * net.gamma[j];
      gA[j] = o.placement === 'scale' ? 0 : ga + lam * net.alpha[j];
      if (!(norm[j] > 0)) continue;
      // q = P a/‖P a‖ ⇒ ∂q = (I − q qᵀ) P ∂a / ‖P a‖ (P = P_c, or I for scale-only); std: q√n, norm/√n
      let qd = 0;
      for (let i = 0; i < n; i++) qd += Q[i * m + j] * dV[i];
      if (std) qd /= n;
      let meanG = 0;
      const ga2 = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        ga2[i] = (net.gamma[j] * (dV[i] - qd * Q[i * m + j])) / norm[j];
        meanG += ga2[i] / n;
      }
      for (let i = 0; i < n; i++) {
        let g = centre ? ga2[i] - meanG : ga2[i];
        if (o.placement !== 'before' && !(Z[i * m + j] > 0)) g = 0;
        if (g === 0) continue;
        for (let k = 0; k < d; k++) gW1[k * m + j] += g * Xt.data[Xt.offset + i * Xt.stride + k];
      }
    }
    const rate = (o.cosine ?? true) ? lr0 * 0.5 * (1 + Math.cos((Math.PI * (t - 1)) / T)) : lr0;
    const c1 = 1 / (1 - 0.9 ** t);
    const c2 = 1 / (1 - 0.999 ** t);
    for (let p = 0; p < params.length; p++) {
      const x = params[p];
      const g = grads[p];
      for (let k = 0; k < x.length; k++) {
        mom[p][k] = 0.9 * mom[p][k] + 0.1 * g[k];
        vel[p][k] = 0.999 * vel[p][k] + 0.001 * g[k] * g[k];
        x[k] -= (rate * mom[p][k] * c1) / (Math.sqrt(vel[p][k] * c2) + 1e-8);
      }
    }
  }
  if (!Number.isFinite(best)) throw new CvxnnError('NOT_CONVERGED', 'Adam on the BN objective diverged; lower the learning rate');
  params.forEach((p, k) => p.set(bestParams[k]));
  bnSetStats(net, X);
  return { network: net, objective: best, timeSeconds: (performance.now() - t0) / 1000 };
}
