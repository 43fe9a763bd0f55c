import {
  circularCnnToJson,
  cnnObjectiveTerms,
  cnnPredict,
  cnnToJson,
  type CnnLambdaSelection,
  type ConvexCnnResult,
  convGeometry,
  fitCircularCnn,
  fitConvexCnn,
  fitLinearCnn,
  fitSeparableCnn,
  type LinearCnnResultBase,
  linearCnnObjective,
  linearCnnPredict,
  linearCnnToJson,
  outputScore,
  parseImageShape,
  recoverCircularCnn,
  recoverCnn,
  recoverLinearCnn,
  recoverSeparableCnn,
  selectCnnLambda,
  separableCnnToJson,
  separableObjective,
  separablePredict,
} from '@cvxnn/cnn';
import { assertOption, createCpuBackend, CvxnnError, type Matrix } from '@cvxnn/linalg';
import type { LossName } from '@cvxnn/networks';
import { selectBackend } from '../backends.js';
import { type PreparedData, prepareData } from '../data-input.js';
import { fmt, type Io, parseNumber, parseSeed } from '../io.js';
import { type OutputTarget, prepareOutput } from '../output.js';
import { emitRun, environment, RUN_FORMAT_VERSION } from '../run-file.js';
import { dataRow, type FitCliOptions, fitInputs, guardPatterns } from './fit.js';
import { fitBar, lambdaSearch, parseLambdaAuto, selectionJson, selectionRows } from '../lambda-auto.js';
import { guardMemory } from '../limits.js';

/** Default number of convolutional gates when `--patterns` is not given. */
const DEFAULT_CNN_PATTERNS = 32;
/**
 * Iteration cap when `--max-iters` is not given: the fully connected fits' 20000, so a default run
 * ends certified (digits8x8 with 2×2 pooling regions: 1400–1800 iterations at λ ≥ 0.1) rather than
 * at a cap that says nothing about the optimum; `--time-limit` bounds the wall time instead.
 */
const DEFAULT_CNN_MAX_ITERS = 20000;

/**
 * Parse `--pool-regions`: `RxC` (or `R`, meaning R×R) positive integers.
 *
 * @example
 *   parsePoolRegions('2x2'); // [2, 2]
 */
export function parsePoolRegions(spec: string): [number, number] {
  const parts = String(spec).trim().toLowerCase().split(/[x×]/);
  const nums = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  if ((parts.length !== 1 && parts.length !== 2) || !nums.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new CvxnnError('INVALID_OPTION', `--pool-regions must be RxC with positive integers (e.g. 2x2), got '${spec}'`);
  }
  return [nums[0], nums[1] ?? nums[0]];
}

/**
 * `cvxnn fit --arch cnn`: certified convex training of a two-layer ReLU / gated-ReLU CNN with
 * global sum pooling (SPEC §4.2) on image rows (`--image-shape HxWxC`, pixels row-major, channels
 * last), patterns from convolutional gates (Gaussian filters on every patch). Same output as
 * `cvxnn fit` (run JSON kind `cnn`); the network is the recovered CNN (filters, output weights).
 *
 * @example
 *   await fitCnn({ ...options, arch: 'cnn', imageShape: '8x8x1', kernel: '3' }, io);
 */
export async function fitCnn(o: FitCliOptions, io: Io): Promise<void> {
  if (o.layerwise !== undefined) throw new CvxnnError('INVALID_OPTION', '--layerwise is not available with --arch cnn; train one convex CNN block');
  if (o.imageShape === undefined) throw new CvxnnError('INVALID_OPTION', '--arch cnn needs --image-shape HxWxC (e.g. 8x8x1)');
  if (o.kernel === undefined) throw new CvxnnError('INVALID_OPTION', '--arch cnn needs --kernel K (square K×K filters)');
  if (o.lambda === undefined) throw new CvxnnError('INVALID_OPTION', "--lambda is required (a number > 0, or 'auto' to choose it on a validation split)");
  if (o.gates) throw new CvxnnError('INVALID_OPTION', '--gates is not supported with --arch cnn; patterns come from convolutional gates (--patterns N, or all)');
  const imageShape = parseImageShape(o.imageShape);
  const kernel = parseNumber('kernel', o.kernel, { integer: true, min: 1 });
  const stride = parseNumber('stride', o.stride ?? '1', { integer: true, min: 1 });
  const padding = parseNumber('padding', o.padding ?? '0', { integer: true, min: 0 });
  const autoOpts = o.lambda === 'auto' ? parseLambdaAuto(o) : undefined;
  let lambda = autoOpts ? Number.NaN : parseNumber('lambda', o.lambda, { exclusiveMin: 0 });
  const seed = parseSeed(o.seed);
  const tol = parseNumber('tol', o.tol, { exclusiveMin: 0 });
  const maxIters = o.maxIters === undefined ? DEFAULT_CNN_MAX_ITERS : parseNumber('max-iters', o.maxIters, { integer: true, min: 1 });
  const timeLimit = o.timeLimit === undefined ? undefined : parseNumber('time-limit', o.timeLimit, { exclusiveMin: 0 });
  const testFraction = o.testFraction === undefined ? 0 : parseNumber('test-fraction', o.testFraction, { min: 0 });
  const model = o.model ?? 'gated-relu';
  assertOption(
    ['relu', 'gated-relu', 'separable', 'linear', 'circular'].includes(model),
    `--model must be relu, gated-relu, separable, linear or circular with --arch cnn, got '${model}'`,
  );
  assertOption(['auto', 'fista', 'al'].includes(o.solver), `--solver must be auto, fista or al, got '${o.solver}'`);
  assertOption(o.objectiveScale === 'sum' || o.objectiveScale === 'mean', `--objective-scale must be sum or mean, got '${o.objectiveScale}'`);
  if (o.lambdaPath !== undefined) throw new CvxnnError('INVALID_OPTION', '--lambda-path is not available with --arch cnn');
  const poolRegions = o.poolRegions === undefined ? ([1, 1] as [number, number]) : parsePoolRegions(o.poolRegions);
  const regional = poolRegions[0] * poolRegions[1] > 1;
  if (regional && model !== 'gated-relu') throw new CvxnnError('INVALID_OPTION', `--pool-regions is available for --model gated-relu (got ${model}); the convex ReLU CNN and the other CNN programs pool globally`);
  const patterns: number | 'all' = o.patterns === 'all' ? 'all' : o.patterns === undefined ? DEFAULT_CNN_PATTERNS : parseNumber('patterns', o.patterns, { integer: true, min: 1 });
  const out = prepareOutput('--out', o.out, fitInputs(o));
  const { backend: selected } = await selectBackend(o.backend);
  // the CNN program runs in fp64 (dense products with the pooled features); fp32 backends fall back to the CPU one
  const backend = selected.precision === 'fp64' ? selected : createCpuBackend();
  if (!o.json && backend !== selected) io.err(`note: --arch cnn runs in fp64; using the ${backend.name} backend instead of ${selected.name}\n`);

  const prep = prepareData({ data: o.data, flags: o, standardize: o.standardize, bias: !!o.bias, seed, testFraction, testData: o.testData });
  const { dataset: table, task, classes, Xtr, Ytr, pre } = prep;
  if (typeof patterns === 'number' && (model === 'relu' || model === 'gated-relu' || model === 'separable')) {
    // one pattern row per patch: n·K rows of masks over patches of kh·kw·C (+1) values
    const g = convGeometry(imageShape, { kernel, stride, padding });
    guardPatterns(patterns, Xtr.rows * g.patches, g.patchSize + (o.bias ? 1 : 0), Ytr.cols, model === 'relu' || model === 'separable');
    if (model !== 'separable') {
      // the pooled features Φ: n × h·P·(regions) doubles, held for the whole solve
      const R = poolRegions[0] * poolRegions[1];
      guardMemory(`--patterns ${patterns}${regional ? ` with --pool-regions ${poolRegions.join('x')}` : ''}`, 8 * Xtr.rows * (g.patchSize + (o.bias ? 1 : 0)) * patterns * R, `the pooled features Φ, ${Xtr.rows} × ${(g.patchSize + (o.bias ? 1 : 0)) * patterns * R} doubles`, 'use fewer patterns or pooling regions');
    }
  }
  const loss: LossName = (o.loss as LossName | undefined) ?? (task === 'regression' ? 'squared' : task === 'binary' ? 'logistic' : model === 'gated-relu' && o.vectorOutput !== 'one-vs-all' ? 'cross-entropy' : 'squared');
  assertOption(['squared', 'logistic', 'cross-entropy'].includes(loss), `--loss must be squared, logistic or cross-entropy, got '${loss}'`);
  if (loss === 'logistic' && task !== 'binary') throw new CvxnnError('INVALID_OPTION', `--loss logistic needs --task binary (the labels give ${task})`);
  if (loss === 'cross-entropy' && task !== 'multiclass') throw new CvxnnError('INVALID_OPTION', `--loss cross-entropy needs --task multiclass (the labels give ${task})`);

  if (model === 'separable' || model === 'linear' || model === 'circular') {
    if (autoOpts) throw new CvxnnError('INVALID_OPTION', `--lambda auto is available for --model relu and gated-relu with --arch cnn (got ${model}); give a number (--lambda 1e-3)`);
    return fitVariant(io, o, { model, imageShape, kernel, stride, padding, lambda, loss, tol, maxIters, timeLimit, seed, patterns, testFraction, backendName: backend.name, prep, out });
  }

  const fitOptions = {
    imageShape,
    kernel,
    stride,
    padding,
    model: model as 'relu' | 'gated-relu',
    loss,
    scale: o.objectiveScale as 'sum' | 'mean',
    bias: !!o.bias,
    regions: poolRegions,
    vectorOutput: o.vectorOutput as 'nuclear' | 'one-vs-all' | undefined,
    patterns,
    seed,
    solver: o.solver as 'auto' | 'fista' | 'al',
    tol,
    maxIters,
    timeLimit,
    backend,
  };
  let result: ConvexCnnResult;
  let selection: CnnLambdaSelection | undefined;
  let folds: Int32Array | undefined;
  let searchSeconds = 0;
  if (autoOpts) {
    // validation folds of the training images only (the test images never enter the choice)
    const search = lambdaSearch(autoOpts, prep.ytr, task, classes, seed, Boolean(io.errIsTTY) && !o.json);
    folds = search.folds;
    const bar = search.bar;
    const t0 = performance.now();
    try {
      selection = selectCnnLambda(Xtr, Ytr, { ...fitOptions, onProgress: bar ? (p) => bar.gap(p.certificate) : undefined }, search.options);
    } finally {
      bar?.stop();
    }
    searchSeconds = (performance.now() - t0) / 1000;
    result = selection.result;
    lambda = selection.lambda;
  } else {
    const bar = fitBar(maxIters, Boolean(io.errIsTTY) && !o.json);
    try {
      result = fitConvexCnn(Xtr, Ytr, { ...fitOptions, lambda, onProgress: bar ? (p) => bar.update(p) : undefined });
    } finally {
      bar?.stop();
    }
  }
  const lambdaSelection = selection ? selectionJson(selection, autoOpts?.cv, searchSeconds) : undefined;
  const cnn = recoverCnn(result);
  const metrics: Record<string, number> = {};
  const key = task === 'regression' ? 'MSE' : 'Accuracy';
  const metric = (X: Matrix<Float64Array>, Y: Matrix<Float64Array>) => outputScore(cnnPredict(cnn, X, undefined, backend), Y, task === 'regression' ? 'mse' : 'accuracy');
  metrics[`train${key}`] = metric(Xtr, Ytr);
  if (prep.Xte && prep.Yte) metrics[`test${key}`] = metric(prep.Xte, prep.Yte);
  const check = cnnObjectiveTerms(cnn, Xtr, Ytr, { loss, lambda, scale: o.objectiveScale as 'sum' | 'mean' }, backend);
  const g = result.geometry;
  const architecture = { imageShape, kernel, stride, padding, pooling: result.pooling, ...(regional ? { poolRegions } : {}), patchesPerImage: g.patches, patchSize: g.patchSize, filterBias: result.bias };

  const run = {
    cvxnnRun: RUN_FORMAT_VERSION,
    kind: 'cnn',
    createdAt: new Date().toISOString(),
    options: {
      data: o.data,
      labelColumn: o.labelColumn,
      testData: o.testData,
      task,
      arch: 'cnn',
      imageShape: o.imageShape,
      kernel,
      stride,
      padding,
      ...(regional ? { poolRegions: o.poolRegions } : {}),
      model,
      bias: !!o.bias,
      lambda,
      ...(autoOpts ? { lambdaAuto: true, cv: autoOpts.cv, lambdaPoints: autoOpts.points, lambdaRatio: autoOpts.ratio, ...(Number.isFinite(autoOpts.patience) ? { lambdaPatience: autoOpts.patience } : {}) } : {}),
      patterns,
      seed,
      loss,
      solver: o.solver,
      tol,
      maxIters,
      timeLimit,
      objectiveScale: o.objectiveScale,
      standardize: o.standardize,
      backend: o.backend,
      testFraction: testFraction || undefined,
    },
    environment: environment(backend.name, backend.precision),
    data: { name: table.name, n: Xtr.rows, d: Xtr.cols, task, classes, standardize: o.standardize, nTest: prep.nTest },
    architecture,
    status: result.status,
    objective: result.objective,
    dataTerm: result.dataTerm,
    penalty: result.penalty,
    certificate: result.certificate,
    constraintViolation: result.constraintViolation,
    iterations: result.iterations,
    timeSeconds: result.timeSeconds,
    patterns: result.patterns,
    patternSource: result.patternSource,
    activeNeurons: result.activeNeurons,
    formulation: result.formulation,
    lambdaMax: result.lambdaMax,
    backend: result.backend,
    precision: result.precision,
    networkObjective: check.objective,
    lambdaSelection,
    ...metrics,
    network: cnnToJson(cnn),
    preprocessing: pre,
  };
  const rows: Array<[string, string | number]> = [
    ['data', `${dataRow(table.name, Xtr, task, classes, prep.testSource, table.droppedRows)}; images ${imageShape.height}×${imageShape.width}×${imageShape.channels}`],
    ['architecture', `CNN: ${kernel}×${kernel} filters, stride ${stride}, padding ${padding}, ${g.patches} patches per image, ${regional ? `sum pooling over ${poolRegions[0]}×${poolRegions[1]} regions of the ${g.outH}×${g.outW} positions` : 'global sum pooling'}${o.bias ? ', filter bias' : ''}`],
    ['model', `${result.formulation} (loss ${loss}, scale ${o.objectiveScale}, λ = ${fmt(lambda)}${selection ? ' chosen by validation' : ''})`],
    ['patterns', result.patternSource],
    ['status', result.status],
    ['objective', `${fmt(result.objective, 10)} = data term ${fmt(result.dataTerm, 10)} + penalty ${fmt(result.penalty, 10)}`],
    ['certificate', `${result.certificate.kind} ${result.certificate.value.toExponential(2)} relative (${result.certificate.absolute.toExponential(2)} absolute)`],
  ];
  if (lambdaSelection && folds && autoOpts) rows.splice(rows.length - 3, 0, ...selectionRows(lambdaSelection, folds.filter((f) => f === 0).length, autoOpts.ratio));
  if (model === 'relu') rows.push(['constraint violation', result.constraintViolation.toExponential(2)]);
  rows.push(
    ['iterations', String(result.iterations)],
    ['time', `${result.timeSeconds.toFixed(3)} s`],
    ['backend', `${result.backend} (${result.precision})`],
    ['active neurons', `${result.activeNeurons} filters from ${result.patterns} ${regional ? '(gate, region) groups' : 'patterns'}`],
    ['network objective', `${fmt(check.objective, 10)} (recovered CNN, same convention)`],
  );
  for (const [k, v] of Object.entries(metrics)) rows.push([k, fmt(v)]);
  const exit = emitRun(io, { run, heavy: { history: result.history, groupNorms: result.groupNorms }, json: o.json, out, rows, tol });
  if (exit) throw exit;
}

/**
 * `--arch cnn --model separable | linear | circular`: the separable ReLU CNN (SPEC §4.3), the linear
 * CNN with a fully connected head (nuclear norm, §4.4) and the linear circular CNN (Fourier ℓ1,
 * §4.5; rows are 1-D signals, image shape 1xd, the filter spans the signal).
 */
function fitVariant(
  io: Io,
  o: FitCliOptions,
  a: {
    model: 'separable' | 'linear' | 'circular';
    imageShape: ReturnType<typeof parseImageShape>;
    kernel: number;
    stride: number;
    padding: number;
    lambda: number;
    loss: LossName;
    tol: number;
    maxIters: number;
    timeLimit?: number;
    seed: number;
    patterns: number | 'all';
    testFraction: number;
    backendName: string;
    prep: PreparedData;
    out: OutputTarget | undefined;
  },
): void {
  const { dataset: table, task, classes, Xtr, Ytr, Xte, Yte, pre } = a.prep;
  const scale = o.objectiveScale as 'sum' | 'mean';
  if (a.model !== 'linear') assertOption(Ytr.cols === 1, `--model ${a.model} has one output; use --task regression or binary (got ${Ytr.cols} outputs)`);
  if (o.bias) throw new CvxnnError('INVALID_OPTION', `--bias is not available with --model ${a.model}`);
  const common = { lambda: a.lambda, loss: a.loss, scale, tol: a.tol, maxIters: a.maxIters, timeLimit: a.timeLimit };
  let res: LinearCnnResultBase & { activeNeurons?: number; rank?: number; activeFrequencies?: number };
  let predictFn: (X: Matrix<Float64Array>) => Matrix<Float64Array>;
  let networkObjective: number;
  let network: Record<string, unknown>;
  let architecture: Record<string, unknown>;
  let neurons: number;
  if (a.model === 'circular') {
    assertOption(a.imageShape.height === 1 && a.imageShape.channels === 1, `--model circular takes 1-D signals: use --image-shape 1x${a.imageShape.width * a.imageShape.height * a.imageShape.channels}x1 (got ${o.imageShape})`);
    assertOption(Xtr.cols === a.imageShape.width, `the data have ${Xtr.cols} columns but --image-shape ${o.imageShape} has ${a.imageShape.width}`);
    const r = fitCircularCnn(Xtr, Ytr, common);
    const m = recoverCircularCnn(r);
    res = r;
    predictFn = (X) => linearCnnPredict(m, X);
    networkObjective = linearCnnObjective(m, Xtr, Ytr, { lambda: a.lambda, loss: a.loss, scale });
    neurons = m.filters.cols;
    network = { ...circularCnnToJson(r, m) };
    architecture = { imageShape: a.imageShape, circular: true, filterLength: r.length, activeFrequencies: r.activeFrequencies };
  } else if (a.model === 'linear') {
    const r = fitLinearCnn(Xtr, Ytr, { imageShape: a.imageShape, kernel: a.kernel, stride: a.stride, padding: a.padding, ...common });
    const m = recoverLinearCnn(r);
    res = r;
    predictFn = (X) => linearCnnPredict(m, X);
    networkObjective = linearCnnObjective(m, Xtr, Ytr, { lambda: a.lambda, loss: a.loss, scale });
    neurons = m.filters.cols;
    network = { ...linearCnnToJson(m) };
    architecture = { imageShape: a.imageShape, kernel: a.kernel, stride: a.stride, padding: a.padding, patchesPerImage: r.geometry.patches, patchSize: r.geometry.patchSize, rank: r.rank };
  } else {
    const r = fitSeparableCnn(Xtr, Ytr, { imageShape: a.imageShape, kernel: a.kernel, stride: a.stride, padding: a.padding, patterns: a.patterns, seed: a.seed, ...common });
    const m = recoverSeparableCnn(r);
    res = r;
    predictFn = (X) => separablePredict(m, X);
    networkObjective = separableObjective(m, Xtr, Ytr, { lambda: a.lambda, loss: a.loss, scale });
    neurons = m.filters.cols;
    network = { ...separableCnnToJson(m) };
    architecture = { imageShape: a.imageShape, kernel: a.kernel, stride: a.stride, padding: a.padding, patchesPerImage: r.geometry.patches, patchSize: r.geometry.patchSize };
  }
  const key = task === 'regression' ? 'MSE' : 'Accuracy';
  const metrics: Record<string, number> = { [`train${key}`]: outputScore(predictFn(Xtr), Ytr, task === 'regression' ? 'mse' : 'accuracy') };
  if (Xte && Yte) metrics[`test${key}`] = outputScore(predictFn(Xte), Yte, task === 'regression' ? 'mse' : 'accuracy');
  const run = {
    cvxnnRun: RUN_FORMAT_VERSION,
    kind: 'cnn',
    createdAt: new Date().toISOString(),
    options: { data: o.data, labelColumn: o.labelColumn, testData: o.testData, task, arch: 'cnn', imageShape: o.imageShape, kernel: a.kernel, stride: a.stride, padding: a.padding, model: a.model, lambda: a.lambda, patterns: a.patterns, seed: a.seed, loss: a.loss, tol: a.tol, maxIters: a.maxIters, timeLimit: a.timeLimit, objectiveScale: o.objectiveScale, standardize: o.standardize, testFraction: a.testFraction || undefined },
    environment: environment(a.backendName, 'fp64'),
    data: { name: table.name, n: Xtr.rows, d: Xtr.cols, task, classes, standardize: o.standardize, nTest: a.prep.nTest },
    architecture,
    status: res.status,
    objective: res.objective,
    dataTerm: res.dataTerm,
    penalty: res.penalty,
    certificate: res.certificate,
    iterations: res.iterations,
    timeSeconds: res.timeSeconds,
    activeNeurons: neurons,
    formulation: a.model === 'separable' ? 'separable-relu-cnn' : a.model === 'linear' ? 'linear-cnn-nuclear' : 'linear-circular-cnn-fourier-l1',
    networkObjective,
    ...metrics,
    network,
    preprocessing: pre,
  };
  const rows: Array<[string, string | number]> = [
    ['data', dataRow(table.name, Xtr, task, classes, a.prep.testSource, table.droppedRows)],
    ['model', `${run.formulation} (loss ${a.loss}, scale ${o.objectiveScale}, λ = ${fmt(a.lambda)})`],
    ['status', res.status],
    ['objective', `${fmt(res.objective, 10)} = data term ${fmt(res.dataTerm, 10)} + penalty ${fmt(res.penalty, 10)}`],
    ['certificate', `${res.certificate.kind} ${res.certificate.value.toExponential(2)} relative (${res.certificate.absolute.toExponential(2)} absolute)`],
    ['iterations', String(res.iterations)],
    ['time', `${res.timeSeconds.toFixed(3)} s`],
    ['neurons', String(neurons)],
    ['network objective', `${fmt(networkObjective, 10)} (recovered network, same convention)`],
  ];
  for (const [k, v] of Object.entries(metrics)) rows.push([k, fmt(v)]);
  const exit = emitRun(io, { run, heavy: { history: res.history }, json: o.json, out: a.out, rows, tol: a.tol });
  if (exit) throw exit;
}
