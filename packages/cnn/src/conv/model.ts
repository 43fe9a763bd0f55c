import { assertMatrix, assertOption, assertShape, type Backend, checkOptions, CvxnnError, getBackend, Matrix, type OptionSpec, Rng } from '@cvxnn/linalg';
import { checkObjectiveOptions, OBJECTIVE_OPTIONS } from './option-specs.js';
import {
  classesOf,
  halfSquaredWeights,
  initNetwork,
  type LossName,
  makeLoss,
  networkFromJson,
  networkToJson,
  type NetworkJson,
  type ObjectiveScale,
  type TwoLayerNetwork,
  validateNetwork,
} from '@cvxnn/networks';
import { assertImages, type ConvGeometry, convGeometry, extractPatches, type ImageShape, patchChunks, patchRegions, poolRows } from './patches.js';

/**
 * Global pooling of the hidden activations over the K patch positions: `sum` (SPEC §4.2) or
 * `mean` (average pooling = sum pooling of the patches scaled by 1/K).
 *
 * @example
 *   const p: Pooling = 'sum';
 */
export type Pooling = 'sum' | 'mean';

/**
 * A two-layer ReLU (or gated-ReLU) CNN with global pooling,
 *
 *   f(x) = Σ_j w_j · pool_k σ(x_kᵀ u_j),   σ = ReLU, or the gate 1[x_kᵀ g_j > 0] times x_kᵀ u_j,
 *
 * stored as a `@cvxnn/networks` `TwoLayerNetwork` that acts on one patch (W1 = filters h̃×m,
 * W2 = output weights m×c, gates for gated-relu, `appendOne` = filter bias) plus the convolution
 * geometry and pooling: the CNN's output is the pooled sum of that network over the patches.
 * Weight decay (λ/2)Σ_j(‖u_j‖² + ‖w_j‖²) as in SPEC §0.3. No free biases (b1/b2).
 *
 * @example
 *   const model: CnnModel = { geometry: convGeometry(shape, { kernel: 3 }), pooling: 'sum', network: net };
 *   cnnPredict(model, X);
 */
export interface CnnModel {
  geometry: ConvGeometry;
  pooling: Pooling;
  network: TwoLayerNetwork;
  /** regional sum pooling (absent: global pooling over all K patches) */
  regions?: PoolRegions;
}

/**
 * Regional sum pooling: the output grid of patch positions is cut into `rows` × `cols` blocks
 * ({@link patchRegions}) and hidden unit j sums its activations over the patches of its own block
 * `unit[j]` only, f(x) = Σ_j w_j Σ_{k ∈ R(unit[j])} σ(x_kᵀ u_j). A network of such units is still
 * two-layer (each unit one filter, one output weight), so the convex program over (gate, region)
 * pairs is exact for it as the global one is for global pooling.
 *
 * @example
 *   const regions: PoolRegions = { rows: 2, cols: 2, unit: Int32Array.of(0, 1, 2, 3) };
 */
export interface PoolRegions {
  rows: number;
  cols: number;
  /** the region (0 … rows·cols − 1, row-major) of each hidden unit; length = the width m */
  unit: Int32Array;
}

/**
 * Pool per-patch hidden activations H (n·K × m, sample-major) over each unit's region:
 * Z[i, j] = Σ_{k : patch[k] = unit[j]} H[iK + k, j] (n × m).
 *
 * @example
 *   poolUnits(H, 36, patchRegions(g, 2, 2), regions.unit);
 */
export function poolUnits(H: Matrix<Float64Array>, K: number, patch: Int32Array, unit: Int32Array): Matrix<Float64Array> {
  assertShape(H.rows % K === 0 && patch.length === K && unit.length === H.cols, `poolUnits: ${H.rows}×${H.cols} activations, ${patch.length} patch regions for K = ${K}, ${unit.length} unit regions`);
  const n = H.rows / K;
  const m = H.cols;
  // the units of each region, so a patch visits only its own region's units
  const byRegion = new Map<number, number[]>();
  for (let j = 0; j < m; j++) {
    const list = byRegion.get(unit[j]);
    if (list) list.push(j);
    else byRegion.set(unit[j], [j]);
  }
  const unitsOf = Array.from(patch, (r) => byRegion.get(r) ?? []);
  const Z = Matrix.zeros(n, m);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      const o = (i * K + k) * m;
      for (const j of unitsOf[k]) Z.data[i * m + j] += H.data[o + j];
    }
  }
  return Z;
}

/**
 * The patch scale of a pooling: 1 for sum, 1/K for mean.
 *
 * @example
 *   poolingScale(g, 'mean'); // 1 / g.patches
 */
export function poolingScale(g: ConvGeometry, pooling: Pooling): number {
  assertOption(pooling === 'sum' || pooling === 'mean', `pooling must be sum or mean, got '${String(pooling)}'`);
  return pooling === 'mean' ? 1 / g.patches : 1;
}

/**
 * Validate a CNN model (network shapes against the patch size, no free biases).
 *
 * @example
 *   validateCnn(model);
 */
export function validateCnn(model: CnnModel): void {
  validateNetwork(model.network);
  const net = model.network;
  const h = model.geometry.patchSize + (net.appendOne ? 1 : 0);
  assertShape(net.W1.rows === h, `the filters have ${net.W1.rows} rows but a ${model.geometry.kh}×${model.geometry.kw}×${model.geometry.image.channels} patch${net.appendOne ? ' plus bias' : ''} has ${h}`);
  if (net.b1 || net.b2) throw new CvxnnError('INVALID_OPTION', 'a CNN model has no free biases (b1/b2); put a filter bias in the weights with appendOne');
  poolingScale(model.geometry, model.pooling);
  const reg = model.regions;
  if (reg) {
    assertOption(model.pooling === 'sum', `regional pooling is sum pooling within each region; got pooling '${model.pooling}'`);
    patchRegions(model.geometry, reg.rows, reg.cols);
    assertShape(reg.unit.length === net.W1.cols, `the pooling regions name ${reg.unit.length} hidden units but the network has ${net.W1.cols}`);
    const R = reg.rows * reg.cols;
    for (let j = 0; j < reg.unit.length; j++) {
      assertOption(Number.isInteger(reg.unit[j]) && reg.unit[j] >= 0 && reg.unit[j] < R, `hidden unit ${j} is in pooling region ${reg.unit[j]}, outside 0…${R - 1} of the ${reg.rows}×${reg.cols} grid`);
    }
  }
}

/** The per-patch and per-unit regions of a regional model (undefined for global pooling). */
function regionMaps(model: CnnModel): { patch: Int32Array; unit: Int32Array } | undefined {
  return model.regions ? { patch: patchRegions(model.geometry, model.regions.rows, model.regions.cols), unit: model.regions.unit } : undefined;
}

/** Hidden activations on stacked patches (gated: 1[𝐗g > 0]·𝐗u; ReLU: (𝐗u)_+), in place on H = 𝐗W1. */
function activate(H: Matrix<Float64Array>, gateH: Matrix<Float64Array> | null, act?: Uint8Array): void {
  const hd = H.data;
  for (let j = 0; j < hd.length; j++) {
    const on = gateH ? gateH.data[j] > 0 : hd[j] > 0;
    if (act) act[j] = on ? 1 : 0;
    if (!on) hd[j] = 0;
  }
}

/**
 * CNN outputs (n×c) on images X (n × H·W·C), computed over chunks of images so the patch matrix
 * never holds more than `chunk` images; the products run on `backend` (default: the active one).
 *
 * @example
 *   const F = cnnPredict(model, X);
 */
export function cnnPredict(model: CnnModel, X: Matrix<Float64Array>, chunk?: number, backend?: Backend): Matrix<Float64Array> {
  validateCnn(model);
  const g = model.geometry;
  assertImages(X, g);
  const net = { ...model.network, appendOne: false };
  const c = net.W2.cols;
  const F = Matrix.zeros(X.rows, c);
  const scale = poolingScale(g, model.pooling);
  const maps = regionMaps(model);
  const be = backend ?? getBackend();
  for (const part of patchChunks(X, g, { chunk, scale, appendOne: model.network.appendOne })) {
    // hidden activations per patch, pooled (globally or per unit region), then the output layer
    const H = be.gemm(part.patches, net.W1);
    activate(H, net.kind === 'gated-relu' && net.gates ? be.gemm(part.patches, net.gates) : null);
    const pooled = be.gemm(maps ? poolUnits(H, g.patches, maps.patch, maps.unit) : poolRows(H, g.patches), net.W2);
    F.data.set(pooled.data, part.start * c);
  }
  return F;
}

/**
 * Score of outputs F against targets Y (both n×c): the fraction of equal classes (`classesOf` of
 * `@cvxnn/networks`: sign for one output, argmax otherwise), or the mean squared error.
 *
 * @example
 *   outputScore(cnnPredict(model, X), Y, 'accuracy');
 */
export function outputScore(F: Matrix<Float64Array>, Y: Matrix<Float64Array>, metric: 'accuracy' | 'mse'): number {
  assertShape(Y.rows === F.rows && Y.cols === F.cols, `targets are ${Y.rows}×${Y.cols} but the outputs are ${F.rows}×${F.cols}`);
  if (F.rows === 0) return 0;
  if (metric === 'mse') {
    let s = 0;
    for (let i = 0; i < F.rows; i++) for (let k = 0; k < F.cols; k++) s += (F.get(i, k) - Y.get(i, k)) ** 2;
    return s / (F.rows * F.cols);
  }
  const p = classesOf(F);
  const t = classesOf(Y);
  let ok = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === t[i]) ok++;
  return ok / p.length;
}

/**
 * Classification accuracy of a CNN: sign of the output for one output (±1 labels), argmax otherwise.
 *
 * @example
 *   cnnAccuracy(model, X, Y); // fraction correct
 */
export function cnnAccuracy(model: CnnModel, X: Matrix<Float64Array>, Y: Matrix<Float64Array>): number {
  return outputScore(cnnPredict(model, X), Y, 'accuracy');
}

/**
 * Options of the non-convex CNN objective ℓ(f(X), Y) + (λ/2)Σ_j(‖u_j‖² + ‖w_j‖²).
 *
 * @example
 *   const o: CnnObjectiveOptions = { lambda: 1e-3, loss: 'squared', scale: 'sum' };
 */
export interface CnnObjectiveOptions {
  lambda: number;
  loss?: LossName;
  scale?: ObjectiveScale;
}

/**
 * The non-convex CNN objective split into data term and weight decay (SPEC §4.2 with §0.3's
 * convention), the quantity the convex optimum certifies.
 *
 * @example
 *   const { objective } = cnnObjectiveTerms(model, X, Y, { lambda: 0.1 });
 */
export function cnnObjectiveTerms(model: CnnModel, X: Matrix<Float64Array>, Y: Matrix<Float64Array>, opts: CnnObjectiveOptions, backend?: Backend): { objective: number; dataTerm: number; penalty: number } {
  checkObjectiveOptions('cnnObjectiveTerms', opts, OBJECTIVE_OPTIONS);
  const F = cnnPredict(model, X, undefined, backend);
  assertShape(Y.rows === F.rows && Y.cols === F.cols, `targets are ${Y.rows}×${Y.cols} but the model gives ${F.rows}×${F.cols}`);
  const dataTerm = makeLoss(opts.loss ?? 'squared', opts.scale ?? 'sum').value(F, Y);
  const penalty = opts.lambda * halfSquaredWeights(model.network);
  return { objective: dataTerm + penalty, dataTerm, penalty };
}

/**
 * The run-JSON form of a CNN: geometry, pooling and the patch network in `@cvxnn/networks`' format.
 *
 * @example
 *   JSON.stringify(cnnToJson(model));
 */
export interface CnnJson {
  kind: 'cnn';
  imageShape: ImageShape;
  kernel: [number, number];
  stride: number;
  padding: number;
  circular: boolean;
  pooling: Pooling;
  network: NetworkJson;
  /** regional pooling: the region grid and each hidden unit's region */
  regions?: { rows: number; cols: number; unit: number[] };
}

/**
 * Serialize a CNN model.
 *
 * @example
 *   const json = cnnToJson(model); cnnFromJson(json);
 */
export function cnnToJson(model: CnnModel): CnnJson {
  validateCnn(model);
  const g = model.geometry;
  const regions = model.regions ? { regions: { rows: model.regions.rows, cols: model.regions.cols, unit: Array.from(model.regions.unit) } } : {};
  return { kind: 'cnn', imageShape: { ...g.image }, kernel: [g.kh, g.kw], stride: g.stride, padding: g.padding, circular: g.circular, pooling: model.pooling, network: networkToJson(model.network), ...regions };
}

/**
 * Parse a CNN model from its JSON (validated).
 *
 * @example
 *   const model = cnnFromJson(JSON.parse(text));
 */
export function cnnFromJson(value: unknown): CnnModel {
  if (typeof value !== 'object' || value === null || (value as { kind?: unknown }).kind !== 'cnn') {
    throw new CvxnnError('PARSE_ERROR', `a CNN model JSON must be an object with kind 'cnn'`);
  }
  const v = value as CnnJson;
  const geometry = convGeometry(v.imageShape, { kernel: v.kernel, stride: v.stride, padding: v.padding, circular: v.circular });
  const model: CnnModel = { geometry, pooling: v.pooling, network: networkFromJson(v.network) };
  if (v.regions !== undefined) {
    const r = v.regions;
    if (typeof r !== 'object' || r === null || !Array.isArray(r.unit) || !r.unit.every((u) => Number.isInteger(u))) {
      throw new CvxnnError('PARSE_ERROR', `a CNN model's regions must be { rows, cols, unit: integer[] }`);
    }
    model.regions = { rows: r.rows, cols: r.cols, unit: Int32Array.from(r.unit) };
  }
  validateCnn(model);
  return model;
}

/**
 * Objective and gradient of the non-convex CNN on precomputed (already pooling-scaled) stacked
 * patches (n·K × h̃): H = 𝐗W1, A = σ(H), F = pool(A)·W2, then back-propagation through the
 * pooling (every patch of sample i receives sample i's output gradient).
 * @internal
 */
export function cnnValueAndGradient(
  net: TwoLayerNetwork,
  patches: Matrix<Float64Array>,
  gateH: Matrix<Float64Array> | null,
  K: number,
  Y: Matrix<Float64Array>,
  loss: ReturnType<typeof makeLoss>,
  lambda: number,
  dataWeight = 1,
  regions?: { patch: Int32Array; unit: Int32Array },
): { value: number; gW1: Matrix<Float64Array>; gW2: Matrix<Float64Array> } {
  const be = getBackend();
  const n = Y.rows;
  const m = net.W1.cols;
  const c = net.W2.cols;
  const H = be.gemm(patches, net.W1);
  const hd = H.data;
  const act = new Uint8Array(hd.length);
  activate(H, gateH, act);
  // a unit passes gradient only to the patches of its own region
  if (regions) for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) for (let j = 0; j < m; j++) if (regions.unit[j] !== regions.patch[k]) act[(i * K + k) * m + j] = 0;
  const Z = regions ? poolUnits(H, K, regions.patch, regions.unit) : poolRows(H, K);
  const F = be.gemm(Z, net.W2);
  const G = Matrix.zeros(n, c);
  let value = dataWeight * loss.valueAndGrad(F, Y, G);
  if (dataWeight !== 1) for (let j = 0; j < G.data.length; j++) G.data[j] *= dataWeight;
  value += lambda * halfSquaredWeights(net);
  const gW2 = be.gemm(Z, G, { transA: true });
  for (let j = 0; j < gW2.data.length; j++) gW2.data[j] += lambda * net.W2.data[j];
  const dZ = be.gemm(G, net.W2, { transB: true });
  // dH[iK + k, :] = dZ[i, :] ⊙ σ'(H[iK + k, :])
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      const o = (i * K + k) * m;
      for (let j = 0; j < m; j++) hd[o + j] = act[o + j] ? dZ.data[i * m + j] : 0;
    }
  }
  const gW1 = be.gemm(patches, H, { transA: true });
  for (let j = 0; j < gW1.data.length; j++) gW1.data[j] += lambda * net.W1.data[j];
  return { value, gW1, gW2 };
}

/**
 * Options of {@link trainCnnAdam}.
 *
 * @example
 *   const o: CnnTrainOptions = { lambda: 1e-3, iterations: 2000, learningRate: 0.01, seed: 1 };
 */
export interface CnnTrainOptions extends CnnObjectiveOptions {
  /** Adam steps (default 1000) */
  iterations?: number;
  /** default 0.01 */
  learningRate?: number;
  /** `adam` (default) or plain `sgd` (p ← p − η∇, heavy-ball `momentum`) */
  optimizer?: 'adam' | 'sgd';
  /** SGD momentum in [0, 1) (default 0) */
  momentum?: number;
  /** images per step (default: all, full batch); the `sum` data term is rescaled by n/b */
  batchSize?: number;
  /** step-size schedule: constant (default) or cosine annealing to 0 */
  schedule?: 'constant' | 'cosine';
  seed?: number;
  timeLimit?: number;
  /** evaluate the full objective this often (default: ~50 points) */
  evalEvery?: number;
}

/** The options `trainCnnAdam` takes, with their types (the compiler keeps the list complete). */
export const CNN_TRAIN_OPTIONS: OptionSpec<CnnTrainOptions> = {
  ...OBJECTIVE_OPTIONS,
  iterations: 'integer',
  learningRate: 'number',
  optimizer: '"adam"|"sgd"',
  momentum: 'number',
  batchSize: 'integer',
  schedule: '"constant"|"cosine"',
  seed: 'number',
  timeLimit: 'number',
  evalEvery: 'integer',
};

/**
 * A fresh CNN for {@link trainCnnAdam}: He-initialised patch network of `width` filters.
 *
 * @example
 *   const init: CnnInitOptions = { geometry: g, pooling: 'sum', width: 16, seed: 1 };
 */
export interface CnnInitOptions {
  geometry: ConvGeometry;
  pooling?: Pooling;
  width: number;
  /** default: the training seed */
  seed?: number;
  kind?: 'relu' | 'gated-relu';
  appendOne?: boolean;
  /** outputs (default: the columns of Y) */
  c?: number;
  /** regional pooling over a rows × cols grid of patch positions; unit j pools region j mod (rows·cols) */
  regions?: [number, number];
}

/** The keys of a {@link CnnInitOptions}, with their types (the compiler keeps the list complete). */
export const CNN_INIT_OPTIONS: OptionSpec<CnnInitOptions> = {
  geometry: 'object',
  pooling: '"sum"|"mean"',
  width: 'integer',
  seed: 'number',
  kind: '"relu"|"gated-relu"',
  appendOne: 'boolean',
  c: 'integer',
  regions: 'array',
};

/**
 * Result of {@link trainCnnAdam}.
 *
 * @example
 *   const { model, objective, history } = trainCnnAdam(init, X, Y, opts);
 */
export interface CnnTrainResult {
  model: CnnModel;
  objective: number;
  history: Array<{ iteration: number; timeSeconds: number; objective: number }>;
  iterations: number;
  timeSeconds: number;
  status: 'max-iterations' | 'time-limit' | 'diverged';
}

/**
 * Train the non-convex CNN with Adam (or plain SGD, `optimizer: 'sgd'`) on the SAME objective the
 * convex program certifies (weight decay in the gradient, not AdamW) — the baseline of SPEC §4.7 D3. `init` is a model
 * (copied) or `{ width, seed, kind, appendOne, geometry, pooling }` for a He-initialised one.
 *
 * @example
 *   const r = trainCnnAdam({ geometry: g, pooling: 'sum', width: 16, seed: 1 }, X, Y, { lambda: 1e-3, iterations: 500 });
 */
export function trainCnnAdam(
  init: CnnModel | CnnInitOptions,
  X: Matrix<Float64Array>,
  Y: Matrix<Float64Array>,
  opts: CnnTrainOptions,
): CnnTrainResult {
  const t0 = performance.now();
  checkObjectiveOptions('trainCnnAdam', opts, CNN_TRAIN_OPTIONS);
  assertMatrix('trainCnnAdam', 'X', X);
  assertMatrix('trainCnnAdam', 'Y', Y);
  assertOption(init !== null && typeof init === 'object', 'trainCnnAdam: init must be a CnnModel or { geometry, width, … }');
  let model: CnnModel;
  if ('network' in init) {
    validateCnn(init);
    const net = init.network;
    model = { geometry: init.geometry, pooling: init.pooling, network: { ...net, W1: net.W1.clone(), W2: net.W2.clone(), gates: net.gates?.clone() }, ...(init.regions ? { regions: { ...init.regions, unit: init.regions.unit.slice() } } : {}) };
  } else {
    checkOptions('trainCnnAdam init', init, CNN_INIT_OPTIONS);
    const net = initNetwork(init.geometry.patchSize, init.c ?? Y.cols, { width: init.width, seed: init.seed ?? opts.seed ?? 0, kind: init.kind, appendOne: init.appendOne });
    model = { geometry: init.geometry, pooling: init.pooling ?? 'sum', network: net };
    if (init.regions) {
      const [rows, cols] = init.regions;
      model.regions = { rows, cols, unit: Int32Array.from({ length: init.width }, (_, j) => j % (rows * cols)) };
    }
    validateCnn(model);
  }
  const maps = regionMaps(model);
  const g = model.geometry;
  assertImages(X, g);
  assertShape(Y.rows === X.rows, `X has ${X.rows} images but Y has ${Y.rows} rows`);
  assertShape(Y.cols === model.network.W2.cols, `Y has ${Y.cols} columns but the model has ${model.network.W2.cols} outputs`);
  const iters = opts.iterations ?? 1000;
  const lr = opts.learningRate ?? 0.01;
  assertOption(Number.isInteger(iters) && iters >= 0, `iterations must be a non-negative integer, got ${iters}`);
  assertOption(Number.isFinite(lr) && lr > 0, `learningRate must be > 0, got ${lr}`);
  const n = X.rows;
  const b = opts.batchSize ?? n;
  assertOption(Number.isInteger(b) && b >= 1 && b <= n, `batchSize must be an integer in 1..${n}, got ${b}`);
  const loss = makeLoss(opts.loss ?? 'squared', opts.scale ?? 'sum');
  const sgd = (opts.optimizer ?? 'adam') === 'sgd';
  assertOption(opts.optimizer === undefined || opts.optimizer === 'adam' || opts.optimizer === 'sgd', `optimizer must be adam or sgd, got '${String(opts.optimizer)}'`);
  const momentum = opts.momentum ?? 0;
  assertOption(Number.isFinite(momentum) && momentum >= 0 && momentum < 1, `momentum must be in [0, 1), got ${momentum}`);
  const K = g.patches;
  const scale = poolingScale(g, model.pooling);
  const net = model.network;
  const full = extractPatches(X, g, { scale, appendOne: net.appendOne });
  const be = getBackend();
  const gateFull = net.kind === 'gated-relu' && net.gates ? be.gemm(full, net.gates) : null;
  const evalEvery = opts.evalEvery ?? Math.max(1, Math.floor(iters / 50));
  const rng = new Rng(opts.seed ?? 0);
  const params = [net.W1.data, net.W2.data];
  const mom = params.map((p) => new Float64Array(p.length));
  const vel = params.map((p) => new Float64Array(p.length));
  const b1 = 0.9;
  const b2 = 0.999;
  const eps = 1e-8;
  const history: CnnTrainResult['history'] = [];
  let evalTime = 0;
  const fullObjective = (): number => {
    const te = performance.now();
    const v = cnnValueAndGradient(net, full, gateFull, K, Y, loss, opts.lambda, 1, maps).value;
    evalTime += performance.now() - te;
    return v;
  };
  let status: CnnTrainResult['status'] = 'max-iterations';
  let it = 0;
  history.push({ iteration: 0, timeSeconds: 0, objective: fullObjective() });
  const h = full.cols;
  const m = net.W1.cols;
  for (it = 1; it <= iters; it++) {
    let pat = full;
    let gate = gateFull;
    let Yb = Y;
    if (b < n) {
      const perm = rng.permutation(n);
      const idx = Array.from(perm.subarray(0, b));
      pat = Matrix.zeros(b * K, h);
      Yb = Matrix.zeros(b, Y.cols);
      gate = gateFull ? Matrix.zeros(b * K, m) : null;
      idx.forEach((src, t) => {
        pat.data.set(full.data.subarray(src * K * h, (src + 1) * K * h), t * K * h);
        Yb.data.set(Y.row(src), t * Y.cols);
        if (gate && gateFull) gate.data.set(gateFull.data.subarray(src * K * m, (src + 1) * K * m), t * K * m);
      });
    }
    const dataWeight = b < n && (opts.scale ?? 'sum') === 'sum' ? n / b : 1;
    const { value, gW1, gW2 } = cnnValueAndGradient(net, pat, gate, K, Yb, loss, opts.lambda, dataWeight, maps);
    if (!Number.isFinite(value)) {
      status = 'diverged';
      break;
    }
    const rate = opts.schedule === 'cosine' ? lr * 0.5 * (1 + Math.cos((Math.PI * (it - 1)) / iters)) : lr;
    const c1 = 1 / (1 - Math.pow(b1, it));
    const c2 = 1 / (1 - Math.pow(b2, it));
    [gW1.data, gW2.data].forEach((gr, k) => {
      const p = params[k];
      const mk = mom[k];
      const vk = vel[k];
      if (sgd) {
        for (let j = 0; j < p.length; j++) {
          mk[j] = momentum * mk[j] + gr[j];
          p[j] -= rate * mk[j];
        }
        return;
      }
      for (let j = 0; j < p.length; j++) {
        mk[j] = b1 * mk[j] + (1 - b1) * gr[j];
        vk[j] = b2 * vk[j] + (1 - b2) * gr[j] * gr[j];
        p[j] -= (rate * mk[j] * c1) / (Math.sqrt(vk[j] * c2) + eps);
      }
    });
    const elapsed = (performance.now() - t0 - evalTime) / 1000;
    if (it % evalEvery === 0 || it === iters) history.push({ iteration: it, timeSeconds: elapsed, objective: fullObjective() });
    if (opts.timeLimit !== undefined && elapsed > opts.timeLimit) {
      status = 'time-limit';
      break;
    }
  }
  const objective = fullObjective();
  return { model, objective, history, iterations: Math.min(it, iters), timeSeconds: (performance.now() - t0 - evalTime) / 1000, status };
}
