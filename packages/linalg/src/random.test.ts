import { describe, expect, it } from 'vitest';
import { CvxnnError } from './errors.js';
import { Rng } from './random.js';

describe('Rng', () => {
  it('the same seed gives the same stream; a different seed another one', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const c = new Rng(124);
    const sa = [a.uniform(), a.normal(), a.normal(), a.normal(), a.int(1000), ...a.permutation(10), ...a.normalArray(5)];
    const sb = [b.uniform(), b.normal(), b.normal(), b.normal(), b.int(1000), ...b.permutation(10), ...b.normalArray(5)];
    const sc = [c.uniform(), c.normal(), c.normal(), c.normal(), c.int(1000), ...c.permutation(10), ...c.normalArray(5)];
    expect(sa).toEqual(sb); // bit-identical streams
    expect(sa).not.toEqual(sc);
    expect(a.seed).toBe(123);
  });

  it('uniform draws lie in [0, 1) with mean 1/2 and variance 1/12 (3σ bands)', () => {
    const rng = new Rng(1);
    const N = 200_000;
    const u = rng.uniformArray(N);
    let s = 0;
    let s2 = 0;
    let outside = 0;
    for (const v of u) {
      if (!(v >= 0 && v < 1)) outside++;
      s += v;
      s2 += v * v;
    }
    const mean = s / N;
    const varc = s2 / N - mean * mean;
    expect(outside).toBe(0);
    expect(Math.abs(mean - 0.5)).toBeLessThan(3 * Math.sqrt(1 / 12 / N));
    // Var of U² is 1/5 − 1/9 = 4/45; the sample variance's sd is about sqrt(1/180 / N)
    expect(Math.abs(varc - 1 / 12)).toBeLessThan(3 * Math.sqrt(1 / 180 / N));
  });

  it('normal draws have mean 0, variance 1 and the right tail mass (3σ bands)', () => {
    const rng = new Rng(2);
    const N = 200_000;
    const z = rng.normalArray(N);
    let s = 0;
    let s2 = 0;
    let tail = 0;
    for (const v of z) {
      s += v;
      s2 += v * v;
      if (Math.abs(v) > 1.959963984540054) tail++;
    }
    const mean = s / N;
    const varc = s2 / N - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(3 / Math.sqrt(N));
    expect(Math.abs(varc - 1)).toBeLessThan(3 * Math.sqrt(2 / N)); // Var(Z²) = 2
    const pTail = tail / N; // P(|Z| > 1.96) = 0.05
    expect(Math.abs(pTail - 0.05)).toBeLessThan(3 * Math.sqrt((0.05 * 0.95) / N));
  });

  it('int(n) is uniform on 0..n−1', () => {
    const rng = new Rng(3);
    const n = 7;
    const N = 70_000;
    const counts = new Array(n).fill(0);
    let bad = 0;
    for (let t = 0; t < N; t++) {
      const k = rng.int(n);
      if (Number.isInteger(k) && k >= 0 && k < n) counts[k]++;
      else bad++;
    }
    expect(bad).toBe(0);
    const p = 1 / n;
    for (const c of counts) expect(Math.abs(c / N - p)).toBeLessThan(3 * Math.sqrt((p * (1 - p)) / N));
  });

  it('permutation is a permutation, and every position is uniform', () => {
    const rng = new Rng(4);
    for (const n of [0, 1, 2, 17, 100]) {
      const p = Array.from(rng.permutation(n));
      expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    // where element 0 lands, over many draws of a 5-permutation
    const N = 25_000;
    const pos = new Array(5).fill(0);
    for (let t = 0; t < N; t++) pos[rng.permutation(5).indexOf(0)]++;
    for (const c of pos) expect(Math.abs(c / N - 0.2)).toBeLessThan(3 * Math.sqrt((0.2 * 0.8) / N));
  });

  it('refuses non-integer seeds and bad int() bounds with INVALID_OPTION', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as CvxnnError).code;
      }
      return undefined;
    };
    expect(code(() => new Rng(1.5))).toBe('INVALID_OPTION');
    expect(code(() => new Rng(2).int(0))).toBe('INVALID_OPTION');
    expect(code(() => new Rng(2).int(2.5))).toBe('INVALID_OPTION');
  });
});
