/**
 * `cvxnn fit --lambda auto`: the validation folds (seeded, stratified, carved from the training
 * rows only through `@cvxnn/data`'s `trainTestSplit`), the options of the λ search, its progress
 * bar, and the path table of the text output and the run file (`lambdaSelection`).
 */
import { type Dataset, trainTestSplit } from '@cvxnn/data';
import type { LambdaSelection, LambdaSelectOptions } from '@cvxnn/group-lasso';
import { assertOption, CvxnnError, Matrix } from '@cvxnn/linalg';
import type { LambdaSelectionJson } from '@cvxnn/run-format';
import cliProgress from 'cli-progress';
import { derivedSeed, fmt, parseNumber } from './io.js';

/** Folds of the default validation split: fold 0 of 5 (20 % of the training rows) is scored. */
export const SPLIT_FOLDS = 5;

/**
 * The λ search as the flags give it: `cv` K folds (K-fold CV) or undefined (one 20 % split),
 * `points` and `ratio` of the geometric grid.
 *
 * @example
 *   parseLambdaAuto({ cv: '3' }); // { cv: 3, points: 12, ratio: 1e-4, patience: 3 }
 */
export interface LambdaAutoOptions {
  cv?: number;
  points: number;
  ratio: number;
  /** grid points after a fold's best before its path stops (Infinity: the whole grid) */
  patience: number;
}

/**
 * Parse `--cv`, `--lambda-points`, `--lambda-ratio`, `--lambda-patience` (given with `--lambda auto`).
 *
 * @example
 *   const a = parseLambdaAuto({ lambdaPoints: '8' });
 */
export function parseLambdaAuto(o: { cv?: string; lambdaPoints?: string; lambdaRatio?: string; lambdaPatience?: string }): LambdaAutoOptions {
  let cv: number | undefined;
  if (o.cv !== undefined) {
    cv = parseNumber('cv', o.cv, { integer: true });
    if (cv < 2) throw new CvxnnError('INVALID_OPTION', `--cv must be an integer ≥ 2 (K-fold cross-validation; without --cv one 20% validation split is scored), got '${o.cv}'`);
  }
  const points = o.lambdaPoints === undefined ? 12 : parseNumber('lambda-points', o.lambdaPoints, { integer: true, min: 2 });
  const ratio = o.lambdaRatio === undefined ? 1e-4 : parseNumber('lambda-ratio', o.lambdaRatio, { exclusiveMin: 0 });
  assertOption(ratio < 1, `--lambda-ratio must be in (0, 1) (the smallest λ of the grid relative to λ_max), got '${o.lambdaRatio}'`);
  const patience = o.lambdaPatience === undefined ? 3 : o.lambdaPatience.trim() === 'all' ? Infinity : parseNumber('lambda-patience', o.lambdaPatience, { integer: true, min: 1 });
  return { cv, points, ratio, patience };
}

/**
 * The fold of each training row, 0 … K−1: K − 1 successive seeded splits (`trainTestSplit`,
 * stratified by class for classification) each take 1/(K − k) of the rows still unassigned, so
 * every fold holds about n/K rows with the class proportions of the whole. Only the rows given
 * (the training rows) are split.
 *
 * @example
 *   const folds = validationFolds(ytr, 'binary', ['B', 'M'], 5, 0); // fold 0: a 20% stratified split
 */
export function validationFolds(y: Float64Array, task: Dataset['task'], classes: string[] | undefined, K: number, seed: number): Int32Array {
  const n = y.length;
  if (n < 2 * K) throw new CvxnnError('INVALID_OPTION', `${K} validation folds need at least ${2 * K} training rows, but there are ${n}; use a smaller --cv`);
  const folds = new Int32Array(n).fill(K - 1);
  let rest = Float64Array.from({ length: n }, (_, i) => i);
  for (let k = 0; k < K - 1; k++) {
    // a dataset whose one feature is the row number, so the split says which rows it took
    const ds: Dataset = { name: 'folds', X: new Matrix(rest.length, 1, rest), y: Float64Array.from(rest, (i) => y[i]!), featureNames: ['row'], labelName: 'label', task, ...(classes ? { classes } : {}) };
    const { train, test } = trainTestSplit(ds, 1 / (K - k), derivedSeed(seed, 104729 + k));
    for (const i of test.X.data) folds[i] = k;
    rest = Float64Array.from(train.X.data);
  }
  return folds;
}

/**
 * A progress bar on stderr for the λ search: fold i/K, path point j/N, the λ being solved (`grid(t)`,
 * NaN while unknown), the relative gap of the current solve, elapsed time and an ETA from the mean
 * time per point so far (the refit counted as one more point). Cleared when it stops.
 *
 * @example
 *   const bar = lambdaBar(process.stderr, 1, 12, (t) => 10 * 1e-4 ** ((t + 1) / 12));
 *   bar.point({ fold: 0, folds: 1, point: 0, points: 12 });
 */
export function lambdaBar(
  stream: NodeJS.WritableStream,
  folds: number,
  points: number,
  grid: (point: number) => number,
): { point(p: { fold: number; folds: number; point: number; points: number }): void; gap(g: number): void; stop(): void } {
  const total = folds * points;
  const bar = new cliProgress.SingleBar(
    { format: 'λ auto |{bar}| {stage}  λ {lambda}  gap {gap}  elapsed {duration_formatted}  ETA {left}', stream, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const t0 = Date.now();
  const stage = (fold: number, point: number) => `fold ${fold + 1}/${folds}  point ${point + 1}/${points}`;
  const lam = (t: number) => (Number.isFinite(grid(t)) ? fmt(grid(t), 4) : '…');
  bar.start(total + 1, 0, { stage: stage(0, 0), lambda: lam(0), gap: '-', left: '…' });
  let done = 0;
  return {
    point(p) {
      done = p.fold * points + p.point + 1;
      const per = (Date.now() - t0) / 1000 / done;
      const left = (total + 1 - done) * per; // the refit counted as one more point
      const next = p.point + 1 < points ? { fold: p.fold, point: p.point + 1 } : { fold: p.fold + 1, point: 0 };
      const payload = next.fold < folds ? { stage: stage(next.fold, next.point), lambda: lam(next.point) } : { stage: 'refit on all training rows', lambda: 'chosen' };
      bar.update(done, { ...payload, gap: '-', left: `${left.toFixed(0)}s` });
    },
    gap(g) {
      bar.update(done, { gap: g.toExponential(2) });
    },
    stop() {
      bar.stop();
    },
  };
}

/**
 * A progress bar on stderr for one fixed-λ fit: iteration i of the cap, the relative gap, the
 * objective and the elapsed time (null unless `show`; cleared when stopped).
 *
 * @example
 *   const bar = fitBar(20000, true); bar?.update({ iteration: 10, certificate: 0.1, objective: 3 }); bar?.stop();
 */
export function fitBar(maxIters: number, show: boolean): { update(p: { iteration: number; certificate: number; objective: number }): void; stop(): void } | null {
  if (!show) return null;
  const bar = new cliProgress.SingleBar({ format: 'fit |{bar}| iteration {value}/{total}  gap {cert}  objective {obj}  elapsed {duration_formatted}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
  bar.start(maxIters, 0, { cert: '-', obj: '-' });
  return {
    update: (p) => bar.update(Math.min(p.iteration, maxIters), { cert: p.certificate.toExponential(2), obj: fmt(p.objective) }),
    stop: () => bar.stop(),
  };
}

/**
 * The search of `--lambda auto` as the flags give it: the validation folds of the training rows
 * (`--cv K`, or one 20 % split), the selection options for group-lasso's search, and the progress
 * bar (null unless `showBar`) fed by the search's points.
 *
 * @example
 *   const s = lambdaSearch(autoOpts, prep.ytr, task, classes, seed, showBar);
 *   selectLambda(X, Y, patterns, { ...fit, onProgress: (p) => s.bar?.gap(p.certificate) }, s.options);
 */
export function lambdaSearch(
  a: LambdaAutoOptions,
  y: Float64Array,
  task: Dataset['task'],
  classes: string[] | undefined,
  seed: number,
  showBar: boolean,
): { folds: Int32Array; options: LambdaSelectOptions; bar: ReturnType<typeof lambdaBar> | null } {
  const K = a.cv ?? SPLIT_FOLDS;
  const folds = validationFolds(y, task, classes, K, seed);
  const N = a.points;
  const evaluateFolds = a.cv === undefined ? 1 : K;
  // the grid's points for the bar: λ_max·ratio^((t+1)/N), λ_max known once the first point reports
  let grid = (_t: number) => Number.NaN;
  const bar = showBar ? lambdaBar(process.stderr, evaluateFolds, N, (t) => grid(t)) : null;
  const options: LambdaSelectOptions = {
    folds,
    points: N,
    ratio: a.ratio,
    score: task === 'regression' ? 'mse' : 'accuracy',
    evaluateFolds,
    patience: a.patience,
    onProgress: bar
      ? (p) => {
          const lmax = p.lambda / Math.pow(a.ratio, (p.point + 1) / N);
          grid = (t) => lmax * Math.pow(a.ratio, (t + 1) / N);
          bar.point(p);
        }
      : undefined,
  };
  return { folds, options, bar };
}

/**
 * The `lambdaSelection` of the run file: the score, the folds scored, the validation fraction of a
 * single split, the chosen row and λ, the table (non-finite entries as null), and the time of the
 * whole search (fold solves and refit).
 *
 * @example
 *   run.lambdaSelection = selectionJson(sel, undefined, 2.5);
 */
export function selectionJson(sel: LambdaSelection, cv: number | undefined, timeSeconds: number): LambdaSelectionJson {
  const chosen = sel.table.findIndex((r) => r.lambda === sel.lambda);
  if (chosen < 0) throw new CvxnnError('INTERNAL', `the chosen λ ${sel.lambda} is not in the λ table`);
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  return {
    score: sel.score,
    folds: sel.folds,
    ...(cv === undefined ? { split: 1 / SPLIT_FOLDS } : {}),
    chosen,
    lambda: sel.lambda,
    table: sel.table.map((r) => ({ lambda: r.lambda, score: finite(r.score), certificate: finite(r.certificate), activeNeurons: finite(r.activeNeurons) })),
    timeSeconds,
    solves: sel.solves,
    ...(Number.isFinite(sel.patience) ? { patience: sel.patience } : {}),
  };
}

/**
 * The λ table as text rows (before the certificate lines): λ, validation score, worst
 * certificate of the fold solves, mean active neurons, and `← chosen` on the chosen row.
 *
 * @example
 *   rows.push(...selectionRows(json, 91, 1e-4));
 */
export function selectionRows(s: LambdaSelectionJson, nValidation: number, ratio: number): Array<[string, string]> {
  // the grid's own λ_max (λ_t = λ_max·ratio^(t/N), t = 1 … N), read back from its first point
  const N = s.table.length;
  const lambdaMax = s.table[0]!.lambda / Math.pow(ratio, 1 / N);
  const how = s.folds === 1 ? `${s.score} on a ${Math.round((s.split ?? 0) * 100)}% validation split of the training rows (${nValidation} rows)` : `mean ${s.score} over ${s.folds}-fold cross-validation of the training rows`;
  const head = ['λ', s.score === 'accuracy' ? 'accuracy' : 'mse', 'certificate', 'active'];
  const cell = (v: number | null, f: (x: number) => string) => (v === null ? '-' : f(v));
  const cells = s.table.map((r) => [
    fmt(r.lambda, 4),
    cell(r.score, (x) => fmt(x, 4)),
    cell(r.certificate, (x) => x.toExponential(2)),
    cell(r.activeNeurons, (x) => (Number.isInteger(x) ? String(x) : x.toFixed(1))),
  ]);
  const w = head.map((h, k) => Math.max(h.length, ...cells.map((r) => r[k]!.length)));
  const line = (r: string[]) => r.map((c, k) => c.padStart(w[k]!)).join('  ');
  return [
    ['λ selection', `${how}; ${N} λ on a geometric grid below λ_max = ${fmt(lambdaMax, 4)}, down to λ_max × ${ratio < 0.01 ? ratio.toExponential() : ratio}${s.timeSeconds !== undefined ? `; ${s.solves ?? s.folds * s.table.length} fold solves${s.patience !== undefined ? ` (each fold's path stops ${s.patience} points after its best)` : ''} and the refit in ${s.timeSeconds.toFixed(2)} s` : ''}`],
    ['λ table', line(head)],
    ...cells.map((r, i): [string, string] => [`  ${i + 1}/${s.table.length}`, `${line(r)}${i === s.chosen ? '  ← chosen' : ''}`]),
  ];
}
