import { listBackends, registerBackend, Rng } from '@cvxnn/linalg';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BLAS_PRIORITIES, createBlasBackend, defaultAddonPath, registerBlasBackends } from '@cvxnn/backend-blas';
import { createOnnxBackend, ONNX_PRIORITIES, registerOnnxBackends } from '@cvxnn/backend-onnx';
import { describe, expect, it } from 'vitest';
import { AUTO_ORDER, backendNames, selectBackend } from './backends.js';
import { run } from '../test/run.js';

describe('selectBackend', () => {
  it('auto takes the fastest fp64 backend that starts — blas where its addon is built, else onnx — and says nothing about the others', async () => {
    const { backend, notices } = await selectBackend('auto');
    expect(backend.name).toBe(existsSync(defaultAddonPath()) ? 'blas' : 'onnx');
    expect(backend.precision).toBe('fp64');
    // tfjs-node-gpu is registered (by name) but is not an auto candidate: no note about it, or about CUDA
    expect(notices).toEqual([]);
    expect(AUTO_ORDER).toEqual(['blas', 'onnx', 'ts']);
    expect(backendNames()).toContain('tfjs-node-gpu');
    expect((await selectBackend('onnx-fp32')).backend.precision).toBe('fp32');
    expect((await selectBackend('ts')).backend.name).toBe('ts');
  });

  it('auto falls back to ts, silently, when neither blas nor onnx starts', async () => {
    await selectBackend('ts'); // registers
    registerBackend('onnx', () => createOnnxBackend({ moduleName: 'onnxruntime-node-not-installed' }), ONNX_PRIORITIES.onnx);
    registerBackend('blas', () => createBlasBackend({ addonPath: '/nonexistent/cvxnn_blas.node' }), BLAS_PRIORITIES.blas);
    try {
      const { backend, notices } = await selectBackend('auto');
      expect([backend.name, notices]).toEqual(['ts', []]);
      // asked for by name, the same backend is an error with its reason
      await expect(selectBackend('onnx')).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.stringMatching(/onnxruntime-node-not-installed could not be loaded/) });
    } finally {
      registerOnnxBackends();
      registerBlasBackends();
    }
    expect((await selectBackend('auto')).backend.name).toBe(existsSync(defaultAddonPath()) ? 'blas' : 'onnx');
  });

  it('with blas missing, auto takes onnx', async () => {
    await selectBackend('ts'); // registers
    registerBackend('blas', () => createBlasBackend({ addonPath: '/nonexistent/cvxnn_blas.node' }), BLAS_PRIORITIES.blas);
    try {
      const { backend, notices } = await selectBackend('auto');
      expect([backend.name, backend.precision, notices]).toEqual(['onnx', 'fp64', []]);
    } finally {
      registerBlasBackends();
    }
  });

  it('unknown and not-built backends are typed errors with the reason', async () => {
    await expect(selectBackend('cuda')).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/unknown backend 'cuda'.*onnx/) });
    await expect(selectBackend('tfjs-node-gpu')).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.stringMatching(/libtensorflow/) });
    // blas loads where its OpenBLAS addon was built, and is a typed error saying so elsewhere
    if (existsSync(defaultAddonPath())) expect((await selectBackend('blas')).backend.name).toBe('blas');
    else await expect(selectBackend('blas')).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.stringMatching(/OpenBLAS addon is not built/) });
    expect(listBackends()).toContain('onnx-fp32');
    await expect(selectBackend('webgpu')).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.stringMatching(/asynchronously/) });
  });

  it('wasm and tfjs-cpu (TensorFlow.js) load by name and report fp32', async () => {
    for (const name of ['wasm', 'tfjs-cpu']) {
      const { backend } = await selectBackend(name);
      expect([backend.name, backend.precision]).toEqual([name, 'fp32']);
    }
  });
});

describe.skipIf(!existsSync(defaultAddonPath()))('cvxnn fit --backend blas (skipped where the OpenBLAS addon is not built)', () => {
  it('blas reaches the ts objective (both certified) and reports itself; blas-fp32 reports fp32', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cvxnn-blas-fit-')), 'reg.csv');
    const rng = new Rng(4);
    const rows = ['a,b,c,y'];
    for (let i = 0; i < 80; i++) {
      const x = [rng.normal(), rng.normal(), rng.normal()];
      rows.push([...x, Math.max(0, x[0] - x[1]) + 0.3 * x[2] + 0.05 * rng.normal()].map((v) => v.toFixed(6)).join(','));
    }
    writeFileSync(file, rows.join('\n') + '\n');
    const fit = async (backend: string) => {
      const r = await run('fit', '--data', file, '--lambda', '1', '--bias', '--patterns', '30', '--model', 'gated-relu', '--backend', backend, '--json');
      expect(r.code, r.err).toBe(0);
      return JSON.parse(r.out);
    };
    const [ts, blas, fp32] = [await fit('ts'), await fit('blas'), await fit('blas-fp32')];
    expect([blas.backend, blas.precision]).toEqual(['blas', 'fp64']);
    expect([fp32.backend, fp32.precision]).toEqual(['blas-fp32', 'fp32']);
    expect(ts.certificate.value).toBeLessThanOrEqual(1e-6);
    expect(blas.certificate.value).toBeLessThanOrEqual(1e-6);
    // two certified solves of the same convex program: objectives within the certificate tolerance
    expect(blas.objective).toBeCloseRel(ts.objective, 3e-6);
    expect(fp32.objective).toBeCloseRel(ts.objective, 1e-3);
  });
});

describe('cvxnn bench kernels', () => {
  it('--json prints exactly {results: [{backend, kernel, precision, gflops, ms}]}', async () => {
    const r = await run('bench', 'kernels', '--n', '300', '--d', '4', '--patterns', '20', '--backends', 'ts,onnx,onnx-fp32', '--min-time', '0', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['results']);
    expect(j.results).toHaveLength(9);
    const seen = new Set<string>();
    for (const row of j.results) {
      expect(Object.keys(row).sort()).toEqual(['backend', 'gflops', 'kernel', 'ms', 'precision']);
      expect(['gemm', 'mask-forward', 'mask-backward']).toContain(row.kernel);
      expect(row.precision).toBe(row.backend === 'onnx-fp32' ? 'fp32' : 'fp64');
      // GFLOP/s is the 2·n·d·P flops of the product over the time
      expect(row.gflops * row.ms).toBeCloseRel(2 * 300 * 4 * 20 * 1e-6, 1e-9);
      seen.add(`${row.backend}/${row.kernel}`);
    }
    expect(seen.size).toBe(9);
  });

  it('prints a table without --json, and skips an unavailable backend with a note', async () => {
    const r = await run('bench', 'kernels', '--n', '100', '--d', '3', '--patterns', '10', '--backends', 'ts,tfjs-node-gpu', '--min-time', '0');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ts\s+fp64\s+mask-forward/);
    expect(r.err).toMatch(/^note: skipped: backend 'tfjs-node-gpu' unavailable/);
  });

  it('the default backends include blas and blas-fp32: rows where the addon is built, a note where not', async () => {
    const r = await run('bench', 'kernels', '--n', '100', '--d', '3', '--patterns', '10', '--min-time', '0', '--json');
    expect(r.code, r.err).toBe(0);
    const rows = JSON.parse(r.out).results as Array<{ backend: string; precision: string }>;
    if (existsSync(defaultAddonPath())) {
      expect(rows.filter((x) => x.backend === 'blas').map((x) => x.precision)).toEqual(['fp64', 'fp64', 'fp64']);
      expect(rows.filter((x) => x.backend === 'blas-fp32').map((x) => x.precision)).toEqual(['fp32', 'fp32', 'fp32']);
    } else {
      expect(rows.some((x) => x.backend.startsWith('blas'))).toBe(false);
      expect(r.err).toMatch(/note: skipped: backend 'blas' unavailable: the OpenBLAS addon is not built/);
    }
  });

  it('rejects bad options with a typed error', async () => {
    expect((await run('bench', 'kernels', '--n', '0')).err).toMatch(/INVALID_OPTION.*--n/);
    expect((await run('bench', 'kernels', '--backends', 'nope')).err).toMatch(/INVALID_OPTION.*unknown backend 'nope'/);
    expect((await run('bench', 'kernels', '--backends', 'auto')).code).toBe(2);
    expect((await run('bench', 'kernels', '--backends', 'tfjs-node-gpu', '--n', '10')).err).toMatch(/none of --backends tfjs-node-gpu is available/);
  });
});
