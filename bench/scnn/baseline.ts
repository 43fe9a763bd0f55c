/**
 * Run the scnn baseline once on P1 or P2 and save bench/results/scnn-<P>.json: the problem,
 * the machine, and one entry per model with scnn's result (objective recomputed in numpy by
 * run_scnn.py) plus the same objective recomputed here in TypeScript from the returned weights.
 *
 *   packages/linalg/node_modules/.bin/tsx bench/scnn/baseline.ts P1 [--models relu,gated] [--seed 0] [--threads 2] [--timeout-s 1200]
 *
 * scnn runs under `nice -n 10`. Exits 0 with a message (and writes nothing) when scnn is not
 * importable.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CvxnnError } from '../../packages/linalg/src/index.js';
import { BENCH_PROBLEMS, makeProblem, writeProblem } from './problems.js';
import { evaluateWeights, readScnnWeights, runScnn, scnnAvailable, type ScnnModel } from './scnn.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function parse(argv: string[]) {
  let name: 'P1' | 'P2' | undefined;
  let models: ScnnModel[] = ['relu', 'gated'];
  let seed = 0;
  let threads = 2;
  let timeoutS = 1200;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === 'P1' || a === 'P2') name = a;
    else if (a === '--models') {
      models = argv[++i].split(',') as ScnnModel[];
      for (const m of models) if (m !== 'gated' && m !== 'relu') throw new CvxnnError('INVALID_OPTION', `--models takes gated and/or relu, got '${m}'`);
    } else if (a === '--seed') seed = Number(argv[++i]);
    else if (a === '--threads') threads = Number(argv[++i]);
    else if (a === '--timeout-s') timeoutS = Number(argv[++i]);
    else throw new CvxnnError('INVALID_OPTION', `unknown argument '${a}'; usage: baseline.ts P1|P2 [--models relu,gated] [--seed S] [--threads T] [--timeout-s S]`);
  }
  if (name === undefined) throw new CvxnnError('INVALID_OPTION', 'name the problem: P1 or P2');
  if (!Number.isInteger(seed)) throw new CvxnnError('INVALID_OPTION', `--seed must be an integer, got ${seed}`);
  if (!Number.isInteger(threads) || threads < 1) throw new CvxnnError('INVALID_OPTION', `--threads must be a positive integer, got ${threads}`);
  if (!(timeoutS > 0)) throw new CvxnnError('INVALID_OPTION', `--timeout-s must be > 0, got ${timeoutS}`);
  return { name, models, seed, threads, timeoutS };
}

function main(): void {
  const { name, models, seed, threads, timeoutS } = parse(process.argv.slice(2));
  const probe = scnnAvailable();
  if (!probe.ok) {
    console.error(`scnn baseline skipped: ${probe.reason}`);
    return;
  }
  const problem = makeProblem(name, seed);
  const dir = mkdtempSync(join(os.tmpdir(), `cvxnn-scnn-${name}-`));
  writeProblem(dir, problem);
  const runs: Record<string, unknown>[] = [];
  try {
    for (const model of models) {
      const weightsOut = join(dir, `weights-${model}.f64`);
      console.error(`scnn ${model} on ${name} (n=${problem.n}, d=${problem.d}, P=${problem.P}) ...`);
      const loadBefore = os.loadavg();
      const t0 = performance.now();
      let r;
      try {
        r = runScnn(dir, model, { threads, weightsOut, timeoutMs: timeoutS * 1000 });
      } catch (e) {
        const wall = (performance.now() - t0) / 1000;
        console.error(`  no result after ${wall.toFixed(1)} s: ${(e as Error).message}`);
        runs.push({ date: new Date().toISOString(), tool: 'scnn', model: model === 'gated' ? 'gated-relu' : 'relu', finished: false, limitSeconds: timeoutS, wallSeconds: wall, error: (e as Error).message, loadAverageBefore: loadBefore });
        continue;
      }
      const wallSeconds = (performance.now() - t0) / 1000;
      const check = evaluateWeights(problem, readScnnWeights(weightsOut, model, problem.P, problem.d));
      console.error(`  objective ${r.objective} (ts ${check.objective}), ${r.timeSeconds.toFixed(2)} s solve, ${wallSeconds.toFixed(2)} s wall`);
      runs.push({ ...r, date: new Date().toISOString(), wallSecondsIncludingStartup: wallSeconds, loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg(), tsCheck: check });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const out = {
    benchmark: `scnn-${name}`,
    date: new Date().toISOString(),
    problem: { name, ...BENCH_PROBLEMS[name], scale: 'mean', seed, generator: 'bench/scnn/problems.ts makeProblem' },
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, platform: `${os.platform()} ${os.release()}`, node: process.version },
    timeoutSecondsPerRun: timeoutS,
    command: `tsx bench/scnn/baseline.ts ${process.argv.slice(2).join(' ')}`,
    runs,
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const path = join(root, 'bench', 'results', `scnn-${name}.json`);
  // keep earlier runs of the models not run now (same problem and seed), marked with their date
  if (existsSync(path)) {
    try {
      const prev = JSON.parse(readFileSync(path, 'utf8')) as { date?: string; problem?: { seed?: number }; runs?: Record<string, unknown>[] };
      if (prev.problem?.seed === seed) {
        const now = new Set(runs.map((r) => r.model));
        for (const r of prev.runs ?? []) if (!now.has(r.model)) runs.push({ ...r, date: r.date ?? prev.date });
      }
    } catch {
      // an unreadable old file is simply replaced
    }
  }
  writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`);
  console.error(`wrote ${path}`);
}

try {
  main();
} catch (e) {
  process.stderr.write(`error${e instanceof CvxnnError ? ` [${e.code}]` : ''}: ${(e as Error).message}\n`);
  process.exit(2);
}
