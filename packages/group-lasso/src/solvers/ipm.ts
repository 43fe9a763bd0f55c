import { type Backend, Matrix } from '@cvxnn/linalg';
import { coneProjector } from '../cone.js';
import { certifier } from '../core/certificate.js';
import { choleskyInPlace, choleskySolveInPlace, fp64, jacobiEigen } from '../core/dense.js';
import type { GroupLassoProblem, SolveOptions, SolveResult } from '../core/problem.js';
import { solveFista } from './fista.js';
import { countedProblem, finish, type ProductCounter, record, resolve, squaredLossTarget } from './common.js';

/**
 * Largest n the interior-point solver takes: each step factors one n×n matrix and forms it from
 * an n×(P·d) product (n²·P·d flops).
 */
export const IPM_MAX_N = 3000;
/** conjugate-gradient refinement of each Newton solve: iteration cap and relative residual */
const CG_MAX = 20;
const CG_TOL = 1e-13;
/** largest face (Σ of the free dimensions of the groups in use) the polish factors densely */
const POLISH_MAX = 4000;
/** active-set corrections of the polish's face (rows the face solution violates join it) */
const POLISH_ROUNDS = 400;
/** hand over to R-FISTA after this many certificate checks without a 10% gain */
export const STALL_CHECKS = 8;

/**
 * Flops of one interior-point step, dominated by forming the n×n Woodbury matrix (n²·P·d) and
 * the group blocks (2P·n·d²): what `auto` weighs before choosing the solver.
 *
 * @example
 *   ipmStepFlops(problem) <= IPM_AUTO_FLOPS;
 */
export function ipmStepFlops(problem: GroupLassoProblem): number {
  const s = problem.structure;
  if (!s) return Infinity;
  const n = s.X.rows;
  const d = s.X.cols;
  const P = s.masks.p;
  return n * n * P * d + 2 * P * n * d * d + (n * n * n) / 3;
}

/**
 * Largest {@link ipmStepFlops} for which `auto` picks the interior-point solver (about 1 s per
 * step on this machine's fp64 GEMM; above it R-FISTA's cheaper steps are tried first).
 */
export const IPM_AUTO_FLOPS = 3e9;

/** Why `solveIpm` cannot take a problem (undefined when it can). */
export function ipmUnsupported(problem: GroupLassoProblem): string | undefined {
  const { loss, penalty, op } = problem;
  if (problem.constraints) return 'the interior-point solver does not take explicit constraints C x ≥ 0 (use al)';
  if (loss.pooledBy) return 'the interior-point solver handles a plain squared loss (this one is pooled)';
  if (loss.name !== 'squared') return `the interior-point solver handles the squared loss (this problem has ${loss.name})`;
  if (op.c !== 1) return 'the interior-point solver handles one output column (solve vector outputs one-vs-all or with fista)';
  if (penalty.kind !== 'cone' && penalty.kind !== 'l2') return `the interior-point solver handles C-ReLU cones and Euclidean groups (this problem has ${penalty.kind} groups)`;
  const st = penalty.layout.strided;
  const s = problem.structure;
  if (!s || !st) return 'the interior-point solver needs the data X and the masks of a gated or C-ReLU problem';
  if (penalty.layout.free.length > 0) return 'the interior-point solver does not take free (unpenalized) coordinates';
  if (st.c !== 1 || st.d !== s.X.cols || st.P !== s.masks.p || st.parts !== (penalty.kind === 'cone' ? 2 : 1)) return 'the interior-point solver needs the strided layout of the two-layer programs';
  if (op.n > IPM_MAX_N) return `n = ${op.n} rows is above the interior-point solver's ${IPM_MAX_N} (its steps factor n×n systems); use fista or newton`;
  return undefined;
}

/**
 * Primal–dual interior-point method (Mehrotra predictor–corrector, Nesterov–Todd scaling; the
 * algorithm of CVXOPT's `coneqp`, Vandenberghe 2010) on the second-order-cone form of the
 * squared-loss two-layer programs, one group g = (pattern i, sign σ) per neuron:
 *
 *   min (s/2)‖Σ_g σ_g D_i X u_g − y‖² + λ Σ_g t_g   s.t.  ‖u_g‖ ≤ t_g,  (2D_i − I) X u_g ≥ 0 (C-ReLU only).
 *
 * Each step solves the reduced Newton system (Q + GᵀW⁻²G) Δx = r in the scaled variable
 * y = W⁻¹Δx: (K + WQW) y = W r, K = I + W E W block diagonal (E = Xᵀ diag(z/s) X from the cone
 * rows), Q = s ÃᵀÃ of rank n. Its Woodbury inverse — one n×n Cholesky factor of
 * I/s + Σ_i D_i X C_i Xᵀ D_i, formed as Z Zᵀ by one GEMM — preconditions conjugate gradients on
 * the exact system (0–3 iterations; the Woodbury cancellation alone loses digits once the 1/μ²
 * conditioning sets in). Slack steps come from the scaled complementarity and SOC step lengths
 * are measured in the scaled space, where the iterates stay well centred. The cost of a step does
 * not depend on λ, where R-FISTA's iteration count grows without bound as λ shrinks
 * (BENCHMARKS.md, dataset matrix).
 *
 * Every step's primal point is certified by the full problem's duality gap (the one certificate
 * module); once the gap is below 1e-3 the point projected onto the cones is certified instead (the
 * point returned is exactly feasible). Near the optimum the Newton systems run out of digits (in
 * fp64 the gap stalls around 1e-5 on the bundled regression data); when the certificate (below
 * 1e-3) has not improved 10% in {@link STALL_CHECKS} steps, R-FISTA finishes from the IPM's best point — from a
 * near-optimal start it needs tens to a few hundred iterations where from 0 it needs more than
 * any budget. The start `x0` (default 0) is certified first and returned when it already meets the
 * tolerance (λ ≥ λ_max, a λ-path's warm start); otherwise the IPM starts cold. An iteration is one Newton step (two solves with
 * one factorisation) or, after the hand-over, one R-FISTA iteration.
 *
 * @example
 *   const r = solveIpm(reluProblem(X, masks, dataLoss('squared', 'sum', y), 0.01));
 */
export function solveIpm(problem0: GroupLassoProblem, opts: SolveOptions = {}): SolveResult {
  const why = ipmUnsupported(problem0);
  if (why) throw new Error(why);
  const o = resolve(opts);
  const tStart = performance.now();
  const counter: ProductCounter = { count: 0 };
  const problem = countedProblem(problem0, counter);
  const { op, loss, penalty } = problem;
  const { X, masks } = problem0.structure!;
  const backend: Backend = fp64(opts.backend ?? problem0.structure!.backend);
  const relu = penalty.kind === 'cone';
  const n = X.rows;
  const d = X.cols;
  const P = masks.p;
  const G = relu ? 2 * P : P;
  const D1 = d + 1;
  const lambda0 = penalty.lambda;
  const sc0 = loss.scale === 'mean' ? 1 / n : 1;
  const y0 = squaredLossTarget(loss, sc0);
  // internal units: y / ys (ys its RMS; the solution scales by ys) and the objective × κ so that
  // its value at 0 is 1 — the IPM's starting point and step rules are not scale invariant
  let yy = 0;
  for (const v of y0) yy += v * v;
  const ys = Math.sqrt(yy / n) || 1;
  const y = y0.map((v) => v / ys);
  const kappa = 2 / (sc0 * (yy / (ys * ys)) || 1);
  const sc = kappa * sc0;
  const lambda = (kappa * lambda0) / ys;
  const cert = certifier(op, loss, penalty, { backend });
  const nL = relu ? G * n : 0; // cone rows (orthant entries)
  const degree = G + nL;
  // masks by pattern: mk[i·n + j] ∈ {0, 1}; sign rows sg = 2m − 1
  const mk = new Float64Array(P * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < P; i++) mk[i * n + j] = masks.get(j, i);
  const pat = (g: number) => (g >= P ? g - P : g);
  const sig = (g: number) => (g >= P ? -1 : 1);

  // ——— the maps, on the internal layout xs[g·D1] = t_g, xs[g·D1 + 1 + r] = u_g[r] ———
  const Ud = new Float64Array(d * G);
  /** X u_g for every group: n×G (row-major) */
  const xu = (xs: Float64Array): Float64Array => {
    for (let g = 0; g < G; g++) for (let r = 0; r < d; r++) Ud[r * G + g] = xs[g * D1 + 1 + r];
    return backend.gemm(X, new Matrix(d, G, Ud)).data;
  };
  /** Ã x = Σ_g σ_g D_i X u_g from X U */
  const imageOf = (XU: Float64Array, out: Float64Array): Float64Array => {
    counter.count++;
    out.fill(0);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let g = 0; g < G; g++) s += sig(g) * mk[pat(g) * n + j] * XU[j * G + g];
      out[j] = s;
    }
    return out;
  };
  const Rbuf = new Float64Array(n * G);
  /** out_u(g) += Σ_j coef(g, j) X_j for every group (one GEMM Xᵀ R) */
  const addXt = (coef: (g: number, j: number) => number, out: Float64Array) => {
    for (let j = 0; j < n; j++) for (let g = 0; g < G; g++) Rbuf[j * G + g] = coef(g, j);
    const T = backend.gemm(X, new Matrix(n, G, Rbuf), { transA: true }).data;
    for (let g = 0; g < G; g++) for (let r = 0; r < d; r++) out[g * D1 + 1 + r] += T[r * G + g];
  };
  /** out_u += Ãᵀ r (σ_g Xᵀ D_i r) */
  const addAdjoint = (r: Float64Array, alpha: number, out: Float64Array) => {
    counter.count++;
    addXt((g, j) => alpha * sig(g) * mk[pat(g) * n + j] * r[j], out);
  };
  const sgn = (g: number, j: number) => 2 * mk[pat(g) * n + j] - 1;

  // ——— state: x (t, u per group), SOC slack/dual sS, zS (G·D1), cone rows sL, zL (G·n) ———
  const N = G * D1;
  let x: Float64Array = new Float64Array(N);
  let sS: Float64Array = new Float64Array(N);
  let zS: Float64Array = new Float64Array(N);
  let sL: Float64Array = new Float64Array(nL);
  let zL: Float64Array = new Float64Array(nL);

  // ——— scaling: per SOC β, v (W = β(2vvᵀ − J)), W⁻² blocks; orthant weights zL/sL ———
  const beta = new Float64Array(G);
  const vv = new Float64Array(N);
  const Winv2 = new Float64Array(G * D1 * D1);
  const wL = new Float64Array(nL); // z/s on the cone rows (W⁻²)
  const Wmat = new Float64Array(G * D1 * D1); // W per SOC block (explicit)
  const Kmat = new Float64Array(G * D1 * D1); // K_g = I + W_g E_g W_g
  const Kinv = new Float64Array(G * D1 * D1);
  const Mbase = new Float64Array(n * n); // Z Zᵀ
  const Mfac = new Float64Array(n * n);
  const jdot = (a: Float64Array, o: number) => {
    let nb = 0;
    for (let k = 1; k < D1; k++) nb += a[o + k] * a[o + k];
    const r = Math.sqrt(nb);
    return (a[o] - r) * (a[o] + r);
  };
  const identityScaling = () => {
    beta.fill(1);
    vv.fill(0);
    for (let g = 0; g < G; g++) vv[g * D1] = 1;
    wL.fill(1);
  };
  const ntScaling = () => {
    for (let g = 0; g < G; g++) {
      const o = g * D1;
      const sJ = jdot(sS, o);
      const zJ = jdot(zS, o);
      const a = 1 / Math.sqrt(sJ);
      const b = 1 / Math.sqrt(zJ);
      let sz = 0;
      for (let k = 0; k < D1; k++) sz += sS[o + k] * a * zS[o + k] * b;
      const gam = Math.sqrt((1 + sz) / 2);
      // w̄ = (ŝ + J ẑ)/(2γ), v = (w̄ + e)/√(2(w̄₀ + 1))
      const w0 = (sS[o] * a + zS[o] * b) / (2 * gam);
      const f = 1 / Math.sqrt(2 * (w0 + 1));
      vv[o] = (w0 + 1) * f;
      for (let k = 1; k < D1; k++) vv[o + k] = ((sS[o + k] * a - zS[o + k] * b) / (2 * gam)) * f;
      beta[g] = Math.pow(sJ / zJ, 0.25);
    }
    for (let q = 0; q < nL; q++) wL[q] = zL[q] / sL[q];
  };
  /** out = W a (SOC block g) */
  const applyW = (g: number, a: Float64Array, ao: number, out: Float64Array, oo: number) => {
    const o = g * D1;
    let t = 0;
    for (let k = 0; k < D1; k++) t += vv[o + k] * a[ao + k];
    for (let k = 0; k < D1; k++) out[oo + k] = beta[g] * (2 * vv[o + k] * t - (k === 0 ? a[ao] : -a[ao + k]));
  };
  /** out = W⁻¹ a = (1/β)(2 Jv (Jv)ᵀ a − J a) */
  const applyWinv = (g: number, a: Float64Array, ao: number, out: Float64Array, oo: number) => {
    const o = g * D1;
    let t = vv[o] * a[ao];
    for (let k = 1; k < D1; k++) t -= vv[o + k] * a[ao + k];
    for (let k = 0; k < D1; k++) {
      const jv = k === 0 ? vv[o] : -vv[o + k];
      out[oo + k] = (2 * jv * t - (k === 0 ? a[ao] : -a[ao + k])) / beta[g];
    }
  };

  // ——— factorisation of the Newton system for the current scaling ———
  //
  // The reduced system H Δx = r, H = W⁻² + E + Q (E = [0 0; 0 Xᵀ diag(z/s) X] per group, Q = s ÃᵀÃ),
  // is solved in the scaled variable y = W⁻¹Δx: (K + W Q W) y = W r with K = I + W E W block
  // diagonal and ⪰ I. B⁻¹ = W K⁻¹ W is then formed without inverting W⁻² + E, whose condition
  // grows like 1/μ² on the radial directions of the active groups' cones (inverting it directly
  // stalls the iteration near a 1e-5 gap).
  const colBuf = new Float64Array(D1);
  const blk = new Float64Array(D1 * D1);
  const Lstack = new Float64Array(d * P * d); // d × (P·d): [L_1 … L_P]
  const Emat = new Float64Array(d * d);
  const Xs = relu ? new Float64Array(n * d) : new Float64Array(0);
  const factor = (): boolean => {
    for (let g = 0; g < G; g++) {
      const ob = g * D1 * D1;
      for (let k = 0; k < D1; k++) {
        colBuf.fill(0);
        colBuf[k] = 1;
        applyWinv(g, colBuf, 0, blk, 0);
        applyWinv(g, blk, 0, Winv2, ob + k * D1);
        applyW(g, colBuf, 0, Wmat, ob + k * D1); // W symmetric: column k = row k
      }
      // K_g = I + W E W (E only on the u block)
      Kmat.fill(0, ob, ob + D1 * D1);
      if (relu) {
        for (let j = 0; j < n; j++) {
          const w = Math.sqrt(wL[g * n + j]);
          for (let r = 0; r < d; r++) Xs[j * d + r] = w * X.data[X.offset + j * X.stride + r];
        }
        Emat.set(backend.gemm(new Matrix(n, d, Xs), new Matrix(n, d, Xs), { transA: true }).data);
        // W E W = Σ_ab W[:,1+a] E_ab W[1+b,:]
        for (let k = 0; k < D1; k++) {
          for (let a2 = 0; a2 < d; a2++) {
            let t = 0;
            for (let b2 = 0; b2 < d; b2++) t += Emat[a2 * d + b2] * Wmat[ob + (1 + b2) * D1 + k];
            blk[a2] = t; // (E W)[a2, k]
          }
          for (let l = 0; l < D1; l++) {
            let t = 0;
            for (let a2 = 0; a2 < d; a2++) t += Wmat[ob + l * D1 + 1 + a2] * blk[a2];
            Kmat[ob + l * D1 + k] = t;
          }
        }
      }
      for (let k = 0; k < D1; k++) Kmat[ob + k * D1 + k] += 1;
      // K ⪰ I, but its range reaches 1/μ²: a rounded pivot may come out ≤ 0 — shift (the
      // inverse is only the preconditioner's; K itself enters the CG products exactly)
      if (!factorWithShift(Kmat.subarray(ob, ob + D1 * D1), Kinv.subarray(ob, ob + D1 * D1), D1, 0, 1e-16, 10, (a) => invertSpd(a, D1, backend))) return false;
    }
    // C_i = Σ_{g of pattern i} (W K⁻¹ W)_uu = L_i L_iᵀ
    const C = new Float64Array(d * d);
    const WK = new Float64Array(D1 * D1);
    Lstack.fill(0);
    for (let i = 0; i < P; i++) {
      C.fill(0);
      for (const g of relu ? [i, i + P] : [i]) {
        const ob = g * D1 * D1;
        for (let a2 = 1; a2 < D1; a2++) for (let k = 0; k < D1; k++) {
          let t = 0;
          for (let l = 0; l < D1; l++) t += Wmat[ob + a2 * D1 + l] * Kinv[ob + l * D1 + k];
          WK[a2 * D1 + k] = t;
        }
        for (let a2 = 1; a2 < D1; a2++) for (let b2 = 1; b2 <= a2; b2++) {
          let t = 0;
          for (let k = 0; k < D1; k++) t += WK[a2 * D1 + k] * Wmat[ob + k * D1 + b2];
          C[(a2 - 1) * d + b2 - 1] += t;
          if (b2 !== a2) C[(b2 - 1) * d + a2 - 1] += t;
        }
      }
      // C_i = L_i L_iᵀ: Cholesky, or (numerically indefinite, late in the iteration) the
      // eigendecomposition with negative eigenvalues dropped — it only builds the preconditioner
      const Csave = Float64Array.from(C);
      if (choleskyInPlace(C, d, backend)) {
        for (let a2 = 0; a2 < d; a2++) for (let b2 = 0; b2 <= a2; b2++) Lstack[a2 * P * d + i * d + b2] = C[a2 * d + b2];
      } else {
        const { values, vectors } = jacobiEigen(Csave, d);
        for (let a2 = 0; a2 < d; a2++) for (let b2 = 0; b2 < d; b2++) Lstack[a2 * P * d + i * d + b2] = vectors[a2 * d + b2] * Math.sqrt(Math.max(0, values[b2]));
      }
    }
    // Z = [D_i X L_i]_i (n × P·d), M = I/s + Z Zᵀ
    const Z = backend.gemm(X, new Matrix(d, P * d, Lstack)).data;
    for (let j = 0; j < n; j++) for (let i = 0; i < P; i++) if (!mk[i * n + j]) Z.fill(0, j * P * d + i * d, j * P * d + (i + 1) * d);
    const Zm = new Matrix(n, P * d, Z);
    // late in the iteration I/s is below the round-off of the large rank-|active| part: a pivot
    // may come out ≤ 0; the factor is only the preconditioner's, so shift the diagonal and retry
    backend.gemm(Zm, Zm, { transB: true, out: new Matrix(n, n, Mbase) });
    return factorWithShift(Mbase, Mfac, n, 1 / sc, 1e-15, 8, (a) => choleskyInPlace(a, n, backend));
  };

  const Fbuf = new Float64Array(n);
  /** out (+)= alpha · blockdiag(B) a over the D1×D1 group blocks */
  const blockMul = (B: Float64Array, a: Float64Array, out: Float64Array, alpha = 1) => {
    for (let g = 0; g < G; g++) {
      const ob = g * D1 * D1;
      const oa = g * D1;
      for (let k = 0; k < D1; k++) {
        let s = 0;
        for (let l = 0; l < D1; l++) s += B[ob + k * D1 + l] * a[oa + l];
        out[oa + k] += alpha * s;
      }
    }
  };
  /** the Woodbury inverse of the scaled system: K⁻¹q − K⁻¹WÃᵀ(I/s + ÃWK⁻¹WÃᵀ)⁻¹ÃWK⁻¹q */
  const woodbury = (q: Float64Array): Float64Array => {
    const k1 = new Float64Array(N);
    blockMul(Kinv, q, k1);
    const wk = new Float64Array(N);
    blockMul(Wmat, k1, wk);
    const c = imageOf(xu(wk), Fbuf).slice();
    choleskySolveInPlace(Mfac, n, c);
    const t = new Float64Array(N);
    addAdjoint(c, 1, t);
    const wt = new Float64Array(N);
    blockMul(Wmat, t, wt);
    blockMul(Kinv, wt, k1, -1);
    return k1;
  };
  /** (K + W Q W) y */
  const scaledHessian = (yv: Float64Array): Float64Array => {
    const out = new Float64Array(N);
    blockMul(Kmat, yv, out);
    const wy = new Float64Array(N);
    blockMul(Wmat, yv, wy);
    const F = imageOf(xu(wy), Fbuf);
    const t = new Float64Array(N);
    addAdjoint(F, sc, t);
    blockMul(Wmat, t, out);
    return out;
  };
  /**
   * Δx, Δz of  Q Δx + GᵀΔz = bx,  G Δx − W²Δz = bz  (bz = [bzS; bzL]): Δz eliminated (exact), the
   * reduced system in the scaled variable y = W⁻¹Δx solved by conjugate gradients preconditioned
   * with its Woodbury inverse (exact in exact arithmetic: CG takes 0–3 iterations and removes the
   * digits the Woodbury cancellation loses).
   */
  const kktSolve = (bx: Float64Array, bzS: Float64Array, bzL: Float64Array) => {
    // r = bx + GᵀW⁻²bz: SOC rows G = −I; cone rows G = −S X; scaled right-hand side W r
    const r = Float64Array.from(bx);
    blockMul(Winv2, bzS, r, -1);
    if (relu) addXt((g, j) => -sgn(g, j) * wL[g * n + j] * bzL[g * n + j], r);
    const rs = new Float64Array(N);
    blockMul(Wmat, r, rs);
    const rn = Math.sqrt(dotv(rs, rs));
    const yv = woodbury(rs);
    const res = scaledHessian(yv);
    for (let q = 0; q < N; q++) res[q] = rs[q] - res[q];
    let zc = woodbury(res);
    const pc = Float64Array.from(zc);
    let rz = dotv(res, zc);
    for (let k = 0; k < CG_MAX && Math.sqrt(dotv(res, res)) > CG_TOL * rn; k++) {
      const Hp = scaledHessian(pc);
      const pHp = dotv(pc, Hp);
      if (!(pHp > 0)) break;
      const a = rz / pHp;
      for (let q = 0; q < N; q++) {
        yv[q] += a * pc[q];
        res[q] -= a * Hp[q];
      }
      zc = woodbury(res);
      const rz2 = dotv(res, zc);
      const bb = rz2 / rz;
      rz = rz2;
      for (let q = 0; q < N; q++) pc[q] = zc[q] + bb * pc[q];
    }
    // Δx = W y; Δz = W⁻²(G Δx − bz) = −W⁻¹y − W⁻²bz on the SOC rows
    const dx = new Float64Array(N);
    blockMul(Wmat, yv, dx);
    const dzS = new Float64Array(N);
    for (let g = 0; g < G; g++) applyWinv(g, yv, g * D1, dzS, g * D1);
    for (let q = 0; q < N; q++) dzS[q] = -dzS[q];
    blockMul(Winv2, bzS, dzS, -1);
    const dzL = new Float64Array(nL);
    if (relu) {
      const XU = xu(dx);
      for (let g = 0; g < G; g++) for (let j = 0; j < n; j++) dzL[g * n + j] = wL[g * n + j] * (-sgn(g, j) * XU[j * G + g] - bzL[g * n + j]);
    }
    return { dx, dzS, dzL };
  };

  // ——— residuals: r_x = Qx + q + Gᵀz, r_z = Gx + s (h = 0) ———
  const Fx = new Float64Array(n);
  const residuals = () => {
    const XU = xu(x);
    imageOf(XU, Fx);
    const rx = new Float64Array(N);
    const res = new Float64Array(n);
    for (let j = 0; j < n; j++) res[j] = sc * (Fx[j] - y[j]);
    addAdjoint(res, 1, rx);
    for (let g = 0; g < G; g++) rx[g * D1] += lambda;
    for (let q = 0; q < N; q++) rx[q] -= zS[q];
    if (relu) addXt((g, j) => -sgn(g, j) * zL[g * n + j], rx);
    const rzS = new Float64Array(N);
    for (let q = 0; q < N; q++) rzS[q] = sS[q] - x[q];
    const rzL = new Float64Array(nL);
    for (let g = 0; g < G; g++) for (let j = 0; j < n; j++) rzL[g * n + j] = sL[g * n + j] - sgn(g, j) * XU[j * G + g];
    return { rx, rzS, rzL };
  };

  // ——— step lengths to the cone boundaries ———
  /**
   * Largest α keeping s + αΔs and z + αΔz in the cones. On the SOC blocks it is measured in the
   * scaled space (λ + αW⁻¹Δs, λ + αWΔz; W maps the cone onto itself): λ is well centred, where s
   * and z of an active group sit within round-off of the boundary late in the iteration.
   */
  const ta1 = new Float64Array(D1);
  const ta2 = new Float64Array(D1);
  const stepLength = (dir: { dsS: Float64Array; dzS: Float64Array; dsL: Float64Array; dzL: Float64Array }): number => {
    let amax = Infinity;
    for (let q = 0; q < nL; q++) {
      if (dir.dsL[q] < 0) amax = Math.min(amax, -sL[q] / dir.dsL[q]);
      if (dir.dzL[q] < 0) amax = Math.min(amax, -zL[q] / dir.dzL[q]);
    }
    for (let g = 0; g < G; g++) {
      applyWinv(g, dir.dsS, g * D1, ta1, 0);
      applyW(g, dir.dzS, g * D1, ta2, 0);
      amax = Math.min(amax, socStep(lamS.subarray(g * D1, (g + 1) * D1), ta1, 0, D1), socStep(lamS.subarray(g * D1, (g + 1) * D1), ta2, 0, D1));
    }
    return amax;
  };

  // ——— the given start (x0, else 0) may already be certified: λ ≥ λ_max, a λ-path's warm start ———
  {
    const x0 = opts.x0 ? Float64Array.from(opts.x0) : new Float64Array(op.inDim);
    const F0 = new Float64Array(op.outDim);
    op.apply(x0, F0);
    const e0 = cert.evaluate(x0, F0, !!opts.x0);
    record(o, 0, e0);
    if (e0.rel <= o.tol) return finish(problem, x0, F0, e0, o, { iterations: 0, products: counter.count, tStart, solver: 'ipm (0 it)', timedOut: false });
  }

  // ——— initial point (coneqp): the W = I solve, then both shifted into the cones ———
  identityScaling();
  if (!factor()) throw new Error('interior-point: the initial Newton system is not positive definite');
  {
    const q0 = new Float64Array(N);
    const zeroY = y.map((v) => -sc * v);
    addAdjoint(zeroY, 1, q0);
    for (let g = 0; g < G; g++) q0[g * D1] += lambda;
    for (let k = 0; k < N; k++) q0[k] = -q0[k];
    const s0 = kktSolve(q0, new Float64Array(N), new Float64Array(nL));
    x = s0.dx;
    zS = s0.dzS;
    zL = s0.dzL;
    sS = zS.map((v) => -v);
    sL = zL.map((v) => -v);
    shiftIntoCone(sS, sL, G, D1);
    shiftIntoCone(zS, zL, G, D1);
  }

  // ——— the iterations ———
  const layoutX = new Float64Array(op.inDim);
  const toLayout = (xs: Float64Array, out: Float64Array) => {
    for (let g = 0; g < G; g++) {
      const part = g >= P ? 1 : 0;
      const i = g - part * P;
      for (let r = 0; r < d; r++) out[part * d * P + r * P + i] = ys * xs[g * D1 + 1 + r];
    }
    return out;
  };
  const Flayout = new Float64Array(op.outDim);
  let bestX: Float64Array | null = null;
  let bestRel = Infinity;
  let iterations = 0;
  let timedOut = false;
  let stalled = false;
  const lamS = new Float64Array(N);
  const rowNorm = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let t = 0;
    for (let r = 0; r < d; r++) t += X.data[X.offset + j * X.stride + r] ** 2;
    rowNorm[j] = Math.sqrt(t);
  }
  const groupNormsU = (): Float64Array => {
    const un = new Float64Array(G);
    for (let g = 0; g < G; g++) {
      let t = 0;
      for (let r = 0; r < d; r++) t += x[g * D1 + 1 + r] ** 2;
      un[g] = Math.sqrt(t);
    }
    return un;
  };
  /**
   * Active-face Newton polish from the current iterate: the groups in use (SOC dual on its
   * boundary, see below) and, per group, the cone rows at zero slack (≤ 1e-5·‖x_j‖‖u_g‖) give a
   * first face; on a face u_g = N_g w_g (N_g: null-space basis of the tight rows) and the program
   * is smooth, f(w) = (s/2)‖Σ σ_g D_i X N_g w_g − y‖² + λ Σ ‖w_g‖, solved by Newton with a
   * backtracking line search. With C-ReLU cones the face is corrected as in a primal active-set
   * method: each Newton step is cut where it would make a row outside the face negative, and that
   * row joins the face (at most POLISH_ROUNDS rebuilds). The cut matters: with more free
   * dimensions than rows (m > n) the face program is flat along whole subspaces, and an uncut
   * Newton step runs along them into rows the IPM had kept positive. The IPM's last digits are
   * what its own Newton systems lose to the 1/μ² conditioning; these systems do not have it.
   * Returns the point in the problem's layout (original units), or null when a face is too large
   * for a dense m×m factorisation or a group's norm reaches 0. Certified like any other point.
   */
  const polishFace = (): Float64Array | null => {
    const XU = xu(x);
    const un = groupNormsU();
    let umax = 0;
    for (const v of un) umax = Math.max(umax, v);
    const groups: number[] = [];
    for (let g = 0; g < G; g++) {
      // in use: the SOC dual on its boundary (‖z̄_g‖ = z_g0 = λ at the optimum) well ahead of the
      // primal norm going to 0 — the two tend to 0 together on the groups that leave
      let zb = 0;
      for (let k = 1; k < D1; k++) zb += zS[g * D1 + k] ** 2;
      const dualSlack = 1 - Math.sqrt(zb) / zS[g * D1];
      if (dualSlack < 1e-2 * (un[g] / umax)) groups.push(g);
    }
    const T = groups.length;
    // tight[t·n + j]: row j of groups[t] held at zero slack
    const tight = new Uint8Array(relu ? T * n : 0);
    if (relu) {
      for (let t = 0; t < T; t++) {
        const g = groups[t];
        for (let j = 0; j < n; j++) if (sgn(g, j) * XU[j * G + g] <= 1e-5 * rowNorm[j] * un[g]) tight[t * n + j] = 1;
      }
    }
    // u per group in use: the IPM's, then each face's solution
    const U = groups.map((g) => x.slice(g * D1 + 1, g * D1 + D1));
    const AtA = new Float64Array(d * d);
    // each group's face basis, rebuilt only when rows joined that group's face
    const bases: Float64Array[] = new Array(T);
    const dims: number[] = new Array(T);
    const dirty = new Uint8Array(T).fill(1);
    for (let round = 0; round < POLISH_ROUNDS; round++) {
      for (let t = 0; t < T; t++) {
        if (!dirty[t]) continue;
        dirty[t] = 0;
        let k = d;
        let Nb: Float64Array | null = null;
        if (relu) {
          AtA.fill(0);
          let nt = 0;
          for (let j = 0; j < n; j++) {
            if (!tight[t * n + j]) continue;
            nt++;
            const o2 = X.offset + j * X.stride;
            for (let a2 = 0; a2 < d; a2++) for (let b2 = 0; b2 < d; b2++) AtA[a2 * d + b2] += X.data[o2 + a2] * X.data[o2 + b2];
          }
          if (nt > 0) {
            const { values, vectors } = jacobiEigen(Float64Array.from(AtA), d);
            let emax = 0;
            for (const v of values) emax = Math.max(emax, v);
            const keep: number[] = [];
            for (let c = 0; c < d; c++) if (values[c] <= 1e-10 * emax) keep.push(c);
            k = keep.length;
            Nb = new Float64Array(d * k);
            for (let a2 = 0; a2 < d; a2++) for (let c = 0; c < k; c++) Nb[a2 * k + c] = vectors[a2 * d + keep[c]];
          }
        }
        if (!Nb) {
          Nb = new Float64Array(d * d);
          for (let a2 = 0; a2 < d; a2++) Nb[a2 * d + a2] = 1;
        }
        bases[t] = Nb;
        dims[t] = k;
      }
      const face = faceNewton(groups, bases, dims, U, tight);
      if (!face) return null;
      // u_g = N_g w_g (0 when the face leaves the group no free direction)
      let off = 0;
      for (let t = 0; t < T; t++) {
        const k = dims[t];
        for (let a2 = 0; a2 < d; a2++) {
          let v = 0;
          for (let c = 0; c < k; c++) v += bases[t][a2 * k + c] * face.w[off + c];
          U[t][a2] = v;
        }
        off += k;
      }
      if (face.blocked.length === 0) break;
      for (const q of face.blocked) {
        tight[q] = 1;
        dirty[Math.floor(q / n)] = 1;
      }
    }
    const xs = new Float64Array(N);
    for (let t = 0; t < T; t++) xs.set(U[t], groups[t] * D1 + 1);
    const out = toLayout(xs, new Float64Array(op.inDim));
    if (relu) projectOntoCones(out, X, masks, d, P);
    return out;
  };
  /**
   * Newton on one face: min over w of (s/2)‖B w − y‖² + λ Σ_t ‖w_t‖ with B = [σ_g D_i X N_g]
   * (n × m, m = Σ dims), from w_t = N_tᵀ u_t. With cones, the rows outside the face (tight = 0)
   * are kept ≥ 0: rows already negative at the start, or the first row a step reaches, end the
   * solve and come back in `blocked` (indices t·n + j) to join the face. Null when the face is
   * empty, larger than POLISH_MAX, or a block norm reaches 0 (not a smooth face).
   */
  const faceNewton = (groups: number[], bases: Float64Array[], dims: number[], U: Float64Array[], tight: Uint8Array): { w: Float64Array; blocked: number[] } | null => {
    const m = dims.reduce((a2, b2) => a2 + b2, 0);
    if (m === 0 || m > POLISH_MAX) return null;
    const T = groups.length;
    const B = new Float64Array(n * m);
    const w = new Float64Array(m);
    const off: number[] = [];
    const XN: Float64Array[] = [];
    let c0 = 0;
    for (let t = 0; t < T; t++) {
      const g = groups[t];
      const k = dims[t];
      off.push(c0);
      XN.push(k > 0 ? backend.gemm(X, new Matrix(d, k, bases[t])).data : new Float64Array(0));
      for (let j = 0; j < n; j++) {
        const f = sig(g) * mk[pat(g) * n + j];
        if (f) for (let c = 0; c < k; c++) B[j * m + c0 + c] = f * XN[t][j * k + c];
      }
      for (let c = 0; c < k; c++) {
        let v = 0;
        for (let a2 = 0; a2 < d; a2++) v += bases[t][a2 * k + c] * U[t][a2];
        w[c0 + c] = v;
      }
      c0 += k;
    }
    /** sgn·x_jᵀ N_t v_t for the rows outside the face (NaN on the face's rows) */
    const rowSlack = (v: Float64Array): Float64Array => {
      const out = new Float64Array(T * n).fill(Number.NaN);
      if (!relu) return out;
      for (let t = 0; t < T; t++) {
        const k = dims[t];
        const g = groups[t];
        for (let j = 0; j < n; j++) {
          if (tight[t * n + j]) continue;
          let sj = 0;
          for (let c = 0; c < k; c++) sj += XN[t][j * k + c] * v[off[t] + c];
          out[t * n + j] = sgn(g, j) * sj;
        }
      }
      return out;
    };
    const scaleOf = (t: number, j: number, v: Float64Array): number => {
      let q2 = 0;
      for (let c = 0; c < dims[t]; c++) q2 += v[off[t] + c] ** 2;
      return rowNorm[j] * Math.sqrt(q2);
    };
    let slack = rowSlack(w);
    const negative: number[] = [];
    for (let q = 0; q < slack.length; q++) if (slack[q] < -1e-12 * scaleOf(Math.floor(q / n), q % n, w)) negative.push(q);
    if (negative.length > 0) return { w, blocked: negative };
    const Bm = new Matrix(n, m, B);
    const BtB = backend.gemm(Bm, Bm, { transA: true }).data;
    const Bty = backend.gemm(Bm, new Matrix(n, 1, y), { transA: true }).data;
    const value = (wv: Float64Array): number => {
      const F = backend.gemm(Bm, new Matrix(m, 1, wv)).data;
      let l = 0;
      for (let j = 0; j < n; j++) l += (F[j] - y[j]) ** 2;
      let pen = 0;
      for (let t = 0; t < T; t++) {
        let q2 = 0;
        for (let c = 0; c < dims[t]; c++) q2 += wv[off[t] + c] ** 2;
        pen += Math.sqrt(q2);
      }
      return 0.5 * sc * l + lambda * pen;
    };
    let fw = value(w);
    const H = new Float64Array(m * m);
    for (let it = 0; it < 40; it++) {
      // gradient s(BᵀB w − Bᵀy) + λ ŵ_g, Hessian s BᵀB + λ/‖w_g‖ (I − ŵŵᵀ)
      const BtBw = backend.gemm(new Matrix(m, m, BtB), new Matrix(m, 1, w)).data;
      const grad = new Float64Array(m);
      for (let c = 0; c < m; c++) grad[c] = sc * (BtBw[c] - Bty[c]);
      for (let c = 0; c < m * m; c++) H[c] = sc * BtB[c];
      for (let t = 0; t < T; t++) {
        const o2 = off[t];
        const k = dims[t];
        if (k === 0) continue;
        let q2 = 0;
        for (let c = 0; c < k; c++) q2 += w[o2 + c] ** 2;
        const nw = Math.sqrt(q2);
        if (!(nw > 0)) return null;
        for (let a2 = 0; a2 < k; a2++) {
          grad[o2 + a2] += (lambda * w[o2 + a2]) / nw;
          for (let b2 = 0; b2 < k; b2++) H[(o2 + a2) * m + o2 + b2] += (lambda / nw) * ((a2 === b2 ? 1 : 0) - (w[o2 + a2] * w[o2 + b2]) / q2);
        }
      }
      if (!choleskyInPlace(H, m, backend)) return null;
      const p = grad.map((v) => -v);
      choleskySolveInPlace(H, m, p);
      let dec = 0;
      for (let c = 0; c < m; c++) dec -= p[c] * grad[c];
      if (!(dec > 1e-30 * Math.max(1, Math.abs(fw)))) break;
      // the longest step that keeps the rows outside the face ≥ 0, and the row that limits it
      const dslack = rowSlack(p);
      let amax = 1;
      let block = -1;
      for (let q = 0; q < dslack.length; q++) {
        if (!(dslack[q] < 0)) continue;
        const a = Math.max(0, slack[q]) / -dslack[q];
        if (a < amax) {
          amax = a;
          block = q;
        }
      }
      let step = amax;
      let accepted = false;
      for (let ls = 0; ls < 40; ls++, step *= 0.5) {
        const wt = w.map((v, c) => v + step * p[c]);
        const ft = value(wt);
        if (ft <= fw - 0.25 * step * dec || (ft <= fw && dec < 1e-20)) {
          w.set(wt);
          fw = ft;
          accepted = true;
          break;
        }
      }
      if (!accepted) break;
      if (block >= 0 && step === amax) return { w, blocked: [block] };
      slack = rowSlack(w);
      if (dec < 1e-28) break;
    }
    return { w, blocked: [] };
  };
  /** polish, certify, keep when better than the best so far */
  const tryPolish = (): void => {
    const xp = polishFace();
    if (!xp) return;
    op.apply(xp, Flayout);
    const ep = cert.evaluate(xp, Flayout, true);
    if (ep.rel < bestRel) {
      bestRel = ep.rel;
      bestX = xp;
    }
  };
  const lamL = new Float64Array(nL);
  let sinceBest = 0;
  while (true) {
    const { rx, rzS, rzL } = residuals();
    let gapIpm = 0;
    for (let q = 0; q < N; q++) gapIpm += sS[q] * zS[q];
    for (let q = 0; q < nL; q++) gapIpm += sL[q] * zL[q];
    const mu = gapIpm / degree;
    // the IPM's own relative gap estimate (complementarity + infeasibility over its objective):
    // the full certificate (2P cone projections) is evaluated every step once it is below 1e-2,
    // every 5th step before
    let fInt = 0;
    for (let j = 0; j < n; j++) fInt += (Fx[j] - y[j]) ** 2;
    fInt *= sc / 2;
    for (let g = 0; g < G; g++) fInt += lambda * x[g * D1];
    let infeas = 0;
    for (const v of rzL) infeas = Math.max(infeas, Math.abs(v));
    const ipmRel = (gapIpm + infeas) / Math.max(Math.abs(fInt), 1e-300);
    if (ipmRel <= 1e-2 || iterations % 5 === 0) {
      // certify the current primal point (its image through the problem's own operator); once
      // the gap is small, the point projected onto the cones — the point returned, exactly feasible
      toLayout(x, layoutX);
      op.apply(layoutX, Flayout);
      const plain = cert.evaluate(layoutX, Flayout, false);
      let last = plain.rel <= o.tol || plain.rel > 1e-2 ? plain : cert.evaluate(layoutX, Flayout, true);
      let candidate = layoutX;
      if (relu && last.rel <= 1e-3) {
        candidate = Float64Array.from(layoutX);
        projectOntoCones(candidate, X, masks, d, P);
        op.apply(candidate, Flayout);
        last = cert.evaluate(candidate, Flayout, true);
      }
      record(o, iterations, last);
      // (the certificate of an IPM iterate stays near 1 until the iterates are nearly feasible:
      // stalls are counted only in the last phase)
      if (last.rel < 0.9 * bestRel || last.rel > 1e-3) sinceBest = 0;
      else sinceBest++;
      if (last.rel < bestRel) {
        bestRel = last.rel;
        bestX = Float64Array.from(candidate);
      }
      if (last.rel <= o.tol) break;
    }
    if (iterations >= o.maxIters) break;
    if ((performance.now() - tStart) / 1000 > o.timeLimit) {
      timedOut = true;
      break;
    }
    if (sinceBest >= STALL_CHECKS) {
      stalled = true;
      break;
    }
    ntScaling();
    if (!factor()) {
      stalled = true;
      break;
    }
    // scaled point λ = W z (SOC), √(s z) (orthant)
    for (let g = 0; g < G; g++) applyW(g, zS, g * D1, lamS, g * D1);
    for (let q = 0; q < nL; q++) lamL[q] = Math.sqrt(sL[q] * zL[q]);
    const negRx = rx.map((v) => -v);
    /** the Newton direction for the complementarity right-hand side r_c (in scaled space) */
    const direction = (rcS: Float64Array, rcL: Float64Array) => {
      // bz = −r_z − W(λ⋄r_c)
      const bzS = new Float64Array(N);
      const tq = new Float64Array(D1);
      for (let g = 0; g < G; g++) {
        jordanSolve(lamS, rcS, g * D1, D1, tq);
        applyW(g, tq, 0, bzS, g * D1);
      }
      for (let q = 0; q < N; q++) bzS[q] = -rzS[q] - bzS[q];
      const bzL = new Float64Array(nL);
      for (let q = 0; q < nL; q++) bzL[q] = -rzL[q] - rcL[q] / zL[q];
      const { dx, dzS, dzL } = kktSolve(negRx, bzS, bzL);
      // Δs from the scaled complementarity, Δs = W(λ⋄r_c − W Δz) (coneqp): accurate relative to s
      // itself, where −r_z − GΔx would lose the small slacks of active rows to cancellation
      const dsS = new Float64Array(N);
      const tw = new Float64Array(D1);
      for (let g = 0; g < G; g++) {
        jordanSolve(lamS, rcS, g * D1, D1, tq);
        applyW(g, dzS, g * D1, tw, 0);
        for (let k = 0; k < D1; k++) tq[k] -= tw[k];
        applyW(g, tq, 0, dsS, g * D1);
      }
      const dsL = new Float64Array(nL);
      for (let q = 0; q < nL; q++) dsL[q] = (rcL[q] - sL[q] * dzL[q]) / zL[q];
      return { dx, dsS, dsL, dzS, dzL };
    };
    // predictor: r_c = −λ∘λ
    const rcS = new Float64Array(N);
    for (let g = 0; g < G; g++) jordanProduct(lamS, lamS, g * D1, D1, rcS, -1);
    const rcL = lamL.map((v) => -v * v);
    const aff = direction(rcS, rcL);
    const aAff = Math.min(1, stepLength(aff));
    let gapAff = 0;
    for (let q = 0; q < N; q++) gapAff += (sS[q] + aAff * aff.dsS[q]) * (zS[q] + aAff * aff.dzS[q]);
    for (let q = 0; q < nL; q++) gapAff += (sL[q] + aAff * aff.dsL[q]) * (zL[q] + aAff * aff.dzL[q]);
    const sigma = Math.min(1, Math.pow(Math.max(0, gapAff) / gapIpm, 3));
    // corrector: r_c = σμe − λ∘λ − Δs̃_a∘Δz̃_a (Δs̃ = W⁻¹Δs, Δz̃ = WΔz)
    const ta = new Float64Array(D1);
    const tb = new Float64Array(D1);
    for (let g = 0; g < G; g++) {
      applyWinv(g, aff.dsS, g * D1, ta, 0);
      applyW(g, aff.dzS, g * D1, tb, 0);
      jordanProduct(ta, tb, 0, D1, rcS, -1, g * D1, true);
      rcS[g * D1] += sigma * mu;
    }
    for (let q = 0; q < nL; q++) rcL[q] += sigma * mu - aff.dsL[q] * aff.dzL[q];
    const dir = direction(rcS, rcL);
    const amax = stepLength(dir);
    const alpha = Math.min(1, 0.99 * amax);
    if (!(alpha > 1e-12)) {
      stalled = true;
      break;
    }
    for (let q = 0; q < N; q++) {
      x[q] += alpha * dir.dx[q];
      sS[q] += alpha * dir.dsS[q];
      zS[q] += alpha * dir.dzS[q];
    }
    for (let q = 0; q < nL; q++) {
      sL[q] += alpha * dir.dsL[q];
      zL[q] += alpha * dir.dzL[q];
    }
    iterations++;
  }
  // the active-face Newton polish from the last iterate, then the best point (C-ReLU: projected
  // onto the cones, so exactly feasible), certified again
  if (bestRel > o.tol) tryPolish();
  const xOut = bestX ?? Float64Array.from(layoutX);
  if (relu && !bestX) projectOntoCones(xOut, X, masks, d, P);
  op.apply(xOut, Flayout);
  const fin = cert.evaluate(xOut, Flayout, true);
  const left = o.timeLimit - (performance.now() - tStart) / 1000;
  if (fin.rel > o.tol && stalled && iterations < o.maxIters && left > 0) {
    // the last digits: R-FISTA from the IPM's point (its Newton systems lose them to a
    // conditioning that grows like 1/μ²; first-order steps from a near-optimal point do not)
    const r = solveFista(problem0, { ...opts, x0: xOut, maxIters: o.maxIters - iterations, timeLimit: left, itersOffset: o.itersOffset + iterations, history: o.history, t0: o.t0 });
    const solver = `ipm (${iterations} it) → ${r.solver} (${r.iterations} it)`;
    if (r.certificate.value <= fin.rel) return { ...r, iterations: iterations + r.iterations, products: counter.count + r.products, timeSeconds: (performance.now() - tStart) / 1000, solver };
    // R-FISTA ended further from a certificate than it started: return the IPM's point
    return finish(problem, xOut, Float64Array.from(Flayout), fin, o, { iterations: iterations + r.iterations, products: counter.count + r.products, tStart, solver, timedOut: r.status === 'time-limit' });
  }
  return finish(problem, xOut, Float64Array.from(Flayout), fin, o, { iterations, products: counter.count, tStart, solver: `ipm (${iterations} it)`, timedOut: timedOut && fin.rel > o.tol });
}

function dotv(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let q = 0; q < a.length; q++) s += a[q] * b[q];
  return s;
}

/** Π_{K_i} of every v_i and w_i of x = [vec V; vec W] in place. */
function projectOntoCones(x: Float64Array, X: Matrix<Float64Array>, masks: Parameters<typeof coneProjector>[1], d: number, P: number): void {
  const proj = coneProjector(X, masks);
  const z = new Float64Array(d);
  const p = new Float64Array(d);
  for (let part = 0; part < 2; part++) {
    for (let i = 0; i < P; i++) {
      for (let r = 0; r < d; r++) z[r] = x[part * d * P + r * P + i];
      proj(i, z, p);
      for (let r = 0; r < d; r++) x[part * d * P + r * P + i] = p[r];
    }
  }
}

/**
 * Factor the m×m matrix base + c·I into `work` with `factorize` (in place); when a pivot fails,
 * retry with the diagonal shifted by rel·10^k·max diag(base), k = 1 … tries − 1 (a factor that
 * only serves as a preconditioner). False when every try fails or base is not finite.
 */
function factorWithShift(base: Float64Array, work: Float64Array, m: number, c: number, rel: number, tries: number, factorize: (a: Float64Array) => boolean): boolean {
  let maxDiag = 0;
  for (let k = 0; k < m; k++) maxDiag = Math.max(maxDiag, base[k * m + k]);
  if (!Number.isFinite(maxDiag)) return false;
  for (let t = 0; t < tries; t++) {
    work.set(base);
    const shift = c + (t === 0 ? 0 : rel * Math.pow(10, t) * maxDiag);
    for (let k = 0; k < m; k++) work[k * m + k] += shift;
    if (factorize(work)) return true;
  }
  return false;
}

/** In-place inverse of a small SPD matrix (row-major m×m); false when not positive definite. */
function invertSpd(a: Float64Array, m: number, backend: Backend): boolean {
  const L = Float64Array.from(a);
  if (!choleskyInPlace(L, m, backend)) return false;
  a.fill(0);
  for (let k = 0; k < m; k++) a[k * m + k] = 1;
  choleskySolveInPlace(L, m, a, m);
  return true;
}

/**
 * Largest α with a + α·da in the second-order cone {(t, u): t ≥ ‖u‖} (block at o, size m);
 * Infinity when the ray never leaves it.
 *
 * @example
 *   socStep(Float64Array.of(1, 0), Float64Array.of(-1, 0), 0, 2); // 1
 */
export function socStep(a: Float64Array, da: Float64Array, o: number, m: number): number {
  // f(α) = (a₀ + α d₀)² − ‖ā + α d̄‖² = A α² + B α + C, C ≥ 0; first positive root, with a₀ + α d₀ ≥ 0
  let A = da[o] * da[o];
  let B = a[o] * da[o];
  let C = a[o] * a[o];
  for (let k = 1; k < m; k++) {
    A -= da[o + k] * da[o + k];
    B -= a[o + k] * da[o + k];
    C -= a[o + k] * a[o + k];
  }
  B *= 2;
  let amax = da[o] < 0 ? -a[o] / da[o] : Infinity;
  if (C <= 0) return 0;
  const roots: number[] = [];
  if (Math.abs(A) < 1e-300) {
    if (B < 0) roots.push(-C / B);
  } else {
    const disc = B * B - 4 * A * C;
    if (disc >= 0) {
      const qq = -0.5 * (B + (B >= 0 ? 1 : -1) * Math.sqrt(disc));
      if (qq !== 0) roots.push(qq / A, C / qq);
    }
  }
  for (const r of roots) if (r > 0 && r < amax) amax = r;
  return amax;
}

/** out[oo..] (+)= sign·(a ∘ b) for the Jordan product of the SOC, (aᵀb, a₀b̄ + b₀ā). */
function jordanProduct(a: Float64Array, b: Float64Array, o: number, m: number, out: Float64Array, sign: number, oo = o, add = false): void {
  let s = 0;
  for (let k = 0; k < m; k++) s += a[o + k] * b[o + k];
  const v0 = sign * s;
  out[oo] = add ? out[oo] + v0 : v0;
  for (let k = 1; k < m; k++) {
    const v = sign * (a[o] * b[o + k] + b[o] * a[o + k]);
    out[oo + k] = add ? out[oo + k] + v : v;
  }
}

/** out = λ⋄r, the solution x of λ∘x = r (SOC block at o of size m; out from 0). */
function jordanSolve(lam: Float64Array, r: Float64Array, o: number, m: number, out: Float64Array): void {
  const l0 = lam[o];
  let ln = 0;
  let lr = 0;
  for (let k = 1; k < m; k++) {
    ln += lam[o + k] * lam[o + k];
    lr += lam[o + k] * r[o + k];
  }
  const det = (l0 - Math.sqrt(ln)) * (l0 + Math.sqrt(ln));
  const x0 = (l0 * r[o] - lr) / det;
  out[0] = x0;
  for (let k = 1; k < m; k++) out[k] = (r[o + k] - x0 * lam[o + k]) / l0;
}

/** s ← s + (1 + α)e where α = −(smallest eigenvalue) ≥ −1e-8 (coneqp's initial shift). */
function shiftIntoCone(sS: Float64Array, sL: Float64Array, G: number, D1: number): void {
  let minEig = Infinity;
  for (const v of sL) minEig = Math.min(minEig, v);
  for (let g = 0; g < G; g++) {
    let nb = 0;
    for (let k = 1; k < D1; k++) nb += sS[g * D1 + k] ** 2;
    minEig = Math.min(minEig, sS[g * D1] - Math.sqrt(nb));
  }
  const a = -minEig;
  if (a < -1e-8) return;
  const shift = 1 + a;
  for (let q = 0; q < sL.length; q++) sL[q] += shift;
  for (let g = 0; g < G; g++) sS[g * D1] += shift;
}
