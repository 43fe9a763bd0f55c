import { describe, expect, it } from 'vitest';
import { CvxnnError } from './errors.js';
import { gemm } from './cpu.js';
import { PatternMasks } from './masks.js';
import { Matrix } from './matrix.js';
import { assertKnownOptions, assertMatrix, checkOptions, describeValue } from './options.js';
import { Rng } from './random.js';

/** The CvxnnError `f` throws (fails the test when it throws something else or nothing). */
function thrown(f: () => unknown): CvxnnError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CvxnnError);
    return e as CvxnnError;
  }
  throw new Error('expected a CvxnnError, nothing was thrown');
}

describe('assertKnownOptions', () => {
  const keys = ['count', 'seed', 'dropZero', 'rank', 'maxDraws'];
  it('passes known keys, undefined options and keys set to undefined', () => {
    expect(() => assertKnownOptions('samplePatterns', { count: 1, seed: 0 }, keys)).not.toThrow();
    expect(() => assertKnownOptions('samplePatterns', undefined, keys)).not.toThrow();
    expect(() => assertKnownOptions('samplePatterns', { count: 1, typo: undefined }, keys)).not.toThrow();
  });
  it('names the call, the key and every known key', () => {
    const e = thrown(() => assertKnownOptions('samplePatterns', { count: 1, maxIterations: 5 }, keys));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toBe("samplePatterns: unknown option 'maxIterations'; known options: count, seed, dropZero, rank, maxDraws");
    expect(e.details).toEqual({ function: 'samplePatterns', option: 'maxIterations', known: keys });
  });
  it('suggests the key a typo most likely meant', () => {
    expect(thrown(() => assertKnownOptions('f', { dropzero: true }, keys)).message).toContain("(did you mean 'dropZero'?)"); // case
    expect(thrown(() => assertKnownOptions('f', { sed: 1 }, keys)).message).toContain("(did you mean 'seed'?)"); // one deletion
    expect(thrown(() => assertKnownOptions('f', { maxIters: 1 }, ['maxIterations', 'tol'])).message).toContain("(did you mean 'maxIterations'?)"); // shared start
    expect(thrown(() => assertKnownOptions('f', { banana: 1 }, keys)).message).not.toContain('did you mean');
  });
  it('refuses options that are not an object', () => {
    for (const bad of [null, 5, 'count', [1, 2]]) {
      const e = thrown(() => assertKnownOptions('samplePatterns', bad, keys));
      expect(e.code).toBe('INVALID_OPTION');
      expect(e.message).toMatch(/^samplePatterns: options must be an object such as \{ count, seed, dropZero \}, got /);
    }
  });
});

describe('checkOptions', () => {
  const spec = { loss: '"squared"|"logistic"', lambda: 'number', backend: 'object', gates: 'matrix', learningRate: 'number|"auto"', width: 'integer', xs: 'numbers' } as const;
  it('accepts every allowed type', () => {
    expect(() => checkOptions('f', { loss: 'logistic', lambda: 0.5, backend: {}, gates: Matrix.zeros(1, 1), learningRate: 'auto', width: 3, xs: new Float64Array(2) }, spec)).not.toThrow();
    expect(() => checkOptions('f', { learningRate: 0.1, xs: [1, 2] }, spec)).not.toThrow();
  });
  it.each([
    [{ lambda: '1' }, "f: option 'lambda' must be a number, got string '1'"],
    [{ loss: 'hinge' }, "f: option 'loss' must be 'squared' or 'logistic', got string 'hinge'"],
    [{ learningRate: 'fast' }, "f: option 'learningRate' must be a number or 'auto', got string 'fast'"],
    [{ backend: 'ts' }, "f: option 'backend' must be an object, got string 'ts'"],
    [{ gates: [[1]] }, "f: option 'gates' must be a Matrix, got Array(1)"],
    [{ width: 2.5 }, "f: option 'width' must be an integer, got number 2.5"],
    [{ xs: [1, 'a'] }, "f: option 'xs' must be an array of numbers, got Array(2)"],
    [{ lambda: 1, lamda: 1 }, "f: unknown option 'lamda' (did you mean 'lambda'?); known options: loss, lambda, backend, gates, learningRate, width, xs"],
  ])('%o → %s', (opts, message) => {
    const e = thrown(() => checkOptions<Record<keyof typeof spec, unknown>>('f', opts as never, spec));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toBe(message);
  });
});

describe('assertMatrix and describeValue', () => {
  it('refuses what is not a Matrix, naming the call and the argument', () => {
    expect(() => assertMatrix('f', 'X', Matrix.zeros(2, 2))).not.toThrow();
    const e = thrown(() => assertMatrix('samplePatterns', 'X', [[1, 2]]));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toBe('samplePatterns: X must be a Matrix (Matrix.from(rows) or new Matrix(rows, cols, data) from @cvxnn/linalg), got Array(1)');
  });
  it('describes values briefly', () => {
    expect([null, undefined, 'ab', 3, true, [1], new Float32Array(4), new Map(), {}].map(describeValue)).toEqual([
      'null',
      'undefined',
      "string 'ab'",
      'number 3',
      'boolean true',
      'Array(1)',
      'Float32Array(4)',
      'a Map',
      'an object',
    ]);
  });
});

describe('linalg entry points use them', () => {
  const A = Matrix.from([[1, 2], [3, 4]]);
  it('gemm: a misspelt option and a wrong type are refused', () => {
    expect(thrown(() => gemm(A, A, { transa: true } as never)).message).toBe("gemm: unknown option 'transa' (did you mean 'transA'?); known options: transA, transB, alpha, beta, out, inputsFinite");
    expect(thrown(() => gemm(A, A, { alpha: '2' } as never)).message).toBe("gemm: option 'alpha' must be a number, got string '2'");
    expect(thrown(() => gemm([[1]] as never, A)).message).toMatch(/^gemm: A must be a Matrix/);
    // the check does not change the product: [[1,2],[3,4]]ᵀ·[[1,2],[3,4]] = [[10,14],[14,20]] by hand
    expect(gemm(A, A, { transA: true }).toArrays()).toEqual([[10, 14], [14, 20]]);
  });
  it('PatternMasks.fromGates refuses arrays', () => {
    expect(thrown(() => PatternMasks.fromGates([[1, 0]] as never, A)).message).toMatch(/^PatternMasks\.fromGates: X must be a Matrix/);
  });
  it('Rng refuses seeds it would silently fold onto another seed', () => {
    // the generator keeps 32 bits: 2^32 would give the stream of 0
    for (const s of [2 ** 32, 2 ** 31, -(2 ** 31) - 1, 1.5, Number.NaN]) expect(thrown(() => new Rng(s)).code).toBe('INVALID_OPTION');
    const ends = [2 ** 31 - 1, -(2 ** 31), 0, -1].map((s) => new Rng(s).normalArray(3).join());
    expect(new Set(ends).size).toBe(4); // the extreme seeds still give four different streams
  });
});
