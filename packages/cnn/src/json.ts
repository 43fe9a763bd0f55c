/**
 * Model JSON for every model of this package (the `network` of a run file, docs/run-format.md):
 * writers and validating readers for the separable, linear and circular CNNs, BN networks and
 * layer-wise models, and {@link modelFromJson}, one forward pass for any network kind a run holds.
 */
import { assertShape, CvxnnError, Matrix } from '@cvxnn/linalg';
import { forward, networkFromJson, networkToJson, type NetworkJson, type TwoLayerNetwork } from '@cvxnn/networks';
import { type BnNetwork, bnForward, validateBnNetwork } from './bn/network.js';
import { layerwisePredict, type LayerwiseModel } from './deep/layerwise.js';
import { type CircularCnnResult } from './conv/circular.js';
import { type LinearCnnModel, linearCnnPredict } from './conv/linear.js';
import { cnnFromJson, cnnPredict } from './conv/model.js';
import { type ConvGeometry, convGeometry, type ImageShape } from './conv/patches.js';
import { type SeparableCnnModel, separablePredict } from './conv/separable.js';

/**
 * The convolution geometry as stored in model JSON.
 *
 * @example
 *   const g: GeometryJson = { imageShape: { height: 8, width: 8, channels: 1 }, kernel: [3, 3], stride: 1, padding: 0 };
 */
export interface GeometryJson {
  imageShape: ImageShape;
  kernel: [number, number];
  stride: number;
  padding: number;
}

/**
 * JSON of a separable ReLU CNN.
 *
 * @example
 *   const j: SeparableCnnJson = separableCnnToJson(model);
 */
export interface SeparableCnnJson extends GeometryJson {
  kind: 'separable-cnn';
  filters: number[][];
  head: number[];
  position: number[];
}

/**
 * JSON of a linear CNN with a fully connected head.
 *
 * @example
 *   const j: LinearCnnJson = linearCnnToJson(model);
 */
export interface LinearCnnJson extends GeometryJson {
  kind: 'linear-cnn';
  filters: number[][];
  head: number[][];
  outputs: number;
}

/**
 * JSON of a linear circular CNN on 1-D signals of `length` samples: its Fourier multipliers and the
 * explicit circular filters and head they factor into.
 *
 * @example
 *   const j: CircularCnnJson = circularCnnToJson(result, model);
 */
export interface CircularCnnJson {
  kind: 'linear-circular-cnn';
  length: number;
  spectrum: { re: number[]; im: number[] };
  filters: number[][];
  head: number[][];
}

/**
 * JSON of a BN network (with the training statistics used at prediction time).
 *
 * @example
 *   const j: BnNetworkJson = bnNetworkToJson(net);
 */
export interface BnNetworkJson {
  kind: 'bn';
  placement: BnNetwork['placement'];
  normalization: 'l2' | 'std';
  appendOne: boolean;
  W1: number[][];
  gamma: number[];
  alpha: number[];
  W2: number[][];
  stats?: { mean: number[]; norm: number[] };
}

/**
 * JSON of a greedily trained layer-wise model: its blocks as two-layer network JSON.
 *
 * @example
 *   const j: LayerwiseJson = layerwiseToJson(model);
 */
export interface LayerwiseJson {
  kind: 'layerwise';
  blocks: NetworkJson[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(where: string, what: string, v: unknown): never {
  const got = v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : JSON.stringify(v);
  throw new CvxnnError('PARSE_ERROR', `${where}: expected ${what}, got ${got}`);
}

function finite(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(where, 'a finite number', v);
  return v as number;
}

function vectorOf(v: unknown, where: string): Float64Array {
  if (!Array.isArray(v)) bad(where, 'an array of numbers', v);
  return Float64Array.from(v as unknown[], (x, i) => finite(x, `${where}[${i}]`));
}

function matrixOf(v: unknown, where: string): Matrix<Float64Array> {
  if (!Array.isArray(v) || v.length === 0) bad(where, 'a non-empty array of rows', v);
  const rows = v as unknown[];
  const first = rows[0];
  if (!Array.isArray(first)) bad(`${where}[0]`, 'an array of numbers', first);
  const cols = (first as unknown[]).length;
  const M = Matrix.zeros(rows.length, cols);
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== cols) bad(`${where}[${i}]`, `an array of ${cols} numbers`, r);
    (r as unknown[]).forEach((x, k) => (M.data[i * cols + k] = finite(x, `${where}[${i}][${k}]`)));
  });
  return M;
}

function integer(v: unknown, where: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) bad(where, `an integer ≥ ${min}`, v);
  return v as number;
}

/** The geometry of a model JSON, or of `fallback` (the run's `architecture`) for files written before model JSON carried it. */
function geometryOf(v: Record<string, unknown>, where: string, fallback?: Record<string, unknown>): ConvGeometry {
  const src = v.imageShape !== undefined ? v : fallback;
  if (!src || !isObj(src.imageShape)) bad(`${where}.imageShape`, 'an object {height, width, channels} (or the run architecture)', src?.imageShape);
  const s = src!.imageShape as Record<string, unknown>;
  const image = { height: integer(s.height, `${where}.imageShape.height`, 1), width: integer(s.width, `${where}.imageShape.width`, 1), channels: integer(s.channels, `${where}.imageShape.channels`, 1) };
  const k = src!.kernel;
  const kernel: [number, number] = Array.isArray(k) ? [integer(k[0], `${where}.kernel[0]`, 1), integer(k[1], `${where}.kernel[1]`, 1)] : [integer(k, `${where}.kernel`, 1), integer(k, `${where}.kernel`, 1)];
  return convGeometry(image, { kernel, stride: integer(src!.stride ?? 1, `${where}.stride`, 1), padding: integer(src!.padding ?? 0, `${where}.padding`, 0) });
}

function geometryJson(g: ConvGeometry): GeometryJson {
  return { imageShape: { ...g.image }, kernel: [g.kh, g.kw], stride: g.stride, padding: g.padding };
}

/**
 * Serialize a separable CNN (geometry included).
 *
 * @example
 *   JSON.stringify(separableCnnToJson(recoverSeparableCnn(result)));
 */
export function separableCnnToJson(m: SeparableCnnModel): SeparableCnnJson {
  return { kind: 'separable-cnn', ...geometryJson(m.geometry), filters: m.filters.toArrays(), head: Array.from(m.head), position: Array.from(m.position) };
}

/**
 * Read a separable CNN from its JSON (validated: shapes, positions inside the patch grid).
 *
 * @example
 *   separablePredict(separableCnnFromJson(json), X);
 */
export function separableCnnFromJson(value: unknown, fallback?: Record<string, unknown>, where = 'network'): SeparableCnnModel {
  if (!isObj(value) || value.kind !== 'separable-cnn') bad(where, "an object with kind 'separable-cnn'", value);
  const v = value as Record<string, unknown>;
  const geometry = geometryOf(v, where, fallback);
  const filters = matrixOf(v.filters, `${where}.filters`);
  const head = vectorOf(v.head, `${where}.head`);
  const position = Int32Array.from(vectorOf(v.position, `${where}.position`));
  assertShape(filters.rows === geometry.patchSize, `${where}.filters has ${filters.rows} rows but a ${geometry.kh}×${geometry.kw} patch of ${geometry.image.channels} channel(s) has ${geometry.patchSize} values`);
  assertShape(head.length === filters.cols && position.length === filters.cols, `${where}: ${filters.cols} filters but ${head.length} head weights and ${position.length} positions`);
  position.forEach((k, j) => {
    if (!(k >= 0 && k < geometry.patches)) bad(`${where}.position[${j}]`, `a patch index in 0..${geometry.patches - 1}`, k);
  });
  return { geometry, filters, head, position };
}

/**
 * Serialize a linear CNN (geometry included).
 *
 * @example
 *   JSON.stringify(linearCnnToJson(recoverLinearCnn(result)));
 */
export function linearCnnToJson(m: LinearCnnModel): LinearCnnJson {
  return { kind: 'linear-cnn', ...geometryJson(m.geometry), filters: m.filters.toArrays(), head: m.head.toArrays(), outputs: m.outputs };
}

function checkLinear(geometry: ConvGeometry, filters: Matrix<Float64Array>, head: Matrix<Float64Array>, outputs: number, where: string): void {
  assertShape(filters.rows === geometry.patchSize, `${where}.filters has ${filters.rows} rows but a patch has ${geometry.patchSize} values`);
  assertShape(head.rows === filters.cols, `${where}.head has ${head.rows} rows but there are ${filters.cols} filters`);
  assertShape(head.cols === geometry.patches * outputs, `${where}.head has ${head.cols} columns but ${geometry.patches} patch positions × ${outputs} output(s) need ${geometry.patches * outputs}`);
}

/**
 * Read a linear CNN from its JSON (validated shapes).
 *
 * @example
 *   linearCnnPredict(linearCnnFromJson(json), X);
 */
export function linearCnnFromJson(value: unknown, fallback?: Record<string, unknown>, where = 'network'): LinearCnnModel {
  if (!isObj(value) || value.kind !== 'linear-cnn') bad(where, "an object with kind 'linear-cnn'", value);
  const v = value as Record<string, unknown>;
  const geometry = geometryOf(v, where, fallback);
  const filters = matrixOf(v.filters, `${where}.filters`);
  const head = matrixOf(v.head, `${where}.head`);
  const outputs = integer(v.outputs, `${where}.outputs`, 1);
  checkLinear(geometry, filters, head, outputs, where);
  return { geometry, filters, head, outputs };
}

/**
 * Serialize a circular CNN: its Fourier multipliers and the recovered filters and head.
 *
 * @example
 *   const r = fitCircularCnn(X, y, { lambda: 0.5 });
 *   circularCnnToJson(r, recoverCircularCnn(r));
 */
export function circularCnnToJson(r: Pick<CircularCnnResult, 'length' | 'spectrum'>, m: LinearCnnModel): CircularCnnJson {
  return { kind: 'linear-circular-cnn', length: r.length, spectrum: { re: Array.from(r.spectrum.re), im: Array.from(r.spectrum.im) }, filters: m.filters.toArrays(), head: m.head.toArrays() };
}

/**
 * Read a circular CNN from its JSON: a linear CNN whose d-tap filters wrap around the signal.
 *
 * @example
 *   linearCnnPredict(circularCnnFromJson(json), X);
 */
export function circularCnnFromJson(value: unknown, where = 'network'): LinearCnnModel {
  if (!isObj(value) || value.kind !== 'linear-circular-cnn') bad(where, "an object with kind 'linear-circular-cnn'", value);
  const v = value as Record<string, unknown>;
  const d = integer(v.length, `${where}.length`, 1);
  const geometry = convGeometry({ height: 1, width: d, channels: 1 }, { kernel: [1, d], circular: true });
  const filters = matrixOf(v.filters, `${where}.filters`);
  const head = matrixOf(v.head, `${where}.head`);
  const outputs = head.cols / geometry.patches;
  if (!Number.isInteger(outputs) || outputs < 1) bad(`${where}.head`, `rows of a multiple of ${geometry.patches} values (one per shift and output)`, `${head.cols} columns`);
  checkLinear(geometry, filters, head, outputs, where);
  return { geometry, filters, head, outputs };
}

/**
 * Serialize a BN network with its training statistics.
 *
 * @example
 *   JSON.stringify(bnNetworkToJson(fitBnConvex(X, Y, opts).network));
 */
export function bnNetworkToJson(net: BnNetwork): BnNetworkJson {
  return {
    kind: 'bn',
    placement: net.placement,
    normalization: net.normalization ?? 'l2',
    appendOne: net.appendOne,
    W1: net.W1.toArrays(),
    gamma: Array.from(net.gamma),
    alpha: Array.from(net.alpha),
    W2: net.W2.toArrays(),
    ...(net.stats ? { stats: { mean: Array.from(net.stats.mean), norm: Array.from(net.stats.norm) } } : {}),
  };
}

/**
 * Read a BN network from its JSON (validated).
 *
 * @example
 *   bnForward(bnNetworkFromJson(json), X).F;
 */
export function bnNetworkFromJson(value: unknown, where = 'network'): BnNetwork {
  if (!isObj(value) || value.kind !== 'bn') bad(where, "an object with kind 'bn'", value);
  const v = value as Record<string, unknown>;
  if (v.placement !== 'scale' && v.placement !== 'centred' && v.placement !== 'before') bad(`${where}.placement`, "'scale', 'centred' or 'before'", v.placement);
  const normalization = v.normalization ?? 'l2';
  if (normalization !== 'l2' && normalization !== 'std') bad(`${where}.normalization`, "'l2' or 'std'", normalization);
  if (typeof v.appendOne !== 'boolean') bad(`${where}.appendOne`, 'true or false', v.appendOne);
  const net: BnNetwork = {
    kind: 'bn',
    placement: v.placement as BnNetwork['placement'],
    normalization: normalization as 'l2' | 'std',
    appendOne: v.appendOne as boolean,
    W1: matrixOf(v.W1, `${where}.W1`),
    gamma: vectorOf(v.gamma, `${where}.gamma`),
    alpha: vectorOf(v.alpha, `${where}.alpha`),
    W2: matrixOf(v.W2, `${where}.W2`),
  };
  if (v.stats !== undefined) {
    if (!isObj(v.stats)) bad(`${where}.stats`, 'an object {mean, norm}', v.stats);
    const s = v.stats as Record<string, unknown>;
    net.stats = { mean: vectorOf(s.mean, `${where}.stats.mean`), norm: vectorOf(s.norm, `${where}.stats.norm`) };
    assertShape(net.stats.mean.length === net.W1.cols && net.stats.norm.length === net.W1.cols, `${where}.stats has ${net.stats.mean.length}/${net.stats.norm.length} entries but W1 has ${net.W1.cols} neurons`);
  }
  validateBnNetwork(net);
  return net;
}

/**
 * Serialize a layer-wise model.
 *
 * @example
 *   JSON.stringify(layerwiseToJson(fitLayerwise(X, Y, opts).model));
 */
export function layerwiseToJson(model: LayerwiseModel): LayerwiseJson {
  return { kind: 'layerwise', blocks: model.blocks.map((b) => networkToJson(b)) };
}

/**
 * Read a layer-wise model from its JSON: each block a two-layer network whose input is the
 * previous block's hidden layer (checked).
 *
 * @example
 *   layerwisePredict(layerwiseFromJson(json), X);
 */
export function layerwiseFromJson(value: unknown, where = 'network'): LayerwiseModel {
  if (!isObj(value) || value.kind !== 'layerwise') bad(where, "an object with kind 'layerwise'", value);
  const blocks = (value as Record<string, unknown>).blocks;
  if (!Array.isArray(blocks) || blocks.length === 0) bad(`${where}.blocks`, 'a non-empty array of networks', blocks);
  const nets: TwoLayerNetwork[] = (blocks as unknown[]).map((b) => networkFromJson(b));
  for (let l = 1; l < nets.length; l++) {
    const want = nets[l - 1]!.W1.cols + (nets[l]!.appendOne ? 1 : 0);
    assertShape(nets[l]!.W1.rows === want, `${where}.blocks[${l}] takes ${nets[l]!.W1.rows} inputs but block ${l - 1} has ${nets[l - 1]!.W1.cols} hidden units${nets[l]!.appendOne ? ' (+1 bias)' : ''}`);
  }
  return { kind: 'layerwise', blocks: nets };
}

/**
 * A model read from JSON: its kind, how many features it reads and outputs it gives, and its
 * forward pass on raw model inputs (preprocessing already applied).
 *
 * @example
 *   const m: LoadedModel = modelFromJson(run.network);
 *   m.predict(X); // n × m.outputs
 */
export interface LoadedModel {
  kind: string;
  inputs: number;
  outputs: number;
  predict(X: Matrix<Float64Array>): Matrix<Float64Array>;
}

/**
 * The network kinds {@link modelFromJson} reads.
 *
 * @example
 *   MODEL_KINDS.includes('bn'); // true
 */
export const MODEL_KINDS: readonly string[] = ['relu', 'gated-relu', 'cnn', 'separable-cnn', 'linear-cnn', 'linear-circular-cnn', 'bn', 'layerwise'];

function imagePixels(g: ConvGeometry): number {
  return g.image.height * g.image.width * g.image.channels;
}

/**
 * Read any network a run file holds (two-layer `relu` / `gated-relu`, pooled `cnn`,
 * `separable-cnn`, `linear-cnn`, `linear-circular-cnn`, `bn`, `layerwise`) and give its forward
 * pass. `fallback` is the run's `architecture`, for CNN JSON written without its geometry. An
 * unknown kind is `INVALID_OPTION` listing the kinds; malformed JSON is `PARSE_ERROR` naming the key.
 *
 * @example
 *   const model = modelFromJson(run.network, run.architecture);
 *   const F = model.predict(Xstandardized);
 */
export function modelFromJson(value: unknown, fallback?: Record<string, unknown>): LoadedModel {
  if (!isObj(value)) bad('network', 'an object with a kind', value);
  const kind = (value as Record<string, unknown>).kind;
  switch (kind) {
    case 'relu':
    case 'gated-relu': {
      const net = networkFromJson(value);
      return { kind, inputs: net.W1.rows - (net.appendOne ? 1 : 0), outputs: net.W2.cols, predict: (X) => forward(net, X).F };
    }
    case 'cnn': {
      const m = cnnFromJson(value);
      return { kind, inputs: imagePixels(m.geometry), outputs: m.network.W2.cols, predict: (X) => cnnPredict(m, X) };
    }
    case 'separable-cnn': {
      const m = separableCnnFromJson(value, fallback);
      return { kind, inputs: imagePixels(m.geometry), outputs: 1, predict: (X) => separablePredict(m, X) };
    }
    case 'linear-cnn':
    case 'linear-circular-cnn': {
      const m = kind === 'linear-cnn' ? linearCnnFromJson(value, fallback) : circularCnnFromJson(value);
      return { kind, inputs: imagePixels(m.geometry), outputs: m.outputs, predict: (X) => linearCnnPredict(m, X) };
    }
    case 'bn': {
      const net = bnNetworkFromJson(value);
      return { kind, inputs: net.W1.rows - (net.appendOne ? 1 : 0), outputs: net.W2.cols, predict: (X) => bnForward(net, X).F };
    }
    case 'layerwise': {
      const m = layerwiseFromJson(value);
      const b0 = m.blocks[0]!;
      return { kind, inputs: b0.W1.rows - (b0.appendOne ? 1 : 0), outputs: m.blocks[m.blocks.length - 1]!.W2.cols, predict: (X) => layerwisePredict(m, X) };
    }
    default:
      throw new CvxnnError('INVALID_OPTION', `network kind ${JSON.stringify(kind)} is not one cvxnn writes; expected one of ${MODEL_KINDS.join(', ')}`);
  }
}
