/**
 * @cvxnn/backend-onnx — native-speed CPU kernels for cvxnn through onnxruntime-node (MLAS):
 * backends `onnx` (fp64) and `onnx-fp32`. onnxruntime-node is an optional dependency loaded
 * lazily; when it is missing `createOnnxBackend` rejects with `BACKEND_UNAVAILABLE` and
 * `resolveBackend('auto')` falls back to the TypeScript kernels with a one-line notice.
 *
 * @example
 *   import { registerOnnxBackends } from '@cvxnn/backend-onnx';
 *   import { resolveBackend } from '@cvxnn/linalg';
 *   registerOnnxBackends();
 *   const { backend, notices } = await resolveBackend('auto'); // onnx, or ts with a notice
 */
import { registerBackend } from '@cvxnn/linalg';
import { createOnnxBackend } from './onnx.js';

export { createOnnxBackend, type OnnxBackendOptions } from './onnx.js';
export { encodeModel, node, valueInfo, DOUBLE, FLOAT, INT64, type OnnxModelSpec, type OnnxNode, type OnnxValueInfo, type OnnxInitializer } from './proto.js';

/**
 * Registry priorities: `auto` tries `onnx` (fp64) first, then `ts`. `onnx-fp32` ranks below `ts`
 * so `auto` never lowers the precision; ask for it by name.
 *
 * @example
 *   ONNX_PRIORITIES.onnx; // 10
 */
export const ONNX_PRIORITIES = Object.freeze({ onnx: 10, 'onnx-fp32': -2 });

/**
 * Register `onnx` and `onnx-fp32` with the @cvxnn/linalg registry (idempotent). Nothing is loaded
 * until a backend is resolved.
 *
 * @example
 *   registerOnnxBackends();
 *   await setBackend('onnx-fp32');
 */
export function registerOnnxBackends(): void {
  registerBackend('onnx', () => createOnnxBackend({ precision: 'fp64' }), ONNX_PRIORITIES.onnx);
  registerBackend('onnx-fp32', () => createOnnxBackend({ precision: 'fp32' }), ONNX_PRIORITIES['onnx-fp32']);
}
export { benchmarkKernels, fastestRounds, kernelBenchData, numpyKernelReference, type KernelTiming, type KernelBenchOptions } from './bench-kernels.js';
