/**
 * The benchmark problems P1 and P2 of issue 4, shared by cvxnn's solver benchmark and the scnn
 * baseline (bench/scnn/run_scnn.py), and the problem-directory format both read.
 *
 * P1: n = 1000, d = 20, P = 100; P2: n = 10^4, d = 50, P = 500; λ = 0.01 in scnn's
 * 1/(2n) convention (SPEC §0.3): 1/(2n)‖Σ_i D_i X u_i − y‖² + λ Σ_i ‖u_i‖.
 * X has i.i.d. N(0,1) entries; y = Σ_{k=1..5} (X w_k)_+ + 0.1·ε with w_k uniform on the unit
 * sphere (a normal vector divided by its norm) and ε ~ N(0, I_n); the gates are the columns of a
 * d × P matrix G with i.i.d. N(0,1) entries, so D_i = diag(1[X g_i > 0]) exactly as scnn does.
 *
 * Problem directory (all float64 little-endian, row-major):
 *   meta.json  {format, name, n, d, P, lambda, scale: "mean", seed, generator}
 *   X.f64      n × d      y.f64  n      G.f64  d × P
 *
 * Imported from packages/<pkg>/bench by relative path, e.g.
 * `import { makeProblem, writeProblem } from '../../../bench/scnn/problems.js'`.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CvxnnError, Matrix, Rng } from '../../packages/linalg/src/index.js';

/** Version tag written into meta.json and checked by readers. */
export const PROBLEM_FORMAT = 'cvxnn-scnn-problem/1';

/** Number of planted ReLU neurons that generate y. */
export const PLANTED_NEURONS = 5;

/** Standard deviation of the label noise. */
export const NOISE_STD = 0.1;

/** Sizes and λ of a synthetic problem. */
export interface ProblemSpec {
  n: number;
  d: number;
  /** number of gate vectors (sampled patterns) */
  P: number;
  lambda: number;
}

/**
 * The two benchmark problems of issue 4.
 *
 * @example
 *   const { n, d, P } = BENCH_PROBLEMS.P2; // 10000, 50, 500
 */
export const BENCH_PROBLEMS: Readonly<Record<'P1' | 'P2', Readonly<ProblemSpec>>> = {
  P1: { n: 1000, d: 20, P: 100, lambda: 0.01 },
  P2: { n: 10_000, d: 50, P: 500, lambda: 0.01 },
};

/** A generated problem: data, labels, gates, λ (scale 'mean'), and how it was made. */
export interface GatedProblem {
  name: string;
  n: number;
  d: number;
  P: number;
  X: Matrix<Float64Array>;
  y: Float64Array;
  /** d × P gate vectors (column i is g_i) */
  G: Matrix<Float64Array>;
  lambda: number;
  /** always 'mean': 1/(2n)‖·‖² + λΣ‖·‖, scnn's convention */
  scale: 'mean';
  seed: number;
  /** the planted first-layer weights, PLANTED_NEURONS × d (row k is w_k, unit norm) */
  planted: Matrix<Float64Array>;
}

function assertSpec(spec: ProblemSpec): void {
  for (const key of ['n', 'd', 'P'] as const) {
    const v = spec[key];
    if (!Number.isInteger(v) || v < 1) {
      throw new CvxnnError('INVALID_OPTION', `${key} must be a positive integer, got ${v}`);
    }
  }
  if (!(spec.lambda > 0) || !Number.isFinite(spec.lambda)) {
    throw new CvxnnError('INVALID_OPTION', `lambda must be a finite number > 0, got ${spec.lambda}`);
  }
}

/**
 * Generate a synthetic problem of any size with the P1/P2 recipe. The random stream is drawn
 * in a fixed order (X row-major, then w_1..w_5, then the noise, then G row-major), so a
 * (spec, seed) pair always gives the same problem.
 *
 * @example
 *   const tiny = makeSyntheticProblem({ n: 50, d: 3, P: 8, lambda: 0.01 }, 7);
 */
export function makeSyntheticProblem(spec: ProblemSpec, seed = 0, name = 'synthetic'): GatedProblem {
  assertSpec(spec);
  const { n, d, P, lambda } = spec;
  const rng = new Rng(seed);
  const X = new Matrix(n, d, rng.normalArray(n * d));
  const planted = new Matrix(PLANTED_NEURONS, d, rng.normalArray(PLANTED_NEURONS * d));
  for (let k = 0; k < PLANTED_NEURONS; k++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += planted.data[k * d + j] ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < d; j++) planted.data[k * d + j] *= inv;
  }
  const noise = rng.normalArray(n);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let acc = 0;
    for (let k = 0; k < PLANTED_NEURONS; k++) {
      let z = 0;
      for (let j = 0; j < d; j++) z += X.data[r * d + j] * planted.data[k * d + j];
      if (z > 0) acc += z;
    }
    y[r] = acc + NOISE_STD * noise[r];
  }
  const G = new Matrix(d, P, rng.normalArray(d * P));
  return { name, n, d, P, X, y, G, lambda, scale: 'mean', seed, planted };
}

/**
 * P1 or P2 of issue 4 (see the module comment), deterministic in `seed`.
 *
 * @example
 *   const p = makeProblem('P1', 0); // p.X: 1000 × 20, p.G: 20 × 100, p.lambda = 0.01
 */
export function makeProblem(name: 'P1' | 'P2', seed = 0): GatedProblem {
  const spec = BENCH_PROBLEMS[name];
  if (spec === undefined) {
    throw new CvxnnError('INVALID_OPTION', `unknown benchmark problem '${String(name)}'; use 'P1' or 'P2'`);
  }
  return makeSyntheticProblem(spec, seed, name);
}

function toLittleEndianBytes(a: Float64Array): Uint8Array {
  const bytes = new Uint8Array(a.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < a.length; i++) view.setFloat64(i * 8, a[i], true);
  return bytes;
}

function fromLittleEndianBytes(buf: Uint8Array): Float64Array {
  const out = new Float64Array(buf.length / 8);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

/** A matrix's entries in row-major order, respecting views (stride/offset). */
function rowMajor(M: Matrix<Float64Array>): Float64Array {
  if (M.stride === M.cols && M.offset === 0 && M.data.length === M.rows * M.cols) return M.data;
  const out = new Float64Array(M.rows * M.cols);
  for (let r = 0; r < M.rows; r++) {
    for (let c = 0; c < M.cols; c++) out[r * M.cols + c] = M.data[M.offset + r * M.stride + c];
  }
  return out;
}

/**
 * Write a problem directory (meta.json, X.f64, y.f64, G.f64) for bench/scnn/run_scnn.py.
 * Creates `dir` if needed; returns it.
 *
 * @example
 *   writeProblem('/tmp/p1', makeProblem('P1'));
 *   // then: /usr/bin/python3 bench/scnn/run_scnn.py /tmp/p1 --model gated
 */
export function writeProblem(dir: string, problem: GatedProblem): string {
  const { n, d, P, X, y, G } = problem;
  if (X.rows !== n || X.cols !== d) throw new CvxnnError('SHAPE_MISMATCH', `X is ${X.rows}×${X.cols}, expected n × d = ${n}×${d}`);
  if (y.length !== n) throw new CvxnnError('SHAPE_MISMATCH', `y has ${y.length} entries, expected n = ${n}`);
  if (G.rows !== d || G.cols !== P) throw new CvxnnError('SHAPE_MISMATCH', `G is ${G.rows}×${G.cols}, expected d × P = ${d}×${P}`);
  mkdirSync(dir, { recursive: true });
  const meta = {
    format: PROBLEM_FORMAT,
    name: problem.name,
    n,
    d,
    P,
    lambda: problem.lambda,
    scale: problem.scale,
    seed: problem.seed,
    generator: `X ~ N(0,1)^(n×d); y = sum of ${PLANTED_NEURONS} ReLU neurons (X w_k)_+ with unit-norm w_k + ${NOISE_STD}·N(0,1); G ~ N(0,1)^(d×P); @cvxnn/linalg Rng(seed), drawn X, W, noise, G`,
  };
  writeFileSync(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  writeFileSync(join(dir, 'X.f64'), toLittleEndianBytes(rowMajor(X)));
  writeFileSync(join(dir, 'y.f64'), toLittleEndianBytes(y));
  writeFileSync(join(dir, 'G.f64'), toLittleEndianBytes(rowMajor(G)));
  return dir;
}

/**
 * Read a problem directory written by `writeProblem` (or by hand in the same format).
 * `planted` is not stored, so it comes back as a 0 × d matrix.
 *
 * @example
 *   const p = readProblem('/tmp/p1'); // p.X, p.y, p.G, p.lambda
 */
export function readProblem(dir: string): GatedProblem {
  const metaPath = join(dir, 'meta.json');
  if (!existsSync(metaPath)) throw new CvxnnError('IO_ERROR', `${dir} has no meta.json; write it with writeProblem or bench/scnn/make_problem.ts`);
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new CvxnnError('PARSE_ERROR', `${metaPath} is not valid JSON: ${(e as Error).message}`);
  }
  const n = Number(meta.n);
  const d = Number(meta.d);
  const P = Number(meta.P);
  const lambda = Number(meta.lambda);
  assertSpec({ n, d, P, lambda });
  if (meta.scale !== undefined && meta.scale !== 'mean') {
    throw new CvxnnError('INVALID_OPTION', `meta.json scale is '${String(meta.scale)}'; only 'mean' (1/(2n)) problems are stored`);
  }
  const load = (file: string, count: number): Float64Array => {
    const path = join(dir, file);
    if (!existsSync(path)) throw new CvxnnError('IO_ERROR', `${path} is missing`);
    const buf = readFileSync(path);
    if (buf.length !== count * 8) {
      throw new CvxnnError('SHAPE_MISMATCH', `${file} holds ${buf.length} bytes, meta.json implies ${count} float64 values (${count * 8} bytes)`);
    }
    const a = fromLittleEndianBytes(buf);
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) throw new CvxnnError('NON_FINITE', `${file} has a non-finite value at index ${i}`);
    }
    return a;
  };
  return {
    name: typeof meta.name === 'string' ? meta.name : 'problem',
    n,
    d,
    P,
    X: new Matrix(n, d, load('X.f64', n * d)),
    y: load('y.f64', n),
    G: new Matrix(d, P, load('G.f64', d * P)),
    lambda,
    scale: 'mean',
    seed: Number(meta.seed ?? 0),
    planted: Matrix.zeros(0, d),
  };
}
