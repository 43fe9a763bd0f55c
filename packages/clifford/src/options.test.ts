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
