import { type ConvexFitOptions, type ConvexResult, fitConvex, type LambdaSelection, listSolvers, recoverNetwork, selectLambda } from '@cvxnn/group-lasso';
import { assertOption, CvxnnError, type Matrix, PatternMasks } from '@cvxnn/linalg';
import { accuracy, type LossName, mse, networkToJson, objectiveTerms } from '@cvxnn/networks';
import type { Command } from 'commander';
import { selectBackend } from '../backends.js';
import { addDataOptions, type DataFlags, inputFile, prepareData } from '../data-input.js';
import { fitArchitecture } from './fit-arch.js';
import { DEFAULT_DASHBOARD_PORT, type LiveDashboard, lowDimFields, startLiveDashboard } from './dashboard.js';
import { fmt, type Io, parseNumber, parseSeed } from '../io.js';
import { fitBar, lambdaSearch, parseLambdaAuto, selectionJson, selectionRows } from '../lambda-auto.js';
import { convexFitBytes, enumerateForCli, guardMemory } from '../limits.js';
import { type OutputTarget, prepareOutput } from '../output.js';
import { emitRun, environment, patternCountBound, readGates, RUN_FORMAT_VERSION, sampleDistinctPatterns, withOnes } from '../run-file.js';

export interface FitCliOptions extends DataFlags {
  data: string;
  /** a second file of test rows (same columns; no split then) */
  testData?: string;
  model: string;
  bias?: boolean;
  /** a number, or `auto` (validation along a λ grid; fc only) */
  lambda?: string;
  /** --lambda auto: K-fold cross-validation instead of one 20% validation split */
  cv?: string;
  lambdaPoints?: string;
  lambdaRatio?: string;
  lambdaPatience?: string;
  patterns?: string;
  gates?: string;
  seed: string;
  loss?: string;
  solver: string;
  tol: string;
  maxIters?: string;
  timeLimit?: string;
  objectiveScale: string;
  standardize: string;
  backend: string;
  testFraction?: string;
  lambdaPath?: boolean | string;
  vectorOutput?: string;
  out?: string;
  json?: boolean;
  /** live mode: serve the dashboard and stream progress to it (dashboard.ts) */
  dashboard?: boolean;
  port: string;
  dashboardWait?: string;
  /** architecture options (fit-arch.ts): fc (default) | cnn | bn, and greedy layer-wise training */
  arch: string;
  imageShape?: string;
  kernel?: string;
  stride?: string;
  padding?: string;
  /** --arch cnn: regional pooling grid RxC (fit-cnn.ts) */
  poolRegions?: string;
  layerwise?: string;
  /** --arch bn: where the BN sits (fit-bn.ts) */
  bnPlacement?: string;
  bnNormalization?: string;
}

/** Largest exact enumeration we accept (Cover's bound on the pattern count). */
const MAX_EXACT_PATTERNS = 5000;

/**
 * The files a fit reads (for refusing an output that would overwrite one): `--data` as resolved,
 * `--gates`, `--test-data`.
 *
 * @example
 *   const out = prepareOutput('--out', o.out, fitInputs(o));
 */
export function fitInputs(o: Pick<FitCliOptions, 'data' | 'gates' | 'testData'>): Array<string | undefined> {
  return [inputFile(o.data), o.gates, o.testData];
}

/**
 * Refuse `--patterns N` (and a CNN's patch rows) whose convex program would not fit in memory.
 *
 * @example
 *   guardPatterns(P, n, dIn, c, model === 'relu');
 */
export function guardPatterns(P: number, n: number, d: number, c: number, relu: boolean): void {
  guardMemory(`--patterns ${P}`, convexFitBytes(n, d, c, P, relu), `${n} rows × ${P} patterns of masks and ${d}×${P}${c > 1 ? `×${c}` : ''} weights`, 'use fewer patterns');
}

/**
 * The --lambda-path table as text rows: λ, objective, certificate, active neurons, iterations.
 *
 * @example
 *   rows.push(...pathRows(result.path));
 */
export function pathRows(path: Array<{ lambda: number; objective: number; certificate: number; activeNeurons: number; iterations: number }>): Array<[string, string]> {
  const head = ['λ', 'objective', 'certificate', 'active', 'iterations'];
  const cells = path.map((p) => [fmt(p.lambda, 4), fmt(p.objective, 8), p.certificate.toExponential(2), String(p.activeNeurons), String(p.iterations)]);
  const w = head.map((h, k) => Math.max(h.length, ...cells.map((r) => r[k]!.length)));
  const line = (r: string[]) => r.map((c, k) => c.padStart(w[k]!)).join('  ');
  return [['λ-path', line(head)], ...cells.map((r, i): [string, string] => [`  ${i + 1}/${path.length}`, line(r)])];
}

/** Parse a numeric `--lambda` (the message names `auto` too). */
function parseLambda(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || v <= 0) throw new CvxnnError('INVALID_OPTION', `--lambda must be a number > 0 or 'auto', got '${value}'`);
  return v;
}

/**
 * `cvxnn fit`: certified convex training of a two-layer ReLU / gated-ReLU network on a CSV.
 *
 * @example
 *   register(program, processIo); // adds `cvxnn fit`
 */
export function register(program: Command, io: Io): void {
  const cmd = program
    .command('fit')
    .description('train a two-layer ReLU (or gated ReLU) network to global optimality by convex optimization, with a certificate')
    .requiredOption('--data <file>', 'data file (CSV, JSON, IDX; .gz too) or a bundled dataset name (breast_cancer, diabetes, …); paths are relative to the current folder')
    .option('--test-data <file>', 'score on the rows of this file (same columns, matched by header name; the training preprocessing applied) instead of a split')
    .option('--task <task>', 'regression | binary | multiclass (default: inferred from the labels)')
    .option('--model <model>', 'relu (exact C-ReLU) | gated-relu (C-GReLU); --arch cnn also separable | linear | circular; default relu (--arch cnn: gated-relu)')
    .option('--bias', 'append a constant-1 feature (bias inside the group norm)')
    .option('--lambda <L>', "group penalty λ > 0 (weight decay λ/2 on both layers), or 'auto': choose λ on a validation split of the training rows along a geometric grid from λ_max, then refit (--arch fc)")
    .option('--cv <K>', '--lambda auto: K-fold cross-validation over the training rows (K ≥ 2) instead of one 20% validation split')
    .option('--lambda-points <N>', '--lambda auto: points of the λ grid (default 12)')
    .option('--lambda-ratio <r>', '--lambda auto: smallest λ of the grid relative to λ_max (default 1e-4)')
    .option('--lambda-patience <N>', "--lambda auto: stop each fold's path N grid points after its best validation score (default 3; 'all': solve the whole grid)")
    .option('--patterns <all|N>', "number of sampled Gaussian-gate patterns, or 'all' for exact enumeration (default 100; 32 convolutional gates for --arch cnn)")
    .option('--gates <file>', 'd×P CSV of gate vectors (patterns 1[X g > 0]); overrides --patterns')
    .option('--seed <s>', 'seed for gates and the train/test split', '0')
    .option('--loss <loss>', 'squared | logistic | cross-entropy (default: squared, logistic for binary, cross-entropy for multiclass gated)')
    .option('--solver <solver>', 'auto | ssnal | newton | ipm | fista-ipm | fista | bcd | al (auto: ssnal for gated ReLU with the squared loss up to 2500 samples, newton above; fista-ipm for convex ReLU with the squared loss, fista otherwise, al only on request)', 'auto')
    .option('--tol <t>', 'relative certificate tolerance', '1e-6')
    .option('--max-iters <k>', 'iteration cap (default 20000; 500 for --arch cnn; 300 per block for --layerwise)')
    .option('--time-limit <s>', 'wall-clock limit in seconds')
    .option('--objective-scale <scale>', 'sum (½‖·‖², papers) | mean (1/(2n)‖·‖², scnn)', 'sum')
    .option('--standardize <how>', 'zscore | none', 'zscore')
    .option('--backend <name>', 'kernel backend (auto picks the fastest available)', 'auto')
    .option('--test-fraction <f>', 'hold out this fraction of rows for testing')
    .option('--vector-output <form>', 'several outputs: nuclear (gated default, exact nuclear-norm program) | one-vs-all (independent per-output programs, squared loss; the only form for relu)')
    .option('--lambda-path [K]', 'solve a geometric λ-path from λ_max down to λ with warm starts (K points, default 10)')
    .option('--out <file>', 'write the run JSON (with history and group norms) here')
    .option('--json', 'print one JSON object')
    .option('--dashboard', 'live mode: serve the dashboard and stream the progress to it (keeps serving the result until Ctrl-C)')
    .option('--port <P>', '--dashboard: port (0 = any free port)', String(DEFAULT_DASHBOARD_PORT))
    .option('--dashboard-wait <s>', '--dashboard: wait up to s seconds for a page to open before solving')
    .option('--arch <arch>', 'fc (two-layer fully connected) | cnn (convex two-layer CNN) | bn (batch-normalized ReLU network)', 'fc')
    .option('--image-shape <HxWxC>', '--arch cnn: image height × width × channels of each row (pixels row-major, channels last)')
    .option('--kernel <K>', '--arch cnn: square filter size K (K×K patches)')
    .option('--stride <S>', '--arch cnn: patch stride', '1')
    .option('--padding <p>', '--arch cnn: zero padding on each side', '0')
    .option('--pool-regions <RxC>', '--arch cnn, gated-relu: sum-pool over an R×C grid of blocks of patch positions, one neuron per (gate, block) (default 1x1: global pooling)')
    .option('--bn-placement <p>', '--arch bn: scale (BN after the ReLU, scale only; default) | centred (after, centring + shift) | before (BN before the ReLU)')
    .option('--bn-normalization <n>', '--arch bn: l2 (divide by ‖P_c h‖, the papers’; default) | std (divide by the standard deviation)')
    .option('--layerwise <L>', 'greedy layer-wise training of L two-layer convex blocks (each block\'s hidden layer becomes the next one\'s features)');
  addDataOptions(cmd);
  cmd.action(async (o: FitCliOptions) => {
    // default model: relu, except the CNN (its exact C-ReLU has cone constraints on every patch row)
    o.model ??= o.arch === 'cnn' ? 'gated-relu' : 'relu';
    const auto = o.lambda === 'auto';
    if (auto && ((o.arch !== 'fc' && o.arch !== 'cnn') || o.layerwise !== undefined)) {
      throw new CvxnnError('INVALID_OPTION', `--lambda auto is supported for --arch fc and cnn (the relu / gated-relu fits), not for ${o.layerwise !== undefined ? '--layerwise' : `--arch ${o.arch}`}; give a number (--lambda 1e-3)`);
    }
    if (!auto) {
      const stray = ([['cv', '--cv'], ['lambdaPoints', '--lambda-points'], ['lambdaRatio', '--lambda-ratio'], ['lambdaPatience', '--lambda-patience']] as const).find(([k]) => o[k] !== undefined);
      if (stray) throw new CvxnnError('INVALID_OPTION', `${stray[1]} applies to --lambda auto only`);
    }
    if (o.poolRegions !== undefined && o.arch !== 'cnn') throw new CvxnnError('INVALID_OPTION', `--pool-regions is an option of --arch cnn (got --arch ${o.arch})`);
    if (o.arch !== 'fc' || o.layerwise !== undefined) return fitArchitecture(o, io);
    if (o.lambda === undefined) throw new CvxnnError('INVALID_OPTION', "--lambda is required (a number > 0, or 'auto' to choose it on a validation split)");
    const autoOpts = auto ? parseLambdaAuto(o) : undefined;
    if (auto && o.lambdaPath !== undefined) throw new CvxnnError('INVALID_OPTION', '--lambda auto solves its own λ path; leave out --lambda-path');
    let lambda = auto ? Number.NaN : parseLambda(o.lambda);
    const seed = parseSeed(o.seed);
    const tol = parseNumber('tol', o.tol, { exclusiveMin: 0 });
    const patternsOpt = o.patterns ?? '100';
    const maxIters = o.maxIters === undefined ? 20000 : parseNumber('max-iters', o.maxIters, { integer: true, min: 1 });
    const timeLimit = o.timeLimit === undefined ? undefined : parseNumber('time-limit', o.timeLimit, { exclusiveMin: 0 });
    const testFraction = o.testFraction === undefined ? 0 : parseNumber('test-fraction', o.testFraction, { min: 0 });
    assertOption(testFraction < 1, `--test-fraction must be in [0, 1), got ${testFraction}`);
    assertOption(o.model === 'relu' || o.model === 'gated-relu', `--model must be relu or gated-relu, got '${o.model}'`);
    const solverNames = ['auto', ...listSolvers().map((s) => s.name)];
    assertOption(solverNames.includes(o.solver), `--solver must be one of ${solverNames.join(', ')}, got '${o.solver}'`);
    assertOption(o.objectiveScale === 'sum' || o.objectiveScale === 'mean', `--objective-scale must be sum or mean, got '${o.objectiveScale}'`);
    assertOption(o.standardize === 'zscore' || o.standardize === 'none', `--standardize must be zscore or none, got '${o.standardize}'`);
    assertOption(o.vectorOutput === undefined || o.vectorOutput === 'nuclear' || o.vectorOutput === 'one-vs-all', `--vector-output must be nuclear or one-vs-all, got '${o.vectorOutput}'`);
    const vectorOutput = o.vectorOutput as 'nuclear' | 'one-vs-all' | undefined;
    const pathPoints = o.lambdaPath === undefined ? undefined : o.lambdaPath === true ? 10 : parseNumber('lambda-path', String(o.lambdaPath), { integer: true, min: 2 });
    const count = patternsOpt === 'all' ? undefined : parseNumber('patterns', patternsOpt, { integer: true, min: 1 });
    const out: OutputTarget | undefined = prepareOutput('--out', o.out, fitInputs(o));
    const { backend } = await selectBackend(o.backend);

    // data: targets, split, standardization (training statistics)
    const prep = prepareData({ data: o.data, flags: o, standardize: o.standardize, bias: !!o.bias, seed, testFraction, testData: o.testData });
    const { dataset: table, task, classes, Xtr, Ytr, pre } = prep;
    const loss: LossName = (o.loss as LossName | undefined) ?? (task === 'regression' ? 'squared' : task === 'binary' ? 'logistic' : o.model === 'gated-relu' && vectorOutput !== 'one-vs-all' ? 'cross-entropy' : 'squared');
    assertOption(['squared', 'logistic', 'cross-entropy'].includes(loss), `--loss must be squared, logistic or cross-entropy, got '${loss}'`);
    if (loss === 'logistic' && task !== 'binary') throw new CvxnnError('INVALID_OPTION', `--loss logistic needs --task binary (the labels give ${task})`);
    if (loss === 'cross-entropy' && task !== 'multiclass') throw new CvxnnError('INVALID_OPTION', `--loss cross-entropy needs --task multiclass (the labels give ${task})`);
    const Xin = o.bias ? withOnes(Xtr) : Xtr;
    const dIn = Xin.cols;

    // patterns
    let masks: PatternMasks;
    let gates: Matrix<Float64Array>;
    let patternSource: string;
    if (o.gates) {
      gates = readGates(o.gates, dIn, !!o.bias);
      masks = PatternMasks.fromGates(Xin, gates);
      patternSource = `gates from ${o.gates}`;
    } else if (patternsOpt === 'all') {
      // exact enumeration (@cvxnn/arrangements); refused when the predicted count is huge
      const ps = enumerateForCli(Xin, { maxPatterns: MAX_EXACT_PATTERNS }, '--patterns all', 'sample them instead with --patterns N (e.g. --patterns 1000)');
      masks = ps.masks;
      gates = ps.gates;
      patternSource = `all ${masks.p} non-zero patterns (exact enumeration, rank ${ps.rank})`;
    } else {
      if (count === undefined) throw new CvxnnError('INTERNAL', 'pattern count missing');
      guardPatterns(count, Xin.rows, dIn, Ytr.cols, o.model === 'relu');
      const bound = patternCountBound(Xin.rows, dIn);
      if (count > bound) throw new CvxnnError('INVALID_OPTION', `--patterns ${count} is larger than the number of activation patterns these data can have (at most ${bound}); use a smaller N or 'all'`);
      ({ masks, gates } = sampleDistinctPatterns(Xin, count, seed));
      patternSource = `${count} sampled Gaussian gates (seed ${seed})`;
    }

    let live: LiveDashboard | null = null;
    if (o.dashboard) {
      live = await startLiveDashboard({ port: parseNumber('port', o.port, { integer: true, min: 0 }), host: '127.0.0.1', start: { kind: 'fit', data: { name: table.name, n: Xtr.rows, d: Xtr.cols, task }, options: { model: o.model, lambda: auto ? 'auto' : lambda, patterns: masks.p, loss, tol, maxIters } } });
      io.err(`live dashboard: ${live.url}\n`);
      if (o.dashboardWait !== undefined) {
        const wait = parseNumber('dashboard-wait', o.dashboardWait, { min: 0 });
        io.err(`live dashboard: waiting up to ${wait} s for a page to open ${live.url}\n`);
        if (!(await live.waitForPage(wait))) io.err('live dashboard: no page connected; solving anyway\n');
      }
    }
    const fitOptions: ConvexFitOptions = {
      model: o.model as 'relu' | 'gated-relu',
      lambda, // NaN with --lambda auto: selectLambda sets each grid point's λ
      loss,
      scale: o.objectiveScale as 'sum' | 'mean',
      solver: o.solver as ConvexFitOptions['solver'],
      tol,
      maxIters,
      timeLimit,
      lambdaPath: pathPoints,
      vectorOutput,
      backend,
    };
    // progress bars on stderr, only when stderr is a terminal and never with --json
    const showBar = Boolean(io.errIsTTY) && !o.json;
    let result: ConvexResult;
    let selection: LambdaSelection | undefined;
    let folds: Int32Array | undefined;
    let stopBar = () => {};
    let searchStart = 0;
    let searchSeconds = 0;
    try {
      if (autoOpts) {
        // validation folds of the training rows only (the test rows never enter the choice)
        const search = lambdaSearch(autoOpts, prep.ytr, task, classes, seed, showBar);
        folds = search.folds;
        searchStart = performance.now();
        const bar = search.bar;
        if (bar) stopBar = () => bar.stop();
        selection = selectLambda(
          Xin,
          Ytr,
          { masks, gates },
          {
            ...fitOptions,
            onProgress: bar || live ? (p) => (bar?.gap(p.certificate), live?.progress(p)) : undefined,
          },
          search.options,
        );
        result = selection.result;
        lambda = selection.lambda;
        searchSeconds = (performance.now() - searchStart) / 1000;
      } else {
        const bar = fitBar(maxIters, showBar);
        if (bar) stopBar = () => bar.stop();
        result = fitConvex(Xin, Ytr, { masks, gates }, {
          ...fitOptions,
          onProgress:
            bar || live
              ? (p) => {
                  bar?.update(p);
                  live?.progress(p);
                }
              : undefined,
        });
      }
    } catch (e) {
      stopBar();
      await live?.close();
      throw e;
    }
    stopBar();
    const network = recoverNetwork(result, { appendOne: !!o.bias });
    // metrics on the data as the user gave it (standardized, bias via appendOne)
    const metrics: Record<string, number> = {};
    const metric = (X: Matrix<Float64Array>, Y: Matrix<Float64Array>) => (task === 'regression' ? mse(network, X, Y) : accuracy(network, X, Y));
    const key = task === 'regression' ? 'MSE' : 'Accuracy';
    metrics[`train${key}`] = metric(Xtr, Ytr);
    if (prep.Xte && prep.Yte) metrics[`test${key}`] = metric(prep.Xte, prep.Yte);
    // the network's own non-convex objective on the training data (same convention)
    const check = objectiveTerms(network, Xtr, Ytr, { loss, lambda, scale: o.objectiveScale as 'sum' | 'mean' });

    const options = {
      data: o.data,
      labelColumn: o.labelColumn,
      testData: o.testData,
      task,
      model: o.model,
      bias: !!o.bias,
      lambda,
      patterns: o.gates ? 'gates' : patternsOpt,
      gates: o.gates,
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
      lambdaPath: pathPoints,
      vectorOutput,
      ...(autoOpts ? { lambdaAuto: true, cv: autoOpts.cv, lambdaPoints: autoOpts.points, lambdaRatio: autoOpts.ratio, ...(Number.isFinite(autoOpts.patience) ? { lambdaPatience: autoOpts.patience } : {}) } : {}),
    };
    const lambdaSelection = selection ? selectionJson(selection, autoOpts?.cv, searchSeconds) : undefined;
    const run = {
      cvxnnRun: RUN_FORMAT_VERSION,
      kind: 'fit',
      createdAt: new Date().toISOString(),
      options,
      environment: environment(backend.name, backend.precision),
      data: { name: table.name, n: Xtr.rows, d: Xtr.cols, task, classes, standardize: o.standardize, nTest: prep.nTest, droppedRows: table.droppedRows?.length },
      status: result.status,
      objective: result.objective,
      dataTerm: result.dataTerm,
      penalty: result.penalty,
      certificate: result.certificate,
      constraintViolation: result.constraintViolation,
      iterations: result.iterations,
      timeSeconds: result.timeSeconds,
      patterns: result.patterns,
      patternSource,
      activeNeurons: result.activeNeurons,
      formulation: result.formulation,
      lambdaMax: result.lambdaMax,
      backend: result.backend,
      precision: result.precision,
      polish: result.polish,
      networkObjective: check.objective,
      ...metrics,
      network: networkToJson(network),
      preprocessing: pre,
      path: selection ? undefined : result.path,
      lambdaSelection,
    };
    const rows: Array<[string, string | number]> = [
      ['data', dataRow(table.name, Xtr, task, classes, prep.testSource, table.droppedRows)],
      ['model', `${result.formulation} (loss ${loss}, scale ${o.objectiveScale}, λ = ${fmt(lambda)}${selection ? ' chosen by validation' : ''}${o.bias ? ', bias' : ''})`],
      ['patterns', patternSource],
    ];
    if (lambdaSelection && folds) rows.push(...selectionRows(lambdaSelection, folds.filter((f) => f === 0).length, autoOpts!.ratio));
    rows.push(
      ['status', result.status],
      ['objective', `${fmt(result.objective, 10)} = data term ${fmt(result.dataTerm, 10)} + penalty ${fmt(result.penalty, 10)}`],
      ['certificate', `${result.certificate.kind} ${result.certificate.value.toExponential(2)} relative (${result.certificate.absolute.toExponential(2)} absolute)`],
    );
    if (o.model === 'relu') rows.push(['constraint violation', result.constraintViolation.toExponential(2)]);
    rows.push(
      // with --lambda-path the count is the whole path's (each point's is in the table below)
      ['iterations', result.path && !selection ? `${result.iterations} (all ${result.path.length} points of the λ path)` : String(result.iterations)],
      ['time', `${result.timeSeconds.toFixed(3)} s`],
      ['backend', `${result.backend} (${result.precision})${result.polish ? `; finished and certified in fp64 on ${result.polish.backend} (${result.polish.iterations} iterations)` : ''}`],
      // C-ReLU has two weight vectors (v_i, w_i) per pattern, each a hidden unit of its own
      ['active neurons', o.model === 'relu' ? `${result.activeNeurons} of ${result.groupNorms.length} (v_i and w_i of ${result.patterns} patterns)` : `${result.activeNeurons} of ${result.patterns} patterns`],
      ['network objective', `${fmt(check.objective, 10)} (recovered network, same convention)`],
    );
    for (const [k, v] of Object.entries(metrics)) rows.push([k, fmt(v)]);
    if (result.path && !selection) rows.push(...pathRows(result.path));
    const heavy = { history: result.history, groupNorms: result.groupNorms, ...lowDimFields(network, Xtr, Ytr, gates, task) };
    const exit = emitRun(io, { run, heavy, json: o.json, out, rows, tol });
    if (live) {
      live.finish({ ...run, ...heavy });
      io.err(`live dashboard: the final result is at ${live.url} (Ctrl-C to stop)\n`);
    }
    if (exit) throw exit;
  });
}

/**
 * The `data` row of a fit's text output: name, sizes, task, classes, test rows, dropped rows.
 *
 * @example
 *   rows.push(['data', dataRow(ds.name, Xtr, 'binary', ['B', 'M'], '114 rows held out', undefined)]);
 */
export function dataRow(name: string, Xtr: Matrix<Float64Array>, task: string, classes: string[] | undefined, testSource: string | undefined, dropped: number[] | undefined): string {
  return `${name}: ${Xtr.rows} training rows × ${Xtr.cols} features (${task}${classes ? `, classes ${classes.join('/')}` : ''})${testSource ? `; test: ${testSource}` : ''}${dropped?.length ? `; ${dropped.length} row(s) with missing values dropped` : ''}`;
}
