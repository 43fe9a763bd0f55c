/**
 * Batch-normalized two-layer ReLU networks (SPEC §3): the BN network and its objective, the
 * scale-only (§3.3), centred (§3.4) and BN-before-ReLU (§3.5) convex programs with weight recovery,
 * and the cone-constrained group-Lasso solver they share with the three-layer program.
 */
export * from './network.js';
export * from './constrained.js';
export * from './convex.js';
