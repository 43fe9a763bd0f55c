import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '@cvxnn/linalg';
import { benchmarkKernels, fastestRounds, type KernelTiming } from './bench-kernels.js';

describe('fastestRounds', () => {
  it('keeps the fastest round per backend, precision and kernel, with every round listed', () => {
    const t = (backend: string, precision: 'fp64' | 'fp32', ms: number): KernelTiming => ({ backend, kernel: 'gemm', precision, ms, gflops: 1 / ms });
    const merged = fastestRounds([
      [t('a', 'fp64', 5), t('a', 'fp32', 2)],
      [t('a', 'fp64', 3), t('a', 'fp32', 4)],
      [t('a', 'fp64', 9)],
    ]);
    expect(merged).toEqual([
      { backend: 'a', kernel: 'gemm', precision: 'fp64', ms: 3, gflops: 1 / 3, msRounds: [5, 3, 9] },
      { backend: 'a', kernel: 'gemm', precision: 'fp32', ms: 2, gflops: 1 / 2, msRounds: [2, 4] },
    ]);
  });
});

describe('benchmarkKernels', () => {
  it("clock 'cpu' times each kernel in process CPU time; gflops is the 2·n·d·P flops over it", () => {
    const rows = benchmarkKernels([createCpuBackend()], { n: 200, d: 5, patterns: 40, minTimeMs: 0, minSamples: 3, clock: 'cpu' });
    expect(rows.map((r) => r.kernel)).toEqual(['gemm', 'mask-forward', 'mask-backward']);
    for (const r of rows) {
      expect(r.ms).toBeGreaterThanOrEqual(0);
      if (r.ms > 0) expect(r.gflops * r.ms).toBeCloseRel(2 * 200 * 5 * 40 * 1e-6, 1e-9);
    }
  });
  it('refuses a misspelt option or a wrong type before timing anything (was: ignored, the default used)', () => {
    expect(() => benchmarkKernels([createCpuBackend()], { n: 200, minTime: 0 } as never)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/^benchmarkKernels: unknown option 'minTime' \(did you mean 'minTimeMs'\?\)/) }));
    expect(() => benchmarkKernels([createCpuBackend()], { clock: 'process' } as never)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: "benchmarkKernels: option 'clock' must be 'wall' or 'cpu', got string 'process'" }));
  });
});
