import { gemm } from './cpu.js';
import { assertOption, assertShape, CvxnnError } from './errors.js';
import { Matrix } from './matrix.js';
import { assertMatrix } from './options.js';

/**
 * Activation patterns D_1..D_P of n samples, stored bit-packed row-major: row j (a sample) holds
 * the P bits m_{j,1..P} in `wordsPerRow` 32-bit words, bit i of the row being 1 iff sample j is
 * active in pattern i. This is the layout the fused masked-product kernels read row by row.
 * Memory: n·⌈P/32⌉·4 bytes (a 10⁴×500 mask set is 640 KB, not the 40 MB of an fp64 n×P matrix).
 *
 * @example
 *   const M = PatternMasks.fromGates(X, G); // 1[X g_i > 0] for each column g_i of G
 *   M.get(3, 7); // is sample 3 active in pattern 7?
 */
export class PatternMasks {
  readonly n: number;
  readonly p: number;
  readonly wordsPerRow: number;
  readonly bits: Uint32Array;

  constructor(n: number, p: number, bits?: Uint32Array) {
    assertShape(Number.isInteger(n) && n >= 0 && Number.isInteger(p) && p >= 0, `mask shape must be non-negative integers, got ${n}×${p}`);
    this.n = n;
    this.p = p;
    this.wordsPerRow = Math.ceil(p / 32);
    const need = n * this.wordsPerRow;
    if (bits) {
      assertShape(bits.length === need, `packed masks for n=${n}, P=${p} need ${need} words, got ${bits.length}`);
      this.bits = bits;
    } else {
      this.bits = new Uint32Array(need);
    }
  }

  get(j: number, i: number): 0 | 1 {
    return ((this.bits[j * this.wordsPerRow + (i >>> 5)] >>> (i & 31)) & 1) as 0 | 1;
  }

  set(j: number, i: number, on: boolean | 0 | 1): void {
    const w = j * this.wordsPerRow + (i >>> 5);
    const b = 1 << (i & 31);
    if (on) this.bits[w] |= b;
    else this.bits[w] &= ~b;
  }

  /** Pattern i as a 0/1 byte vector of length n. */
  column(i: number): Uint8Array {
    const out = new Uint8Array(this.n);
    for (let j = 0; j < this.n; j++) out[j] = this.get(j, i);
    return out;
  }

  /** Number of active samples in each pattern. */
  activeCounts(): Int32Array {
    const out = new Int32Array(this.p);
    for (let j = 0; j < this.n; j++) for (let i = 0; i < this.p; i++) out[i] += this.get(j, i);
    return out;
  }

  /** Dense n×P 0/1 array of arrays (tests, JSON). */
  toDense(): number[][] {
    const out: number[][] = [];
    for (let j = 0; j < this.n; j++) {
      const row: number[] = new Array(this.p);
      for (let i = 0; i < this.p; i++) row[i] = this.get(j, i);
      out.push(row);
    }
    return out;
  }

  /** Patterns from columns: `cols[i][j]` is sample j's activity in pattern i. */
  static fromColumns(n: number, cols: ArrayLike<ArrayLike<number | boolean>>): PatternMasks {
    const m = new PatternMasks(n, cols.length);
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i];
      assertShape(c.length === n, `pattern ${i} has ${c.length} entries, expected n=${n}`);
      for (let j = 0; j < n; j++) if (c[j]) m.set(j, i, true);
    }
    return m;
  }

  /** Patterns from a dense n×P 0/1 array of rows. */
  static fromDense(rows: ArrayLike<ArrayLike<number | boolean>>): PatternMasks {
    const n = rows.length;
    const p = n > 0 ? rows[0].length : 0;
    const m = new PatternMasks(n, p);
    for (let j = 0; j < n; j++) {
      assertShape(rows[j].length === p, `mask row ${j} has ${rows[j].length} entries, expected ${p}`);
      for (let i = 0; i < p; i++) if (rows[j][i]) m.set(j, i, true);
    }
    return m;
  }

  /**
   * Patterns of gates: column i of `G` (d×P) gives D_i = diag(1[X g_i > 0]) (strict, as scnn;
   * `strict = false` uses ≥). The products X·G are computed by the packed CPU GEMM in row chunks
   * of `chunk` rows, so the extra memory is O(chunk·P) doubles, never n·P. fp32 inputs are
   * widened to fp64 first. Non-finite entries in X or G are refused (a NaN would silently
   * switch a sample off).
   *
   * @example
   *   const X = Matrix.from([[1, 0], [0, 1], [-1, -1]]);
   *   const G = Matrix.from([[1, -1], [0, 1]]); // gates g_1 = (1, 0), g_2 = (−1, 1)
   *   PatternMasks.fromGates(X, G).toDense(); // [[1, 0], [0, 1], [0, 0]]
   */
  static fromGates(
    X: Matrix<Float64Array | Float32Array>,
    G: Matrix<Float64Array | Float32Array>,
    strict = true,
    chunk = 256,
  ): PatternMasks {
    assertMatrix('PatternMasks.fromGates', 'X', X);
    assertMatrix('PatternMasks.fromGates', 'G', G);
    if (X.cols !== G.rows) {
      throw new CvxnnError('SHAPE_MISMATCH', `gates have dimension ${G.rows} but the data has ${X.cols} features; pass a d×P gate matrix with d = ${X.cols}`);
    }
    assertOption(Number.isInteger(chunk) && chunk > 0, `fromGates: chunk must be a positive integer, got ${chunk}`);
    const X64 = X.toFloat64().assertFinite('data X');
    const G64 = G.toFloat64().assertFinite('gates G');
    const n = X64.rows;
    const p = G64.cols;
    const m = new PatternMasks(n, p);
    if (n === 0 || p === 0) return m;
    const rows = Math.min(chunk, n);
    const T = new Matrix(rows, p, new Float64Array(rows * p));
    const wpr = m.wordsPerRow;
    const bits = m.bits;
    const Td = T.data;
    for (let r0 = 0; r0 < n; r0 += chunk) {
      const nr = Math.min(chunk, n - r0);
      gemm(X64.view(r0, 0, nr, X64.cols), G64, { out: nr === rows ? T : T.view(0, 0, nr, p) });
      for (let jj = 0; jj < nr; jj++) {
        const base = (r0 + jj) * wpr;
        const to = jj * p;
        for (let i = 0; i < p; i++) {
          const v = Td[to + i];
          if (strict ? v > 0 : v >= 0) bits[base + (i >>> 5)] |= 1 << (i & 31);
        }
      }
    }
    return m;
  }

  /**
   * A new mask set holding the given rows (samples), in order, with every pattern.
   *
   * @example
   *   masks.rows([0, 2]).n; // 2
   */
  rows(indices: ArrayLike<number>): PatternMasks {
    const w = this.wordsPerRow;
    const out = new PatternMasks(indices.length, this.p);
    for (let t = 0; t < indices.length; t++) {
      const j = indices[t];
      assertOption(Number.isInteger(j) && j >= 0 && j < this.n, `rows: row index ${j} (position ${t}) is outside 0..${this.n - 1}`);
      out.bits.set(this.bits.subarray(j * w, (j + 1) * w), t * w);
    }
    return out;
  }

  /** A new mask set holding the given patterns (in order). */
  select(indices: ArrayLike<number>): PatternMasks {
    for (let t = 0; t < indices.length; t++) {
      const i = indices[t];
      assertOption(Number.isInteger(i) && i >= 0 && i < this.p, `select: pattern index ${i} (position ${t}) is outside 0..${this.p - 1}`);
    }
    const out = new PatternMasks(this.n, indices.length);
    for (let j = 0; j < this.n; j++) {
      for (let t = 0; t < indices.length; t++) if (this.get(j, indices[t])) out.set(j, t, true);
    }
    return out;
  }
}
