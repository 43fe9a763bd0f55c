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
