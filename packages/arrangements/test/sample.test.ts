import { describe, expect, it } from 'vitest';
import { Matrix, Rng, svd } from '@cvxnn/linalg';
import { convolutionalGates, enumeratePatterns, patternsFromGates, samplePatterns } from '../src/index.js';
import { gaussian, matmul, patternOf, patternStrings } from './helpers.js';

describe('samplePatterns', () => {
  const X = gaussian(12, 3, 1);
  it('A8: sampled patterns are a subset of the exact set and cover it as N grows', () => {
    const exact = new Set(patternStrings(enumeratePatterns(X).masks));
    let last = 0;
    for (const count of [10, 100, 1000, 100000]) {
      const ps = samplePatterns(X, { count, seed: 3 });
      expect(ps.method).toBe('sampled');
      expect(ps.draws).toBe(count);
      const got = patternStrings(ps.masks);
      for (const p of got) expect(exact.has(p)).toBe(true);
      expect(got.length).toBeGreaterThanOrEqual(last); // the gate stream is a prefix: more draws ⊇ fewer
      last = got.length;
    }
    expect(last).toBe(exact.size);
  });
  it('de-duplication: the distinct count equals a naive string de-dup of the same gate stream; gates reproduce the masks', () => {
    const count = 3000;
    const ps = samplePatterns(X, { count, seed: 8, dropZero: false });
    // the same stream, regenerated: gate t is the t-th block of d normals of Rng(seed)
    const rng = new Rng(8);
    const naive = new Set<string>();
    for (let t = 0; t < count; t++) naive.add(patternOf(X, rng.normalArray(3)));
    expect(ps.masks.p).toBe(naive.size);
    expect(new Set(patternStrings(ps.masks))).toEqual(naive);
    const pats = patternStrings(ps.masks);
    for (let t = 0; t < ps.masks.p; t++) expect(patternOf(X, ps.gates.colCopy(t))).toBe(pats[t]);
  });
  it('drops the zero pattern when asked (data in a half-space, where it occurs often)', () => {
    const H = Matrix.from(gaussian(20, 2, 4).toArrays().map((r) => [Math.abs(r[0]) + 3, r[1]]));
    const zero = '0'.repeat(20);
    expect(patternStrings(samplePatterns(H, { count: 2000, seed: 1, dropZero: false }).masks)).toContain(zero);
    const dropped = samplePatterns(H, { count: 2000, seed: 1 });
    expect(patternStrings(dropped.masks)).not.toContain(zero);
    expect(dropped.masks.p).toBe(samplePatterns(H, { count: 2000, seed: 1, dropZero: false }).masks.p - 1);
  });
  it('maxDraws: keeps drawing until count distinct patterns are found', () => {
    const ps = samplePatterns(X, { count: 40, seed: 2, maxDraws: 100000 });
    expect(ps.masks.p).toBe(40);
    expect(ps.draws!).toBeGreaterThan(40);
    expect(ps.draws!).toBeLessThanOrEqual(100000);
  });
  it('SPEC §8.3: sampling with rank k gives the patterns of the rank-k approximation X_k, reproduced on X by the gates', () => {
    const Y = gaussian(30, 6, 9);
    const k = 2;
    const ps = samplePatterns(Y, { count: 4000, seed: 5, rank: k });
    expect(ps.rank).toBe(k);
    // X_k = U_k Σ_k V_kᵀ by an independent SVD; its exact chamber patterns (rank 2: at most 2·30)
    const { U, s, V } = svd(Y);
    const Xk = Matrix.zeros(30, 6);
    for (let j = 0; j < 30; j++) for (let i = 0; i < 6; i++) {
      let v = 0;
      for (let c = 0; c < k; c++) v += U.get(j, c) * s[c] * V.get(i, c);
      Xk.set(j, i, v);
    }
    const exactK = new Set(patternStrings(enumeratePatterns(Xk).masks));
    expect(exactK.size).toBeLessThanOrEqual(60);
    const got = patternStrings(ps.masks);
    for (const p of got) expect(exactK.has(p)).toBe(true);
    for (let t = 0; t < ps.masks.p; t++) {
      expect(patternOf(Y, ps.gates.colCopy(t))).toBe(got[t]);
      expect(patternOf(Xk, ps.gates.colCopy(t))).toBe(got[t]);
    }
    expect(got.length).toBe(exactK.size); // 4000 gates find all ≤ 60 arcs here
  });
  it('more rows than one product chunk (65 536): the masks equal 1[X g > 0] row by row', () => {
    const rng = new Rng(12);
    const n = 70001;
    const X = new Matrix(n, 3, rng.normalArray(n * 3));
    const ps = samplePatterns(X, { count: 5, seed: 4 });
    for (let i = 0; i < ps.masks.p; i++) {
      let wrong = 0;
      for (let j = 0; j < n; j++) {
        const z = X.get(j, 0) * ps.gates.get(0, i) + X.get(j, 1) * ps.gates.get(1, i) + X.get(j, 2) * ps.gates.get(2, i);
        if ((z > 0 ? 1 : 0) !== ps.masks.get(j, i)) wrong++;
      }
      expect(wrong).toBe(0);
    }
  });

  it('reports the numerical rank of low-rank data', () => {
    const L = matmul(gaussian(40, 3, 1), gaussian(3, 8, 2));
    expect(samplePatterns(L, { count: 10, seed: 0 }).rank).toBe(3);
  });
  it('refuses bad options and data with typed errors', () => {
    expect(() => samplePatterns(X, { count: 0, seed: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => samplePatterns(X, { count: 2.5, seed: 1 })).toThrow(/count/);
    expect(() => samplePatterns(X, { count: 10, seed: 1.5 })).toThrow(/seed/);
    expect(() => samplePatterns(X, { count: 10, seed: 1, rank: 7 })).toThrow(/rank/);
    expect(() => samplePatterns(X, { count: 10, seed: 1, maxDraws: 5 })).toThrow(/maxDraws/);
    expect(() => samplePatterns(Matrix.zeros(0, 2), { count: 10, seed: 1 })).toThrow(expect.objectContaining({ code: 'EMPTY_DATA' }));
    expect(() => samplePatterns(Matrix.from([[1, Infinity]]), { count: 10, seed: 1 })).toThrow(expect.objectContaining({ code: 'NON_FINITE' }));
  });
});

describe('patternsFromGates', () => {
  const X = Matrix.from([[1, 0], [0, 1], [-1, -1], [2, 0]]);
  const G = Matrix.from([[1, 1, -1, 2, 0], [0, 0, 0, 0, -1]]); // columns (1,0),(1,0),(−1,0),(2,0),(0,−1)
  it('computes 1[Xg > 0] per gate, with dedup and zero removal as scnn', () => {
    const raw = patternsFromGates(X, G, { dedup: false, dropZero: false });
    expect(raw.method).toBe('given');
    expect(patternStrings(raw.masks)).toEqual(['1001', '1001', '0010', '1001', '0010']);
    const dd = patternsFromGates(X, G);
    expect(patternStrings(dd.masks)).toEqual(['1001', '0010']);
    expect(dd.gates.toArrays()).toEqual([[1, -1], [0, 0]]); // first gate of each pattern
  });
  it('strict >: a gate orthogonal to a sample leaves it inactive', () => {
    expect(patternStrings(patternsFromGates(X, Matrix.from([[0], [1]]), { dropZero: false }).masks)).toEqual(['0100']);
  });
  it('drops the zero pattern', () => {
    const Z = Matrix.from([[1], [1]]);
    expect(patternsFromGates(Z, Matrix.from([[-1, 1]]), { dropZero: false }).masks.p).toBe(2);
    expect(patternsFromGates(Z, Matrix.from([[-1, 1]])).masks.p).toBe(1);
  });
  it('refuses gates of the wrong dimension or with NaN', () => {
    expect(() => patternsFromGates(X, Matrix.from([[1], [2], [3]]))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => patternsFromGates(X, Matrix.from([[1], [NaN]]))).toThrow(expect.objectContaining({ code: 'NON_FINITE' }));
  });
});

describe('convolutionalGates', () => {
  it('each gate is supported on one k×k×c patch of the HWC-flattened image', () => {
    const [h, w, c, k] = [6, 5, 2, 3];
    const G = convolutionalGates({ imageShape: [h, w, c], kernel: k, count: 50, seed: 3 });
    expect(G.rows).toBe(h * w * c);
    expect(G.cols).toBe(50);
    const corners = new Set<string>();
    for (let t = 0; t < 50; t++) {
      const ys: number[] = [];
      const xs: number[] = [];
      let nnz = 0;
      for (let f = 0; f < h * w * c; f++) {
        if (G.get(f, t) !== 0) {
          nnz++;
          const pix = Math.floor(f / c);
          ys.push(Math.floor(pix / w));
          xs.push(pix % w);
        }
      }
      expect(nnz).toBe(k * k * c);
      expect(Math.max(...ys) - Math.min(...ys)).toBe(k - 1);
      expect(Math.max(...xs) - Math.min(...xs)).toBe(k - 1);
      corners.add(`${Math.min(...ys)},${Math.min(...xs)}`);
    }
    expect(corners.size).toBeGreaterThan(5); // positions vary (12 possible)
    // reproducible
    expect(convolutionalGates({ imageShape: [h, w, c], kernel: k, count: 50, seed: 3 }).data).toEqual(G.data);
  });
  it('feeds patternsFromGates', () => {
    const imgs = gaussian(20, 4 * 4 * 1, 2);
    const ps = patternsFromGates(imgs, convolutionalGates({ imageShape: [4, 4, 1], kernel: 2, count: 30, seed: 1 }));
    expect(ps.masks.p).toBeGreaterThan(0);
    expect(ps.masks.n).toBe(20);
  });
  it('refuses a kernel larger than the image and bad counts', () => {
    expect(() => convolutionalGates({ imageShape: [4, 4, 1], kernel: 5, count: 3, seed: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => convolutionalGates({ imageShape: [4, 4, 1], kernel: 2, count: 0, seed: 0 })).toThrow(/count/);
    expect(() => convolutionalGates({ imageShape: [4, 0, 1], kernel: 2, count: 3, seed: 0 })).toThrow(/width/);
  });
});
