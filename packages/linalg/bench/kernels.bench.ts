/**
 * GFLOP/s and milliseconds of the ts backend's GEMM and fused masked products at the issue's
 * size (n = 10000, d = 50, P = 500, c = 1, fp64, one thread), against naive loops timed in the
 * same run, plus the extra memory the masked products allocate. Prints one JSON document.
 *
 *   pnpm -s --filter @cvxnn/linalg bench > bench/results/linalg-kernels.json
 *
 * Naive loops are timed on the first `NAIVE_ROWS` rows (samples) only and scaled linearly to n
 * (their cost is exactly linear in n); the JSON says so for each entry.
 */
import os from 'node:os';
import { coreIdle, emit, measure, peakMemory, type Measurement } from '@cvxnn/bench-harness';
import { createCpuBackend, Matrix, PatternMasks, Rng } from '../src/index.js';
import { relErr } from '../src/conformance.js';
import { createWorkerBackend } from '../src/workers.js';

const n = 10_000;
const d = 50;
const P = 500;
const NAIVE_ROWS = 1_000;
const flops = 2 * n * d * P;
const loadBefore = os.loadavg();

const idleBefore = await coreIdle();

const rng = new Rng(42);
const X = new Matrix(n, d, rng.normalArray(n * d));
const gates = new Matrix(d, P, rng.normalArray(d * P));
const M = PatternMasks.fromGates(X, gates);
const U = new Matrix(d, P, rng.normalArray(d * P));
const R = new Matrix(n, 1, rng.normalArray(n));
const S = new Matrix(n, P, rng.normalArray(n * P)); // right operand of the transposed product
const ts = createCpuBackend();

// ---- naive loops: plain Float64Array triple loops in dot-product order, no blocking ----
function naiveGemmNN(A: Matrix, B: Matrix, rows: number): Float64Array {
  const k = A.cols;
  const m = B.cols;
  const out = new Float64Array(rows * m);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += A.data[i * k + t] * B.data[t * m + j];
      out[i * m + j] = s;
    }
  }
  return out;
}
function naiveGemmTN(A: Matrix, B: Matrix, rows: number): Float64Array {
  // Aᵀ·B over the first `rows` rows of A and B (the inner dimension)
  const d0 = A.cols;
  const m = B.cols;
  const out = new Float64Array(d0 * m);
  for (let i = 0; i < d0; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let t = 0; t < rows; t++) s += A.data[t * d0 + i] * B.data[t * m + j];
      out[i * m + j] = s;
    }
  }
  return out;
}
function naiveMaskedForward(rows: number): Float64Array {
  const F = new Float64Array(rows);
  for (let j = 0; j < rows; j++) {
    let f = 0;
    for (let i = 0; i < P; i++) {
      if (!M.get(j, i)) continue;
      let s = 0;
      for (let t = 0; t < d; t++) s += X.data[j * d + t] * U.data[t * P + i];
      f += s;
    }
    F[j] = f;
  }
  return F;
}
function naiveMaskedBackward(rows: number): Float64Array {
  const G = new Float64Array(d * P);
  for (let i = 0; i < P; i++) {
    for (let t = 0; t < d; t++) {
      let s = 0;
      for (let j = 0; j < rows; j++) if (M.get(j, i)) s += X.data[j * d + t] * R.data[j];
      G[t * P + i] = s;
    }
  }
  return G;
}

const scale = n / NAIVE_ROWS;
function scaled(m: Measurement, name: string): Measurement {
  const ms = m.ms * scale;
  return {
    ...m,
    name,
    ms,
    minMs: m.minMs * scale,
    gflops: (flops / (ms / 1000)) * 1e-9,
    timedRows: NAIVE_ROWS,
    scaledBy: scale,
    note: `timed on the first ${NAIVE_ROWS} of ${n} rows and scaled ×${scale} (cost is linear in n)`,
  };
}

const results: Measurement[] = [];
const gemmOut = Matrix.zeros(n, P);
const gemmTOut = Matrix.zeros(d, P);

// ---- correctness of what is timed (ts vs naive on the naive rows) ----
const Xh = X.view(0, 0, NAIVE_ROWS, d);
const Sh = S.view(0, 0, NAIVE_ROWS, P);
const Mh = new PatternMasks(NAIVE_ROWS, P, M.bits.subarray(0, NAIVE_ROWS * M.wordsPerRow));
const check = {
  gemm: relErr(ts.gemm(Xh, U), new Matrix(NAIVE_ROWS, P, naiveGemmNN(X, U, NAIVE_ROWS))),
  gemmTransA: relErr(ts.gemm(Xh, Sh, { transA: true }), new Matrix(d, P, naiveGemmTN(X, S, NAIVE_ROWS))),
  maskedForward: relErr(ts.maskedForward(Xh, Mh, U), new Matrix(NAIVE_ROWS, 1, naiveMaskedForward(NAIVE_ROWS))),
  maskedBackward: relErr(ts.maskedBackward(Xh, Mh, R.view(0, 0, NAIVE_ROWS, 1)), new Matrix(d, P, naiveMaskedBackward(NAIVE_ROWS))),
};

const tsCases: Array<[string, () => unknown, string]> = [
  ['gemm', () => ts.gemm(X, U, { out: gemmOut }), 'X·U: (n×d)·(d×P)'],
  ['gemmTransA', () => ts.gemm(X, S, { transA: true, out: gemmTOut }), 'Xᵀ·S: (d×n)·(n×P)'],
  ['maskedForward', () => ts.maskedForward(X, M, U), 'Σ_i D_i X u_i, n×1'],
  ['maskedBackward', () => ts.maskedBackward(X, M, R), 'Xᵀ(D_i r) for all i, d×P'],
];
for (const [name, fn, what] of tsCases) {
  results.push(await measure(`ts.${name}`, fn, { flops, warmup: 2, minSamples: 5, minTimeMs: 1500, extra: { backend: 'ts', what, relErrVsNaive: check[name as keyof typeof check] } }));
}
// ---- the opt-in multi-threaded variant, when there is more than one core ----
let workerThreads = 0;
if (os.availableParallelism() >= 2) {
  const tw = await createWorkerBackend();
  workerThreads = Number(/over (\d+) threads/.exec(tw.description)?.[1] ?? 0);
  const agree = {
    gemm: relErr(tw.gemm(X, U), ts.gemm(X, U)),
    gemmTransA: relErr(tw.gemm(X, S, { transA: true }), ts.gemm(X, S, { transA: true })),
    maskedForward: relErr(tw.maskedForward(X, M, U), ts.maskedForward(X, M, U)),
    maskedBackward: relErr(tw.maskedBackward(X, M, R), ts.maskedBackward(X, M, R)),
  };
  const twCases: Array<[keyof typeof agree, () => unknown]> = [
    ['gemm', () => tw.gemm(X, U, { out: gemmOut })],
    ['gemmTransA', () => tw.gemm(X, S, { transA: true, out: gemmTOut })],
    ['maskedForward', () => tw.maskedForward(X, M, U)],
    ['maskedBackward', () => tw.maskedBackward(X, M, R)],
  ];
  for (const [name, fn] of twCases) {
    results.push(await measure(`ts-workers.${name}`, fn, { flops, warmup: 2, minSamples: 5, minTimeMs: 1500, extra: { backend: 'ts-workers', threads: workerThreads, relErrVsTs: agree[name] } }));
  }
  tw.dispose?.();
}

const naiveCases: Array<[string, () => unknown]> = [
  ['gemm', () => naiveGemmNN(X, U, NAIVE_ROWS)],
  ['gemmTransA', () => naiveGemmTN(X, S, NAIVE_ROWS)],
  ['maskedForward', () => naiveMaskedForward(NAIVE_ROWS)],
  ['maskedBackward', () => naiveMaskedBackward(NAIVE_ROWS)],
];
for (const [name, fn] of naiveCases) {
  results.push(scaled(await measure(`naive.${name}`, fn, { warmup: 1, minSamples: 3, minTimeMs: 500 }), `naive.${name}`));
}

// ---- extra memory of the masked products ----
// (1) every typed array the call allocates, counted by a Float64Array subclass swapped in for the
//     duration of the call: an exact upper bound on the peak extra memory, GC or not;
// (2) the harness's arrayBuffers reading after the call (no GC in between, so normally the same).
// Done after all timings, since the swapped-in class would make the kernels polymorphic.
function allocatedDuring(fn: () => unknown): number {
  const Original = globalThis.Float64Array;
  let bytes = 0;
  class Counting extends Original {
    constructor(...args: unknown[]) {
      super(...(args as [number]));
      if (typeof args[0] === 'number') bytes += this.byteLength;
    }
  }
  globalThis.Float64Array = Counting as unknown as Float64ArrayConstructor;
  try {
    fn();
  } finally {
    globalThis.Float64Array = Original;
  }
  return bytes;
}
const memLimit = 4 * n * d * 8;
const memory: Record<string, unknown> = { limitBytes: memLimit, limit: '4·n·d doubles beyond the inputs' };
for (const [name, fn, outputBytes] of [
  ['maskedForward', () => ts.maskedForward(X, M, U), n * 8],
  ['maskedBackward', () => ts.maskedBackward(X, M, R), d * P * 8],
] as const) {
  const allocated = allocatedDuring(fn);
  const pm = await peakMemory(fn);
  memory[name] = {
    allocatedBytes: allocated,
    allocatedBeyondOutputBytes: allocated - outputBytes,
    harnessPeakArrayBuffersDeltaBytes: pm.peakArrayBuffersBytes - pm.baselineArrayBuffersBytes,
    outputBytes,
    withinLimit: allocated < memLimit,
  };
}

const speedup = (k: string) => {
  const a = results.find((r) => r.name === `ts.${k}`)!;
  const b = results.find((r) => r.name === `naive.${k}`)!;
  return Math.round((b.ms / a.ms) * 10) / 10;
};
emit('linalg-kernels', results, {
  n,
  d,
  P,
  c: 1,
  precision: 'fp64',
  threads: 1,
  workerThreads,
  flopsPerCall: flops,
  flopsNote: '2·n·d·P for every entry (nominal for the masked products and the naive masked loops, which skip inactive samples)',
  maskDensity: Array.from(M.activeCounts()).reduce((a, b) => a + b, 0) / (n * P),
  backend: ts.description,
  speedupVsNaive: { gemm: speedup('gemm'), gemmTransA: speedup('gemmTransA'), maskedForward: speedup('maskedForward'), maskedBackward: speedup('maskedBackward') },
  memory,
  loadAverage: { before: loadBefore, after: os.loadavg(), note: '1/5/15-minute load averages; they include this benchmark itself (one busy core)' },
  coreIdleFraction: { before: idleBefore, after: await coreIdle() },
  gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
});
