/**
 * Deep convex training (SPEC §5): the path-regularized three-layer program over double hyperplane
 * arrangements (small data) and greedy layer-wise training of two-layer convex blocks.
 */
export * from './three-layer.js';
export * from './layerwise.js';
