import { CvxnnError } from '@cvxnn/linalg';
import { lambdaMaxOf } from '../core/certificate.js';
import type { GroupLassoProblem, SolveOptions, SolveResult } from '../core/problem.js';
import type { SmoothFunction } from '../problem.js';
import { rfista } from '../fista.js';
import { solveReluCore } from '../relu.js';
import { resolve } from './common.js';

/** Why the augmented-Lagrangian solver cannot take a problem. */
export function alUnsupported(problem: GroupLassoProblem): string | undefined {
  if (problem.constraints) return problem.penalty.kind === 'l2' ? undefined : 'the augmented-Lagrangian solver takes explicit constraints with Euclidean groups only';
  if (problem.penalty.kind !== 'cone' || !problem.structure) return 'the augmented-Lagrangian solver handles explicit constraints C x ≥ 0 or the cone-constrained C-ReLU program (model relu)';
  return undefined;
}

/**
 * The augmented Lagrangian on C-ReLU's cone constraints (scnn's approach), each subproblem by
 * R-FISTA; certified by the minimum-norm subgradient of the Lagrangian relative to λ_max, plus
 * the constraint violation and complementarity (see `solveReluCore`).
 *
 * @example
 *   solve(reluProblem(X, masks, loss, 0.1), { solver: 'al' });
 */
export function solveAl(problem: GroupLassoProblem, opts: SolveOptions = {}): SolveResult {
  const why = alUnsupported(problem);
  if (why) throw new CvxnnError('INVALID_OPTION', why);
  if (problem.constraints) return solveConstrainedAl(problem, opts);
  const o = resolve(opts);
  const t = performance.now();
  const { X, masks } = problem.structure!;
  const certScale = Math.max(lambdaMaxOf(problem.op, problem.loss, problem.penalty), 1e-300);
  const r = solveReluCore(
    { X, masks, loss: problem.loss, lambda: problem.penalty.lambda, backend: problem.structure!.backend, certScale },
    { tol: o.tol, constraintTol: 1e-6, maxIters: o.maxIters, timeLimit: o.timeLimit, x0: opts.x0, t0: o.t0, itersOffset: o.itersOffset, history: o.history, onProgress: o.onProgress },
  );
  const F = new Float64Array(problem.op.outDim);
  problem.op.apply(r.x, F);
  return {
    x: r.x,
    F,
    status: r.converged ? 'optimal' : r.timedOut ? 'time-limit' : 'max-iterations',
    objective: r.objective,
    dataTerm: r.dataTerm,
    penalty: r.penalty,
    certificate: { kind: 'min-norm-subgradient', value: r.relKkt, absolute: r.kkt },
    iterations: r.iterations,
    products: 2 * r.iterations,
    timeSeconds: (performance.now() - t) / 1000,
    solver: 'al',
    history: o.history,
    groupNorms: problem.penalty.groupNorms(r.x),
    lambda: problem.penalty.lambda,
    maxDualNorm: NaN,
  };
}

/**
 * Minimum-norm element of h + λ∂Σ_g‖x_g‖ over a layout (free coordinates contribute h itself):
 * the stationarity residual of the Lagrangian.
 */
function kktResidual(h: Float64Array, x: Float64Array, problem: GroupLassoProblem): number {
  const layout = problem.penalty.layout;
  const lambda = problem.penalty.lambda;
  let total = 0;
  for (let g = 0; g < layout.count; g++) {
    const cs = layout.coords(g);
    let xn = 0;
    let hn = 0;
    for (const j of cs) {
      xn += x[j] * x[j];
      hn += h[j] * h[j];
    }
    xn = Math.sqrt(xn);
    if (xn > 0) for (const j of cs) total += (h[j] + (lambda * x[j]) / xn) ** 2;
    else total += Math.max(0, Math.sqrt(hn) - lambda) ** 2;
  }
  for (const j of layout.free) total += h[j] * h[j];
  return Math.sqrt(total);
}

/**
 * The augmented Lagrangian on explicit constraints C x ≥ 0: the term (ρ/2)‖(μ/ρ − Cx)_+‖² −
 * ‖μ‖²/(2ρ) is one more smooth term of the composite problem solved by R-FISTA (warm-started),
 * then μ ← (μ − ρCx)_+, and ρ ×10 when the violation does not shrink 4×. Certified by the
 * minimum-norm subgradient of the Lagrangian at the final multipliers, relative to the largest
 * group gradient at 0, plus the violation and complementarity.
 */
function solveConstrainedAl(problem: GroupLassoProblem, opts: SolveOptions): SolveResult {
  const o = resolve(opts);
  const tStart = performance.now();
  const tol = o.tol;
  const constraintTol = 1e-8;
  const { op, loss, penalty } = problem;
  const C = problem.constraints!;
  const N = op.inDim;
  const R = new Float64Array(op.outDim);
  const h = new Float64Array(N);
  const hc = new Float64Array(N);
  loss.valueAndGrad(new Float64Array(op.outDim), R);
  op.adjoint(R, h);
  let certScale = 0;
  for (let g = 0; g < penalty.layout.count; g++) {
    let s = 0;
    for (const j of penalty.layout.coords(g)) s += h[j] * h[j];
    certScale = Math.max(certScale, Math.sqrt(s));
  }
  certScale = Math.max(certScale, 1e-300);
  const m = C.outDim;
  const mu = new Float64Array(m);
  const muNew = new Float64Array(m);
  const smooth = loss.name === 'squared' ? 1 : loss.name === 'logistic' ? 0.25 : 0.5;
  let rho = 100 * (loss.scale === 'mean' ? smooth / loss.n : smooth);
  const al: SmoothFunction = {
    valueAndGrad(gx, grad) {
      let v = 0;
      for (let j = 0; j < m; j++) {
        const t = mu[j] - rho * gx[j];
        const tp = t > 0 ? t : 0;
        v += tp * tp - mu[j] * mu[j];
        if (grad) grad[j] = -tp;
      }
      return v / (2 * rho);
    },
  };
  let x: Float64Array = opts.x0 ? Float64Array.from(opts.x0) : new Float64Array(N);
  let F = new Float64Array(op.outDim);
  let step = 1;
  let iterations = 0;
  let prevViol = Infinity;
  let innerTol = 1e-2 * certScale;
  let status: SolveResult['status'] = 'max-iterations';
  let res = { objective: 0, dataTerm: 0, penalty: 0, kkt: Infinity, rel: Infinity };
  for (let outer = 0; outer < 300 && iterations < o.maxIters; outer++) {
    const elapsed = (performance.now() - tStart) / 1000;
    if (elapsed > o.timeLimit) {
      status = 'time-limit';
      break;
    }
    const r = rfista({ dim: N, terms: [{ map: op, fn: loss }, { map: C, fn: al }], penalty }, { x0: x, step0: step, gradTol: innerTol, maxIters: o.maxIters - iterations, timeLimit: o.timeLimit - elapsed });
    iterations += r.iterations;
    step = r.step;
    x = r.x;
    F = Float64Array.from(r.Ax[0]);
    let viol = 0;
    let compl = 0;
    const g = r.Ax[1];
    for (let j = 0; j < m; j++) {
      if (-g[j] > viol) viol = -g[j];
      const t = mu[j] - rho * g[j];
      muNew[j] = t > 0 ? t : 0;
      compl += muNew[j] * g[j];
    }
    const dataTerm = loss.valueAndGrad(F, R);
    op.adjoint(R, h);
    C.adjoint(muNew, hc);
    for (let j = 0; j < N; j++) h[j] -= hc[j];
    const kkt = kktResidual(h, x, problem);
    const pen = penalty.value(x);
    res = { objective: dataTerm + pen, dataTerm, penalty: pen, kkt, rel: kkt / certScale };
    o.history.push({ iteration: o.itersOffset + iterations, timeSeconds: (performance.now() - o.t0) / 1000, objective: res.objective, certificate: res.rel });
    o.onProgress?.({ iteration: o.itersOffset + iterations, certificate: res.rel, objective: res.objective });
    mu.set(muNew);
    if (viol <= constraintTol && res.rel <= tol && Math.abs(compl) <= tol * Math.max(1, Math.abs(res.objective))) {
      status = 'optimal';
      break;
    }
    if (r.timedOut) {
      status = 'time-limit';
      break;
    }
    if (viol > constraintTol && viol > 0.25 * prevViol) {
      rho *= 10;
      step /= 10;
    }
    prevViol = viol;
    innerTol = Math.max(innerTol * 0.1, 0.1 * tol * certScale);
  }
  return {
    x,
    F,
    status,
    objective: res.objective,
    dataTerm: res.dataTerm,
    penalty: res.penalty,
    certificate: { kind: 'min-norm-subgradient', value: res.rel, absolute: res.kkt },
    iterations,
    products: 3 * iterations,
    timeSeconds: (performance.now() - tStart) / 1000,
    solver: 'al',
    history: o.history,
    groupNorms: penalty.groupNorms(x),
    lambda: penalty.lambda,
    maxDualNorm: NaN,
  };
}
