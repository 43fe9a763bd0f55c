/**
 * Timing of the three hot products on any backend, shared by `cvxnn bench kernels` and
 * `bench/backends.bench.ts`: `gemm` (X·U), `mask-forward` (Σ_i D_i X u_i) and `mask-backward`
 * (Xᵀ D_i r for all i), at n×d data, P patterns, c = 1. GFLOP/s counts the 2·n·d·P flops of the
 * GEMM inside each product (the same count for the numpy reference), so the three are comparable.
 */
import { Matrix, PatternMasks, Rng, type Backend } from '@cvxnn/linalg';
import { assertOption } from '@cvxnn/linalg';

/**
 * One timing: backend, kernel, precision, GFLOP/s and median milliseconds per call.
 *
 * @example
 *   const r: KernelTiming = { backend: 'onnx', kernel: 'gemm', precision: 'fp64', gflops: 40, ms: 12.5 };
 */
export interface KernelTiming {
  backend: string;
  kernel: 'gemm' | 'mask-forward' | 'mask-backward';
  precision: 'fp64' | 'fp32';
  gflops: number;
  ms: number;
}

/**
 * Options of `benchmarkKernels`.
 *
 * @example
 *   const o: KernelBenchOptions = { n: 10000, d: 50, patterns: 500, minTimeMs: 500 };
 */
export interface KernelBenchOptions {
  n?: number;
  d?: number;
  patterns?: number;
  /** keep sampling each kernel at least this long, ms (default 500) */
  minTimeMs?: number;
  /** at least this many timed calls per kernel (default 3) */
  minSamples?: number;
  seed?: number;
}

/**
 * Random problem data of the benchmark: X n×d and U d×P standard normal, masks of density ½,
 * residual r n×1.
 *
 * @example
 *   const { X, M, U, r } = kernelBenchData(1000, 10, 50, 1);
 */
export function kernelBenchData(n: number, d: number, p: number, seed = 1): { X: Matrix<Float64Array>; M: PatternMasks; U: Matrix<Float64Array>; r: Matrix<Float64Array> } {
  const rng = new Rng(seed);
  const X = new Matrix(n, d, rng.normalArray(n * d));
  const U = new Matrix(d, p, rng.normalArray(d * p));
  const r = new Matrix(n, 1, rng.normalArray(n));
  const M = new PatternMasks(n, p);
  for (let w = 0; w < M.bits.length; w++) M.bits[w] = (rng.uniform() * 2 ** 32) >>> 0;
  // clear the padding bits past P in each row
  const tail = p & 31;
  if (tail) for (let j = 0; j < n; j++) M.bits[j * M.wordsPerRow + M.wordsPerRow - 1] &= (1 << tail) - 1;
  return { X, M, U, r };
}

function medianMs(fn: () => void, minTimeMs: number, minSamples: number): number {
  fn(); // warm-up: sessions, mask unpacking, cached conversions
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minSamples || (performance.now() - start < minTimeMs && times.length < 200)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * Time `gemm`, `mask-forward` and `mask-backward` on each backend (median of repeated calls
 * after one warm-up call).
 *
 * @example
 *   const rows = benchmarkKernels([getBackend()], { n: 2000, d: 20, patterns: 100 });
 *   rows.forEach((r) => console.log(r.backend, r.kernel, r.gflops.toFixed(1)));
 */
export function benchmarkKernels(backends: Backend[], opts: KernelBenchOptions = {}): KernelTiming[] {
  const { n = 10000, d = 50, patterns: p = 500, minTimeMs = 500, minSamples = 3, seed = 1 } = opts;
  for (const [k, v] of Object.entries({ n, d, patterns: p })) assertOption(Number.isInteger(v) && v >= 1, `${k} must be a positive integer, got ${v}`);
  assertOption(Number.isFinite(minTimeMs) && minTimeMs >= 0, `minTimeMs must be a non-negative number, got ${minTimeMs}`);
  const { X, M, U, r } = kernelBenchData(n, d, p, seed);
  const flops = 2 * n * d * p;
  const out: KernelTiming[] = [];
  // the n×P product is written into one pre-allocated buffer, as solvers (and numpy's out=) do
  const T = Matrix.zeros(n, p);
  for (const b of backends) {
    const kernels: Array<[KernelTiming['kernel'], () => void]> = [
      ['gemm', () => void b.gemm(X, U, { out: T })],
      ['mask-forward', () => void b.maskedForward(X, M, U)],
      ['mask-backward', () => void b.maskedBackward(X, M, r)],
    ];
    for (const [kernel, fn] of kernels) {
      const ms = medianMs(fn, minTimeMs, minSamples);
      out.push({ backend: b.name, kernel, precision: b.precision, gflops: (flops / (ms / 1000)) * 1e-9, ms });
    }
  }
  return out;
}
