/**
 * The `ts-workers` backend: the ts kernels run on row blocks in parallel over `worker_threads`,
 * with inputs copied once per call into SharedArrayBuffers and the calling thread doing one share
 * itself, then waiting on an `Atomics` counter (the kernels stay synchronous). fp64 and the same
 * arithmetic as `ts` per row block, so results agree with it to rounding (maskedBackward sums the
 * per-block partial gradients). Opt-in only: it is registered below `ts` and used when asked for
 * by name, e.g. `setBackend('ts-workers')`; the single-thread `ts` backend stays the reference.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Backend, GemmOptions } from './backend.js';
import { assertFiniteGemm, assertFiniteInput, gemm, groupNorms, groupSoftThreshold, maskedBackward, maskedForward, validateMaskedBackward, validateMaskedForward, DEFAULT_CHUNK } from './cpu.js';
import { assertOption, assertShape, CvxnnError } from './errors.js';
import { PatternMasks } from './masks.js';
import { Matrix } from './matrix.js';
import { checkOptions } from './options.js';

/** Where a matrix lies in the shared fp64 arena. */
interface Slice {
  offset: number;
  rows: number;
  cols: number;
  stride: number;
}

/**
 * One unit of work for a worker thread (internal message format of `ts-workers`).
 *
 * @example
 *   const t: WorkerTask = { op: 'gemm', f64, ctl, a, b, out, transA: false, transB: false, alpha: 1 };
 */
export type WorkerTask =
  | { op: 'gemm'; f64: SharedArrayBuffer; ctl: SharedArrayBuffer; a: Slice; b: Slice; out: Slice; transA: boolean; transB: boolean; alpha: number }
  | {
      op: 'maskedForward' | 'maskedBackward';
      f64: SharedArrayBuffer;
      u32: SharedArrayBuffer;
      ctl: SharedArrayBuffer;
      X: Slice;
      U: Slice;
      R: Slice;
      out: Slice;
      bitsOffset: number;
      masksRows: number;
      wordsPerRow: number;
      p: number;
      chunk: number;
    };

/** Options of `createWorkerBackend`. */
export interface WorkerBackendOptions {
  /** threads in all, the calling one included (default: the machine's cores, at most 8; at least 2) */
  threads?: number;
  /** products below this many flops run on the calling thread alone (default 2·10⁷) */
  minFlops?: number;
  /** rows per chunk inside each thread (default `DEFAULT_CHUNK`) */
  chunk?: number;
}

const BOOT = `
const { workerData, parentPort } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
(async () => {
  try {
    await import(workerData.entry);
  } catch (e) {
    // sources without a TypeScript loader in this thread (e.g. under Vitest): register tsx
    if (!workerData.tsxApi || !e || e.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
    (await import(pathToFileURL(workerData.tsxApi).href)).register();
    await import(workerData.entry + '?tsx');
  }
  parentPort.postMessage('ready');
})().catch((e) => parentPort.postMessage({ failed: String((e && e.message) || e) }));
`;

function spawn(): Promise<Worker> {
  const here = import.meta.url;
  // From dist the worker loads worker-entry.js; from sources worker-entry.ts, through the
  // TypeScript loader the thread inherits (tsx) or, failing that, tsx registered in the thread.
  const fromSource = here.endsWith('.ts');
  const entry = new URL(fromSource ? './worker-entry.ts' : './worker-entry.js', here).href;
  // the ESM build of tsx's API (require.resolve finds its CommonJS twin beside it)
  const tsxApi = fromSource ? createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs') : null;
  const w = new Worker(BOOT, { eval: true, workerData: { entry, tsxApi } });
  return new Promise((resolve, reject) => {
    w.once('message', (m: unknown) => {
      if (m === 'ready') resolve(w);
      else {
        void w.terminate();
        reject(new Error(`worker failed to start: ${(m as { failed?: string }).failed ?? String(m)}`));
      }
    });
    w.once('error', reject);
  });
}

function split(n: number, parts: number): number[] {
  const b: number[] = [];
  for (let k = 0; k <= parts; k++) b.push(Math.round((k * n) / parts));
  return b;
}

/**
 * Create the `ts-workers` backend: `threads − 1` worker threads plus the calling thread.
 * Rejects (so `resolveBackend` reports a one-line notice) when fewer than 2 threads are possible
 * or a worker cannot start.
 *
 * @example
 *   const be = await createWorkerBackend({ threads: 2 });
 *   const F = be.maskedForward(X, M, U);
 *   be.dispose?.(); // terminate the threads
 */
export async function createWorkerBackend(opts: WorkerBackendOptions = {}): Promise<Backend> {
  checkOptions('createWorkerBackend', opts, { threads: 'number', minFlops: 'number', chunk: 'number' });
  const threads = opts.threads ?? Math.min(availableParallelism(), 8);
  if (opts.threads === undefined && threads < 2) {
    throw new CvxnnError('BACKEND_UNAVAILABLE', `ts-workers needs at least 2 cores; this machine has ${threads}`);
  }
  assertOption(Number.isInteger(threads) && threads >= 2, `ts-workers: threads must be an integer ≥ 2, got ${threads}`);
  const minFlops = opts.minFlops ?? 2e7;
  const chunk = opts.chunk ?? DEFAULT_CHUNK;
  assertOption(Number.isFinite(minFlops) && minFlops >= 0, `ts-workers: minFlops must be ≥ 0, got ${minFlops}`);
  assertOption(Number.isInteger(chunk) && chunk > 0, `ts-workers: chunk must be a positive integer, got ${chunk}`);

  const workers: Worker[] = [];
  try {
    for (let i = 0; i < threads - 1; i++) workers.push(await spawn());
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
  for (const w of workers) w.unref(); // idle workers never keep the process alive

  const ctlSab = new SharedArrayBuffer(8);
  const ctl = new Int32Array(ctlSab);
  let f64Sab = new SharedArrayBuffer(8);
  let u32Sab = new SharedArrayBuffer(4);
  const f64Arena = (count: number): Float64Array => {
    if (f64Sab.byteLength < count * 8) f64Sab = new SharedArrayBuffer(Math.ceil(count * 1.25) * 8);
    return new Float64Array(f64Sab);
  };
  const u32Arena = (count: number): Uint32Array => {
    if (u32Sab.byteLength < count * 4) u32Sab = new SharedArrayBuffer(Math.ceil(count * 1.25) * 4);
    return new Uint32Array(u32Sab);
  };
  /** copy a matrix into the arena at `offset`, packed; returns its slice */
  const put = (arena: Float64Array, offset: number, m: Matrix<Float64Array>): Slice => {
    for (let i = 0; i < m.rows; i++) arena.set(m.row(i), offset + i * m.cols);
    return { offset, rows: m.rows, cols: m.cols, stride: m.cols };
  };
  const view = (arena: Float64Array, s: Slice): Matrix<Float64Array> => new Matrix(s.rows, s.cols, arena, s.stride, s.offset);
  /** post one task per worker, run the caller's share, wait for the workers */
  const runParallel = (tasks: WorkerTask[], own: () => void): void => {
    Atomics.store(ctl, 0, 0);
    Atomics.store(ctl, 1, 0);
    tasks.forEach((t, i) => workers[i].postMessage(t));
    own();
    let done: number;
    while ((done = Atomics.load(ctl, 0)) < tasks.length) Atomics.wait(ctl, 0, done);
    if (Atomics.load(ctl, 1) !== 0) throw new CvxnnError('INTERNAL', 'ts-workers: a worker thread failed on its block');
  };
  const parts = threads;

  const parGemm = (a: Matrix<Float64Array>, b: Matrix<Float64Array>, o: GemmOptions = {}): Matrix<Float64Array> => {
    const { transA = false, transB = false, alpha = 1, beta = 0 } = o;
    const m = transA ? a.cols : a.rows;
    const k = transA ? a.rows : a.cols;
    const n = transB ? b.rows : b.cols;
    if (workers.length === 0 || 2 * m * n * k < minFlops || m < parts || (transB ? b.cols : b.rows) !== k) return gemm(a, b, o);
    assertOption(Number.isFinite(alpha) && Number.isFinite(beta), `gemm: alpha and beta must be finite numbers, got alpha=${alpha}, beta=${beta}`);
    assertOption(beta === 0 || o.out !== undefined, `gemm: beta=${beta} needs an 'out' matrix to accumulate into`);
    const out = o.out ?? Matrix.zeros(m, n);
    assertShape(out.rows === m && out.cols === n, `gemm: output is ${out.rows}×${out.cols}, expected ${m}×${n}`);
    assertFiniteGemm(a, b, o, out);
    const arena = f64Arena(a.rows * a.cols + b.rows * b.cols + m * n);
    const sa = put(arena, 0, a);
    const sb = put(arena, sa.rows * sa.cols, b);
    const sc: Slice = { offset: sb.offset + sb.rows * sb.cols, rows: m, cols: n, stride: n };
    const rb = split(m, parts);
    const slices = (q: number) => {
      const r0 = rb[q];
      const nr = rb[q + 1] - r0;
      const av: Slice = transA ? { ...sa, offset: sa.offset + r0, cols: nr } : { ...sa, offset: sa.offset + r0 * sa.stride, rows: nr };
      return { a: av, out: { ...sc, offset: sc.offset + r0 * n, rows: nr } };
    };
    const tasks: WorkerTask[] = workers.map((_, i) => ({ op: 'gemm', f64: f64Sab, ctl: ctlSab, b: sb, transA, transB, alpha, ...slices(i + 1) }));
    runParallel(tasks, () => {
      const s = slices(0);
      gemm(view(arena, s.a), view(arena, sb), { transA, transB, alpha, out: view(arena, s.out) });
    });
    for (let i = 0; i < m; i++) {
      const oo = out.offset + i * out.stride;
      const co = sc.offset + i * n;
      if (beta === 0) for (let j = 0; j < n; j++) out.data[oo + j] = arena[co + j];
      else for (let j = 0; j < n; j++) out.data[oo + j] = arena[co + j] + beta * out.data[oo + j];
    }
    return out;
  };

  /** shared copies of X and the mask bits, and the per-part masked task fields */
  const maskedSetup = (X: Matrix<Float64Array>, M: PatternMasks, extra: number) => {
    const arena = f64Arena(X.rows * X.cols + extra);
    const sx = put(arena, 0, X);
    const bits = u32Arena(M.bits.length);
    bits.set(M.bits);
    return { arena, sx, rb: split(X.rows, parts) };
  };

  const parForward = (X: Matrix<Float64Array>, M: PatternMasks, U: Matrix<Float64Array>, out?: Matrix<Float64Array>): Matrix<Float64Array> => {
    const c = validateMaskedForward(X, M, U, out);
    const n = X.rows;
    if (workers.length === 0 || 2 * n * X.cols * U.cols < minFlops || n < parts) return maskedForward(X, M, U, out, chunk);
    const { arena, sx, rb } = maskedSetup(X, M, U.rows * U.cols + n * c);
    const su = put(arena, sx.rows * sx.cols, U);
    const sf: Slice = { offset: su.offset + su.rows * su.cols, rows: n, cols: c, stride: c };
    const task = (q: number): WorkerTask => ({
      op: 'maskedForward', f64: f64Sab, u32: u32Sab, ctl: ctlSab, U: su, R: su, chunk, p: M.p, wordsPerRow: M.wordsPerRow,
      X: { ...sx, offset: rb[q] * sx.stride, rows: rb[q + 1] - rb[q] },
      out: { ...sf, offset: sf.offset + rb[q] * c, rows: rb[q + 1] - rb[q] },
      bitsOffset: rb[q] * M.wordsPerRow, masksRows: rb[q + 1] - rb[q],
    });
    runParallel(workers.map((_, i) => task(i + 1)), () => {
      const t = task(0) as Extract<WorkerTask, { op: 'maskedForward' | 'maskedBackward' }>;
      const masks = new PatternMasks(t.masksRows, M.p, new Uint32Array(u32Sab, 0, t.masksRows * M.wordsPerRow));
      maskedForward(view(arena, t.X), masks, view(arena, su), view(arena, t.out), chunk);
    });
    const F = out ?? Matrix.zeros(n, c);
    for (let j = 0; j < n; j++) for (let k = 0; k < c; k++) F.data[F.offset + j * F.stride + k] = arena[sf.offset + j * c + k];
    return F;
  };

  const parBackward = (X: Matrix<Float64Array>, M: PatternMasks, R: Matrix<Float64Array>, out?: Matrix<Float64Array>): Matrix<Float64Array> => {
    validateMaskedBackward(X, M, R, out);
    const n = X.rows;
    const d = X.cols;
    const pc = M.p * R.cols;
    if (workers.length === 0 || 2 * n * d * pc < minFlops || n < parts) return maskedBackward(X, M, R, out, chunk);
    const { arena, sx, rb } = maskedSetup(X, M, R.rows * R.cols + parts * d * pc);
    const sr = put(arena, sx.rows * sx.cols, R);
    const g0 = sr.offset + sr.rows * sr.cols; // part q writes its partial gradient at g0 + q·d·pc
    const task = (q: number): WorkerTask => ({
      op: 'maskedBackward', f64: f64Sab, u32: u32Sab, ctl: ctlSab, U: sr, chunk, p: M.p, wordsPerRow: M.wordsPerRow,
      X: { ...sx, offset: rb[q] * sx.stride, rows: rb[q + 1] - rb[q] },
      R: { ...sr, offset: sr.offset + rb[q] * sr.stride, rows: rb[q + 1] - rb[q] },
      out: { offset: g0 + q * d * pc, rows: d, cols: pc, stride: pc },
      bitsOffset: rb[q] * M.wordsPerRow, masksRows: rb[q + 1] - rb[q],
    });
    runParallel(workers.map((_, i) => task(i + 1)), () => {
      const t = task(0) as Extract<WorkerTask, { op: 'maskedForward' | 'maskedBackward' }>;
      const masks = new PatternMasks(t.masksRows, M.p, new Uint32Array(u32Sab, 0, t.masksRows * M.wordsPerRow));
      maskedBackward(view(arena, t.X), masks, view(arena, t.R), view(arena, t.out), chunk);
    });
    const G = out ?? Matrix.zeros(d, pc);
    for (let t = 0; t < d; t++) {
      const go = G.offset + t * G.stride;
      for (let i = 0; i < pc; i++) {
        let s = 0;
        for (let q = 0; q < parts; q++) s += arena[g0 + q * d * pc + t * pc + i];
        G.data[go + i] = s;
      }
    }
    return G;
  };

  return {
    name: 'ts-workers',
    precision: 'fp64',
    description: `TypeScript fp64 kernels over ${threads} threads (worker_threads, SharedArrayBuffer, row blocks)`,
    gemm: parGemm,
    maskedForward: parForward,
    maskedBackward: parBackward,
    groupNorms,
    groupSoftThreshold,
    /** terminate the threads; later calls run on the calling thread alone */
    dispose() {
      for (const w of workers) void w.terminate();
      workers.length = 0;
    },
  };
}
