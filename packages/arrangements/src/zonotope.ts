import { assertMatrix, assertOption, assertShape, checkOptions, Matrix, Rng } from '@cvxnn/linalg';
import { gateScratch, packGateBlock } from './sample.js';
import { columnWords, PatternTable } from './table.js';
import { checkData, type PatternSet } from './types.js';

function checkPatterns(X: Matrix<Float64Array>, patterns: PatternSet, fn: string): void {
  assertOption(patterns !== undefined && patterns.masks !== undefined, `${fn}: pass a PatternSet (from enumeratePatterns, samplePatterns or patternsFromGates)`);
  assertShape(patterns.masks.n === X.rows, `${fn}: the patterns are over ${patterns.masks.n} samples but X has ${X.rows} rows; use the X the patterns were computed from`);
}

/**
 * Vertices of the zonotope Z(X) = Xᵀ[0,1]ⁿ, one per chamber pattern: the vertex of chamber C is
 * Xᵀ d_C, the sum of the samples active in it (SPEC §1.5; for the full chamber set this is a
 * bijection, so the vertex count equals the chamber count). Returns P × d, row i for pattern i.
 *
 * @example
 *   const V = zonotopeVertices(X, enumeratePatterns(X, { dropZero: false })); // 4 × 2 for X = I₂
 */
export function zonotopeVertices(X: Matrix<Float64Array | Float32Array>, patterns: PatternSet): Matrix<Float64Array> {
  assertMatrix('zonotopeVertices', 'X', X);
  const X64 = checkData(X);
  checkPatterns(X64, patterns, 'zonotopeVertices');
  const { masks } = patterns;
  const d = X64.cols;
  const out = Matrix.zeros(masks.p, d);
  const wpr = masks.wordsPerRow;
  for (let j = 0; j < masks.n; j++) {
    const xo = X64.offset + j * X64.stride;
    for (let c = 0; c < wpr; c++) {
      let v = masks.bits[j * wpr + c];
      while (v !== 0) {
        const low = v & -v;
        const i = c * 32 + (31 - Math.clz32(low));
        for (let t = 0; t < d; t++) out.data[i * d + t] += X64.data[xo + t];
        v ^= low;
      }
    }
  }
  return out;
}

/**
 * Support function of the zonotope: h_Z(g) = max_{z∈Z(X)} gᵀz = 1ᵀ(Xg)₊, attained at
 * z* = Xᵀ1[Xg > 0] (unique for a generic g) (SPEC §1.5).
 *
 * @example
 *   zonotopeSupport(Matrix.eye(2), [1, -2]); // { value: 1, argmax: [1, 0] }
 */
export function zonotopeSupport(X: Matrix<Float64Array | Float32Array>, h: ArrayLike<number>): { value: number; argmax: Float64Array } {
  assertMatrix('zonotopeSupport', 'X', X);
  const X64 = checkData(X);
  const d = X64.cols;
  assertShape(h !== undefined && h.length === d, `zonotopeSupport: direction has ${h?.length} entries but X has ${d} features`);
  for (let i = 0; i < d; i++) assertOption(Number.isFinite(h[i]), `zonotopeSupport: direction entry ${i} is ${h[i]}; pass finite numbers`);
  let value = 0;
  const argmax = new Float64Array(d);
  for (let j = 0; j < X64.rows; j++) {
    const xo = X64.offset + j * X64.stride;
    let v = 0;
    for (let t = 0; t < d; t++) v += X64.data[xo + t] * h[t];
    if (v > 0) {
      value += v;
      for (let t = 0; t < d; t++) argmax[t] += X64.data[xo + t];
    }
  }
  return { value, argmax };
}

/**
 * Monte-Carlo estimate of each pattern's probability under a Gaussian gate g ~ N(0, I_d), i.e. the
 * normalised solid angle of its chamber (SPEC §1.4): the fraction of `samples` gates whose pattern
 * 1[Xg > 0] is pattern i, with its binomial standard error √(p(1−p)/N). `missedMass` is the
 * fraction of gates whose pattern is not in the set (e.g. the dropped zero pattern, or chambers a
 * sampled set missed). The solid-angle weights of SPEC §1.4 are θ_i = P·probabilities[i].
 *
 * @example
 *   const { probabilities, stderr } = estimateSolidAngles(X, enumeratePatterns(X), { samples: 1e5, seed: 1 });
 */
export function estimateSolidAngles(
  X: Matrix<Float64Array | Float32Array>,
  patterns: PatternSet,
  opts: { samples: number; seed: number },
): { probabilities: Float64Array; stderr: Float64Array; missedMass: number } {
  assertMatrix('estimateSolidAngles', 'X', X);
  checkOptions('estimateSolidAngles', opts, { samples: 'number', seed: 'number' });
  const X64 = checkData(X);
  checkPatterns(X64, patterns, 'estimateSolidAngles');
  assertOption(opts !== undefined && Number.isInteger(opts.samples) && opts.samples > 0, `estimateSolidAngles: samples must be a positive integer, got ${opts?.samples}`);
  assertOption(Number.isInteger(opts.seed), `estimateSolidAngles: seed must be an integer, got ${opts.seed}`);
  const { masks } = patterns;
  const n = masks.n;
  const d = X64.cols;
  const table = new PatternTable(n, masks.p);
  const cols = columnWords(masks);
  const index = new Int32Array(masks.p);
  for (let i = 0; i < masks.p; i++) index[i] = table.add(cols, i * table.words);
  const counts = new Float64Array(masks.p);
  const B = 256;
  const G = Matrix.zeros(d, B);
  const scratch = gateScratch(n);
  const packed = new Uint32Array(B * table.words);
  const rng = new Rng(opts.seed);
  let missed = 0;
  for (let start = 0; start < opts.samples; start += B) {
    const nb = Math.min(B, opts.samples - start);
    for (let t = 0; t < nb; t++) for (let i = 0; i < d; i++) G.data[i * B + t] = rng.normal();
    const Gb = nb === B ? G : G.view(0, 0, d, nb).clone();
    packGateBlock(X64, Gb, scratch, packed, table.words);
    for (let t = 0; t < nb; t++) {
      const p = table.find(packed, t * table.words);
      if (p < 0) missed++;
      else counts[p]++;
    }
  }
  // duplicate patterns in the set share the first copy's count
  const N = opts.samples;
  const probabilities = new Float64Array(masks.p);
  const stderr = new Float64Array(masks.p);
  for (let i = 0; i < masks.p; i++) {
    const owner = index[i] >= 0 ? index[i] : table.find(cols, i * table.words);
    const p = counts[owner] / N;
    probabilities[i] = p;
    stderr[i] = Math.sqrt((p * (1 - p)) / N);
  }
  return { probabilities, stderr, missedMass: missed / N };
}
