import { CvxnnError } from './errors.js';
import type { PatternMasks } from './masks.js';
import type { Matrix, Precision } from './matrix.js';

/**
 * Options of `gemm`: C = alpha·op(A)·op(B) + beta·C.
 *
 * @example
 *   const opts: GemmOptions = { transA: true, alpha: -1, beta: 1, out: C }; // C −= Aᵀ·B
 */
export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
  /** write into this matrix (required when beta ≠ 0) */
  out?: Matrix<Float64Array>;
  /**
   * The caller's promise that A, B (and `out` when beta ≠ 0) hold no NaN or ±Infinity — its own
   * intermediates, e.g. a factorisation's trailing blocks — so the backend skips its NON_FINITE
   * scans of them (O(size) each; 20–40 % of a blocked Cholesky at n ≈ 2000). User data never
   * passes it.
   */
  inputsFinite?: boolean;
}

/**
 * The named kernels every backend implements. Inputs and outputs are fp64 matrices; an fp32
 * backend converts at its boundary (and may cache device copies of a matrix it has seen) and
 * reports `precision: 'fp32'`.
 *
 * Shapes (n samples, d features, P patterns, c outputs):
 * - `maskedForward(X n×d, M n×P, U d×(P·c)) → F n×c`, `F[:,k] = Σ_i D_i X U[:, i·c+k]`
 * - `maskedBackward(X n×d, M n×P, R n×c) → G d×(P·c)`, `G[:, i·c+k] = Xᵀ D_i R[:,k]`
 * - `groupNorms(U d×(P·c), c) → P` Frobenius norms of the d×c blocks
 * - `groupSoftThreshold(U, t, c)`: block-wise prox of t·Σ‖·‖, `(1 − t/‖U_i‖)_+ U_i`
 */
export interface Kernels {
  gemm(a: Matrix<Float64Array>, b: Matrix<Float64Array>, opts?: GemmOptions): Matrix<Float64Array>;
  maskedForward(X: Matrix<Float64Array>, masks: PatternMasks, U: Matrix<Float64Array>, out?: Matrix<Float64Array>): Matrix<Float64Array>;
  maskedBackward(X: Matrix<Float64Array>, masks: PatternMasks, R: Matrix<Float64Array>, out?: Matrix<Float64Array>): Matrix<Float64Array>;
  groupNorms(U: Matrix<Float64Array>, c?: number, out?: Float64Array): Float64Array;
  groupSoftThreshold(U: Matrix<Float64Array>, t: number | ArrayLike<number>, c?: number, out?: Matrix<Float64Array>): Matrix<Float64Array>;
}

/**
 * The name of one kernel, and the list of them all.
 *
 * @example
 *   for (const k of KERNEL_NAMES) console.log(k, typeof backend[k]);
 */
export type KernelName = keyof Kernels;
/** Every kernel a backend must implement (see `KernelName`). */
export const KERNEL_NAMES: readonly KernelName[] = ['gemm', 'maskedForward', 'maskedBackward', 'groupNorms', 'groupSoftThreshold'];

/**
 * A backend: a name, the precision it computes in, and its kernels.
 *
 * @example
 *   const b: Backend = { ...createCpuBackend(), name: 'mine', description: 'CPU kernels under another name' };
 */
export interface Backend extends Kernels {
  readonly name: string;
  readonly precision: Precision;
  /** one line for reports: library, threads, device */
  readonly description: string;
  dispose?(): void;
}

/**
 * Creates a backend; throws (or rejects) when it cannot run here, e.g. an optional package is missing.
 *
 * @example
 *   const factory: BackendFactory = async () => (await import('@cvxnn/backend-onnx')).createOnnxBackend();
 */
export type BackendFactory = () => Backend | Promise<Backend>;

interface Registration {
  name: string;
  factory: BackendFactory;
  priority: number;
}

const registry = new Map<string, Registration>();
const instances = new Map<string, Backend>();
let active: Backend | null = null;

/**
 * Register a backend factory under `name` (the tfjs idea). Higher `priority` wins in
 * `setBackend('auto')`. Registering a name again replaces the factory.
 *
 * @example
 *   registerBackend('ts', () => createCpuBackend(), 1);
 */
export function registerBackend(name: string, factory: BackendFactory, priority = 0): void {
  registry.set(name, { name, factory, priority });
  instances.delete(name);
}

/**
 * Names of the registered backends, highest priority first.
 *
 * @example
 *   listBackends(); // ['onnx', 'ts']
 */
export function listBackends(): string[] {
  return [...registry.values()].sort((a, b) => b.priority - a.priority).map((r) => r.name);
}

/**
 * Result of resolving a backend: the backend and the notices for the ones that failed.
 *
 * @example
 *   const { backend, notices }: BackendResolution = await resolveBackend();
 */
export interface BackendResolution {
  backend: Backend;
  notices: string[];
}

/**
 * Instantiate a backend by name, or with `'auto'` the highest-priority one that initialises;
 * each one that fails to initialise (optional package missing) adds a one-line notice. An
 * unknown name, or no backend that initialises, is `BACKEND_UNAVAILABLE`.
 *
 * @example
 *   const { backend, notices } = await resolveBackend('auto');
 *   notices.forEach((line) => console.error(line));
 */
export async function resolveBackend(name = 'auto'): Promise<BackendResolution> {
  const notices: string[] = [];
  const tryOne = async (reg: Registration): Promise<Backend | null> => {
    const cached = instances.get(reg.name);
    if (cached) return cached;
    try {
      const b = await reg.factory();
      instances.set(reg.name, b);
      return b;
    } catch (e) {
      notices.push(`backend '${reg.name}' unavailable: ${(e as Error).message.split('\n')[0]}`);
      return null;
    }
  };
  if (name === 'auto') {
    for (const n of listBackends()) {
      const b = await tryOne(registry.get(n)!);
      if (b) return { backend: b, notices };
    }
    throw new CvxnnError('BACKEND_UNAVAILABLE', `no backend could be initialised: ${notices.join('; ')}`);
  }
  const reg = registry.get(name);
  if (!reg) {
    throw new CvxnnError('BACKEND_UNAVAILABLE', `unknown backend '${name}'; registered: ${listBackends().join(', ') || '(none)'}`);
  }
  const b = await tryOne(reg);
  if (!b) throw new CvxnnError('BACKEND_UNAVAILABLE', notices.join('; '));
  return { backend: b, notices };
}

/**
 * Make `name` (or `'auto'`) the active backend; returns the notices of failed candidates.
 *
 * @example
 *   await setBackend('ts');
 */
export async function setBackend(name = 'auto'): Promise<BackendResolution> {
  const r = await resolveBackend(name);
  active = r.backend;
  return r;
}

/**
 * The active backend (the CPU reference backend until `setBackend` chooses another).
 *
 * @example
 *   const F = getBackend().maskedForward(X, masks, U);
 */
export function getBackend(): Backend {
  if (active) return active;
  const ts = registry.get('ts');
  if (!ts) throw new CvxnnError('BACKEND_UNAVAILABLE', 'no backend is active and the TypeScript backend is not registered');
  const b = ts.factory();
  if (b instanceof Promise) throw new CvxnnError('INTERNAL', 'the ts backend must initialise synchronously');
  instances.set('ts', b);
  active = b;
  return b;
}

// The TypeScript backend is always available, at priority 0.
import { createCpuBackend } from './cpu.js';
registerBackend('ts', createCpuBackend, 0);
// Its multi-threaded variant, below it so 'auto' never prefers it: ask for it by name.
registerBackend('ts-workers', async () => (await import('./workers.js')).createWorkerBackend(), -1);
