import { readFileSync } from 'node:fs';
import { applyStandardizer, fitStandardizer } from '@cvxnn/data';
import { assertOption, CvxnnError, Matrix, Rng } from '@cvxnn/linalg';
import { fitRedexNetwork, nuclearNormRegression, redexNetworkForward, redexNorm, symEig, traceNorm, withOne, type RedexLayerResult } from '@cvxnn/sdp';
import type { Command } from 'commander';
import { inputFile, loadData } from '../data-input.js';
import { fmt, type Io, parseNumber, parseSeed, printJson, printKv } from '../io.js';
import { prepareOutput } from '../output.js';
import { environment, finiteJson, RUN_FORMAT_VERSION, uncertified } from '../run-file.js';
import { userPath } from '../user-path.js';

interface RedexCliOptions {
  data: string;
  lambda1?: string;
  lambda2: string;
  outputs: string;
  width?: string;
  layers: string;
  solver: string;
  bias?: boolean;
  standardize: string;
  seed: string;
  tol: string;
  maxIters: string;
  out?: string;
  json?: boolean;
}

const rows = (M: Matrix) => M.toArrays().map((r) => Array.from(r));

/** Features and the last `k` columns as targets (optionally z-scored features), as `redex fit` and `redex nuclear` read them. */
function loadTable(file: string, k: number, standardize: string): { name: string; X: Matrix; Y: Matrix; n: number; d: number; scaling?: { mean: number[]; std: number[] } } {
  const ds = loadData(file, { labelColumn: 'last', task: 'regression' });
  const dAll = ds.X.cols + 1;
  assertOption(dAll - k >= 1, `--outputs ${k} leaves no feature columns (the table has ${dAll} columns)`);
  const d = dAll - k;
  const n = ds.X.rows;
  let X = Matrix.zeros(n, d);
  const Y = Matrix.zeros(n, k);
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < d; j++) X.data[t * d + j] = ds.X.get(t, j);
    for (let i = 0; i < k - 1; i++) Y.data[t * k + i] = ds.X.get(t, d + i);
    Y.data[t * k + k - 1] = ds.y[t];
  }
  let scaling: { mean: number[]; std: number[] } | undefined;
  if (standardize === 'zscore') {
    const s = fitStandardizer(X);
    X = applyStandardizer(X, s);
    scaling = { mean: Array.from(s.mean), std: Array.from(s.scale) };
  }
  return { name: ds.name, X, Y, n, d, scaling };
}

/**
 * The matrices A_1..A_k of a JSON file: an array of d×d arrays, one d×d array, `{ "A": … }`, or a
 * run file of `cvxnn redex fit --out` (its last layer's A_i).
 */
function readMatrices(file: string): Matrix[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(userPath(file), 'utf8'));
  } catch (e) {
    throw new CvxnnError((e as NodeJS.ErrnoException).code ? 'IO_ERROR' : 'PARSE_ERROR', `cannot read matrices from '${file}': ${(e as Error).message.split('\n')[0]}`);
  }
  const obj = raw as { A?: unknown; kind?: string; layers?: Array<{ A?: unknown }> };
  let list: unknown = raw;
  if (obj && !Array.isArray(obj) && typeof obj === 'object') {
    list = obj.kind === 'redex' && Array.isArray(obj.layers) && obj.layers.length ? obj.layers[obj.layers.length - 1].A : obj.A;
  }
  const isMatrix = (m: unknown) => Array.isArray(m) && m.length > 0 && m.every((r) => Array.isArray(r) && r.every((v) => typeof v === 'number'));
  if (isMatrix(list)) list = [list];
  if (!Array.isArray(list) || list.length === 0 || !list.every(isMatrix)) {
    throw new CvxnnError('PARSE_ERROR', `'${file}' holds no matrices: expected [[...], ...] (one d×d matrix), [A_1, A_2, …], { "A": … } or a redex run file`);
  }
  return (list as number[][][]).map((m, i) => {
    const d = m.length;
    assertOption(m.every((r) => r.length === d), `matrix ${i} in '${file}' is not square (${d} rows, a row of ${m.find((r) => r.length !== d)?.length} entries)`);
    return Matrix.from(m).assertFinite(`matrix ${i}`);
  });
}

/**
 * `cvxnn redex fit`: train a (multi-layer) RedEx model by its convex layer programs (SPEC §6).
 * One output: ½Σ(xᵀAx − y)² + λ₁‖A‖_Tr + λ₂‖A‖_F² over symmetric A (λ₂ as written). k outputs:
 * ½ΣΣ(xᵀA_i x − y_i)² + λ₁ tr R + λ₂‖R‖_F² s.t. −R ⪯ A_i ⪯ R, tr R ≤ τ. With --outputs K the last K
 * CSV columns are the targets; with --layers L the rows are shuffled (seeded) and split into L
 * disjoint parts, one fresh part per layer (intermediate layers regress the first target).
 *
 * @example
 *   register(program, processIo); // adds `cvxnn redex fit`
 */
export function register(program: Command, io: Io): void {
  const redex = program.command('redex').description('RedEx (reduced extractor-expander) models trained by convex SDP / trace-norm programs');
  redex
    .command('fit')
    .description('fit RedEx layers with a duality-gap certificate; prints objective, rank, A (and R) and the recovered (V, P)')
    .requiredOption('--data <file>', 'CSV file (numeric; targets in the last --outputs columns) or a bundled dataset name')
    .option('--lambda1 <A>', 'weight λ₁ ≥ 0 of ‖A‖_Tr (k = 1) / tr R')
    .option('--lambda2 <B>', 'weight λ₂ ≥ 0 of ‖A‖_F² / ‖R‖_F², as written (no hidden factor 2)', '0')
    .option('--outputs <K>', 'number of outputs k (the last K columns are targets)', '1')
    .option('--width <tau>', 'width budget τ: tr R ≤ τ (default: none)')
    .option('--layers <L>', 'number of RedEx layers, trained one after another on fresh rows', '1')
    .option('--solver <s>', 'auto | prox (k = 1, no width) | sdp (operator splitting over the PSD cones)', 'auto')
    .option('--bias', 'append a constant-1 input (always on for --layers > 1)')
    .option('--standardize <how>', 'zscore | none (features only)', 'none')
    .option('--seed <s>', 'seed of the row split between layers', '0')
    .option('--tol <t>', 'relative duality-gap tolerance', '1e-8')
    .option('--max-iters <k>', 'iteration cap per layer', '20000')
    .option('--out <file>', 'write the run JSON (kind "redex", with eigenvalues and history) here')
    .option('--json', 'print one JSON object')
    .action((o: RedexCliOptions) => {
      if (o.lambda1 === undefined) throw new CvxnnError('INVALID_OPTION', '--lambda1 is required (a number ≥ 0)');
      const lambda1 = parseNumber('lambda1', o.lambda1, { min: 0 });
      const lambda2 = parseNumber('lambda2', o.lambda2, { min: 0 });
      const k = parseNumber('outputs', o.outputs, { integer: true, min: 1 });
      const width = o.width === undefined ? Infinity : parseNumber('width', o.width, { exclusiveMin: 0 });
      const L = parseNumber('layers', o.layers, { integer: true, min: 1 });
      const seed = parseSeed(o.seed);
      const tol = parseNumber('tol', o.tol, { exclusiveMin: 0 });
      const maxIters = parseNumber('max-iters', o.maxIters, { integer: true, min: 1 });
      assertOption(['auto', 'prox', 'sdp'].includes(o.solver), `--solver must be auto, prox or sdp, got '${o.solver}'`);
      assertOption(o.standardize === 'zscore' || o.standardize === 'none', `--standardize must be zscore or none, got '${o.standardize}'`);
      assertOption(lambda1 > 0 || lambda2 > 0 || Number.isFinite(width), '--lambda1 0 with --lambda2 0 needs a finite --width (otherwise the problem is not regularised)');
      if (o.solver === 'prox' && (k > 1 || Number.isFinite(width))) {
        throw new CvxnnError('INVALID_OPTION', `--solver prox handles one output without --width (got --outputs ${k}${Number.isFinite(width) ? `, --width ${width}` : ''}); use --solver sdp`);
      }

      const dataFile = inputFile(o.data);
      const out = prepareOutput('--out', o.out, [dataFile]);
      const { name: dataName, X, Y, n, d, scaling } = loadTable(o.data, k, o.standardize);
      assertOption(n >= L, `--layers ${L} needs at least ${L} rows (one fresh part per layer), the data has ${n}`);
      const perm = L > 1 ? Array.from(new Rng(seed).permutation(n)) : Array.from({ length: n }, (_, t) => t);
      const batches = Array.from({ length: L }, (_, l) => {
        const idx = perm.slice(Math.floor((l * n) / L), Math.floor(((l + 1) * n) / L)).sort((a, b) => a - b);
        const Xb = Matrix.zeros(idx.length, d);
        const Yb = Matrix.zeros(idx.length, k);
        idx.forEach((r, t) => {
          for (let j = 0; j < d; j++) Xb.data[t * d + j] = X.get(r, j);
          for (let i = 0; i < k; i++) Yb.data[t * k + i] = Y.get(r, i);
        });
        return { X: Xb, y: Yb };
      });
      const solver = o.solver === 'sdp' ? 'admm' : (o.solver as 'auto' | 'prox');
      const appendOne = L > 1 || !!o.bias;
      const { network, results } = fitRedexNetwork(batches, { lambda1, lambda2, width, solver, tol, maxIterations: maxIters, appendOne });
      const pred = redexNetworkForward(network, X);
      let sse = 0;
      for (let q = 0; q < pred.data.length; q++) sse += (pred.data[q] - Y.data[q]) ** 2;
      const layerJson = (r: RedexLayerResult, l: number) => ({
        layer: l,
        solver: r.solver === 'admm' ? 'sdp' : 'prox',
        status: r.status,
        objective: r.objective,
        dataTerm: r.dataTerm,
        penalty: r.penalty,
        certificate: { kind: r.certificate.kind, value: r.certificate.value, relative: r.certificate.value / Math.max(1, Math.abs(r.objective)), dualObjective: r.certificate.dualObjective },
        iterations: r.iterations,
        timeSeconds: r.timeSeconds,
        n: batches[l].X.rows,
        rank: r.rank,
        traceR: r.layer.R.toArrays().reduce((s, row, i) => s + row[i], 0),
        eigenvalues: r.eigenvalues.map((e) => Array.from(e)),
        A: r.layer.A.map(rows),
        R: rows(r.layer.R),
        V: rows(r.layer.V),
        P: r.layer.P.map(rows),
      });
      const layers = results.map(layerJson);
      const last = results[results.length - 1];
      const options = { data: o.data, lambda1, lambda2, outputs: k, width: Number.isFinite(width) ? width : null, layers: L, solver: o.solver, bias: appendOne, standardize: o.standardize, seed, tol, maxIters };
      const warnings: string[] = [];
      const run = {
        cvxnnRun: RUN_FORMAT_VERSION,
        kind: 'redex',
        createdAt: new Date().toISOString(),
        options,
        environment: environment('ts', 'fp64'),
        data: { name: dataName, n, d, task: 'regression', standardize: o.standardize },
        convention: 'k = 1: ½Σ(xᵀAx − y)² + λ₁‖A‖_Tr + λ₂‖A‖_F²; k > 1: ½ΣΣ(xᵀA_i x − y_i)² + λ₁ tr R + λ₂‖R‖_F² s.t. −R ⪯ A_i ⪯ R, tr R ≤ τ',
        status: results.every((r) => r.status === 'optimal') ? 'optimal' : (results.find((r) => r.status !== 'optimal')?.status ?? 'optimal'),
        objective: last.objective,
        dataTerm: last.dataTerm,
        penalty: last.penalty,
        certificate: layers[layers.length - 1].certificate,
        iterations: results.reduce((s, r) => s + r.iterations, 0),
        timeSeconds: results.reduce((s, r) => s + r.timeSeconds, 0),
        rank: last.rank,
        trainMSE: sse / (n * k),
        eigenvalues: layers[layers.length - 1].eigenvalues[0],
        scaling,
        layers,
      };
      const light = finiteJson(run, warnings);
      out?.write(JSON.stringify({ ...light, warnings: warnings.length ? [...new Set(warnings)] : undefined }, null, 1) + '\n');
      const exit = uncertified(run.status, { kind: 'duality gap', value: run.certificate.relative }, tol);
      if (o.json) {
        printJson(io, warnings.length ? { ...light, warnings: [...new Set(warnings)] } : light);
        if (exit) throw exit;
        return;
      }
      const kv: Array<[string, string | number]> = [
        ['data', `${dataName}: ${n} rows × ${d} features, ${k} output${k > 1 ? 's' : ''}${L > 1 ? `, ${L} layers on disjoint rows` : ''}`],
        ['problem', k === 1 && !Number.isFinite(width) ? `½Σ(xᵀAx − y)² + ${lambda1}‖A‖_Tr + ${lambda2}‖A‖_F²` : `½ΣΣ(xᵀA_i x − y_i)² + ${lambda1} tr R + ${lambda2}‖R‖_F², −R ⪯ A_i ⪯ R${Number.isFinite(width) ? `, tr R ≤ ${fmt(width)}` : ''}`],
        ['status', run.status],
        ['train MSE', fmt(run.trainMSE)],
      ];
      for (const lj of layers) {
        const p = L > 1 ? `layer ${lj.layer} ` : '';
        kv.push(
          [`${p}objective`, `${fmt(lj.objective, 10)} = data ${fmt(lj.dataTerm, 10)} + penalty ${fmt(lj.penalty, 10)}`],
          [`${p}certificate`, `duality gap ${lj.certificate.value.toExponential(2)} (${lj.certificate.relative.toExponential(2)} relative), ${lj.solver}, ${lj.iterations} iterations, ${lj.timeSeconds.toFixed(3)} s`],
          [`${p}rank`, `${lj.rank} (tr R = ${fmt(lj.traceR)})`],
        );
        lj.A.forEach((A, i) => kv.push([`${p}A${lj.A.length > 1 ? `[${i}]` : ''}`, JSON.stringify(A.map((r) => r.map((v) => Number(v.toPrecision(4)))))]));
        if (lj.A.length > 1 || Number.isFinite(width)) kv.push([`${p}R`, JSON.stringify(lj.R.map((r) => r.map((v) => Number(v.toPrecision(4)))))]);
        kv.push([`${p}V (extractor)`, JSON.stringify(lj.V.map((r) => r.map((v) => Number(v.toPrecision(4)))))]);
        lj.P.forEach((P, i) => kv.push([`${p}P${lj.P.length > 1 ? `[${i}]` : ''} (read-out)`, JSON.stringify(P.map((r) => r.map((v) => Number(v.toPrecision(4)))))]));
      }
      if (out) kv.push(['run file', out.given]);
      printKv(io, kv);
      if (exit) throw exit;
    });
  redex
    .command('nuclear')
    .description('reduced-rank linear regression ½‖XW − Y‖_F² + λ₁‖W‖_* + λ₂‖W‖_F² (the nuclear-norm prox method of @cvxnn/sdp), with a duality-gap certificate')
    .requiredOption('--data <file>', 'CSV file (numeric; targets in the last --outputs columns) or a bundled dataset name')
    .option('--lambda1 <A>', 'weight λ₁ ≥ 0 of the nuclear norm ‖W‖_*')
    .option('--lambda2 <B>', 'weight λ₂ ≥ 0 of ‖W‖_F², as written', '0')
    .option('--outputs <K>', 'number of outputs c (the last K columns are targets)', '1')
    .option('--bias', 'append a constant-1 feature (its row of W is penalised too)')
    .option('--standardize <how>', 'zscore | none (features only)', 'none')
    .option('--tol <t>', 'relative duality-gap tolerance', '1e-9')
    .option('--max-iters <k>', 'iteration cap', '20000')
    .option('--json', 'print one JSON object')
    .action((o: { data: string; lambda1?: string; lambda2: string; outputs: string; bias?: boolean; standardize: string; tol: string; maxIters: string; json?: boolean }) => {
      if (o.lambda1 === undefined) throw new CvxnnError('INVALID_OPTION', '--lambda1 is required (a number ≥ 0)');
      const lambda1 = parseNumber('lambda1', o.lambda1, { min: 0 });
      const lambda2 = parseNumber('lambda2', o.lambda2, { min: 0 });
      const k = parseNumber('outputs', o.outputs, { integer: true, min: 1 });
      const tol = parseNumber('tol', o.tol, { exclusiveMin: 0 });
      const maxIters = parseNumber('max-iters', o.maxIters, { integer: true, min: 1 });
      assertOption(o.standardize === 'zscore' || o.standardize === 'none', `--standardize must be zscore or none, got '${o.standardize}'`);
      assertOption(lambda1 > 0 || lambda2 > 0, '--lambda1 0 with --lambda2 0 is not regularised; pass --lambda1 > 0');
      const table = loadTable(o.data, k, o.standardize);
      const X = o.bias ? withOne(table.X) : table.X;
      const res = nuclearNormRegression(X, table.Y, { lambda1, lambda2, tol, maxIterations: maxIters });
      const out = {
        kind: 'nuclear-norm-regression',
        data: { name: table.name, n: table.n, d: table.d, outputs: k, bias: !!o.bias, standardize: o.standardize },
        convention: '½‖XW − Y‖_F² + λ₁‖W‖_* + λ₂‖W‖_F² (λ₂ as written)',
        lambda1,
        lambda2,
        status: res.status,
        objective: res.objective,
        dataTerm: res.dataTerm,
        penalty: res.penalty,
        certificate: { kind: 'duality-gap', value: res.gap, relative: res.gap / Math.max(1, Math.abs(res.objective)), dualObjective: res.dualObjective },
        iterations: res.iterations,
        timeSeconds: res.timeSeconds,
        rank: res.rank,
        singularValues: Array.from(res.singularValues),
        W: rows(res.W),
        trainMSE: (2 * res.dataTerm) / (table.n * k),
        scaling: table.scaling,
      };
      if (o.json) {
        printJson(io, out);
        return;
      }
      printKv(io, [
        ['data', `${table.name}: ${table.n} rows × ${table.d} features${o.bias ? ' + bias' : ''}, ${k} output${k > 1 ? 's' : ''}`],
        ['problem', `½‖XW − Y‖_F² + ${lambda1}‖W‖_* + ${lambda2}‖W‖_F²`],
        ['status', res.status],
        ['train MSE', fmt(out.trainMSE)],
        ['objective', `${fmt(res.objective, 10)} = data ${fmt(res.dataTerm, 10)} + penalty ${fmt(res.penalty, 10)}`],
        ['certificate', `duality gap ${res.gap.toExponential(2)} (${out.certificate.relative.toExponential(2)} relative), ${res.iterations} iterations, ${res.timeSeconds.toFixed(3)} s`],
        ['rank', `${res.rank} (singular values ${out.singularValues.map((v) => fmt(v, 4)).join(', ')})`],
        ['W', JSON.stringify(out.W.map((r) => r.map((v) => Number(v.toPrecision(4)))))],
      ]);
    });
  redex
    .command('norm')
    .description('the RedEx norm ‖(A_1..A_k)‖_Rx = min{tr R : −R ⪯ A_i ⪯ R} by the SDP solver, with its SPEC §6.5 bounds')
    .requiredOption('--matrices <file>', 'JSON: one d×d matrix, [A_1, …, A_k], { "A": … } or a redex run file (its last layer)')
    .option('--tol <t>', 'relative tolerance of the SDP solve', '1e-9')
    .option('--json', 'print one JSON object')
    .action((o: { matrices: string; tol: string; json?: boolean }) => {
      const tol = parseNumber('tol', o.tol, { exclusiveMin: 0 });
      const A = readMatrices(o.matrices);
      const d = A[0].rows;
      A.forEach((Ai, i) => assertOption(Ai.rows === d, `all matrices must be ${d}×${d}; matrix ${i} is ${Ai.rows}×${Ai.cols}`));
      const res = redexNorm(A, { tol });
      const tr = A.map((Ai) => traceNorm(Ai));
      const spec = A.map((Ai) => Math.max(...Array.from(symEig(Ai).values, Math.abs)));
      const lower = Math.max(...tr);
      const upper = Math.min(tr.reduce((a, b) => a + b, 0), d * Math.max(...spec));
      const out = {
        kind: 'redex-norm',
        k: A.length,
        d,
        value: res.value,
        status: res.status,
        relativeGap: res.gap,
        iterations: res.iterations,
        traceNorms: tr,
        bounds: { lower, upper, rule: 'max_i ‖A_i‖_Tr ≤ ‖(A_i)‖_Rx ≤ min(Σ_i ‖A_i‖_Tr, d·max_i ‖A_i‖_2)' },
        R: rows(res.R),
      };
      if (o.json) {
        printJson(io, out);
        return;
      }
      printKv(io, [
        ['matrices', `${A.length} symmetric ${d}×${d} (${o.matrices})`],
        ['RedEx norm', `${fmt(res.value, 10)} (${res.status}, relative gap ${res.gap.toExponential(2)}, ${res.iterations} iterations)`],
        ['trace norms', tr.map((v) => fmt(v, 6)).join(', ') + (A.length === 1 ? ' (k = 1: equal to the RedEx norm)' : '')],
        ['bounds', `${fmt(lower, 6)} ≤ ‖·‖_Rx ≤ ${fmt(upper, 6)}`],
        ['R', JSON.stringify(out.R.map((r) => r.map((v) => Number(v.toPrecision(4)))))],
      ]);
    });
}
