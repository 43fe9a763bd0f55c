/**
 * Solver benchmark (issue 4): P1 (n=1000, d=20, P=100) and P2 (n=10⁴, d=50, P=500) from
 * bench/scnn/problems.ts (X standard normal, y = 5 planted ReLU neurons + 0.1 noise, standard-normal
 * gates, λ = 0.01, scnn's 1/(2n) scale), plus real data (diabetes, breast_cancer and a
 * LetterRecognition subset from /work/shared/data, skipped when absent).
 *
 * For each problem: our convex solve (objective/certificate trace), SGD and Adam from
 * @cvxnn/networks on the SAME weight-decay objective (width P, same time budget), and scnn's result
 * (run live with --scnn, otherwise read from bench/results/scnn-<P>.json recorded on this machine by
 * bench/scnn/baseline.ts). Reports the time to reach an objective within 1e-6 (relative) of the
 * best known feasible objective.
 *
 *   tsx --conditions=@cvxnn/source bench/solvers.bench.ts [P1] [P2] [real] [--scnn] [--onnx|--blas] [--solve-only]
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { emit } from '@cvxnn/bench-harness';
import { type Backend, getBackend, Matrix, PatternMasks, resolveBackend } from '@cvxnn/linalg';
import { trainAdam, trainSgd } from '@cvxnn/networks';
import { makeProblem, writeProblem } from '../../../bench/scnn/problems.js';
import { runScnn, scnnAvailable } from '../../../bench/scnn/scnn.js';
import { type ConvexResult, fitConvex } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const args = process.argv.slice(2);
const want = (k: string) => args.includes(k) || (args.every((a) => a.startsWith('--')) && k !== 'P2');
const live = args.includes('--scnn');
// the two-thread TypeScript backend when it starts (this machine has 2 cores), else the plain one
// `--onnx`: @cvxnn/backend-onnx's fp64 MLAS kernels (loaded from its sources; not a dependency
// of this package, so the solvers stay backend-agnostic)
let backend: Backend = getBackend();
try {
  if (args.includes('--onnx')) {
    const mod = (await import(pathToFileURL(path.join(root, 'packages/backend-onnx/src/index.ts')).href)) as { registerOnnxBackends(): void };
    mod.registerOnnxBackends();
    backend = (await resolveBackend('onnx')).backend;
  } else if (args.includes('--blas')) {
    // @cvxnn/backend-blas: the OpenBLAS N-API addon (fp64), loaded from its sources like onnx
    const mod = (await import(pathToFileURL(path.join(root, 'packages/backend-blas/src/index.ts')).href)) as { registerBlasBackends(): void };
    mod.registerBlasBackends();
    backend = (await resolveBackend('blas')).backend;
  } else backend = (await resolveBackend('ts-workers')).backend;
} catch (e) {
  console.error(`backend fallback to ts: ${(e as Error).message}`);
}

/** Write bench/results/<name>.json (and print it through the harness). */
function save(name: string, rows: unknown[], params: Record<string, unknown>): void {
  emit(name, rows, params);
  const doc = { benchmark: name, date: new Date().toISOString(), command: `tsx bench/solvers.bench.ts ${args.join(' ')}`, machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverage: os.loadavg() }, params, results: rows };
  const suffix = (args.includes('--onnx') ? '-onnx' : args.includes('--blas') ? '-blas' : '') + (args.includes('--solve-only') ? '-solve-only' : '');
  writeFileSync(path.join(root, 'bench/results', `${name}${suffix}.json`), JSON.stringify(doc, null, 1) + '\n');
}

/** First time at which the trace is within rtol of `best` (null when never). */
function timeTo(points: Array<{ timeSeconds: number; objective: number }>, best: number, rtol = 1e-6): number | null {
  for (const p of points) if (p.objective <= best * (1 + rtol)) return p.timeSeconds;
  return null;
}

interface Row {
  problem: string;
  method: string;
  objective: number;
  timeSeconds: number;
  certificate?: number;
  constraintViolation?: number;
  iterations?: number;
  activeNeurons?: number;
  timeToBest?: number | null;
  /** our solves: time at which the trace first reaches scnn's objective (null: never) */
  timeToScnn?: number | null;
  /** our solves: process CPU seconds of the solve (all threads), stable-ish on a loaded machine */
  cpuSeconds?: number;
  /** 1-minute load average just before and just after the solve */
  load?: [number, number];
  note?: string;
}

function convexRow(problem: string, method: string, r: ConvexResult): Row {
  return {
    problem,
    method,
    objective: r.objective,
    timeSeconds: r.timeSeconds,
    certificate: r.certificate.value,
    constraintViolation: r.constraintViolation,
    iterations: r.iterations,
    activeNeurons: r.activeNeurons,
  };
}

function recordedScnn(name: string, model: 'relu' | 'gated-relu'): Row | null {
  const f = path.join(root, 'bench/results', `scnn-${name}.json`);
  if (!existsSync(f)) return null;
  const j = JSON.parse(readFileSync(f, 'utf8')) as { runs: Array<Record<string, number | string>> };
  const r = j.runs.find((x) => x.model === model);
  if (!r) return null;
  return {
    problem: name,
    method: `scnn ${model === 'relu' ? 'AL' : 'R-FISTA'} (recorded, ${j.runs.length ? 'bench/results/scnn-' + name + '.json' : ''})`,
    objective: Number(r.objective),
    timeSeconds: Number(r.timeSeconds),
    constraintViolation: r.constraintViolation === undefined ? undefined : Number(r.constraintViolation),
  };
}

async function synthetic(name: 'P1' | 'P2', models: Array<'gated-relu' | 'relu'>, timeLimit: number): Promise<void> {
  const pr = makeProblem(name, 0);
  const X = pr.X as Matrix<Float64Array>;
  const G = pr.G as Matrix<Float64Array>;
  const Y = Matrix.fromArray(X.rows, 1, pr.y as Float64Array);
  const masks = PatternMasks.fromGates(X, G);
  const rows: Row[] = [];
  const traces: Record<string, unknown> = {};
  for (const model of models) {
    const load0 = os.loadavg()[0];
    const cpu0 = process.cpuUsage();
    const r = fitConvex(X, Y, { masks, gates: G }, { model, lambda: pr.lambda, scale: 'mean', timeLimit, backend });
    const cpu = process.cpuUsage(cpu0);
    const row = convexRow(name, `cvxnn ${model} (${model === 'relu' ? 'cone-prox R-FISTA' : 'R-FISTA'} + working sets)`, r);
    row.cpuSeconds = (cpu.user + cpu.system) / 1e6;
    row.load = [load0, os.loadavg()[0]];
    rows.push(row);
    traces[model] = r.history;
    console.error(`${name} ${model}: ${r.objective} in ${r.timeSeconds.toFixed(2)} s, gap ${r.certificate.value.toExponential(2)}, viol ${r.constraintViolation.toExponential(2)}`);
    let scnn: Row | null = null;
    if (live) {
      const probe = scnnAvailable();
      if (probe.ok) {
        const dir = writeProblem(mkdtempSync(path.join(os.tmpdir(), `${name}-`)), pr);
        const s = runScnn(dir, model === 'relu' ? 'relu' : 'gated');
        scnn = { problem: name, method: `scnn ${model === 'relu' ? 'AL' : 'R-FISTA'} (live)`, objective: s.objective, timeSeconds: s.timeSeconds, constraintViolation: (s as { constraintViolation?: number }).constraintViolation };
      } else console.error(`scnn skipped: ${probe.reason}`);
    } else scnn = recordedScnn(name, model);
    if (scnn) {
      rows.push(scnn);
      row.timeToScnn = timeTo(r.history, scnn.objective, 0);
    }
    // SGD and Adam on the same objective (width P), same wall-clock budget as our solve
    // (`--solve-only` skips them, e.g. for a backend comparison)
    const budget = Math.min(120, Math.max(2, r.timeSeconds));
    if (args.includes('--solve-only')) continue;
    const init = { width: G.cols, seed: 1, kind: model, gates: model === 'gated-relu' ? G : undefined };
    for (const [method, train] of [
      ['adam', trainAdam],
      ['sgd', trainSgd],
    ] as const) {
      const t = train(init, X, Y, { lambda: pr.lambda, loss: 'squared', scale: 'mean', timeLimit: budget, iterations: 1e9, learningRate: method === 'adam' ? 0.01 : 'auto' });
      rows.push({ problem: name, method: `${method} (full batch, m=${G.cols}, ${budget.toFixed(0)} s budget)`, objective: t.objective, timeSeconds: t.timeSeconds, iterations: t.iterations });
      traces[`${model}-${method}`] = t.history;
    }
    const feasible = rows.filter((x) => x.constraintViolation === undefined || x.constraintViolation <= 1e-6);
    const best = Math.min(...feasible.map((x) => x.objective));
    row.timeToBest = timeTo(r.history, best);
  }
  for (const row of rows) console.error(`${row.problem}\t${row.method}\t${row.objective}\t${row.timeSeconds.toFixed(2)}s\tviol=${row.constraintViolation ?? '-'}\tcert=${row.certificate ?? '-'}\tt→best=${row.timeToBest ?? '-'}`);
  save(`solvers-${name}`, rows, {
    backend: backend.name, problem: { name, n: X.rows, d: X.cols, P: G.cols, lambda: pr.lambda, scale: 'mean' }, scnnSource: live ? 'live' : 'recorded', traces });
}

function readCsv(file: string, labelFirst = false): { X: Matrix<Float64Array>; labels: string[] } {
  const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/).slice(1);
  const rows = lines.map((l) => l.split(','));
  const d = rows[0].length - 1;
  const X = Matrix.zeros(rows.length, d);
  const labels: string[] = [];
  rows.forEach((r, i) => {
    const lab = labelFirst ? r[0] : r[d];
    const feats = labelFirst ? r.slice(1) : r.slice(0, d);
    labels.push(lab.replace(/"/g, ''));
    feats.forEach((v, k) => (X.data[i * d + k] = Number(v)));
  });
  // z-score and bias column (the CLI's defaults)
  const out = Matrix.zeros(X.rows, d + 1);
  for (let k = 0; k < d; k++) {
    let m = 0;
    let s = 0;
    for (let i = 0; i < X.rows; i++) m += X.get(i, k) / X.rows;
    for (let i = 0; i < X.rows; i++) s += (X.get(i, k) - m) ** 2 / X.rows;
    const sd = Math.sqrt(s) || 1;
    for (let i = 0; i < X.rows; i++) out.set(i, k, (X.get(i, k) - m) / sd);
  }
  for (let i = 0; i < X.rows; i++) out.set(i, d, 1);
  return { X: out, labels };
}

async function real(): Promise<void> {
  const dataDir = '/work/shared/data';
  const rows: Row[] = [];
  const jobs: Array<{ name: string; file: string; labelFirst?: boolean; loss: 'squared' | 'logistic'; lambda: number; take?: number }> = [
    { name: 'diabetes', file: 'diabetes.csv', loss: 'squared', lambda: 1e3 },
    { name: 'breast_cancer', file: 'breast_cancer.csv', loss: 'logistic', lambda: 1 },
    { name: 'letters-AvsB-1500', file: 'LetterRecognition.csv', labelFirst: true, loss: 'logistic', lambda: 1, take: 1500 },
  ];
  for (const job of jobs) {
    const f = path.join(dataDir, job.file);
    if (!existsSync(f)) {
      console.error(`skip ${job.name}: ${f} absent`);
      continue;
    }
    let { X, labels } = readCsv(f, job.labelFirst);
    if (job.name.startsWith('letters')) {
      const idx = labels.map((l, i) => (l === 'A' || l === 'B' ? i : -1)).filter((i) => i >= 0).slice(0, job.take);
      const Xs = Matrix.zeros(idx.length, X.cols);
      idx.forEach((i, t) => Xs.data.set(X.row(i), t * X.cols));
      X = Xs;
      labels = idx.map((i) => labels[i]);
    }
    const cls = [...new Set(labels)].sort();
    const Y = Matrix.fromArray(X.rows, 1, labels.map((l) => (job.loss === 'squared' ? Number(l) : l === cls[1] ? 1 : -1)));
    const G = Matrix.fromArray(X.cols, 100, new (await import('@cvxnn/linalg')).Rng(0).normalArray(X.cols * 100));
    const masks = PatternMasks.fromGates(X, G);
    for (const model of ['gated-relu', 'relu'] as const) {
      const r = fitConvex(X, Y, { masks, gates: G }, { model, lambda: job.lambda, loss: job.loss, timeLimit: 120, backend });
      const row = convexRow(job.name, `cvxnn ${model}`, r);
      const budget = Math.max(2, r.timeSeconds);
      const t = trainAdam({ width: 100, seed: 1, kind: model, gates: model === 'gated-relu' ? G : undefined }, X, Y, { lambda: job.lambda, loss: job.loss, timeLimit: budget, iterations: 1e9 });
      row.timeToBest = timeTo(r.history, Math.min(r.objective, t.objective));
      rows.push(row, { problem: job.name, method: `adam ${model} (m=100, ${budget.toFixed(0)} s)`, objective: t.objective, timeSeconds: t.timeSeconds, iterations: t.iterations });
      console.error(`${job.name} ${model}: convex ${r.objective} (${r.timeSeconds.toFixed(2)} s, cert ${r.certificate.value.toExponential(1)}) adam ${t.objective}`);
    }
  }
  for (const row of rows) console.error(`${row.problem}\t${row.method}\t${row.objective}\t${row.timeSeconds.toFixed(2)}s\tcert=${row.certificate ?? '-'}`);
  save('solvers-real', rows, { note: 'z-scored features + bias column, 100 standard-normal gates, sum scale' });
}

if (want('P1')) await synthetic('P1', ['gated-relu', 'relu'], 120);
if (args.includes('P2')) await synthetic('P2', ['gated-relu'], 300);
if (want('real')) await real();
backend.dispose?.();
