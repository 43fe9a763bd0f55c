import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CvxnnError, listBackends, Matrix, PatternMasks, registerBackend, resolveBackend, Rng, reference } from '@cvxnn/linalg';
import { relErr } from '@cvxnn/linalg/conformance';
import { BLAS_PRIORITIES, createBlasBackend, defaultAddonPath, defaultBlasThreads, loadBlasAddon, registerBlasBackends } from './index.js';

const built = existsSync(defaultAddonPath());
const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const missing = path.join(os.tmpdir(), 'cvxnn-no-such-dir', 'cvxnn_blas.node');

describe('without the addon (simulated: addonPath points at a missing file)', () => {
  it('loadBlasAddon and createBlasBackend throw BACKEND_UNAVAILABLE saying what to install', () => {
    expect(() => loadBlasAddon(missing)).toThrow(CvxnnError);
    expect(() => createBlasBackend({ addonPath: missing })).toThrow(expect.objectContaining({ code: 'BACKEND_UNAVAILABLE', message: expect.stringMatching(/not built.*libopenblas-dev.*--backend onnx/) }));
  });

  it('a file that is not a loadable addon is BACKEND_UNAVAILABLE too', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-blas-'));
    try {
      const bogus = path.join(dir, 'cvxnn_blas.node');
      writeFileSync(bogus, 'not an ELF file');
      expect(() => loadBlasAddon(bogus)).toThrow(expect.objectContaining({ code: 'BACKEND_UNAVAILABLE', message: expect.stringMatching(/could not be loaded/) }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("resolveBackend('auto') skips blas with a one-line notice and falls back to ts; asking for blas by name is a typed error", async () => {
    registerBackend('blas', () => createBlasBackend({ addonPath: missing }), BLAS_PRIORITIES.blas);
    try {
      const { backend, notices } = await resolveBackend('auto');
      expect(backend.name).toBe('ts');
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(/^backend 'blas' unavailable: the OpenBLAS addon is not built/);
      expect(notices[0]).not.toContain('\n');
      await expect(resolveBackend('blas')).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    } finally {
      registerBlasBackends();
    }
    expect(listBackends()).toEqual(expect.arrayContaining(['blas', 'blas-fp32', 'ts']));
    // fp32 ranks below ts: auto never lowers the precision
    expect(listBackends().indexOf('blas-fp32')).toBeGreaterThan(listBackends().indexOf('ts'));
  });

  it('invalid options are INVALID_OPTION before anything is loaded', () => {
    expect(() => createBlasBackend({ precision: 'fp16' as never, addonPath: missing })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/precision/) }));
    expect(() => createBlasBackend({ threads: 0, addonPath: missing })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/threads/) }));
    expect(() => createBlasBackend({ maxChunkElements: 1.5, addonPath: missing })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/maxChunkElements/) }));
    // a misspelt key or a wrong type, named with the call (was: ignored, the default used)
    expect(() => createBlasBackend({ thread: 1, addonPath: missing } as never)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/^createBlasBackend: unknown option 'thread' \(did you mean 'threads'\?\)/) }));
    expect(() => createBlasBackend({ threads: '2', addonPath: missing } as never)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: "createBlasBackend: option 'threads' must be an integer, got string '2'" }));
  });

  it('the build script prints one notice line and exits 0 when OpenBLAS cannot be linked or is switched off', () => {
    const script = path.join(pkg, 'scripts', 'build-addon.mjs');
    const noLib = execFileSync(process.execPath, [script, '--force'], { env: { ...process.env, CVXNN_BLAS_LIBS: '-lcvxnn_no_such_blas_library' }, encoding: 'utf8' });
    expect(noLib.trim().split('\n')).toHaveLength(1);
    expect(noLib).toMatch(/OpenBLAS addon not built \(cannot link OpenBLAS.*libopenblas-dev\)/);
    const off = execFileSync(process.execPath, [script, '--force'], { env: { ...process.env, CVXNN_BLAS: '0' }, encoding: 'utf8' });
    expect(off).toMatch(/not built \(CVXNN_BLAS=0\)/);
    // neither touched an addon that was already built
    expect(existsSync(defaultAddonPath())).toBe(built);
  });
});

describe.skipIf(!built)(`with the addon${built ? '' : ' (skipped: the OpenBLAS addon is not built; install libopenblas-dev and run pnpm --filter @cvxnn/backend-blas build)'}`, () => {
  it('reports name, precision, library and threads', () => {
    const b = createBlasBackend();
    expect([b.name, b.precision]).toEqual(['blas', 'fp64']);
    expect(b.description).toMatch(/OpenBLAS .*dgemm, fp64, \d+ threads/);
    const f = createBlasBackend({ precision: 'fp32', threads: 1 });
    expect([f.name, f.precision]).toEqual(['blas-fp32', 'fp32']);
    expect(f.description).toMatch(/sgemm, fp32, 1 threads/);
  });

  it('the threads option sets OpenBLAS threads before each product', () => {
    const addon = loadBlasAddon();
    const one = createBlasBackend({ threads: 1 });
    const two = createBlasBackend({ threads: 2 });
    const rng = new Rng(3);
    const a = new Matrix(20, 10, rng.normalArray(200));
    two.gemm(a, a, { transB: true });
    expect(addon.getThreads()).toBe(2);
    one.gemm(a, a, { transB: true });
    expect(addon.getThreads()).toBe(1);
    // a backend without the option goes back to OpenBLAS's own count from load time
    createBlasBackend().gemm(a, a, { transB: true });
    expect(addon.getThreads()).toBe(defaultBlasThreads(addon));
  });

  it('fp32 really computes in single precision: it matches the product of the rounded inputs, not the fp64 one', () => {
    const rng = new Rng(11);
    const n = 64;
    const k = 300;
    const A = new Matrix(n, k, rng.normalArray(n * k));
    const B = new Matrix(k, n, rng.normalArray(k * n));
    const round = (m: Matrix<Float64Array>) => new Matrix(m.rows, m.cols, Float64Array.from(m.data, Math.fround));
    const exact = reference.naiveGemm(A, B);
    const ofRounded = reference.naiveGemm(round(A), round(B));
    const f32 = createBlasBackend({ precision: 'fp32' }).gemm(A, B);
    const f64 = createBlasBackend().gemm(A, B);
    expect(relErr(f64, exact)).toBeLessThan(1e-13);
    // fp32 rounding of the inputs alone moves the result by ~1e-7 relative; sgemm's own sums add ~k·2⁻²⁴
    expect(relErr(f32, exact)).toBeGreaterThan(1e-9);
    expect(relErr(f32, ofRounded)).toBeLessThan(k * 2 ** -24);
  });

  it('writes into the given output in place (zero copy) and returns it', () => {
    const rng = new Rng(5);
    const X = new Matrix(50, 4, rng.normalArray(200));
    const U = new Matrix(4, 7, rng.normalArray(28));
    const M = PatternMasks.fromGates(X, new Matrix(4, 7, rng.normalArray(28)));
    const b = createBlasBackend();
    const F = Matrix.zeros(50, 1);
    expect(b.maskedForward(X, M, U, F)).toBe(F);
    const G = Matrix.zeros(4, 7);
    expect(b.maskedBackward(X, M, F, G)).toBe(G);
    const C = Matrix.zeros(50, 7);
    expect(b.gemm(X, U, { out: C })).toBe(C);
    expect(relErr(C, reference.naiveGemm(X, U))).toBeLessThan(1e-14);
  });

  it('fp32 inputs (a Matrix over a Float32Array) are widened, not misread', () => {
    const rng = new Rng(9);
    const a64 = new Matrix(6, 5, Float64Array.from(rng.normalArray(30), Math.fround));
    const b64 = new Matrix(5, 3, Float64Array.from(rng.normalArray(15), Math.fround));
    const a32 = new Matrix(6, 5, Float32Array.from(a64.data)) as unknown as Matrix<Float64Array>;
    const got = createBlasBackend().gemm(a32, b64);
    expect(relErr(got, reference.naiveGemm(a64, b64))).toBeLessThan(1e-14);
  });

  it('the native functions refuse index ranges outside their buffers (memory safety)', () => {
    const addon = loadBlasAddon();
    const A = new Float64Array(6);
    const C = new Float64Array(4);
    // A declared 2×3 at offset 1 needs 7 elements
    expect(() => addon.gemm(false, false, 2, 2, 3, 1, A, 1, 3, A, 0, 2, 0, C, 0, 2, false)).toThrow(/does not fit/);
    expect(() => addon.gemm(false, false, 2, 2, 3, 1, A, 0, 3, A, 0, 2, 0, new Float64Array(3), 0, 2, false)).toThrow(/does not fit/);
    const bits = new Uint32Array(2);
    // masks for n = 2, P = 3 but a residual of 1 row
    expect(() => addon.maskedBackward(new Float64Array(4), 0, 2, 2, 2, bits, 1, 3, new Float64Array(1), 0, 1, 1, new Float64Array(6), 0, 3, 10, false)).toThrow(/does not fit/);
    // wordsPerRow inconsistent with P
    expect(() => addon.maskedForward(new Float64Array(4), 0, 2, 2, 2, bits, 2, 3, new Float64Array(6), 0, 3, 1, new Float64Array(2), 0, 1, 10, false)).toThrow(/inconsistent/);
    expect(() => addon.gemm(false, false, 1, 1, 1, 1, new Float32Array(1) as unknown as Float64Array, 0, 1, A, 0, 1, 0, C, 0, 1, false)).toThrow(/argument types/);
  });

  it('a 1×1 product: 3·2 = 6 (the smoke test of the build script)', () => {
    const C = new Float64Array(1);
    loadBlasAddon().gemm(false, false, 1, 1, 1, 1, new Float64Array([3]), 0, 1, new Float64Array([2]), 0, 1, 0, C, 0, 1, false);
    expect(C[0]).toBe(6);
  });
});
