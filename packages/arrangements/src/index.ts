/**
 * @cvxnn/arrangements — the hyperplane arrangement of the data: exact and sampled activation
 * patterns (bit-packed, ready for the masked-product kernels), region counts, zonotope vertices,
 * support function and solid angles (SPEC §1).
 *
 * @example
 *   import { enumeratePatterns, samplePatterns } from '@cvxnn/arrangements';
 *   const exact = enumeratePatterns(X);                       // every chamber pattern + witness gates
 *   const sampled = samplePatterns(X, { count: 1000, seed: 0 }); // Gaussian gates, de-duplicated
 */
export { appendOnes, type PatternSet } from './types.js';
export * from './count.js';
export { enumeratePatterns, type EnumerateOptions } from './enumerate.js';
export { enumeratePatternsLP } from './incremental.js';
export { samplePatterns, samplingBytes, SAMPLE_MAX_BYTES, patternsFromGates, convolutionalGates, type SampleOptions } from './sample.js';
export * from './zonotope.js';
export { PatternTable } from './table.js';
