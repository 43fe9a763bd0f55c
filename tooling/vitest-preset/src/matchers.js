// @ts-check
/**
 * Float-tolerance matchers. Every numerical comparison in cvxnn tests uses one of these,
 * never `toEqual` on floats.
 *
 * - `toBeCloseRel(expected, rtol = 1e-9, atol = 0)`: |a − b| ≤ atol + rtol·max(|a|, |b|)
 * - `toAllClose(expected, { rtol = 1e-9, atol = 0 })`: elementwise over array-likes of equal length
 */

/** @param {number} a @param {number} b @param {number} rtol @param {number} atol */
export function isClose(a, b, rtol, atol) {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (a === b) return true;
  // an infinity equals only itself: without this, |∞ − b| ≤ rtol·∞ would let ∞ match any b
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= atol + rtol * Math.max(Math.abs(a), Math.abs(b));
}

export const floatMatchers = {
  /** @param {number} received @param {number} expected */
  toBeCloseRel(received, expected, rtol = 1e-9, atol = 0) {
    const pass = typeof received === 'number' && isClose(received, expected, rtol, atol);
    return {
      pass,
      message: () =>
        `expected ${received} ${pass ? 'not ' : ''}to be within rtol=${rtol}, atol=${atol} of ${expected}` +
        ` (|diff| = ${Math.abs(received - expected)})`,
    };
  },
  /** @param {ArrayLike<number>} received @param {ArrayLike<number>} expected */
  toAllClose(received, expected, opts = {}) {
    const { rtol = 1e-9, atol = 0 } = /** @type {{rtol?: number, atol?: number}} */ (opts);
    if (received.length !== expected.length) {
      return { pass: false, message: () => `length ${received.length} != expected length ${expected.length}` };
    }
    let worst = -1;
    let worstDiff = 0;
    for (let i = 0; i < received.length; i++) {
      const a = received[i];
      const b = expected[i];
      if (!isClose(a, b, rtol, atol)) {
        const diff = Math.abs(a - b);
        if (worst < 0 || diff > worstDiff || Number.isNaN(diff)) {
          worst = i;
          worstDiff = diff;
        }
      }
    }
    const pass = worst < 0;
    return {
      pass,
      message: () =>
        pass
          ? `expected arrays to differ beyond rtol=${rtol}, atol=${atol}`
          : `arrays differ at index ${worst}: ${received[worst]} vs ${expected[worst]} (|diff| = ${worstDiff}, rtol=${rtol}, atol=${atol})`,
    };
  },
};
