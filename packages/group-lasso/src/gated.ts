import { type Backend, Matrix, type PatternMasks } from '@cvxnn/linalg';
import { rfista } from './fista.js';
import type { DataLoss } from './losses.js';
import { coneGroupPenalty } from './cone.js';
import { frobeniusGroupPenalty, type LinearMap, maskedOperator, nuclearGroupPenalty, type Penalty, reluDataOperator, singularValues } from './problem.js';
import type { HistoryPoint } from './types.js';

/**
 * Inputs of the gated-ReLU core solver.
 *
 * @example
 *   const input: GatedCoreInput = { X, masks, loss: dataLoss('squared', 'sum', Y), lambda: 0.1, nuclear: false, backend: getBackend() };
 */
export interface GatedCoreInput {
  X: Matrix<Float64Array>;
  masks: PatternMasks;
  loss: DataLoss;
  lambda: number;
  /** nuclear-norm blocks (vector output) instead of Frobenius */
  nuclear: boolean;
  /** C-ReLU: variables [V; W] with cone constraints folded into the prox (scalar output) */
  relu?: boolean;
  backend: Backend;
}

/**
 * Options of the gated-ReLU core solver.
 *
 * @example
 *   const o: GatedCoreOptions = { tol: 1e-6, maxIters: 1e4, timeLimit: 60, workingSet: true, t0: performance.now(), itersOffset: 0, history: [] };
 */
export interface GatedCoreOptions {
  tol: number;
  maxIters: number;
  timeLimit: number;
  workingSet: boolean;
  /** warm start, d×(P·c) flattened */
  x0?: Float64Array;
  step0?: number;
  /** performance.now() of the whole fit, for the history's time axis */
  t0: number;
  itersOffset: number;
  history: HistoryPoint[];
  onProgress?: (p: { iteration: number; certificate: number; objective: number }) => void;
  /**
   * stop (not converged) after this many certificate checks in a row without a 10% improvement of
   * the best relative gap (default ∞): how an fp32 stage ends once round-off stalls it
   */
  stallChecks?: number;
}

/**
 * Output of the gated-ReLU core solver.
 *
 * @example
 *   const { objective, relGap, workingSetSizes } = solveGatedCore(input, options);
 */
export interface GatedCoreResult {
  x: Float64Array;
  Ax: Float64Array;
  objective: number;
  dataTerm: number;
  penalty: number;
  gap: number;
  relGap: number;
  iterations: number;
  step: number;
  converged: boolean;
  timedOut: boolean;
  /** stopped by `stallChecks` */
  stalled: boolean;
  workingSetSizes: number[];
}

/**
 * Dual norms of the d×c blocks of G (d×(P·c)): Frobenius, or spectral for nuclear penalties.
 *
 * @example
 *   const dn = blockDualNorms(G.data, d, P, 1, false, getBackend()); // ‖(D_iX)ᵀR‖ per group
 */
export function blockDualNorms(G: Float64Array, d: number, P: number, c: number, nuclear: boolean, backend: Backend): Float64Array {
  if (!nuclear || c === 1) return backend.groupNorms(new Matrix(d, P * c, G), c);
  const out = new Float64Array(P);
  const B = Matrix.zeros(d, c);
  for (let i = 0; i < P; i++) {
    for (let r = 0; r < d; r++) for (let k = 0; k < c; k++) B.data[r * c + k] = G[r * P * c + i * c + k];
    out[i] = singularValues(B)[0] ?? 0;
  }
  return out;
}

/**
 * The duality-gap evaluator of min_U ℓ(Σ_i D_i X U_i) + λΣ‖U_i‖ over ALL groups: the dual point is
 * z = s·∇ℓ(F) with s = min(1, λ / max_i ‖(D_i X)ᵀ∇ℓ(F)‖_*), feasible for the dual
 * max −ℓ*(z) s.t. ‖(D_i X)ᵀz‖_* ≤ λ, so gap = primal + ℓ*(z) ≥ primal − p*.
 *
 * @example
 *   const ev = gapEvaluator(input); const g = ev(F, penaltyValue);
 */
export function gapEvaluator(input: GatedCoreInput) {
  const { X, masks, loss, lambda, nuclear, backend } = input;
  const n = X.rows;
  const d = X.cols;
  const c = loss.c;
  const P = masks.p;
  const A = maskedOperator(X, masks, c, backend);
  const cone = input.relu ? coneGroupPenalty(X, masks, lambda, backend) : null;
  const R = new Float64Array(n * c);
  const Rs = new Float64Array(n * c);
  const G = new Float64Array(d * P * c);
  let bestDual = -Infinity;
  return (F: Float64Array, penaltyValue: number) => {
    const dataTerm = loss.valueAndGrad(F, R);
    A.adjoint(R, G);
    const dn = cone ? cone.dualNorms(G) : blockDualNorms(G, d, P, c, nuclear, backend);
    let m = 0;
    for (const v of dn) if (v > m) m = v;
    const s = m > lambda ? lambda / m : 1;
    for (let j = 0; j < R.length; j++) Rs[j] = s * R[j];
    // every dual-feasible point bounds p* from below: keep the best one seen in this solve
    const dual = Math.max(-loss.conjugate(Rs), bestDual);
    bestDual = dual;
    const primal = dataTerm + penaltyValue;
    const gap = Math.max(0, primal - dual);
    return { primal, dual, gap, rel: gap / Math.max(Math.abs(primal), 1e-300), dataTerm, dualNorms: dn, maxDualNorm: m };
  };
}

function makePenalty(input: GatedCoreInput, M: PatternMasks): Penalty & { groupNorms(x: Float64Array): Float64Array } {
  const { X, lambda, nuclear, backend } = input;
  const d = X.cols;
  const c = input.loss.c;
  if (input.relu) return coneGroupPenalty(X, M, lambda, backend);
  return nuclear && c > 1 ? nuclearGroupPenalty(lambda, d, M.p, c) : frobeniusGroupPenalty(lambda, d, M.p, c, 1, backend);
}

function makeOperator(input: GatedCoreInput, M: PatternMasks): LinearMap {
  return input.relu ? reluDataOperator(input.X, M, input.backend) : maskedOperator(input.X, M, input.loss.c, input.backend);
}

/** Copy the columns of the groups `ws` out of `parts` stacked d×(P·c) matrices. */
function gather(x: Float64Array, d: number, P: number, c: number, ws: number[], parts: number): Float64Array {
  const q = ws.length;
  const out = new Float64Array(parts * d * q * c);
  for (let part = 0; part < parts; part++) {
    const o = part * d * P * c;
    const oo = part * d * q * c;
    for (let r = 0; r < d; r++) {
      for (let j = 0; j < q; j++) for (let k = 0; k < c; k++) out[oo + r * q * c + j * c + k] = x[o + r * P * c + ws[j] * c + k];
    }
  }
  return out;
}

function scatter(xs: Float64Array, x: Float64Array, d: number, P: number, c: number, ws: number[], parts: number): void {
  const q = ws.length;
  for (let part = 0; part < parts; part++) {
    const o = part * d * P * c;
    const oo = part * d * q * c;
    for (let r = 0; r < d; r++) {
      for (let j = 0; j < q; j++) for (let k = 0; k < c; k++) x[o + r * P * c + ws[j] * c + k] = xs[oo + r * q * c + j * c + k];
    }
  }
}

/**
 * Solve the gated-ReLU group Lasso (Frobenius or nuclear blocks) by R-FISTA, optionally over
 * working sets of pattern groups: solve on the active groups, check the optimality condition
 * ‖(D_i X)ᵀ∇ℓ‖_* ≤ λ for every group with the full kernels, add the worst violators, repeat. Stops
 * when the full duality gap is ≤ tol relative.
 *
 * @example
 *   const r = solveGatedCore(input, { tol: 1e-6, maxIters: 5000, timeLimit: Infinity, workingSet: true, t0: performance.now(), itersOffset: 0, history: [] });
 */
export function solveGatedCore(input: GatedCoreInput, opts: GatedCoreOptions): GatedCoreResult {
  const { X, masks, loss, lambda, nuclear, backend } = input;
  const d = X.cols;
  const c = loss.c;
  const P = masks.p;
  const tStart = performance.now();
  const evalGap = gapEvaluator(input);
  const parts = input.relu ? 2 : 1;
  const xFull = opts.x0 ? Float64Array.from(opts.x0) : new Float64Array(parts * d * P * c);
  const fullPen = makePenalty(input, masks);
  const fullA = makeOperator(input, masks);
  const F0 = new Float64Array(X.rows * c);
  fullA.apply(xFull, F0);
  let last = evalGap(F0, fullPen.value(xFull));
  let iterations = 0;
  let step = opts.step0 ?? 1;
  let converged = last.rel <= opts.tol;
  let timedOut = false;
  let stalled = false;
  let bestRel = last.rel;
  let sinceBest = 0;
  const stallChecks = opts.stallChecks ?? Infinity;
  let Ax: Float64Array = F0;
  const sizes: number[] = [];
  const record = (it: number, obj: number, cert: number) => {
    opts.history.push({ iteration: opts.itersOffset + it, timeSeconds: (performance.now() - opts.t0) / 1000, objective: obj, certificate: cert });
    opts.onProgress?.({ iteration: opts.itersOffset + it, certificate: cert, objective: obj });
  };
  record(0, last.primal, last.rel);

  // initial working set: groups already non-zero, plus the strongest KKT violators
  let ws: number[];
  if (!opts.workingSet) ws = Array.from({ length: P }, (_, i) => i);
  else {
    const norms = fullPen.groupNorms(xFull);
    const inWs = new Set<number>();
    for (let i = 0; i < P; i++) if (norms[i] > 0 || (parts === 2 && norms[P + i] > 0)) inWs.add(i);
    const k0 = Math.max(16, Math.ceil(P / 4));
    const order = Array.from({ length: P }, (_, i) => i).filter((i) => !inWs.has(i) && last.dualNorms[i] > lambda);
    order.sort((a, b) => last.dualNorms[b] - last.dualNorms[a]);
    for (const i of order.slice(0, Math.max(0, k0 - inWs.size))) inWs.add(i);
    if (inWs.size === 0) inWs.add(0);
    ws = [...inWs].sort((a, b) => a - b);
  }
  // grow once the restricted gap is below this fraction of the full gap (measured on P2: 0.3 and
  // a quarter of the groups to start beat 0.1 and a tenth by ~15% in time to the optimum)
  let innerFactor = 0.3;

  while (!converged && iterations < opts.maxIters) {
    const elapsed = (performance.now() - tStart) / 1000;
    if (elapsed > opts.timeLimit) {
      timedOut = true;
      break;
    }
    sizes.push(ws.length);
    const full = ws.length === P;
    const M = full ? masks : masks.select(ws);
    const q = ws.length;
    const A = full ? fullA : makeOperator(input, M);
    const pen = full ? fullPen : makePenalty(input, M);
    const wsSet = full ? null : new Set(ws);
    let grow = false;
    const r = rfista(
      { dim: parts * d * q * c, terms: [{ map: A, fn: loss }], penalty: pen },
      {
        x0: full ? xFull : gather(xFull, d, P, c, ws, parts),
        step0: step,
        maxIters: opts.maxIters - iterations,
        timeLimit: opts.timeLimit - elapsed,
        checkEvery: 10,
        check: (x, AxK, it) => {
          if (it === 0) return false;
          const g = evalGap(AxK[0], pen.value(x));
          last = g;
          record(iterations + it, g.primal, g.rel);
          if (g.rel <= opts.tol) {
            converged = true;
            return true;
          }
          if (g.rel < 0.9 * bestRel) {
            bestRel = g.rel;
            sinceBest = 0;
          } else if (++sinceBest >= stallChecks) {
            stalled = true;
            return true;
          }
          if (!wsSet) return false;
          // gap of the restricted problem: dual scaling over the working set only
          let mWs = 0;
          for (const i of ws) if (g.dualNorms[i] > mWs) mWs = g.dualNorms[i];
          let violators = false;
          for (let i = 0; i < P; i++) if (!wsSet.has(i) && g.dualNorms[i] > lambda) violators = true;
          if (!violators) return false;
          const s = mWs > lambda ? lambda / mWs : 1;
          const z = new Float64Array(AxK[0].length);
          loss.valueAndGrad(AxK[0], z);
          for (let j = 0; j < z.length; j++) z[j] *= s;
          const relWs = Math.max(0, g.primal + loss.conjugate(z)) / Math.max(Math.abs(g.primal), 1e-300);
          if (relWs <= Math.max(opts.tol / 2, innerFactor * g.rel)) {
            grow = true;
            return true;
          }
          return false;
        },
      },
    );
    iterations += r.iterations;
    step = r.step;
    if (full) xFull.set(r.x);
    else scatter(r.x, xFull, d, P, c, ws, parts);
    Ax = r.Ax[0];
    if (r.timedOut) {
      timedOut = true;
      break;
    }
    if (stalled) break;
    if (converged || !grow) {
      if (!converged && !r.converged) break; // iteration cap
      if (!converged && wsSet) innerFactor *= 0.1;
      continue;
    }
    // KKT-based growth: add the worst violators (up to doubling the working set)
    const inWs = new Set(ws);
    const viol = [];
    for (let i = 0; i < P; i++) if (!inWs.has(i) && last.dualNorms[i] > lambda) viol.push(i);
    viol.sort((a, b) => last.dualNorms[b] - last.dualNorms[a]);
    for (const i of viol.slice(0, Math.max(10, ws.length))) inWs.add(i);
    ws = [...inWs].sort((a, b) => a - b);
  }
  const penalty = fullPen.value(xFull);
  const fin = evalGap(Ax, penalty);
  if (fin.rel <= opts.tol) converged = true;
  return {
    x: xFull,
    Ax,
    objective: fin.primal,
    dataTerm: fin.dataTerm,
    penalty,
    gap: fin.gap,
    relGap: fin.rel,
    iterations,
    step,
    converged,
    timedOut,
    stalled,
    workingSetSizes: sizes,
  };
}
