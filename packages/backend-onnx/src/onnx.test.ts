import { CvxnnError, listBackends, Matrix, PatternMasks, reference, registerBackend, resolveBackend, Rng } from '@cvxnn/linalg';
import { relErr } from '@cvxnn/linalg/conformance';
import { describe, expect, it } from 'vitest';
import { benchmarkKernels, createOnnxBackend, ONNX_PRIORITIES, registerOnnxBackends } from './index.js';

const randn = (rng: Rng, r: number, c: number) => new Matrix(r, c, rng.normalArray(r * c));
function randomMasks(rng: Rng, n: number, p: number): PatternMasks {
  const m = new PatternMasks(n, p);
  for (let j = 0; j < n; j++) for (let i = 0; i < p; i++) if (rng.uniform() < 0.5) m.set(j, i, true);
  return m;
}

describe('backend registration and the fallback order', () => {
  it('auto prefers onnx (fp64) over ts; onnx-fp32 ranks below ts', async () => {
    registerOnnxBackends();
    const order = listBackends();
    expect(order.indexOf('onnx')).toBeLessThan(order.indexOf('ts'));
    expect(order.indexOf('ts')).toBeLessThan(order.indexOf('onnx-fp32'));
    const { backend, notices } = await resolveBackend('auto');
    expect(backend.name).toBe('onnx');
    expect(backend.precision).toBe('fp64');
    expect(notices).toEqual([]);
  });

  it('falls back to ts with a one-line notice when onnxruntime-node is missing', async () => {
    // simulate the optional package being absent: the same factory, pointed at a module that does not exist
    registerBackend('onnx', () => createOnnxBackend({ moduleName: 'onnxruntime-node-not-installed' }), ONNX_PRIORITIES.onnx);
    try {
      const { backend, notices } = await resolveBackend('auto');
      expect(backend.name).toBe('ts');
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(/^backend 'onnx' unavailable: onnxruntime-node-not-installed could not be loaded .*--backend ts\)$/);
      expect(notices[0]).not.toContain('\n');
      // asking for it by name is a typed error with the same reason
      await expect(resolveBackend('onnx')).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    } finally {
      registerOnnxBackends();
    }
  });

  it('createOnnxBackend rejects a missing module with BACKEND_UNAVAILABLE', async () => {
    const err = await createOnnxBackend({ moduleName: 'onnxruntime-node-not-installed' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CvxnnError);
    expect((err as CvxnnError).code).toBe('BACKEND_UNAVAILABLE');
  });

  it('an execution provider that this onnxruntime build lacks is BACKEND_UNAVAILABLE at creation (the CUDA path here)', async () => {
    // The CPU package ships without the CUDA provider libraries (they come from the cuda12 install);
    // on a machine that has them this test is skipped by the environment variable below.
    if (process.env.CVXNN_HAS_ORT_CUDA === '1') return;
    const err = await createOnnxBackend({ executionProviders: ['cuda'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CvxnnError);
    expect((err as CvxnnError).code).toBe('BACKEND_UNAVAILABLE');
    expect((err as Error).message).toMatch(/execution providers \[cuda\]/);
    const cpu = await createOnnxBackend({ executionProviders: ['cpu'] });
    expect(cpu.description).toMatch(/MLAS, CPU/);
  });

  it('rejects bad options with INVALID_OPTION', async () => {
    await expect(createOnnxBackend({ executionProviders: [] })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(createOnnxBackend({ precision: 'fp16' as never })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(createOnnxBackend({ threads: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/threads/) });
    await expect(createOnnxBackend({ maxChunkElements: 1.5 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    // a misspelt key or a wrong type, named with the call (was: ignored, the default used)
    await expect(createOnnxBackend({ executionProvider: ['cpu'] } as never)).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/^createOnnxBackend: unknown option 'executionProvider' \(did you mean 'executionProviders'\?\)/) });
    await expect(createOnnxBackend({ executionProviders: 'cpu' } as never)).rejects.toMatchObject({ code: 'INVALID_OPTION', message: "createOnnxBackend: option 'executionProviders' must be an array, got string 'cpu'" });
  });
});

describe('onnx backend behaviour beyond the conformance suite', () => {
  it('reports its precision; fp32 really computes in fp32 (error well above fp64 round-off, within fp32)', async () => {
    const b64 = await createOnnxBackend();
    const b32 = await createOnnxBackend({ precision: 'fp32' });
    expect(b64.name).toBe('onnx');
    expect(b32.name).toBe('onnx-fp32');
    expect(b32.precision).toBe('fp32');
    expect(b32.description).toMatch(/fp32/);
    const rng = new Rng(3);
    const X = randn(rng, 300, 20);
    const M = randomMasks(rng, 300, 40);
    const U = randn(rng, 20, 40);
    const want = reference.naiveMaskedForward(X, M, U);
    expect(relErr(b64.maskedForward(X, M, U), want)).toBeLessThan(1e-13);
    const e32 = relErr(b32.maskedForward(X, M, U), want);
    expect(e32).toBeGreaterThan(1e-10);
    expect(e32).toBeLessThan(1e-5);
  });

  it('sees masks edited in place (the unpacked-mask cache is checked against the bits)', async () => {
    const b = await createOnnxBackend();
    const rng = new Rng(4);
    const X = randn(rng, 120, 6);
    const M = randomMasks(rng, 120, 35);
    const U = randn(rng, 6, 35);
    const R = randn(rng, 120, 1);
    b.maskedForward(X, M, U);
    b.maskedBackward(X, M, R);
    for (let j = 0; j < 120; j += 3) M.set(j, j % 35, !M.get(j, j % 35));
    expect(relErr(b.maskedForward(X, M, U), reference.naiveMaskedForward(X, M, U))).toBeLessThan(1e-13);
    expect(relErr(b.maskedBackward(X, M, R), reference.naiveMaskedBackward(X, M, R))).toBeLessThan(1e-13);
  });

  it('sees data edited in place (fp64 aliases contiguous X; fp32 copies are re-validated)', async () => {
    for (const precision of ['fp64', 'fp32'] as const) {
      const b = await createOnnxBackend({ precision });
      const rng = new Rng(5);
      const X = randn(rng, 80, 5);
      const M = randomMasks(rng, 80, 12);
      const U = randn(rng, 5, 12);
      b.maskedForward(X, M, U);
      X.set(7, 2, X.get(7, 2) + 10);
      const tol = precision === 'fp64' ? 1e-13 : 1e-5;
      expect(relErr(b.maskedForward(X, M, U), reference.naiveMaskedForward(X, M, U))).toBeLessThan(tol);
      expect(relErr(b.gemm(X, U), reference.naiveGemm(X, U))).toBeLessThan(tol);
    }
  });

  it('gemm writes into a contiguous block of rows of a larger output (pre-allocated fetch)', async () => {
    const b = await createOnnxBackend();
    const rng = new Rng(6);
    const A = randn(rng, 30, 8);
    const B = randn(rng, 8, 9);
    const big = randn(rng, 40, 9);
    const above = big.get(4, 3);
    const below = big.get(35, 8);
    const view = big.view(5, 0, 30, 9);
    b.gemm(A, B, { out: view });
    expect(relErr(view, reference.naiveGemm(A, B))).toBeLessThan(1e-13);
    expect(big.get(4, 3)).toBe(above);
    expect(big.get(35, 8)).toBe(below);
  });

  it('rejects mismatched shapes in every product with SHAPE_MISMATCH', async () => {
    const b = await createOnnxBackend();
    const X = Matrix.zeros(10, 3);
    const M = new PatternMasks(10, 4);
    expect(() => b.maskedForward(X, M, Matrix.zeros(3, 5))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => b.maskedBackward(X, M, Matrix.zeros(9, 1))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => b.maskedBackward(X, M, Matrix.zeros(10, 1), Matrix.zeros(3, 5))).toThrow(/expected 3×4/);
    expect(() => b.gemm(X, X)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => b.gemm(X, X, { transA: true, beta: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});

describe('benchmarkKernels', () => {
  it('times the three products per backend; GFLOP/s is 2·n·d·P over the median time', async () => {
    const b = await createOnnxBackend();
    const rows = benchmarkKernels([b], { n: 200, d: 5, patterns: 20, minTimeMs: 0, minSamples: 2 });
    expect(rows.map((r) => r.kernel)).toEqual(['gemm', 'mask-forward', 'mask-backward']);
    for (const r of rows) {
      expect(r.backend).toBe('onnx');
      expect(r.precision).toBe('fp64');
      expect(r.ms).toBeGreaterThan(0);
      expect(r.gflops * r.ms).toBeCloseRel(2 * 200 * 5 * 20 * 1e-6, 1e-9);
    }
    expect(() => benchmarkKernels([b], { n: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});
