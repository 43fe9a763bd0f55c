import { checkOptions, CvxnnError, type OptionSpec } from '@cvxnn/linalg';
import type { GroupLassoProblem, SolveOptions, SolveResult } from '../core/problem.js';
import { resolve } from './common.js';
import { solveFista } from './fista.js';
import { alUnsupported, solveAl } from './al.js';
import { bcdUnsupported, solveBcd } from './bcd.js';
import { IPM_AUTO_FLOPS, ipmStepFlops, ipmUnsupported, solveIpm } from './ipm.js';
import { SSNAL_MAX_N, solveSsnal, ssnalUnsupported } from './ssnal.js';
import { NEWTON_DIRECT_MAX_N, type NewtonOptions, newtonUnsupported, solveNewton } from './newton.js';

/**
 * R-FISTA iterations `fista-ipm` tries before the interior-point solver: enough for the programs
 * R-FISTA certifies quickly (P1 ReLU: 260; the slowest wine λ = 1 column: between 400 and 600),
 * few enough that the IPM is not kept waiting on the rest (BENCHMARKS.md: 1000 → 600 saved
 * 9–18 s on wine λ ≤ 0.1 and diabetes λ = 0.1).
 */
export const FISTA_PROBE_ITERS = 600;

/**
 * A registered solver: what it is, which problems it takes (`unsupported` returns the reason it
 * cannot, undefined when it can), and the solve itself.
 *
 * @example
 *   registerSolver({ name: 'mine', description: '…', unsupported: () => undefined, solve: solveFista });
 */
export interface SolverSpec {
  name: string;
  description: string;
  unsupported(problem: GroupLassoProblem): string | undefined;
  solve(problem: GroupLassoProblem, opts: SolveOptions): SolveResult;
}

const solvers = new Map<string, SolverSpec>();

/**
 * Add (or replace) a solver in the registry.
 *
 * @example
 *   registerSolver(spec);
 */
export function registerSolver(spec: SolverSpec): void {
  solvers.set(spec.name, spec);
}

/**
 * The registered solvers, in registration order.
 *
 * @example
 *   listSolvers().map((s) => s.name); // ['fista', 'newton']
 */
export function listSolvers(): SolverSpec[] {
  return [...solvers.values()];
}

/**
 * The measurable features `auto` decides on.
 *
 * @example
 *   problemFeatures(problem).n;
 */
export function problemFeatures(problem: GroupLassoProblem): { n: number; c: number; groups: number; dim: number; loss: string; penalty: string; free: number; operator: string } {
  const { op, loss, penalty } = problem;
  return { n: op.n, c: op.c, groups: penalty.layout.count, dim: op.inDim, loss: loss.name, penalty: penalty.kind, free: penalty.layout.free.length, operator: op.kind };
}

/**
 * The `auto` rule, in one place (BENCHMARKS.md `solvers` supports it):
 * - squared loss, Euclidean groups, one output column, n ≤ {@link SSNAL_MAX_N} → `ssnal`
 *   (semismooth Newton augmented Lagrangian, n×n direct systems, no R-FISTA warm start): 2–3×
 *   faster than `newton` on diabetes, the digits8x8 one-vs-all columns and P1-size problems at
 *   every λ (BENCHMARKS.md, 2026-12-05).
 * - the same with n > SSNAL_MAX_N → `newton` (primal–dual active-set Newton after an R-FISTA
 *   warm start, MINRES systems). Its cost per step does not grow as λ shrinks, where R-FISTA's
 *   iteration count does.
 * - squared-loss C-ReLU with one output column whose interior-point step costs at most
 *   IPM_AUTO_FLOPS (n²·P·d ≲ 3e9: diabetes, wine, scnn's P1; not digits8x8) → `fista-ipm`:
 *   R-FISTA for {@link FISTA_PROBE_ITERS} iterations (it certifies P1 in 260 and the
 *   classification sets quickly), then the interior-point solver, which certifies the regression
 *   programs where R-FISTA stops at a relative gap near 1 at every λ (BENCHMARKS.md).
 * - explicit constraints C x ≥ 0 (batch-norm, three-layer programs) → `al`.
 * - everything else (logistic / cross-entropy, nuclear-norm blocks, C-ReLU with other losses or
 *   n > IPM_MAX_N) → `fista` (R-FISTA with working sets and the refined duality gap).
 *
 * @example
 *   chooseSolver(problem); // 'newton'
 */
export function chooseSolver(problem: GroupLassoProblem): string {
  if (problem.constraints) return 'al';
  if (!ssnalUnsupported(problem)) return 'ssnal';
  if (!newtonUnsupported(problem)) return 'newton';
  if (problem.penalty.kind === 'cone' && !ipmUnsupported(problem) && ipmStepFlops(problem) <= IPM_AUTO_FLOPS) return 'fista-ipm';
  return 'fista';
}

/** The options `solve` takes: every solver's {@link SolveOptions} and the Newton solver's extras. */
export const SOLVE_OPTIONS: OptionSpec<NewtonOptions> = {
  solver: 'string',
  tol: 'number',
  constraintTol: 'number',
  maxIters: 'number',
  timeLimit: 'number',
  x0: 'numbers',
  workingSet: 'boolean',
  step0: 'number',
  backend: 'object',
  history: 'array',
  t0: 'number',
  itersOffset: 'number',
  onProgress: 'function',
  stallChecks: 'number',
  structure: 'object',
  mode: '"direct"|"iterative"',
  warmTol: 'number',
};

/**
 * Solve a problem with the named solver (`auto` by default: {@link chooseSolver}). An unknown
 * name, or a solver that does not take this problem, is INVALID_OPTION naming what would.
 *
 * @example
 *   const r = solve(gatedProblem(X, masks, loss, 0.1), { solver: 'auto', tol: 1e-6 });
 */
export function solve(problem: GroupLassoProblem, opts: SolveOptions = {}): SolveResult {
  checkOptions('solve', opts, SOLVE_OPTIONS);
  const name = opts.solver ?? 'auto';
  const chosen = name === 'auto' ? chooseSolver(problem) : name;
  const spec = solvers.get(chosen);
  if (!spec) throw new CvxnnError('INVALID_OPTION', `unknown solver '${name}'; registered: auto, ${listSolvers().map((s) => s.name).join(', ')}`);
  const why = spec.unsupported(problem);
  if (why) {
    const ok = listSolvers().filter((s) => !s.unsupported(problem)).map((s) => s.name);
    throw new CvxnnError('INVALID_OPTION', `solver '${chosen}' cannot solve this problem: ${why}; use one of: auto, ${ok.join(', ')}`);
  }
  return spec.solve(problem, opts);
}

registerSolver({
  name: 'fista',
  description: 'R-FISTA (restarts, backtracking) over working sets of groups, refined duality gap',
  unsupported: (p) => (p.constraints ? 'R-FISTA does not take explicit constraints C x ≥ 0 (use al)' : undefined),
  solve: solveFista,
});

registerSolver({
  name: 'newton',
  description: 'primal–dual active-set Newton on the dual optimality system (squared loss, Euclidean groups), R-FISTA warm start',
  unsupported: newtonUnsupported,
  solve: (p, o) => solveNewton(p, o),
});

registerSolver({
  name: 'al',
  description: 'augmented Lagrangian on the C-ReLU cone constraints (scnn\'s method), min-norm-subgradient certificate',
  unsupported: alUnsupported,
  solve: solveAl,
});

registerSolver({
  name: 'bcd',
  description: 'block coordinate descent with exact block solves (eigendecomposed block Grams, secular equation), strong-rule screening with a full KKT check each epoch',
  unsupported: bcdUnsupported,
  solve: solveBcd,
});

registerSolver({
  name: 'ipm',
  description: 'primal–dual interior point (Mehrotra, Nesterov–Todd scaling) on the second-order-cone form of squared-loss C-ReLU / gated programs, Woodbury n×n Newton systems',
  unsupported: ipmUnsupported,
  solve: solveIpm,
});

registerSolver({
  name: 'fista-ipm',
  description: `R-FISTA for up to ${FISTA_PROBE_ITERS} iterations (certifies the easy C-ReLU programs fast), then the interior-point solver`,
  unsupported: ipmUnsupported,
  solve: (p, o) => {
    const t0 = performance.now();
    const { maxIters, timeLimit, itersOffset } = resolve(o);
    const f = solveFista(p, { ...o, maxIters: Math.min(FISTA_PROBE_ITERS, maxIters) });
    if (f.status !== 'max-iterations' || f.iterations >= maxIters) return { ...f, solver: `fista (${f.iterations} it)` };
    const r = solveIpm(p, { ...o, maxIters: maxIters - f.iterations, timeLimit: timeLimit - (performance.now() - t0) / 1000, itersOffset: itersOffset + f.iterations, history: f.history });
    const best = r.certificate.value <= f.certificate.value ? r : f;
    return { ...best, iterations: f.iterations + r.iterations, products: f.products + r.products, timeSeconds: (performance.now() - t0) / 1000, solver: `fista (${f.iterations} it) → ${r.solver}` };
  },
});

registerSolver({
  name: 'ssnal',
  description: 'semismooth Newton augmented Lagrangian (proximal point on the primal, Newton with line search on the dual subproblem; Euclidean groups and C-ReLU cones, squared loss, n×n direct systems)',
  unsupported: ssnalUnsupported,
  solve: solveSsnal,
});
