/**
 * `ts` (one thread) against `ts-workers` (all cores) on the masked products at n = 10000,
 * d = 50, P = 500, c = 1, fp64, interleaved so both see the same machine load. Prints one JSON
 * document with the per-core idle fractions around each timing (the machine may be shared).
 *
 *   pnpm -s --filter @cvxnn/linalg bench:workers > bench/results/linalg-workers.json
 */
import os from 'node:os';
import { coreIdle, emit, measure, type Measurement } from '@cvxnn/bench-harness';
import { relErr } from '../src/conformance.js';
import { createCpuBackend, Matrix, PatternMasks, Rng, type Backend } from '../src/index.js';
import { createWorkerBackend } from '../src/workers.js';

const n = 10_000;
const d = 50;
const P = 500;
const flops = 2 * n * d * P;


const rng = new Rng(42);
const X = new Matrix(n, d, rng.normalArray(n * d));
const M = PatternMasks.fromGates(X, new Matrix(d, P, rng.normalArray(d * P)));
const U = new Matrix(d, P, rng.normalArray(d * P));
const R = new Matrix(n, 1, rng.normalArray(n));
const ts = createCpuBackend();
const tw = await createWorkerBackend();
const agree = {
  maskedForward: relErr(tw.maskedForward(X, M, U), ts.maskedForward(X, M, U)),
  maskedBackward: relErr(tw.maskedBackward(X, M, R), ts.maskedBackward(X, M, R)),
};
const results: Measurement[] = [];
for (const kernel of ['maskedForward', 'maskedBackward'] as const) {
  for (const be of [ts, tw] as Backend[]) {
    const idleBefore = await coreIdle(500);
    const fn = kernel === 'maskedForward' ? () => be.maskedForward(X, M, U) : () => be.maskedBackward(X, M, R);
    const m = await measure(`${be.name}.${kernel}`, fn, { flops, warmup: 2, minSamples: 5, minTimeMs: 1500 });
    results.push({ ...m, backend: be.name, description: be.description, relErrVsTs: be === ts ? 0 : agree[kernel], coreIdleBefore: idleBefore });
  }
}
tw.dispose?.();
emit('linalg-workers', results, { n, d, P, c: 1, precision: 'fp64', flopsPerCall: flops, loadAverage: os.loadavg() });
