/**
 * The onnxruntime-node backends: `onnx` (fp64) and `onnx-fp32`. Every product is one MLAS GEMM
 * inside a small ONNX graph built by `proto.ts`:
 * - gemm: `Gemm(A, B; transA, transB)` with symbolic dims (one session per transposition pair);
 * - maskedForward: `T = X·U` (n×P·c), `F = ReduceSum_i(M ∘ T)` — one GEMM, then mask and row sum
 *   in the same native pass;
 * - maskedBackward: `S = M ∘ R` (n×P·c) once, then one GEMM `G = Xᵀ·S` (`Gemm` with transA).
 * Sessions are built once per graph (per c for the masked products; all other dims symbolic); the 0/1 mask
 * is unpacked from the bits once per `PatternMasks` (in the backend's precision) and re-checked
 * against the bits on every call, so a mask edited in place is re-unpacked, never stale.
 * Inputs that are not already contiguous arrays of the backend's precision (fp32, strided views)
 * are converted once and cached on the `Matrix` object, re-validated on each call.
 * Rows are processed in chunks so the n×P·c intermediate stays below `maxChunkElements`.
 *
 * onnxruntime-node's `InferenceSession.run` is asynchronous (it defers with `setImmediate`) but
 * the kernels are synchronous, so this module drives the package's native binding directly; its
 * `run` is synchronous. Group norms and the prox step are the TypeScript ones (O(d·P), not a
 * bottleneck).
 */
import os from 'node:os';
import { createRequire } from 'node:module';
import { assertOption, assertShape, checkOptions, createCpuBackend, CvxnnError, Matrix, validateGemm, type Backend, type GemmOptions, type OptionSpec, type PatternMasks, type Precision } from '@cvxnn/linalg';
import { DOUBLE, encodeModel, FLOAT, node, valueInfo, type OnnxInitializer } from './proto.js';

/**
 * Options of `createOnnxBackend`.
 *
 * @example
 *   const b = await createOnnxBackend({ precision: 'fp32', threads: 2 });
 */
export interface OnnxBackendOptions {
  /** 'fp64' (default) or 'fp32' */
  precision?: Precision;
  /** intra-op threads of every session; default `os.availableParallelism()` */
  threads?: number;
  /** largest n×P·c intermediate of one masked-product call, in elements (default 2²³ = 8M) */
  maxChunkElements?: number;
  /** module specifier to load (tests point it at a missing module); default 'onnxruntime-node' */
  moduleName?: string;
  /**
   * onnxruntime execution providers, in order; default `['cpu']`. `['cuda', 'cpu']` is the
   * experimental GPU path: it needs onnxruntime-node installed with `ONNXRUNTIME_NODE_INSTALL=cuda12`
   * and CUDA 12 + cuDNN 9 on the machine, and is NOT tested by this project (no GPU in CI);
   * see README, Backends. Inputs are still host arrays, copied to the device on every call.
   */
  executionProviders?: string[];
}

/** The options `createOnnxBackend` takes, with their types (the compiler keeps the list complete). */
export const ONNX_BACKEND_OPTIONS: OptionSpec<OnnxBackendOptions> = { precision: '"fp64"|"fp32"', threads: 'integer', maxChunkElements: 'integer', moduleName: 'string', executionProviders: 'array' };

interface OrtTensorCtor {
  new (type: 'float64' | 'float32', data: Float64Array | Float32Array, dims: readonly number[]): OrtTensor;
}
interface OrtTensor {
  data: unknown;
  dims: readonly number[];
}
interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, OrtTensor | null>, options: object): Record<string, { data: Float64Array | Float32Array; dims: readonly number[] }>;
  dispose(): void;
}
interface OrtRuntime {
  Tensor: OrtTensorCtor;
  newSession(bytes: Uint8Array): NativeSession;
  version: string;
}

const runtimes = new Map<string, Promise<OrtRuntime>>();

/** Load onnxruntime-node (once per process) and its synchronous native binding. */
async function loadRuntime(moduleName: string, threads: number, providers: string[]): Promise<OrtRuntime> {
  const key = `${moduleName}:${threads}:${providers.join(',')}`;
  let p = runtimes.get(key);
  if (!p) {
    p = (async () => {
      let ort: { Tensor: OrtTensorCtor; env?: { versions?: { node?: string } } };
      let native: { binding: { InferenceSession: new () => NativeSession }; initOrt: () => void };
      try {
        ort = (await import(moduleName)) as typeof ort;
        const require = createRequire(import.meta.url);
        native = require(`${moduleName}/dist/binding.js`) as typeof native;
        native.initOrt();
      } catch (e) {
        const msg = (e as Error).message.split('\n')[0];
        throw new CvxnnError('BACKEND_UNAVAILABLE', `${moduleName} could not be loaded (${msg}); install it with 'pnpm add onnxruntime-node' (ONNXRUNTIME_NODE_INSTALL=skip) or choose the 'ts' backend (CLI: --backend ts)`);
      }
      const options = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', enableCpuMemArena: true, executionProviders: providers };
      return {
        Tensor: ort.Tensor,
        version: ort.env?.versions?.node ?? 'unknown',
        newSession(bytes: Uint8Array): NativeSession {
          const s = new native.binding.InferenceSession();
          s.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, options);
          return s;
        },
      };
    })();
    runtimes.set(key, p);
    p.catch(() => runtimes.delete(key));
  }
  return p;
}

type Arr = Float64Array | Float32Array;

/** A contiguous row-major copy (or view) of a matrix in the backend's precision. */
interface Flat {
  data: Arr;
  /** the source buffer/offset/stride this was made from */
  src: Float64Array;
  offset: number;
  stride: number;
  rows: number;
  cols: number;
  /** true when `data` aliases the source (always current) */
  alias: boolean;
}

/** Does the cached copy still equal (the precision-rounded) source? */
function stillCurrent(f: Flat, m: Matrix<Float64Array>): boolean {
  if (f.alias) return true;
  if (f.src !== m.data || f.offset !== m.offset || f.stride !== m.stride || f.rows !== m.rows || f.cols !== m.cols) return false;
  const d = f.data;
  const s = m.data;
  const cols = m.cols;
  const round = d instanceof Float32Array;
  for (let i = 0; i < m.rows; i++) {
    const so = m.offset + i * m.stride;
    const dO = i * cols;
    if (round) {
      for (let j = 0; j < cols; j++) if (Math.fround(s[so + j]) !== d[dO + j]) return false;
    } else {
      for (let j = 0; j < cols; j++) if (s[so + j] !== d[dO + j] && !(Number.isNaN(s[so + j]) && Number.isNaN(d[dO + j]))) return false;
    }
  }
  return true;
}

function makeFlat(m: Matrix<Float64Array>, precision: Precision): Flat {
  const { rows, cols } = m;
  const base = { src: m.data, offset: m.offset, stride: m.stride, rows, cols };
  if (precision === 'fp64' && m.isContiguous) {
    return { ...base, data: m.data.subarray(m.offset, m.offset + rows * cols), alias: true };
  }
  const data = precision === 'fp64' ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const so = m.offset + i * m.stride;
    for (let j = 0; j < cols; j++) data[i * cols + j] = m.data[so + j];
  }
  return { ...base, data, alias: false };
}

interface MaskCache {
  bits: Uint32Array;
  dense: Arr;
}

/**
 * Create an onnxruntime-node backend (MLAS kernels on the CPU). Rejects with
 * `BACKEND_UNAVAILABLE` and a one-line reason when onnxruntime-node is missing or fails to load.
 *
 * @example
 *   const onnx = await createOnnxBackend();                     // fp64
 *   const fast = await createOnnxBackend({ precision: 'fp32' }); // fp32, reported as such
 *   const F = onnx.maskedForward(X, PatternMasks.fromGates(X, G), U);
 */
export async function createOnnxBackend(opts: OnnxBackendOptions = {}): Promise<Backend> {
  checkOptions('createOnnxBackend', opts, ONNX_BACKEND_OPTIONS);
  const precision = opts.precision ?? 'fp64';
  assertOption(precision === 'fp64' || precision === 'fp32', `precision must be 'fp64' or 'fp32', got '${String(precision)}'`);
  const threads = opts.threads ?? os.availableParallelism();
  assertOption(Number.isInteger(threads) && threads >= 1, `threads must be a positive integer, got ${threads}`);
  const maxChunk = opts.maxChunkElements ?? 1 << 23;
  assertOption(Number.isInteger(maxChunk) && maxChunk >= 1, `maxChunkElements must be a positive integer, got ${maxChunk}`);
  const providers = opts.executionProviders ?? ['cpu'];
  assertOption(Array.isArray(providers) && providers.length > 0 && providers.every((p) => typeof p === 'string' && p !== ''), `executionProviders must be a non-empty list of names such as ['cpu'], got ${JSON.stringify(providers)}`);
  const rt = await loadRuntime(opts.moduleName ?? 'onnxruntime-node', threads, providers);
  const et = precision === 'fp64' ? DOUBLE : FLOAT;
  const tt = precision === 'fp64' ? 'float64' : 'float32';
  const Ctor = precision === 'fp64' ? Float64Array : Float32Array;
  const cpu = createCpuBackend();

  const sessions = new Map<string, NativeSession>();
  const session = (key: string, build: () => Uint8Array): NativeSession => {
    let s = sessions.get(key);
    if (!s) {
      s = rt.newSession(build());
      sessions.set(key, s);
    }
    return s;
  };
  const flats = new WeakMap<Matrix<Float64Array>, Flat>();
  const flat = (m: Matrix<Float64Array>): Flat => {
    let f = flats.get(m);
    if (!f || !stillCurrent(f, m)) {
      f = makeFlat(m, precision);
      flats.set(m, f);
    }
    return f;
  };
  const masks = new WeakMap<PatternMasks, MaskCache>();
  const dense = (M: PatternMasks): Arr => {
    const hit = masks.get(M);
    if (hit && hit.bits.length === M.bits.length && hit.bits.every((w, i) => w === M.bits[i])) return hit.dense;
    const { n, p, wordsPerRow: wpr, bits } = M;
    const out = new Ctor(n * p);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < p; i++) out[j * p + i] = (bits[j * wpr + (i >>> 5)] >>> (i & 31)) & 1;
    }
    masks.set(M, { bits: bits.slice(), dense: out });
    return out;
  };
  const tensor = (data: Arr, dims: number[]) => new rt.Tensor(tt, data, dims);

  const gemmSession = (ta: boolean, tb: boolean) =>
    session(`gemm:${ta}:${tb}`, () =>
      encodeModel({
        nodes: [node('Gemm', ['A', 'B'], ['C'], { transA: ta ? 1 : 0, transB: tb ? 1 : 0 })],
        inputs: [valueInfo('A', et, ta ? ['k', 'm'] : ['m', 'k']), valueInfo('B', et, tb ? ['n', 'k'] : ['k', 'n'])],
        outputs: [valueInfo('C', et, ['m', 'n'])],
      }),
    );

  // F = ReduceSum_i (M ∘ (X·U)). Dims are symbolic except c, so one session serves every n, d,
  // P and row chunk (working sets change P often); Reshape's 0 copies a dim, -1 infers one.
  const forwardSession = (c: number) =>
    session(`fwd:${c}`, () => {
      const inits: OnnxInitializer[] = [{ name: 'axes', dims: [1], int64: [1] }];
      const nodes = [node('MatMul', ['X', 'U'], ['T'])];
      if (c === 1) {
        nodes.push(node('Mul', ['T', 'M'], ['S']), node('ReduceSum', ['S', 'axes'], ['F'], { keepdims: 1 }));
      } else {
        inits.push({ name: 'shape3', dims: [3], int64: [0, -1, c] });
        nodes.push(node('Reshape', ['T', 'shape3'], ['T3']), node('Mul', ['T3', 'M'], ['S']), node('ReduceSum', ['S', 'axes'], ['F'], { keepdims: 0 }));
      }
      return encodeModel({
        nodes,
        initializers: inits,
        inputs: [valueInfo('X', et, ['n', 'd']), valueInfo('M', et, c === 1 ? ['n', 'P'] : ['n', 'P', 1]), valueInfo('U', et, ['d', 'Pc'])],
        outputs: [valueInfo('F', et, ['n', c])],
      });
    });

  // G = Xᵀ·(M ∘ R) per row chunk (Gemm with transA; the chunks' partial sums accumulate in TS)
  const backwardSession = (c: number) =>
    session(`bwd:${c}`, () => {
      const inits: OnnxInitializer[] = [];
      const nodes = [];
      if (c === 1) {
        nodes.push(node('Mul', ['M', 'R'], ['S']));
      } else {
        inits.push({ name: 'rshape', dims: [3], int64: [0, 1, c] }, { name: 'sshape', dims: [2], int64: [0, -1] });
        nodes.push(node('Reshape', ['R', 'rshape'], ['R3']), node('Mul', ['M', 'R3'], ['S3']), node('Reshape', ['S3', 'sshape'], ['S']));
      }
      nodes.push(node('Gemm', ['X', 'S'], ['G'], { transA: 1 }));
      return encodeModel({
        nodes,
        initializers: inits,
        inputs: [valueInfo('X', et, ['n', 'd']), valueInfo('M', et, c === 1 ? ['n', 'P'] : ['n', 'P', 1]), valueInfo('R', et, ['n', c])],
        outputs: [valueInfo('G', et, ['d', 'Pc'])],
      });
    });

  // Build one session now, so a runtime that loads but cannot run (a missing execution provider,
  // a broken native library) fails here, where `resolveBackend('auto')` can fall back.
  try {
    gemmSession(false, false);
  } catch (e) {
    throw new CvxnnError('BACKEND_UNAVAILABLE', `onnxruntime-node loaded but cannot create a session with execution providers [${providers.join(', ')}]: ${(e as Error).message.split('\n')[0]}`);
  }

  const chunkRows = (n: number, width: number) => Math.max(1, Math.min(n, Math.floor(maxChunk / Math.max(1, width))));

  /** Write `src` (contiguous rows×cols) into `out` as alpha·src + beta·out. */
  const writeOut = (src: ArrayLike<number>, out: Matrix<Float64Array>, alpha: number, beta: number, rowOffset = 0, rows = out.rows): void => {
    const { cols, data } = out;
    for (let i = 0; i < rows; i++) {
      const o = out.offset + (i + rowOffset) * out.stride;
      const s = i * cols;
      if (beta === 0) for (let j = 0; j < cols; j++) data[o + j] = alpha * src[s + j];
      else if (alpha === 1 && beta === 1) for (let j = 0; j < cols; j++) data[o + j] += src[s + j];
      else for (let j = 0; j < cols; j++) data[o + j] = alpha * src[s + j] + beta * data[o + j];
    }
  };

  const backend: Backend = {
    name: precision === 'fp64' ? 'onnx' : 'onnx-fp32',
    precision,
    description: `onnxruntime-node ${rt.version} (${providers.join('+') === 'cpu' ? 'MLAS, CPU' : `execution providers ${providers.join(', ')}`}, ${precision}, ${threads} threads)`,

    gemm(a: Matrix<Float64Array>, b: Matrix<Float64Array>, o: GemmOptions = {}): Matrix<Float64Array> {
      const { transA = false, transB = false, alpha = 1, beta = 0 } = o;
      const { m, n, k } = validateGemm(a, b, o);
      if (m === 0 || n === 0 || k === 0 || alpha === 0) return cpu.gemm(a, b, o);
      const feeds = { A: tensor(flat(a).data, [a.rows, a.cols]), B: tensor(flat(b).data, [b.rows, b.cols]) };
      if (precision === 'fp64' && alpha === 1 && beta === 0 && (!o.out || o.out.isContiguous)) {
        // ORT writes straight into the result's buffer (a pre-allocated fetch): no copy
        const out = o.out ?? Matrix.zeros(m, n);
        gemmSession(transA, transB).run(feeds, { C: tensor(out.data.subarray(out.offset, out.offset + m * n), [m, n]) }, {});
        return out;
      }
      const r = gemmSession(transA, transB).run(feeds, { C: null }, {}).C;
      const out = o.out ?? Matrix.zeros(m, n);
      writeOut(r.data, out, alpha, beta);
      return out;
    },

    maskedForward(X: Matrix<Float64Array>, M: PatternMasks, U: Matrix<Float64Array>, out?: Matrix<Float64Array>): Matrix<Float64Array> {
      assertShape(M.n === X.rows, `maskedForward: masks cover ${M.n} samples but X has ${X.rows} rows; build the masks from the same X`);
      assertShape(U.rows === X.cols, `maskedForward: U has ${U.rows} rows but X has ${X.cols} columns; U must be d×(P·c)`);
      assertShape(M.p > 0 ? U.cols % M.p === 0 : U.cols === 0, `maskedForward: U has ${U.cols} columns, not a multiple of P=${M.p}; U must be d×(P·c)`);
      const c = M.p > 0 ? U.cols / M.p : 1;
      if (out) assertShape(out.rows === X.rows && out.cols === c, `maskedForward: output is ${out.rows}×${out.cols}, expected ${X.rows}×${c}`);
      const n = X.rows;
      const d = X.cols;
      const p = M.p;
      if (n === 0 || p === 0 || d === 0) return cpu.maskedForward(X, M, U, out);
      const F = out ?? Matrix.zeros(n, c);
      const xd = flat(X).data;
      const md = dense(M);
      const ut = tensor(flat(U).data, [d, p * c]);
      const rows = chunkRows(n, p * c);
      for (let r0 = 0; r0 < n; r0 += rows) {
        const nr = Math.min(rows, n - r0);
        const s = forwardSession(c);
        const mDims = c === 1 ? [nr, p] : [nr, p, 1];
        const res = s.run({ X: tensor(xd.subarray(r0 * d, (r0 + nr) * d), [nr, d]), M: tensor(md.subarray(r0 * p, (r0 + nr) * p), mDims), U: ut }, { F: null }, {}).F;
        writeOut(res.data, F, 1, 0, r0, nr);
      }
      return F;
    },

    maskedBackward(X: Matrix<Float64Array>, M: PatternMasks, R: Matrix<Float64Array>, out?: Matrix<Float64Array>): Matrix<Float64Array> {
      assertShape(M.n === X.rows, `maskedBackward: masks cover ${M.n} samples but X has ${X.rows} rows; build the masks from the same X`);
      assertShape(R.rows === X.rows, `maskedBackward: R has ${R.rows} rows but X has ${X.rows}; pass one residual row per sample`);
      const c = R.cols;
      const n = X.rows;
      const d = X.cols;
      const p = M.p;
      if (out) assertShape(out.rows === d && out.cols === p * c, `maskedBackward: output is ${out.rows}×${out.cols}, expected ${d}×${p * c}`);
      if (n === 0 || p === 0 || d === 0 || c === 0) return cpu.maskedBackward(X, M, R, out);
      const G = out ?? Matrix.zeros(d, p * c);
      const xd = flat(X).data;
      const md = dense(M);
      const rd = flat(R).data;
      const rows = chunkRows(n, p * c);
      for (let r0 = 0; r0 < n; r0 += rows) {
        const nr = Math.min(rows, n - r0);
        const s = backwardSession(c);
        const mDims = c === 1 ? [nr, p] : [nr, p, 1];
        const res = s.run(
          { X: tensor(xd.subarray(r0 * d, (r0 + nr) * d), [nr, d]), M: tensor(md.subarray(r0 * p, (r0 + nr) * p), mDims), R: tensor(rd.subarray(r0 * c, (r0 + nr) * c), [nr, c]) },
          { G: null },
          {},
        ).G;
        writeOut(res.data, G, 1, r0 === 0 ? 0 : 1);
      }
      return G;
    },

    groupNorms: (U, c, o) => cpu.groupNorms(U, c, o),
    groupSoftThreshold: (U, t, c, o) => cpu.groupSoftThreshold(U, t, c, o),

    dispose(): void {
      for (const s of sessions.values()) s.dispose();
      sessions.clear();
    },
  };
  return backend;
}
