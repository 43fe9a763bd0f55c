/**
 * @cvxnn/sdp — a first-order SDP solver, trace/nuclear-norm proximal methods and RedEx layers.
 */
export * from './sym.js';
export * from './quadratic.js';
export * from './prox.js';
export * from './sdp.js';
export * from './redex.js';
