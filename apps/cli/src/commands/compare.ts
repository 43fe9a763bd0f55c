import { readFileSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { type ConvexResult, fitConvex, recoverNetwork } from '@cvxnn/group-lasso';
import { CvxnnError, getBackend, Matrix, PatternMasks, Rng } from '@cvxnn/linalg';
import {
  accuracy,
  initNetwork,
  type InitOptions,
  type LossName,
  mse,
  networkToJson,
  type ObjectiveScale,
  objectiveTerms,
  type TrainResult,
  trainAdam,
  trainSgd,
  type TwoLayerNetwork,
} from '@cvxnn/networks';
import type { Command } from 'commander';
import { fmt, type Io, parseNumber, printJson } from '../io.js';

type Task = 'regression' | 'binary' | 'multiclass';

/** A loaded table: features, raw labels and names. */
interface Table {
  name: string;
  X: Matrix<Float64Array>;
  labels: string[];
  featureNames: string[];
}

// ---------------------------------------------------------------------------------------------
// Data loading. A small self-contained CSV reader and two seeded synthetic sets, used until
// @cvxnn/data lands (its loader, standardization and splits should replace this block).

function parseCsv(path: string, labelColumn: string): Table {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CvxnnError('IO_ERROR', `cannot read --data ${path}: ${(e as Error).message}`);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new CvxnnError('EMPTY_DATA', `${path} is empty`);
  const rows = lines.map((l) => l.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1')));
  const width = rows[0].length;
  const isNum = (s: string) => s !== '' && Number.isFinite(Number(s));
  const header = rows[0].some((s) => !isNum(s)) && rows.length > 1 && rows[1].filter(isNum).length > rows[0].filter(isNum).length;
  const names = header ? rows[0] : rows[0].map((_, j) => `x${j}`);
  const body = header ? rows.slice(1) : rows;
  if (body.length === 0) throw new CvxnnError('EMPTY_DATA', `${path} has a header but no data rows`);
  if (width < 2) throw new CvxnnError('SHAPE_MISMATCH', `${path} has ${width} column; need at least one feature and a label`);
  let lc: number;
  if (labelColumn === 'last') lc = width - 1;
  else if (labelColumn === 'first') lc = 0;
  else if (/^-?\d+$/.test(labelColumn)) lc = Number(labelColumn) < 0 ? width + Number(labelColumn) : Number(labelColumn);
  else {
    lc = names.indexOf(labelColumn);
    if (lc < 0) throw new CvxnnError('INVALID_OPTION', `--label-column '${labelColumn}' is not a column of ${path}; columns are ${names.join(', ')}`);
  }
  if (!(lc >= 0 && lc < width)) throw new CvxnnError('INVALID_OPTION', `--label-column ${labelColumn} is out of range for ${width} columns`);
  const d = width - 1;
  const X = Matrix.zeros(body.length, d);
  const labels: string[] = [];
  body.forEach((r, i) => {
    const line = i + (header ? 2 : 1);
    if (r.length !== width) throw new CvxnnError('SHAPE_MISMATCH', `${path} line ${line} has ${r.length} fields, expected ${width}`);
    let k = 0;
    for (let j = 0; j < width; j++) {
      if (j === lc) continue;
      const s = r[j];
      if (s === '' || s.toLowerCase() === 'na' || s.toLowerCase() === 'nan') throw new CvxnnError('MISSING_VALUE', `${path} line ${line}, column '${names[j]}' is missing; impute or drop the row`);
      if (!isNum(s)) throw new CvxnnError('NON_NUMERIC', `${path} line ${line}, column '${names[j]}' is '${s}', not a number; features must be numeric`);
      X.data[i * d + k++] = Number(s);
    }
    if (r[lc] === '') throw new CvxnnError('MISSING_VALUE', `${path} line ${line} has no label`);
    labels.push(r[lc]);
  });
  return { name: path.split('/').pop() ?? path, X, labels, featureNames: names.filter((_, j) => j !== lc) };
}

/** Seeded synthetic sets: y = a sum of 3 ReLU neurons of x ∈ R⁵ plus 0.1·noise (or its sign). */
function synthetic(name: string, seed: number): Table {
  const rng = new Rng(seed + 7919);
  const n = 200;
  const d = 5;
  const X = new Matrix(n, d, rng.normalArray(n * d));
  const U = rng.normalArray(d * 3);
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    let y = 0;
    for (let j = 0; j < 3; j++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += X.get(i, k) * U[k * 3 + j];
      y += (j === 1 ? -1 : 1) * Math.max(z, 0);
    }
    y += 0.1 * rng.normal();
    labels.push(name === 'synthetic-binary' ? (y > 0.5 ? '1' : '0') : String(y));
  }
  return { name, X, labels, featureNames: Array.from({ length: d }, (_, j) => `x${j}`) };
}

const BUNDLED = ['synthetic-regression', 'synthetic-binary'];

// ---------------------------------------------------------------------------------------------

interface CompareOptions {
  data: string;
  labelColumn: string;
  task?: string;
  model: string;
  bias?: boolean;
  lambda: string;
  loss?: string;
  patterns: string;
  seed: string;
  objectiveScale: string;
  standardize: string;
  testFraction?: string;
  width?: string;
  epochs: string;
  batchSize?: string;
  timeLimit?: string;
  sgdLr: string;
  adamLr: string;
  tol: string;
  maxIters?: string;
  out?: string;
  json?: boolean;
}

interface Prepared {
  Xtr: Matrix<Float64Array>;
  Ytr: Matrix<Float64Array>;
  Xte: Matrix<Float64Array> | null;
  Yte: Matrix<Float64Array> | null;
  task: Task;
  classes?: string[];
}

function prepare(t: Table, taskOpt: string | undefined, loss: LossName | undefined, standardize: string, testFraction: number, seed: number): Prepared {
  const distinct = [...new Set(t.labels)];
  const numeric = t.labels.every((s) => Number.isFinite(Number(s)));
  let task: Task;
  if (taskOpt === undefined) task = distinct.length === 2 ? 'binary' : numeric ? 'regression' : 'multiclass';
  else if (taskOpt === 'regression' || taskOpt === 'binary' || taskOpt === 'multiclass') task = taskOpt;
  else throw new CvxnnError('INVALID_OPTION', `--task must be regression, binary or multiclass, got '${taskOpt}'`);
  if (task === 'regression' && !numeric) throw new CvxnnError('NON_NUMERIC', `--task regression needs numeric labels; ${t.name} has labels like '${t.labels.find((s) => !Number.isFinite(Number(s)))}'`);
  if (task === 'binary' && distinct.length !== 2) throw new CvxnnError('INVALID_OPTION', `--task binary needs exactly 2 distinct labels, ${t.name} has ${distinct.length}`);
  if (task === 'multiclass' && distinct.length < 2) throw new CvxnnError('INVALID_OPTION', `--task multiclass needs at least 2 classes, ${t.name} has ${distinct.length}`);
  const classes = task === 'regression' ? undefined : distinct.sort((a, b) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0));
  const n = t.X.rows;
  const d = t.X.cols;
  const c = task === 'multiclass' ? (classes as string[]).length : 1;
  const Y = Matrix.zeros(n, c);
  for (let i = 0; i < n; i++) {
    if (task === 'regression') Y.data[i] = Number(t.labels[i]);
    else if (task === 'binary') Y.data[i] = t.labels[i] === (classes as string[])[1] ? 1 : -1;
    else Y.data[i * c + (classes as string[]).indexOf(t.labels[i])] = 1;
  }
  // split
  const perm = new Rng(seed).permutation(n);
  const nte = testFraction > 0 ? Math.max(1, Math.round(testFraction * n)) : 0;
  if (n - nte < 1) throw new CvxnnError('INVALID_OPTION', `--test-fraction ${testFraction} leaves no training rows`);
  const take = (idx: ArrayLike<number>, M: Matrix<Float64Array>) => {
    const out = Matrix.zeros(idx.length, M.cols);
    for (let r = 0; r < idx.length; r++) out.data.set(M.data.subarray(idx[r] * M.cols, (idx[r] + 1) * M.cols), r * M.cols);
    return out;
  };
  const te = perm.subarray(0, nte);
  const tr = perm.subarray(nte);
  const Xtr = take(tr, t.X);
  const Xte = nte > 0 ? take(te, t.X) : null;
  if (standardize === 'zscore') {
    for (let j = 0; j < d; j++) {
      let mu = 0;
      for (let i = 0; i < Xtr.rows; i++) mu += Xtr.data[i * d + j];
      mu /= Xtr.rows;
      let s2 = 0;
      for (let i = 0; i < Xtr.rows; i++) s2 += (Xtr.data[i * d + j] - mu) ** 2;
      const sd = Math.sqrt(s2 / Xtr.rows) || 1;
      for (const M of Xte ? [Xtr, Xte] : [Xtr]) for (let i = 0; i < M.rows; i++) M.data[i * d + j] = (M.data[i * d + j] - mu) / sd;
    }
  } else if (standardize !== 'none') throw new CvxnnError('INVALID_OPTION', `--standardize must be zscore or none, got '${standardize}'`);
  return { Xtr, Ytr: take(tr, Y), Xte, Yte: nte > 0 ? take(te, Y) : null, task, classes };
}

function withOnes(X: Matrix<Float64Array>): Matrix<Float64Array> {
  const d = X.cols + 1;
  const out = Matrix.zeros(X.rows, d);
  for (let i = 0; i < X.rows; i++) {
    out.data.set(X.data.subarray(i * X.cols, (i + 1) * X.cols), i * d);
    out.data[i * d + X.cols] = 1;
  }
  return out;
}

/** First time a curve comes within `rel` (relative) of `target`; null when it never does. */
function timeToWithin(points: Array<{ timeSeconds: number; objective: number }>, target: number, rel: number): number | null {
  for (const q of points) if (q.objective <= target + rel * Math.abs(target)) return q.timeSeconds;
  return null;
}

const REL_LEVELS = [1e-2, 1e-4, 1e-6];

function timesTo(points: Array<{ timeSeconds: number; objective: number }>, target: number): Record<string, number | null> {
  return Object.fromEntries(REL_LEVELS.map((r) => [r.toExponential(0), timeToWithin(points, target, r)]));
}

function metrics(net: TwoLayerNetwork, p: Prepared): Record<string, number> {
  const cls = p.task !== 'regression';
  const out: Record<string, number> = {};
  if (cls) out.trainAccuracy = accuracy(net, p.Xtr, p.Ytr);
  else out.trainMSE = mse(net, p.Xtr, p.Ytr);
  if (p.Xte && p.Yte) {
    if (cls) out.testAccuracy = accuracy(net, p.Xte, p.Yte);
    else out.testMSE = mse(net, p.Xte, p.Yte);
  }
  return out;
}

/**
 * `cvxnn compare`: the convex solver (certified global optimum over the sampled patterns), SGD and
 * Adam on the SAME non-convex weight-decay objective ℓ + (λ/2)Σ(‖W1[:,j]‖² + ‖W2[j,:]‖²) and the
 * same data; prints a table (objective, gap to the convex optimum, time, certificate, metrics) and
 * writes the run JSON (`kind: "compare"`, `curves`) with `--json` / `--out`.
 *
 * @example
 *   cvxnn compare --data diabetes.csv --lambda 0.01 --model gated-relu --bias --epochs 500 --json
 */
export function register(program: Command, io: Io): void {
  program
    .command('compare')
    .description('convex training vs SGD vs Adam on the same weight-decay objective and data')
    .requiredOption('--data <file>', `CSV file (header optional, label in one column) or a bundled set: ${BUNDLED.join(', ')}`)
    .option('--label-column <col>', 'last | first | INDEX | NAME', 'last')
    .option('--task <task>', 'regression | binary | multiclass (default: from the labels)')
    .option('--model <model>', 'relu | gated-relu', 'relu')
    .option('--bias', 'append a constant-1 feature (decayed bias, the papers\u2019 convention)')
    .requiredOption('--lambda <L>', 'weight decay λ/2 per layer ⇔ group penalty λ (> 0)')
    .option('--loss <loss>', 'squared | logistic | cross-entropy (default: squared for regression, logistic for binary, cross-entropy (gated) or squared (relu) for multiclass)')
    .option('--patterns <P>', 'number of Gaussian gates to sample', '100')
    .option('--seed <s>', 'random seed (gates, split, initialisation, mini-batches)', '0')
    .option('--objective-scale <scale>', 'sum (½‖·‖², papers) | mean (1/(2n)‖·‖², scnn)', 'sum')
    .option('--standardize <how>', 'zscore | none', 'zscore')
    .option('--test-fraction <f>', 'hold out this fraction of rows for test metrics')
    .option('--width <M>', 'hidden units of the SGD/Adam networks (default: the convex solution\u2019s active neurons)')
    .option('--epochs <E>', 'passes over the data for SGD and Adam', '1000')
    .option('--batch-size <B>', 'mini-batch size for SGD and Adam (default: full batch)')
    .option('--time-limit <S>', 'seconds for each method (convex solve, SGD, Adam)')
    .option('--sgd-lr <lr>', "SGD step size or 'auto' (Armijo on the first full gradient)", 'auto')
    .option('--adam-lr <lr>', 'Adam step size', '0.01')
    .option('--tol <t>', 'convex certificate tolerance (relative)', '1e-6')
    .option('--max-iters <K>', 'convex solver iteration cap')
    .option('--out <file>', 'write the run JSON (with the trained networks) here')
    .option('--json', 'print one JSON object')
    .action((o: CompareOptions) => {
      const lambda = parseNumber('lambda', o.lambda, { exclusiveMin: 0 });
      const P = parseNumber('patterns', o.patterns, { integer: true, min: 1 });
      const seed = parseNumber('seed', o.seed, { integer: true });
      const epochs = parseNumber('epochs', o.epochs, { integer: true, min: 1 });
      const tol = parseNumber('tol', o.tol, { exclusiveMin: 0 });
      const testFraction = o.testFraction === undefined ? 0 : parseNumber('test-fraction', o.testFraction, { min: 0 });
      if (testFraction >= 1) throw new CvxnnError('INVALID_OPTION', `--test-fraction must be < 1, got '${o.testFraction}'`);
      const width = o.width === undefined ? undefined : parseNumber('width', o.width, { integer: true, min: 1 });
      const batchSize = o.batchSize === undefined ? undefined : parseNumber('batch-size', o.batchSize, { integer: true, min: 1 });
      const timeLimit = o.timeLimit === undefined ? undefined : parseNumber('time-limit', o.timeLimit, { exclusiveMin: 0 });
      const maxIters = o.maxIters === undefined ? undefined : parseNumber('max-iters', o.maxIters, { integer: true, min: 1 });
      const sgdLr = o.sgdLr === 'auto' ? 'auto' : parseNumber('sgd-lr', o.sgdLr, { exclusiveMin: 0 });
      const adamLr = parseNumber('adam-lr', o.adamLr, { exclusiveMin: 0 });
      if (o.model !== 'relu' && o.model !== 'gated-relu') throw new CvxnnError('INVALID_OPTION', `--model must be relu or gated-relu, got '${o.model}'`);
      const model = o.model;
      if (o.objectiveScale !== 'sum' && o.objectiveScale !== 'mean') throw new CvxnnError('INVALID_OPTION', `--objective-scale must be sum or mean, got '${o.objectiveScale}'`);
      const scale: ObjectiveScale = o.objectiveScale;
      if (o.loss !== undefined && !['squared', 'logistic', 'cross-entropy'].includes(o.loss)) {
        throw new CvxnnError('INVALID_OPTION', `--loss must be squared, logistic or cross-entropy, got '${o.loss}'`);
      }
      const bias = o.bias === true;

      const table = BUNDLED.includes(o.data) ? synthetic(o.data, seed) : parseCsv(o.data, o.labelColumn);
      const p = prepare(table, o.task, o.loss as LossName | undefined, o.standardize, testFraction, seed);
      const c = p.Ytr.cols;
      const loss: LossName = (o.loss as LossName | undefined) ?? (p.task === 'regression' ? 'squared' : p.task === 'binary' ? 'logistic' : model === 'gated-relu' ? 'cross-entropy' : 'squared');
      if (loss === 'logistic' && c !== 1) throw new CvxnnError('INVALID_OPTION', `--loss logistic needs a binary task; this one has ${c} classes (use cross-entropy or squared)`);
      if (loss === 'cross-entropy' && c < 2) throw new CvxnnError('INVALID_OPTION', '--loss cross-entropy needs a multiclass task (use logistic for binary labels)');
      if (loss !== 'squared' && p.task === 'regression') throw new CvxnnError('INVALID_OPTION', `--loss ${loss} needs class labels; use squared for regression`);
      const objOpts = { loss, lambda, scale };

      // convex: Gaussian gates on X̃ = [X, 1] (with --bias), patterns 1[X̃g > 0]
      const Xt = bias ? withOnes(p.Xtr) : p.Xtr;
      const dt = Xt.cols;
      const G0 = new Matrix(dt, P, new Rng(seed).normalArray(dt * P));
      const sampled = PatternMasks.fromGates(Xt, G0);
      // distinct, non-empty patterns only (duplicate gates give duplicate groups)
      const seen = new Set<string>();
      const keep: number[] = [];
      for (let i = 0; i < P; i++) {
        const col = sampled.column(i);
        if (!col.includes(1)) continue;
        const key = col.join('');
        if (seen.has(key)) continue;
        seen.add(key);
        keep.push(i);
      }
      if (keep.length === 0) throw new CvxnnError('INFEASIBLE', `none of the ${P} sampled gates activates any sample; use more --patterns or --bias`);
      const masks = sampled.select(keep);
      const G = Matrix.zeros(dt, keep.length);
      keep.forEach((i, k) => {
        for (let r = 0; r < dt; r++) G.data[r * keep.length + k] = G0.get(r, i);
      });
      const convex: ConvexResult = fitConvex(Xt, p.Ytr, { masks, gates: G }, { model, lambda, loss, scale, tol, maxIters, timeLimit });
      const convexNet = recoverNetwork(convex, { appendOne: bias });
      const convexTerms = objectiveTerms(convexNet, p.Xtr, p.Ytr, objOpts);

      // trainers: same objective; gated networks keep gates from the convex program's gate set
      const M = width ?? Math.max(1, convexNet.W1.cols);
      let init: InitOptions = { width: M, seed, appendOne: bias, kind: model };
      if (model === 'gated-relu') {
        const gates = Matrix.zeros(dt, M);
        const pool: Float64Array[] = [];
        for (let j = 0; j < convexNet.W1.cols; j++) pool.push((convexNet.gates as Matrix<Float64Array>).colCopy(j));
        for (let j = 0; j < G.cols; j++) pool.push(G.colCopy(j));
        for (let j = 0; j < M; j++) {
          const g = pool[j % pool.length];
          for (let r = 0; r < dt; r++) gates.data[r * M + j] = g[r];
        }
        init = { ...init, gates };
      }
      const common = { ...objOpts, epochs, batchSize, timeLimit, seed };
      const sgd = trainSgd(init, p.Xtr, p.Ytr, { ...common, learningRate: sgdLr });
      const adam = trainAdam(init, p.Xtr, p.Ytr, { ...common, learningRate: adamLr });

      // The convex value bounds every trainer from below when the program is exact for the
      // trainers' network class: gated networks whose gates come from the sampled set (scalar and
      // nuclear vector output); for ReLU networks only with all patterns, which sampling does not give.
      const exact = model === 'gated-relu';
      const lowerBound = exact ? convex.objective - (convex.certificate.kind === 'duality-gap' ? convex.certificate.absolute : 0) : null;
      const warnings: string[] = [];
      if (!exact) {
        warnings.push(
          c > 1
            ? 'relu with several outputs runs one-vs-all convex problems (neurons feed one output); SGD/Adam train a larger network class and may go below it'
            : `relu over ${keep.length} distinct sampled patterns: the convex optimum is exact over those patterns only; a trainer may reach patterns outside the sample and go below it`,
        );
      }
      if (Math.abs(convexTerms.objective - convex.objective) > 1e-6 * (1 + Math.abs(convex.objective))) {
        warnings.push(`the recovered network's objective ${convexTerms.objective} differs from the convex objective ${convex.objective} (constraint violation ${convex.constraintViolation})`);
      }
      const slack = 1e-6 * (1 + Math.abs(convex.objective));
      const trainerRows = [sgd, adam].map((r: TrainResult) => {
        const gap = r.objective - convex.objective;
        if (lowerBound !== null && r.objective < lowerBound - slack) warnings.push(`${r.method} reached ${r.objective}, below the certified convex lower bound ${lowerBound}: please report this`);
        return {
          method: r.method,
          ...objectiveTerms(r.network, p.Xtr, p.Ytr, objOpts),
          gap,
          relativeGap: gap / Math.max(Math.abs(convex.objective), 1e-300),
          timeSeconds: r.timeSeconds,
          iterations: r.iterations,
          epochs: r.epochs,
          status: r.status,
          learningRate: r.learningRate,
          restarts: r.restarts,
          width: r.network.W1.cols,
          timeToRelGap: timesTo(r.history, convex.objective),
          ...metrics(r.network, p),
        };
      });
      const be = getBackend();
      const convexEntry = {
        objective: convex.objective,
        dataTerm: convex.dataTerm,
        penalty: convex.penalty,
        certificate: { kind: convex.certificate.kind, value: convex.certificate.value },
        status: convex.status,
        iterations: convex.iterations,
        timeSeconds: convex.timeSeconds,
        patterns: convex.patterns,
        activeNeurons: convex.activeNeurons,
        constraintViolation: convex.constraintViolation,
        formulation: convex.formulation,
        backend: convex.backend,
        precision: convex.precision,
        networkObjective: convexTerms.objective,
        timeToRelGap: timesTo(convex.history, convex.objective),
        network: networkToJson(convexNet),
        ...metrics(convexNet, p),
      };
      const run = {
        cvxnnRun: 1,
        kind: 'compare',
        createdAt: new Date().toISOString(),
        options: {
          data: o.data,
          labelColumn: o.labelColumn,
          task: p.task,
          model,
          bias,
          lambda,
          loss,
          patterns: P,
          distinctPatterns: keep.length,
          seed,
          objectiveScale: scale,
          standardize: o.standardize,
          testFraction,
          width: M,
          epochs,
          batchSize: batchSize ?? p.Xtr.rows,
          timeLimit: timeLimit ?? null,
          sgdLr: sgd.learningRate,
          adamLr,
          tol,
          maxIters: maxIters ?? null,
        },
        environment: { backend: be.name, precision: be.precision, node: process.version, platform: `${process.platform}-${process.arch}`, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length },
        data: { name: table.name, n: p.Xtr.rows, d: p.Xtr.cols, task: p.task, ...(p.classes ? { classes: p.classes } : {}), standardize: o.standardize, ...(p.Xte ? { nTest: p.Xte.rows } : {}) },
        objective: { loss, lambda, scale, weightDecay: 'lambda/2 * sum_j(||W1[:,j]||^2 + ||W2[j,:]||^2), free biases not decayed' },
        convex: convexEntry,
        methods: trainerRows,
        lowerBound: lowerBound === null ? { certified: false } : { certified: true, value: lowerBound },
        curves: [
          { method: 'convex', points: convex.history.map((h) => ({ iteration: h.iteration, timeSeconds: h.timeSeconds, objective: h.objective })) },
          { method: 'sgd', points: sgd.history },
          { method: 'adam', points: adam.history },
        ],
        warnings,
      };
      if (o.out) {
        const full = { ...run, networks: { sgd: networkToJson(sgd.network), adam: networkToJson(adam.network) } };
        try {
          writeFileSync(o.out, JSON.stringify(full, null, 2) + '\n');
        } catch (e) {
          throw new CvxnnError('IO_ERROR', `cannot write --out ${o.out}: ${(e as Error).message}`);
        }
      }
      if (o.json) {
        printJson(io, run);
        return;
      }
      const cls = p.task !== 'regression';
      const mkey = cls ? 'Accuracy' : 'MSE';
      const header = ['method', 'objective', 'gap to convex', 'time (s)', 't(≤1e-4 rel)', 'iterations', 'certificate', `train ${mkey}`, ...(p.Xte ? [`test ${mkey}`] : [])];
      const rowOf = (name: string, r: Record<string, unknown>, gap: string, cert: string) => [
        name,
        fmt(r.objective as number),
        gap,
        (r.timeSeconds as number).toFixed(3),
        ((t) => (t === null ? '—' : t.toFixed(3)))((r.timeToRelGap as Record<string, number | null>)['1e-4']),
        String(r.iterations),
        cert,
        fmt(r[`train${mkey}`] as number, 4),
        ...(p.Xte ? [fmt(r[`test${mkey}`] as number, 4)] : []),
      ];
      const rows = [
        header,
        rowOf('convex', convexEntry, '—', `${convex.certificate.kind} ${convex.certificate.value.toExponential(1)} (${convex.status})`),
        ...trainerRows.map((r) => rowOf(r.method, r, `${fmt(r.gap, 4)} (${(100 * r.relativeGap).toFixed(3)}%)`, r.status)),
      ];
      const widths = header.map((_, k) => Math.max(...rows.map((r) => r[k].length)));
      io.out(`data ${table.name}: n=${p.Xtr.rows}${p.Xte ? ` (+${p.Xte.rows} test)` : ''}, d=${p.Xtr.cols}, ${p.task}; ${model}${bias ? ' + bias' : ''}, loss ${loss} (${scale}), λ=${lambda}, ${keep.length} distinct patterns of ${P} sampled, width ${M}\n`);
      io.out(`objective: data term + (λ/2)Σ_j(‖W1[:,j]‖² + ‖W2[j,:]‖²) ⇔ convex group penalty λΣ‖·‖\n`);
      for (const r of rows) io.out(r.map((s, k) => s.padEnd(widths[k])).join('  ').trimEnd() + '\n');
      io.out(lowerBound === null ? 'lower bound: not certified for this setting (see warnings)\n' : `certified lower bound for every ${model} network with these gates: ${fmt(lowerBound, 8)}\n`);
      for (const w of warnings) io.err(`warning: ${w}\n`);
      if (o.out) io.out(`wrote ${o.out}\n`);
    });
}
