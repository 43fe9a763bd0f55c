import type { Dataset } from '@cvxnn/data';
import { type ConvexResult, fitConvex, recoverNetwork } from '@cvxnn/group-lasso';
import { CvxnnError, Matrix, PatternMasks, Rng } from '@cvxnn/linalg';
import { selectBackend } from '../backends.js';
import {
  accuracy,
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
import { addDataOptions, type DataFlags, inputFile, type PreparedData, prepareData } from '../data-input.js';
import { derivedSeed, fmt, type Io, parseNumber, parseSeed, printJson } from '../io.js';
import { enumerateForCli, guardMemory, trainerBytes } from '../limits.js';
import { prepareOutput } from '../output.js';
import { environment, finiteJson, patternCountBound, RUN_FORMAT_VERSION, readGates, sampleDistinctPatterns, uncertified, withOnes } from '../run-file.js';
import { guardPatterns } from './fit.js';

// ---------------------------------------------------------------------------------------------
// Data: files and bundled names through the loader `cvxnn fit` uses (same split, same
// standardization, same pattern sampling for the same --seed), plus two seeded synthetic sets
// that need no files (tests, quick looks).

/** Seeded synthetic sets: y = a sum of 3 ReLU neurons of x ∈ R⁵ plus 0.1·noise (or its sign). */
function synthetic(name: string, seed: number): Dataset {
  const rng = new Rng(derivedSeed(seed, 7919));
  const n = 200;
  const d = 5;
  const X = new Matrix(n, d, rng.normalArray(n * d));
  const U = rng.normalArray(d * 3);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < 3; j++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += X.get(i, k) * U[k * 3 + j];
      v += (j === 1 ? -1 : 1) * Math.max(z, 0);
    }
    v += 0.1 * rng.normal();
    y[i] = name === 'synthetic-binary' ? (v > 0.5 ? 1 : 0) : v;
  }
  const base = { name, X, y, featureNames: Array.from({ length: d }, (_, j) => `x${j}`), labelName: 'y', labelIndex: d };
  return name === 'synthetic-binary' ? { ...base, task: 'binary', classes: ['0', '1'] } : { ...base, task: 'regression' };
}

const BUNDLED = ['synthetic-regression', 'synthetic-binary'];
/** `--patterns all` refuses arrangements that may have more chambers than this. */
const MAX_EXACT_PATTERNS = 5000;

// ---------------------------------------------------------------------------------------------

interface CompareOptions extends DataFlags {
  data: string;
  testData?: string;
  model: string;
  bias?: boolean;
  lambda: string;
  loss?: string;
  patterns: string;
  gates?: string;
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
  schedule: string;
  tol: string;
  maxIters?: string;
  backend: string;
  out?: string;
  json?: boolean;
}

type Prepared = Pick<PreparedData, 'Xtr' | 'Ytr' | 'Xte' | 'Yte' | 'task' | 'classes'>;

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
  const cmd = program
    .command('compare')
    .description('convex training vs SGD vs Adam on the same weight-decay objective and data')
    .requiredOption('--data <file>', `data file (CSV, JSON, IDX; .gz too), a bundled dataset name (breast_cancer, diabetes, ...) or ${BUNDLED.join(' / ')}`)
    .option('--test-data <file>', 'score on the rows of this file (same columns, matched by header name) instead of a split')
    .option('--task <task>', 'regression | binary | multiclass (default: from the labels)')
    .option('--model <model>', 'relu | gated-relu', 'relu')
    .option('--bias', 'append a constant-1 feature (decayed bias, the papers\u2019 convention)')
    .requiredOption('--lambda <L>', 'weight decay λ/2 per layer ⇔ group penalty λ (> 0)')
    .option('--loss <loss>', 'squared | logistic | cross-entropy (default: squared for regression, logistic for binary, cross-entropy (gated) or squared (relu) for multiclass)')
    .option('--patterns <all|N>', "N distinct sampled Gaussian-gate patterns, or 'all' (exact enumeration of every chamber pattern)", '100')
    .option('--gates <file>', 'd×P CSV of gate vectors (patterns 1[X̃g > 0]); overrides --patterns')
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
    .option('--schedule <s>', 'step-size schedule of SGD and Adam over the planned steps: constant | cosine', 'constant')
    .option('--tol <t>', 'convex certificate tolerance (relative)', '1e-6')
    .option('--max-iters <K>', 'convex solver iteration cap')
    .option('--backend <name>', 'kernel backend for all three methods (auto picks the fastest available)', 'auto')
    .option('--out <file>', 'write the run JSON (with the trained networks) here')
    .option('--json', 'print one JSON object');
  addDataOptions(cmd);
  cmd.action(async (o: CompareOptions) => {
    const lambda = parseNumber('lambda', o.lambda, { exclusiveMin: 0 });
    const seed = parseSeed(o.seed);
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
    if (o.schedule !== 'cosine' && o.schedule !== 'constant') throw new CvxnnError('INVALID_OPTION', `--schedule must be cosine or constant, got '${o.schedule}'`);
    const schedule: 'cosine' | 'constant' = o.schedule;
    const patternCount = o.patterns === 'all' || o.gates ? undefined : parseNumber('patterns', o.patterns, { integer: true, min: 1 });
    const isSynthetic = BUNDLED.includes(o.data);
    const dataFile = isSynthetic ? undefined : inputFile(o.data);
    const out = prepareOutput('--out', o.out, [dataFile, o.gates, o.testData]);
    const { backend: be } = await selectBackend(o.backend);

    const p = prepareData({
      data: o.data,
      flags: o,
      standardize: o.standardize,
      bias,
      seed,
      testFraction,
      testData: o.testData,
      dataset: isSynthetic ? synthetic(o.data, seed) : undefined,
    });
    const table = p.dataset;
    const c = p.Ytr.cols;
    const loss: LossName = (o.loss as LossName | undefined) ?? (p.task === 'regression' ? 'squared' : p.task === 'binary' ? 'logistic' : model === 'gated-relu' ? 'cross-entropy' : 'squared');
    if (loss === 'logistic' && p.task !== 'binary') throw new CvxnnError('INVALID_OPTION', `--loss logistic needs --task binary (the labels give ${p.task})`);
    if (loss === 'cross-entropy' && p.task !== 'multiclass') throw new CvxnnError('INVALID_OPTION', `--loss cross-entropy needs --task multiclass (the labels give ${p.task})`);
    const objOpts = { loss, lambda, scale };

    // patterns on X̃ = [X, 1] (with --bias): 1[X̃g > 0], distinct and non-empty, as `cvxnn fit`
    const Xt = bias ? withOnes(p.Xtr) : p.Xtr;
    const dt = Xt.cols;
    if (width !== undefined) {
      guardMemory(`--width ${width}`, trainerBytes(p.Xtr.rows, dt, c, width), `a ${dt}×${width} network with gradients, Adam moments and ${p.Xtr.rows}×${width} hidden activations`, 'use a smaller --width');
    }
    let masks: PatternMasks;
    let G: Matrix<Float64Array>;
    let allPatterns = false;
    if (o.gates) {
      G = readGates(o.gates, dt, bias);
      masks = PatternMasks.fromGates(Xt, G);
    } else if (o.patterns === 'all') {
      // exact enumeration of every chamber pattern with witness gates (@cvxnn/arrangements)
      ({ masks, gates: G } = enumerateForCli(Xt, { maxPatterns: MAX_EXACT_PATTERNS }, '--patterns all', 'sample them instead with --patterns N'));
      allPatterns = true;
    } else {
      const count = patternCount!;
      guardPatterns(count, Xt.rows, dt, c, model === 'relu');
      const bound = patternCountBound(Xt.rows, dt);
      if (count > bound) throw new CvxnnError('INVALID_OPTION', `--patterns ${count} is larger than the number of activation patterns these data can have (at most ${bound}); use a smaller N or 'all'`);
      ({ masks, gates: G } = sampleDistinctPatterns(Xt, count, seed));
    }
    const P = masks.p;
    const convex: ConvexResult = fitConvex(Xt, p.Ytr, { masks, gates: G }, { model, lambda, loss, scale, tol, maxIters, timeLimit, backend: be });
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
    const common = { ...objOpts, epochs, batchSize, timeLimit, seed, schedule, backend: be };
    const sgd = trainSgd(init, p.Xtr, p.Ytr, { ...common, learningRate: sgdLr });
    const adam = trainAdam(init, p.Xtr, p.Ytr, { ...common, learningRate: adamLr });

    // The convex value bounds every trainer from below when the program is exact for the
    // trainers' network class: gated networks whose gates come from the pattern set (scalar and
    // nuclear vector output), and scalar-output ReLU networks when every pattern is present.
    const exact = model === 'gated-relu' || (c === 1 && allPatterns);
    const lowerBound = exact ? convex.objective - (convex.certificate.kind === 'duality-gap' ? convex.certificate.absolute : 0) : null;
    const warnings: string[] = [];
    if (!exact) {
      warnings.push(
        c > 1
          ? 'relu with several outputs runs one-vs-all convex problems (each neuron feeds one output); SGD/Adam train a larger network class and may go below it'
          : `relu over ${P} sampled patterns: the convex optimum is exact over those patterns only; a trainer may use patterns outside the sample and go below it (use --patterns all on small data)`,
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
      cvxnnRun: RUN_FORMAT_VERSION,
      kind: 'compare',
      createdAt: new Date().toISOString(),
      options: {
        data: o.data,
        labelColumn: o.labelColumn,
        testData: o.testData,
        task: p.task,
        model,
        bias,
        lambda,
        loss,
        patterns: o.gates ? `gates:${o.gates}` : o.patterns,
        patternCount: P,
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
        schedule,
        tol,
        maxIters: maxIters ?? null,
        backend: o.backend,
      },
      environment: environment(be.name, be.precision),
      data: { name: table.name, n: p.Xtr.rows, d: p.Xtr.cols, task: p.task, ...(p.classes ? { classes: p.classes } : {}), standardize: o.standardize, ...(p.Xte ? { nTest: p.Xte.rows } : {}) },
      objective: { loss, lambda, scale, weightDecay: 'lambda/2 * sum_j(||W1[:,j]||^2 + ||W2[j,:]||^2), free biases not decayed' },
      convex: convexEntry,
      methods: trainerRows,
      lowerBound:
        lowerBound === null
          ? { certified: false }
          : { certified: true, value: lowerBound, over: model === 'gated-relu' ? 'gated-relu networks with gates from the pattern set' : 'every scalar-output relu network (all patterns enumerated)' },
      curves: [
        { method: 'convex', points: convex.history.map((h) => ({ iteration: h.iteration, timeSeconds: h.timeSeconds, objective: h.objective })) },
        { method: 'sgd', points: sgd.history },
        { method: 'adam', points: adam.history },
      ],
      warnings,
    };
    const nonFinite: string[] = [];
    const safe = finiteJson(run, nonFinite);
    safe.warnings.push(...nonFinite);
    out?.write(JSON.stringify({ ...safe, networks: { sgd: networkToJson(sgd.network), adam: networkToJson(adam.network) } }, null, 2) + '\n');
    const exit = uncertified(convex.status, convex.certificate, tol);
    if (o.json) {
      printJson(io, safe);
      if (exit) throw exit;
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
    io.out(`data ${table.name}: n=${p.Xtr.rows}${p.Xte ? ` (+${p.Xte.rows} test)` : ''}, d=${p.Xtr.cols}, ${p.task}; ${model}${bias ? ' + bias' : ''}, loss ${loss} (${scale}), λ=${lambda}, ${P} ${allPatterns ? '(all) ' : ''}patterns, width ${M}\n`);
    io.out(`objective: data term + (λ/2)Σ_j(‖W1[:,j]‖² + ‖W2[j,:]‖²) ⇔ convex group penalty λΣ‖·‖\n`);
    io.out(`backend: ${be.name} (${be.precision})${convex.polish ? `; the convex solve finished and was certified in fp64 on ${convex.polish.backend}` : ''}\n`);
    for (const r of rows) io.out(r.map((s, k) => s.padEnd(widths[k])).join('  ').trimEnd() + '\n');
    io.out(lowerBound === null ? 'lower bound: not certified for this setting (see warnings)\n' : `certified lower bound over ${model === 'gated-relu' ? 'gated-relu networks with these gates' : 'every relu network (all patterns)'}: ${fmt(lowerBound, 8)}\n`);
    for (const w of warnings) io.err(`warning: ${w}\n`);
    if (out) io.out(`wrote ${out.given}\n`);
    if (exit) throw exit;
  });
}
