import { CvxnnError, Matrix } from '@cvxnn/linalg';
import { type TwoLayerNetwork, validateNetwork } from './network.js';

/**
 * The `network` object of the run JSON format (docs/run-format.md): matrices as arrays of rows,
 * W1 as d_in × m (including the bias row when `appendOne`), W2 as m × c.
 */
export interface NetworkJson {
  kind: 'relu' | 'gated-relu';
  W1: number[][];
  W2: number[][];
  gates?: number[][];
  b1?: number[];
  b2?: number[];
  appendOne: boolean;
}

/**
 * Serialize a network to its run-JSON object.
 *
 * @example
 *   JSON.stringify(networkToJson(net)); // {"kind":"relu","W1":[[...]],"W2":[[...]],"appendOne":true}
 */
export function networkToJson(net: TwoLayerNetwork): NetworkJson {
  validateNetwork(net);
  const out: NetworkJson = { kind: net.kind, W1: net.W1.toArrays(), W2: net.W2.toArrays(), appendOne: net.appendOne };
  if (net.gates) out.gates = net.gates.toArrays();
  if (net.b1) out.b1 = Array.from(net.b1);
  if (net.b2) out.b2 = Array.from(net.b2);
  return out;
}

function num(v: unknown, where: string): number {
  if (v === null) throw new CvxnnError('NON_FINITE', `${where} is null (a non-finite value was written); the network cannot be used`);
  if (typeof v !== 'number') throw new CvxnnError('NON_NUMERIC', `${where} is ${JSON.stringify(v)}, expected a number`);
  if (!Number.isFinite(v)) throw new CvxnnError('NON_FINITE', `${where} is ${v}, expected a finite number`);
  return v;
}

function matrix(v: unknown, name: string): Matrix<Float64Array> {
  if (!Array.isArray(v)) throw new CvxnnError('PARSE_ERROR', `network.${name} must be an array of rows, got ${v === null ? 'null' : typeof v}`);
  if (v.length === 0) throw new CvxnnError('SHAPE_MISMATCH', `network.${name} has no rows`);
  const rows = v.length;
  let cols = -1;
  for (let i = 0; i < rows; i++) {
    const r: unknown = v[i];
    if (!Array.isArray(r)) throw new CvxnnError('PARSE_ERROR', `network.${name}[${i}] must be an array of numbers`);
    if (cols < 0) cols = r.length;
    if (r.length !== cols) throw new CvxnnError('SHAPE_MISMATCH', `network.${name} is ragged: row 0 has ${cols} entries but row ${i} has ${r.length}`);
  }
  if (cols === 0) throw new CvxnnError('SHAPE_MISMATCH', `network.${name} has rows of length 0`);
  const M = Matrix.zeros(rows, cols);
  for (let i = 0; i < rows; i++) {
    const r = v[i] as unknown[];
    for (let j = 0; j < cols; j++) M.data[i * cols + j] = num(r[j], `network.${name}[${i}][${j}]`);
  }
  return M;
}

function vector(v: unknown, name: string): Float64Array {
  if (!Array.isArray(v)) throw new CvxnnError('PARSE_ERROR', `network.${name} must be an array of numbers`);
  return Float64Array.from(v.map((x: unknown, i) => num(x, `network.${name}[${i}]`)));
}

/**
 * Parse and validate a run-JSON `network` object. Throws a typed `CvxnnError`: `PARSE_ERROR`
 * (not an object, a matrix that is not an array of rows), `INVALID_OPTION` (unknown kind),
 * `NON_NUMERIC` / `NON_FINITE` (bad entries), `SHAPE_MISMATCH` (ragged or inconsistent sizes).
 * A scalar-output `w2` vector (length m) is accepted in place of `W2`.
 *
 * @example
 *   const net = networkFromJson(JSON.parse(text).network);
 */
export function networkFromJson(value: unknown): TwoLayerNetwork {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CvxnnError('PARSE_ERROR', `a network must be a JSON object {kind, W1, W2, appendOne}, got ${Array.isArray(value) ? 'an array' : String(value)}`);
  }
  const o = value as Record<string, unknown>;
  if (o.kind !== 'relu' && o.kind !== 'gated-relu') {
    throw new CvxnnError('INVALID_OPTION', `unknown network kind ${JSON.stringify(o.kind)}; expected "relu" or "gated-relu"`);
  }
  if (o.W1 === undefined) throw new CvxnnError('PARSE_ERROR', 'network.W1 is missing');
  const W1 = matrix(o.W1, 'W1');
  let W2: Matrix<Float64Array>;
  if (o.W2 !== undefined) W2 = matrix(o.W2, 'W2');
  else if (o.w2 !== undefined) {
    const w = vector(o.w2, 'w2');
    W2 = new Matrix(w.length, 1, w);
  } else throw new CvxnnError('PARSE_ERROR', 'network.W2 is missing');
  if (o.appendOne !== undefined && typeof o.appendOne !== 'boolean') {
    throw new CvxnnError('PARSE_ERROR', `network.appendOne must be true or false, got ${JSON.stringify(o.appendOne)}`);
  }
  const net: TwoLayerNetwork = { kind: o.kind, W1, W2, appendOne: o.appendOne === true };
  if (o.gates !== undefined) net.gates = matrix(o.gates, 'gates');
  if (o.kind === 'relu' && net.gates) throw new CvxnnError('PARSE_ERROR', 'a relu network has no gates; use kind "gated-relu" or drop network.gates');
  if (o.b1 !== undefined) net.b1 = vector(o.b1, 'b1');
  if (o.b2 !== undefined) net.b2 = vector(o.b2, 'b2');
  validateNetwork(net);
  return net;
}
