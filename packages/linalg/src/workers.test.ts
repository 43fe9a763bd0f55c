import { afterAll, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { resolveBackend, type Backend } from './backend.js';
import { describeConformance, relErr } from './conformance.js';
import { maskedBackward, maskedForward } from './cpu.js';
import { PatternMasks } from './masks.js';
import { Matrix } from './matrix.js';
import { Rng } from './random.js';
import { createWorkerBackend } from './workers.js';

// minFlops: 0 sends even the tiny conformance shapes through the threads
let shared: Backend | undefined;
const make = async () => (shared ??= await createWorkerBackend({ threads: 3, minFlops: 0, chunk: 16 }));
describeConformance('ts-workers (3 threads, every product parallel)', make, { refusesNonFinite: true });

describe('ts-workers', () => {
  afterAll(() => shared?.dispose?.());

  it('agrees with the single-thread ts kernels on a larger problem', async () => {
    const be = await make();
    const rng = new Rng(41);
    const n = 1003;
    const X = new Matrix(n, 17, rng.normalArray(n * 17));
    const M = new PatternMasks(n, 70);
    for (let j = 0; j < n; j++) for (let i = 0; i < 70; i++) if (rng.uniform() < 0.5) M.set(j, i, true);
    const U = new Matrix(17, 140, rng.normalArray(17 * 140)); // c = 2
    const R = new Matrix(n, 2, rng.normalArray(2 * n));
    expect(relErr(be.maskedForward(X, M, U), maskedForward(X, M, U))).toBeLessThan(1e-13);
    expect(relErr(be.maskedBackward(X, M, R), maskedBackward(X, M, R))).toBeLessThan(1e-13);
  });

  it("is registered as 'ts-workers' below 'ts': by name only, never chosen by 'auto'", async () => {
    expect((await resolveBackend('auto')).backend.name).toBe('ts');
    if (availableParallelism() >= 2) {
      const { backend } = await resolveBackend('ts-workers');
      expect(backend.name).toBe('ts-workers');
      expect(backend.precision).toBe('fp64');
      backend.dispose?.();
    } else {
      await expect(resolveBackend('ts-workers')).rejects.toThrow(/needs at least 2 cores/);
    }
  });

  it('refuses fewer than 2 threads, and after dispose() runs on the calling thread', async () => {
    await expect(createWorkerBackend({ threads: 1 })).rejects.toThrow(/threads must be an integer ≥ 2/);
    const be = await createWorkerBackend({ threads: 2, minFlops: 0 });
    be.dispose?.();
    const rng = new Rng(42);
    const X = new Matrix(50, 3, rng.normalArray(150));
    const M = PatternMasks.fromGates(X, new Matrix(3, 9, rng.normalArray(27)));
    const U = new Matrix(3, 9, rng.normalArray(27));
    expect(relErr(be.maskedForward(X, M, U), maskedForward(X, M, U))).toBeLessThan(1e-14);
  });
});
