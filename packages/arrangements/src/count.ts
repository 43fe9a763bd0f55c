import { assertOption } from '@cvxnn/linalg';

function checkNr(fn: string, n: number, r: number): void {
  assertOption(Number.isInteger(n) && n >= 0, `${fn}: n (number of hyperplanes) must be a non-negative integer, got ${n}`);
  assertOption(Number.isInteger(r) && r >= 0, `${fn}: r (rank) must be a non-negative integer, got ${r}`);
}

/**
 * Exact number of chambers of a central arrangement of n hyperplanes in general position in an
 * r-dimensional space (Cover 1965 / Zaslavsky): 2·Σ_{k<r} C(n−1, k) (SPEC §1.2). For n ≤ r this is
 * 2ⁿ. Computed in exact integer arithmetic (BigInt); returned as a number, which is exact below
 * 2⁵³ and the nearest double above. n = 0 or r = 0 gives 1 (the whole space).
 *
 * @example
 *   regionCount(6, 3); // 32
 *   regionCount(7, 2); // 14 (1-D data with a bias column)
 */
export function regionCount(n: number, r: number): number {
  checkNr('regionCount', n, r);
  if (n === 0 || r === 0) return 1;
  const N = BigInt(n - 1);
  let binom = 1n; // C(n−1, 0)
  let sum = 0n;
  for (let k = 0n; k < BigInt(r) && k <= N; k++) {
    sum += binom;
    binom = (binom * (N - k)) / (k + 1n);
  }
  return Number(2n * sum);
}

/**
 * The upper bound 2r·(e(n−1)/r)^r on the number of chambers (Pilanci & Ergen 2020, Remark 3.2;
 * SPEC §1.2), used to size problems when enumeration is infeasible. Valid for n − 1 ≥ r ≥ 1.
 *
 * @example
 *   regionCountBound(60, 4); // ≈ 2.07e7, while regionCount(60, 4) = 68 560
 */
export function regionCountBound(n: number, r: number): number {
  checkNr('regionCountBound', n, r);
  if (n === 0 || r === 0) return 1;
  return 2 * r * Math.pow((Math.E * (n - 1)) / r, r);
}
