/**
 * Exact enumeration time vs n for d = 2, 3, 4 (Gaussian data, general position, with the count and
 * the Cover/Zaslavsky formula), against the HiGHS incremental LP algorithm (SPEC §1.3 item 2) on the
 * small sizes; and sampling throughput for n = 10⁴, d = 50 (distinct patterns/s and gates/s) against
 * a naive per-gate loop with unpacked '0'/'1' string de-duplication. Prints one JSON document.
 *
 *   pnpm -s --filter @cvxnn/arrangements bench > bench/results/arrangements-patterns.json
 */
import os from 'node:os';
import { emit, measure, type Measurement } from '@cvxnn/bench-harness';
import { getBackend, Matrix, Rng } from '@cvxnn/linalg';
import { enumeratePatterns, enumeratePatternsLP, regionCount, samplePatterns } from '../src/index.js';

const gaussian = (n: number, d: number, seed: number) => Matrix.fromArray(n, d, new Rng(seed).normalArray(n * d));
const results: Measurement[] = [];
const loadBefore = os.loadavg()[0];

// exact enumeration: the fast extreme-ray algorithm
const sizes: Array<[number, number]> = [
  [100, 2], [1000, 2], [3000, 2],
  [30, 3], [100, 3], [200, 3], [300, 3],
  [20, 4], [40, 4], [60, 4], [80, 4],
];
for (const [n, d] of sizes) {
  const X = gaussian(n, d, n + d);
  let count = 0;
  const r = await measure(`exact d=${d} n=${n}`, () => (count = enumeratePatterns(X, { dropZero: false }).masks.p), { warmup: 1, minSamples: 3, minTimeMs: 300, maxSamples: 20 });
  results.push({ ...r, kind: 'exact', method: 'extreme-rays', n, d, count, formulaCount: regionCount(n, d), patternsPerSecond: count / (r.ms / 1000) });
}
// baseline: incremental algorithm with one HiGHS LP per candidate cell, on the small sizes, and the fast one on the same data
for (const [n, d] of [[20, 2], [12, 3], [10, 4]] as Array<[number, number]>) {
  const X = gaussian(n, d, 7 * n + d);
  let count = 0;
  const lp = await measure(`exact-LP d=${d} n=${n}`, async () => (count = (await enumeratePatternsLP(X, { dropZero: false })).masks.p), { warmup: 1, minSamples: 3, minTimeMs: 300, maxSamples: 10 });
  results.push({ ...lp, kind: 'exact', method: 'incremental-LP (HiGHS)', n, d, count, formulaCount: regionCount(n, d) });
  const fast = await measure(`exact d=${d} n=${n} (same data)`, () => (count = enumeratePatterns(X, { dropZero: false }).masks.p), { warmup: 2, minSamples: 10, minTimeMs: 300 });
  results.push({ ...fast, kind: 'exact', method: 'extreme-rays', n, d, count, formulaCount: regionCount(n, d), speedupVsLP: lp.ms / fast.ms });
}

// sampling throughput, n = 10^4, d = 50
const n = 10_000;
const d = 50;
const X = gaussian(n, d, 1);
for (const gates of [1000, 10_000]) {
  let distinct = 0;
  const r = await measure(`sample n=${n} d=${d} gates=${gates}`, () => (distinct = samplePatterns(X, { count: gates, seed: 2 }).masks.p), { warmup: 1, minSamples: gates > 5000 ? 2 : 3, minTimeMs: 0, maxSamples: 3 });
  results.push({ ...r, kind: 'sample', method: 'GEMM blocks + packed hash', n, d, gates, distinct, gatesPerSecond: gates / (r.ms / 1000), distinctPerSecond: distinct / (r.ms / 1000) });
}
{
  // naive: per gate, Xg by plain loops, the pattern as an n-character string, a Set of strings
  const gates = 1000;
  let distinct = 0;
  const r = await measure(
    `sample-naive n=${n} d=${d} gates=${gates}`,
    () => {
      const rng = new Rng(2);
      const seen = new Set<string>();
      const Xd = X.data;
      for (let t = 0; t < gates; t++) {
        const g = rng.normalArray(d);
        const chars: string[] = new Array(n);
        for (let j = 0; j < n; j++) {
          let v = 0;
          for (let i = 0; i < d; i++) v += Xd[j * d + i] * g[i];
          chars[j] = v > 0 ? '1' : '0';
        }
        const key = chars.join('');
        if (!key.includes('1')) continue;
        seen.add(key);
      }
      distinct = seen.size;
    },
    { warmup: 1, minSamples: 3, minTimeMs: 0, maxSamples: 3 },
  );
  results.push({ ...r, kind: 'sample', method: 'naive loops + string Set', n, d, gates, distinct, gatesPerSecond: gates / (r.ms / 1000), distinctPerSecond: distinct / (r.ms / 1000) });
}
emit('arrangements-patterns', results, { backend: getBackend().name, loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg()[0] });
