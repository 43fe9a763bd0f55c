import { assertMatrix, assertShape, type Backend, CvxnnError, getBackend, Matrix } from '@cvxnn/linalg';
import { checkObjectiveOptions } from './checks.js';
import { Backprop, contiguous, contiguousNetwork } from './backprop.js';
import type { LossName, ObjectiveScale } from './loss.js';
import { firstLayerInput, halfSquaredWeights, type TwoLayerNetwork, validateNetwork } from './network.js';

/**
 * Options of the non-convex training objective (SPEC §0.3, §2.1):
 *
 *   objective(θ) = ℓ(f_θ(X), Y) + (λ/2) Σ_j (‖W1[:,j]‖² + ‖W2[j,:]‖²)
 *
 * with ℓ the data term of `makeLoss(loss, scale)`. Free biases b1/b2 are never decayed. Under this
 * convention (weight decay λ/2 on both layers) the equivalent convex program has the group
 * penalty λ Σ_i ‖·‖ with the same λ — the rescaling/AM–GM rule of SPEC §0.3.
 */
export interface ObjectiveOptions {
  /** data term (default `squared`) */
  loss?: LossName;
  /** weight-decay coefficient λ ≥ 0 (the convex program's group penalty) */
  lambda: number;
  /** `sum` (default, the papers' ½‖·‖²) or `mean` (scnn's 1/(2n)‖·‖²) */
  scale?: ObjectiveScale;
}

/** The objective split into its two terms. */
export interface ObjectiveTerms {
  /** dataTerm + penalty */
  objective: number;
  /** ℓ(f(X), Y) */
  dataTerm: number;
  /** (λ/2) Σ_j (‖W1[:,j]‖² + ‖W2[j,:]‖²) */
  penalty: number;
}

/** Gradients of the objective w.r.t. every trainable parameter (gates are fixed). */
export interface NetworkGradient {
  W1: Matrix<Float64Array>;
  W2: Matrix<Float64Array>;
  b1?: Float64Array;
  b2?: Float64Array;
}

function checkData(net: TwoLayerNetwork, X: Matrix<Float64Array>, Y: Matrix<Float64Array>, fn: string): void {
  assertMatrix(fn, 'X', X);
  assertMatrix(fn, 'Y', Y);
  if (X.rows === 0) throw new CvxnnError('EMPTY_DATA', 'X has no rows; pass at least one sample');
  assertShape(X.rows === Y.rows, `X has ${X.rows} rows but Y has ${Y.rows}; pass one target row per sample`);
  assertShape(Y.cols === net.W2.cols, `Y has ${Y.cols} columns but the network has ${net.W2.cols} outputs`);
  for (const [name, M] of [['X', X], ['Y', Y]] as const) {
    for (let i = 0; i < M.rows; i++) {
      for (let j = 0; j < M.cols; j++) {
        const v = M.get(i, j);
        if (!Number.isFinite(v)) {
          throw new CvxnnError('NON_FINITE', `${name} contains ${v} at row ${i}, column ${j}; remove or impute non-finite values first`);
        }
      }
    }
  }
}

/**
 * The fixed 0/1 gating 1[X̃ gates > 0] (n×m, row-major) of a gated-relu network, or null for relu.
 *
 * @example
 *   const gate = gatingMask(net, firstLayerInput(net, X)); // null when net.kind === 'relu'
 */
export function gatingMask(net: TwoLayerNetwork, Xt: Matrix<Float64Array>, backend: Backend = getBackend()): Uint8Array | null {
  if (net.kind !== 'gated-relu') return null;
  const G = backend.gemm(Xt, net.gates as Matrix<Float64Array>);
  const out = new Uint8Array(G.data.length);
  for (let i = 0; i < out.length; i++) out[i] = G.data[i] > 0 ? 1 : 0;
  return out;
}

/**
 * The weight-decay objective split into data term and penalty:
 * ℓ(f(X), Y) + (λ/2)Σ_j(‖W1[:,j]‖² + ‖W2[j,:]‖²), free biases not decayed (SPEC §0.3).
 *
 * @example
 *   const { objective, dataTerm, penalty } = objectiveTerms(net, X, Y, { loss: 'squared', lambda: 0.1 });
 */
export function objectiveTerms(net: TwoLayerNetwork, X: Matrix<Float64Array>, Y: Matrix<Float64Array>, opts: ObjectiveOptions): ObjectiveTerms {
  return terms('objectiveTerms', net, X, Y, opts);
}

function terms(fn: string, net: TwoLayerNetwork, X: Matrix<Float64Array>, Y: Matrix<Float64Array>, opts: ObjectiveOptions): ObjectiveTerms {
  const loss = checkObjectiveOptions(fn, opts);
  validateNetwork(net);
  checkData(net, X, Y, fn);
  const cnet = contiguousNetwork(net);
  const Xt = contiguous(firstLayerInput(cnet, X));
  const bp = new Backprop(Xt.rows, cnet.W1.cols, cnet.W2.cols);
  const F = bp.outputs(cnet, Xt, gatingMask(cnet, Xt));
  const dataTerm = loss.value(F, Y);
  const penalty = opts.lambda * halfSquaredWeights(cnet);
  return { objective: dataTerm + penalty, dataTerm, penalty };
}

/**
 * The non-convex training objective ℓ(f(X), Y) + (λ/2)Σ_j(‖W1[:,j]‖² + ‖W2[j,:]‖²) — weight decay
 * λ/2 on both layers, biases b1/b2 free — whose global minimum equals the convex program with
 * group penalty λΣ‖·‖ (SPEC §0.3).
 *
 * @example
 *   objective(net, X, Y, { loss: 'logistic', lambda: 1e-2, scale: 'mean' });
 */
export function objective(net: TwoLayerNetwork, X: Matrix<Float64Array>, Y: Matrix<Float64Array>, opts: ObjectiveOptions): number {
  return terms('objective', net, X, Y, opts).objective;
}

/**
 * The objective and its gradient w.r.t. W1, W2 and (when present) b1, b2. Gates of a gated-relu
 * network are fixed and get no gradient; ReLU'(0) = 0.
 *
 * @example
 *   const { value, grad } = objectiveAndGradient(net, X, Y, { lambda: 0.1 });
 *   grad.W1; // d̃×m, same layout as net.W1
 */
export function objectiveAndGradient(
  net: TwoLayerNetwork,
  X: Matrix<Float64Array>,
  Y: Matrix<Float64Array>,
  opts: ObjectiveOptions,
): { value: number; grad: NetworkGradient } {
  const loss = checkObjectiveOptions('objectiveAndGradient', opts);
  validateNetwork(net);
  checkData(net, X, Y, 'objectiveAndGradient');
  const cnet = contiguousNetwork(net);
  const Xt = contiguous(firstLayerInput(cnet, X));
  const m = cnet.W1.cols;
  const c = cnet.W2.cols;
  const grad: NetworkGradient = { W1: Matrix.zeros(cnet.W1.rows, m), W2: Matrix.zeros(m, c) };
  if (cnet.b1) grad.b1 = new Float64Array(m);
  if (cnet.b2) grad.b2 = new Float64Array(c);
  const bp = new Backprop(Xt.rows, m, c);
  const value = bp.valueAndGrad(cnet, Xt, contiguous(Y), gatingMask(cnet, Xt), loss, 1, opts.lambda, grad);
  return { value, grad };
}
