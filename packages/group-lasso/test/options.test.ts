import { Matrix, PatternMasks } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { dataLoss, fitConvex, gatedProblem, selectLambda, solve } from '../src/index.js';

const X = Matrix.from([[1, 0], [0, 1], [1, 1], [-1, 2]]);
const Y = Matrix.from([[1], [0], [2], [1]]);
const G = Matrix.from([[1, -1], [0.5, 1]]);
const patterns = { masks: PatternMasks.fromGates(X, G), gates: G };
/** a CvxnnError INVALID_OPTION whose message is (or matches) `message` */
const invalid = (message: unknown) => expect.objectContaining({ code: 'INVALID_OPTION', message });

describe('public calls refuse misspelt options and wrong types, naming the call and the closest key', () => {
  it('fitConvex', () => {
    expect(() => fitConvex(X, Y, patterns, { model: 'gated-relu', lambda: 0.1, maxIter: 10 } as never)).toThrow(invalid(expect.stringMatching(/^fitConvex: unknown option 'maxIter' \(did you mean 'maxIters'\?\); known options: model, lambda/)));
    expect(() => fitConvex(X, Y, patterns, { model: 'gated-relu', lambda: 0.1, tol: '1e-6' } as never)).toThrow(invalid("fitConvex: option 'tol' must be a number, got string '1e-6'"));
    expect(() => fitConvex(X, Y, patterns, { model: 'gated-relu', lambda: Number.NaN })).toThrow(invalid('fitConvex: lambda must be a finite number > 0, got NaN'));
    // the same call with the key spelt right runs and certifies
    expect(fitConvex(X, Y, patterns, { model: 'gated-relu', lambda: 0.1, maxIters: 5000 }).status).toBe('optimal');
  });
  it('solve', () => {
    const p = gatedProblem(X, patterns.masks, dataLoss('squared', 'sum', Y), 0.1);
    expect(() => solve(p, { tolerance: 1e-6 } as never)).toThrow(invalid(expect.stringMatching(/^solve: unknown option 'tolerance'/)));
    expect(solve(p, { tol: 1e-8 }).certificate.value).toBeLessThanOrEqual(1e-8);
  });
  it('selectLambda', () => {
    const folds = Int32Array.from([0, 1, 0, 1]);
    expect(() => selectLambda(X, Y, patterns, { model: 'gated-relu', lambda: NaN }, { folds, score: 'mse', point: 3 } as never)).toThrow(invalid(expect.stringMatching(/^selectLambda: unknown option 'point' \(did you mean 'points'\?\)/)));
    expect(() => selectLambda(X, Y, patterns, { model: 'gated-relu', lambda: NaN }, { folds: [0, 1, 0, 1], score: 'mse' } as never)).toThrow(invalid(expect.stringMatching(/folds must be an Int32Array/)));
  });
});
