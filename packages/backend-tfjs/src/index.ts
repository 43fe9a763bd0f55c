/**
 * @cvxnn/backend-tfjs — TensorFlow.js kernels for cvxnn, fp32: backends `wasm`
 * (tfjs-backend-wasm, SIMD, single-threaded in Node), `tfjs-cpu` (plain JS, a reference) and
 * `tfjs-node-gpu` (libtensorflow on a CUDA GPU through the optional `@tensorflow/tfjs-node-gpu`,
 * loaded by dynamic import; never installed by this project). When the GPU package is missing or
 * finds no GPU, `resolveBackend('auto')` skips it with a one-line notice.
 *
 * @example
 *   import { registerTfjsBackends } from '@cvxnn/backend-tfjs';
 *   import { resolveBackend } from '@cvxnn/linalg';
 *   registerTfjsBackends();
 *   const { backend, notices } = await resolveBackend('wasm'); // fp32, reported as such
 */
import { registerBackend } from '@cvxnn/linalg';
import { createTfjsBackend } from './tfjs.js';

export { createTfjsBackend, tfjsTensorCount, TFJS_BACKEND_NAMES, TFJS_VERSION, type TfjsBackendOptions, type TfjsKind } from './tfjs.js';

/**
 * Registry priorities. `tfjs-node-gpu` ranks first (above `onnx`, 10): where it loads, a CUDA GPU
 * is present and `auto` takes it (fp32; the result reports it). `wasm` and `tfjs-cpu` rank below
 * `ts` (0), `ts-workers` (−1) and `onnx-fp32` (−2): on the CPU they are slower than onnx and
 * lower the precision, so `auto` never picks them; ask for them by name.
 *
 * @example
 *   TFJS_PRIORITIES['tfjs-node-gpu']; // 20
 */
export const TFJS_PRIORITIES = Object.freeze({ 'tfjs-node-gpu': 20, wasm: -3, 'tfjs-cpu': -5 });

/**
 * Register `tfjs-node-gpu`, `wasm` and `tfjs-cpu` with the @cvxnn/linalg registry (idempotent).
 * Nothing is loaded until a backend is resolved.
 *
 * @example
 *   registerTfjsBackends();
 *   await setBackend('wasm');
 */
export function registerTfjsBackends(): void {
  registerBackend('tfjs-node-gpu', () => createTfjsBackend({ kind: 'node-gpu' }), TFJS_PRIORITIES['tfjs-node-gpu']);
  registerBackend('wasm', () => createTfjsBackend({ kind: 'wasm' }), TFJS_PRIORITIES.wasm);
  registerBackend('tfjs-cpu', () => createTfjsBackend({ kind: 'cpu' }), TFJS_PRIORITIES['tfjs-cpu']);
}
