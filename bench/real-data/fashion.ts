/**
 * Fashion-MNIST at full size, in one run: `cvxnn fit` on the official 60 000 / 10 000 split with
 * `--lambda auto` (a whole CLI process, as a user runs it), an Adam-trained ReLU network of the
 * width the convex model recovers (same z-scored pixels, loss and λ, mini-batches), and
 * scikit-learn's LogisticRegression and MLPClassifier(100) (bench/real-data/fashion_sklearn.py,
 * Debian's python3-sklearn). Each runs as its own process, timed with wall, CPU and peak memory.
 * The IDX files come from Debian's `dataset-fashion-mnist` (/usr/share/datasets/fashion-mnist) or
 * FASHION_MNIST_DIR; without them it says how to install them and writes a skipped result.
 *
 *   pnpm -s bench:fashion [--model gated-relu] [--patterns 50] [--time-limit 1700] [--lambda-points 10]
 *     [--lambda-ratio 1e-4] [--adam-seconds S] [--sklearn lr,mlp] [--out bench/results/fashion-mnist.json]
 *
 * `--adam-only FILE` (internal) trains the Adam network described by FILE and prints its JSON.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { measured, stderrTail } from './measure.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// the workspace packages as the CLI resolves them (this folder is not a package of its own)
const fromCli = createRequire(path.join(root, 'apps/cli/package.json'));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load_ = async (name: string): Promise<any> => import(pathToFileURL(fromCli.resolve(name)).href);
const args = process.argv.slice(2);
const opt = (k: string, d: string) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1]! : d;
};
const dir = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const file = (f: string) => path.join(dir, f);
const trainImages = file('train-images-idx3-ubyte.gz');
const testImages = file('t10k-images-idx3-ubyte.gz');

/** z-scored pixels with the training rows' statistics (what `cvxnn fit --standardize zscore` does) and one-hot labels */
async function load() {
  const { applyStandardizer, fitStandardizer, loadDataset, oneHot } = await load_('@cvxnn/data');
  const tr = loadDataset(trainImages);
  const te = loadDataset(testImages);
  const s = fitStandardizer(tr.X);
  const c = tr.classes!.length;
  return { Xtr: applyStandardizer(tr.X, s), Ytr: oneHot(tr.y, c), Xte: applyStandardizer(te.X, s), Yte: oneHot(te.y, c) };
}

if (args[0] === '--adam-only') {
  // one Adam run: width, λ, loss and the time budget from the file the parent wrote
  const spec = JSON.parse(readFileSync(args[1]!, 'utf8')) as { width: number; lambda: number; seconds: number; epochs: number; batchSize: number; learningRate: number };
  const { Xtr, Ytr, Xte, Yte } = await load();
  const { accuracy, trainAdam } = await load_('@cvxnn/networks');
  const t = performance.now();
  const r = trainAdam({ width: spec.width, seed: 0 }, Xtr, Ytr, { lambda: spec.lambda, loss: 'cross-entropy', scale: 'sum', batchSize: spec.batchSize, epochs: spec.epochs, timeLimit: spec.seconds, learningRate: spec.learningRate, schedule: 'cosine', evalEvery: 1e9 });
  const secs = (performance.now() - t) / 1000;
  const last = r.history[r.history.length - 1];
  console.log(JSON.stringify({ width: spec.width, lambda: spec.lambda, steps: last?.iteration, objective: last?.objective, trainAccuracy: accuracy(r.network, Xtr, Ytr), testAccuracy: accuracy(r.network, Xte, Yte), trainSeconds: secs }));
  process.exit(0);
}

const lastJson = (s: string) => {
  const i = s.lastIndexOf('\n{');
  return JSON.parse(i >= 0 ? s.slice(i + 1) : s.slice(s.indexOf('{')));
};

const outFile = path.resolve(root, opt('--out', 'bench/results/fashion-mnist.json'));
const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverageStart: os.loadavg() };
if (!existsSync(trainImages) || !existsSync(testImages)) {
  const doc = { benchmark: 'Fashion-MNIST', skipped: `no IDX files in ${dir}: install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or set FASHION_MNIST_DIR` };
  writeFileSync(outFile, JSON.stringify(doc, null, 1) + '\n');
  console.log(JSON.stringify(doc));
  process.exit(0);
}
const model = opt('--model', 'gated-relu');
const fitArgs = [
  path.join(root, 'apps/cli/bin/cvxnn.js'), 'fit', '--data', trainImages, '--test-data', testImages, '--model', model,
  '--lambda', 'auto', '--lambda-points', opt('--lambda-points', '10'), '--lambda-ratio', opt('--lambda-ratio', '1e-4'),
  '--patterns', opt('--patterns', '50'), '--time-limit', opt('--time-limit', '1700'), '--json',
];
process.stderr.write(`fashion: cvxnn ${fitArgs.slice(1).join(' ')}\n`);
const fit = measured(process.execPath, fitArgs);
let convex: Record<string, any>;
try {
  const j = lastJson(fit.r.stdout);
  convex = {
    command: `cvxnn ${fitArgs.slice(1).join(' ')}`,
    exit: fit.r.status,
    status: j.status,
    loss: j.options?.loss,
    lambda: j.options?.lambda,
    lambdaSelection: j.lambdaSelection,
    certificate: j.certificate,
    iterations: j.iterations,
    solveSeconds: j.timeSeconds,
    activeNeurons: j.activeNeurons,
    trainAccuracy: j.trainAccuracy,
    testAccuracy: j.testAccuracy,
    wallSeconds: fit.wall,
    cpuSeconds: fit.cpu,
    peakMB: fit.peakMB,
  };
} catch {
  convex = { exit: fit.r.status, wallSeconds: fit.wall, error: stderrTail(fit, 3) };
}
process.stderr.write(`fashion: convex ${JSON.stringify(convex)}\n`);

let adam: Record<string, any> = { skipped: 'the convex fit gave no width' };
if (convex.activeNeurons > 0) {
  const seconds = Number(opt('--adam-seconds', String(Math.round(convex.wallSeconds))));
  const spec = { width: convex.activeNeurons, lambda: convex.lambda, seconds, epochs: 50, batchSize: 100, learningRate: 1e-3 };
  const specFile = path.join(os.tmpdir(), `cvxnn-fashion-adam-${process.pid}.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  const self = fileURLToPath(import.meta.url);
  const a = measured(process.execPath, [...process.execArgv, self, '--adam-only', specFile]);
  try {
    adam = { ...lastJson(a.r.stdout), epochsPlanned: spec.epochs, batchSize: spec.batchSize, learningRate: spec.learningRate, schedule: 'cosine', timeLimit: seconds, wallSeconds: a.wall, cpuSeconds: a.cpu, peakMB: a.peakMB };
  } catch {
    adam = { exit: a.r.status, error: stderrTail(a, 3) };
  }
  process.stderr.write(`fashion: adam ${JSON.stringify(adam)}\n`);
}

let sklearn: Record<string, any> = { skipped: '--sklearn none' };
const skModels = opt('--sklearn', 'lr,mlp');
if (skModels !== 'none') {
  const sk = measured(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', [path.join(root, 'bench/real-data/fashion_sklearn.py'), dir, '--models', skModels]);
  try {
    sklearn = { ...lastJson(sk.r.stdout), wallSeconds: sk.wall, cpuSeconds: sk.cpu, peakMB: sk.peakMB };
  } catch {
    sklearn = { error: (sk.r.stderr ?? '').split('\n').slice(-3).join(' ') };
  }
  process.stderr.write(`fashion: sklearn ${JSON.stringify(sklearn)}\n`);
}

const doc = {
  benchmark: 'Fashion-MNIST, official 60 000 / 10 000 split: convex model (--lambda auto) vs Adam of the same width vs scikit-learn',
  date: new Date().toISOString(),
  command: `pnpm -s bench:fashion ${args.join(' ')}`.trim(),
  machine: { ...machine, loadAverageEnd: os.loadavg() },
  convex,
  adam,
  sklearn,
};
const out = JSON.stringify(doc, null, 1);
writeFileSync(outFile, out + '\n');
console.log(out);
