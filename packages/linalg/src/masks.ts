import { assertShape, CvxnnError } from './errors.js';
import type { Matrix } from './matrix.js';

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
   * for chamber witnesses `>` and `≥` agree). Computed in row chunks, O(chunk·P) extra memory.
   */
  static fromGates(X: Matrix<Float64Array | Float32Array>, G: Matrix<Float64Array | Float32Array>, strict = true): PatternMasks {
    if (X.cols !== G.rows) {
      throw new CvxnnError('SHAPE_MISMATCH', `gates have dimension ${G.rows} but the data has ${X.cols} features; pass a d×P gate matrix with d = ${X.cols}`);
    }
    const n = X.rows;
    const d = X.cols;
    const p = G.cols;
    const m = new PatternMasks(n, p);
    const acc = new Float64Array(p);
    for (let j = 0; j < n; j++) {
      acc.fill(0);
      const xo = X.offset + j * X.stride;
      for (let k = 0; k < d; k++) {
        const xk = X.data[xo + k];
        if (xk === 0) continue;
        const go = G.offset + k * G.stride;
        for (let i = 0; i < p; i++) acc[i] += xk * G.data[go + i];
      }
      const base = j * m.wordsPerRow;
      for (let i = 0; i < p; i++) {
        if (strict ? acc[i] > 0 : acc[i] >= 0) m.bits[base + (i >>> 5)] |= 1 << (i & 31);
      }
    }
    return m;
  }

  /** A new mask set holding the given patterns (in order). */
  select(indices: ArrayLike<number>): PatternMasks {
    const out = new PatternMasks(this.n, indices.length);
    for (let j = 0; j < this.n; j++) {
      for (let t = 0; t < indices.length; t++) if (this.get(j, indices[t])) out.set(j, t, true);
    }
    return out;
  }
}
