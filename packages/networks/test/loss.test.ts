import { CvxnnError, Matrix } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { makeLoss } from '../src/index.js';

describe('losses vs their direct formulas', () => {
  const F = Matrix.from([
    [0.5, -1, 2],
    [3, 0, -0.5],
  ]);
  it('squared: ½‖F − Y‖² (sum) and that over n (mean)', () => {
    const Y = Matrix.from([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const direct = 0.5 * (0.25 + 1 + 4 + 9 + 1 + 0.25);
    expect(makeLoss('squared').value(F, Y)).toBeCloseRel(direct, 1e-15);
    expect(makeLoss('squared', 'mean').value(F, Y)).toBeCloseRel(direct / 2, 1e-15);
  });

  it('logistic: Σ log(1 + exp(−y f)), stable for |f| = 800', () => {
    const f = Matrix.from([[0.3], [-2], [800], [-800]]);
    const y = Matrix.from([[1], [1], [-1], [-1]]);
    const direct = Math.log(1 + Math.exp(-0.3)) + Math.log(1 + Math.exp(2)) + 800 + Math.log1p(Math.exp(-800)) + Math.log1p(Math.exp(-800));
    const g = Matrix.zeros(4, 1);
    expect(makeLoss('logistic').valueAndGrad(f, y, g)).toBeCloseRel(direct, 1e-14);
    // d/df log(1+e^{−yf}) = −y/(1+e^{yf})
    expect(g.data).toAllClose([-1 / (1 + Math.exp(0.3)), -1 / (1 + Math.exp(-2)), 1, 0], { rtol: 1e-14, atol: 1e-300 });
  });

  it('cross-entropy: −log softmax, stable with logits of 1000 (log-sum-exp)', () => {
    const Y = Matrix.from([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
    const direct = lse([0.5, -1, 2]) - 2 + (lse([3, 0, -0.5]) - 3);
    expect(makeLoss('cross-entropy').value(F, Y)).toBeCloseRel(direct, 1e-14);
    // shifting all logits of a row by 1000 leaves softmax unchanged; the naive formula overflows
    const big = Matrix.from([
      [1000.5, 999, 1002],
      [1003, 1000, 999.5],
    ]);
    expect(Math.exp(1002)).toBe(Infinity);
    const g = Matrix.zeros(2, 3);
    expect(makeLoss('cross-entropy').valueAndGrad(big, Y, g)).toBeCloseRel(direct, 1e-12);
    const p0 = [0.5, -1, 2].map((v) => Math.exp(v - lse([0.5, -1, 2])));
    expect(Array.from(g.data.subarray(0, 3))).toAllClose([p0[0], p0[1], p0[2] - 1], { rtol: 1e-12, atol: 1e-15 });
  });

  it('rejects unknown names and mismatched shapes with typed errors', () => {
    expect(() => makeLoss('hinge' as 'squared')).toThrow(/unknown loss 'hinge'/);
    expect(() => makeLoss('squared', 'avg' as 'sum')).toThrow(CvxnnError);
    expect(() => makeLoss('squared').value(F, Matrix.zeros(2, 2))).toThrow(/predictions are 2×3 but targets are 2×2/);
    expect(() => makeLoss('logistic').value(F, F)).toThrow(/one output column/);
  });
});
