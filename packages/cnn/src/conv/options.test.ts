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

describe('the other convex CNN, BN and deep entry points check their options too', () => {
  it('each refuses a misspelt key, naming the call and the closest key', async () => {
    const { fitLinearCnn } = await import('./linear.js');
    const { fitSeparableCnn } = await import('./separable.js');
    const { fitCircularCnn } = await import('./circular.js');
    const { fitBnConvex } = await import('../bn/convex.js');
    const { fitLayerwise } = await import('../deep/layerwise.js');
    const { fitThreeLayer } = await import('../deep/three-layer.js');
    const img = { imageShape: { height: 2, width: 2, channels: 1 }, kernel: 1, lambda: 0.1 };
    expect(() => fitLinearCnn(X, Y, { ...img, tolerance: 1e-6 } as never)).toThrow(invalid(expect.stringMatching(/^fitLinearCnn: unknown option 'tolerance'/)));
    expect(() => fitSeparableCnn(X, Y, { ...img, pattern: 4 } as never)).toThrow(invalid(expect.stringMatching(/^fitSeparableCnn: unknown option 'pattern' \(did you mean 'patterns'\?\)/)));
    expect(() => fitCircularCnn(X, Y, { lambda: 0.1, maxIter: 5 } as never)).toThrow(invalid(expect.stringMatching(/^fitCircularCnn: unknown option 'maxIter' \(did you mean 'maxIters'\?\)/)));
    expect(() => fitBnConvex(X, Y, { placement: 'scale', lambda: 0.1, normalisation: 'l2' } as never)).toThrow(invalid(expect.stringMatching(/^fitBnConvex: unknown option 'normalisation' \(did you mean 'normalization'\?\)/)));
    expect(() => fitLayerwise(X, Y, { layers: 1, lambda: 0.1, bias: 'yes' } as never)).toThrow(invalid("fitLayerwise: option 'bias' must be a boolean, got string 'yes'"));
    expect(() => fitThreeLayer(X, Float64Array.from([1, 0, 1, 0]), { lambda: 0.1, maxBlock: 3 } as never)).toThrow(invalid(expect.stringMatching(/^fitThreeLayer: unknown option 'maxBlock' \(did you mean 'maxBlocks'\?\)/)));
  });
});
