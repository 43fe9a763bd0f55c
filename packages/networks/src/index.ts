/**
 * @cvxnn/networks — the non-convex side: two-layer ReLU / gated-ReLU networks, their forward
 * pass, the weight-decay objective, the shared losses, JSON (de)serialization and the SGD/Adam
 * trainers used as baselines.
 */
export * from './network.js';
export * from './loss.js';
export * from './objective.js';
export * from './metrics.js';
export * from './json.js';
export * from './init.js';
export * from './train.js';
