/**
 * The Clifford-Lasso dictionaries (SPEC §7.2): each column is the ReLU feature (x_iᵀw_J + b_J)_+
 * of a neuron whose hyperplane passes through a small set J of training samples, with a unit
 * normal w_J that is the (normalised) dual of a wedge product of those samples.
 *
 * | kind | neuron | columns |
 * |---|---|---|
 * | `ramps` (1-D, bias) | breakpoint at x_j, slope ±1 | (x_i − x_j)_+ and (x_j − x_i)_+ |
 * | `span` (d-D, no bias; 2-D: "triangles" through the origin) | w = ±⋆(x_{j_1}∧…∧x_{j_{d−1}})/‖·‖ | signed distance to span(x_J), positive part |
 * | `affine` (d-D, bias; 2-D: lines through pairs) | hyperplane through x_{j_1..j_d} | signed distance to Aff(x_J), positive part |
 *
 * @example
 *   const dict = rampDictionary([-2, -1, 0, 1, 2]);
 *   dict.K.cols; // 8: both orientations, minus the two all-zero ramps
 */
import { assertMatrix, assertOption, assertShape, checkOptions, CvxnnError, Matrix, type OptionSpec, Rng } from '@cvxnn/linalg';
import { crossProduct } from './cross.js';

/** One dictionary column's neuron: feature (xᵀw + b)_+ with ‖w‖ = 1. */
export interface Atom {
  /** unit normal, length d */
  w: Float64Array;
  /** offset (0 for dictionaries without bias) */
  b: number;
  /** indices of the training samples that define the hyperplane */
  J: number[];
}

export type DictionaryKind = 'ramps' | 'span' | 'triangles' | 'affine' | 'sketched';

export interface Dictionary {
  kind: DictionaryKind;
  /** n × m features */
  K: Matrix<Float64Array>;
  atoms: Atom[];
  /** how many candidate atoms were generated before removing degenerate and duplicate ones */
  candidates: number;
  /** exhaustive over all subsets, or sampled */
  exhaustive: boolean;
}

/** Features (Xw + b)_+ of the atoms on any data X (n × d) — the same map as the dictionary. */
export function atomFeatures(X: Matrix<Float64Array>, atoms: Atom[]): Matrix<Float64Array> {
  const n = X.rows;
  const m = atoms.length;
  const K = Matrix.zeros(n, m);
  for (let a = 0; a < m; a++) {
    const { w, b } = atoms[a];
    assertShape(w.length === X.cols, `atom ${a} has dimension ${w.length} but the data has ${X.cols} features`);
    for (let i = 0; i < n; i++) {
      let z = b;
      for (let k = 0; k < w.length; k++) z += X.get(i, k) * w[k];
      K.data[i * m + a] = z > 0 ? z : 0;
    }
  }
  return K;
}

function checkData(fn: string, X: Matrix<Float64Array>): void {
  assertMatrix(fn, 'X', X);
  if (X.rows === 0 || X.cols === 0) throw new CvxnnError('EMPTY_DATA', `the dictionary needs data, got a ${X.rows}×${X.cols} matrix`);
  X.assertFinite('X');
}

/** Keep atoms whose feature columns are non-zero and pairwise distinct (up to a relative tolerance). */
function finalize(kind: DictionaryKind, X: Matrix<Float64Array>, atoms: Atom[], candidates: number, exhaustive: boolean): Dictionary {
  const K0 = atomFeatures(X, atoms);
  const n = X.rows;
  const m0 = atoms.length;
  let scale = 0;
  for (const v of K0.data) scale = Math.max(scale, Math.abs(v));
  const q = scale > 0 ? 1e9 / scale : 1;
  const seen = new Set<string>();
  const keep: number[] = [];
  for (let a = 0; a < m0; a++) {
    let nz = false;
    const key: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = K0.data[i * m0 + a];
      if (v * q >= 0.5) nz = true;
      key[i] = Math.round(v * q);
    }
    if (!nz) continue;
    const k = key.join(',');
    if (seen.has(k)) continue;
    seen.add(k);
    keep.push(a);
  }
  const kept = keep.map((a) => atoms[a]);
  const K = Matrix.zeros(n, kept.length);
  for (let i = 0; i < n; i++) for (let t = 0; t < keep.length; t++) K.data[i * kept.length + t] = K0.data[i * m0 + keep[t]];
  return { kind, K, atoms: kept, candidates, exhaustive };
}

/**
 * Options of {@link rampDictionary}.
 *
 * @example
 *   const o: RampDictionaryOptions = { oneSided: true };
 */
export interface RampDictionaryOptions {
  /** only the ramps (x − x_j)_+ (the slides' incomplete K⁺) */
  oneSided?: boolean;
}

/** The options `rampDictionary` takes, with their types (the compiler keeps the list complete). */
export const RAMP_DICTIONARY_OPTIONS: OptionSpec<RampDictionaryOptions> = { oneSided: 'boolean' };

/**
 * 1-D ramps in both orientations (SPEC §2.6): (x − x_j)_+ (w = +1, b = −x_j) and (x_j − x)_+
 * (w = −1, b = x_j) for every distinct data point; all-zero ramps are dropped. With a free
 * intercept this dictionary is exact for the 1-D weight-decay network with free biases.
 * `oneSided: true` gives the slides' incomplete K⁺ alone (for comparison only).
 */
export function rampDictionary(x: ArrayLike<number> | Matrix<Float64Array>, opts: RampDictionaryOptions = {}): Dictionary {
  checkOptions('rampDictionary', opts, RAMP_DICTIONARY_OPTIONS);
  const X = x instanceof Matrix ? x : Matrix.fromArray(x.length, 1, Array.from(x));
  assertShape(X.cols === 1, `ramp dictionaries are for 1-D inputs; the data has ${X.cols} features (use 'span' or 'affine')`);
  checkData('rampDictionary', X);
  const atoms: Atom[] = [];
  for (let j = 0; j < X.rows; j++) {
    const xj = X.get(j, 0);
    atoms.push({ w: Float64Array.of(1), b: -xj, J: [j] });
    if (!opts.oneSided) atoms.push({ w: Float64Array.of(-1), b: xj, J: [j] });
  }
  return finalize('ramps', X, atoms, atoms.length, true);
}

/**
 * The binomial coefficient C(n, k) (as a float for large values).
 *
 * @example
 *   binomial(5, 2); // 10
 */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** All k-subsets of 0..n−1 in lexicographic order (callback form, no big arrays). */
function forEachSubset(n: number, k: number, f: (J: number[]) => void): void {
  const J = Array.from({ length: k }, (_, i) => i);
  if (k > n) return;
  for (;;) {
    f(J.slice());
    let i = k - 1;
    while (i >= 0 && J[i] === n - k + i) i--;
    if (i < 0) return;
    J[i]++;
    for (let t = i + 1; t < k; t++) J[t] = J[t - 1] + 1;
  }
}

function randomSubset(rng: Rng, n: number, k: number): number[] {
  const chosen = new Set<number>();
  while (chosen.size < k) chosen.add(rng.int(n));
  return [...chosen].sort((a, b) => a - b);
}

export interface SubsetOptions {
  /** sample this many random subsets instead of enumerating all (default: exhaustive when ≤ maxExhaustive) */
  sample?: number;
  seed?: number;
  /**
   * how sampled subsets are drawn: `uniform` (default) index subsets, or `gates` — the quantised
   * embedding 1[X̃h ≥ 0] of a Gaussian gate h picks its chamber, and the walk of
   * {@link gateSubset} returns the samples whose hyperplanes meet at one of that chamber's
   * extreme rays (SPEC §7.4)
   */
  sampling?: 'uniform' | 'gates';
  /** enumerate all subsets only while their number is at most this (default 20000) */
  maxExhaustive?: number;
}

/** The options the subset dictionaries take, with their types (the compiler keeps the list complete). */
export const SUBSET_OPTIONS: OptionSpec<SubsetOptions> = {
  sample: 'integer',
  seed: 'number',
  sampling: '"uniform"|"gates"',
  maxExhaustive: 'integer',
};

/**
 * The quantised-embedding index sampler (SPEC §7.4): start at a gate h (its chamber is the pattern
 * 1[Zh ≥ 0]) and move, k times, to the nearest hyperplane z_i⊥ inside the current face (the
 * straight segment to the nearest hyperplane crosses no other one, so the walk stays in the closed
 * chamber). After k = D − 1 steps the point lies on an extreme ray of h's chamber, spanned by
 * ⋆(z_{j_1}∧…∧z_{j_{D−1}}); the returned J are those samples. Returns null when the rows do not
 * determine a ray (rank < D − 1 left).
 *
 * @example
 *   gateSubset([[1, 0], [0, 1], [1, 1]], 1, [0.3, 0.9]); // [0]: the ray through e₂ = ⋆e₁ is nearest
 */
export function gateSubset(Z: ArrayLike<ArrayLike<number>>, k: number, h: ArrayLike<number>): number[] | null {
  const D = h.length;
  const g = Array.from(h);
  const Q: number[][] = [];
  const J: number[] = [];
  const residual = (z: ArrayLike<number>): number[] => {
    const r = Array.from(z);
    for (const q of Q) {
      let t = 0;
      for (let a = 0; a < D; a++) t += q[a] * r[a];
      for (let a = 0; a < D; a++) r[a] -= t * q[a];
    }
    return r;
  };
  for (let step = 0; step < k; step++) {
    let best = -1;
    let bestDist = Infinity;
    let bestR: number[] = [];
    for (let i = 0; i < Z.length; i++) {
      if (J.includes(i)) continue;
      const r = residual(Z[i]);
      const nr = Math.hypot(...r);
      if (!(nr > 1e-10 * (Math.hypot(...Array.from(Z[i])) + 1e-300))) continue;
      let t = 0;
      for (let a = 0; a < D; a++) t += r[a] * g[a];
      const dist = Math.abs(t) / nr;
      if (dist < bestDist) {
        bestDist = dist;
        best = i;
        bestR = r;
      }
    }
    if (best < 0) return null;
    const nr2 = bestR.reduce((acc, v) => acc + v * v, 0);
    let t = 0;
    for (let a = 0; a < D; a++) t += bestR[a] * g[a];
    for (let a = 0; a < D; a++) g[a] -= (t / nr2) * bestR[a];
    const nr = Math.sqrt(nr2);
    Q.push(bestR.map((v) => v / nr));
    J.push(best);
  }
  return J.sort((a, b) => a - b);
}

function subsets(X: Matrix<Float64Array>, k: number, lifted: boolean, opts: SubsetOptions, f: (J: number[]) => void): { candidates: number; exhaustive: boolean } {
  const n = X.rows;
  const total = binomial(n, k);
  const max = opts.maxExhaustive ?? 20000;
  const sampling = opts.sampling ?? 'uniform';
  assertOption(sampling === 'uniform' || sampling === 'gates', `sampling must be uniform or gates, got '${String(sampling)}'`);
  if (opts.sample === undefined && total <= max) {
    forEachSubset(n, k, f);
    return { candidates: total, exhaustive: true };
  }
  const count = opts.sample ?? max;
  assertOption(Number.isInteger(count) && count > 0, `the number of sampled subsets must be a positive integer, got ${count}`);
  const rng = new Rng(opts.seed ?? 0);
  if (sampling === 'uniform') {
    for (let s = 0; s < count; s++) f(randomSubset(rng, n, k));
    return { candidates: count, exhaustive: false };
  }
  // gates: rows z_i = x_i (span) or [x_i, 1] (affine); a ray of the arrangement needs D − 1 = k hyperplanes
  const Z = Array.from({ length: n }, (_, i) => (lifted ? [...X.row(i), 1] : Array.from(X.row(i))));
  const D = Z[0].length;
  for (let s = 0; s < count; s++) {
    const J = gateSubset(Z, k, rng.normalArray(D));
    if (J) f(J);
  }
  return { candidates: count, exhaustive: false };
}

function pushBothOrientations(atoms: Atom[], c: Float64Array, b: number, J: number[]): void {
  const norm = Math.hypot(...c);
  if (!(norm > 1e-12)) return; // degenerate subset: the points do not determine a hyperplane
  const w = c.map((v) => v / norm);
  atoms.push({ w, b: b / norm, J });
  atoms.push({ w: w.map((v) => -v), b: -b / norm, J });
}

/**
 * d-D without bias: neurons whose hyperplane through the origin contains d−1 samples,
 * w = ±⋆(x_{j_1}∧…∧x_{j_{d−1}})/‖x_{j_1}∧…∧x_{j_{d−1}}‖; the feature is the positive part of the
 * signed distance to span(x_J). In 2-D: (x_i∧x_j)_+/‖x_j‖ = 2·area(0, x_i, x_j)_+/‖x_j‖.
 * `2·C(n, d−1)` columns before removing duplicates.
 */
export function spanDictionary(X: Matrix<Float64Array>, opts: SubsetOptions = {}): Dictionary {
  checkOptions('spanDictionary', opts, SUBSET_OPTIONS);
  checkData('spanDictionary', X);
  const d = X.cols;
  assertOption(d >= 2, 'span dictionaries need d ≥ 2 (use ramps for 1-D data)');
  const atoms: Atom[] = [];
  const info = subsets(X, d - 1, false, opts, (J) => {
    const c = crossProduct(J.map((j) => X.row(j)));
    pushBothOrientations(atoms, c, 0, J);
  });
  return finalize('span', X, atoms, info.candidates, info.exhaustive);
}

/**
 * d-D with bias: neurons whose hyperplane passes through d samples p_1..p_d:
 * c = ⋆((p_1 − p_d)∧…∧(p_{d−1} − p_d)), b = −c·p_d, normalised; the feature is the positive
 * part of the signed distance to Aff(x_J). In 1-D these are the ramps; in 2-D, lines through pairs.
 * `2·C(n, d)` columns before removing duplicates.
 */
export function affineDictionary(X: Matrix<Float64Array>, opts: SubsetOptions = {}): Dictionary {
  checkOptions('affineDictionary', opts, SUBSET_OPTIONS);
  checkData('affineDictionary', X);
  const d = X.cols;
  if (d === 1) return rampDictionary(X);
  const atoms: Atom[] = [];
  const info = subsets(X, d, true, opts, (J) => {
    const pd = X.row(J[d - 1]);
    const diffs = J.slice(0, d - 1).map((j) => {
      const r = X.row(j);
      return Array.from(r, (v, k) => v - pd[k]);
    });
    const c = crossProduct(diffs);
    let b = 0;
    for (let k = 0; k < d; k++) b -= c[k] * pd[k];
    pushBothOrientations(atoms, c, b, J);
  });
  return finalize('affine', X, atoms, info.candidates, info.exhaustive);
}

/**
 * The 2-D triangle-area dictionary (SPEC §7.2 row 2): neurons through the origin with
 * w = ±⋆x_j/‖x_j‖ (x_j rotated by 90°), feature (x_i∧x_j)_+/‖x_j‖ = 2·area(0, x_i, x_j)_+/‖x_j‖.
 * The 2-D case of {@link spanDictionary}; 2n columns before removing duplicates.
 *
 * @example
 *   triangleDictionary(Matrix.from([[1, 0], [0, 2], [1, 1]])).K.cols;
 */
export function triangleDictionary(X: Matrix<Float64Array>, opts: SubsetOptions = {}): Dictionary {
  checkOptions('triangleDictionary', opts, SUBSET_OPTIONS);
  assertMatrix('triangleDictionary', 'X', X);
  assertOption(X.cols === 2, `the triangle-area dictionary is for 2-D inputs; the data has ${X.cols} features (use volumes for d-D)`);
  return { ...spanDictionary(X, opts), kind: 'triangles' };
}

/**
 * A CountSketch S (D × s): input coordinate k goes to column h(k) with sign σ(k) — the sparse
 * JL embedding with one non-zero per row (SPEC §7.4).
 *
 * @example
 *   const S = countSketch(100, 10, 0); // 100 × 10
 */
export function countSketch(D: number, s: number, seed = 0): Matrix<Float64Array> {
  assertOption(Number.isInteger(s) && s >= 1 && s <= D, `the sketch dimension must be an integer in 1..${D}, got ${s}`);
  const rng = new Rng(seed);
  const S = Matrix.zeros(D, s);
  // every column gets at least one coordinate: a random permutation fills the first s rows' buckets
  const perm = rng.permutation(D);
  for (let t = 0; t < D; t++) {
    const k = perm[t];
    const col = t < s ? t : rng.int(s);
    S.set(k, col, rng.uniform() < 0.5 ? -1 : 1);
  }
  return S;
}

/**
 * Options of {@link sketchedAffineDictionary}.
 *
 * @example
 *   const o: SketchOptions = { sketchDim: 5, sample: 2000, seed: 1 };
 */
export interface SketchOptions {
  /** the sketch dimension s (1 ≤ s ≤ d) */
  sketchDim: number;
  /** how many s-subsets to sample (default 1000) */
  sample?: number;
  seed?: number;
}

/** The options `sketchedAffineDictionary` takes, with their types (the compiler keeps the list complete). */
export const SKETCH_OPTIONS: OptionSpec<SketchOptions> = { sketchDim: 'integer', sample: 'integer', seed: 'number' };

/**
 * Sketched affine dictionary (SPEC §7.4): compute the wedge-product dual of s sampled points in the
 * sketched space XS (s < d), map it back as w = S v, b = −w·x_{j_s}. The hyperplane
 * {x : (x − x_{j_s})ᵀ S v = 0} contains all s sampled points in the ORIGINAL space (oracle G8).
 * Always sampled (`sample` subsets, default 1000).
 *
 * @example
 *   const dict = sketchedAffineDictionary(X, { sketchDim: 5, sample: 2000, seed: 1 });
 */
export function sketchedAffineDictionary(X: Matrix<Float64Array>, opts: SketchOptions): Dictionary & { S: Matrix<Float64Array> } {
  assertOption(opts !== undefined, 'sketchedAffineDictionary needs options with at least sketchDim');
  checkOptions('sketchedAffineDictionary', opts, SKETCH_OPTIONS);
  checkData('sketchedAffineDictionary', X);
  const d = X.cols;
  const s = opts.sketchDim;
  const S = countSketch(d, s, opts.seed ?? 0);
  const XS = Matrix.zeros(X.rows, s);
  for (let i = 0; i < X.rows; i++) for (let k = 0; k < d; k++) {
    const v = X.get(i, k);
    if (v === 0) continue;
    for (let c = 0; c < s; c++) XS.data[i * s + c] += v * S.get(k, c);
  }
  const count = opts.sample ?? 1000;
  assertOption(Number.isInteger(count) && count > 0, `the number of sampled subsets must be a positive integer, got ${count}`);
  assertOption(X.rows >= s, `a sketched neuron needs s = ${s} samples, the data has ${X.rows}`);
  const rng = new Rng((opts.seed ?? 0) + 1);
  const atoms: Atom[] = [];
  for (let t = 0; t < count; t++) {
    const J = randomSubset(rng, X.rows, s);
    const pd = XS.row(J[s - 1]);
    const diffs = J.slice(0, s - 1).map((j) => Array.from(XS.row(j), (v, k) => v - pd[k]));
    const v = s === 1 ? Float64Array.of(1) : crossProduct(diffs);
    const w = new Float64Array(d);
    for (let k = 0; k < d; k++) for (let c = 0; c < s; c++) w[k] += S.get(k, c) * v[c];
    const xs = X.row(J[s - 1]);
    let b = 0;
    for (let k = 0; k < d; k++) b -= w[k] * xs[k];
    pushBothOrientations(atoms, w, b, J);
  }
  return { ...finalize('sketched', X, atoms, count, false), S };
}
