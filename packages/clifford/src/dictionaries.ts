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
import { assertOption, assertShape, CvxnnError, Matrix, Rng } from '@cvxnn/linalg';
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

export type DictionaryKind = 'ramps' | 'span' | 'affine';

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

function checkData(X: Matrix<Float64Array>): void {
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
 * 1-D ramps in both orientations (SPEC §2.6): (x − x_j)_+ (w = +1, b = −x_j) and (x_j − x)_+
 * (w = −1, b = x_j) for every distinct data point; all-zero ramps are dropped. With a free
 * intercept this dictionary is exact for the 1-D weight-decay network with free biases.
 * `oneSided: true` gives the slides' incomplete K⁺ alone (for comparison only).
 */
export function rampDictionary(x: ArrayLike<number> | Matrix<Float64Array>, opts: { oneSided?: boolean } = {}): Dictionary {
  const X = x instanceof Matrix ? x : Matrix.fromArray(x.length, 1, Array.from(x));
  assertShape(X.cols === 1, `ramp dictionaries are for 1-D inputs; the data has ${X.cols} features (use 'span' or 'affine')`);
  checkData(X);
  const atoms: Atom[] = [];
  for (let j = 0; j < X.rows; j++) {
    const xj = X.get(j, 0);
    atoms.push({ w: Float64Array.of(1), b: -xj, J: [j] });
    if (!opts.oneSided) atoms.push({ w: Float64Array.of(-1), b: xj, J: [j] });
  }
  return finalize('ramps', X, atoms, atoms.length, true);
}

function binomial(n: number, k: number): number {
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
  /** enumerate all subsets only while their number is at most this (default 20000) */
  maxExhaustive?: number;
}

function subsets(n: number, k: number, opts: SubsetOptions, f: (J: number[]) => void): { candidates: number; exhaustive: boolean } {
  const total = binomial(n, k);
  const max = opts.maxExhaustive ?? 20000;
  if (opts.sample === undefined && total <= max) {
    forEachSubset(n, k, f);
    return { candidates: total, exhaustive: true };
  }
  const count = opts.sample ?? max;
  assertOption(Number.isInteger(count) && count > 0, `the number of sampled subsets must be a positive integer, got ${count}`);
  const rng = new Rng(opts.seed ?? 0);
  for (let s = 0; s < count; s++) f(randomSubset(rng, n, k));
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
  checkData(X);
  const d = X.cols;
  assertOption(d >= 2, 'span dictionaries need d ≥ 2 (use ramps for 1-D data)');
  const atoms: Atom[] = [];
  const info = subsets(X.rows, d - 1, opts, (J) => {
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
  checkData(X);
  const d = X.cols;
  if (d === 1) return rampDictionary(X);
  const atoms: Atom[] = [];
  const info = subsets(X.rows, d, opts, (J) => {
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
