/**
 * Backend selection for every command that takes `--backend`: registers the optional backends
 * (`onnx`, `onnx-fp32` from @cvxnn/backend-onnx; `blas`, `blas-fp32` from @cvxnn/backend-blas,
 * whose OpenBLAS addon exists only where libopenblas-dev was present at build time; `wasm`,
 * `tfjs-cpu` and `tfjs-node-gpu` from @cvxnn/backend-tfjs, the last only where the optional
 * @tensorflow/tfjs-node-gpu is installed and finds a CUDA GPU; all loaded lazily) next to the
 * always-available TypeScript ones, then resolves the name with @cvxnn/linalg's `resolveBackend`.
 *
 * `auto` takes the fastest fp64 backend that initialises — blas (where its addon was built) →
 * onnx (where onnxruntime-node loads) → ts — and says nothing about the ones it skipped: the user
 * asked for none of them. Every other backend (`tfjs-node-gpu`, the fp32 ones, `ts-workers`,
 * `wasm`, `tfjs-cpu`) only by name; a backend asked for by name that cannot start is
 * `BACKEND_UNAVAILABLE` with the reason. `webgpu` was evaluated and is not built (see README,
 * Backends).
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
 * What `auto` tries, in order: the fp64 backends from fastest to the always-available reference.
 *
 * @example
 *   AUTO_ORDER[0]; // 'blas'
 */
export const AUTO_ORDER: readonly string[] = ['blas', 'onnx', 'ts'];

function registerOptional(): void {
  if (!registered) {
    registerOnnxBackends();
    registerBlasBackends();
    registerTfjsBackends();
    registered = true;
  }
}

/**
 * Register the optional backends (once) and resolve `name` (`ts`, `onnx`, `onnx-fp32`, `blas`,
 * `blas-fp32`, `ts-workers`, `wasm`, `tfjs-cpu`, `tfjs-node-gpu` or `auto`). `auto` returns no
 * notices (see the module doc); a backend named explicitly that cannot start throws
 * `BACKEND_UNAVAILABLE` with its one-line reason.
 *
 * @example
 *   const { backend } = await selectBackend(o.backend);
 *   solveGatedRelu(problem, { backend });
 */
export async function selectBackend(name: string): Promise<BackendResolution> {
  registerOptional();
  const reason = UNAVAILABLE_BACKENDS[name];
  if (reason !== undefined) throw new CvxnnError('BACKEND_UNAVAILABLE', `backend '${name}' unavailable: ${reason}`);
  if (name === 'auto') {
    for (const candidate of AUTO_ORDER) {
      if (!listBackends().includes(candidate)) continue;
      try {
        const { backend } = await resolveBackend(candidate);
        if (backend.precision === 'fp64') return { backend, notices: [] };
      } catch {
        // not built / not installed here: auto moves on without a word
      }
    }
    throw new CvxnnError('BACKEND_UNAVAILABLE', `no fp64 backend could be initialised (tried ${AUTO_ORDER.join(', ')})`);
  }
  if (!listBackends().includes(name)) {
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
  registerOptional();
  return ['auto', ...listBackends()];
}
