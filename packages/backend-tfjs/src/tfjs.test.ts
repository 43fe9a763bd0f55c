import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerOnnxBackends } from '@cvxnn/backend-onnx';
import { CvxnnError, listBackends, Matrix, PatternMasks, reference, registerBackend, resolveBackend, Rng } from '@cvxnn/linalg';
import { relErr } from '@cvxnn/linalg/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { createTfjsBackend, registerTfjsBackends, TFJS_PRIORITIES, TFJS_VERSION, tfjsTensorCount } from './index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fakeNode = path.join(here, '../test/fake-tfjs-node.ts');
const g = globalThis as { __cvxnnFakeGpu?: boolean };

const randn = (rng: Rng, r: number, c: number) => new Matrix(r, c, rng.normalArray(r * c));
function randomMasks(rng: Rng, n: number, p: number): PatternMasks {
  const m = new PatternMasks(n, p);
  for (let j = 0; j < n; j++) for (let i = 0; i < p; i++) if (rng.uniform() < 0.5) m.set(j, i, true);
  return m;
}

describe('registration and the fallback order', () => {
  afterAll(() => registerTfjsBackends());

  it('orders tfjs-node-gpu first, then onnx, ts, …, onnx-fp32, wasm, tfjs-cpu', () => {
    registerOnnxBackends();
    registerTfjsBackends();
    const order = listBackends();
    const at = (n: string) => order.indexOf(n);
    for (const n of ['tfjs-node-gpu', 'onnx', 'ts', 'onnx-fp32', 'wasm', 'tfjs-cpu']) expect(at(n)).toBeGreaterThanOrEqual(0);
    expect(at('tfjs-node-gpu')).toBeLessThan(at('onnx'));
    expect(at('onnx')).toBeLessThan(at('ts'));
    expect(at('ts')).toBeLessThan(at('onnx-fp32'));
    expect(at('onnx-fp32')).toBeLessThan(at('wasm'));
    expect(at('wasm')).toBeLessThan(at('tfjs-cpu'));
  });

  it('auto skips a missing tfjs-node-gpu with a one-line notice and takes onnx (fp64)', async () => {
    // simulate the optional package being absent (it is also absent here for real)
    registerBackend('tfjs-node-gpu', () => createTfjsBackend({ kind: 'node-gpu', moduleName: '@tensorflow/tfjs-node-gpu-not-installed' }), TFJS_PRIORITIES['tfjs-node-gpu']);
    const { backend, notices } = await resolveBackend('auto');
    expect(backend.name).toBe('onnx');
    expect(backend.precision).toBe('fp64');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^backend 'tfjs-node-gpu' unavailable: @tensorflow\/tfjs-node-gpu-not-installed could not be loaded \(.*\); it needs libtensorflow 2\.9\.1 with CUDA 11\.2 \+ cuDNN 8\.1: .* \(see the @cvxnn\/backend-tfjs README, Install\), or choose the 'blas', 'onnx' or 'ts' backend$/);
    expect(notices[0]).not.toContain('\n');
    await expect(resolveBackend('tfjs-node-gpu')).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
  });

  it('auto skips tfjs-node-gpu when libtensorflow finds no CUDA device, with a notice', async () => {
    g.__cvxnnFakeGpu = false;
    registerBackend('tfjs-node-gpu', () => createTfjsBackend({ kind: 'node-gpu', moduleName: fakeNode }), TFJS_PRIORITIES['tfjs-node-gpu']);
    const { backend, notices } = await resolveBackend('auto');
    expect(backend.name).toBe('onnx');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^backend 'tfjs-node-gpu' unavailable: .*found no CUDA device.*it would run on the CPU$/);
  });

  it('auto takes tfjs-node-gpu when it reports a GPU (stand-in module), and it computes correctly', async () => {
    g.__cvxnnFakeGpu = true;
    registerBackend('tfjs-node-gpu', () => createTfjsBackend({ kind: 'node-gpu', moduleName: fakeNode }), TFJS_PRIORITIES['tfjs-node-gpu']);
    const { backend, notices } = await resolveBackend('auto');
    expect(notices).toEqual([]);
    expect(backend.name).toBe('tfjs-node-gpu');
    expect(backend.precision).toBe('fp32');
    expect(backend.description).toMatch(/on a CUDA GPU/);
    const rng = new Rng(8);
    const X = randn(rng, 150, 7);
    const M = randomMasks(rng, 150, 40);
    const U = randn(rng, 7, 80);
    const R = randn(rng, 150, 2);
    expect(relErr(backend.maskedForward(X, M, U), reference.naiveMaskedForward(X, M, U))).toBeLessThan(1e-5);
    expect(relErr(backend.maskedBackward(X, M, R), reference.naiveMaskedBackward(X, M, R))).toBeLessThan(1e-5);
    g.__cvxnnFakeGpu = false;
  });

  it('with the real package absent, the registered tfjs-node-gpu is unavailable here (no GPU in CI)', async () => {
    registerTfjsBackends();
    if (process.env.CVXNN_HAS_TFJS_GPU === '1') return; // a CUDA machine with the package installed
    const err = await createTfjsBackend({ kind: 'node-gpu' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CvxnnError);
    expect((err as CvxnnError).code).toBe('BACKEND_UNAVAILABLE');
    expect((err as Error).message).toMatch(/^@tensorflow\/tfjs-node-gpu could not be loaded/);
  });

  it('TFJS_VERSION (named in the install instructions) is the installed tfjs-core', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    expect(TFJS_VERSION).toBe(tf.version_core);
  });

  it('rejects bad options with INVALID_OPTION', async () => {
    await expect(createTfjsBackend({ kind: 'webgl' as never })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(createTfjsBackend({ kind: 'node-gpu', moduleName: '' })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    // a misspelt key or a wrong type, named with the call (was: ignored, the default used)
    await expect(createTfjsBackend({ kind: 'node-gpu', requireGPU: false } as never)).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/^createTfjsBackend: unknown option 'requireGPU' \(did you mean 'requireGpu'\?\)/) });
    await expect(createTfjsBackend({ kind: 'node-gpu', requireGpu: 'no' } as never)).rejects.toMatchObject({ code: 'INVALID_OPTION', message: "createTfjsBackend: option 'requireGpu' must be a boolean, got string 'no'" });
  });
});

describe('tfjs backends beyond the conformance suite', () => {
  for (const kind of ['wasm', 'cpu'] as const) {
    it(`${kind}: reports fp32 and really computes in fp32 (error above fp64 round-off, within fp32)`, async () => {
      const b = await createTfjsBackend({ kind });
      expect(b.precision).toBe('fp32');
      expect(b.name).toBe(kind === 'wasm' ? 'wasm' : 'tfjs-cpu');
      expect(b.description).toMatch(/fp32/);
      const rng = new Rng(3);
      const X = randn(rng, 300, 20);
      const M = randomMasks(rng, 300, 40);
      const U = randn(rng, 20, 40);
      const e = relErr(b.maskedForward(X, M, U), reference.naiveMaskedForward(X, M, U));
      expect(e).toBeGreaterThan(1e-10);
      expect(e).toBeLessThan(1e-5);
    });
  }

  it('the wasm backend is SIMD (its .wasm files load offline from the npm package)', async () => {
    const b = await createTfjsBackend({ kind: 'wasm' });
    expect(b.description).toMatch(/XNNPACK SIMD, single-threaded/);
  });

  it('sees masks and data edited in place (device copies are re-validated)', async () => {
    const b = await createTfjsBackend({ kind: 'wasm' });
    const rng = new Rng(4);
    const X = randn(rng, 120, 6);
    const M = randomMasks(rng, 120, 35);
    const U = randn(rng, 6, 35 * 2);
    const R = randn(rng, 120, 2);
    b.maskedForward(X, M, U);
    b.maskedBackward(X, M, R);
    for (let j = 0; j < 120; j += 3) M.set(j, j % 35, !M.get(j, j % 35));
    expect(relErr(b.maskedForward(X, M, U), reference.naiveMaskedForward(X, M, U))).toBeLessThan(1e-5);
    expect(relErr(b.maskedBackward(X, M, R), reference.naiveMaskedBackward(X, M, R))).toBeLessThan(1e-5);
    X.set(7, 2, X.get(7, 2) + 10);
    expect(relErr(b.maskedForward(X, M, U), reference.naiveMaskedForward(X, M, U))).toBeLessThan(1e-5);
    expect(relErr(b.maskedBackward(X, M, R), reference.naiveMaskedBackward(X, M, R))).toBeLessThan(1e-5);
    // gemm caches an operand from its second use on; an edit after that is seen too
    const A = randn(rng, 30, 6);
    b.gemm(A, X, { transB: true });
    b.gemm(A, X, { transB: true });
    A.set(3, 3, -50);
    expect(relErr(b.gemm(A, X, { transB: true }), reference.naiveGemm(A, X, { transB: true }))).toBeLessThan(1e-5);
  });

  it('keeps X and the masks on the device: repeated products allocate nothing new; dispose frees them', async () => {
    const b = await createTfjsBackend({ kind: 'wasm' });
    const rng = new Rng(5);
    const X = randn(rng, 200, 9);
    const M = randomMasks(rng, 200, 50);
    const before = await tfjsTensorCount();
    b.maskedForward(X, M, randn(rng, 9, 50));
    const cached = (await tfjsTensorCount()) - before;
    expect(cached).toBe(3); // X, M and Mᵀ
    for (let it = 0; it < 5; it++) {
      // fresh U and R every iteration, as a solver passes them
      b.maskedForward(X, M, randn(rng, 9, 50));
      b.maskedBackward(X, M, randn(rng, 200, 1));
      b.gemm(X, randn(rng, 9, 4));
    }
    expect((await tfjsTensorCount()) - before).toBe(cached);
    b.dispose?.();
    expect(await tfjsTensorCount()).toBe(before);
    expect(() => b.maskedForward(X, M, randn(rng, 9, 50))).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it('two tfjs backends used in turn each run on their own tfjs backend', async () => {
    const wasm = await createTfjsBackend({ kind: 'wasm' });
    const cpu = await createTfjsBackend({ kind: 'cpu' });
    const rng = new Rng(6);
    const X = randn(rng, 90, 5);
    const M = randomMasks(rng, 90, 20);
    const R = randn(rng, 90, 3);
    const want = reference.naiveMaskedBackward(X, M, R);
    for (let k = 0; k < 3; k++) {
      expect(relErr(wasm.maskedBackward(X, M, R), want)).toBeLessThan(1e-5);
      expect(relErr(cpu.maskedBackward(X, M, R), want)).toBeLessThan(1e-5);
    }
    const tf = await import('@tensorflow/tfjs-core');
    cpu.gemm(X, X, { transA: true });
    expect(tf.getBackend()).toBe('cpu');
    wasm.gemm(X, X, { transA: true });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects mismatched shapes with SHAPE_MISMATCH and bad gemm options with INVALID_OPTION', async () => {
    const b = await createTfjsBackend();
    const X = Matrix.zeros(10, 3);
    const M = new PatternMasks(10, 4);
    expect(() => b.maskedForward(X, M, Matrix.zeros(3, 5))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => b.maskedBackward(X, M, Matrix.zeros(9, 1))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => b.maskedBackward(X, M, Matrix.zeros(10, 1), Matrix.zeros(3, 5))).toThrow(/expected 3×4/);
    expect(() => b.gemm(X, X)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => b.gemm(X, X, { transA: true, beta: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    // an output accumulated into (beta ≠ 0) must be finite too, as on the CPU backends
    const acc = Matrix.zeros(3, 3);
    acc.set(1, 1, Number.NaN);
    expect(() => b.gemm(X, X, { transA: true, beta: 1, out: acc })).toThrow(expect.objectContaining({ code: 'NON_FINITE' }));
  });
});
