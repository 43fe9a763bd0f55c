import { describe, expect, it } from 'vitest';
import { CvxnnError } from '@cvxnn/linalg';
import { regionCount, regionCountBound } from '../src/index.js';
import { binomPascal } from './helpers.js';

/** Zaslavsky's deletion–restriction recursion for generic central arrangements: C(n,r) = C(n−1,r) + C(n−1,r−1). */
function recursiveCount(n: number, r: number): number {
  if (r === 0 || n === 0) return 1;
  if (r === 1) return 2;
  if (n === 1) return 2;
  return recursiveCount(n - 1, r) + recursiveCount(n - 1, r - 1);
}

describe('regionCount (Cover / Zaslavsky)', () => {
  it('matches the SPEC A1/A2/A3 numbers', () => {
    expect(regionCount(6, 3)).toBe(32);
    expect(regionCount(10, 3)).toBe(92);
    expect(regionCount(7, 4)).toBe(84);
    expect(regionCount(9, 4)).toBe(186);
    expect(regionCount(8, 5)).toBe(198);
    expect(regionCount(9, 2)).toBe(18);
    expect(regionCount(7, 2)).toBe(14);
  });
  it('agrees with the deletion–restriction recursion and with Pascal-triangle binomials', () => {
    for (let n = 1; n <= 14; n++) {
      for (let r = 1; r <= 6; r++) {
        expect(regionCount(n, r)).toBe(recursiveCount(n, r));
        let s = 0;
        for (let k = 0; k < r; k++) s += binomPascal(n - 1, k);
        expect(regionCount(n, r)).toBe(2 * s);
      }
    }
  });
  it('is 2^n when n ≤ r, and 2n for r = 2', () => {
    for (let n = 1; n <= 10; n++) {
      expect(regionCount(n, n)).toBe(2 ** n);
      expect(regionCount(n, n + 3)).toBe(2 ** n);
      expect(regionCount(n, 2)).toBe(2 * n);
    }
  });
  it('stays exact up to 2^53 and finite beyond', () => {
    // 2·Σ_{k<3} C(10^6 − 1, k) = 2·(1 + (10^6−1) + (10^6−1)(10^6−2)/2)
    const n = 1e6;
    expect(regionCount(n, 3)).toBe(2 * (1 + (n - 1) + ((n - 1) * (n - 2)) / 2));
    expect(regionCount(1000, 40)).toBeGreaterThan(1e60);
    expect(Number.isFinite(regionCount(1000, 40))).toBe(true);
  });
  it('the bound 2r(e(n−1)/r)^r dominates the exact count', () => {
    for (const [n, r] of [[10, 3], [60, 4], [200, 5], [1000, 10]] as const) {
      expect(regionCountBound(n, r)).toBeGreaterThanOrEqual(regionCount(n, r));
      expect(regionCountBound(n, r)).toBeCloseRel(2 * r * ((Math.E * (n - 1)) / r) ** r, 1e-12);
    }
  });
  it('refuses negative or fractional arguments', () => {
    expect(() => regionCount(-1, 2)).toThrow(CvxnnError);
    expect(() => regionCount(3, 1.5)).toThrow(/rank/);
    expect(() => regionCountBound(3, -1)).toThrow(CvxnnError);
  });
});
