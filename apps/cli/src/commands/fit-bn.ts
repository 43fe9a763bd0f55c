import { type BnFitResult, type BnPlacement, bnForward, bnNetworkToJson, bnObjective, fitBnConvex, fitLayerwise, layerwiseMetrics, layerwiseToJson } from '@cvxnn/cnn';
import { assertOption, CvxnnError, type Matrix } from '@cvxnn/linalg';
import { classesOf, type LossName } from '@cvxnn/networks';
import { prepareData } from '../data-input.js';
import { fmt, type Io, parseNumber, parseSeed } from '../io.js';
import { prepareOutput } from '../output.js';
import { emitRun, environment, RUN_FORMAT_VERSION } from '../run-file.js';
import { selectBackend } from '../backends.js';
import { dataRow, type FitCliOptions, fitInputs, guardPatterns } from './fit.js';

/** Fraction of rows whose predicted class (sign for ±1 targets, argmax for one-hot) matches. */
function classAccuracy(F: Matrix<Float64Array>, Y: Matrix<Float64Array>): number {
  const p = classesOf(F);
  const t = classesOf(Y);
  let ok = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === t[i]) ok++;
  return ok / Math.max(1, p.length);
}

function meanSquaredError(F: Matrix<Float64Array>, Y: Matrix<Float64Array>): number {
  let s = 0;
  for (let i = 0; i < F.data.length; i++) s += (F.data[i] - Y.data[i]) ** 2;
  return s / Math.max(1, F.rows);
}

/**
 * Iteration cap per block for `--layerwise` when `--max-iters` is not given: the fully connected
 * fits' 20 000, so that each block ends certified rather than at a cap (it was 300, and every
 * digits8x8 block stopped there uncertified).
 */
const DEFAULT_LAYERWISE_MAX_ITERS = 20000;

/**
 * `cvxnn fit --arch bn` (convex BN network, SPEC §3: `--bn-placement scale|centred|before`, default
 * scale — the seeds' exact statement, and the fastest here) and `cvxnn fit --layerwise L` (greedy layer-wise training of gated-ReLU convex blocks,
 * SPEC §5.2). Same data preparation, output keys and run JSON (`kind: 'fit'`, `options.arch`) as
 * `cvxnn fit`; layer-wise runs add `layers` (one entry per block: objective, certificate, sizes,
 * train/test metric of the model truncated at that depth).
 *
 * @example
 *   await fitBn({ ...options, arch: 'bn', lambda: '1', patterns: '50' }, io);
 */
export async function fitBn(o: FitCliOptions, io: Io): Promise<void> {
  if (o.arch === 'bn' && o.layerwise !== undefined) {
    throw new CvxnnError('INVALID_OPTION', '--arch bn with --layerwise is not supported: layer-wise blocks are gated-ReLU programs; use --arch fc --layerwise L, or --arch bn alone');
  }
  assertOption(o.arch === 'bn' || o.arch === 'fc', `fitBn handles --arch bn and --arch fc --layerwise, got --arch ${o.arch}`);
  if (o.lambda === undefined) throw new CvxnnError('INVALID_OPTION', '--lambda is required (a number > 0)');
  const lambda = parseNumber('lambda', o.lambda, { exclusiveMin: 0 });
  const seed = parseSeed(o.seed);
  const tol = parseNumber('tol', o.tol, { exclusiveMin: 0 });
  const maxIters = o.maxIters === undefined ? (o.layerwise !== undefined ? DEFAULT_LAYERWISE_MAX_ITERS : 20000) : parseNumber('max-iters', o.maxIters, { integer: true, min: 1 });
  const timeLimit = o.timeLimit === undefined ? undefined : parseNumber('time-limit', o.timeLimit, { exclusiveMin: 0 });
  const testFraction = o.testFraction === undefined ? 0 : parseNumber('test-fraction', o.testFraction, { min: 0 });
  assertOption(o.objectiveScale === 'sum' || o.objectiveScale === 'mean', `--objective-scale must be sum or mean, got '${o.objectiveScale}'`);
  assertOption(o.gates === undefined, '--gates is not supported with --arch bn / --layerwise; use --patterns N or all');
  const out = prepareOutput('--out', o.out, fitInputs(o));
  const prep = prepareData({ data: o.data, flags: o, standardize: o.standardize, bias: !!o.bias, seed, testFraction, testData: o.testData });
  const { dataset: table, task, classes, Xtr, Ytr, pre } = prep;
  const scale = o.objectiveScale as 'sum' | 'mean';
  const metricKey = task === 'regression' ? 'MSE' : 'Accuracy';
  const metric = (F: Matrix<Float64Array>, Y: Matrix<Float64Array>) => (task === 'regression' ? meanSquaredError(F, Y) : classAccuracy(F, Y));
  const dataLine: [string, string] = ['data', dataRow(table.name, Xtr, task, classes, prep.testSource, table.droppedRows)];
  const common = {
    cvxnnRun: RUN_FORMAT_VERSION,
    kind: 'fit',
    createdAt: new Date().toISOString(),
    environment: environment('ts', 'fp64'),
    data: { name: table.name, n: Xtr.rows, d: Xtr.cols, task, classes, standardize: o.standardize, nTest: prep.nTest },
  };

  if (o.layerwise !== undefined) {
    const L = parseNumber('layerwise', o.layerwise, { integer: true, min: 1 });
    assertOption((o.patterns ?? '100') !== 'all', '--layerwise samples patterns per block; pass --patterns N');
    const P = parseNumber('patterns', (o.patterns ?? '100'), { integer: true, min: 1 });
    guardPatterns(P, Xtr.rows, Math.max(Xtr.cols, P) + 1, Ytr.cols, false);
    const loss: LossName = (o.loss as LossName | undefined) ?? (task === 'regression' ? 'squared' : task === 'binary' ? 'logistic' : 'cross-entropy');
    assertOption(['squared', 'logistic', 'cross-entropy'].includes(loss), `--loss must be squared, logistic or cross-entropy, got '${loss}'`);
    // the blocks are fully connected gated programs: the same backend as `cvxnn fit`
    const { backend } = await selectBackend(o.backend);
    const t0 = performance.now();
    const { model, blocks } = fitLayerwise(Xtr, Ytr, { layers: L, lambda, patterns: P, seed, loss, scale, tol, maxIters, timeLimit, backend });
    const m = task === 'regression' ? 'mse' : 'accuracy';
    const trainM = layerwiseMetrics(model, Xtr, Ytr, m);
    const testM = prep.Xte && prep.Yte ? layerwiseMetrics(model, prep.Xte, prep.Yte, m) : null;
    const last = blocks[blocks.length - 1];
    const layers = blocks.map((b, l) => ({
      layer: b.layer,
      inputDim: b.inputDim,
      width: b.width,
      patterns: b.patterns,
      formulation: b.formulation,
      status: b.status,
      objective: b.objective,
      dataTerm: b.dataTerm,
      penalty: b.penalty,
      certificate: b.certificate,
      iterations: b.iterations,
      timeSeconds: b.timeSeconds,
      [`train${metricKey}`]: trainM[l],
      ...(testM ? { [`test${metricKey}`]: testM[l] } : {}),
    }));
    const worst = blocks.find((b) => b.status !== 'optimal');
    const metrics: Record<string, number> = { [`train${metricKey}`]: trainM[L - 1] };
    if (testM) metrics[`test${metricKey}`] = testM[L - 1];
    const run = {
      ...common,
      environment: environment(backend.name, backend.precision),
      options: { data: o.data, labelColumn: o.labelColumn, testData: o.testData, task, arch: o.arch, layerwise: L, model: 'gated-relu', bias: true, lambda, patterns: P, seed, loss, tol, maxIters, timeLimit, objectiveScale: o.objectiveScale, standardize: o.standardize, testFraction: testFraction || undefined },
      status: worst ? worst.status : 'optimal',
      objective: last.objective,
      dataTerm: last.dataTerm,
      penalty: last.penalty,
      certificate: { kind: last.certificate.kind, value: Math.max(...blocks.map((b) => b.certificate.value)), absolute: Math.max(...blocks.map((b) => b.certificate.absolute)) },
      constraintViolation: 0,
      iterations: blocks.reduce((s, b) => s + b.iterations, 0),
      timeSeconds: (performance.now() - t0) / 1000,
      patterns: blocks.reduce((s, b) => s + b.patterns, 0),
      patternSource: `${P} sampled Gaussian gates per block (seed ${seed}), plus the all-ones pattern in blocks ≥ 2`,
      activeNeurons: last.width,
      formulation: `layerwise-${last.formulation}`,
      backend: backend.name,
      precision: backend.precision,
      networkObjective: last.objective,
      ...metrics,
      layers,
      network: layerwiseToJson(model),
      preprocessing: pre,
    };
    const rows: Array<[string, string | number]> = [
      dataLine,
      ['model', `${L} greedy gated-ReLU convex blocks (loss ${loss}, scale ${o.objectiveScale}, λ = ${fmt(lambda)}, bias per block)`],
      ['patterns', run.patternSource],
      ['status', run.status],
    ];
    for (const b of layers) {
      rows.push([
        `layer ${b.layer}`,
        `${b.inputDim} → ${b.width} features, objective ${fmt(b.objective, 8)}, ${b.certificate.kind} ${b.certificate.value.toExponential(2)}, ${b.iterations} iterations, ${b.timeSeconds.toFixed(2)} s, train ${metricKey.toLowerCase()} ${fmt(b[`train${metricKey}`] as number)}${testM ? `, test ${fmt(b[`test${metricKey}`] as number)}` : ''}`,
      ]);
    }
    rows.push(['time', `${run.timeSeconds.toFixed(3)} s`]);
    for (const [k, v] of Object.entries(metrics)) rows.push([k, fmt(v)]);
    const exit = emitRun(io, { run, json: o.json, out, rows, tol });
    if (exit) throw exit;
    return;
  }

  // --arch bn
  const placement = (o.bnPlacement ?? 'scale') as BnPlacement;
  assertOption(['centred', 'scale', 'before'].includes(placement), `--bn-placement must be centred, scale or before, got '${placement}'`);
  const normalization = (o.bnNormalization ?? 'l2') as 'l2' | 'std';
  assertOption(normalization === 'l2' || normalization === 'std', `--bn-normalization must be l2 or std, got '${normalization}'`);
  const loss: LossName = (o.loss as LossName | undefined) ?? (task === 'binary' ? 'logistic' : 'squared');
  assertOption(loss === 'squared' || loss === 'logistic', `--arch bn supports the squared and logistic losses (multiclass: squared, one-vs-all), got '${loss}'`);
  if (loss === 'logistic' && task !== 'binary') throw new CvxnnError('INVALID_OPTION', `--loss logistic needs --task binary (the labels give ${task})`);
  const patterns = (o.patterns ?? '100') === 'all' ? 'all' : parseNumber('patterns', (o.patterns ?? '100'), { integer: true, min: 1 });
  if (patterns !== 'all') guardPatterns(patterns, Xtr.rows, Xtr.cols + (o.bias ? 1 : 0), Ytr.cols, true);
  const r: BnFitResult = fitBnConvex(Xtr, Ytr, { placement, normalization, lambda, patterns, seed, appendOne: !!o.bias, loss, scale, tol, maxIters, timeLimit });
  const net = r.network;
  const metrics: Record<string, number> = { [`train${metricKey}`]: metric(bnForward(net, Xtr).F, Ytr) };
  if (prep.Xte && prep.Yte) metrics[`test${metricKey}`] = metric(bnForward(net, prep.Xte).F, prep.Yte);
  const check = bnObjective(net, Xtr, Ytr, { lambda, loss, scale });
  const patternSource = patterns === 'all' ? `all ${r.patterns} non-zero patterns (exact enumeration)` : `${patterns} sampled Gaussian gates (seed ${seed}): ${r.patterns} distinct patterns`;
  const run = {
    ...common,
    options: { data: o.data, labelColumn: o.labelColumn, testData: o.testData, task, arch: 'bn', bnPlacement: placement, bnNormalization: normalization, bias: !!o.bias, lambda, patterns: (o.patterns ?? '100'), seed, loss, tol, maxIters, timeLimit, objectiveScale: o.objectiveScale, standardize: o.standardize, testFraction: testFraction || undefined },
    status: r.status,
    objective: r.objective,
    dataTerm: r.dataTerm,
    penalty: r.penalty,
    certificate: r.certificate,
    constraintViolation: r.constraintViolation,
    iterations: r.iterations,
    timeSeconds: r.timeSeconds,
    patterns: r.patterns,
    patternSource,
    activeNeurons: r.activeNeurons,
    formulation: r.formulation,
    backend: 'ts',
    precision: 'fp64',
    networkObjective: check.objective,
    ...metrics,
    network: bnNetworkToJson(net),
    preprocessing: pre,
  };
  const rows: Array<[string, string | number]> = [
    dataLine,
    ['model', `${r.formulation}: BN ${placement === 'before' ? 'before' : 'after'} the ReLU${placement === 'scale' ? ' (scale only)' : ''} (loss ${loss}, scale ${o.objectiveScale}, β = ${fmt(lambda)}${o.bias ? ', bias' : ''})`],
    ['patterns', patternSource],
    ['status', r.status],
    ['objective', `${fmt(r.objective, 10)} = data term ${fmt(r.dataTerm, 10)} + penalty ${fmt(r.penalty, 10)}`],
    ['certificate', `${r.certificate.kind} ${r.certificate.value.toExponential(2)} relative (${r.certificate.absolute.toExponential(2)} absolute)`],
    ['constraint violation', r.constraintViolation.toExponential(2)],
    ['iterations', String(r.iterations)],
    ['time', `${r.timeSeconds.toFixed(3)} s`],
    ['active neurons', `${r.activeNeurons} BN neurons from ${r.patterns} patterns`],
    ['network objective', `${fmt(check.objective, 10)} (recovered BN network, same convention)`],
  ];
  for (const [k, v] of Object.entries(metrics)) rows.push([k, fmt(v)]);
  const exit = emitRun(io, { run, heavy: { history: r.history }, json: o.json, out, rows, tol });
  if (exit) throw exit;
}
