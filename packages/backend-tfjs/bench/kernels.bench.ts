/**
 * The TensorFlow.js backends against the other CPU paths, in one run:
 *
 * 1. kernels — GFLOP/s of `gemm` (X·U), `mask-forward` (Σ_i D_i X u_i) and `mask-backward`
 *    (Xᵀ D_i r) at n = 10⁴, d = 50, P = 500, c = 1 for wasm, tfjs-cpu, onnx-fp32, onnx and ts,
 *    with numpy/OpenBLAS (packages/backend-onnx/bench/numpy_kernels.py) computing the same
 *    products in the same run; backends and numpy interleaved, `--rounds` rounds (default 2),
 *    each entry keeps its fastest round (the cores are shared: slower rounds are the disturbed
 *    ones). tfjs-node-gpu is added where it loads (a CUDA machine with the optional package).
 *    Then the same products on ONE thread timed in process CPU time (wasm, onnx-fp32 and onnx
 *    with threads: 1, ts; numpy with OPENBLAS_NUM_THREADS=1): the stable comparison when other
 *    processes share the cores.
 * 2. `--p2`: the end-to-end gated-ReLU solve of problem P2 (bench/scnn/problems.ts; n = 10⁴,
 *    d = 50, P = 500, λ = 0.01, mean scale) with @cvxnn/group-lasso's fitConvex on each backend
 *    of `--p2-backends` (default wasm,onnx-fp32,onnx; `--time-limit` s each, default 300), with
 *    the objective reached, the solver's certificate (for an fp32 backend fitConvex finishes in
 *    fp64 on the CPU backend: `polish`), and that certificate RE-CHECKED IN FP64: the duality gap
 *    of the returned U evaluated with the fp64 onnx backend (gapEvaluator); wall and process CPU
 *    seconds of each solve.
 *
 *   pnpm -s --filter @cvxnn/backend-tfjs bench            # kernels
 *   pnpm -s --filter @cvxnn/backend-tfjs bench -- --p2    # kernels + P2 solves
 *   pnpm -s --filter @cvxnn/backend-tfjs bench -- --p2-only --p2-backends wasm
 *
 * Before each backend's block (and numpy's) the run waits up to 60 s for both cores to be ≥ 90 %
 * idle (other engineers share them) and records the idle fractions it saw.
 *
 * Writes bench/results/tfjs-kernels.json (and tfjs-p2.json with --p2) and prints them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, waitForIdle } from '@cvxnn/bench-harness';
import { benchmarkKernels, createOnnxBackend, fastestRounds, numpyKernelReference, type KernelTiming } from '@cvxnn/backend-onnx';
import { createCpuBackend, Matrix, PatternMasks, type Backend } from '@cvxnn/linalg';
import { makeProblem } from '../../../bench/scnn/problems.js';
import { dataLoss, fitConvex, frobeniusGroupPenalty, gapEvaluator } from '../../group-lasso/src/index.js';
import { createTfjsBackend } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const rounds = Number(arg('--rounds', '2'));
const n = 10_000;
const d = 50;
const P = 500;

const onnx = await createOnnxBackend();
const onnx32 = await createOnnxBackend({ precision: 'fp32' });
const wasm = await createTfjsBackend({ kind: 'wasm' });
const tfcpu = await createTfjsBackend({ kind: 'cpu' });
const gpu = await createTfjsBackend({ kind: 'node-gpu' }).catch((e: Error) => {
  console.error(`note: ${e.message}`);
  return null;
});
const backends: Backend[] = [...(gpu ? [gpu] : []), wasm, tfcpu, onnx32, onnx, createCpuBackend()];
const byName = new Map(backends.map((b) => [b.name, b]));

const numpy = (env: Record<string, string> = {}) => numpyKernelReference(n, d, P, env);
const save = (name: string, doc: unknown) => {
  const json = JSON.stringify(doc, null, 2) + '\n';
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results', `${name}.json`), json);
  process.stdout.write(json);
};

// ---------------------------------------------------------------- 1. kernels
const loadBefore = os.loadavg();
const idleSeen: Array<{ before: string; idle: number[] }> = [];
let np: ReturnType<typeof numpy> | undefined;
const all: KernelTiming[][] = [];
const kernelsOn = !args.includes('--p2-only');
for (let round = 0; round < (kernelsOn ? rounds : 0); round++) {
  const rows: KernelTiming[] = [];
  for (const b of backends) {
    idleSeen.push({ before: b.name, idle: await waitForIdle() });
    rows.push(...benchmarkKernels([b], { n, d, patterns: P, minTimeMs: b.name === 'tfjs-cpu' ? 0 : 700, minSamples: b.name === 'tfjs-cpu' ? 3 : 5 }));
  }
  idleSeen.push({ before: 'numpy', idle: await waitForIdle() });
  const ref = numpy();
  np ??= ref;
  all.push([...rows, ...ref.results]);
  console.error(`round ${round + 1}/${rounds} done (load ${os.loadavg()[0].toFixed(1)})`);
}
const key = (r: Pick<KernelTiming, 'backend' | 'precision' | 'kernel'>) => `${r.backend}/${r.precision}/${r.kernel}`;
const pct = (a: number, b: number) => Math.round((a / b) * 1000) / 10;
/** Each row as a percentage of numpy/OpenBLAS and of onnx in the same precision. */
const ratiosOf = (rows: KernelTiming[]) => {
  const at = new Map(rows.map((r) => [key(r), r]));
  return rows
    .filter((r) => r.backend !== 'numpy')
    .map((r) => ({
      backend: r.backend,
      precision: r.precision,
      kernel: r.kernel,
      percentOfNumpyOpenBlas: pct(r.gflops, at.get(key({ ...r, backend: 'numpy' }))!.gflops),
      percentOfOnnxSamePrecision: pct(r.gflops, at.get(key({ ...r, backend: r.precision === 'fp64' ? 'onnx' : 'onnx-fp32' }))!.gflops),
    }));
};

// ---------------------------------------------------------------- 1b. one thread, CPU time
const oneThread: KernelTiming[] = [];
if (kernelsOn) {
  // median process CPU time per call after one warm-up call (15 calls; 5 for the slow ts backend)
  const single: Backend[] = [wasm, await createOnnxBackend({ precision: 'fp32', threads: 1 }), await createOnnxBackend({ threads: 1 }), createCpuBackend()];
  for (const b of single) oneThread.push(...benchmarkKernels([b], { n, d, patterns: P, clock: 'cpu', minTimeMs: 0, minSamples: b.name === 'ts' ? 5 : 15 }));
  const ref = numpy({ OPENBLAS_NUM_THREADS: '1', CVXNN_BENCH_CLOCK: 'cpu' });
  np ??= ref;
  oneThread.push(...ref.results);
  const results = fastestRounds(all);
  save('tfjs-kernels', {
    benchmark: 'tfjs-kernels',
    command: 'pnpm -s --filter @cvxnn/backend-tfjs bench',
    date: new Date().toISOString(),
    machine: machine(),
    params: { n, d, P, c: 1, maskDensity: 0.5, flopsPerCall: 2 * n * d * P, rounds, timing: 'median per round (≥ 700 ms and ≥ 5 calls; tfjs-cpu ≥ 3 calls), fastest round; backends and numpy interleaved' },
    load: { before: loadBefore, after: os.loadavg(), idleBeforeEachBlock: idleSeen, note: 'per-core idle fractions over 1 s before each block; the run waits up to 60 s for ≥ 0.9' },
    backends: backends.map((b) => ({ name: b.name, precision: b.precision, description: b.description })),
    numpy: { version: np!.numpy, blas: np!.blas, env: 'OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset' },
    results,
    ratios: ratiosOf(results),
    oneThreadCpuTime: {
      note: 'one thread each (wasm is single-threaded; onnx with threads: 1; numpy with OPENBLAS_NUM_THREADS=1), median process CPU time per call (Node process.cpuUsage, Python process_time): CPU seconds exclude the time a neighbour holds the core, so this is the stable comparison on a shared machine',
      results: oneThread,
      ratios: ratiosOf(oneThread),
    },
  });
}

// ---------------------------------------------------------------- 2. P2 end to end
if (args.includes('--p2') || args.includes('--p2-only')) {
  const timeLimit = Number(arg('--time-limit', '300'));
  const names = arg('--p2-backends', 'wasm,onnx-fp32,onnx').split(',');
  const pr = makeProblem('P2', 0);
  const X = pr.X as Matrix<Float64Array>;
  const G = pr.G as Matrix<Float64Array>;
  const Y = Matrix.fromArray(X.rows, 1, pr.y as Float64Array);
  const masks = PatternMasks.fromGates(X, G);
  const runs = [];
  for (const name of names) {
    const b = byName.get(name);
    if (!b) throw new Error(`--p2-backends: '${name}' is not one of ${[...byName.keys()].join(', ')}`);
    const c0 = process.cpuUsage();
    const r = fitConvex(X, Y, { masks, gates: G }, { model: 'gated-relu', lambda: pr.lambda, scale: 'mean', timeLimit, backend: b });
    const cpu = process.cpuUsage(c0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    // the returned U's duality gap, evaluated in fp64 (onnx, fp64 products; penalty from the fp64 norms)
    const U = (r.solution as { U: Matrix<Float64Array> }).U;
    const F = onnx.maskedForward(X, masks, U);
    const penalty = frobeniusGroupPenalty(pr.lambda, d, P, 1, 1, onnx).value(U.data);
    const check = gapEvaluator({ X, masks, loss: dataLoss('squared', 'mean', Y), lambda: pr.lambda, nuclear: false, backend: onnx })(F.data, penalty);
    console.error(`P2 gated on ${b.name} (${b.precision}): ${r.objective} in ${r.timeSeconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} CPU s), ${r.status}, gap ${r.certificate.value.toExponential(2)}; fp64 re-check: objective ${check.primal}, gap ${check.rel.toExponential(2)}`);
    runs.push({ b, r, check, cpuSeconds });
  }
  const bestObjective = Math.min(...runs.map((x) => x.check.primal));
  const timeTo = (h: Array<{ timeSeconds: number; objective: number }>) => h.find((p) => p.objective <= bestObjective * (1 + 1e-6))?.timeSeconds ?? null;
  save('tfjs-p2', {
    benchmark: 'tfjs-p2',
    command: `pnpm -s --filter @cvxnn/backend-tfjs bench -- --p2${args.includes('--p2-backends') ? ` --p2-backends ${names.join(',')}` : ''}`,
    date: new Date().toISOString(),
    machine: machine(),
    load: os.loadavg(),
    problem: { name: 'P2', n: X.rows, d: X.cols, P: G.cols, lambda: pr.lambda, scale: 'mean', model: 'gated-relu', tol: 1e-6, timeLimitSeconds: timeLimit },
    bestObjectiveFp64: bestObjective,
    results: runs.map(({ b, r, check, cpuSeconds }) => ({
      backend: b.name,
      precision: b.precision,
      description: b.description,
      status: r.status,
      objective: r.objective,
      certificate: r.certificate,
      // fp32 backends: group-lasso stops the fp32 stage at 1e-4 and finishes in fp64 on the CPU backend
      polish: r.polish ?? null,
      fp64Recheck: { objective: check.primal, relativeGap: check.rel, absoluteGap: check.gap },
      iterations: r.iterations,
      timeSeconds: r.timeSeconds,
      // process CPU time of the solve (all threads): robust to neighbours holding the cores
      cpuSeconds,
      timeToBestSeconds: timeTo(r.history),
    })),
  });
}
