/**
 * Timing of the three hot products on any backend, shared by `cvxnn bench kernels` and
 * `bench/backends.bench.ts`: `gemm` (X·U), `mask-forward` (Σ_i D_i X u_i) and `mask-backward`
 * (Xᵀ D_i r for all i), at n×d data, P patterns, c = 1. GFLOP/s counts the 2·n·d·P flops of the
 * GEMM inside each product (the same count for the numpy reference), so the three are comparable.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Matrix, PatternMasks, Rng, type Backend } from '@cvxnn/linalg';
import { assertOption, checkOptions, type OptionSpec } from '@cvxnn/linalg';

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
  /**
   * 'wall' (default): elapsed time per call. 'cpu': the process's CPU time per call (user +
   * system, all threads), which on a machine shared with other jobs does not count the time a
   * neighbour holds the core — use it with one-thread backends; `gflops` is then per CPU second.
   */
  clock?: 'wall' | 'cpu';
  /** at least this many timed calls per kernel (default 3) */
  minSamples?: number;
  seed?: number;
}

/** The options `benchmarkKernels` takes, with their types (the compiler keeps the list complete). */
export const KERNEL_BENCH_OPTIONS: OptionSpec<KernelBenchOptions> = { n: 'integer', d: 'integer', patterns: 'integer', minTimeMs: 'number', clock: '"wall"|"cpu"', minSamples: 'integer', seed: 'number' };

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

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function medianMs(fn: () => void, minTimeMs: number, minSamples: number, clock: 'wall' | 'cpu' = 'wall'): number {
  const now = clock === 'cpu' ? cpuNow : () => performance.now();
  fn(); // warm-up: sessions, mask unpacking, cached conversions
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minSamples || (performance.now() - start < minTimeMs && times.length < 200)) {
    const t0 = now();
    fn();
    times.push(now() - t0);
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
  checkOptions('benchmarkKernels', opts, KERNEL_BENCH_OPTIONS);
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
      const ms = medianMs(fn, minTimeMs, minSamples, opts.clock);
      out.push({ backend: b.name, kernel, precision: b.precision, gflops: (flops / (ms / 1000)) * 1e-9, ms });
    }
  }
  return out;
}

/**
 * The numpy/OpenBLAS reference of the same three products (bench/numpy_kernels.py of this
 * package, run with python3; needs numpy): the numpy and BLAS versions and one timing per
 * kernel and precision (backend 'numpy'). OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset (they
 * slow a current OpenBLAS); `env` adds variables, e.g. `{ OPENBLAS_NUM_THREADS: '1',
 * CVXNN_BENCH_CLOCK: 'cpu' }` for one thread timed in process CPU time. For benchmarks, not tests.
 *
 * @example
 *   const { numpy, results } = numpyKernelReference(10000, 50, 500);
 */
export function numpyKernelReference(n: number, d: number, p: number, env: Record<string, string> = {}): { numpy: string; blas: unknown; results: KernelTiming[] } {
  const e: Record<string, string | undefined> = { ...process.env, ...env };
  delete e.OPENBLAS_CORETYPE;
  delete e.OPENBLAS_L2_SIZE;
  const script = fileURLToPath(new URL('../bench/numpy_kernels.py', import.meta.url));
  return JSON.parse(execFileSync('python3', [script, String(n), String(d), String(p)], { env: e, encoding: 'utf8' })) as { numpy: string; blas: unknown; results: KernelTiming[] };
}

/**
 * Merge repeated rounds of timings: per backend, precision and kernel the fastest round (on a
 * shared machine the slower rounds are the disturbed ones), with every round's ms kept.
 *
 * @example
 *   const best = fastestRounds([round1, round2]); // [{ backend, kernel, precision, gflops, ms, msRounds }]
 */
export function fastestRounds(rounds: KernelTiming[][]): Array<KernelTiming & { msRounds: number[] }> {
  const best = new Map<string, KernelTiming & { msRounds: number[] }>();
  for (const round of rounds) {
    for (const r of round) {
      const key = `${r.backend}/${r.precision}/${r.kernel}`;
      const prev = best.get(key);
      if (!prev) best.set(key, { ...r, msRounds: [r.ms] });
      else {
        prev.msRounds.push(r.ms);
        if (r.ms < prev.ms) Object.assign(prev, { ms: r.ms, gflops: r.gflops });
      }
    }
  }
  return [...best.values()];
}
