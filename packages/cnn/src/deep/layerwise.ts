import { appendOnes, samplePatterns } from '@cvxnn/arrangements';
import { type ConvexResult, fitConvex, recoverNetwork } from '@cvxnn/group-lasso';
import { assertFinite, assertOption, assertShape, type Backend, checkOptions, CvxnnError, Matrix, PatternMasks, type OptionSpec } from '@cvxnn/linalg';
import { accuracy, forward, type LossName, mse, type ObjectiveScale, type TwoLayerNetwork } from '@cvxnn/networks';

/**
 * Options of {@link fitLayerwise}.
 *
 * @example
 *   const o: LayerwiseOptions = { layers: 3, lambda: 1e-3, patterns: 50, loss: 'cross-entropy' };
 */
export interface LayerwiseOptions {
  /** number of two-layer convex blocks L ≥ 1 */
  layers: number;
  /** group penalty β of every block (or one per block) */
  lambda: number | number[];
  /** Gaussian-gate patterns sampled per block (default 50) */
  patterns?: number;
  seed?: number;
  /** append a constant-1 feature to every block's input (default true) */
  bias?: boolean;
  /** add the all-ones pattern (gate on the constant feature) to every block after the first (default true; needs bias) */
  allOnesPattern?: boolean;
  loss?: LossName;
  scale?: ObjectiveScale;
  tol?: number;
  maxIters?: number;
  /** seconds per block */
  timeLimit?: number;
  /** the kernels of every block's solve (default: the active backend) */
  backend?: Backend;
}

/**
 * One trained block: its convex solve (status, objective, certificate, iterations, time), sizes,
 * and the recovered gated network whose hidden layer feeds the next block.
 *
 * @example
 *   blocks.map((b) => [b.layer, b.objective, b.certificate.value]);
 */
export interface LayerwiseBlock extends Pick<ConvexResult, 'status' | 'objective' | 'dataTerm' | 'penalty' | 'certificate' | 'iterations' | 'timeSeconds'> {
  layer: number;
  inputDim: number;
  patterns: number;
  /** hidden units of the recovered block (= input features of the next block) */
  width: number;
  formulation: ConvexResult['formulation'];
  network: TwoLayerNetwork;
}

/**
 * A greedily trained deep network: block l's recovered two-layer gated network maps the features
 * H_{l−1} (H_0 = X) to H_l (its hidden layer) and to outputs. The model at depth l predicts with
 * block l's own output layer on H_{l−1}, so the deepest block's output layer is the head.
 *
 * @example
 *   const F = layerwisePredict(model, X); // depth L
 */
export interface LayerwiseModel {
  kind: 'layerwise';
  blocks: TwoLayerNetwork[];
}

/**
 * Hidden features H_l (l = 0: X itself) of a layer-wise model: H_l = hidden layer of block l on H_{l−1}.
 *
 * @example
 *   const H2 = layerwiseFeatures(model, X, 2);
 */
export function layerwiseFeatures(model: LayerwiseModel, X: Matrix<Float64Array>, depth: number): Matrix<Float64Array> {
  assertOption(Number.isInteger(depth) && depth >= 0 && depth <= model.blocks.length, `depth must be an integer in [0, ${model.blocks.length}], got ${depth}`);
  let H = X;
  for (let l = 0; l < depth; l++) H = forward(model.blocks[l], H).H;
  return H;
}

/**
 * Outputs of the model truncated at `depth` (default: all blocks): block `depth` on H_{depth−1}.
 *
 * @example
 *   const F1 = layerwisePredict(model, X, 1); // the first block alone
 */
export function layerwisePredict(model: LayerwiseModel, X: Matrix<Float64Array>, depth = model.blocks.length): Matrix<Float64Array> {
  assertOption(Number.isInteger(depth) && depth >= 1 && depth <= model.blocks.length, `depth must be an integer in [1, ${model.blocks.length}], got ${depth}`);
  return forward(model.blocks[depth - 1], layerwiseFeatures(model, X, depth - 1)).F;
}

/**
 * Train/test metric of the model truncated at each depth: accuracy for classification targets
 * (±1 column or one-hot), MSE otherwise.
 *
 * @example
 *   layerwiseMetrics(model, Xtr, Ytr, 'accuracy'); // [acc at depth 1, …, acc at depth L]
 */
export function layerwiseMetrics(model: LayerwiseModel, X: Matrix<Float64Array>, Y: Matrix<Float64Array>, metric: 'accuracy' | 'mse'): number[] {
  const out: number[] = [];
  let H = X;
  for (let l = 0; l < model.blocks.length; l++) {
    const net = model.blocks[l];
    out.push(metric === 'accuracy' ? accuracy(net, H, Y) : mse(net, H, Y));
    H = forward(net, H).H;
  }
  return out;
}

/** The options `fitLayerwise` takes, with their types (the compiler keeps the list complete). */
export const LAYERWISE_OPTIONS: OptionSpec<LayerwiseOptions> = {
  layers: 'integer',
  lambda: 'number|numbers',
  patterns: 'integer',
  seed: 'number',
  bias: 'boolean',
  allOnesPattern: 'boolean',
  loss: '"squared"|"logistic"|"cross-entropy"',
  scale: '"sum"|"mean"',
  tol: 'number',
  maxIters: 'integer',
  timeLimit: 'number',
  backend: 'object',
};

/**
 * Greedy layer-wise convex training (SPEC §5.2; seed 002's recipe): for l = 1..L solve a
 * two-layer **gated ReLU** convex program (C-GReLU, §2.7; nuclear norm for vector outputs, §2.8)
 * on sampled Gaussian-gate patterns of [H_{l−1}, 1] to its certificate, recover the block, and
 * freeze its hidden layer H_l = 1[H̃G > 0] ⊙ (H̃W) as the next block's features. Each block is
 * globally optimal for its own program; the composition is not optimal for the deep problem.
 * With the all-ones pattern in block l+1, its optimum is ≤ ℓ(f_l) + β‖W2_l‖_* (block l's output
 * re-used through that pattern, SPEC §5.2), so the training objective cannot get worse with depth.
 *
 * @example
 *   const { model, blocks } = fitLayerwise(X, Y, { layers: 2, lambda: 1e-3, patterns: 50, loss: 'cross-entropy' });
 */
export function fitLayerwise(X: Matrix<Float64Array>, Y: Matrix<Float64Array>, o: LayerwiseOptions): { model: LayerwiseModel; blocks: LayerwiseBlock[] } {
  checkOptions('fitLayerwise', o, LAYERWISE_OPTIONS);
  assertOption(Number.isInteger(o.layers) && o.layers >= 1, `layers must be a positive integer, got ${o.layers}`);
  const lambdas = Array.isArray(o.lambda) ? o.lambda : Array.from({ length: o.layers }, () => o.lambda as number);
  assertOption(lambdas.length === o.layers, `give one lambda or one per layer (${o.layers}), got ${lambdas.length}`);
  for (const l of lambdas) assertOption(Number.isFinite(l) && l > 0, `lambda must be a finite number > 0, got ${l}`);
  const P = o.patterns ?? 50;
  assertOption(Number.isInteger(P) && P >= 1, `patterns must be a positive integer, got ${P}`);
  if (X.rows === 0 || X.cols === 0) throw new CvxnnError('EMPTY_DATA', `the data matrix is ${X.rows}×${X.cols}; need at least one sample and one feature`);
  assertShape(Y.rows === X.rows, `X has ${X.rows} rows but the targets have ${Y.rows}; pass one target row per sample`);
  assertFinite(X.clone().data, 'X', X.cols);
  const bias = o.bias ?? true;
  const allOnes = (o.allOnesPattern ?? true) && bias;
  const blocks: LayerwiseBlock[] = [];
  const nets: TwoLayerNetwork[] = [];
  let H = X;
  for (let l = 0; l < o.layers; l++) {
    const Ht = bias ? appendOnes(H) : H;
    const d = Ht.cols;
    const ps = samplePatterns(Ht, { count: P, seed: (o.seed ?? 0) + 1000 * l, maxDraws: 50 * P });
    let gates = ps.gates;
    if (allOnes && l > 0) {
      // the gate e_bias: pattern 1[H̃ e > 0] = all ones
      const G = Matrix.zeros(d, gates.cols + 1);
      for (let r = 0; r < d; r++) for (let k = 0; k < gates.cols; k++) G.data[r * (gates.cols + 1) + k] = gates.get(r, k);
      G.data[(d - 1) * (gates.cols + 1) + gates.cols] = 1;
      gates = G;
    }
    const masks = PatternMasks.fromGates(Ht, gates);
    const res = fitConvex(Ht, Y, { masks, gates }, { model: 'gated-relu', lambda: lambdas[l], loss: o.loss, scale: o.scale, tol: o.tol, maxIters: o.maxIters, timeLimit: o.timeLimit, backend: o.backend });
    const net = recoverNetwork(res, { appendOne: bias });
    if (net.W1.cols === 0) {
      throw new CvxnnError('INVALID_OPTION', `block ${l + 1} recovered no neurons (λ = ${lambdas[l]} ≥ λ_max = ${res.lambdaMax.toPrecision(4)}); lower lambda`);
    }
    nets.push(net);
    blocks.push({
      layer: l + 1,
      inputDim: H.cols,
      patterns: masks.p,
      width: net.W1.cols,
      status: res.status,
      objective: res.objective,
      dataTerm: res.dataTerm,
      penalty: res.penalty,
      certificate: res.certificate,
      iterations: res.iterations,
      timeSeconds: res.timeSeconds,
      formulation: res.formulation,
      network: net,
    });
    H = forward(net, H).H;
  }
  return { model: { kind: 'layerwise', blocks: nets }, blocks };
}
