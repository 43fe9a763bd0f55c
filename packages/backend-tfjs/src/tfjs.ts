/**
 * The TensorFlow.js backends of cvxnn, all fp32: `wasm` (@tensorflow/tfjs-backend-wasm, XNNPACK
 * with SIMD, single-threaded in Node), `tfjs-cpu` (@tensorflow/tfjs-backend-cpu, plain JS; a
 * reference) and `tfjs-node-gpu` (@tensorflow/tfjs-node-gpu: libtensorflow with CUDA; an optional
 * package that is never installed here, loaded by dynamic import).
 *
 * The masked products put the 0/1 mask in a GEMM operand, so no n×P intermediate is ever formed
 * (the mask itself stays on the device):
 * - maskedForward: `F[:,k] = rowsum(X ∘ (M·V_k))` with `V = P×(c·d)`, `V[i, k·d+r] = U[r, i·c+k]`,
 *   i.e. one GEMM `M·V` (n×c·d), then a product with X and a row sum over d;
 * - maskedBackward: `G[r, i·c+k] = (Mᵀ·W)[i, k·d+r]` with `W = [R[:,k] ∘ X]_k` (n×c·d), i.e.
 *   one GEMM `Mᵀ·W` (P×c·d) against a cached device copy of Mᵀ.
 * Both are the same 2·n·d·P·c flops as `X·U` / `Xᵀ·(M∘R)`, and exact rewrites (M is 0/1).
 * tfjs-wasm's matMul with a transposed operand is many times slower than without, so every
 * operand is uploaded (or cached) in the orientation its GEMM wants; the transposes happen on the
 * host while converting to fp32, which is needed anyway.
 *
 * Device copies: X (and any matrix used as a GEMM operand twice) and the masks (M and Mᵀ, dense
 * fp32) stay on the device across calls, cached by object identity and re-validated on every call
 * against a host copy (O(n·d) compare for X, O(n·P/32) for the mask bits), so a matrix or mask
 * edited in place is re-uploaded, never stale. Per call, only U (d×P·c) or R (n×c) go up and F
 * (n×c) or G (d×P·c) come down. Cached tensors are disposed when their matrix is garbage-collected
 * and on `dispose()`.
 *
 * Group norms and the group prox are the TypeScript fp64 ones: O(d·P), not a bottleneck, and the
 * interface passes host matrices, so a device round trip would cost more than the work.
 */
import type * as Tf from '@tensorflow/tfjs-core';
import { assertFiniteGemm, assertFiniteInput, assertOption, checkOptions, createCpuBackend, CvxnnError, Matrix, validateGemm, validateMaskedBackward, validateMaskedForward, type Backend, type GemmOptions, type OptionSpec, type PatternMasks } from '@cvxnn/linalg';

/**
 * Which TensorFlow.js backend runs the kernels.
 *
 * @example
 *   const kind: TfjsKind = 'wasm';
 */
export type TfjsKind = 'wasm' | 'cpu' | 'node-gpu';

/**
 * Options of `createTfjsBackend`.
 *
 * @example
 *   const o: TfjsBackendOptions = { kind: 'node-gpu', requireGpu: true };
 */
export interface TfjsBackendOptions {
  /** 'wasm' (default), 'cpu' or 'node-gpu' */
  kind?: TfjsKind;
  /**
   * Module to load for `node-gpu` (default '@tensorflow/tfjs-node-gpu'; '@tensorflow/tfjs-node'
   * gives libtensorflow on the CPU). Tests point it at a missing module to simulate its absence.
   */
  moduleName?: string;
  /**
   * `node-gpu` only: reject when libtensorflow found no CUDA device (default true; tfjs-node-gpu
   * silently runs on the CPU then, which `auto` must not mistake for a GPU).
   */
  requireGpu?: boolean;
}

/** The options `createTfjsBackend` takes, with their types (the compiler keeps the list complete). */
export const TFJS_BACKEND_OPTIONS: OptionSpec<TfjsBackendOptions> = { kind: '"wasm"|"cpu"|"node-gpu"', moduleName: 'string', requireGpu: 'boolean' };

/** The registry name of each kind. */
export const TFJS_BACKEND_NAMES: Readonly<Record<TfjsKind, string>> = Object.freeze({ wasm: 'wasm', cpu: 'tfjs-cpu', 'node-gpu': 'tfjs-node-gpu' });

type TfModule = typeof Tf;

let tfPromise: Promise<TfModule> | undefined;
/** tfjs-core, loaded once, in production mode (no debug checks, no console advice). */
async function loadTf(): Promise<TfModule> {
  tfPromise ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    tf.env().set('PROD', true);
    return tf;
  })();
  return tfPromise;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

/** The version of tfjs-core this package is built against (the optional GPU package must match). */
export const TFJS_VERSION = '4.22.0';

const nodeGpuModules = new Map<string, Promise<{ version?: Record<string, string> }>>();
/** Import the optional libtensorflow package (once per name); a missing one is BACKEND_UNAVAILABLE. */
async function importNodeGpu(moduleName: string): Promise<{ version?: Record<string, string> }> {
  let p = nodeGpuModules.get(moduleName);
  if (!p) {
    p = (import(moduleName) as Promise<{ version?: Record<string, string> }>).catch((e: unknown) => {
      nodeGpuModules.delete(moduleName);
      throw new CvxnnError('BACKEND_UNAVAILABLE', `${moduleName} could not be loaded (${firstLine(e)}); it needs libtensorflow 2.9.1 with CUDA 11.2 + cuDNN 8.1: install it with 'pnpm add ${moduleName}@${TFJS_VERSION}' on such a machine (see the @cvxnn/backend-tfjs README, Install), or choose the 'blas', 'onnx' or 'ts' backend`);
    });
    nodeGpuModules.set(moduleName, p);
  }
  return p;
}

/** The tfjs backend name of each kind, after importing and initialising it. */
async function initKind(tf: TfModule, kind: TfjsKind, moduleName: string, requireGpu: boolean): Promise<{ tfName: string; detail: string }> {
  if (kind === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) throw new CvxnnError('BACKEND_UNAVAILABLE', 'the tfjs wasm backend failed to initialise (its .wasm files ship in @tensorflow/tfjs-backend-wasm)');
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    return { tfName: 'wasm', detail: `tfjs-backend-wasm ${tf.version_core}, XNNPACK${simd ? ' SIMD' : ''}, ${threads ? 'multi-threaded' : 'single-threaded'}` };
  }
  if (kind === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    if (!(await tf.setBackend('cpu'))) throw new CvxnnError('BACKEND_UNAVAILABLE', 'the tfjs cpu backend failed to initialise');
    return { tfName: 'cpu', detail: `tfjs-backend-cpu ${tf.version_core}, plain JavaScript` };
  }
  const mod = await importNodeGpu(moduleName);
  const be = tf.findBackend('tensorflow') as (Tf.KernelBackend & { isUsingGpuDevice?: boolean; isGPUPackage?: boolean }) | null;
  if (!be) throw new CvxnnError('BACKEND_UNAVAILABLE', `${moduleName} loaded but registered no 'tensorflow' backend with this @tensorflow/tfjs-core ${tf.version_core}; install matching versions`);
  if (requireGpu && !be.isUsingGpuDevice) {
    throw new CvxnnError('BACKEND_UNAVAILABLE', `${moduleName} loaded but libtensorflow found no CUDA device (driver, CUDA 11.2 and cuDNN 8.1 on LD_LIBRARY_PATH?); it would run on the CPU`);
  }
  if (!(await tf.setBackend('tensorflow'))) throw new CvxnnError('BACKEND_UNAVAILABLE', `${moduleName}: the tensorflow backend failed to initialise`);
  const v = mod.version?.['tfjs-node'] ?? mod.version?.['tfjs-node-gpu'] ?? tf.version_core;
  return { tfName: 'tensorflow', detail: `${moduleName} ${v}, libtensorflow on ${be.isUsingGpuDevice ? 'a CUDA GPU' : 'the CPU'}` };
}

/** A device copy of op(m) (fp32) and the host copy it was made from, for re-validation. */
interface DeviceCopy {
  tensor: Tf.Tensor2D;
  host: Float32Array;
  src: Float64Array;
  offset: number;
  stride: number;
}

/** Is the fp32 host copy still the rounded content of `m` (in orientation `trans`)? */
function stillCurrent(c: DeviceCopy, m: Matrix<Float64Array>, trans: boolean): boolean {
  if (c.src !== m.data || c.offset !== m.offset || c.stride !== m.stride || c.host.length !== m.rows * m.cols) return false;
  const { rows, cols, data, offset, stride } = m;
  const h = c.host;
  for (let i = 0; i < rows; i++) {
    const so = offset + i * stride;
    for (let j = 0; j < cols; j++) {
      const v = Math.fround(data[so + j]);
      const w = h[trans ? j * rows + i : i * cols + j];
      if (v !== w && !(Number.isNaN(v) && Number.isNaN(w))) return false;
    }
  }
  return true;
}

/** op(m) as a contiguous row-major fp32 array: m itself, or mᵀ when `trans`. */
function toF32(m: Matrix<Float64Array>, trans: boolean): Float32Array {
  const { rows, cols, data, offset, stride } = m;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const so = offset + i * stride;
    if (trans) for (let j = 0; j < cols; j++) out[j * rows + i] = data[so + j];
    else for (let j = 0; j < cols; j++) out[i * cols + j] = data[so + j];
  }
  return out;
}

interface MaskCopy {
  bits: Uint32Array;
  /** n×P */
  M: Tf.Tensor2D;
  /** P×n */
  Mt: Tf.Tensor2D;
}

/**
 * Create a TensorFlow.js backend (fp32). Rejects with `BACKEND_UNAVAILABLE` and a one-line
 * reason when the tfjs backend cannot load here (for `node-gpu`: the optional package is
 * missing, or found no CUDA device).
 *
 * TensorFlow.js has one active backend per process; each kernel call makes this backend's tfjs
 * backend the active one (a no-op when it already is), so two of these can be used in turn.
 *
 * @example
 *   const wasm = await createTfjsBackend();                   // 'wasm', fp32
 *   const gpu = await createTfjsBackend({ kind: 'node-gpu' }); // needs @tensorflow/tfjs-node-gpu + CUDA
 *   const F = wasm.maskedForward(X, PatternMasks.fromGates(X, G), U);
 */
export async function createTfjsBackend(opts: TfjsBackendOptions = {}): Promise<Backend> {
  checkOptions('createTfjsBackend', opts, TFJS_BACKEND_OPTIONS);
  const kind = opts.kind ?? 'wasm';
  assertOption(kind === 'wasm' || kind === 'cpu' || kind === 'node-gpu', `kind must be 'wasm', 'cpu' or 'node-gpu', got '${String(kind)}'`);
  const moduleName = opts.moduleName ?? '@tensorflow/tfjs-node-gpu';
  assertOption(typeof moduleName === 'string' && moduleName !== '', `moduleName must be a non-empty string, got ${JSON.stringify(moduleName)}`);
  // the optional GPU package first: where it is missing (most machines) `auto` moves on at once
  if (kind === 'node-gpu') await importNodeGpu(moduleName);
  let tf: TfModule;
  try {
    tf = await loadTf();
  } catch (e) {
    throw new CvxnnError('BACKEND_UNAVAILABLE', `@tensorflow/tfjs-core could not be loaded (${firstLine(e)})`);
  }
  let init: { tfName: string; detail: string };
  try {
    init = await initKind(tf, kind, moduleName, opts.requireGpu ?? true);
  } catch (e) {
    if (e instanceof CvxnnError) throw e;
    throw new CvxnnError('BACKEND_UNAVAILABLE', `tfjs ${kind} backend failed to initialise: ${firstLine(e)}`);
  }
  const { tfName } = init;
  const cpu = createCpuBackend();
  let disposed = false;

  /** Make this backend's tfjs backend the active one. */
  const activate = (): void => {
    assertOption(!disposed, `backend '${TFJS_BACKEND_NAMES[kind]}' was disposed; create a new one`);
    if (tf.getBackend() === tfName) return;
    // setBackend of an initialised backend switches synchronously (its promise only reports it)
    void tf.setBackend(tfName);
    if (tf.getBackend() !== tfName) throw new CvxnnError('INTERNAL', `could not switch TensorFlow.js to its '${tfName}' backend`);
  };

  // Cached device copies: every tensor this backend keeps is in `live`, so dispose() frees them
  // all; a FinalizationRegistry frees a copy when its matrix or mask is collected.
  const live = new Set<Tf.Tensor>();
  const keep = <T extends Tf.Tensor>(t: T): T => {
    tf.keep(t);
    live.add(t);
    return t;
  };
  const drop = (t: Tf.Tensor): void => {
    if (live.delete(t)) t.dispose();
  };
  const finalizer = new FinalizationRegistry<Tf.Tensor[]>((ts) => ts.forEach(drop));
  interface Holder {
    copies: [DeviceCopy | undefined, DeviceCopy | undefined];
    tensors: Tf.Tensor[];
  }
  const seen = new WeakSet<Matrix<Float64Array>>();
  const copies = new WeakMap<Matrix<Float64Array>, Holder>();

  /**
   * op(m) on the device. A matrix seen for the first time is uploaded for this call only (fresh
   * per-iteration vectors never fill the cache); from its second use on it is cached.
   * Returns the tensor and whether the caller must dispose it.
   */
  const operand = (m: Matrix<Float64Array>, trans: boolean): { t: Tf.Tensor2D; temp: boolean } => {
    const shape: [number, number] = trans ? [m.cols, m.rows] : [m.rows, m.cols];
    if (!seen.has(m)) {
      seen.add(m);
      return { t: tf.tensor2d(toF32(m, trans), shape, 'float32'), temp: true };
    }
    let h = copies.get(m);
    if (!h) {
      h = { copies: [undefined, undefined], tensors: [] };
      copies.set(m, h);
      finalizer.register(m, h.tensors);
    }
    const slot = trans ? 1 : 0;
    const c = h.copies[slot];
    if (c && stillCurrent(c, m, trans)) return { t: c.tensor, temp: false };
    if (c) {
      drop(c.tensor);
      h.tensors.splice(h.tensors.indexOf(c.tensor), 1);
    }
    const host = toF32(m, trans);
    const tensor = keep(tf.tensor2d(host, shape, 'float32'));
    h.tensors.push(tensor);
    h.copies[slot] = { tensor, host, src: m.data, offset: m.offset, stride: m.stride };
    return { t: tensor, temp: false };
  };
  /** X is data: always cached (a solver multiplies by the same X every iteration). */
  const data = (X: Matrix<Float64Array>): Tf.Tensor2D => {
    seen.add(X);
    return operand(X, false).t;
  };

  const maskCopies = new WeakMap<PatternMasks, MaskCopy>();
  const masks = (Mk: PatternMasks): MaskCopy => {
    const hit = maskCopies.get(Mk);
    if (hit && hit.bits.length === Mk.bits.length && hit.bits.every((w, i) => w === Mk.bits[i])) return hit;
    if (hit) {
      drop(hit.M);
      drop(hit.Mt);
    }
    const { n, p, wordsPerRow: wpr, bits } = Mk;
    const dense = new Float32Array(n * p);
    const denseT = new Float32Array(n * p);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < p; i++) {
        const b = (bits[j * wpr + (i >>> 5)] >>> (i & 31)) & 1;
        dense[j * p + i] = b;
        denseT[i * n + j] = b;
      }
    }
    const copy: MaskCopy = { bits: bits.slice(), M: keep(tf.tensor2d(dense, [n, p], 'float32')), Mt: keep(tf.tensor2d(denseT, [p, n], 'float32')) };
    maskCopies.set(Mk, copy);
    finalizer.register(Mk, [copy.M, copy.Mt]);
    return copy;
  };

  /** Write `src` (contiguous rows×cols) into `out` as alpha·src + beta·out. */
  const writeOut = (src: Float32Array, out: Matrix<Float64Array>, alpha: number, beta: number): void => {
    const { rows, cols, data: od } = out;
    for (let i = 0; i < rows; i++) {
      const o = out.offset + i * out.stride;
      const s = i * cols;
      if (beta === 0) for (let j = 0; j < cols; j++) od[o + j] = alpha * src[s + j];
      else for (let j = 0; j < cols; j++) od[o + j] = alpha * src[s + j] + beta * od[o + j];
    }
  };

  const name = TFJS_BACKEND_NAMES[kind];
  const backend: Backend = {
    name,
    precision: 'fp32',
    description: `TensorFlow.js ${init.detail} (fp32)`,

    gemm(a: Matrix<Float64Array>, b: Matrix<Float64Array>, o: GemmOptions = {}): Matrix<Float64Array> {
      const { transA = false, transB = false, alpha = 1, beta = 0 } = o;
      const { m, n, k } = validateGemm(a, b, o);
      if (m === 0 || n === 0 || k === 0 || alpha === 0) return cpu.gemm(a, b, o);
      assertFiniteGemm(a, b, o);
      activate();
      const A = operand(a, transA);
      const B = operand(b, transB);
      let C: Float32Array;
      try {
        const t = tf.matMul(A.t, B.t);
        C = t.dataSync() as Float32Array;
        t.dispose();
      } finally {
        if (A.temp) A.t.dispose();
        if (B.temp) B.t.dispose();
      }
      const out = o.out ?? Matrix.zeros(m, n);
      writeOut(C, out, alpha, beta);
      return out;
    },

    maskedForward(X: Matrix<Float64Array>, Mk: PatternMasks, U: Matrix<Float64Array>, out?: Matrix<Float64Array>): Matrix<Float64Array> {
      const c = validateMaskedForward(X, Mk, U, out);
      const n = X.rows;
      const d = X.cols;
      const p = Mk.p;
      if (n === 0 || p === 0 || d === 0 || c === 0) return cpu.maskedForward(X, Mk, U, out);
      activate();
      // V = P×(c·d), V[i, k·d + r] = U[r, i·c + k]
      const v = new Float32Array(p * c * d);
      const { data: ud, offset: uo, stride: us } = U;
      for (let r = 0; r < d; r++) {
        const row = uo + r * us;
        for (let i = 0; i < p; i++) for (let k = 0; k < c; k++) v[i * c * d + k * d + r] = ud[row + i * c + k];
      }
      const Xt = data(X);
      const { M } = masks(Mk);
      const F = tf.tidy(() => {
        const A = tf.matMul(M, tf.tensor2d(v, [p, c * d], 'float32')); // n×(c·d)
        if (c === 1) return tf.sum(tf.mul(A, Xt), 1);
        return tf.sum(tf.mul(tf.reshape(A, [n, c, d]), tf.reshape(Xt, [n, 1, d])), 2);
      });
      const f = F.dataSync() as Float32Array;
      F.dispose();
      const res = out ?? Matrix.zeros(n, c);
      writeOut(f, res, 1, 0);
      return res;
    },

    maskedBackward(X: Matrix<Float64Array>, Mk: PatternMasks, R: Matrix<Float64Array>, out?: Matrix<Float64Array>): Matrix<Float64Array> {
      validateMaskedBackward(X, Mk, R, out);
      const c = R.cols;
      const n = X.rows;
      const d = X.cols;
      const p = Mk.p;
      if (n === 0 || p === 0 || d === 0 || c === 0) return cpu.maskedBackward(X, Mk, R, out);
      activate();
      const Xt = data(X);
      const { Mt } = masks(Mk);
      const Z = tf.tidy(() => {
        const r = tf.tensor2d(toF32(R, false), [n, c], 'float32');
        // W = n×(c·d), W[j, k·d + r] = R[j,k]·X[j,r]
        const W = c === 1 ? tf.mul(Xt, r) : tf.reshape(tf.mul(tf.reshape(r, [n, c, 1]), tf.reshape(Xt, [n, 1, d])), [n, c * d]);
        return tf.matMul(Mt, W); // P×(c·d)
      });
      const z = Z.dataSync() as Float32Array;
      Z.dispose();
      const G = out ?? Matrix.zeros(d, p * c);
      const { data: gd, offset: go, stride: gs } = G;
      for (let r = 0; r < d; r++) {
        const row = go + r * gs;
        for (let i = 0; i < p; i++) for (let k = 0; k < c; k++) gd[row + i * c + k] = z[i * c * d + k * d + r];
      }
      return G;
    },

    groupNorms: (U, c, o) => cpu.groupNorms(U, c, o),
    groupSoftThreshold: (U, t, c, o) => cpu.groupSoftThreshold(U, t, c, o),

    dispose(): void {
      for (const t of live) t.dispose();
      live.clear();
      disposed = true;
    },
  };
  return backend;
}

/**
 * Number of device tensors TensorFlow.js holds in this process (all backends); tests use it to
 * show that repeated calls do not leak.
 *
 * @example
 *   const before = await tfjsTensorCount(); b.maskedForward(X, M, U); (await tfjsTensorCount()) === before;
 */
export async function tfjsTensorCount(): Promise<number> {
  return (await loadTf()).memory().numTensors;
}
