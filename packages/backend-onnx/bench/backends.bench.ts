/**
 * GFLOP/s of every CPU backend for `gemm` (X·U), `mask-forward` (Σ_i D_i X u_i) and
 * `mask-backward` (Xᵀ D_i r) at n = 10⁴, d = 50, P = 500 (c = 1), with numpy/OpenBLAS computing
 * the same three products (fp64 and fp32) in the same run as the reference. Two rounds, each backend and
 * numpy in turn after waiting for idle cores; each entry keeps its faster round (other engineers share the 2 cores, so the
 * slower round is the one a neighbour disturbed). Writes bench/results/backends-kernels.json and
 * prints it.
 *
 *   pnpm -s --filter @cvxnn/backend-onnx bench
 *
 * numpy runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (they slow a current OpenBLAS; see
 * the environment notes); the JSON records the OpenBLAS build and threads numpy used.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { machine, waitForIdle } from '@cvxnn/bench-harness';
import { createCpuBackend, type Backend } from '@cvxnn/linalg';
import { benchmarkKernels, createOnnxBackend, type KernelTiming } from '../src/index.js';

const n = 10_000;
const d = 50;
const P = 500;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

const backends: Backend[] = [createCpuBackend(), await createOnnxBackend(), await createOnnxBackend({ precision: 'fp32' })];

interface NumpyRun {
  numpy: string;
  blas: unknown;
  results: KernelTiming[];
}
function numpy(): NumpyRun {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const out = execFileSync('python3', [path.join(here, 'numpy_kernels.py'), String(n), String(d), String(P)], { env, encoding: 'utf8' });
  return JSON.parse(out) as NumpyRun;
}

const loadBefore = os.loadavg();
const rounds: KernelTiming[][] = [];
const idleBeforeRound: number[][] = [];
let np: NumpyRun | undefined;
for (let round = 0; round < 2; round++) {
  const ours: KernelTiming[] = [];
  for (const b of backends) {
    idleBeforeRound.push(await waitForIdle());
    ours.push(...benchmarkKernels([b], { n, d, patterns: P, minTimeMs: 700, minSamples: 5 }));
  }
  idleBeforeRound.push(await waitForIdle());
  const ref = numpy();
  np ??= ref;
  rounds.push([...ours, ...ref.results]);
}
const key = (r: KernelTiming) => `${r.backend}/${r.precision}/${r.kernel}`;
const best = new Map<string, KernelTiming & { msRounds: number[] }>();
for (const round of rounds) {
  for (const r of round) {
    const prev = best.get(key(r));
    if (!prev) best.set(key(r), { ...r, msRounds: [r.ms] });
    else {
      prev.msRounds.push(r.ms);
      if (r.ms < prev.ms) Object.assign(prev, { ms: r.ms, gflops: r.gflops });
    }
  }
}
const results = [...best.values()];
// our default CPU path (onnx for fp64, onnx-fp32 for fp32) as a percentage of numpy/OpenBLAS
const vsOpenBlas = results
  .filter((r) => r.backend !== 'numpy')
  .map((r) => {
    const ref = best.get(`numpy/${r.precision}/${r.kernel}`)!;
    return { backend: r.backend, precision: r.precision, kernel: r.kernel, percentOfOpenBlas: Math.round((r.gflops / ref.gflops) * 1000) / 10 };
  });

const doc = {
  benchmark: 'backends-kernels',
  machine: machine(),
  params: { n, d, P, c: 1, maskDensity: 0.5, flopsPerCall: 2 * n * d * P, rounds: 2, timing: 'median per round, best of rounds' },
  load: { before: loadBefore, after: os.loadavg(), idleBeforeEachTiming: idleBeforeRound, note: 'per-core idle fractions over 1 s before each block (ts, onnx, onnx-fp32, numpy; two rounds); the run waits up to 60 s for ≥ 0.9 before each' },
  backends: backends.map((b) => ({ name: b.name, precision: b.precision, description: b.description })),
  numpy: { version: np!.numpy, blas: np!.blas, env: 'OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset' },
  results,
  vsOpenBlas,
};
const json = JSON.stringify(doc, null, 2) + '\n';
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/backends-kernels.json'), json);
process.stdout.write(json);
