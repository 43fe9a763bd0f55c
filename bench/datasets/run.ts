/**
 * Every bundled dataset × λ × model at the CLI's defaults, as a new user runs them: one whole
 * `cvxnn fit` process each (load, patterns, solve, certify), with its status, certificate, solver,
 * iterations, wall and CPU time and peak memory. Prints one JSON document and writes
 * bench/results/datasets.json.
 *
 *   pnpm -s bench:datasets [--datasets diabetes,wine] [--models gated-relu,relu] [--lambdas 1,0.1,0.01,0.001] [--time-limit 60]
 *                          [--out bench/results/datasets.json] [--baseline /path/to/other/checkout]
 *
 * `--baseline DIR` runs the same cell with DIR's built CLI right after ours (an A/B in one run, on
 * the same machine state); its rows carry `cli: 'baseline'`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const list = (k: string, d: string) => {
  const i = args.indexOf(k);
  return (i >= 0 ? args[i + 1] : d).split(',');
};
const datasets = list('--datasets', 'diabetes,breast_cancer,wine,digits8x8');
const models = list('--models', 'gated-relu,relu');
const lambdas = list('--lambdas', '1,0.1,0.01,0.001');
const timeLimit = list('--time-limit', '60')[0];
const out = path.resolve(process.env.INIT_CWD ?? process.cwd(), list('--out', path.join(root, 'bench/results/datasets.json'))[0]);
const baselineIdx = args.indexOf('--baseline');
const clis: [string, string][] = [['this', path.join(root, 'apps/cli/bin/cvxnn.js')]];
if (baselineIdx >= 0) {
  const b = path.resolve(process.env.INIT_CWD ?? process.cwd(), args[baselineIdx + 1] ?? '', 'apps/cli/bin/cvxnn.js');
  if (!existsSync(b)) throw new Error(`--baseline: no CLI at ${b} (build that checkout first)`);
  clis.push(['baseline', b]);
}
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const rows: Record<string, unknown>[] = [];
for (const ds of datasets) {
  for (const model of models) {
    for (const lambda of lambdas) {
      for (const [cli, bin] of clis) {
        const argv = [bin, 'fit', '--data', ds, '--model', model, '--lambda', lambda, '--time-limit', timeLimit, '--json'];
        const t = performance.now();
        const r = timeBin ? spawnSync(timeBin, ['-f', '__time %U %S %M', process.execPath, ...argv], { encoding: 'utf8', maxBuffer: 256 << 20 }) : spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 256 << 20 });
        const wall = (performance.now() - t) / 1000;
        const m = /__time ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr ?? '');
        let res: Record<string, unknown> = {};
        try {
          const j = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as Record<string, unknown>;
          res = (j.result as Record<string, unknown>) ?? j;
        } catch {
          res = { error: (r.stderr ?? '').split('\n').filter((l) => !l.startsWith('__time')).slice(-2).join(' ') };
        }
        const cert = res.certificate as { value?: number } | undefined;
        const row = { cli, dataset: ds, model, lambda: Number(lambda), exit: r.status, status: res.status, certificate: cert?.value, loss: res.loss, formulation: res.formulation, solver: res.solver, iterations: res.iterations, solveSeconds: res.timeSeconds, wallSeconds: wall, cpuSeconds: m ? Number(m[1]) + Number(m[2]) : null, peakMB: m ? Number(m[3]) / 1024 : null, error: res.error };
        rows.push(row);
        console.error(JSON.stringify(row));
      }
    }
  }
}
const doc = { benchmark: 'bundled datasets at CLI defaults', date: new Date().toISOString(), command: `pnpm -s bench:datasets ${args.join(' ')}`, machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverage: os.loadavg() }, rows };
writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
console.log(JSON.stringify(doc, null, 1));
