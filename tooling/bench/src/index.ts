/**
 * The cvxnn benchmark harness: time a function robustly with tinybench (warm-up, repeated runs,
 * median and min), track peak memory, and print one machine-readable JSON document per benchmark run.
 *
 * @example
 *   const r = await measure('gemm', () => gemm(a, b), { flops: 2 * m * n * k });
 *   emit('linalg-kernels', [r], { n, d, P });
 */
import os from 'node:os';
import { Bench } from 'tinybench';

export interface Measurement {
  name: string;
  /** median wall time of one call, milliseconds */
  ms: number;
  /** fastest call, milliseconds */
  minMs: number;
  samples: number;
  /** 1e-9 · flops / median seconds, when `flops` was given */
  gflops?: number;
  /** extra fields the benchmark wants to record */
  [key: string]: unknown;
}

export interface MeasureOptions {
  /** floating-point operations of one call, to report GFLOP/s */
  flops?: number;
  /** warm-up calls before timing (default 2) */
  warmup?: number;
  /** minimum timed calls (default 5) */
  minSamples?: number;
  /** keep sampling until this much time has passed, ms (default 1000) */
  minTimeMs?: number;
  /** hard cap on timed calls (default 200) */
  maxSamples?: number;
  extra?: Record<string, unknown>;
}

/**
 * Time `fn` (sync or async) with tinybench and return the median and fastest call in ms: warm-up
 * calls first (not timed), then timed calls until both `minSamples` calls and `minTimeMs` have
 * passed (tinybench's `iterations` and `time`), stopping early at `maxSamples` calls.
 *
 * @example
 *   const r = await measure('gemm', () => gemm(a, b), { flops: 2 * m * n * k });
 *   r.ms; r.gflops;
 */
export async function measure(name: string, fn: () => unknown, opts: MeasureOptions = {}): Promise<Measurement> {
  const { warmup = 2, minSamples = 5, minTimeMs = 1000, maxSamples = 200 } = opts;
  let timed = 0;
  const controller = new AbortController();
  const bench = new Bench({
    name,
    iterations: minSamples,
    time: minTimeMs,
    warmup: warmup > 0,
    warmupIterations: warmup,
    warmupTime: 0,
    throws: true,
    signal: controller.signal,
  });
  let warming = warmup;
  bench.add(name, async () => {
    if (warming > 0) {
      warming--;
      await fn();
      return;
    }
    await fn();
    // past the cap: abort after this call (its sample is kept)
    if (++timed >= Math.max(maxSamples, minSamples)) controller.abort();
  });
  await bench.run();
  const task = bench.getTask(name);
  const result = task?.result;
  if (!result || !('latency' in result) || !result.latency) {
    throw new Error(`measure('${name}'): tinybench produced no statistics (state ${result?.state ?? 'unknown'})`);
  }
  const ms = result.latency.p50;
  const out: Measurement = { name, ms, minMs: result.latency.min, samples: result.latency.samplesCount, ...opts.extra };
  if (opts.flops !== undefined) out.gflops = (opts.flops / (ms / 1000)) * 1e-9;
  return out;
}

/** Peak-memory tracker: samples RSS and ArrayBuffer memory while `fn` runs. */
export async function peakMemory<T>(fn: () => T | Promise<T>, intervalMs = 5): Promise<{ result: T; peakRssBytes: number; peakArrayBuffersBytes: number; baselineArrayBuffersBytes: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakAb = base.arrayBuffers;
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.arrayBuffers > peakAb) peakAb = m.arrayBuffers;
  };
  const timer = setInterval(sample, intervalMs);
  try {
    const result = await fn();
    sample();
    return { result, peakRssBytes: peakRss, peakArrayBuffersBytes: peakAb, baselineArrayBuffersBytes: base.arrayBuffers };
  } finally {
    clearInterval(timer);
  }
}

/** Describe the machine a benchmark ran on. */
export function machine(): Record<string, unknown> {
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    date: new Date().toISOString(),
  };
}

/** Print one JSON document for a benchmark run (stdout), the format BENCHMARKS.md quotes. */
export function emit(benchmark: string, results: unknown[], params: Record<string, unknown> = {}): void {
  process.stdout.write(JSON.stringify({ benchmark, machine: machine(), params, results }, null, 2) + '\n');
}

/**
 * Idle fraction of each core over `ms` (benchmarks on a shared machine record it, and wait for it).
 *
 * @example
 *   const idle = await coreIdle(); // e.g. [0.97, 0.95]
 */
export async function coreIdle(ms = 1000): Promise<number[]> {
  const a = os.cpus();
  await new Promise((r) => setTimeout(r, ms));
  const total = (t: os.CpuInfo['times']) => t.user + t.nice + t.sys + t.idle + t.irq;
  return os.cpus().map((c, i) => {
    const dt = total(c.times) - total(a[i].times);
    return dt > 0 ? Math.round(((c.times.idle - a[i].times.idle) / dt) * 100) / 100 : 1;
  });
}

/**
 * Wait (at most `maxMs`) until every core is ≥ 90 % idle over a second; returns the last reading.
 *
 * @example
 *   idleSeen.push(await waitForIdle());
 */
export async function waitForIdle(maxMs = 60_000): Promise<number[]> {
  const start = Date.now();
  for (;;) {
    const idle = await coreIdle();
    if (Math.min(...idle) >= 0.9 || Date.now() - start > maxMs) return idle;
  }
}
