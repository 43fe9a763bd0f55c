import { candidateSubsets, type CliffordDictionaryName, compareWithExact, fitClifford, network1dJson, solveExactFreeBias } from '@cvxnn/clifford';
import { assertOption, CvxnnError, Matrix } from '@cvxnn/linalg';
import { networkToJson, objectiveTerms, predict } from '@cvxnn/networks';
import type { Command } from 'commander';
import { applyStandardizer, fitStandardizer } from '@cvxnn/data';
import { addDataOptions, type DataFlags, inputFile, loadData } from '../data-input.js';
import { fmt, type Io, parseNumber, parseSeed } from '../io.js';
import { prepareOutput } from '../output.js';
import { emitRun, environment, RUN_FORMAT_VERSION } from '../run-file.js';

interface CliffordCliOptions extends DataFlags {
  data: string;
  lambda?: string;
  dictionary: string;
  sample?: string;
  sampling: string;
  sketch?: string;
  seed: string;
  objectiveScale: string;
  solver: string;
  tol: string;
  maxIters: string;
  timeLimit?: string;
  lambdaPath?: boolean | string;
  standardize: string;
  compareExact?: boolean;
  out?: string;
  json?: boolean;
}

/** Exact comparisons are enumerations: keep them to small problems. */
const MAX_EXACT_ROWS_1D = 200;
const MAX_EXACT_PATTERNS = 5000;
/** Enumerate all subsets up to this many (the library's default), and keep K below this many entries. */
const MAX_EXHAUSTIVE = 20000;
const MAX_ENTRIES = 5e7;

const round = (v: number) => Number(v.toPrecision(6));

/**
 * `cvxnn clifford fit`: fit a two-layer ReLU network as a Lasso over a wedge-product (volume)
 * dictionary with a free intercept (SPEC §7), print the certificate, the active atoms and the
 * recovered network, and say how exact the result is.
 *
 * @example
 *   register(program, processIo); // adds `cvxnn clifford fit`
 */
export function register(program: Command, io: Io): void {
  const clifford = program.command('clifford').description('Clifford / geometric-algebra Lasso models of two-layer ReLU networks (SPEC §7)');
  const cmd = clifford
    .command('fit')
    .description('solve ½‖Kα + c·1 − y‖² + λ‖α‖₁ over a wedge-product dictionary K (duality-gap certificate) and recover the ReLU network')
    .requiredOption('--data <file>', 'data file (CSV, JSON, .gz; numeric features, numeric target) or a bundled dataset name (diabetes-bmi, ...)')
    .option('--lambda <L>', 'ℓ1 weight λ > 0 (= weight decay λ/2 on both layers of the recovered network)')
    .option('--dictionary <kind>', 'auto (ramps for 1-D, affine otherwise) | ramps | triangles (2-D, through 0) | volumes (d-D, through 0) | affine (d-D, with bias)', 'auto')
    .option('--sample <N>', 'sample N subsets of samples instead of enumerating all of them')
    .option('--sampling <how>', 'uniform | gates (quantised embedding: each Gaussian gate gives an extreme ray of its chamber)', 'uniform')
    .option('--sketch <s>', 'sketch the inputs to s dimensions (CountSketch) before building an affine dictionary')
    .option('--seed <s>', 'seed for --sample and --sketch', '0')
    .option('--objective-scale <scale>', 'sum (½‖·‖²) | mean (1/(2n)‖·‖²)', 'sum')
    .option('--solver <solver>', 'auto (= cd) | cd (coordinate descent) | fista (group-lasso R-FISTA)', 'auto')
    .option('--tol <t>', 'relative duality-gap tolerance', '1e-9')
    .option('--max-iters <k>', 'iteration cap (CD sweeps or FISTA iterations, whole path)', '200000')
    .option('--time-limit <s>', 'wall-clock limit in seconds')
    .option('--lambda-path [K]', 'solve a geometric λ-path from λ_max down to λ with warm starts (K points, default 10)')
    .option('--standardize <how>', 'none | zscore (features only)', 'none')
    .option('--compare-exact', 'also solve the exact convex program over all patterns (small n) and report the gap')
    .option('--out <file>', 'write the run JSON (kind "clifford", with history and fit1d for 1-D data) here')
    .option('--json', 'print one JSON object');
  addDataOptions(cmd, 'target column: last | first | 0-based index | header name');
  cmd.action((o: CliffordCliOptions) => {
    if (o.lambda === undefined) throw new CvxnnError('INVALID_OPTION', '--lambda is required (a number > 0)');
    const lambda = parseNumber('lambda', o.lambda, { exclusiveMin: 0 });
    const dictionary = o.dictionary as CliffordDictionaryName;
    assertOption(['auto', 'ramps', 'triangles', 'volumes', 'affine'].includes(dictionary), `--dictionary must be auto, ramps, triangles, volumes or affine, got '${o.dictionary}'`);
    assertOption(o.objectiveScale === 'sum' || o.objectiveScale === 'mean', `--objective-scale must be sum or mean, got '${o.objectiveScale}'`);
    assertOption(['auto', 'cd', 'fista'].includes(o.solver), `--solver must be auto, cd or fista, got '${o.solver}'`);
    assertOption(o.sampling === 'uniform' || o.sampling === 'gates', `--sampling must be uniform or gates, got '${o.sampling}'`);
    assertOption(o.standardize === 'zscore' || o.standardize === 'none', `--standardize must be zscore or none, got '${o.standardize}'`);
    const sample = o.sample === undefined ? undefined : parseNumber('sample', o.sample, { integer: true, min: 1 });
    const sketchDim = o.sketch === undefined ? undefined : parseNumber('sketch', o.sketch, { integer: true, min: 1 });
    const seed = parseSeed(o.seed);
    const tol = parseNumber('tol', o.tol, { exclusiveMin: 0 });
    const maxIters = parseNumber('max-iters', o.maxIters, { integer: true, min: 1 });
    const timeLimit = o.timeLimit === undefined ? undefined : parseNumber('time-limit', o.timeLimit, { exclusiveMin: 0 });
    const lambdaPath = o.lambdaPath === undefined || o.lambdaPath === false ? undefined : o.lambdaPath === true ? 10 : parseNumber('lambda-path', o.lambdaPath, { integer: true, min: 2 });
    const scale = o.objectiveScale as 'sum' | 'mean';

    const dataFile = inputFile(o.data);
    const out = prepareOutput('--out', o.out, [dataFile]);
    // clifford fit is a regression: the target column must be numeric
    const table = loadData(o.data, { ...o, task: 'regression' });
    const n = table.X.rows;
    const d = table.X.cols;
    const y = Array.from(table.y);
    let X = table.X;
    let scaling: { mean: number[]; std: number[] } | undefined;
    if (o.standardize === 'zscore') {
      const s = fitStandardizer(X);
      scaling = { mean: Array.from(s.mean), std: Array.from(s.scale) };
      X = applyStandardizer(X, s);
    }

    const subsets = candidateSubsets(n, d, dictionary);
    if (sample === undefined && sketchDim === undefined && subsets > MAX_EXHAUSTIVE) {
      throw new CvxnnError('INVALID_OPTION', `an exhaustive ${dictionary === 'auto' ? (d === 1 ? 'ramps' : 'affine') : dictionary} dictionary on ${n} samples in ${d} dimensions enumerates ${subsets.toPrecision(4)} subsets (more than ${MAX_EXHAUSTIVE}); pass --sample N (e.g. --sample 2000, optionally --sampling gates) or --sketch s`);
    }
    if (sample !== undefined && n * 2 * sample > MAX_ENTRIES) {
      throw new CvxnnError('INVALID_OPTION', `--sample ${sample} gives a dense ${n} × ${2 * sample} dictionary (more than ${MAX_ENTRIES} entries); sample fewer subsets`);
    }
    const fit = fitClifford(X, y, { lambda, scale, solver: o.solver as 'auto', tol, maxIters, timeLimit, lambdaPath, dictionary, sample, seed, sampling: o.sampling as 'uniform' | 'gates', sketchDim });
    const { lasso, dictionary: dict, network, exactness } = fit;
    const Y = Matrix.column(Float64Array.from(y));
    const netTerms = objectiveTerms(network, X, Y, { lambda, scale });
    const atoms = lasso.active.map((a) => ({
      index: a,
      samples: dict.atoms[a].J,
      w: Array.from(dict.atoms[a].w, round),
      b: round(dict.atoms[a].b),
      coefficient: lasso.alpha[a],
    }));
    const oneD = d === 1;
    const net1 = oneD ? network1dJson(network) : undefined;

    let compare: Record<string, unknown> | undefined;
    // like-for-like when the fitted model has free hidden biases and d ≤ 2 (the exact free-bias
    // program); otherwise the lifted comparison that fitConvex solves
    const freeBias = dict.kind === 'ramps' || dict.kind === 'affine';
    if (o.compareExact) {
      if (freeBias && d <= 2) {
        if (oneD && n > MAX_EXACT_ROWS_1D) throw new CvxnnError('INVALID_OPTION', `--compare-exact enumerates all 2n − 1 patterns; n = ${n} > ${MAX_EXACT_ROWS_1D} is too large for this check`);
        const ex = solveExactFreeBias(X, y, { lambda, scale, tol, timeLimit, maxPatterns: MAX_EXACT_PATTERNS });
        compare = {
          convention: `the constrained convex program on [x, 1] over all chamber patterns, biases free (only ‖w‖ penalised), no separate intercept (SPEC §2.3, §2.5${oneD ? ', §2.6' : ''}): the same objective as the fit`,
          sameObjective: true,
          exactObjective: ex.objective,
          exactCertificate: ex.certificate.value,
          exactStatus: ex.status,
          patterns: ex.patterns,
          lassoObjective: lasso.objective,
          gap: lasso.objective - ex.objective,
          relativeGap: (lasso.objective - ex.objective) / Math.max(Math.abs(ex.objective), 1e-300),
        };
      } else {
        compare = { ...compareWithExact(X, y, { lambda, scale, tol: Math.max(tol, 1e-8), maxPatterns: MAX_EXACT_PATTERNS, bias: freeBias || dict.kind === 'sketched' }), sameObjective: false };
      }
    }

    let fit1d: Record<string, number[]> | undefined;
    if (oneD) {
      const x = Array.from(X.colCopy(0));
      const lo = Math.min(...x);
      const hi = Math.max(...x);
      const pad = 0.05 * (hi - lo || 1);
      const grid = Array.from({ length: 201 }, (_, t) => lo - pad + ((hi - lo + 2 * pad) * t) / 200);
      fit1d = { x, y, breakpoints: [...new Set(net1!.breakpoints)].sort((a, b) => a - b), grid, prediction: Array.from(predict(network, Matrix.fromArray(grid.length, 1, grid)).data) };
    }

    const options = { data: o.data, labelColumn: o.labelColumn, lambda, dictionary, sample: sample ?? null, sampling: o.sampling, sketch: sketchDim ?? null, seed, objectiveScale: scale, solver: lasso.solver, tol, maxIters, lambdaPath: lambdaPath ?? null, standardize: o.standardize, compareExact: !!o.compareExact };
    const run = {
      cvxnnRun: RUN_FORMAT_VERSION,
      kind: 'clifford',
      createdAt: new Date().toISOString(),
      options,
      environment: environment('ts', 'fp64'),
      data: { name: table.name, n, d, task: 'regression', standardize: o.standardize, featureNames: table.featureNames, labelName: table.labelName },
      convention: `${scale === 'mean' ? '1/(2n)' : '½'}‖Kα + c·1 − y‖² + λ‖α‖₁ = ${scale === 'mean' ? '1/(2n)' : '½'}‖f(X) − y‖² + (λ/2)Σ_j(‖w_j‖² + a_j²), free hidden biases and output bias`,
      dictionary: { kind: dict.kind, columns: dict.K.cols, candidates: dict.candidates, exhaustive: dict.exhaustive },
      status: lasso.status,
      objective: lasso.objective,
      dataTerm: lasso.dataTerm,
      penalty: lasso.penalty,
      certificate: lasso.certificate,
      iterations: lasso.iterations,
      timeSeconds: lasso.timeSeconds,
      lambdaMax: lasso.lambdaMax,
      activeAtoms: atoms.length,
      intercept: lasso.intercept,
      atoms,
      network: net1 ? { W1: net1.W1, b1: net1.b1, w2: net1.w2, b2: net1.b2 } : networkToJson(network),
      breakpoints: net1 ? fit1d!.breakpoints : undefined,
      networkJson: networkToJson(network),
      networkObjective: netTerms.objective,
      exactness,
      scaling,
      path: lasso.path,
      compareExact: compare,
    };
    const rows: Array<[string, string | number]> = [
      ['data', `${table.name}: ${n} rows × ${d} feature${d > 1 ? 's' : ''} → ${table.labelName || 'target'}`],
      ['dictionary', `${dict.kind}: ${dict.K.cols} columns (${dict.exhaustive ? 'all' : 'sampled'} ${dict.candidates} candidate subsets)`],
      ['problem', run.convention.replace('λ', String(lambda))],
      ['status', lasso.status],
      ['objective', `${fmt(lasso.objective, 10)} = data ${fmt(lasso.dataTerm, 10)} + penalty ${fmt(lasso.penalty, 10)}`],
      ['certificate', `duality gap ${lasso.certificate.value.toExponential(2)} relative (${lasso.certificate.absolute.toExponential(2)} absolute), ${lasso.solver}, ${lasso.iterations} iterations, ${lasso.timeSeconds.toFixed(3)} s`],
      ['network objective', `${fmt(netTerms.objective, 10)} (recovered network, weight decay λ/2, free biases)`],
      ['active atoms', `${atoms.length} of ${dict.K.cols}, intercept c = ${fmt(lasso.intercept)}`],
    ];
    if (net1) {
      rows.push(['network', JSON.stringify({ W1: net1.W1.map(round), b1: net1.b1.map(round), w2: net1.w2.map(round), b2: round(net1.b2) })]);
      rows.push(['breakpoints', fit1d!.breakpoints.map((v) => fmt(v)).join(', ')]);
    } else {
      for (const a of atoms.slice(0, 20)) rows.push([`atom ${a.index}`, `samples ${a.samples.join(',')}: w = [${a.w.join(', ')}], b = ${a.b}, coefficient ${fmt(a.coefficient)}`]);
      if (atoms.length > 20) rows.push(['…', `${atoms.length - 20} more atoms (--json)`]);
    }
    rows.push(['exactness', exactness.statement]);
    if (!exactness.exact) exactness.conditions.forEach((c, i) => rows.push([`  condition ${i + 1}`, c]));
    if (lasso.path) rows.push(['λ-path', lasso.path.map((p) => `${fmt(p.lambda, 3)}:${p.activeNeurons}`).join(' ')]);
    if (compare) {
      rows.push(['exact program', `${fmt(compare.exactObjective as number, 10)} (${compare.patterns} patterns, ${compare.exactStatus}, certificate ${(compare.exactCertificate as number).toExponential(2)})`]);
      if (!compare.sameObjective) rows.push(['Lasso (same convention)', `${fmt(compare.lassoObjective as number, 10)} (re-solved without intercept, as the exact program)`]);
      rows.push(['gap', `${(compare.gap as number).toExponential(3)} (${((compare.relativeGap as number) * 100).toFixed(4)} %)`]);
      rows.push(['compared as', compare.convention as string]);
      if (!compare.sameObjective) rows.push(['note', 'the exact program used here (fitConvex) has no free output bias (and, with biases, decays them with the weights), so the comparison re-solves the Lasso in that convention; the fit above is not the compared objective']);
    }
    const exit = emitRun(io, { run, heavy: { history: lasso.history, fit1d }, json: o.json, out, rows, tol });
    if (exit) throw exit;
  });
}
