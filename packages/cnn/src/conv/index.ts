/**
 * Convex two-layer CNNs (SPEC §4): patch matrices, convolutional gates, the pooled ReLU /
 * gated-ReLU CNN program, separable, linear (nuclear norm) and circular linear (DFT ℓ1) CNNs,
 * each with weight recovery to an explicit CNN.
 */
export * from './patches.js';
export * from './model.js';
export * from './pooled.js';
export * from './linear.js';
export * from './circular.js';
export * from './separable.js';
export * from './select.js';
