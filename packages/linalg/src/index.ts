/**
 * @cvxnn/linalg — dense matrices, bit-packed activation masks, the kernel/backend registry, the
 * CPU reference backend, a seeded PRNG, strided BLAS-1 routines and decompositions.
 *
 * @example
 *   import { Matrix, PatternMasks, getBackend } from '@cvxnn/linalg';
 *   const F = getBackend().maskedForward(X, PatternMasks.fromGates(X, G), U);
 */
export * from './errors.js';
export * from './options.js';
export * from './matrix.js';
export * from './masks.js';
export * from './random.js';
export * from './blas.js';
export * from './decomp.js';
export * from './jacobi.js';
export * from './backend.js';
export { assertFiniteGemm, assertFiniteInput, createCpuBackend, DEFAULT_CHUNK, GEMM_BLOCKING, validateGemm, validateMaskedForward, validateMaskedBackward } from './cpu.js';
export * as reference from './reference.js';
