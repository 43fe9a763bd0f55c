/**
 * @cvxnn/group-lasso — composite group-Lasso problems (smooth loss ∘ linear operator + group
 * penalty + optional cone constraints), the R-FISTA, augmented-Lagrangian and working-set solvers
 * with duality-gap / minimum-norm-subgradient certificates, and the two-layer convex ReLU (C-ReLU)
 * and gated-ReLU (C-GReLU) formulations with weight recovery.
 *
 * @example
 *   import { fitConvex, recoverNetwork } from '@cvxnn/group-lasso';
 *   const r = fitConvex(X, Y, { masks, gates }, { model: 'gated-relu', lambda: 0.1 });
 *   const net = recoverNetwork(r);
 */
export * from './types.js';
export * from './problem.js';
export * from './fista.js';
export { coneGroupPenalty, coneProjector } from './cone.js';
export * from './losses.js';
export { blockDualNorms, gapEvaluator, solveGatedCore, type GatedCoreInput, type GatedCoreOptions, type GatedCoreResult } from './gated.js';
export { minNormSubgradient, solveReluCore, type ReluCoreInput, type ReluCoreOptions, type ReluCoreResult } from './relu.js';
export { fitConvex, formulationOf, lambdaMax } from './fit.js';
export { recoverNetwork } from './recover.js';
export { coneDecomposition } from './decompose.js';
// the problem/solver split: problems as data, one certificate module, the solver registry
export * from './core/layout.js';
export { denseOperator, genericOperator, groupImages, maskedOperator as maskedProblemOperator, reluOperator, type ProblemOperator, type RestrictedOperator } from './core/operator.js';
export * from './core/penalty.js';
export * from './core/certificate.js';
export * from './core/problem.js';
export * from './core/dense.js';
export * from './solvers/registry.js';
export { solveFista } from './solvers/fista.js';
export { coactivation, NEWTON_DIRECT_MAX_N, NEWTON_ITERATIVE_WARM_ITERS, newtonUnsupported, solveNewton, type NewtonOptions } from './solvers/newton.js';
export { SSNAL_MAX_N, solveSsnal, ssnalUnsupported } from './solvers/ssnal.js';
export { alUnsupported, solveAl } from './solvers/al.js';
export { IPM_AUTO_FLOPS, IPM_MAX_N, ipmStepFlops, ipmUnsupported, socStep, solveIpm, STALL_CHECKS as IPM_STALL_CHECKS } from './solvers/ipm.js';
export { bcdUnsupported, blockSolve, solveBcd } from './solvers/bcd.js';
export { FP32_STAGE_TOL, solveStaged } from './solvers/staged.js';
export { lambdaGrid } from './fit.js';
export { type LambdaPath, type LambdaRow, type LambdaSelection, type LambdaSelectOptions, selectLambda, selectLambdaPath } from './select.js';
