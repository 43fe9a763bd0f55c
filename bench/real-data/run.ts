/**
 * Real data: the convex model against what a user would pick instead, on the same split in the
 * same run. Each dataset is split once (seeded, stratified by class, 25 % test) into train.csv and
 * test.csv; `cvxnn fit --data train.csv --test-data test.csv --lambda auto` (a whole CLI process:
 * λ chosen on a validation split of the training rows, refit, certified) runs beside
 * scikit-learn's LogisticRegression, MLPClassifier(100) (Adam) and SVC — Ridge and
 * MLPRegressor(100) for regression — fitted on the same files (bench/real-data/sklearn_baseline.py,
 * Debian's python3-sklearn). Prints one JSON document and writes it to --out (default bench/results/real-data.json).
 *
 *   pnpm -s bench:real-data [--datasets breast_cancer,wine,ionosphere,sonar,diabetes] [--models gated-relu,relu] [--seed 0]
 *     [--fit-args "--cv 5 --patterns 300"] [--out bench/results/real-data.json]
 *
 * ionosphere / sonar are read from ../shared/data (UCI, CC BY 4.0) when that folder is there.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measured, stderrTail } from './measure.js';

/** A CSV read the way the shared files are written: header, label last, numbers or quoted strings. */
interface Dataset {
  X: number[][];
  y: number[];
  featureNames: string[];
  labelName: string;
  task: 'regression' | 'classification';
  classes?: string[];
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (k: string, d: string) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : d;
};
const shared = path.resolve(root, '../shared/data');
const bundled = (f: string) => path.join(root, 'packages/data/datasets', f);
const sources: Record<string, string> = {
  breast_cancer: bundled('breast_cancer.csv'),
  wine: bundled('wine.csv'),
  diabetes: bundled('diabetes.csv'),
  digits8x8: bundled('digits8x8.csv'),
  ionosphere: path.join(shared, 'Ionosphere.csv'),
  sonar: path.join(shared, 'Sonar.csv'),
};
const names = opt('--datasets', 'breast_cancer,wine,ionosphere,sonar,diabetes').split(',');
const models = opt('--models', 'gated-relu').split(',');
const outFile = path.resolve(root, opt('--out', 'bench/results/real-data.json'));
const seed = Number(opt('--seed', '0'));
// more `cvxnn fit` flags for every convex run (e.g. --fit-args "--cv 5 --patterns 300")
const fitArgs = opt('--fit-args', '').split(/\s+/).filter((a) => a !== '');
const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const unquote = (c: string) => c.trim().replace(/^"(.*)"$/, '$1');
function readCsv(file: string): Dataset {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const head = lines[0].split(',').map(unquote);
  const rows = lines.slice(1).map((l) => l.split(',').map(unquote));
  const labels = rows.map((r) => r[r.length - 1]);
  const numeric = labels.every((v) => v !== '' && Number.isFinite(Number(v)));
  const integer = numeric && labels.every((v) => Number.isInteger(Number(v)));
  const distinct = [...new Set(labels)];
  const task = integer && distinct.length <= 50 ? 'classification' : numeric ? 'regression' : 'classification';
  const classes = task === 'classification' ? distinct.sort((a, b) => (integer ? Number(a) - Number(b) : a < b ? -1 : 1)) : undefined;
  return {
    X: rows.map((r) => r.slice(0, -1).map(Number)),
    y: labels.map((v) => (classes ? classes.indexOf(v) : Number(v))),
    featureNames: head.slice(0, -1),
    labelName: head[head.length - 1],
    task,
    classes,
  };
}

/** mulberry32: a small seeded generator (the split only needs to be reproducible) */
function rngOf(s0: number) {
  let a = s0 >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** seeded split, stratified by class for classification: 25 % of each class to test */
function split(ds: Dataset): { train: number[]; test: number[] } {
  const uniform = rngOf(seed + 1);
  const n = ds.X.length;
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const k = ds.task === 'regression' ? 0 : ds.y[i];
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(i);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const rows of groups.values()) {
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(uniform() * (i + 1));
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
    const m = Math.round(0.25 * rows.length);
    test.push(...rows.slice(0, m));
    train.push(...rows.slice(m));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

function writeCsv(file: string, ds: Dataset, rows: number[]): void {
  const head = [...ds.featureNames.map((f) => JSON.stringify(f)), JSON.stringify(ds.labelName)].join(',');
  const lines = rows.map((i) => [...ds.X[i].map(String), String(ds.y[i])].join(','));
  writeFileSync(file, `${head}\n${lines.join('\n')}\n`);
}


const results: Record<string, unknown>[] = [];
for (const name of names) {
  const src = sources[name] ?? name;
  if (!existsSync(src)) {
    results.push({ dataset: name, skipped: `${src} not found` });
    continue;
  }
  const ds = readCsv(src);
  const { train, test } = split(ds);
  const dir = mkdtempSync(path.join(os.tmpdir(), `cvxnn-real-${name}-`));
  const trainFile = path.join(dir, 'train.csv');
  const testFile = path.join(dir, 'test.csv');
  writeCsv(trainFile, ds, train);
  writeCsv(testFile, ds, test);
  const row: Record<string, unknown> = { dataset: name, n: ds.X.length, d: ds.featureNames.length, task: ds.task, classes: ds.classes?.length, train: train.length, test: test.length, cvxnn: [] as unknown[] };
  for (const model of models) {
    const argv = [path.join(root, 'apps/cli/bin/cvxnn.js'), 'fit', '--data', trainFile, '--test-data', testFile, '--model', model, '--lambda', 'auto', '--bias', '--seed', String(seed), ...fitArgs, '--json'];
    const m = measured(process.execPath, argv);
    let res: Record<string, unknown>;
    try {
      const j = JSON.parse(m.r.stdout.slice(m.r.stdout.indexOf('{'))) as Record<string, any>;
      res = {
        model,
        loss: j.options?.loss,
        status: j.status,
        exit: m.r.status,
        lambda: j.lambdaSelection?.chosen?.lambda ?? j.options?.lambda,
        certificate: j.certificate?.value,
        activeNeurons: j.activeNeurons,
        test: ds.task === 'regression' ? j.testMSE : j.testAccuracy,
        train: ds.task === 'regression' ? j.trainMSE : j.trainAccuracy,
        wallSeconds: m.wall,
        cpuSeconds: m.cpu,
        peakMB: m.peakMB,
      };
    } catch {
      res = { model, exit: m.r.status, wallSeconds: m.wall, error: stderrTail(m, 2) };
    }
    (row.cvxnn as unknown[]).push(res);
  }
  const sk = measured(py, [path.join(root, 'bench/real-data/sklearn_baseline.py'), trainFile, testFile, '--task', ds.task === 'regression' ? 'regression' : 'classification']);
  try {
    row.sklearn = JSON.parse(sk.r.stdout);
  } catch {
    row.sklearn = { error: (sk.r.stderr ?? '').split('\n').slice(-3).join(' ') };
  }
  results.push(row);
  process.stderr.write(`${name}: ${JSON.stringify(row)}\n`);
}
const doc = { benchmark: 'real data: convex model vs scikit-learn, same split', date: new Date().toISOString(), command: `pnpm -s bench:real-data ${args.join(' ')}`, seed, machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverage: os.loadavg() }, results };
const out = JSON.stringify(doc, null, 1);
writeFileSync(outFile, out + '\n');
console.log(out);
