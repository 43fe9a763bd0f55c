import { describe, expect, it } from 'vitest';
import { CvxnnError, getBackend, Matrix, PatternMasks, Rng, svd } from '@cvxnn/linalg';
import { appendOnes, enumeratePatterns, enumeratePatternsLP, regionCount } from '../src/index.js';
import { gaussian, matmul, patternOf, patternStrings, randomOrthogonal } from './helpers.js';

const sorted = (xs: string[]) => [...xs].sort();

/** A7: each witness reproduces its pattern (plain loops) with no zero margin on a non-zero row. */
function checkWitnesses(X: Matrix<Float64Array>, ps: ReturnType<typeof enumeratePatterns>): void {
  const pats = patternStrings(ps.masks);
  for (let t = 0; t < ps.masks.p; t++) {
    const g = ps.gates.colCopy(t);
    expect(patternOf(X, g)).toBe(pats[t]);
    for (let j = 0; j < X.rows; j++) {
      let v = 0;
      let nx = 0;
      for (let i = 0; i < X.cols; i++) {
        v += X.get(j, i) * g[i];
        nx += X.get(j, i) ** 2;
      }
      if (nx > 0) expect(Math.abs(v)).toBeGreaterThan(1e-12 * Math.sqrt(nx));
    }
  }
  // the bit-packed masks agree with linalg's own fromGates on the witnesses
  expect(PatternMasks.fromGates(X, ps.gates).toDense()).toEqual(ps.masks.toDense());
}

describe('enumeratePatterns: counts (SPEC A1–A5)', () => {
  it('A1: Gaussian data in general position gives 2·Σ_{k<d} C(n−1,k), up to n = 60, d = 4', () => {
    const cases: Array<[number, number, number]> = [
      [6, 3, 32], [10, 3, 92], [7, 4, 84], [9, 4, 186], [8, 5, 198], [25, 2, 50], [40, 3, 1562], [60, 4, 68560],
    ];
    cases.forEach(([n, d, expected], c) => {
      const X = gaussian(n, d, 100 + c);
      const ps = enumeratePatterns(X, { dropZero: false });
      expect(ps.masks.p).toBe(expected);
      expect(ps.rank).toBe(d);
      expect(new Set(patternStrings(ps.masks)).size).toBe(ps.masks.p); // no duplicates
    });
  });
  it('A2: low-rank X = AB counts with r, not d', () => {
    const cases: Array<[number, number, number]> = [[9, 5, 2], [12, 6, 3], [10, 7, 4]];
    for (const [n, d, r] of cases) {
      const X = matmul(gaussian(n, r, n), gaussian(r, d, d));
      const ps = enumeratePatterns(X, { dropZero: false });
      expect(ps.rank).toBe(r);
      expect(ps.masks.p).toBe(regionCount(n, r));
      checkWitnesses(X, ps);
    }
    expect(enumeratePatterns(matmul(gaussian(9, 2, 1), gaussian(2, 5, 2)), { dropZero: false }).masks.p).toBe(18);
  });
  it('A3: 1-D data with a bias column gives 2n chambers (n = 7 → 14, n = 30 → 60)', () => {
    for (const n of [7, 30]) {
      const x = new Rng(n).normalArray(n);
      const X = appendOnes(Matrix.fromArray(n, 1, x));
      const ps = enumeratePatterns(X, { dropZero: false });
      expect(ps.masks.p).toBe(2 * n);
      // independently: the chambers are the thresholds "x > a" and "x < a" over the n+1 gaps
      const xs = [...x].sort((a, b) => a - b);
      const cuts = [xs[0] - 1, ...xs.slice(1).map((v, i) => (v + xs[i]) / 2), xs[n - 1] + 1];
      const expected = new Set<string>();
      for (const a of cuts) {
        expected.add(Array.from(x, (v) => (v > a ? '1' : '0')).join(''));
        expected.add(Array.from(x, (v) => (v < a ? '1' : '0')).join(''));
      }
      expect(sorted(patternStrings(ps.masks))).toEqual(sorted([...expected]));
    }
  });
  it('A4: n ≤ r gives all 2^n patterns', () => {
    for (const [n, d] of [[3, 3], [4, 6], [5, 5]]) {
      const ps = enumeratePatterns(gaussian(n, d, n * d), { dropZero: false });
      expect(ps.masks.p).toBe(2 ** n);
    }
    // d = 1 without bias, both signs: two chambers
    expect(enumeratePatterns(Matrix.from([[1], [-2], [3]]), { dropZero: false }).masks.p).toBe(2);
  });
  it('A5: a parallel row and a row in the span of two others reduce (6,3) from 32 to 20', () => {
    const X = gaussian(6, 3, 7);
    for (let i = 0; i < 3; i++) {
      X.set(4, i, 2.5 * X.get(0, i)); // parallel to row 0
      X.set(5, i, X.get(1, i) - 0.7 * X.get(2, i)); // in the span of rows 1, 2
    }
    const ps = enumeratePatterns(X, { dropZero: false });
    expect(ps.masks.p).toBe(20);
    checkWitnesses(X, ps);
  });
  it('A5: repeated, antiparallel and zero rows: count of the de-duplicated data; zero rows always inactive', () => {
    const base = gaussian(6, 3, 11);
    const rows = base.toArrays();
    const X = Matrix.from([...rows, rows[2], rows[4].map((v) => -3 * v), [0, 0, 0]]);
    const ps = enumeratePatterns(X, { dropZero: false });
    expect(ps.masks.p).toBe(32);
    const pats = patternStrings(ps.masks);
    for (const p of pats) {
      expect(p[6]).toBe(p[2]); // repeated row: same activity
      expect(p[7]).not.toBe(p[4]); // antiparallel row: opposite activity
      expect(p[8]).toBe('0'); // zero row: inactive under '>'
    }
    checkWitnesses(X, ps);
  });
  it('fixture X1 = [[1,0],[0,1],[1,1]] has 6 chambers; X2 (SEED 002) has exactly the 4 listed patterns', () => {
    expect(enumeratePatterns(Matrix.from([[1, 0], [0, 1], [1, 1]]), { dropZero: false }).masks.p).toBe(6);
    const X2 = Matrix.from([[2, 2], [3, 3], [1, 0]]);
    const ps = enumeratePatterns(X2, { dropZero: false });
    expect(sorted(patternStrings(ps.masks))).toEqual(['000', '001', '110', '111']);
    expect(sorted(patternStrings(enumeratePatterns(X2).masks))).toEqual(['001', '110', '111']);
    checkWitnesses(X2, ps);
  });
  it('the blog/SEED 002 two-point example: two independent points give 4 chambers', () => {
    expect(enumeratePatterns(Matrix.from([[1, 0], [0, 1]]), { dropZero: false }).masks.p).toBe(4);
  });
  it('an all-zero X has one chamber (the zero pattern), dropped by default', () => {
    const X = Matrix.zeros(3, 2);
    expect(enumeratePatterns(X, { dropZero: false }).masks.p).toBe(1);
    expect(enumeratePatterns(X).masks.p).toBe(0);
  });
});

describe('enumeratePatterns: structure (SPEC A6, A7, A11, A12)', () => {
  const X = gaussian(9, 3, 3);
  const all = enumeratePatterns(X, { dropZero: false });
  it('A6: complement closure', () => {
    const set = new Set(patternStrings(all.masks));
    for (const p of set) expect(set.has(p.replace(/./g, (c) => (c === '1' ? '0' : '1')))).toBe(true);
  });
  it('A7: witnesses reproduce their patterns with non-zero margins (generic and degenerate data)', () => {
    checkWitnesses(X, all);
    const deg = Matrix.from([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 1, 1], [2, 2, 2], [0, 1, 1], [-1, 0, 1]]);
    checkWitnesses(deg, enumeratePatterns(deg, { dropZero: false }));
  });
  it('dropZero removes exactly the all-zero pattern (present iff the rows lie in an open half-space)', () => {
    // centred Gaussian rows surround the origin: no g has Xg < 0, so there is no zero pattern
    expect(patternStrings(all.masks)).not.toContain('0'.repeat(9));
    expect(enumeratePatterns(X).masks.p).toBe(all.masks.p);
    // rows with a positive first coordinate: g = −e₁ gives the zero pattern
    const H = Matrix.from(X.toArrays().map((r) => [Math.abs(r[0]) + 0.1, r[1], r[2]]));
    const withZero = enumeratePatterns(H, { dropZero: false });
    const dropped = enumeratePatterns(H);
    expect(patternStrings(withZero.masks)).toContain('0'.repeat(9));
    expect(dropped.masks.p).toBe(withZero.masks.p - 1);
    expect(patternStrings(dropped.masks)).not.toContain('0'.repeat(9));
  });
  it('A11: invariant to X → XQ (Q orthogonal) and to positive row scaling', () => {
    const XQ = matmul(X, randomOrthogonal(3, 5));
    expect(sorted(patternStrings(enumeratePatterns(XQ, { dropZero: false }).masks))).toEqual(sorted(patternStrings(all.masks)));
    const s = new Rng(9).uniformArray(9);
    const S = Matrix.from(X.toArrays().map((row, j) => row.map((v) => v * (0.1 + 10 * s[j]))));
    expect(sorted(patternStrings(enumeratePatterns(S, { dropZero: false }).masks))).toEqual(sorted(patternStrings(all.masks)));
  });
  it('A12: patterns of U_rΣ_r over R^r equal the patterns of a rank-r X over R^d', () => {
    const L = matmul(gaussian(10, 3, 21), gaussian(3, 6, 22));
    const { U, s } = svd(L);
    const Z = Matrix.zeros(10, 3);
    for (let j = 0; j < 10; j++) for (let c = 0; c < 3; c++) Z.set(j, c, U.get(j, c) * s[c]);
    expect(sorted(patternStrings(enumeratePatterns(Z, { dropZero: false }).masks))).toEqual(
      sorted(patternStrings(enumeratePatterns(L, { dropZero: false }).masks)),
    );
  });
});

describe('enumeratePatterns vs independent methods', () => {
  it('equals the LP incremental algorithm (HiGHS) on generic, low-rank and degenerate data', async () => {
    const cases: Matrix<Float64Array>[] = [
      gaussian(8, 3, 31),
      gaussian(7, 4, 32),
      matmul(gaussian(8, 2, 33), gaussian(2, 4, 34)),
      Matrix.from([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 1, 1], [2, 2, 2], [0, 1, 1], [-1, 0, 1], [0, 0, 0]]),
      appendOnes(Matrix.from([[0, 0], [1, 0], [0, 1], [1, 1], [2, 2], [0.5, 0.5]])), // collinear points with bias
      // integer rows in {−1,0,1}^4: many rays lie on more than r−1 hyperplanes (the recursive localisation)
      ((r) => Matrix.fromArray(10, 4, Array.from({ length: 40 }, () => r.int(3) - 1)))(new Rng(77)),
      appendOnes(Matrix.from([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 1]])), // cube corners + bias
    ];
    for (const X of cases) {
      const fast = enumeratePatterns(X, { dropZero: false });
      const lp = await enumeratePatternsLP(X, { dropZero: false });
      expect(sorted(patternStrings(fast.masks))).toEqual(sorted(patternStrings(lp.masks)));
      checkWitnesses(X, lp);
    }
  });
  it('a brute-force search over 2·10^5 random directions finds no pattern outside the set', () => {
    for (const [X, seed] of [[gaussian(7, 3, 41), 1], [Matrix.from([[1, 0, 0], [0, 1, 0], [1, 1, 0], [1, 1, 1], [3, 3, 3], [0, 1, 1]]), 2]] as const) {
      const set = new Set(patternStrings(enumeratePatterns(X, { dropZero: false }).masks));
      const rng = new Rng(seed);
      const seen = new Set<string>();
      for (let t = 0; t < 200000; t++) seen.add(patternOf(X, rng.normalArray(3)));
      for (const p of seen) expect(set.has(p)).toBe(true);
      // and on these small arrangements every chamber is hit
      expect(seen.size).toBe(set.size);
    }
  });
  it('a dense grid of directions on the circle finds exactly the chambers for d = 2', () => {
    const X = Matrix.from([[1, 0], [0, 1], [1, 1], [1, -2], [-3, 1], [2, 2]]);
    const set = new Set(patternStrings(enumeratePatterns(X, { dropZero: false }).masks));
    const seen = new Set<string>();
    for (let t = 0; t < 100000; t++) {
      const a = (2 * Math.PI * (t + 0.5)) / 100000;
      seen.add(patternOf(X, [Math.cos(a), Math.sin(a)]));
    }
    expect(sorted([...set])).toEqual(sorted([...seen]));
    expect(set.size).toBe(10); // 5 distinct lines → 10 arcs
  });
});

describe('enumeratePatterns: errors', () => {
  it('refuses NaN, empty data and bad options with typed errors', () => {
    const bad = Matrix.from([[1, NaN], [0, 1]]);
    expect(() => enumeratePatterns(bad)).toThrow(expect.objectContaining({ code: 'NON_FINITE' }));
    expect(() => enumeratePatterns(Matrix.zeros(0, 3))).toThrow(expect.objectContaining({ code: 'EMPTY_DATA' }));
    expect(() => enumeratePatterns(gaussian(5, 2, 1), { tol: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
  it('refuses an enumeration predicted to exceed maxPatterns, naming the predicted count', () => {
    const X = gaussian(300, 6, 1);
    let err: unknown;
    try {
      enumeratePatterns(X);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CvxnnError);
    expect((err as CvxnnError).code).toBe('INVALID_OPTION');
    expect((err as CvxnnError).message).toContain(String(regionCount(300, 6)));
    expect((err as CvxnnError).message).toMatch(/sample/);
    expect(() => enumeratePatterns(gaussian(10, 3, 1), { maxPatterns: 50 })).toThrow(/92/);
  });
});

describe('enumeratePatterns: interop', () => {
  it('the masks plug into the masked-product kernel: maskedForward = Σ_i D_i X u_i by plain loops', () => {
    const X = gaussian(15, 3, 61);
    const ps = enumeratePatterns(X);
    const U = gaussian(3, ps.masks.p, 62);
    const F = getBackend().maskedForward(X, ps.masks, U);
    const pats = patternStrings(ps.masks);
    const expected = new Float64Array(15);
    for (let j = 0; j < 15; j++) {
      for (let i = 0; i < ps.masks.p; i++) {
        if (pats[i][j] !== '1') continue;
        for (let k = 0; k < 3; k++) expected[j] += X.get(j, k) * U.get(k, i);
      }
    }
    expect(F.colCopy(0)).toAllClose(expected, { rtol: 1e-12, atol: 1e-12 });
  });
  it('accepts fp32 data (widened to fp64) with the same patterns', () => {
    const X = Matrix.from([[1, 0.5], [-0.25, 1], [1, 1], [0.75, -1]]);
    const X32 = X.toFloat32();
    expect(sorted(patternStrings(enumeratePatterns(X32, { dropZero: false }).masks))).toEqual(sorted(patternStrings(enumeratePatterns(X, { dropZero: false }).masks)));
  });
});
