/**
 * cvxnn against scnn, live, in the same run, on scnn's own problems (the files
 * ../shared/bench/make_scnn_problem.py writes, so both programs solve the same problem):
 * whole `cvxnn fit` processes (load, patterns, solve, certify to 1e-6) for each registered solver
 * that takes the problem, beside scnn's default solver (R-FISTA for gated, the augmented
 * Lagrangian for ReLU). Prints one JSON document and writes bench/results/compare-<P>.json.
 *
 *   pnpm -s bench:scnn P1 [P2] [--backend blas] [--solvers auto,newton,fista,bcd] [--relu [--relu-solvers auto,al]]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScnn, scnnAvailable } from './scnn.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (k: string, d: string) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : d;
};
const problems = args.filter((a) => /^P[12]$/.test(a));
const backend = opt('--backend', 'auto');
const solvers = opt('--solvers', 'auto,newton,fista').split(',');
const withRelu = args.includes('--relu');
const reluSolvers = opt('--relu-solvers', 'auto').split(',');
const generator = '/work/shared/bench/make_scnn_problem.py';
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** Run a command; wall seconds from here, user+sys CPU seconds and peak RSS from /usr/bin/time. */
function measured(cmd: string, argv: string[]): { stdout: string; status: number | null; wall: number; cpu: number | null; peakMB: number | null } {
  const t = performance.now();
  const r = timeBin ? spawnSync(timeBin, ['-f', '__time %U %S %M', cmd, ...argv], { encoding: 'utf8', maxBuffer: 256 << 20 }) : spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 256 << 20 });
  const wall = (performance.now() - t) / 1000;
  const m = /__time ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr ?? '');
  return { stdout: r.stdout, status: r.status, wall, cpu: m ? Number(m[1]) + Number(m[2]) : null, peakMB: m ? Number(m[3]) / 1024 : null };
}

const doc: Record<string, unknown> = { benchmark: 'cvxnn vs scnn (live)', date: new Date().toISOString(), command: `pnpm -s bench:scnn ${args.join(' ')}`, machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverage: os.loadavg() }, problems: {} };
const probe = scnnAvailable();
if (!probe.ok) console.error(`scnn not available (${probe.reason}); cvxnn rows only`);
for (const P of problems) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `cvxnn-${P}-`));
  const g = spawnSync('python3', [generator, P, dir], { encoding: 'utf8' });
  if (g.status !== 0) throw new Error(`${generator} failed: ${g.stderr}`);
  const rows: Record<string, unknown>[] = [];
  const models: Array<'gated' | 'relu'> = withRelu ? ['gated', 'relu'] : ['gated'];
  for (const model of models) {
    if (probe.ok) {
      const t = performance.now();
      const s = runScnn(dir, model, { nice: false });
      rows.push({ tool: 'scnn', model, solver: s.solver.name, objective: s.objective, constraintViolation: s.constraintViolation, solveSeconds: s.timeSeconds, wallSeconds: (performance.now() - t) / 1000, iterations: s.iterations ?? s.total_inner_iterations, activeNeurons: s.activeNeurons });
    }
    for (const solver of model === 'relu' ? reluSolvers : solvers) {
      const r = measured(process.execPath, [path.join(root, 'apps/cli/bin/cvxnn.js'), 'fit', '--data', path.join(dir, 'data.csv'), '--gates', path.join(dir, 'gates.csv'), '--objective-scale', 'mean', '--standardize', 'none', '--lambda', '0.01', '--model', model === 'gated' ? 'gated-relu' : 'relu', '--solver', solver, '--backend', backend, '--max-iters', '100000', '--time-limit', '300', '--json']);
      let res: Record<string, unknown> = {};
      try {
        const j = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as Record<string, unknown>;
        res = (j.result as Record<string, unknown>) ?? j;
      } catch {
        res = { error: r.stdout.slice(0, 300) };
      }
      const cert = res.certificate as { value?: number } | undefined;
      rows.push({ tool: 'cvxnn', model, solver, ran: res.solver, status: res.status, exit: r.status, objective: res.objective, certificate: cert?.value, constraintViolation: res.constraintViolation, iterations: res.iterations, solveSeconds: res.timeSeconds, wallSeconds: r.wall, cpuSeconds: r.cpu, peakMB: r.peakMB, backend: res.backend });
    }
  }
  // ratios against scnn's own wall time (process start to result), per model
  for (const row of rows) {
    const s = rows.find((q) => q.tool === 'scnn' && q.model === row.model);
    if (row.tool === 'cvxnn' && s) row.wallVsScnnWall = (row.wallSeconds as number) / (s.wallSeconds as number);
  }
  (doc.problems as Record<string, unknown>)[P] = rows;
  writeFileSync(path.join(root, 'bench/results', `compare-${P}.json`), JSON.stringify({ ...doc, problems: { [P]: rows } }, null, 1) + '\n');
}
console.log(JSON.stringify(doc, null, 1));
void readFileSync;
