import { assertMatrix, assertOption, assertShape, checkOptions, eigh, getBackend, Matrix, type OptionSpec, Rng } from '@cvxnn/linalg';
import { PatternTable } from './table.js';
import { checkData, type PatternSet } from './types.js';

/** Gates per GEMM block when computing patterns: the scratch X·G block is n × GATE_BLOCK doubles. */
const GATE_BLOCK = 256;

/** Rows of X multiplied at a time by a gate block: the scratch is ROW_CHUNK × GATE_BLOCK doubles (128 MiB), whatever n is. */
const ROW_CHUNK = 1 << 16;

/**
 * The scratch {@link packGateBlock} needs for n rows: min(n, ROW_CHUNK) × GATE_BLOCK.
 * @internal
 */
export function gateScratch(n: number): Matrix<Float64Array> {
  return Matrix.zeros(Math.max(1, Math.min(n, ROW_CHUNK)), GATE_BLOCK);
}

/**
 * Column-packed patterns of a block of gates: bit j of column t is 1[(X G)_{j,t} > 0].
 * `out` holds `cols` columns of `words` words each. X G is formed `scratch.rows` rows at a time
 * (n × GATE_BLOCK doubles at once would be 17 GiB for Fashion-MNIST's 8.6 million patches).
 * @internal
 */
export function packGateBlock(X: Matrix<Float64Array>, G: Matrix<Float64Array>, scratch: Matrix<Float64Array>, out: Uint32Array, words: number): void {
  const n = X.rows;
  const cols = G.cols;
  const chunk = scratch.rows;
  out.fill(0, 0, cols * words);
  for (let r0 = 0; r0 < n; r0 += chunk) {
    const nr = Math.min(chunk, n - r0);
    const T = scratch.view(0, 0, nr, cols);
    getBackend().gemm(X.view(r0, 0, nr, X.cols), G, { out: T });
    const Td = T.data;
    const st = T.stride;
    for (let jj = 0; jj < nr; jj++) {
      const row = T.offset + jj * st;
      const j = r0 + jj;
      const jw = j >>> 5;
      const jb = 1 << (j & 31);
      for (let t = 0; t < cols; t++) if (Td[row + t] > 0) out[t * words + jw] |= jb;
    }
  }
}

function isZero(words: Uint32Array, off: number, w: number): boolean {
  for (let i = 0; i < w; i++) if (words[off + i] !== 0) return false;
  return true;
}

/**
 * Numerical rank of X and its top right singular vectors, from the d × d Gram matrix XᵀX
 * (cheap for n ≫ d). Eigenvalues below 10·d·ε·λ_max count as zero (σ below ≈ 3·10⁻⁷·σ₁·√d).
 * @internal
 */
export function gramSubspace(X: Matrix<Float64Array>): { rank: number; vectors: Matrix<Float64Array>; values: Float64Array } {
  const Gm = getBackend().gemm(X, X, { transA: true });
  const { values, vectors } = eigh(Gm); // ascending
  const d = X.cols;
  const lmax = Math.max(0, values[d - 1]);
  let rank = 0;
  for (let i = 0; i < d; i++) if (values[i] > 10 * d * Number.EPSILON * lmax && values[i] > 0) rank++;
  return { rank, vectors, values };
}

interface Collected {
  table: PatternTable;
  /** for each stored pattern, the gate column (d) that produced it */
  gates: Float64Array[];
  draws: number;
}

/**
 * Run gates through X block by block, keeping each new (and, unless `dropZero` is off, non-zero)
 * pattern with its first gate. `fill(G, start)` writes gates start, start+1, … into the columns of
 * the d × block matrix G and returns how many it wrote (0: no more gates).
 */
function collect(
  X: Matrix<Float64Array>,
  fill: (G: Matrix<Float64Array>, start: number) => number,
  opts: { dropZero: boolean; dedup: boolean; stop?: (distinct: number) => boolean },
): Collected {
  const n = X.rows;
  const d = X.cols;
  const table = new PatternTable(n);
  const words = table.words;
  const gatesOut: Float64Array[] = [];
  const G = Matrix.zeros(d, GATE_BLOCK);
  const scratch = gateScratch(n);
  const packed = new Uint32Array(GATE_BLOCK * words);
  let draws = 0;
  let keptNoDedup = 0;
  const noDedup: PatternTable | null = opts.dedup ? null : new PatternTable(n);
  for (;;) {
    const cols = fill(G, draws);
    if (cols <= 0) break;
    const Gb = cols === GATE_BLOCK ? G : G.view(0, 0, d, cols).clone();
    packGateBlock(X, Gb, scratch, packed, words);
    for (let t = 0; t < cols; t++) {
      if (opts.dropZero && isZero(packed, t * words, words)) continue;
      if (noDedup) {
        noDedup.addUnchecked(packed, t * words);
        keptNoDedup++;
      } else if (table.add(packed, t * words) < 0) continue;
      const g = new Float64Array(d);
      for (let i = 0; i < d; i++) g[i] = Gb.data[i * Gb.stride + t];
      gatesOut.push(g);
    }
    draws += cols;
    if (opts.stop?.(noDedup ? keptNoDedup : table.size)) break;
  }
  return { table: noDedup ?? table, gates: gatesOut, draws };
}

function gatesMatrix(d: number, gates: Float64Array[]): Matrix<Float64Array> {
  const P = gates.length;
  const G = Matrix.zeros(d, P);
  for (let t = 0; t < P; t++) for (let i = 0; i < d; i++) G.data[i * P + t] = gates[t][i];
  return G;
}

/**
 * Options of `samplePatterns`.
 *
 * @example
 *   const opts: SampleOptions = { count: 1000, seed: 0, rank: 5 };
 */
export interface SampleOptions {
  /** number of Gaussian gates drawn (with `maxDraws`: the number of distinct patterns wanted) */
  count: number;
  /** seed of the gate stream: gate t is the t-th block of d standard normals of `new Rng(seed)` */
  seed: number;
  /** drop the all-zero pattern; default true */
  dropZero?: boolean;
  /** sample in the best rank-k approximation X_k (SPEC §8.3): gates are projected on the top-k right singular subspace */
  rank?: number;
  /** keep drawing past `count` gates until `count` distinct patterns are found or `maxDraws` gates were drawn */
  maxDraws?: number;
}

/** the most memory samplePatterns plans for (its worst case: every draw a new pattern) */
export const SAMPLE_MAX_BYTES = 16 * 2 ** 30;

/**
 * Bytes of sampling `count` Gaussian gates on an n × d input in the worst case (every draw a new
 * pattern): per draw its gate (d doubles), its bit-packed pattern and a hash entry.
 *
 * @example
 *   samplingBytes(569, 31, 1000); // ≈ 0.45 MB
 */
export function samplingBytes(n: number, d: number, count: number): number {
  return count * (8 * d + n / 4 + 64);
}

const SAMPLE_OPTIONS: OptionSpec<SampleOptions> = { count: 'number', seed: 'number', dropZero: 'boolean', rank: 'number', maxDraws: 'number' };

/**
 * Activation patterns from Gaussian gates g ~ N(0, I_d) (SPEC §1.4): D = diag(1[X g > 0]),
 * de-duplicated by hashing the bit-packed patterns, the all-zero pattern dropped by default. Each
 * distinct pattern keeps the first gate that produced it. X·G is computed by the backend GEMM in
 * blocks of 256 gates, so memory is O(n·256) doubles plus the packed patterns.
 *
 * With `rank: k`, gates are projected onto the span of the top-k right singular vectors V_k of X
 * (g ← V_k V_kᵀ g): then X g = X_k g, so the patterns are exactly those of the rank-k approximation
 * X_k sampled with Gaussian gates (SPEC §8.3), and the returned gates reproduce them on X itself.
 * The result reports the distinct count (`masks.p`) and the number of gates drawn (`draws`).
 *
 * @example
 *   const ps = samplePatterns(X, { count: 1000, seed: 0 });
 *   console.log(`${ps.masks.p} distinct patterns from ${ps.draws} gates`);
 */
export function samplePatterns(X: Matrix<Float64Array | Float32Array>, opts: SampleOptions): PatternSet {
  assertMatrix('samplePatterns', 'X', X);
  assertOption(opts !== undefined, 'samplePatterns: pass options { count, seed }');
  checkOptions('samplePatterns', opts, SAMPLE_OPTIONS);
  const X64 = checkData(X);
  const { count, seed } = opts;
  assertOption(Number.isInteger(count) && count > 0, `samplePatterns: count (number of gates to draw) must be a positive integer, got ${count}`);
  assertOption(Number.isInteger(seed), `samplePatterns: seed must be an integer, got ${seed}`);
  const d = X64.cols;
  const worst = samplingBytes(X64.rows, d, count);
  assertOption(
    worst <= SAMPLE_MAX_BYTES,
    `samplePatterns: count ${count} on ${X64.rows} × ${d} data needs up to ~${(worst / 2 ** 30).toPrecision(3)} GiB (a gate, a packed pattern and a hash entry per draw) and ${(count * X64.rows * d).toExponential(1)} multiply-adds; the limit is ${SAMPLE_MAX_BYTES / 2 ** 30} GiB — draw fewer gates`,
  );
  if (opts.rank !== undefined) {
    assertOption(Number.isInteger(opts.rank) && opts.rank >= 1 && opts.rank <= d, `samplePatterns: rank must be an integer in 1..${d} (the number of features), got ${opts.rank}`);
  }
  if (opts.maxDraws !== undefined) {
    assertOption(Number.isInteger(opts.maxDraws) && opts.maxDraws >= count, `samplePatterns: maxDraws must be an integer ≥ count (${count}), got ${opts.maxDraws}`);
  }
  const dropZero = opts.dropZero ?? true;
  const sub = gramSubspace(X64);
  let proj: Float64Array | null = null; // d × k basis V_k, row-major
  let k = d;
  if (opts.rank !== undefined && opts.rank < d) {
    k = opts.rank;
    proj = new Float64Array(d * k);
    for (let i = 0; i < d; i++) for (let c = 0; c < k; c++) proj[i * k + c] = sub.vectors.get(i, d - 1 - c);
  }
  const rng = new Rng(seed);
  const limit = opts.maxDraws ?? count;
  const g = new Float64Array(d);
  const hk = new Float64Array(k);
  const fill = (G: Matrix<Float64Array>, start: number): number => {
    const cols = Math.min(G.cols, limit - start);
    for (let t = 0; t < cols; t++) {
      for (let i = 0; i < d; i++) g[i] = rng.normal();
      if (proj) {
        for (let c = 0; c < k; c++) {
          let v = 0;
          for (let i = 0; i < d; i++) v += proj[i * k + c] * g[i];
          hk[c] = v;
        }
        for (let i = 0; i < d; i++) {
          let v = 0;
          for (let c = 0; c < k; c++) v += proj[i * k + c] * hk[c];
          g[i] = v;
        }
      }
      for (let i = 0; i < d; i++) G.data[i * G.stride + t] = g[i];
    }
    return cols;
  };
  const stop = opts.maxDraws !== undefined ? (distinct: number) => distinct >= count : undefined;
  const res = collect(X64, fill, { dropZero, dedup: true, stop });
  let P = res.gates.length;
  let keep: number[] | undefined;
  if (stop && P > count) {
    P = count;
    keep = Array.from({ length: count }, (_, i) => i);
  }
  return {
    masks: res.table.toMasks(keep),
    gates: gatesMatrix(d, res.gates.slice(0, P)),
    method: 'sampled',
    rank: opts.rank !== undefined ? Math.min(opts.rank, sub.rank) : sub.rank,
    draws: res.draws,
  };
}

/**
 * Patterns of user-given gates (d × P, one gate per column): D_i = diag(1[X g_i > 0]) with scnn's
 * strict `>`. By default duplicates and the all-zero pattern are removed (scnn's
 * `filter_duplicates`, `filter_zero`), each kept pattern with the first gate that produced it.
 *
 * @example
 *   const ps = patternsFromGates(X, Matrix.from([[1, -1], [0, 1]]), { dedup: false, dropZero: false });
 *   ps.masks.p; // 2
 */
export function patternsFromGates(
  X: Matrix<Float64Array | Float32Array>,
  gates: Matrix<Float64Array | Float32Array>,
  opts: { dropZero?: boolean; dedup?: boolean } = {},
): PatternSet {
  assertMatrix('patternsFromGates', 'X', X);
  assertMatrix('patternsFromGates', 'gates', gates);
  checkOptions('patternsFromGates', opts, { dropZero: 'boolean', dedup: 'boolean' });
  const X64 = checkData(X);
  assertShape(
    gates.rows === X64.cols,
    `patternsFromGates: gates have dimension ${gates.rows} but the data has ${X64.cols} features; pass a d×P gate matrix with d = ${X64.cols} (for appendOnes(X), d counts the constant-1 feature)`,
  );
  const G64 = gates.toFloat64().assertFinite('gates G');
  const d = X64.cols;
  const total = G64.cols;
  const fill = (G: Matrix<Float64Array>, start: number): number => {
    const cols = Math.min(G.cols, total - start);
    for (let t = 0; t < cols; t++) for (let i = 0; i < d; i++) G.data[i * G.stride + t] = G64.get(i, start + t);
    return cols;
  };
  const res = collect(X64, fill, { dropZero: opts.dropZero ?? true, dedup: opts.dedup ?? true });
  return { masks: res.table.toMasks(), gates: gatesMatrix(d, res.gates), method: 'given', rank: gramSubspace(X64).rank };
}

/**
 * Convolutional gates for flattened images (scnn's convolutional gate sampler, SPEC §1.4): each
 * gate is a Gaussian k×k×c filter placed at a uniformly random patch position of an h×w×c image
 * and zero elsewhere. Images are flattened in HWC order: pixel (y, x), channel ch is feature
 * (y·w + x)·c + ch. Returns d × count with d = h·w·c, ready for `patternsFromGates`.
 *
 * @example
 *   const G = convolutionalGates({ imageShape: [28, 28, 1], kernel: 3, count: 500, seed: 0 });
 *   const ps = patternsFromGates(images, G);
 */
export function convolutionalGates(opts: { imageShape: [number, number, number]; kernel: number; count: number; seed: number }): Matrix<Float64Array> {
  checkOptions('convolutionalGates', opts, { imageShape: 'numbers', kernel: 'number', count: 'number', seed: 'number' });
  assertOption(opts !== undefined && Array.isArray(opts.imageShape) && opts.imageShape.length === 3, 'convolutionalGates: imageShape must be [height, width, channels]');
  const [h, w, c] = opts.imageShape;
  for (const [name, v] of [['height', h], ['width', w], ['channels', c]] as const) {
    assertOption(Number.isInteger(v) && v > 0, `convolutionalGates: image ${name} must be a positive integer, got ${v}`);
  }
  const { kernel: k, count, seed } = opts;
  assertOption(Number.isInteger(k) && k >= 1 && k <= h && k <= w, `convolutionalGates: kernel must be an integer in 1..${Math.min(h, w)} (it must fit in the ${h}×${w} image), got ${k}`);
  assertOption(Number.isInteger(count) && count > 0, `convolutionalGates: count must be a positive integer, got ${count}`);
  assertOption(Number.isInteger(seed), `convolutionalGates: seed must be an integer, got ${seed}`);
  const d = h * w * c;
  const G = Matrix.zeros(d, count);
  const rng = new Rng(seed);
  for (let t = 0; t < count; t++) {
    const y0 = rng.int(h - k + 1);
    const x0 = rng.int(w - k + 1);
    for (let dy = 0; dy < k; dy++) {
      for (let dx = 0; dx < k; dx++) {
        for (let ch = 0; ch < c; ch++) G.data[(((y0 + dy) * w + (x0 + dx)) * c + ch) * count + t] = rng.normal();
      }
    }
  }
  return G;
}
