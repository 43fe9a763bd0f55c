/**
 * @cvxnn/backend-blas — optional maximum-speed CPU kernels for cvxnn: a small Node-API addon
 * over OpenBLAS (CBLAS), backends `blas` (fp64) and `blas-fp32`. The addon is built by this
 * package's `build` script only where libopenblas-dev is present; elsewhere `createBlasBackend`
 * throws `BACKEND_UNAVAILABLE` and `resolveBackend('auto')` falls back with a one-line notice.
 *
 * @example
 *   import { registerBlasBackends } from '@cvxnn/backend-blas';
 *   import { resolveBackend } from '@cvxnn/linalg';
 *   registerBlasBackends();
 *   const { backend, notices } = await resolveBackend('blas'); // or BACKEND_UNAVAILABLE with the reason
 */
import { registerBackend } from '@cvxnn/linalg';
import { createBlasBackend } from './blas.js';

export { createBlasBackend, BLAS_DEFAULT_CHUNK_ELEMENTS, type BlasBackendOptions } from './blas.js';
export { loadBlasAddon, defaultAddonPath, defaultBlasThreads, type BlasAddon } from './addon.js';

/**
 * Registry priorities. `blas` (fp64) ranks below `onnx` (10, the default fast path, which needs no
 * system library) and above `ts` (0): `auto` takes it where onnxruntime-node is missing but the
 * addon was built. `blas-fp32` ranks below `ts` so `auto` never lowers the precision; ask for
 * `blas` and `blas-fp32` by name.
 *
 * @example
 *   BLAS_PRIORITIES.blas; // 5
 */
export const BLAS_PRIORITIES = Object.freeze({ blas: 5, 'blas-fp32': -3 });

/**
 * Register `blas` and `blas-fp32` with the @cvxnn/linalg registry (idempotent). Nothing is
 * loaded until a backend is resolved.
 *
 * @example
 *   registerBlasBackends();
 *   await setBackend('blas-fp32');
 */
export function registerBlasBackends(): void {
  registerBackend('blas', () => createBlasBackend({ precision: 'fp64' }), BLAS_PRIORITIES.blas);
  registerBackend('blas-fp32', () => createBlasBackend({ precision: 'fp32' }), BLAS_PRIORITIES['blas-fp32']);
}
