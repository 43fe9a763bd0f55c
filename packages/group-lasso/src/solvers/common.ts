import type { Certificate, HistoryPoint } from '../types.js';
import type { Certifier, Evaluation } from '../core/certificate.js';
import type { ProblemOperator } from '../core/operator.js';
import type { DataLoss } from '../losses.js';
import type { GroupLassoProblem, SolveOptions, SolveResult } from '../core/problem.js';

/**
 * A counter of operator products, in full-operator equivalents (a product of a working-set
 * operator counts its share of the groups).
 */
export interface ProductCounter {
  count: number;
}

/**
 * Wrap an operator so that every apply/adjoint adds `weight` to the counter.
 *
 * @example
 *   const counted = countingOperator(op, counter, sub.layout.count / full.layout.count);
 */
export function countingOperator(op: ProblemOperator, counter: ProductCounter, weight = 1): ProblemOperator {
  return {
    ...op,
    apply(x, out) {
      counter.count += weight;
      op.apply(x, out);
    },
    adjoint(z, out) {
      counter.count += weight;
      op.adjoint(z, out);
    },
  };
}

/**
 * The problem with a product-counting operator (restrictions counted by their share).
 *
 * @example
 *   const p = countedProblem(problem, counter);
 */
export function countedProblem(problem: GroupLassoProblem, counter: ProductCounter, weight = 1): GroupLassoProblem {
  const full = problem.op.layout.count || 1;
  return {
    ...problem,
    op: countingOperator(problem.op, counter, weight),
    restrict: problem.restrict
      ? (groups) => {
          const r = problem.restrict!(groups);
          return { ...r, problem: countedProblem(r.problem, counter, (weight * r.problem.op.layout.count) / full) };
        }
      : undefined,
    withLambda: (l) => countedProblem(problem.withLambda(l), counter, weight),
  };
}

/** Resolved options with defaults. */
export interface Resolved {
  tol: number;
  maxIters: number;
  timeLimit: number;
  t0: number;
  itersOffset: number;
  history: HistoryPoint[];
  onProgress?: SolveOptions['onProgress'];
  stallChecks: number;
  workingSet: boolean;
}

/**
 * Fill in the defaults of {@link SolveOptions}.
 *
 * @example
 *   const o = resolve(opts);
 */
export function resolve(opts: SolveOptions): Resolved {
  return {
    tol: opts.tol ?? 1e-6,
    maxIters: opts.maxIters ?? 20000,
    timeLimit: opts.timeLimit ?? Infinity,
    t0: opts.t0 ?? performance.now(),
    itersOffset: opts.itersOffset ?? 0,
    history: opts.history ?? [],
    onProgress: opts.onProgress,
    stallChecks: opts.stallChecks ?? Infinity,
    workingSet: opts.workingSet ?? true,
  };
}

/**
 * Record a certificate check in the trace and report it.
 *
 * @example
 *   record(o, iteration, e);
 */
export function record(o: Resolved, iteration: number, e: Pick<Evaluation, 'primal' | 'rel'>): void {
  o.history.push({ iteration: o.itersOffset + iteration, timeSeconds: (performance.now() - o.t0) / 1000, objective: e.primal, certificate: e.rel });
  o.onProgress?.({ iteration: o.itersOffset + iteration, certificate: e.rel, objective: e.primal });
}

/**
 * An evaluation with a solver's own dual iterate θ tried as the certificate's dual point too
 * (rescaled to feasibility by the certifier): the better of the two gaps.
 *
 * @example
 *   const e = withDualCandidate(cert, theta, cert.evaluate(x, F, false));
 */
export function withDualCandidate(cert: Certifier, theta: Float64Array, e: Evaluation): Evaluation {
  const d = cert.tryDual(theta);
  if (!(d > e.dual)) return e;
  const gap = Math.max(0, e.primal - d);
  return { ...e, dual: d, gap, rel: gap / Math.max(Math.abs(e.primal), 1e-300) };
}

/**
 * The duality-gap certificate object of an evaluation.
 *
 * @example
 *   const certificate = gapCertificate(e);
 */
export function gapCertificate(e: Evaluation): Certificate {
  return { kind: 'duality-gap', value: e.rel, absolute: e.gap };
}

/**
 * Assemble a {@link SolveResult} from a final evaluation.
 *
 * @example
 *   return finish(problem, x, F, e, { ... });
 */
export function finish(
  problem: GroupLassoProblem,
  x: Float64Array,
  F: Float64Array,
  e: Evaluation,
  o: Resolved,
  info: { iterations: number; products: number; tStart: number; solver: string; timedOut: boolean; step?: number },
): SolveResult {
  const status = e.rel <= o.tol ? 'optimal' : info.timedOut ? 'time-limit' : 'max-iterations';
  return {
    x,
    F,
    status,
    objective: e.primal,
    dataTerm: e.dataTerm,
    penalty: e.penalty,
    certificate: gapCertificate(e),
    iterations: info.iterations,
    products: info.products,
    timeSeconds: (performance.now() - info.tStart) / 1000,
    solver: info.solver,
    history: o.history,
    groupNorms: problem.penalty.groupNorms(x),
    step: info.step,
    lambda: problem.penalty.lambda,
    maxDualNorm: e.maxDual,
  };
}

/**
 * The targets y of a squared loss (s/2)‖F − y‖², read off its gradient at 0: ∇ℓ(0) = −s y.
 *
 * @example
 *   const y = squaredLossTarget(loss, loss.scale === 'mean' ? 1 / n : 1);
 */
export function squaredLossTarget(loss: DataLoss, s: number): Float64Array {
  const y = new Float64Array(loss.n * loss.c);
  loss.valueAndGrad(new Float64Array(y.length), y);
  for (let j = 0; j < y.length; j++) y[j] = -y[j] / s;
  return y;
}
