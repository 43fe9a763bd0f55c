/**
 * Backend selection for every command that takes `--backend`: registers the optional backends
 * (`onnx`, `onnx-fp32` from @cvxnn/backend-onnx; `blas`, `blas-fp32` from @cvxnn/backend-blas,
 * whose OpenBLAS addon exists only where libopenblas-dev was present at build time; `wasm`,
 * `tfjs-cpu` and `tfjs-node-gpu` from @cvxnn/backend-tfjs, the last only where the optional
 * @tensorflow/tfjs-node-gpu is installed and finds a CUDA GPU; all loaded lazily) next to the
 * always-available TypeScript ones, then resolves the name with @cvxnn/linalg's `resolveBackend`.
 *
 * `auto` order: tfjs-node-gpu (fp32, GPU only) → onnx (fp64, if onnxruntime-node loads) → blas
 * (fp64, if the addon was built) → ts. `onnx-fp32`, `blas-fp32`, `ts-workers`, `wasm` and
 * `tfjs-cpu` only by name. `webgpu` was evaluated and is not built: asking for it is
 * `BACKEND_UNAVAILABLE` with the reason (see README, Backends).
 */
import { registerBlasBackends } from '@cvxnn/backend-blas';
import { registerOnnxBackends } from '@cvxnn/backend-onnx';
import { registerTfjsBackends } from '@cvxnn/backend-tfjs';
import { CvxnnError, listBackends, resolveBackend, type BackendResolution } from '@cvxnn/linalg';

/** Backends that are documented but not available in this build, with the one-line reason. */
export const UNAVAILABLE_BACKENDS: Readonly<Record<string, string>> = Object.freeze({
  webgpu: "not built: cvxnn's kernels are synchronous and WebGPU in Node (Dawn) reads results back only asynchronously (tfjs-backend-webgpu's synchronous read needs a browser's OffscreenCanvas); see README, Backends; for a GPU use --backend tfjs-node-gpu",
});

let registered = false;

/**
 * Register the optional backends (once) and resolve `name` (`ts`, `onnx`, `onnx-fp32`, `blas`,
 * `blas-fp32`, `ts-workers`, `wasm`, `tfjs-cpu`, `tfjs-node-gpu` or `auto`). Notices list the candidates `auto` skipped, one line each
 * (e.g. "backend 'onnx' unavailable: onnxruntime-node could not be loaded …").
 *
 * @example
 *   const { backend, notices } = await selectBackend(o.backend);
 *   notices.forEach((n) => io.err(`note: ${n}\n`));
 *   solveGatedRelu(problem, { backend });
 */
export async function selectBackend(name: string): Promise<BackendResolution> {
  if (!registered) {
    registerOnnxBackends();
    registerBlasBackends();
    registerTfjsBackends();
    registered = true;
  }
  const reason = UNAVAILABLE_BACKENDS[name];
  if (reason !== undefined) throw new CvxnnError('BACKEND_UNAVAILABLE', `backend '${name}' unavailable: ${reason}`);
  if (name !== 'auto' && !listBackends().includes(name)) {
    throw new CvxnnError('INVALID_OPTION', `unknown backend '${name}'; choose one of auto, ${listBackends().join(', ')}`);
  }
  return resolveBackend(name);
}

/**
 * The names `selectBackend` accepts: `auto` and every registered backend, best first.
 *
 * @example
 *   backendNames(); // ['auto', 'tfjs-node-gpu', 'onnx', 'blas', 'ts', 'ts-workers', 'onnx-fp32', 'blas-fp32', 'wasm', 'tfjs-cpu']
 */
export function backendNames(): string[] {
  if (!registered) {
    registerOnnxBackends();
    registerBlasBackends();
    registerTfjsBackends();
    registered = true;
  }
  return ['auto', ...listBackends()];
}
