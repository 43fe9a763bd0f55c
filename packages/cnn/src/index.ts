/**
 * @cvxnn/cnn — convex two-layer CNNs (patch matrices, convolutional gates, pooled / separable /
 * linear / circular variants; `conv/`), batch-normalized ReLU networks (`bn/`), and three-layer and
 * greedy layer-wise convex training (`deep/`), each with weight recovery to a network whose
 * objective equals the convex optimum.
 */
export * from './conv/index.js';
export * from './bn/index.js';
export * from './deep/index.js';
export * from './json.js';
