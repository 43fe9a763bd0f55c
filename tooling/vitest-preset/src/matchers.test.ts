import { describe, expect, it } from 'vitest';
import { floatMatchers, isClose } from './matchers.js';

describe('isClose: |a − b| ≤ atol + rtol·max(|a|, |b|)', () => {
  it('accepts inside and refuses just outside the relative band', () => {
    expect(isClose(100, 100.001, 1e-6, 0)).toBe(false); // 1e-3 > 1e-6·100.001
    expect(isClose(100, 100.001, 1e-5, 0)).toBe(true); // 1e-3 ≤ 1e-5·100.001
    expect(isClose(1, 1.01, 0.01, 0)).toBe(true); // |diff| = 0.01 ≤ 0.01·1.01
    expect(isClose(1, 1.02, 0.01, 0)).toBe(false);
  });
  it('atol decides near zero, where a relative band is empty', () => {
    expect(isClose(0, 1e-300, 1e-9, 0)).toBe(false);
    expect(isClose(0, 1e-13, 0, 1e-12)).toBe(true);
    expect(isClose(0, 2e-12, 0, 1e-12)).toBe(false);
  });
  it('NaN is never close (not even to NaN); equal infinities are, opposite ones are not', () => {
    expect(isClose(Number.NaN, Number.NaN, 1, 1)).toBe(false);
    expect(isClose(1, Number.NaN, 1, 1)).toBe(false);
    expect(isClose(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 0, 0)).toBe(true);
    expect(isClose(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1, 1)).toBe(false);
    // an infinite result must not match a finite expectation, whatever the tolerance
    expect(isClose(Number.POSITIVE_INFINITY, 1e308, 0.5, 0)).toBe(false);
    expect(isClose(Number.POSITIVE_INFINITY, 5, 1e-9, 0)).toBe(false);
    expect(isClose(5, Number.NEGATIVE_INFINITY, 1e-9, 1)).toBe(false);
  });
});

describe('the matchers as installed by the preset', () => {
  it('toBeCloseRel passes, fails, and negates', () => {
    expect(1 + 1e-12).toBeCloseRel(1, 1e-11);
    expect(1.1).not.toBeCloseRel(1, 1e-3);
    expect(Number.POSITIVE_INFINITY).not.toBeCloseRel(3, 1e-9);
    expect(() => expect(1.1).toBeCloseRel(1, 1e-3)).toThrow(/within rtol=0.001/);
    expect(() => expect('1' as unknown as number).toBeCloseRel(1)).toThrow();
  });
  it('toAllClose reports the worst index, refuses length mismatches and NaN', () => {
    expect([1, 2, 3]).toAllClose(new Float64Array([1, 2, 3 + 1e-12]), { rtol: 1e-9 });
    expect(() => expect([1, 2.5, 3.1]).toAllClose([1, 2, 3], { rtol: 1e-9 })).toThrow(/index 1/);
    expect(() => expect([1, 2]).toAllClose([1, 2, 3])).toThrow(/length 2 != expected length 3/);
    expect(() => expect([1, Number.NaN]).toAllClose([1, 0], { atol: 10 })).toThrow(/index 1/);
    expect([1, 5]).not.toAllClose([1, 2]);
    // the raw matcher object agrees
    expect(floatMatchers.toAllClose([0, 1e-13], [0, 0], { atol: 1e-12 }).pass).toBe(true);
  });
});
