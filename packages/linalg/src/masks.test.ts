import { describe, expect, it } from 'vitest';
import { CvxnnError } from './errors.js';
import { PatternMasks } from './masks.js';
import { Matrix } from './matrix.js';
import { Rng } from './random.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof CvxnnError ? e.code : `not a CvxnnError: ${String(e)}`;
  }
  return undefined;
}

/** The definition, one dot product at a time: m_ji = 1[⟨x_j, g_i⟩ > 0]. */
function directPatterns(X: Matrix, G: Matrix, strict = true): number[][] {
  const out: number[][] = [];
  for (let j = 0; j < X.rows; j++) {
    const row: number[] = [];
    for (let i = 0; i < G.cols; i++) {
      let s = 0;
      for (let k = 0; k < X.cols; k++) s += X.get(j, k) * G.get(k, i);
      row.push((strict ? s > 0 : s >= 0) ? 1 : 0);
    }
    out.push(row);
  }
  return out;
}

/** Random sign-only data keeps X g away from 0 except where it is exactly 0. */
function randn(rng: Rng, r: number, c: number): Matrix {
  return new Matrix(r, c, rng.normalArray(r * c));
}

describe('PatternMasks', () => {
  for (const p of [31, 32, 33]) {
    it(`packs P=${p} patterns into ${Math.ceil(p / 32)} word(s) per row, every bit addressable`, () => {
      const n = 3;
      const m = new PatternMasks(n, p);
      expect(m.wordsPerRow).toBe(Math.ceil(p / 32));
      expect(m.bits.length).toBe(n * Math.ceil(p / 32));
      // set one bit at a time and check it is the only one set
      for (const j of [0, n - 1]) {
        for (const i of [0, 30, p - 1]) {
          m.set(j, i, true);
          const dense = m.toDense();
          let ones = 0;
          for (const row of dense) for (const v of row) ones += v;
          expect(ones).toBe(1);
          expect(dense[j][i]).toBe(1);
          expect(m.get(j, i)).toBe(1);
          m.set(j, i, false);
          expect(m.get(j, i)).toBe(0);
        }
      }
      // bit 31 is the sign bit of an int32: it must still read back as 1
      if (p >= 32) {
        m.set(1, 31, 1);
        expect(m.get(1, 31)).toBe(1);
        expect(m.bits[1 * m.wordsPerRow]).toBe(2 ** 31);
      }
    });
  }

  it('round-trips dense ↔ packed, columns and counts agree with the dense form', () => {
    const rng = new Rng(3);
    const n = 37;
    const p = 45;
    const dense: number[][] = Array.from({ length: n }, () => Array.from({ length: p }, () => (rng.uniform() < 0.4 ? 1 : 0)));
    const m = PatternMasks.fromDense(dense);
    expect(m.toDense()).toEqual(dense);
    const cols = Array.from({ length: p }, (_, i) => dense.map((row) => row[i]));
    expect(PatternMasks.fromColumns(n, cols).toDense()).toEqual(dense);
    for (const i of [0, 31, 32, 44]) expect(Array.from(m.column(i))).toEqual(cols[i]);
    const counts = Array.from(m.activeCounts());
    expect(counts).toEqual(cols.map((c) => c.reduce((a, b) => a + b, 0)));
  });

  it('fromGates agrees with the direct definition 1[X g_i > 0] (ragged P, chunked rows)', () => {
    const rng = new Rng(11);
    const X = randn(rng, 203, 6);
    const G = randn(rng, 6, 70);
    const want = directPatterns(X, G);
    expect(PatternMasks.fromGates(X, G).toDense()).toEqual(want);
    expect(PatternMasks.fromGates(X, G, true, 7).toDense()).toEqual(want);
    // a strided view of X gives the same patterns as its copy
    const big = randn(rng, 210, 9);
    const V = big.view(4, 2, 203, 6);
    expect(PatternMasks.fromGates(V, G).toDense()).toEqual(directPatterns(V.clone(), G));
  });

  it('fromGates: strict (>) and non-strict (≥) differ exactly on samples with X g = 0', () => {
    const X = Matrix.from([
      [1, 0],
      [0, 0], // X g = 0 for every gate
      [-1, 2],
      [2, 1], // orthogonal to g_2 = (1, −2)
    ]);
    const G = Matrix.from([
      [1, 1],
      [0, -2],
    ]);
    expect(PatternMasks.fromGates(X, G).toDense()).toEqual(directPatterns(X, G, true));
    expect(PatternMasks.fromGates(X, G, false).toDense()).toEqual(directPatterns(X, G, false));
    expect(PatternMasks.fromGates(X, G).toDense()).toEqual([
      [1, 1],
      [0, 0],
      [0, 0],
      [1, 0],
    ]);
    expect(PatternMasks.fromGates(X, G, false).toDense()).toEqual([
      [1, 1],
      [1, 1],
      [0, 0],
      [1, 1],
    ]);
  });

  it('fromGates accepts fp32 data (widened to fp64)', () => {
    const rng = new Rng(5);
    const X = randn(rng, 40, 4).toFloat32();
    const G = randn(rng, 4, 9).toFloat32();
    expect(PatternMasks.fromGates(X, G).toDense()).toEqual(directPatterns(X.toFloat64(), G.toFloat64()));
  });

  it('fromGates refuses mismatched dimensions, non-finite entries and bad chunks', () => {
    const X = Matrix.zeros(5, 3);
    expect(codeOf(() => PatternMasks.fromGates(X, Matrix.zeros(2, 4)))).toBe('SHAPE_MISMATCH');
    expect(() => PatternMasks.fromGates(X, Matrix.zeros(2, 4))).toThrow(/d = 3/);
    const Xn = Matrix.zeros(5, 3);
    Xn.set(2, 1, Number.NaN);
    expect(codeOf(() => PatternMasks.fromGates(Xn, Matrix.zeros(3, 4)))).toBe('NON_FINITE');
    expect(() => PatternMasks.fromGates(Xn, Matrix.zeros(3, 4))).toThrow(/row 2, column 1/);
    const Gi = Matrix.zeros(3, 4);
    Gi.set(0, 3, Number.POSITIVE_INFINITY);
    expect(codeOf(() => PatternMasks.fromGates(X, Gi))).toBe('NON_FINITE');
    expect(codeOf(() => PatternMasks.fromGates(X, Matrix.zeros(3, 4), true, 0))).toBe('INVALID_OPTION');
  });

  it('fromGates on empty data or no gates gives an empty mask set', () => {
    expect(PatternMasks.fromGates(Matrix.zeros(0, 3), Matrix.zeros(3, 5)).n).toBe(0);
    const m = PatternMasks.fromGates(Matrix.zeros(4, 3), Matrix.zeros(3, 0));
    expect(m.p).toBe(0);
    expect(m.bits.length).toBe(0);
  });

  it('select keeps the chosen patterns in order (repeats allowed) and checks the indices', () => {
    const rng = new Rng(9);
    const dense = Array.from({ length: 20 }, () => Array.from({ length: 40 }, () => (rng.uniform() < 0.5 ? 1 : 0)));
    const m = PatternMasks.fromDense(dense);
    const idx = [39, 0, 32, 31, 0];
    const s = m.select(idx);
    expect(s.p).toBe(5);
    expect(s.toDense()).toEqual(dense.map((row) => idx.map((i) => row[i])));
    expect(codeOf(() => m.select([40]))).toBe('INVALID_OPTION');
    expect(codeOf(() => m.select([-1]))).toBe('INVALID_OPTION');
    expect(codeOf(() => m.select([1.5]))).toBe('INVALID_OPTION');
  });

  it('rows keeps the chosen samples in order (repeats allowed) and checks the indices', () => {
    const rng = new Rng(10);
    const dense = Array.from({ length: 12 }, () => Array.from({ length: 37 }, () => (rng.uniform() < 0.5 ? 1 : 0)));
    const m = PatternMasks.fromDense(dense);
    const idx = [11, 0, 5, 5];
    expect(m.rows(idx).toDense()).toEqual(idx.map((j) => dense[j]));
    expect(codeOf(() => m.rows([12]))).toBe('INVALID_OPTION');
    expect(codeOf(() => m.rows([0.5]))).toBe('INVALID_OPTION');
  });

  it('refuses bad shapes and wrongly sized bit buffers', () => {
    expect(codeOf(() => new PatternMasks(-1, 3))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => new PatternMasks(2, 33, new Uint32Array(2)))).toBe('SHAPE_MISMATCH');
    expect(new PatternMasks(2, 33, new Uint32Array(4)).wordsPerRow).toBe(2);
    expect(codeOf(() => PatternMasks.fromDense([[1, 0], [1]]))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => PatternMasks.fromColumns(3, [[1, 0]]))).toBe('SHAPE_MISMATCH');
  });
});
