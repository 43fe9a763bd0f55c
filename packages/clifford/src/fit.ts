/**
 * One call from data to a certified Clifford-Lasso fit: build the dictionary, solve the Lasso with
 * a free intercept, recover the ReLU network, and say how exact the result is (SPEC §7.3).
 *
 * @example
 *   const fit = fitClifford(Matrix.fromArray(5, 1, [-2, -1, 0, 1, 2]), [1, -1, 0.5, 2, 0], { lambda: 0.1 });
 *   fit.lasso.objective; // 0.65
 *   fit.exactness.exact; // true: 1-D with free biases
 */
import { assertMatrix, checkOptions, CvxnnError, Matrix, type OptionSpec } from '@cvxnn/linalg';

/** The keys `keys` of an object (the Lasso's share of fitClifford's options). */
function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
import type { TwoLayerNetwork } from '@cvxnn/networks';
import { affineDictionary, binomial, type Dictionary, rampDictionary, sketchedAffineDictionary, spanDictionary, SUBSET_OPTIONS, type SubsetOptions, triangleDictionary } from './dictionaries.js';
import { LASSO_OPTIONS, type LassoOptions, type LassoResult, solveLasso } from './lasso.js';
import { networkFromLasso } from './recover.js';
import { checkLambdaOptions } from './check.js';

/**
 * Dictionary choices: `ramps` (1-D, free biases), `triangles` (2-D, through the origin),
 * `volumes` (d-D through the origin, (d−1)-subsets), `affine` (d-D with bias, d-subsets; 1-D = ramps),
 * `auto` (ramps for 1-D, affine otherwise).
 *
 * @example
 *   const name: CliffordDictionaryName = 'triangles';
 */
export type CliffordDictionaryName = 'auto' | 'ramps' | 'triangles' | 'volumes' | 'affine';

/**
 * Options of {@link buildDictionary}: which dictionary, and how its subsets are enumerated or sampled.
 *
 * @example
 *   const o: CliffordDictionaryOptions = { dictionary: 'affine', sample: 2000, seed: 1, sampling: 'gates' };
 */
export interface CliffordDictionaryOptions extends SubsetOptions {
  dictionary?: CliffordDictionaryName;
  /** sketch the inputs to this dimension before building an affine dictionary (SPEC §7.4) */
  sketchDim?: number;
}

/** The options `buildDictionary` takes, with their types (the compiler keeps the list complete). */
export const DICTIONARY_OPTIONS: OptionSpec<CliffordDictionaryOptions> = {
  ...SUBSET_OPTIONS,
  dictionary: '"auto"|"ramps"|"triangles"|"volumes"|"affine"',
  sketchDim: 'integer',
};

/**
 * Options of {@link fitClifford}: the Lasso's options plus how to build the dictionary.
 *
 * @example
 *   const o: CliffordFitOptions = { lambda: 0.1, dictionary: 'affine', sample: 2000, seed: 1, sampling: 'gates' };
 */
export interface CliffordFitOptions extends LassoOptions, CliffordDictionaryOptions {}

/**
 * What {@link fitClifford} returns.
 *
 * @example
 *   const { dictionary, lasso, network, exactness } = fitClifford(X, y, { lambda: 0.1 });
 */
export interface CliffordFit {
  dictionary: Dictionary;
  lasso: LassoResult;
  network: TwoLayerNetwork;
  exactness: { exact: boolean; statement: string; conditions: string[] };
}

/**
 * Build the dictionary named in the options for X.
 *
 * @example
 *   buildDictionary(X, { dictionary: 'auto' }).kind; // 'ramps' for 1-D data
 */
export function buildDictionary(X: Matrix<Float64Array>, opts: CliffordDictionaryOptions = {}): Dictionary {
  checkOptions('buildDictionary', opts, DICTIONARY_OPTIONS);
  assertMatrix('buildDictionary', 'X', X);
  const name = opts.dictionary ?? 'auto';
  const d = X.cols;
  if (opts.sketchDim !== undefined) {
    if (name !== 'auto' && name !== 'affine') throw new CvxnnError('INVALID_OPTION', `sketching builds an affine dictionary; dictionary '${name}' cannot be sketched (sketchDim takes dictionary 'affine' or 'auto'; CLI: --dictionary affine)`);
    return sketchedAffineDictionary(X, { sketchDim: opts.sketchDim, sample: opts.sample, seed: opts.seed });
  }
  if (name === 'ramps' || (name === 'auto' && d === 1)) {
    if (d !== 1) throw new CvxnnError('INVALID_OPTION', `ramps are for 1-D inputs; the data has ${d} features (use affine, volumes or triangles)`);
    return rampDictionary(X);
  }
  const subsetOpts = pick(opts, Object.keys(SUBSET_OPTIONS) as (keyof SubsetOptions)[]);
  if (name === 'triangles') return triangleDictionary(X, subsetOpts);
  if (name === 'volumes') {
    if (d < 2) throw new CvxnnError('INVALID_OPTION', 'volumes (hyperplanes through the origin) need d ≥ 2 features; use ramps for 1-D data');
    return spanDictionary(X, subsetOpts);
  }
  return affineDictionary(X, subsetOpts);
}

/**
 * How many subsets an exhaustive build of the named dictionary enumerates for n samples in d
 * dimensions (ramps: n points; triangles: n; volumes: C(n, d−1); affine: C(n, d)).
 *
 * @example
 *   candidateSubsets(100, 3, 'affine'); // 161700
 */
export function candidateSubsets(n: number, d: number, dictionary: CliffordDictionaryName = 'auto'): number {
  if (dictionary === 'ramps' || d === 1) return n;
  if (dictionary === 'triangles') return n;
  if (dictionary === 'volumes') return binomial(n, d - 1);
  return binomial(n, d);
}

/**
 * SPEC §7.3 in words, for the dictionary and data at hand.
 *
 * @example
 *   exactnessReport(dict, 1).exact; // true for ramps
 */
export function exactnessReport(dict: Dictionary, d: number, intercept = true): CliffordFit['exactness'] {
  if (dict.kind === 'ramps' && intercept) {
    return {
      exact: true,
      statement: 'exact: the global optimum of f(x) = Σ_j relu(w_j x + b_j) a_j + c with weight decay (λ/2)Σ_j(w_j² + a_j²) and free biases b_j, c (SPEC §2.6)',
      conditions: ['1-D inputs', 'ramps in both orientations at every data point', 'free hidden and output biases'],
    };
  }
  const bias = dict.kind !== 'span' && dict.kind !== 'triangles';
  const conditions = [
    `upper bound: every column is a feasible neuron, so p* ≤ p_GA for the network with ℓ2 weight decay${bias ? ' and free biases' : ' without hidden biases'} (SPEC §7.3)`,
    'exact if the first-layer weights are penalised by the data-dependent norm N(w) = (1/n)‖Xw‖₁ instead of ‖w‖₂ (X of full column rank, rows in general position)',
    '(1+ε)-approximate (true objective ≤ (1+ε)/(1−ε)·p*) when X is an ℓ2→ℓ1 subspace embedding, e.g. i.i.d. Gaussian rows with n ≳ ε⁻⁴d (after normalising by √(π/2))',
    `not exact in general for ℓ2 weight decay when d ≥ 2 (here d = ${d}): a chamber's ℓ2 maximiser can be interior (SPEC §7.3); compareWithExact (CLI: --compare-exact) measures the gap on small n`,
  ];
  if (!dict.exhaustive) conditions.push(`the dictionary is sampled (${dict.candidates} candidate subsets): a further restriction, still an upper bound`);
  return { exact: false, statement: 'upper bound on the weight-decay optimum (exact only under the conditions listed)', conditions };
}

/** The options `fitClifford` takes, with their types (the compiler keeps the list complete). */
export const CLIFFORD_FIT_OPTIONS: OptionSpec<CliffordFitOptions> = { ...LASSO_OPTIONS, ...DICTIONARY_OPTIONS };

/**
 * Fit y ≈ Σ_a α_a (x·w_a + b_a)_+ + c by the Clifford Lasso and recover the network.
 *
 * @example
 *   const { network, lasso } = fitClifford(X, y, { lambda: 0.05, dictionary: 'auto' });
 */
export function fitClifford(X: Matrix<Float64Array>, y: ArrayLike<number>, opts: CliffordFitOptions): CliffordFit {
  checkLambdaOptions('fitClifford', opts, CLIFFORD_FIT_OPTIONS);
  assertMatrix('fitClifford', 'X', X);
  const dictionary = buildDictionary(X, pick(opts, Object.keys(DICTIONARY_OPTIONS) as (keyof CliffordDictionaryOptions)[]));
  const lasso = solveLasso(dictionary.K, y, pick(opts, Object.keys(LASSO_OPTIONS) as (keyof LassoOptions)[]));
  const network = networkFromLasso(dictionary.atoms, lasso);
  return { dictionary, lasso, network, exactness: exactnessReport(dictionary, X.cols, opts.intercept ?? true) };
}
