import { Matrix } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { fitConvexCnn } from './pooled.js';

const invalid = (message: unknown) => expect.objectContaining({ code: 'INVALID_OPTION', message });
// four 2×2 single-channel images, scalar targets
const X = Matrix.from([[1, 0, 0, 1], [0, 1, 1, 0], [1, 1, 0, 0], [0, 0, 1, 1]]);
const Y = Matrix.from([[1], [0], [1], [0]]);
const base = { imageShape: { height: 2, width: 2, channels: 1 }, kernel: 1, model: 'gated-relu' as const, lambda: 0.1, patterns: 4, loss: 'squared' as const };

describe('fitConvexCnn options', () => {
  it('refuses a misspelt key naming the closest one, and a wrong type', () => {
    expect(() => fitConvexCnn(X, Y, { ...base, pool: 'mean' } as never)).toThrow(invalid(expect.stringMatching(/^fitConvexCnn: unknown option 'pool' \(did you mean 'pooling'\?\)/)));
    expect(() => fitConvexCnn(X, Y, { ...base, pooling: 'max' } as never)).toThrow(invalid("fitConvexCnn: option 'pooling' must be 'sum' or 'mean', got string 'max'"));
  });
  it('the same call spelt right runs and certifies', () => {
    expect(fitConvexCnn(X, Y, { ...base, pooling: 'mean' }).status).toBe('optimal');
  });
});
