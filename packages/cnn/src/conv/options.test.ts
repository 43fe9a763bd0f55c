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

describe('the small public calls check their options (geometry, patches, patterns, objectives, trainers)', () => {
  const shape = { height: 2, width: 2, channels: 1 };
  const unknown = (fn: string, key: string, near: string) => invalid(expect.stringMatching(new RegExp(`^${fn}: unknown option '${key}' \\(did you mean '${near}'\\?\\)`)));

  it('convGeometry, extractPatches, patchChunks, convolutionalPatterns', async () => {
    const { convGeometry, extractPatches, patchChunks } = await import('./patches.js');
    const { convolutionalPatterns } = await import('./pooled.js');
    expect(() => convGeometry(shape, { kernel: 1, strides: 1 } as never)).toThrow(unknown('convGeometry', 'strides', 'stride'));
    expect(() => convGeometry(shape, { kernel: 1, circular: 'yes' } as never)).toThrow(invalid("convGeometry: option 'circular' must be a boolean, got string 'yes'"));
    // a fit's other keys are its own: fitConvexCnn hands convGeometry only the geometry
    expect(() => convGeometry(shape, { kernel: 1, lambda: 0.1 } as never)).toThrow(invalid(expect.stringMatching(/^convGeometry: unknown option 'lambda'/)));
    const g = convGeometry(shape, { kernel: 1 });
    expect(() => extractPatches(X, g, { appendone: true } as never)).toThrow(unknown('extractPatches', 'appendone', 'appendOne'));
    expect(() => extractPatches(X, g, { start: '1' } as never)).toThrow(invalid("extractPatches: option 'start' must be an integer, got string '1'"));
    expect(() => extractPatches([[1, 0, 0, 1]] as never, g)).toThrow(invalid(expect.stringMatching(/^extractPatches: X must be a Matrix/)));
    expect(() => [...patchChunks(X, g, { chunks: 2 } as never)]).toThrow(unknown('patchChunks', 'chunks', 'chunk'));
    const P = extractPatches(X, g);
    expect(() => convolutionalPatterns(P, { count: 4, sed: 1 } as never)).toThrow(unknown('convolutionalPatterns', 'sed', 'seed'));
    expect(() => convolutionalPatterns(P, { count: 'every' } as never)).toThrow(invalid("convolutionalPatterns: option 'count' must be an integer or 'all', got string 'every'"));
    // spelt right: the 28×28 example of the docs, and image 1 ([0, 1, 1, 0]) as four 1-pixel patches
    expect(convGeometry({ height: 28, width: 28, channels: 1 }, { kernel: 5, stride: 2, padding: 2 }).patches).toBe(196);
    expect(Array.from(extractPatches(X, g, { start: 1, count: 1 }).data)).toEqual([0, 1, 1, 0]);
    // 1-pixel patches of 0/1 images: the hyperplanes are x = 0 and x = 1·g, so two non-zero patterns at most
    expect(convolutionalPatterns(P, { count: 'all' }).masks.p).toBeLessThanOrEqual(2);
  });

  it('the objectives and trainers of the non-convex CNN, BN and three-layer networks', async () => {
    const { convGeometry } = await import('./patches.js');
    const { cnnObjectiveTerms, trainCnnAdam } = await import('./model.js');
    const { linearCnnObjective } = await import('./linear.js');
    const { separableObjective } = await import('./separable.js');
    const { bnObjective, trainBnAdam } = await import('../bn/network.js');
    const { solveConstrainedGroupLasso } = await import('../bn/constrained.js');
    const { trainPathAdam } = await import('../deep/three-layer.js');
    const geometry = convGeometry(shape, { kernel: 1 });
    const model = { geometry, pooling: 'sum' as const, network: { kind: 'relu' as const, W1: Matrix.from([[1]]), W2: Matrix.from([[1]]), appendOne: false } };
    expect(() => cnnObjectiveTerms(model, X, Y, { lambda: 0.1, los: 'squared' } as never)).toThrow(unknown('cnnObjectiveTerms', 'los', 'loss'));
    expect(() => cnnObjectiveTerms(model, X, Y, { lambda: '0.1' } as never)).toThrow(invalid("cnnObjectiveTerms: option 'lambda' must be a number, got string '0.1'"));
    expect(() => cnnObjectiveTerms(model, X, Y, { lambda: -1 })).toThrow(invalid("cnnObjectiveTerms: option 'lambda' must be a finite number ≥ 0, got -1"));
    // every image has two lit pixels: f = Σ_k relu(x_k) = 2; ½Σ(2 − y)² = ½(1 + 4 + 1 + 4) = 5, plus (0.1/2)(1² + 1²)
    expect(cnnObjectiveTerms(model, X, Y, { lambda: 0.1 }).objective).toBeCloseRel(5.1, 1e-12);
    expect(() => trainCnnAdam(model, X, Y, { lambda: 0.1, learningrate: 0.1 } as never)).toThrow(unknown('trainCnnAdam', 'learningrate', 'learningRate'));
    expect(() => trainCnnAdam(model, X, Y, { lambda: 0.1, optimizer: 'adamw' } as never)).toThrow(invalid("trainCnnAdam: option 'optimizer' must be 'adam' or 'sgd', got string 'adamw'"));
    expect(() => trainCnnAdam({ geometry, widht: 2 } as never, X, Y, { lambda: 0.1 })).toThrow(unknown('trainCnnAdam init', 'widht', 'width'));
    expect(trainCnnAdam({ geometry, width: 2, seed: 1 }, X, Y, { lambda: 0.1, iterations: 5 }).iterations).toBe(5);
    expect(() => linearCnnObjective({} as never, X, Y, { lambda: 0.1, scales: 'sum' } as never)).toThrow(unknown('linearCnnObjective', 'scales', 'scale'));
    expect(() => separableObjective({} as never, X, Y, { lambda: 0.1, loss: 'hinge' } as never)).toThrow(invalid("separableObjective: option 'loss' must be 'squared' or 'logistic' or 'cross-entropy', got string 'hinge'"));
    expect(() => bnObjective({} as never, X, Y, { lamda: 0.1 } as never)).toThrow(invalid(expect.stringMatching(/^bnObjective: unknown option 'lamda' \(did you mean 'lambda'\?\)/)));
    expect(() => trainBnAdam(X, Y, { placement: 'centered', lambda: 0.1, width: 2 } as never)).toThrow(invalid("trainBnAdam: option 'placement' must be 'scale' or 'centred' or 'before', got string 'centered'"));
    expect(() => trainBnAdam(X, Y, { placement: 'scale', lambda: 0.1, width: 2, normalisation: 'std' } as never)).toThrow(unknown('trainBnAdam', 'normalisation', 'normalization'));
    expect(() => solveConstrainedGroupLasso({} as never, { tol: 1e-6, constraintTolerance: 1e-9 } as never)).toThrow(invalid(expect.stringMatching(/^solveConstrainedGroupLasso: unknown option 'constraintTolerance' \(did you mean 'constraintTol'\?\)/)));
    expect(() => trainPathAdam(X, Float64Array.from([1, 0, 1, 0]), { lambda: 0.1, subnets: 1, width: 1, iters: 5 } as never)).toThrow(invalid(expect.stringMatching(/^trainPathAdam: unknown option 'iters'/)));
    expect(() => trainPathAdam(X, Float64Array.from([1, 0, 1, 0]), { lambda: 0.1, subnets: 1.5, width: 1 })).toThrow(invalid("trainPathAdam: option 'subnets' must be an integer, got number 1.5"));
  });
});
