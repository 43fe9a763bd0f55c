import { Matrix } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { fitClifford } from './fit.js';

const invalid = (message: unknown) => expect.objectContaining({ code: 'INVALID_OPTION', message });
const X = Matrix.from([[0], [1], [2], [3]]);
const y = [0, 1, 0, 2];

describe('fitClifford options', () => {
  it('refuses a misspelt key naming the closest one, and a wrong type', () => {
    expect(() => fitClifford(X, y, { lambda: 0.1, dictonary: 'ramps' } as never)).toThrow(invalid(expect.stringMatching(/^fitClifford: unknown option 'dictonary' \(did you mean 'dictionary'\?\)/)));
    expect(() => fitClifford(X, y, { lambda: 0.1, intercept: 'yes' } as never)).toThrow(invalid("fitClifford: option 'intercept' must be a boolean, got string 'yes'"));
  });
  it('the same call spelt right runs and certifies', () => {
    expect(fitClifford(X, y, { lambda: 0.1, dictionary: 'ramps' }).lasso.status).toBe('optimal');
  });
});

describe('solveLasso options', () => {
  it('refuses a misspelt key; fitClifford hands it only its own keys', async () => {
    const { solveLasso } = await import('./lasso.js');
    const { rampDictionary } = await import('./dictionaries.js');
    const K = rampDictionary([0, 1, 2, 3]).K;
    expect(() => solveLasso(K, y, { lambda: 0.1, intercpt: false } as never)).toThrow(invalid(expect.stringMatching(/^solveLasso: unknown option 'intercpt' \(did you mean 'intercept'\?\)/)));
    // fitClifford's dictionary options do not reach solveLasso, and both certify the same objective
    const a = fitClifford(X, y, { lambda: 0.1, dictionary: 'ramps', sample: 10, seed: 1 });
    const b = solveLasso(K, y, { lambda: 0.1 });
    expect(a.lasso.objective).toBeCloseRel(b.objective, 1e-6);
  });
});

describe('the small public calls check their options', () => {
  /** Fixture X4 (SPEC §9): the ramp Lasso and the exact 1-D program both reach 0.65. */
  const X4 = { x: [-2, -1, 0, 1, 2], y: [1, -1, 0.5, 2, 0], lambda: 0.1 };
  const X2 = Matrix.from([[0, 1], [1, 0], [2, 3], [-1, 2], [1, -2]]);
  const unknown = (fn: string, key: string, near: string) => invalid(expect.stringMatching(new RegExp(`^${fn}: unknown option '${key}' \\(did you mean '${near}'\\?\\)`)));

  it('solveExactFreeBias, solveExactOneDimensional, compareWithExact', async () => {
    const { compareWithExact, solveExactFreeBias, solveExactOneDimensional } = await import('./exact.js');
    const X1 = Matrix.fromArray(5, 1, X4.x);
    expect(() => solveExactFreeBias(X1, X4.y, { lambda: 0.1, maxPattern: 100 } as never)).toThrow(unknown('solveExactFreeBias', 'maxPattern', 'maxPatterns'));
    expect(() => solveExactFreeBias(X1, X4.y, { lambda: 0.1, tol: '1e-9' } as never)).toThrow(invalid("solveExactFreeBias: option 'tol' must be a number, got string '1e-9'"));
    expect(() => solveExactFreeBias(X4.x as never, X4.y, { lambda: 0.1 })).toThrow(invalid(expect.stringMatching(/^solveExactFreeBias: X must be a Matrix .*got Array\(5\)/)));
    // maxPatterns belongs to the free-bias call only
    expect(() => solveExactOneDimensional(X4.x, X4.y, { lambda: 0.1, maxPatterns: 10 } as never)).toThrow(invalid(expect.stringMatching(/^solveExactOneDimensional: unknown option 'maxPatterns'/)));
    expect(() => solveExactOneDimensional(X4.x, X4.y, { lambda: 0.1, maxIterations: 10 } as never)).toThrow(unknown('solveExactOneDimensional', 'maxIterations', 'maxIters'));
    expect(() => solveExactOneDimensional(X4.x, X4.y, { lambda: 0.1, scale: 'total' } as never)).toThrow(invalid("solveExactOneDimensional: option 'scale' must be 'sum' or 'mean', got string 'total'"));
    expect(() => compareWithExact(X1, X4.y, { lambda: 0.1, bais: false } as never)).toThrow(unknown('compareWithExact', 'bais', 'bias'));
    expect(() => compareWithExact(X1, X4.y, { lambda: 0.1, bias: 0 } as never)).toThrow(invalid("compareWithExact: option 'bias' must be a boolean, got number 0"));
    expect(() => compareWithExact(X1, X4.y, undefined as never)).toThrow(invalid('compareWithExact needs options with at least lambda'));
    // spelt right: the exact 1-D program reaches the fixture's optimum
    expect(solveExactOneDimensional(X4.x, X4.y, { lambda: X4.lambda, tol: 1e-10 }).objective).toBeCloseRel(0.65, 1e-6);
    expect(solveExactFreeBias(X1, X4.y, { lambda: X4.lambda, tol: 1e-10, maxPatterns: 100 }).objective).toBeCloseRel(0.65, 1e-6);
  });

  it('the dictionary builders', async () => {
    const { affineDictionary, rampDictionary, sketchedAffineDictionary, spanDictionary, triangleDictionary } = await import('./dictionaries.js');
    const { buildDictionary } = await import('./fit.js');
    expect(() => rampDictionary(X4.x, { onesided: true } as never)).toThrow(unknown('rampDictionary', 'onesided', 'oneSided'));
    expect(() => rampDictionary(X4.x, { oneSided: 'yes' } as never)).toThrow(invalid("rampDictionary: option 'oneSided' must be a boolean, got string 'yes'"));
    for (const [fn, build] of [['spanDictionary', spanDictionary], ['affineDictionary', affineDictionary], ['triangleDictionary', triangleDictionary]] as const) {
      expect(() => build(X2, { samples: 10 } as never)).toThrow(unknown(fn, 'samples', 'sample'));
      expect(() => build(X2, { sample: 2.5 })).toThrow(invalid(`${fn}: option 'sample' must be an integer, got number 2.5`));
      expect(() => build(X2, { sampling: 'gate' } as never)).toThrow(invalid(`${fn}: option 'sampling' must be 'uniform' or 'gates', got string 'gate'`));
      expect(() => build([[0, 1]] as never)).toThrow(invalid(expect.stringMatching(new RegExp(`^${fn}: X must be a Matrix`))));
    }
    expect(() => sketchedAffineDictionary(X2, { sketchDim: 1, sed: 3 } as never)).toThrow(unknown('sketchedAffineDictionary', 'sed', 'seed'));
    expect(() => sketchedAffineDictionary(X2, { sketchDim: '1' } as never)).toThrow(invalid("sketchedAffineDictionary: option 'sketchDim' must be an integer, got string '1'"));
    expect(() => buildDictionary(X2, { dictionnary: 'affine' } as never)).toThrow(unknown('buildDictionary', 'dictionnary', 'dictionary'));
    // the Lasso's keys are fitClifford's, not buildDictionary's
    expect(() => buildDictionary(X2, { dictionary: 'affine', lambda: 0.1 } as never)).toThrow(invalid(expect.stringMatching(/^buildDictionary: unknown option 'lambda'/)));
    expect(() => buildDictionary(X2, { dictionary: 'spline' } as never)).toThrow(invalid("buildDictionary: option 'dictionary' must be 'auto' or 'ramps' or 'triangles' or 'volumes' or 'affine', got string 'spline'"));
    // spelt right: ramps in both orientations at 5 points, minus the two all-zero ones (8); one-sided: 4
    expect(rampDictionary(X4.x).K.cols).toBe(8);
    expect(rampDictionary(X4.x, { oneSided: true }).K.cols).toBe(4);
    // buildDictionary hands the builder only the subset keys, and gives the builder's dictionary
    const viaBuild = buildDictionary(X2, { dictionary: 'triangles', sample: 6, seed: 2, sampling: 'uniform' });
    const direct = triangleDictionary(X2, { sample: 6, seed: 2, sampling: 'uniform' });
    expect(viaBuild.candidates).toBe(6);
    expect(Array.from(viaBuild.K.data)).toEqual(Array.from(direct.K.data));
    expect(sketchedAffineDictionary(X2, { sketchDim: 1, sample: 4, seed: 1 }).candidates).toBe(4);
  });
});
