import { Matrix } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { convolutionalGates, enumeratePatterns, enumeratePatternsLP, estimateSolidAngles, patternsFromGates, samplePatterns, zonotopeSupport } from '../src/index.js';

const X = Matrix.from([[1, 0], [0, 1], [1, 1], [-1, 2]]);

/** a CvxnnError INVALID_OPTION whose message is (or matches) `message` */
const invalid = (message: unknown) => expect.objectContaining({ code: 'INVALID_OPTION', message });

describe('option keys and types of the public calls', () => {
  it('samplePatterns: a misspelt option is refused, naming the call and the known options', () => {
    expect(() => samplePatterns(X, { count: 10, seed: 0, maxIterations: 5 } as never)).toThrow(invalid("samplePatterns: unknown option 'maxIterations'; known options: count, seed, dropZero, rank, maxDraws"));
    // dropZero: 'false' is truthy: it would silently drop the zero pattern
    expect(() => samplePatterns(X, { count: 10, seed: 0, dropZero: 'false' } as never)).toThrow(invalid("samplePatterns: option 'dropZero' must be a boolean, got string 'false'"));
    expect(() => samplePatterns([[1, 0]] as never, { count: 1, seed: 0 })).toThrow(invalid(expect.stringMatching(/^samplePatterns: X must be a Matrix/)));
  });
  it('samplePatterns: a count whose worst case is out of proportion is refused up front with the estimate (it used to spin)', () => {
    // 4 × 2 data: each draw costs 8·2 + 4/4 + 64 = 81 bytes in the worst case; 1e12 draws ≈ 75 TiB
    expect(() => samplePatterns(X, { count: 1e12, seed: 0 })).toThrow(invalid(expect.stringMatching(/^samplePatterns: count 1000000000000 on 4 × 2 data needs up to ~7\.54e\+4 GiB .* the limit is 16 GiB/)));
    // a reasonable count still samples
    expect(samplePatterns(X, { count: 50, seed: 0 }).masks.p).toBeGreaterThan(0);
  });
  it('enumeratePatterns and enumeratePatternsLP', async () => {
    expect(() => enumeratePatterns(X, { maxpatterns: 10 } as never)).toThrow(invalid(expect.stringContaining("unknown option 'maxpatterns' (did you mean 'maxPatterns'?)")));
    await expect(enumeratePatternsLP(X, { drop_zero: false } as never)).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining("enumeratePatternsLP: unknown option 'drop_zero'") });
  });
  it('patternsFromGates, convolutionalGates, estimateSolidAngles, zonotopeSupport', () => {
    expect(() => patternsFromGates(X, Matrix.eye(2), { dedupe: false } as never)).toThrow(invalid(expect.stringContaining("patternsFromGates: unknown option 'dedupe' (did you mean 'dedup'?)")));
    expect(() => patternsFromGates(X, [[1, 0], [0, 1]] as never)).toThrow(invalid(expect.stringMatching(/^patternsFromGates: gates must be a Matrix/)));
    expect(() => convolutionalGates({ imageShape: [4, 4, 1], kernel: 2, count: 3, seed: 0, stride: 2 } as never)).toThrow(invalid(expect.stringContaining("convolutionalGates: unknown option 'stride'")));
    const ps = enumeratePatterns(X);
    expect(() => estimateSolidAngles(X, ps, { samples: 100, seed: 0, sample: 5 } as never)).toThrow(invalid(expect.stringContaining("estimateSolidAngles: unknown option 'sample' (did you mean 'samples'?)")));
    expect(() => zonotopeSupport('X' as never, [1, 0])).toThrow(invalid(expect.stringMatching(/^zonotopeSupport: X must be a Matrix/)));
  });
  it('advice names library options, not CLI flags', () => {
    const messageOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      return 'nothing thrown';
    };
    // 4 rows in general position in R^2: 2·4 = 8 chambers, above maxPatterns = 3
    const many = messageOf(() => enumeratePatterns(X, { maxPatterns: 3 }));
    expect(many).toContain('samplePatterns(X, { count, seed })');
    expect(many).toContain('maxPatterns option');
    const dims = messageOf(() => patternsFromGates(X, Matrix.eye(3)));
    expect(dims).toContain('appendOnes(X)');
    for (const m of [many, dims]) expect(m).not.toMatch(/--[a-z]/);
  });
  it('valid calls are unchanged: 4 distinct lines through the origin in R^2 have 8 chambers', () => {
    expect(enumeratePatterns(X, { dropZero: false }).masks.p).toBe(8);
  });
});
