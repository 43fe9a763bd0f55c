import { assertOption, assertShape, checkOptions, CvxnnError, Matrix, type OptionSpec, PatternMasks } from '@cvxnn/linalg';
import { accuracy, mse } from '@cvxnn/networks';
import { fitConvex, lambdaGrid, lambdaMax } from './fit.js';
import { recoverNetwork } from './recover.js';
import type { ConvexFitOptions, ConvexResult, PatternInput } from './types.js';

/**
 * Options of {@link selectLambda}.
 *
 * @example
 *   const o: LambdaSelectOptions = { folds, points: 12, score: 'accuracy' };
 */
export interface LambdaSelectOptions {
  /** fold of each training row, integers 0 … K−1 (K ≥ 2 folds: K-fold CV; K = 1 is refused). Build it with a seeded stratified split (`@cvxnn/data`) */
  folds: Int32Array;
  /** grid points from λ_max down to λ_max·ratio (default 12) */
  points?: number;
  /** smallest λ of the grid relative to λ_max (default 1e-4) */
  ratio?: number;
  /** validation score: `accuracy` (higher is better; classification targets) or `mse` (lower) */
  score: 'accuracy' | 'mse';
  /** score only the first this many folds (default all; 1 = one validation split, the rest trains) */
  evaluateFolds?: number;
  /**
   * stop a fold's path after this many successive grid points score worse than that fold's best
   * so far (default 3; `Infinity`: the whole grid). Points no fold reached have no score.
   */
  patience?: number;
  /** called after each grid point of each fold */
  onProgress?: (p: { fold: number; folds: number; point: number; points: number; lambda: number }) => void;
}

/**
 * One row of the λ table: the λ, the mean validation score over the folds, and the fold solves'
 * worst certificate and mean number of active neurons.
 *
 * @example
 *   sel.table.map((r) => [r.lambda, r.score]);
 */
export interface LambdaRow {
  lambda: number;
  score: number;
  /** worst relative certificate of the fold solves at this λ */
  certificate: number;
  activeNeurons: number;
}

/**
 * Result of {@link selectLambda}: the chosen λ, the table behind the choice and the refit on all
 * training rows at that λ (certified like any fit).
 *
 * @example
 *   const { lambda, table, result } = selectLambda(X, Y, patterns, opts, sel);
 */
export interface LambdaSelection {
  lambda: number;
  table: LambdaRow[];
  score: 'accuracy' | 'mse';
  folds: number;
  /** fold solves run (each fold's path stops `patience` points after its best) */
  solves: number;
  patience: number;
  result: ConvexResult;
}

/**
 * What {@link selectLambdaPath} needs of a formulation: its λ_max on all rows, a fitter on the
 * training rows of one fold (its data subset built once per fold) with the score of its results
 * on that fold's validation rows, and the refit on all rows. Every fit is warm-started from the
 * previous point's result (undefined at the first point) and bounded by `timeLimit` seconds.
 *
 * @example
 *   const path: LambdaPath<ConvexResult> = { lambdaMax, onRows: (tr, va) => ({ fit, score }), refit };
 */
export interface LambdaPath<R extends { certificate: { value: number }; activeNeurons: number }> {
  lambdaMax: number;
  onRows(train: number[], validation: number[]): { fit(lambda: number, warm: R | undefined, timeLimit: number): R; score(result: R): number };
  refit(lambda: number, warm: R | undefined, timeLimit: number): R;
}

/** The options `selectLambda` takes (the compiler keeps the list complete). */
export const LAMBDA_SELECT_OPTIONS: OptionSpec<LambdaSelectOptions> = { folds: 'any', points: 'integer', ratio: 'number', score: '"accuracy"|"mse"', evaluateFolds: 'integer', patience: 'number', onProgress: 'function' };

/** Share of `options.timeLimit` the fold solves may use; the refit has the rest. */
export const SEARCH_TIME_SHARE = 2 / 3;

/**
 * Choose λ by K-fold cross-validation along a warm-started geometric λ-path from λ_max (cv.glmnet
 * and scikit-learn's `*CV` estimators are the model): for each fold, fit on the other folds along
 * the path (each point warm-started from the last point's solution, every point solved to the
 * fit's tolerance and its certificate kept in the table) and score the recovered network on the
 * fold; a fold's path stops `patience` points after its best score (the small-λ end of the grid
 * is the costly one, and past the validation optimum it only overfits). Pick the λ with the best
 * mean score over the folds that reached it — every evaluated fold must have (ties: the larger λ,
 * the sparser network) — and refit on all rows at that λ, warm-started from the first fold's
 * solution there, certified. `options.lambda` is ignored (the grid replaces it);
 * `options.timeLimit` bounds the whole call: the fold solves share {@link SEARCH_TIME_SHARE} of it
 * (each point an even share of what is left over the points still to solve; a point that reaches
 * its share keeps its certificate in the table and the path goes on from it), the refit has the rest.
 * The search itself is {@link selectLambdaPath}, shared with the convex CNN.
 *
 * @example
 *   const sel = selectLambda(X, Y, { masks, gates }, { model: 'gated-relu', lambda: 1 }, { folds, score: 'accuracy' });
 *   sel.lambda; sel.result.certificate.value;
 */
export function selectLambda(X: Matrix<Float64Array>, Y: Matrix<Float64Array>, patterns: PatternInput, options: ConvexFitOptions, sel: LambdaSelectOptions): LambdaSelection {
  checkOptions('selectLambda', sel, LAMBDA_SELECT_OPTIONS);
  assertOption(sel.folds instanceof Int32Array, 'selectLambda: folds must be an Int32Array of fold indices, one per row');
  assertShape(sel.folds.length === X.rows, `selectLambda: folds has ${sel.folds.length} entries but X has ${X.rows} rows`);
  const nuclear = options.model === 'gated-relu';
  const lmax = lambdaMax(X, Y, patterns.masks, options.loss ?? 'squared', options.scale ?? 'sum', nuclear);
  return selectLambdaPath<ConvexResult>(
    {
      lambdaMax: lmax,
      onRows(tr, va) {
        const Xtr = X.selectRows(tr);
        const Ytr = Y.selectRows(tr);
        const Xva = X.selectRows(va);
        const Yva = Y.selectRows(va);
        const pats: PatternInput = patterns.gates ? { masks: PatternMasks.fromGates(Xtr, patterns.gates), gates: patterns.gates } : { masks: patterns.masks.rows(tr) };
        return {
          fit: (lambda, warm, timeLimit) => fitConvex(Xtr, Ytr, pats, { ...options, lambda, timeLimit, warmStart: warm, lambdaPath: undefined }),
          score(r) {
            const net = recoverNetwork(r, { appendOne: false });
            return sel.score === 'accuracy' ? accuracy(net, Xva, Yva) : mse(net, Xva, Yva);
          },
        };
      },
      refit: (lambda, warm, timeLimit) => fitConvex(X, Y, patterns, { ...options, lambda, warmStart: warm, lambdaPath: undefined, timeLimit }),
    },
    options.timeLimit ?? Infinity,
    sel,
  );
}

/**
 * The λ search of {@link selectLambda} for any formulation that can fit on a subset of its rows
 * ({@link LambdaPath}): folds, grid, patience, time shares and the refit as described there;
 * `timeLimit` bounds the whole call.
 *
 * @example
 *   const sel = selectLambdaPath(path, 600, { folds, score: 'accuracy' });
 */
export function selectLambdaPath<R extends { certificate: { value: number }; activeNeurons: number }>(
  path: LambdaPath<R>,
  timeLimit: number,
  sel: LambdaSelectOptions,
): Omit<LambdaSelection, 'result'> & { result: R } {
  checkOptions('selectLambda', sel, LAMBDA_SELECT_OPTIONS);
  assertOption(sel.folds instanceof Int32Array, 'selectLambda: folds must be an Int32Array of fold indices, one per row');
  const n = sel.folds.length;
  const K = Math.max(...sel.folds) + 1;
  assertOption(K >= 2 && sel.folds.every((f) => Number.isInteger(f) && f >= 0), `selectLambda: folds must hold integers 0 … K−1 with K ≥ 2 (got K = ${K})`);
  for (let k = 0; k < K; k++) if (!sel.folds.includes(k)) throw new CvxnnError('INVALID_OPTION', `selectLambda: fold ${k} has no rows; number the folds 0 … ${K - 1} without gaps`);
  const points = sel.points ?? 12;
  assertOption(Number.isInteger(points) && points >= 2, `selectLambda: points must be an integer ≥ 2, got ${points}`);
  const ratio = sel.ratio ?? 1e-4;
  assertOption(ratio > 0 && ratio < 1, `selectLambda: ratio must be in (0, 1), got ${ratio}`);
  const lmax = path.lambdaMax;
  const grid = lambdaGrid(lmax, lmax * ratio, points);
  const sums = new Float64Array(grid.length);
  const certs = new Float64Array(grid.length);
  const active = new Float64Array(grid.length);
  const counts = new Int32Array(grid.length);
  const better = (a: number, b: number) => (sel.score === 'accuracy' ? a > b + 1e-12 : a < b - 1e-12 * Math.max(1, Math.abs(b)));
  const evalK = Math.min(K, sel.evaluateFolds ?? K);
  assertOption(Number.isInteger(evalK) && evalK >= 1, `selectLambda: evaluateFolds must be a positive integer, got ${sel.evaluateFolds}`);
  const patience = sel.patience ?? 3;
  assertOption(patience >= 1, `selectLambda: patience must be ≥ 1 (grid points after the best), got ${patience}`);
  const t0 = performance.now();
  const limit = timeLimit;
  const searchLimit = limit * SEARCH_TIME_SHARE;
  const left = (budget: number) => budget - (performance.now() - t0) / 1000;
  const solutions: Array<R | undefined> = new Array(grid.length);
  let outOfTime = false;
  let solves = 0;
  for (let k = 0; k < evalK && !outOfTime; k++) {
    const tr: number[] = [];
    const va: number[] = [];
    for (let j = 0; j < n; j++) (sel.folds[j] === k ? va : tr).push(j);
    const fold = path.onRows(tr, va);
    // the path, one point at a time so that every point is scored, each warm-started from the last
    let prev: R | undefined;
    let foldBest = -1;
    let foldBestScore = NaN;
    for (let t = 0; t < grid.length; t++) {
      const lam = grid[t];
      // an even share of the search time still left over the points still to solve (a path that
      // stops early hands its share on)
      const pointsLeft = grid.length - t + (evalK - k - 1) * grid.length;
      const r = fold.fit(lam, prev, left(searchLimit) / pointsLeft);
      const score = fold.score(r);
      sums[t] += score;
      certs[t] = Math.max(certs[t], r.certificate.value);
      active[t] += r.activeNeurons;
      counts[t]++;
      solves++;
      if (k === 0) solutions[t] = r;
      prev = r;
      sel.onProgress?.({ fold: k, folds: evalK, point: t, points: grid.length, lambda: lam });
      if (left(searchLimit) <= 0) {
        outOfTime = true;
        break;
      }
      if (foldBest < 0 || better(score, foldBestScore)) {
        foldBest = t;
        foldBestScore = score;
      } else if (t - foldBest >= patience) break;
    }
  }
  const table: LambdaRow[] = grid.map((lambda, t) => ({ lambda, score: counts[t] === evalK ? sums[t] / evalK : NaN, certificate: counts[t] ? certs[t] : NaN, activeNeurons: counts[t] ? active[t] / counts[t] : NaN }));
  let best = 0;
  for (let t = 1; t < table.length; t++) if (Number.isFinite(table[t].score) && (!Number.isFinite(table[best].score) || better(table[t].score, table[best].score))) best = t;
  if (!Number.isFinite(table[best].score)) throw new CvxnnError('NOT_CONVERGED', `selectLambda: no grid point was solved on every fold within the time limit (${limit} s); raise it or use fewer folds`);
  const lambda = table[best].lambda;
  // refit on all rows at the chosen λ, from the first fold's solution there
  const result = path.refit(lambda, solutions[best], left(limit));
  return { lambda, table, score: sel.score, folds: evalK, solves, patience, result };
}
