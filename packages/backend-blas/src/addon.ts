/**
 * Loading the optional native addon `native/build/Release/cvxnn_blas.node` (built by
 * `scripts/build-addon.mjs` when libopenblas-dev is present). A missing or unloadable file is a
 * `BACKEND_UNAVAILABLE` error with a one-line reason and what to do.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CvxnnError } from '@cvxnn/linalg';

/**
 * The functions of the native addon (see native/blas_addon.c for the argument conventions:
 * each matrix is passed as its Float64Array, offset and row stride; `fp32` selects sgemm).
 *
 * @example
 *   const a = loadBlasAddon();
 *   a.gemm(false, false, 1, 1, 1, 1, new Float64Array([3]), 0, 1, new Float64Array([2]), 0, 1, 0, C, 0, 1, false); // C[0] = 6
 */
export interface BlasAddon {
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, A: Float64Array, aOff: number, lda: number, B: Float64Array, bOff: number, ldb: number, beta: number, C: Float64Array, cOff: number, ldc: number, fp32: boolean): void;
  maskedForward(X: Float64Array, xOff: number, ldx: number, n: number, d: number, bits: Uint32Array, wordsPerRow: number, P: number, U: Float64Array, uOff: number, ldu: number, c: number, F: Float64Array, fOff: number, ldf: number, chunkRows: number, fp32: boolean): void;
  maskedBackward(X: Float64Array, xOff: number, ldx: number, n: number, d: number, bits: Uint32Array, wordsPerRow: number, P: number, R: Float64Array, rOff: number, ldr: number, c: number, G: Float64Array, gOff: number, ldg: number, chunkRows: number, fp32: boolean): void;
  setThreads(threads: number): void;
  getThreads(): number;
  /** OpenBLAS's build string, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64" */
  config(): string;
}

/**
 * Where the addon is looked for: `CVXNN_BLAS_ADDON` if set, else the package's node-gyp output.
 *
 * @example
 *   defaultAddonPath(); // …/packages/backend-blas/native/build/Release/cvxnn_blas.node
 */
export function defaultAddonPath(): string {
  return process.env.CVXNN_BLAS_ADDON ?? fileURLToPath(new URL('../native/build/Release/cvxnn_blas.node', import.meta.url));
}

const loaded = new Map<string, BlasAddon>();
const initialThreads = new WeakMap<BlasAddon, number>();

/**
 * OpenBLAS's own thread count when the addon was loaded (OPENBLAS_NUM_THREADS, else every core):
 * the default of a backend created without `threads`, restored before each of its products.
 *
 * @example
 *   defaultBlasThreads(loadBlasAddon()); // 2 on a 2-core machine
 */
export function defaultBlasThreads(addon: BlasAddon): number {
  return initialThreads.get(addon) ?? addon.getThreads();
}

/**
 * Load the addon (once per path). Throws `BACKEND_UNAVAILABLE` when the file is missing (not
 * built: no libopenblas-dev at build time) or cannot be loaded (e.g. libopenblas.so.0 removed).
 *
 * @example
 *   try { loadBlasAddon(); } catch (e) { console.error((e as Error).message); }
 */
export function loadBlasAddon(file = defaultAddonPath()): BlasAddon {
  const hit = loaded.get(file);
  if (hit) return hit;
  if (!existsSync(file)) {
    throw new CvxnnError('BACKEND_UNAVAILABLE', `the OpenBLAS addon is not built (${file} is missing); install libopenblas-dev (apt-get install libopenblas-dev) and run 'pnpm --filter @cvxnn/backend-blas build', or choose the 'onnx' or 'ts' backend (CLI: --backend onnx)`);
  }
  let addon: BlasAddon;
  try {
    addon = createRequire(import.meta.url)(file) as BlasAddon;
  } catch (e) {
    throw new CvxnnError('BACKEND_UNAVAILABLE', `the OpenBLAS addon ${file} could not be loaded (${(e as Error).message.split('\n')[0]}); rebuild it with 'pnpm --filter @cvxnn/backend-blas build:addon' or choose the 'onnx' or 'ts' backend (CLI: --backend onnx)`);
  }
  for (const f of ['gemm', 'maskedForward', 'maskedBackward', 'setThreads', 'getThreads', 'config'] as const) {
    if (typeof addon[f] !== 'function') throw new CvxnnError('BACKEND_UNAVAILABLE', `${file} is not the cvxnn OpenBLAS addon (no '${f}' function); rebuild it with 'pnpm --filter @cvxnn/backend-blas build:addon'`);
  }
  loaded.set(file, addon);
  initialThreads.set(addon, addon.getThreads());
  return addon;
}
