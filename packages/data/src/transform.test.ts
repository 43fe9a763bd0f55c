import { describe, expect, it } from 'vitest';
import { CvxnnError, Matrix, Rng } from '@cvxnn/linalg';
import { parseCsv } from './csv.js';
import { applyStandardizer, classCounts, fitStandardizer, oneHot, signLabels, subset, trainTestSplit } from './transform.js';
import type { Dataset } from './types.js';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CvxnnError);
    return (e as CvxnnError).code;
  }
  throw new Error('expected a CvxnnError');
}

function column(rows: number[][], k: number): number[] {
  return rows.map((r) => r[k]!);
}
const meanOf = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const popStd = (a: number[]) => Math.sqrt(meanOf(a.map((v) => (v - meanOf(a)) ** 2)));

function gaussianRows(n: number, d: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, (_, k) => 100 * k + (k + 1) * rng.normal()));
}

describe('standardization', () => {
  const rows = gaussianRows(40, 3, 1);
  const X = Matrix.from(rows);
  it('matches direct mean / population std, and the result has mean 0, std 1', () => {
    const s = fitStandardizer(X);
    for (let k = 0; k < 3; k++) {
      expect(s.mean[k]!).toBeCloseRel(meanOf(column(rows, k)), 1e-12, 0);
      expect(s.scale[k]!).toBeCloseRel(popStd(column(rows, k)), 1e-12, 0);
    }
    const Z = applyStandardizer(X, s).toArrays();
    for (let k = 0; k < 3; k++) {
      expect(meanOf(column(Z, k))).toBeCloseRel(0, 0, 1e-12);
      expect(popStd(column(Z, k))).toBeCloseRel(1, 1e-12, 0);
    }
  });
  it('constant columns get scale 1, are reported, and map to 0', () => {
    const C = Matrix.from([[1, 7], [2, 7], [4, 7]]);
    const s = fitStandardizer(C);
    expect(s.constantColumns).toEqual([1]);
    expect(s.scale[1]).toBe(1);
    expect(Array.from(applyStandardizer(C, s).colCopy(1))).toAllClose([0, 0, 0], { rtol: 0, atol: 0 });
  });
  it('train statistics applied to test data: no leakage from the test rows', () => {
    const train = Matrix.from(rows.slice(0, 30));
    const testRows = rows.slice(30).map((r) => r.map((v) => v + 1000)); // shifted test data
    const test = Matrix.from(testRows);
    const s = fitStandardizer(train);
    const Zt = applyStandardizer(test, s).toArrays();
    for (let k = 0; k < 3; k++) {
      const mu = meanOf(column(rows.slice(0, 30), k));
      const sd = popStd(column(rows.slice(0, 30), k));
      expect(column(Zt, k)).toAllClose(column(testRows, k).map((v) => (v - mu) / sd), { rtol: 1e-12, atol: 1e-12 });
      // the shifted test mean is visible, not hidden by re-fitting on test
      expect(meanOf(column(Zt, k))).toBeGreaterThan(5);
    }
    expect(Array.from(fitStandardizer(train).mean)).toAllClose(Array.from(s.mean), { rtol: 0, atol: 0 });
  });
  it('works on strided views', () => {
    const big = Matrix.from(rows);
    const view = big.view(5, 1, 10, 2);
    const direct = Matrix.from(rows.slice(5, 15).map((r) => r.slice(1, 3)));
    const a = fitStandardizer(view);
    const b = fitStandardizer(direct);
    expect(Array.from(a.mean)).toAllClose(Array.from(b.mean), { rtol: 1e-14, atol: 0 });
    expect(Array.from(applyStandardizer(view, a).data)).toAllClose(Array.from(applyStandardizer(direct, b).data), { rtol: 1e-12, atol: 1e-14 });
  });
  it('refuses empty, non-finite and mismatched input', () => {
    expect(codeOf(() => fitStandardizer(Matrix.zeros(0, 3)))).toBe('EMPTY_DATA');
    expect(codeOf(() => fitStandardizer(Matrix.from([[1, Number.NaN]])))).toBe('NON_FINITE');
    expect(codeOf(() => applyStandardizer(Matrix.zeros(2, 2), fitStandardizer(X)))).toBe('SHAPE_MISMATCH');
  });
});

function classDataset(counts: number[]): Dataset {
  const lines = ['f,c'];
  let i = 0;
  // interleave classes so that order does not give the split away
  const left = [...counts];
  while (left.some((c) => c > 0)) for (let c = 0; c < counts.length; c++) if (left[c]! > 0) (left[c]!--, lines.push(`${i++},k${c}`));
  return parseCsv(lines.join('\n'));
}

describe('trainTestSplit', () => {
  const ds = classDataset([50, 30, 7]);
  it('is reproducible from the seed, disjoint, and covers every row once', () => {
    const a = trainTestSplit(ds, 0.3, 5);
    const b = trainTestSplit(ds, 0.3, 5);
    expect(Array.from(a.test.X.data)).toEqual(Array.from(b.test.X.data));
    const ids = (p: Dataset) => Array.from(p.X.data); // feature f is the row id
    const all = [...ids(a.train), ...ids(a.test)].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 87 }, (_, i) => i));
    expect(a.test.X.rows).toBe(Math.round(87 * 0.3));
    const c = trainTestSplit(ds, 0.3, 6);
    expect(ids(c.test)).not.toEqual(ids(a.test));
    // labels travel with their rows
    for (const part of [a.train, a.test]) for (let r = 0; r < part.X.rows; r++) expect(part.y[r]).toBe(ds.y[part.X.data[r]!]);
  });
  it('stratification keeps each class within ±1 of its proportional share', () => {
    for (const [f, seed] of [[0.3, 1], [0.2, 2], [0.5, 3], [0.11, 4]] as const) {
      const { test } = trainTestSplit(ds, f, seed);
      const nTest = Math.round(87 * f);
      const got = classCounts(test);
      [50, 30, 7].forEach((nk, k) => expect(Math.abs(got[k]! - (nk * nTest) / 87)).toBeLessThanOrEqual(1));
      expect(got.reduce((s, v) => s + v, 0)).toBe(nTest);
    }
  });
  it('stratify: false on classification and plain splits on regression', () => {
    const { test } = trainTestSplit(ds, 0.25, 9, { stratify: false });
    expect(test.X.rows).toBe(22);
    const reg = parseCsv('a,y\n' + Array.from({ length: 10 }, (_, i) => `${i},${i + 0.5}`).join('\n'));
    const r = trainTestSplit(reg, 0.2, 0);
    expect(r.test.X.rows).toBe(2);
    expect(r.train.X.rows).toBe(8);
    expect(codeOf(() => trainTestSplit(reg, 0.2, 0, { stratify: true }))).toBe('INVALID_OPTION');
  });
  it('refuses bad fractions and seeds', () => {
    for (const f of [0, 1, -0.1, Number.NaN, 0.001]) expect(codeOf(() => trainTestSplit(ds, f, 0))).toBe('INVALID_OPTION');
    expect(codeOf(() => trainTestSplit(ds, 0.2, 1.5))).toBe('INVALID_OPTION');
  });
});

describe('encodings and subsets', () => {
  it('oneHot puts a single 1 in column y[i]', () => {
    const Y = oneHot(Float64Array.from([2, 0, 1]), 3);
    expect(Y.toArrays()).toEqual([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
    expect(codeOf(() => oneHot(Float64Array.from([3]), 3))).toBe('INVALID_OPTION');
    expect(codeOf(() => oneHot(Float64Array.from([0.5]), 3))).toBe('INVALID_OPTION');
  });
  it('signLabels maps 0 → −1 and 1 → +1 and refuses other values', () => {
    expect(Array.from(signLabels(Float64Array.from([0, 1, 0])))).toEqual([-1, 1, -1]);
    expect(codeOf(() => signLabels(Float64Array.from([2])))).toBe('INVALID_OPTION');
  });
  it('subset copies rows in order and keeps the metadata', () => {
    const ds = parseCsv('a,b,c\n1,2,x\n3,4,y\n5,6,x\n');
    const s = subset(ds, [2, 0, 2]);
    expect(Array.from(s.X.data)).toEqual([5, 6, 1, 2, 5, 6]);
    expect(Array.from(s.y)).toEqual([0, 0, 0]);
    expect(s.classes).toEqual(['x', 'y']);
    expect(codeOf(() => subset(ds, [3]))).toBe('INVALID_OPTION');
    expect(codeOf(() => subset(ds, [0.5]))).toBe('INVALID_OPTION');
  });
});

describe('applyStandardizer input checks', () => {
  it('refuses non-finite entries and unusable statistics; a {mean, scale} literal works', () => {
    const s = { mean: Float64Array.from([1]), scale: Float64Array.from([2]) };
    expect(Array.from(applyStandardizer(Matrix.from([[5], [-1]]), s).data)).toEqual([2, -1]);
    expect(codeOf(() => applyStandardizer(Matrix.from([[Number.POSITIVE_INFINITY]]), s))).toBe('NON_FINITE');
    expect(codeOf(() => applyStandardizer(Matrix.from([[1]]), { mean: Float64Array.from([0]), scale: Float64Array.from([0]) }))).toBe('INVALID_OPTION');
    expect(applyStandardizer(Matrix.zeros(0, 1), s).rows).toBe(0);
  });
});
