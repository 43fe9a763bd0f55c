/**
 * Backend selection for every command that takes `--backend`: registers the optional backends
 * (`onnx`, `onnx-fp32` from @cvxnn/backend-onnx; `blas`, `blas-fp32` from @cvxnn/backend-blas,
 * whose OpenBLAS addon exists only where libopenblas-dev was present at build time; all loaded
 * lazily) next to the always-available TypeScript ones, then resolves the name with
 * @cvxnn/linalg's `resolveBackend`.
 *
 * `auto` order: onnx (fp64, if onnxruntime-node loads) → blas (fp64, if the addon was built) → ts.
 * `onnx-fp32`, `blas-fp32` and `ts-workers` only by name. `wasm`, `webgpu` and `tfjs-node-gpu`
 * are named in the issue but not built in this release: asking for them is `BACKEND_UNAVAILABLE`
 * with the reason (see README, Backends).
 */
import { registerBlasBackends } from '@cvxnn/backend-blas';
import { registerOnnxBackends } from '@cvxnn/backend-onnx';
import { CvxnnError, listBackends, resolveBackend, type BackendResolution } from '@cvxnn/linalg';

/** Backends that are documented but not available in this build, with the one-line reason. */
export const UNAVAILABLE_BACKENDS: Readonly<Record<string, string>> = Object.freeze({
  wasm: 'no WebAssembly backend is built in this release (tfjs-wasm is single-threaded in Node and was measured 2-8x slower than onnxruntime on this machine class); use --backend onnx',
  webgpu: 'no WebGPU backend is built in this release (on a machine without a GPU it would run on software Vulkan, slower than the CPU backends); see README, Backends, for the GPU path',
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu needs libtensorflow 2.9.1 + CUDA 11 downloaded at install time; not supported in this release, see README, Backends',
});

let registered = false;

/**
 * Register the optional backends (once) and resolve `name` (`ts`, `onnx`, `onnx-fp32`, `blas`,
 * `blas-fp32`, `ts-workers` or `auto`). Notices list the candidates `auto` skipped, one line each
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
 *   backendNames(); // ['auto', 'onnx', 'blas', 'ts', 'ts-workers', 'onnx-fp32', 'blas-fp32']
 */
export function backendNames(): string[] {
  if (!registered) {
    registerOnnxBackends();
    registerBlasBackends();
    registered = true;
  }
  return ['auto', ...listBackends()];
}
