import { certifier, type Evaluation } from '../core/certificate.js';
import { jacobiEigen } from '../core/dense.js';
import type { GroupLassoProblem, SolveOptions, SolveResult } from '../core/problem.js';
import { materialise } from '../core/operator.js';
import { finish, record, resolve, squaredLossTarget } from './common.js';

/** Largest n·dim for which a non-masked operator is materialised for block coordinate descent. */
const BCD_MATERIALIZE_MAX = 3e7;

/** Why `solveBcd` cannot take a problem (undefined when it can). */
export function bcdUnsupported(problem: GroupLassoProblem): string | undefined {
  if (problem.constraints) return 'block coordinate descent does not take explicit constraints C x ≥ 0 (use al)';
  if (problem.loss.name !== 'squared' || problem.loss.pooledBy) return `block coordinate descent handles the plain squared loss (this problem has ${problem.loss.name})`;
  if (problem.penalty.kind !== 'l2') return `block coordinate descent handles Euclidean groups (this problem has ${problem.penalty.kind})`;
  if (problem.op.c !== 1) return 'block coordinate descent handles one output column';
  if (problem.op.kind !== 'masked' && problem.op.n * problem.op.inDim > BCD_MATERIALIZE_MAX) return `block coordinate descent materialises non-masked operators up to n·dim = ${BCD_MATERIALIZE_MAX}`;
  return undefined;
}

/**
 * The exact minimiser of (s/2)uᵀHu − bᵀu + λ‖u‖ given H = Q diag(e) Qᵀ and v = Qᵀb: u = 0 when
 * ‖b‖ ≤ λ, else u = Q diag(1/(s e_j + λ/h)) v with h = ‖u‖ the root of the secular equation
 * φ(h) = Σ_j v_j² / (s e_j h + λ)² − 1 = 0 (decreasing in h), by safeguarded Newton on h.
 * Returns h (0 for the zero block) and writes Qᵀu into `out`.
 *
 * @example
 *   blockSolve(Float64Array.of(2), Float64Array.of(3), 1, 1, out); // h = 1, out = [1]
 */
export function blockSolve(e: Float64Array, v: Float64Array, s: number, lambda: number, out: Float64Array): number {
  const k = v.length;
  let bn = 0;
  for (let j = 0; j < k; j++) bn += v[j] * v[j];
  bn = Math.sqrt(bn);
  if (bn <= lambda) {
    out.fill(0);
    return 0;
  }
  // φ(0) = (‖b‖/λ)² − 1 > 0; an upper bound: h ≤ (‖b‖ − λ)/(s·e_min) when e_min > 0, else grow
  let lo = 0;
  let hi = 0;
  let emin = Infinity;
  for (let j = 0; j < k; j++) emin = Math.min(emin, e[j]);
  const phi = (h: number) => {
    let f = 0;
    let df = 0;
    for (let j = 0; j < k; j++) {
      const den = s * Math.max(e[j], 0) * h + lambda;
      const t = (v[j] * v[j]) / (den * den);
      f += t;
      df += (-2 * t * s * Math.max(e[j], 0)) / den;
    }
    return { f: f - 1, df };
  };
  if (emin > 0) hi = (bn - lambda) / (s * emin);
  else {
    hi = 1;
    while (phi(hi).f > 0 && hi < 1e300) hi *= 2;
  }
  let h = 0.5 * hi;
  for (let it = 0; it < 100; it++) {
    const { f, df } = phi(h);
    if (Math.abs(f) < 1e-15) break;
    if (f > 0) lo = h;
    else hi = h;
    let next = df < 0 ? h - f / df : NaN;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - h) <= 1e-15 * Math.max(1, h)) {
      h = next;
      break;
    }
    h = next;
  }
  for (let j = 0; j < k; j++) out[j] = v[j] / (s * Math.max(e[j], 0) + lambda / h);
  return h;
}

/**
 * Block coordinate descent with exact block solves (adelie's method): each group's Gram
 * H_g = A_gᵀA_g is eigendecomposed once, a block visit solves its subproblem exactly through the
 * secular equation ({@link blockSolve}; the zero-block test first), and the residual is kept, so a
 * visit costs two products with the block's columns. Sweeps run over the active groups plus the
 * KKT violators of the last full check (strong-rule screening with a full check each epoch);
 * certified by the registry's duality gap. An iteration is one epoch.
 *
 * @example
 *   const r = solve(problem, { solver: 'bcd' });
 */
export function solveBcd(problem: GroupLassoProblem, opts: SolveOptions = {}): SolveResult {
  const o = resolve(opts);
  const tStart = performance.now();
  const { op, loss, penalty } = problem;
  const n = op.n;
  const dim = op.inDim;
  const layout = penalty.layout;
  const Gc = layout.count;
  const lambda = penalty.lambda;
  const s = loss.scale === 'mean' ? 1 / n : 1;
  let products = 0;
  const y = squaredLossTarget(loss, s);
  // block columns: masked → implicit (X rows masked); otherwise A materialised once
  const masked = op.kind === 'masked' && problem.structure;
  let Ad: Float64Array | null = null;
  if (!masked) {
    Ad = materialise(op);
    products += dim / Math.max(1, dim);
  }
  const X = masked ? problem.structure!.X : null;
  const masks = masked ? problem.structure!.masks : null;
  const rowsOf: Int32Array[] = [];
  if (masks) {
    for (let i = 0; i < masks.p; i++) {
      const col = masks.column(i);
      const rr: number[] = [];
      for (let j = 0; j < n; j++) if (col[j]) rr.push(j);
      rowsOf.push(Int32Array.from(rr));
    }
  }
  const groupPattern = (g: number) => g; // masked gated: group g is pattern g
  /** A_gᵀ w for group g into out (length |g|) */
  const colT = (g: number, w: Float64Array, out: Float64Array) => {
    const cs = layout.coords(g);
    out.fill(0);
    if (masked) {
      const d = X!.cols;
      for (const j of rowsOf[groupPattern(g)]) {
        const wj = w[j];
        if (wj === 0) continue;
        for (let r = 0; r < d; r++) out[r] += X!.data[X!.offset + j * X!.stride + r] * wj;
      }
      return;
    }
    for (let r = 0; r < n; r++) {
      const wr = w[r];
      if (wr === 0) continue;
      for (let k = 0; k < cs.length; k++) out[k] += Ad![r * dim + cs[k]] * wr;
    }
  };
  /** w += A_g δ */
  const colAdd = (g: number, delta: Float64Array, w: Float64Array) => {
    const cs = layout.coords(g);
    if (masked) {
      const d = X!.cols;
      for (const j of rowsOf[groupPattern(g)]) {
        let t = 0;
        for (let r = 0; r < d; r++) t += X!.data[X!.offset + j * X!.stride + r] * delta[r];
        w[j] += t;
      }
      return;
    }
    for (let r = 0; r < n; r++) {
      let t = 0;
      for (let k = 0; k < cs.length; k++) t += Ad![r * dim + cs[k]] * delta[k];
      w[r] += t;
    }
  };
  // per-group Gram eigendecompositions, computed when a group first enters the sweep
  const eig: Array<{ e: Float64Array; Q: Float64Array } | null> = new Array(Gc).fill(null);
  const gramOf = (g: number) => {
    const cached = eig[g];
    if (cached) return cached;
    const k = layout.coords(g).length;
    const H = new Float64Array(k * k);
    if (masked) {
      const d = X!.cols;
      for (const j of rowsOf[groupPattern(g)]) {
        const o0 = X!.offset + j * X!.stride;
        for (let a = 0; a < d; a++) {
          const xa = X!.data[o0 + a];
          for (let b = a; b < d; b++) H[a * k + b] += xa * X!.data[o0 + b];
        }
      }
    } else {
      const cs = layout.coords(g);
      for (let r = 0; r < n; r++) for (let a = 0; a < k; a++) {
        const va = Ad![r * dim + cs[a]];
        if (va === 0) continue;
        for (let b = a; b < k; b++) H[a * k + b] += va * Ad![r * dim + cs[b]];
      }
    }
    for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) H[a * k + b] = H[b * k + a];
    const { values, vectors } = jacobiEigen(H, k);
    const ent = { e: values, Q: vectors };
    eig[g] = ent;
    return ent;
  };

  const cert = certifier(op, loss, penalty, { backend: opts.backend });
  const x = opts.x0 ? Float64Array.from(opts.x0) : new Float64Array(dim);
  const F = new Float64Array(n);
  op.apply(x, F);
  products++;
  const res = new Float64Array(n); // y − A x
  for (let j = 0; j < n; j++) res[j] = y[j] - F[j];
  let last: Evaluation = cert.evaluate(x, F, false);
  products++;
  record(o, 0, last);
  let iterations = 0;
  let timedOut = false;
  const kmax = layout.maxSize;
  const bvec = new Float64Array(kmax);
  const v = new Float64Array(kmax);
  const u = new Float64Array(kmax);
  const delta = new Float64Array(kmax);
  const norms = penalty.groupNorms(x);
  let screened = new Set<number>();
  for (let g = 0; g < Gc; g++) if (norms[g] > 0 || last.dualNorms[g] > lambda) screened.add(g);
  while (last.rel > o.tol && iterations < o.maxIters) {
    if ((performance.now() - tStart) / 1000 > o.timeLimit) {
      timedOut = true;
      break;
    }
    iterations++;
    for (const g of screened) {
      const cs = layout.coords(g);
      const k = cs.length;
      const { e, Q } = gramOf(g);
      // b = s (A_gᵀ res + H x_g) = s A_gᵀ(res + A_g x_g)
      colT(g, res, bvec);
      const xg = new Float64Array(k);
      for (let a = 0; a < k; a++) xg[a] = x[cs[a]];
      // H x_g = Q diag(e) Qᵀ x_g
      for (let a = 0; a < k; a++) {
        let t = 0;
        for (let c = 0; c < k; c++) t += Q[c * k + a] * xg[c];
        v[a] = t * e[a];
      }
      for (let a = 0; a < k; a++) {
        let t = 0;
        for (let c = 0; c < k; c++) t += Q[a * k + c] * v[c];
        bvec[a] = s * (bvec[a] + t);
      }
      for (let a = 0; a < k; a++) {
        let t = 0;
        for (let c = 0; c < k; c++) t += Q[c * k + a] * bvec[c];
        v[a] = t;
      }
      blockSolve(e.subarray(0, k), v.subarray(0, k), s, lambda, u.subarray(0, k));
      let changed = false;
      for (let a = 0; a < k; a++) {
        let t = 0;
        for (let c = 0; c < k; c++) t += Q[a * k + c] * u[c];
        delta[a] = xg[a] - t;
        if (delta[a] !== 0) changed = true;
        x[cs[a]] = t;
      }
      if (changed) colAdd(g, delta.subarray(0, k), res);
    }
    products += (2 * screened.size) / Math.max(1, Gc);
    // full KKT check and certificate once per epoch
    for (let j = 0; j < n; j++) F[j] = y[j] - res[j];
    last = cert.evaluate(x, F, true);
    products++;
    record(o, iterations, last);
    const nn = penalty.groupNorms(x);
    const next = new Set<number>();
    for (let g = 0; g < Gc; g++) if (nn[g] > 0 || last.dualNorms[g] > lambda) next.add(g);
    screened = next;
  }
  // exact residual for the report
  op.apply(x, F);
  const fin = cert.evaluate(x, F, last.rel > o.tol);
  return finish(problem, x, F, fin, o, { iterations, products, tStart, solver: 'bcd', timedOut: timedOut && fin.rel > o.tol });
}
