import { rfista } from '../fista.js';
import { type Certifier, certifier, type Evaluation } from '../core/certificate.js';
import type { GroupLassoProblem, SolveOptions, SolveResult } from '../core/problem.js';
import { countedProblem, finish, type ProductCounter, record, type Resolved, resolve } from './common.js';

/**
 * R-FISTA over working sets of groups, certified by the full problem's duality gap (refined dual
 * point once the plain gap is below 1e-2): solve on the working set, check the optimality
 * condition ρ°((−Aᵀ∇ℓ)_g) ≤ λ of every group with one adjoint product, add the worst violators
 * (up to doubling the set), repeat; stop when the full relative gap is ≤ tol. Problems that cannot
 * restrict run on all groups. An iteration is one proximal-gradient step (one forward and one
 * adjoint product when the step is accepted).
 *
 * @example
 *   const r = solveFista(gatedProblem(X, masks, loss, 0.1), { tol: 1e-6 });
 */
export function solveFista(problem0: GroupLassoProblem, opts: SolveOptions = {}): SolveResult {
  const o = resolve(opts);
  const tStart = performance.now();
  const counter: ProductCounter = { count: 0 };
  const problem = countedProblem(problem0, counter);
  const { op, loss, penalty } = problem;
  const lambda = penalty.lambda;
  const G = penalty.layout.count;
  const cert = certifier(op, loss, penalty, { backend: opts.backend });
  const xFull = opts.x0 ? Float64Array.from(opts.x0) : new Float64Array(op.inDim);
  let F = new Float64Array(op.outDim);
  op.apply(xFull, F);
  // The refined dual point costs Gauss–Newton products; it is tried while those stay under a
  // quarter of all products so far. Counting products, not wall time, keeps a solve deterministic:
  // the same data give the same iterates, whatever the machine's load.
  let refineProducts = 0;
  const evaluate = (x: Float64Array, Fx: Float64Array): Evaluation => {
    const plain = cert.evaluate(x, Fx, false);
    if (plain.rel <= o.tol || plain.rel > 1e-2 || refineProducts > 0.25 * counter.count) return plain;
    const c0 = counter.count;
    const e = cert.evaluate(x, Fx, true);
    // its dense work, BᵀB over q active columns (n·c·q² flops), in units of one product (~n·N)
    const norms = penalty.groupNorms(x);
    let q = 0;
    for (let g = 0; g < G; g++) if (norms[g] > 0 || plain.dualNorms[g] > lambda) q++;
    refineProducts += counter.count - c0 + (op.c * q * q) / Math.max(1, op.inDim) + 1;
    return e;
  };
  let last = evaluate(xFull, F);
  record(o, 0, last);
  let iterations = 0;
  let step = opts.step0 ?? 1;
  let converged = last.rel <= o.tol;
  let timedOut = false;
  let stalled = false;
  let bestRel = last.rel;
  let sinceBest = 0;

  const canRestrict = o.workingSet && !!problem.restrict && G > 1;
  let ws: number[];
  if (!canRestrict) ws = Array.from({ length: G }, (_, i) => i);
  else {
    const norms = penalty.groupNorms(xFull);
    const inWs = new Set<number>();
    for (let g = 0; g < G; g++) if (norms[g] > 0) inWs.add(g);
    const k0 = Math.max(16, Math.ceil(G / 4));
    const order = Array.from({ length: G }, (_, i) => i).filter((g) => !inWs.has(g) && last.dualNorms[g] > lambda);
    order.sort((a, b) => last.dualNorms[b] - last.dualNorms[a]);
    for (const g of order.slice(0, Math.max(0, k0 - inWs.size))) inWs.add(g);
    if (inWs.size === 0) inWs.add(0);
    ws = [...inWs].sort((a, b) => a - b);
  }
  // grow once the restricted gap is below this fraction of the full gap (P2: 0.3 and a quarter of
  // the groups to start beat 0.1 and a tenth by ~15% in time to the optimum)
  let innerFactor = 0.3;
  const xScratch = new Float64Array(op.inDim);

  while (!converged && iterations < o.maxIters) {
    const elapsed = (performance.now() - tStart) / 1000;
    if (elapsed > o.timeLimit) {
      timedOut = true;
      break;
    }
    const full = ws.length === G;
    const sub = full ? null : problem.restrict!(Int32Array.from(ws));
    const P = sub ? sub.problem : problem;
    const inWs = full ? null : new Set(ws);
    let grow = false;
    const r = rfista(
      { dim: P.op.inDim, terms: [{ map: P.op, fn: loss }], penalty: P.penalty },
      {
        x0: sub ? sub.gather(xFull) : xFull,
        step0: step,
        maxIters: o.maxIters - iterations,
        timeLimit: o.timeLimit - elapsed,
        checkEvery: 10,
        check: (x, AxK, it) => {
          if (it === 0) return false;
          let xf = x;
          if (sub) {
            xScratch.set(xFull);
            sub.scatter(x, xScratch);
            xf = xScratch;
          }
          const e = evaluate(xf, AxK[0]);
          last = e;
          record(o, iterations + it, e);
          if (e.rel <= o.tol) {
            converged = true;
            return true;
          }
          if (e.rel < 0.9 * bestRel) {
            bestRel = e.rel;
            sinceBest = 0;
          } else if (++sinceBest >= o.stallChecks) {
            stalled = true;
            return true;
          }
          if (!inWs) return false;
          let violators = false;
          for (let g = 0; g < G; g++) if (!inWs.has(g) && e.dualNorms[g] > lambda) violators = true;
          if (!violators) return false;
          // gap of the restricted problem: dual scaling over the working set only
          let mWs = 0;
          for (const g of ws) if (e.dualNorms[g] > mWs) mWs = e.dualNorms[g];
          const s = mWs > lambda ? lambda / mWs : 1;
          const zr = new Float64Array(AxK[0].length);
          loss.valueAndGrad(AxK[0], zr);
          for (let j = 0; j < zr.length; j++) zr[j] *= s;
          const relWs = Math.max(0, e.primal + loss.conjugate(zr)) / Math.max(Math.abs(e.primal), 1e-300);
          if (relWs <= Math.max(o.tol / 2, innerFactor * e.rel)) {
            grow = true;
            return true;
          }
          return false;
        },
      },
    );
    iterations += r.iterations;
    step = r.step;
    if (sub) sub.scatter(r.x, xFull);
    else xFull.set(r.x);
    F = Float64Array.from(r.Ax[0]);
    if (r.timedOut) {
      timedOut = true;
      break;
    }
    if (stalled) break;
    if (converged || !grow) {
      if (!converged && !r.converged) break; // iteration cap
      if (!converged && inWs) innerFactor *= 0.1;
      continue;
    }
    const cur = new Set(ws);
    const viol: number[] = [];
    for (let g = 0; g < G; g++) if (!cur.has(g) && last.dualNorms[g] > lambda) viol.push(g);
    viol.sort((a, b) => last.dualNorms[b] - last.dualNorms[a]);
    for (const g of viol.slice(0, Math.max(10, ws.length))) cur.add(g);
    ws = [...cur].sort((a, b) => a - b);
  }
  const fin = cert.evaluate(xFull, F, last.rel > o.tol);
  return finish(problem, xFull, F, fin, o, { iterations, products: counter.count, tStart, solver: 'fista', timedOut: timedOut && fin.rel > o.tol, step });
}

/**
 * A second-order solver's hand-over: R-FISTA from its best point for what is left of the budget
 * (`used` iterations so far, `elapsed` seconds), certified by the same certifier; the better of
 * the two points is kept.
 *
 * @example
 *   const h = fistaHandOver(problem, opts, o, cert, best, used, elapsed());
 */
export function fistaHandOver(
  problem: GroupLassoProblem,
  opts: SolveOptions,
  o: Resolved,
  cert: Certifier,
  best: { x: Float64Array; F: Float64Array; e: Evaluation },
  used: number,
  elapsed: number,
): { x: Float64Array; F: Float64Array; e: Evaluation; iterations: number; timedOut: boolean } {
  const f = solveFista(problem, { ...opts, x0: best.x, tol: o.tol, maxIters: o.maxIters - used, history: o.history, t0: o.t0, itersOffset: o.itersOffset + used, timeLimit: o.timeLimit - elapsed });
  const e = cert.evaluate(f.x, f.F, false);
  const better = e.rel < best.e.rel;
  return { x: better ? Float64Array.from(f.x) : best.x, F: better ? Float64Array.from(f.F) : best.F, e: better ? e : best.e, iterations: f.iterations, timedOut: f.status === 'time-limit' };
}
