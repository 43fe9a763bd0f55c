/**
 * RedEx layers (Daniely, Schain & Yehudai 2024; SPEC §6): the layer SDP, its dedicated
 * operator-splitting solver, the RedEx norm, recovery of (V, P), forward passes and layer-wise
 * training.
 *
 * One layer with k outputs, squared loss (cvxnn convention):
 *
 *   min_{A_1..A_k, R ∈ S^d}  ½ Σ_t Σ_i (x_tᵀ A_i x_t − y_ti)²  +  λ₁ tr R  +  λ₂ ‖R‖_F²
 *   s.t.  −R ⪯ A_i ⪯ R  (i = 1..k),   tr R ≤ τ  (the width; ∞ = unconstrained)
 *
 * For k = 1 this equals the trace-norm problem of `traceNormRegression` (SPEC §6.3: R = |A| is
 * optimal for both terms). λ₂ is as written; the paper's 2λ₂'‖·‖_F² is λ₂ = 2λ₂'.
 */
import { CvxnnError, Matrix, type OptionSpec, assertFinite, assertMatrix, assertOption, assertShape, checkOptions } from '@cvxnn/linalg';
import { REDEX_LAYER_OPTIONS, REDEX_NETWORK_OPTIONS, SDP_OPTIONS } from './option-specs.js';
import { traceNormRegression } from './prox.js';
import { checkSamples, choleskyInPlace, choleskySolve, quadAdjoint, quadForms, quadGram } from './quadratic.js';
import { solveSdp, type ConstraintTerm, type SdpOptions, type SdpProblem, type SdpResult } from './sdp.js';
import { assertSymmetric, spectralMap, symEig, trace } from './sym.js';

/** Options of `fitRedexLayer` / `redexAdmm`. */
export interface RedexLayerOptions {
  /** weight of tr R (≥ 0) */
  lambda1: number;
  /** weight of ‖R‖_F² as written (≥ 0; default 0) */
  lambda2?: number;
  /** width budget τ: tr R ≤ τ (default ∞) */
  width?: number;
  /** 'prox' (k = 1, no width), 'admm' (the splitting method over the PSD cones), or 'auto' */
  solver?: 'auto' | 'prox' | 'admm';
  /** relative tolerance of the certificate (default 1e-8) */
  tol?: number;
  maxIterations?: number;
  /** ADMM penalty ρ (default: scaled to the data) */
  rho?: number;
  /** over-relaxation α ∈ (0, 2) (default 1.6) */
  relaxation?: number;
  timeLimit?: number;
  /** warm start for the ADMM */
  warmStart?: { A: Matrix[]; R: Matrix };
}

/** A fitted RedEx layer: A_i = Vᵀ P_i V, x ↦ (xᵀA_i x)_i. */
export interface RedexLayer {
  A: Matrix[];
  R: Matrix;
  V: Matrix;
  P: Matrix[];
  /** append a constant 1 to the input before the quadratic forms */
  appendOne: boolean;
}

/** Result of training one layer: the layer, the objective and its certificate. */
export interface RedexLayerResult {
  layer: RedexLayer;
  objective: number;
  dataTerm: number;
  penalty: number;
  certificate: { kind: 'duality-gap'; value: number; dualObjective: number; primalResidual: number; dualResidual: number };
  status: 'optimal' | 'max-iterations' | 'time-limit';
  solver: 'prox' | 'admm';
  iterations: number;
  timeSeconds: number;
  /** numerical rank of R (prox: of A; ADMM: eigenvalues of R above √tol·ρ_max, the accuracy of a first-order solve) */
  rank: number;
  eigenvalues: Float64Array[];
}

function checkTargets(X: Matrix, Y: Matrix | ArrayLike<number>): Matrix {
  const Ym = Y instanceof Matrix ? Y : Matrix.fromArray(Y.length, 1, Y);
  assertShape(Ym.rows === X.rows, `X has ${X.rows} rows but the targets have ${Ym.rows}`);
  if (Ym.cols === 0) throw new CvxnnError('EMPTY_DATA', 'the targets have no columns (k = 0 outputs)');
  assertFinite(Ym.clone().data, 'y', Ym.cols);
  return Ym;
}

function checkLayerOptions<T extends Omit<RedexLayerOptions, 'warmStart'>>(fn: string, opts: T, spec: OptionSpec<T>): { lambda1: number; lambda2: number; width: number } {
  assertOption(opts !== null && typeof opts === 'object', `${fn}: pass options { lambda1 }`);
  checkOptions(fn, opts, spec);
  const lambda1 = opts.lambda1;
  const lambda2 = opts.lambda2 ?? 0;
  const width = opts.width ?? Infinity;
  assertOption(Number.isFinite(lambda1) && lambda1 >= 0, `${fn}: option 'lambda1' must be a finite number ≥ 0, got ${lambda1}`);
  assertOption(Number.isFinite(lambda2) && lambda2 >= 0, `${fn}: option 'lambda2' must be a finite number ≥ 0, got ${lambda2}`);
  assertOption(width > 0, `${fn}: option 'width' (τ) must be > 0, got ${width}`);
  assertOption(lambda1 > 0 || lambda2 > 0 || Number.isFinite(width), `${fn}: lambda1 = lambda2 = 0 and no width: the problem is not regularised; set lambda1 > 0 or a finite width`);
  return { lambda1, lambda2, width };
}

function column(Y: Matrix, i: number): Float64Array {
  const c = new Float64Array(Y.rows);
  for (let t = 0; t < Y.rows; t++) c[t] = Y.get(t, i);
  return c;
}

/**
 * Objective ½ΣΣ(x_tᵀA_i x_t − y_ti)² + λ₁ tr R + λ₂‖R‖_F² of a layer (no feasibility check).
 *
 * @example
 *   redexObjective(X, Y, [A], absSym(A), 0.1, 0).objective;
 */
export function redexObjective(X: Matrix, Y: Matrix, A: Matrix[], R: Matrix, lambda1: number, lambda2 = 0): { objective: number; dataTerm: number; penalty: number } {
  let data = 0;
  A.forEach((Ai, i) => {
    const f = quadForms(X, Ai);
    for (let t = 0; t < X.rows; t++) data += 0.5 * (f[t] - Y.get(t, i)) ** 2;
  });
  let fro = 0;
  for (let i = 0; i < R.rows; i++) for (let j = 0; j < R.cols; j++) fro += R.get(i, j) ** 2;
  const penalty = lambda1 * trace(R) + lambda2 * fro;
  return { objective: data + penalty, dataTerm: data, penalty };
}

/** Smallest t ≥ 0 with R + tI ⪰ ±A_i for all i. */
function feasibilityShift(A: Matrix[], R: Matrix): number {
  let t = 0;
  for (const Ai of A) {
    for (const sgn of [1, -1]) {
      const D = Matrix.zeros(R.rows, R.rows);
      for (let q = 0; q < D.data.length; q++) D.data[q] = sgn * Ai.data[q] - R.data[q];
      t = Math.max(t, symEig(D).values.at(-1)!);
    }
  }
  return t;
}

/** Project eigenvalues onto {ρ ≥ 0, Σρ ≤ τ}. */
function projectCappedSimplex(v: Float64Array, tau: number): Float64Array {
  const pos = v.map((x) => Math.max(x, 0));
  if (!Number.isFinite(tau) || pos.reduce((a, b) => a + b, 0) <= tau) return pos;
  const s = [...v].sort((a, b) => b - a);
  let cum = 0;
  let theta = 0;
  for (let j = 0; j < s.length; j++) {
    cum += s[j];
    const th = (cum - tau) / (j + 1);
    if (s[j] - th > 0) theta = th;
  }
  return v.map((x) => Math.max(x - theta, 0));
}

/**
 * Lagrangian dual bound for the layer problem at multipliers built from the residuals:
 * Λ_i − Γ_i = −s𝒳*(r_i) with Λ_i = (·)_+, Γ_i = (·)_−, s chosen by a 1-D search.
 */
function redexDualBound(X: Matrix, Y: Matrix, A: Matrix[], lambda1: number, lambda2: number, width: number, mult?: { Lam: Matrix[]; Gam: Matrix[] }): number {
  const k = A.length;
  const d = X.cols;
  let rr = 0;
  let ry = 0;
  const S1 = Matrix.zeros(d, d);
  for (let i = 0; i < k; i++) {
    const yi = column(Y, i);
    const f = quadForms(X, A[i]);
    const r = f.map((v, t) => v - yi[t]);
    for (let t = 0; t < r.length; t++) {
      rr += r[t] * r[t];
      ry += r[t] * yi[t];
    }
    // B = −𝒳*r must equal Λ − Γ; from given multipliers add the correction E = B − (Λ − Γ) split
    // into PSD parts (Λ + E₊, Γ + E₋), so Λ' + Γ' = Λ + Γ + |E|; without them Λ' + Γ' = |B|
    const B = quadAdjoint(X, r);
    for (let q = 0; q < B.data.length; q++) B.data[q] = -B.data[q];
    if (mult) {
      const E = Matrix.zeros(d, d);
      for (let q = 0; q < E.data.length; q++) E.data[q] = B.data[q] - (mult.Lam[i].data[q] - mult.Gam[i].data[q]);
      const absE = spectralMap(E, Math.abs);
      for (let q = 0; q < S1.data.length; q++) S1.data[q] += mult.Lam[i].data[q] + mult.Gam[i].data[q] + absE.data[q];
    } else {
      const absB = spectralMap(B, Math.abs);
      for (let q = 0; q < S1.data.length; q++) S1.data[q] += absB.data[q];
    }
  }
  const sig = symEig(S1).values;
  // min over {R ⪰ 0, tr R ≤ τ} of λ₂‖R‖² − ⟨sS₁ − λ₁I, R⟩ (spectral: eigenvalues only)
  const rPart = (s: number): number => {
    const w = sig.map((x) => s * x - lambda1);
    if (lambda2 === 0) {
      const wmax = Math.max(...w);
      if (wmax <= 0) return 0;
      return Number.isFinite(width) ? -width * wmax : -Infinity;
    }
    const rho = projectCappedSimplex(w.map((x) => x / (2 * lambda2)), width);
    let val = 0;
    for (let j = 0; j < rho.length; j++) val += lambda2 * rho[j] * rho[j] - w[j] * rho[j];
    return val;
  };
  const value = (s: number): number => -0.5 * s * s * rr - s * ry + rPart(s);
  if (rr === 0) return value(0);
  let lo = 0;
  let hi = 4;
  const g = (Math.sqrt(5) - 1) / 2;
  let a = hi - g * (hi - lo);
  let b = lo + g * (hi - lo);
  let fa = value(a);
  let fb = value(b);
  for (let it = 0; it < 100; it++) {
    if (fa < fb) {
      lo = a;
      a = b;
      fa = fb;
      b = lo + g * (hi - lo);
      fb = value(b);
    } else {
      hi = b;
      b = a;
      fb = fa;
      a = hi - g * (hi - lo);
      fa = value(a);
    }
  }
  let best = Math.max(value(0), value(1), value(0.5 * (lo + hi)));
  if (lambda2 === 0) {
    // kink at s = λ₁/σ_max
    const smax = Math.max(...sig);
    if (smax > 0) best = Math.max(best, value(lambda1 / smax));
  }
  return best;
}

/**
 * Make (A, R) exactly feasible: R ← R + tI (t the largest violation), then if tr R > τ scale A and
 * R down together (feasibility is preserved under scaling).
 */
function makeFeasible(A: Matrix[], R: Matrix, width: number): { A: Matrix[]; R: Matrix } {
  const d = R.rows;
  const t = feasibilityShift(A, R);
  const Rf = R.clone();
  for (let i = 0; i < d; i++) Rf.data[i * d + i] += t;
  const tr = trace(Rf);
  if (Number.isFinite(width) && tr > width) {
    const c = width / tr;
    return { A: A.map((Ai) => scaled(Ai, c)), R: scaled(Rf, c) };
  }
  return { A: A.map((Ai) => Ai.clone()), R: Rf };
}

function scaled(M: Matrix, c: number): Matrix {
  const out = M.clone();
  for (let i = 0; i < out.data.length; i++) out.data[i] *= c;
  return out;
}

/**
 * The dedicated operator-splitting (ADMM) solver for one RedEx layer: splits P_i = R − A_i ⪰ 0,
 * Q_i = R + A_i ⪰ 0; the (A, R)-step decouples (‖u−v‖² + ‖u+v‖² = 2‖u‖² + 2‖v‖²) into k ridge
 * problems in the measurement operator (solved through the N×N Gram matrix (x_tᵀx_s)² by Woodbury)
 * and a closed-form R-step; the (P, Q)-step is 2k PSD projections. Certificate: the gap between the
 * objective at an exactly feasible point and a Lagrangian dual bound.
 *
 * With `fixedA` the A's are held fixed, which computes min{λ₁ tr R + λ₂‖R‖_F² : −R ⪯ A_i ⪯ R}.
 *
 * @example
 *   const res = redexAdmm(X, Y, { lambda1: 0.1 }); // Y: N×k targets
 *   res.certificate.value; // small
 */
export function redexAdmm(X: Matrix, Yin: Matrix | ArrayLike<number>, opts: RedexLayerOptions, fixedA?: Matrix[]): RedexLayerResult {
  const t0 = performance.now();
  assertMatrix('redexAdmm', 'X', X);
  checkSamples(X);
  const Y = checkTargets(X, Yin);
  const { lambda1, lambda2, width } = checkLayerOptions('redexAdmm', opts, REDEX_LAYER_OPTIONS);
  const tol = opts.tol ?? 1e-8;
  const maxIt = opts.maxIterations ?? 20000;
  const alpha = opts.relaxation ?? 1.6;
  assertOption(alpha > 0 && alpha < 2, `redexAdmm: option 'relaxation' must be in (0, 2), got ${alpha}`);
  assertOption(Number.isInteger(maxIt) && maxIt > 0, `redexAdmm: option 'maxIterations' must be a positive integer, got ${maxIt}`);
  const k = fixedA ? fixedA.length : Y.cols;
  const d = X.cols;
  const N = X.rows;
  const K = quadGram(X);
  let kmax = 0;
  for (let t = 0; t < N; t++) kmax = Math.max(kmax, K.data[t * N + t]);
  let rho = opts.rho ?? Math.max(1e-3, (kmax * N) / (d * d) / 4);
  assertOption(rho > 0 && Number.isFinite(rho), `rho must be positive, got ${rho}`);
  let chol = new Float64Array(0);
  const factor = () => {
    chol = K.data.slice();
    for (let t = 0; t < N; t++) chol[t * N + t] += 2 * rho;
    if (!choleskyInPlace(chol, N, 0)) throw new CvxnnError('INTERNAL', 'Cholesky of the measurement Gram matrix failed');
  };
  if (!fixedA) factor();
  const Ys = Array.from({ length: k }, (_, i) => (fixedA ? new Float64Array(N) : column(Y, i)));
  const XtY = Ys.map((yi) => quadAdjoint(X, yi));
  let A: Matrix[] = fixedA ? fixedA.map((Ai) => Ai.clone()) : opts.warmStart ? opts.warmStart.A.map((Ai) => Ai.clone()) : Array.from({ length: k }, () => Matrix.zeros(d, d));
  let R = opts.warmStart && !fixedA ? opts.warmStart.R.clone() : Matrix.zeros(d, d);
  const P = A.map((Ai) => projectPsdM(sub(R, Ai)));
  const Q = A.map((Ai) => projectPsdM(add(R, Ai)));
  const U = A.map(() => Matrix.zeros(d, d));
  const W = A.map(() => Matrix.zeros(d, d));
  let status: RedexLayerResult['status'] = 'max-iterations';
  let it = 0;
  let pres = Infinity;
  let dres = Infinity;
  let presN = 1;
  let dresN = 1;
  let gapRel = Infinity;
  let best: { A: Matrix[]; R: Matrix; obj: ReturnType<typeof redexObjective>; dual: number } | null = null;
  const checkEvery = 10;
  for (it = 1; it <= maxIt; it++) {
    // (A, R)-step
    const Csum = Matrix.zeros(d, d);
    for (let i = 0; i < k; i++) {
      const a = sub(P[i], U[i]);
      const b = sub(Q[i], W[i]);
      for (let q = 0; q < d * d; q++) Csum.data[q] += 0.5 * (a.data[q] + b.data[q]);
      if (!fixedA) {
        // (𝒳*𝒳 + 2ρI) A = 𝒳*y + 2ρM, M = (b − a)/2;  Woodbury with K = 𝒳𝒳*
        const B = Matrix.zeros(d, d);
        for (let q = 0; q < d * d; q++) B.data[q] = XtY[i].data[q] + rho * (b.data[q] - a.data[q]);
        const z = choleskySolve(chol, N, quadForms(X, B));
        const corr = quadAdjoint(X, z);
        const Ai = Matrix.zeros(d, d);
        for (let q = 0; q < d * d; q++) Ai.data[q] = (B.data[q] - corr.data[q]) / (2 * rho);
        A[i] = Ai;
      }
    }
    // R-step: min λ₁trR + λ₂‖R‖² + ρΣ‖R − c_i‖² s.t. trR ≤ τ  (isotropic quadratic ⇒ project)
    R = Matrix.zeros(d, d);
    for (let q = 0; q < d * d; q++) R.data[q] = (2 * rho * Csum.data[q]) / (2 * lambda2 + 2 * k * rho);
    for (let j = 0; j < d; j++) R.data[j * d + j] -= lambda1 / (2 * lambda2 + 2 * k * rho);
    const trR = trace(R);
    if (trR > width) for (let j = 0; j < d; j++) R.data[j * d + j] -= (trR - width) / d;
    // (P, Q)-step with over-relaxation, then the scaled multipliers
    let pr2 = 0;
    let dr2 = 0;
    for (let i = 0; i < k; i++) {
      const hp = Matrix.zeros(d, d);
      const hq = Matrix.zeros(d, d);
      for (let q = 0; q < d * d; q++) {
        hp.data[q] = alpha * (R.data[q] - A[i].data[q]) + (1 - alpha) * P[i].data[q];
        hq.data[q] = alpha * (R.data[q] + A[i].data[q]) + (1 - alpha) * Q[i].data[q];
      }
      const Pn = projectPsdM(add(hp, U[i]));
      const Qn = projectPsdM(add(hq, W[i]));
      for (let q = 0; q < d * d; q++) {
        U[i].data[q] += hp.data[q] - Pn.data[q];
        W[i].data[q] += hq.data[q] - Qn.data[q];
        pr2 += (R.data[q] - A[i].data[q] - Pn.data[q]) ** 2 + (R.data[q] + A[i].data[q] - Qn.data[q]) ** 2;
        dr2 += (rho * (Pn.data[q] - P[i].data[q])) ** 2 + (rho * (Qn.data[q] - Q[i].data[q])) ** 2;
      }
      P[i] = Pn;
      Q[i] = Qn;
    }
    pres = Math.sqrt(pr2);
    dres = Math.sqrt(dr2);
    if (it % 50 === 0) {
      // OSQP-style normalised residuals for the penalty update
      let np2 = 0;
      let nu2 = 0;
      for (let i = 0; i < k; i++) for (let q = 0; q < d * d; q++) {
        np2 += P[i].data[q] ** 2 + Q[i].data[q] ** 2;
        nu2 += U[i].data[q] ** 2 + W[i].data[q] ** 2;
      }
      presN = pres / Math.max(Math.sqrt(np2), 1e-12);
      dresN = dres / Math.max(rho * Math.sqrt(nu2), 1e-12);
    }
    if (it % checkEvery === 0 || it === maxIt) {
      const feas = makeFeasible(A, R, width);
      const obj = fixedA ? redexObjective(X, Y.cols === k ? Y : Matrix.zeros(N, k), [], feas.R, lambda1, lambda2) : redexObjective(X, Y, feas.A, feas.R, lambda1, lambda2);
      let dual: number;
      if (fixedA) dual = fixedDualBound(fixedA, lambda1, lambda2, R, U, W, rho);
      else {
        const mult = { Lam: U.map((Ui) => projectPsdM(scaled(Ui, -rho))), Gam: W.map((Wi) => projectPsdM(scaled(Wi, -rho))) };
        dual = Math.max(redexDualBound(X, Y, feas.A, lambda1, lambda2, width), redexDualBound(X, Y, feas.A, lambda1, lambda2, width, mult));
      }
      if (!best || obj.objective - dual < best.obj.objective - best.dual) best = { A: feas.A, R: feas.R, obj, dual };
      gapRel = (best.obj.objective - best.dual) / Math.max(1, Math.abs(best.obj.objective));
      if (gapRel <= tol) {
        status = 'optimal';
        break;
      }
      if (opts.timeLimit !== undefined && (performance.now() - t0) / 1000 > opts.timeLimit) {
        status = 'time-limit';
        break;
      }
      // balance the residuals; U, W are scaled multipliers (rescale with ρ)
      if (it % 50 === 0 && (presN > 5 * dresN || dresN > 5 * presN)) {
        const f = Math.min(Math.max(Math.sqrt(presN / dresN), 0.1), 10);
        rho *= f;
        for (let i = 0; i < k; i++) for (let q = 0; q < d * d; q++) {
          U[i].data[q] /= f;
          W[i].data[q] /= f;
        }
        if (!fixedA) factor();
      }
    }
  }
  if (!best) {
    const feas = makeFeasible(A, R, width);
    const obj = redexObjective(X, Y, feas.A, feas.R, lambda1, lambda2);
    best = { A: feas.A, R: feas.R, obj, dual: -Infinity };
  }
  const layer = recoverRedex(best.A, best.R);
  const eigenvalues = best.A.map((Ai) => symEig(Ai).values);
  // numerical rank of R: a first-order solve at relative gap tol leaves eigenvalues of order
  // √tol·ρ_max where the exact R has zeros, so those are not counted (V and P keep them, so that
  // Vᵀ P_i V = A_i holds to rounding)
  const spectrumR = symEig(best.R).values;
  const rhoMax = Math.max(0, ...spectrumR);
  const rankTol = Math.max(1e-9, Math.sqrt(tol)) * rhoMax;
  const rank = Array.from(spectrumR).filter((v) => v > rankTol).length;
  return {
    layer,
    objective: best.obj.objective,
    dataTerm: best.obj.dataTerm,
    penalty: best.obj.penalty,
    certificate: { kind: 'duality-gap', value: best.obj.objective - best.dual, dualObjective: best.dual, primalResidual: pres, dualResidual: dres },
    status,
    solver: 'admm',
    iterations: Math.min(it, maxIt),
    timeSeconds: (performance.now() - t0) / 1000,
    rank,
    eigenvalues,
  };
}

/**
 * Dual bound for the fixed-A problem min λ₁trR + λ₂‖R‖² s.t. R ⪰ ±A_i: with Λ_i, Γ_i ⪰ 0
 * (here the PSD parts of the ADMM multipliers), g = Σ⟨Λ_i − Γ_i, A_i⟩ + min_R λ₁trR + λ₂‖R‖² − ⟨Σ(Λ_i + Γ_i), R⟩.
 */
function fixedDualBound(A: Matrix[], lambda1: number, lambda2: number, _R: Matrix, U: Matrix[], W: Matrix[], rho: number): number {
  const d = A[0].rows;
  const S = Matrix.zeros(d, d);
  let lin = 0;
  for (let i = 0; i < A.length; i++) {
    // multipliers of R − A_i ⪰ 0 and R + A_i ⪰ 0 are −ρU_i, −ρW_i projected onto the PSD cone
    const Lam = projectPsdM(scaled(U[i], -rho));
    const Gam = projectPsdM(scaled(W[i], -rho));
    for (let q = 0; q < d * d; q++) {
      S.data[q] += Lam.data[q] + Gam.data[q];
      lin += (Lam.data[q] - Gam.data[q]) * A[i].data[q];
    }
  }
  let sig = symEig(S).values;
  if (lambda2 === 0) {
    // scale the multipliers so that λ_max(ΣΛ + Γ) ≤ λ₁ (otherwise the bound is −∞)
    const smax = Math.max(...sig);
    if (smax > lambda1) {
      const c = lambda1 / smax;
      sig = sig.map((x) => x * c);
      lin *= c;
    }
  }
  let rmin = 0;
  for (const s of sig) {
    const w = s - lambda1;
    if (lambda2 > 0) {
      const r = Math.max(w / (2 * lambda2), 0);
      rmin += lambda2 * r * r - w * r;
    } else if (w > 1e-12) return -Infinity;
  }
  return lin + rmin;
}

function sub(a: Matrix, b: Matrix): Matrix {
  const o = Matrix.zeros(a.rows, a.cols);
  for (let q = 0; q < o.data.length; q++) o.data[q] = a.data[q] - b.data[q];
  return o;
}

function add(a: Matrix, b: Matrix): Matrix {
  const o = Matrix.zeros(a.rows, a.cols);
  for (let q = 0; q < o.data.length; q++) o.data[q] = a.data[q] + b.data[q];
  return o;
}

function projectPsdM(M: Matrix): Matrix {
  for (let i = 0; i < M.rows; i++) for (let j = 0; j < i; j++) {
    const v = 0.5 * (M.data[i * M.cols + j] + M.data[j * M.cols + i]);
    M.data[i * M.cols + j] = v;
    M.data[j * M.cols + i] = v;
  }
  return spectralMap(M, (l) => (l > 0 ? l : 0));
}

/**
 * Train one RedEx layer. `solver: 'auto'` uses the prox method (FISTA on the trace-norm form) when
 * k = 1 and there is no width budget, the ADMM otherwise.
 *
 * @example
 *   const { layer, objective } = fitRedexLayer(X, y, { lambda1: 0.1 });
 *   redexForward(layer, X); // ≈ y
 */
export function fitRedexLayer(X: Matrix, Yin: Matrix | ArrayLike<number>, opts: RedexLayerOptions): RedexLayerResult {
  assertMatrix('fitRedexLayer', 'X', X);
  checkSamples(X);
  const Y = checkTargets(X, Yin);
  const { lambda1, lambda2, width } = checkLayerOptions('fitRedexLayer', opts, REDEX_LAYER_OPTIONS);
  const solver = opts.solver ?? 'auto';
  const proxOk = Y.cols === 1 && !Number.isFinite(width) && lambda1 + lambda2 > 0;
  if (solver === 'prox' && !proxOk) {
    throw new CvxnnError('INVALID_OPTION', `fitRedexLayer: the prox solver handles one output without a width budget (got k = ${Y.cols}, width = ${width}); set solver: 'admm'`);
  }
  if (solver === 'prox' || (solver === 'auto' && proxOk)) {
    const res = traceNormRegression(X, column(Y, 0), { lambda1, lambda2, tol: opts.tol ?? 1e-9, maxIterations: opts.maxIterations, timeLimit: opts.timeLimit, warmStart: opts.warmStart?.A[0] });
    const R = spectralMap(res.A, Math.abs);
    const layer = recoverRedex([res.A], R);
    return {
      layer,
      objective: res.objective,
      dataTerm: res.dataTerm,
      penalty: res.penalty,
      certificate: { kind: 'duality-gap', value: res.gap, dualObjective: res.dualObjective, primalResidual: 0, dualResidual: 0 },
      status: res.status,
      solver: 'prox',
      iterations: res.iterations,
      timeSeconds: res.timeSeconds,
      rank: res.rank,
      eigenvalues: [res.eigenvalues],
    };
  }
  return redexAdmm(X, Y, opts);
}

/**
 * Recover the extractor V (orthogonal rows, ‖V‖_F² = tr R) and read-outs P_i (‖P_i‖_sp ≤ 1) with
 * A_i = Vᵀ P_i V from a feasible (A, R) (SPEC §6.2, the (⇐) construction): R = Σρ_j e_j e_jᵀ,
 * V = diag(√ρ_j)[e_jᵀ] over ρ_j > tol·max ρ, P_i = V⁺ᵀ A_i V⁺.
 *
 * @example
 *   const A = Matrix.from([[1, 2], [2, 1]]);
 *   const { V, P } = recoverRedex([A], absSym(A)); // Vᵀ P[0] V ≈ A
 */
export function recoverRedex(A: Matrix[], R: Matrix, tol = 1e-9): RedexLayer {
  assertOption(A.length > 0, 'recoverRedex needs at least one A_i');
  assertSymmetric(R, 'R', 1e-8);
  A.forEach((Ai, i) => {
    assertShape(Ai.rows === R.rows && Ai.cols === R.cols, `A[${i}] is ${Ai.rows}×${Ai.cols} but R is ${R.rows}×${R.cols}`);
    assertSymmetric(Ai, `A[${i}]`, 1e-8);
  });
  const d = R.rows;
  const { values, vectors: E } = symEig(R);
  const rmax = Math.max(0, ...values);
  const keep: number[] = [];
  for (let j = d - 1; j >= 0; j--) if (values[j] > tol * Math.max(rmax, 1e-300) && values[j] > 0) keep.push(j);
  const r = keep.length;
  const V = Matrix.zeros(r, d);
  const Vpinv = Matrix.zeros(d, r); // V⁺ = [e_j / √ρ_j]
  keep.forEach((j, row) => {
    const sq = Math.sqrt(values[j]);
    for (let c = 0; c < d; c++) {
      V.data[row * d + c] = sq * E.get(c, j);
      Vpinv.data[c * r + row] = E.get(c, j) / sq;
    }
  });
  const P = A.map((Ai) => {
    const Pi = Matrix.zeros(r, r);
    // P = V⁺ᵀ A V⁺
    const AV = Matrix.zeros(d, r);
    for (let a = 0; a < d; a++) for (let b = 0; b < r; b++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += Ai.get(a, c) * Vpinv.data[c * r + b];
      AV.data[a * r + b] = s;
    }
    for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += Vpinv.data[c * r + a] * AV.data[c * r + b];
      Pi.data[a * r + b] = s;
    }
    return Pi;
  });
  return { A: A.map((Ai) => Ai.clone()), R: R.clone(), V, P, appendOne: false };
}

/**
 * RedEx forward pass through (V, P): Λ(x)_i = ⟨P_i, (Vx)(Vx)ᵀ⟩ for every row x of X (N×k out).
 *
 * @example
 *   redexForward(layer, X).get(0, 0); // = x_0ᵀ A_0 x_0
 */
export function redexForward(layer: RedexLayer, X: Matrix): Matrix {
  checkSamples(X);
  const Xin = layer.appendOne ? withOne(X) : X;
  const d = layer.V.cols;
  assertShape(Xin.cols === d, `the layer expects ${d - (layer.appendOne ? 1 : 0)} input features, got ${X.cols}`);
  const r = layer.V.rows;
  const k = layer.P.length;
  const out = Matrix.zeros(X.rows, k);
  const z = new Float64Array(r);
  for (let t = 0; t < X.rows; t++) {
    for (let a = 0; a < r; a++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += layer.V.data[a * d + c] * Xin.get(t, c);
      z[a] = s;
    }
    for (let i = 0; i < k; i++) {
      const Pi = layer.P[i];
      let s = 0;
      for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) s += z[a] * Pi.data[a * r + b] * z[b];
      out.data[t * k + i] = s;
    }
  }
  return out;
}

/**
 * [X, 1]: append a constant feature (so xᵀAx also holds linear and constant terms).
 *
 * @example
 *   withOne(Matrix.from([[2]])); // [[2, 1]]
 */
export function withOne(X: Matrix): Matrix {
  const out = Matrix.zeros(X.rows, X.cols + 1);
  for (let t = 0; t < X.rows; t++) {
    for (let j = 0; j < X.cols; j++) out.data[t * (X.cols + 1) + j] = X.get(t, j);
    out.data[t * (X.cols + 1) + X.cols] = 1;
  }
  return out;
}

/** Result of `redexNorm`. */
export interface RedexNormResult {
  /** ‖(A_1..A_k)‖_Rx = min{tr R : −R ⪯ A_i ⪯ R} */
  value: number;
  R: Matrix;
  status: string;
  gap: number;
  iterations: number;
}

/**
 * The RedEx norm ‖(A_1..A_k)‖_Rx = min{tr R : −R ⪯ A_i ⪯ R} (SPEC §6.3), computed by `solveSdp`
 * on blocks (R, P_1..P_k, Q_1..Q_k) with R − P_i = A_i, R − Q_i = −A_i.
 *
 * @example
 *   redexNorm([Matrix.from([[1, 2], [2, 1]])]).value; // 4 (= ‖A‖_Tr for k = 1)
 */
export function redexNorm(A: Matrix[], opts: SdpOptions = {}): RedexNormResult {
  checkOptions('redexNorm', opts, SDP_OPTIONS);
  assertOption(Array.isArray(A) && A.length > 0, 'redexNorm needs an array of at least one matrix');
  A.forEach((Ai, i) => assertMatrix('redexNorm', `A[${i}]`, Ai));
  const d = A[0].rows;
  A.forEach((Ai, i) => {
    assertShape(Ai.rows === d && Ai.cols === d, `A[${i}] is ${Ai.rows}×${Ai.cols}, expected ${d}×${d}`);
    assertSymmetric(Ai, `A[${i}]`);
  });
  const k = A.length;
  const blocks = Array.from({ length: 2 * k + 1 }, () => ({ kind: 'psd' as const, size: d }));
  const C = [Matrix.eye(d), ...Array.from({ length: 2 * k }, () => null)];
  const constraints: Array<{ terms: ConstraintTerm[]; rhs: number }> = [];
  for (let i = 0; i < k; i++) {
    for (const [blk, sgn] of [[1 + i, 1], [1 + k + i, -1]] as const) {
      for (let a = 0; a < d; a++) for (let b = a; b < d; b++) {
        // entry (a, b) of R − P = ±A_i
        constraints.push({ terms: [{ block: 0, i: a, j: b, value: 1 }, { block: blk, i: a, j: b, value: -1 }], rhs: sgn * A[i].get(a, b) });
      }
    }
  }
  const res = solveSdp({ blocks, C, constraints }, { tol: 1e-9, ...opts });
  return { value: res.objective, R: res.X[0] as Matrix, status: res.status, gap: res.gap, iterations: res.iterations };
}

/**
 * min{λ₁ tr R + λ₂‖R‖_F² : −R ⪯ A_i ⪯ R} by the RedEx ADMM with the A's fixed (SPEC §6.3, F2).
 *
 * @example
 *   redexRegularizer([Matrix.from([[1, 2], [2, 1]])], 1, 1).value; // 14
 */
export function redexRegularizer(A: Matrix[], lambda1: number, lambda2: number, opts: Omit<RedexLayerOptions, 'lambda1' | 'lambda2'> = {}): { value: number; R: Matrix; gap: number; iterations: number } {
  const { lambda1: _l1, lambda2: _l2, ...spec } = REDEX_LAYER_OPTIONS;
  checkOptions('redexRegularizer', opts, spec);
  assertOption(Array.isArray(A) && A.length > 0, 'redexRegularizer needs an array of at least one matrix');
  A.forEach((Ai, i) => assertMatrix('redexRegularizer', `A[${i}]`, Ai));
  A.forEach((Ai, i) => assertSymmetric(Ai, `A[${i}]`));
  const d = A[0].rows;
  const Xdummy = Matrix.eye(d).view(0, 0, 1, d);
  const res = redexAdmm(Xdummy, new Float64Array(1), { ...opts, lambda1, lambda2, tol: opts.tol ?? 1e-10 }, A);
  return { value: res.objective, R: res.layer.R, gap: res.certificate.value, iterations: res.iterations };
}

/** A multi-layer RedEx model: layer l maps R^{k_{l−1}} → R^{k_l}. */
export interface RedexNetwork {
  layers: RedexLayer[];
}

/**
 * Forward pass through all layers.
 *
 * @example
 *   redexNetworkForward(net, X).get(0, 0);
 */
export function redexNetworkForward(net: RedexNetwork, X: Matrix): Matrix {
  let H = X;
  for (const layer of net.layers) H = redexForward(layer, H);
  return H;
}

/** Options of `fitRedexNetwork`. */
export interface RedexNetworkOptions extends Omit<RedexLayerOptions, 'warmStart'> {
  /** outputs of each layer (the last is the target dimension); default: [1, …, 1, target cols] */
  outputs?: number[];
  /** append a constant 1 to every layer's input (default true) */
  appendOne?: boolean;
  /**
   * Targets of an intermediate layer l given its fresh samples' final targets (N×c) and raw
   * inputs. Default: the final target (first column), replicated over the layer's outputs.
   */
  intermediateTargets?: (layer: number, Y: Matrix, X: Matrix, k: number) => Matrix;
  /** per-layer overrides of the layer options (e.g. a larger λ₁ for the first layer) */
  layerOptions?: Array<Partial<RedexLayerOptions> | undefined>;
}

/**
 * Train a multi-layer RedEx layer by layer, each layer on its own fresh samples
 * (`batches[l] = {X, y}`): layer l's inputs are the outputs of the already-trained layers 0..l−1 on
 * batch l's X. Supervision of intermediate layers (unverified in SPEC §12.5; our choice): by
 * default every layer regresses the final target, so an intermediate layer learns the best
 * quadratic (with `appendOne`: degree ≤ 2 polynomial) predictor of y in its inputs, which the
 * next layer composes; pass `intermediateTargets` for another scheme.
 *
 * @example
 *   const { network } = fitRedexNetwork([{ X: X1, y: y1 }, { X: X2, y: y2 }], { lambda1: 0.01 });
 *   redexNetworkForward(network, Xtest);
 */
export function fitRedexNetwork(batches: Array<{ X: Matrix; y: Matrix | ArrayLike<number> }>, opts: RedexNetworkOptions): { network: RedexNetwork; results: RedexLayerResult[] } {
  assertOption(Array.isArray(batches), 'fitRedexNetwork: batches must be an array of { X, y }, one per layer');
  const L = batches.length;
  if (L === 0) throw new CvxnnError('EMPTY_DATA', 'fitRedexNetwork needs one batch of samples per layer (got none)');
  checkLayerOptions('fitRedexNetwork', opts, REDEX_NETWORK_OPTIONS);
  // what every layer's fitRedexLayer gets: the network's options other than its own four
  const { outputs: _o, appendOne: _a, intermediateTargets: _t, layerOptions, ...layerOpts } = opts;
  (layerOptions ?? []).forEach((lo, l) => lo !== undefined && checkOptions(`fitRedexNetwork: layerOptions[${l}]`, lo, REDEX_LAYER_OPTIONS));
  const appendOne = opts.appendOne ?? true;
  const Yl = batches.map((b) => checkTargets(b.X, b.y));
  const c = Yl[0].cols;
  const outputs = opts.outputs ?? [...Array.from({ length: L - 1 }, () => 1), c];
  assertOption(outputs.length === L, `outputs has ${outputs.length} entries but there are ${L} layers`);
  assertOption(outputs[L - 1] === c, `the last layer must have ${c} outputs (the target columns), got ${outputs[L - 1]}`);
  outputs.forEach((k, l) => assertOption(Number.isInteger(k) && k >= 1, `outputs[${l}] must be a positive integer, got ${k}`));
  const layers: RedexLayer[] = [];
  const results: RedexLayerResult[] = [];
  for (let l = 0; l < L; l++) {
    const { X } = batches[l];
    checkSamples(X, `batch ${l} X`);
    assertShape(X.cols === batches[0].X.cols, `batch ${l} has ${X.cols} features, batch 0 has ${batches[0].X.cols}`);
    let H = X;
    for (const prev of layers) H = redexForward(prev, H);
    const Hin = appendOne ? withOne(H) : H;
    const k = outputs[l];
    let T: Matrix;
    if (l === L - 1) T = Yl[l];
    else if (opts.intermediateTargets) T = opts.intermediateTargets(l, Yl[l], X, k);
    else {
      T = Matrix.zeros(X.rows, k);
      for (let t = 0; t < X.rows; t++) for (let i = 0; i < k; i++) T.data[t * k + i] = Yl[l].get(t, 0);
    }
    assertShape(T.rows === X.rows && T.cols === k, `targets for layer ${l} must be ${X.rows}×${k}, got ${T.rows}×${T.cols}`);
    const res = fitRedexLayer(Hin, T, { ...layerOpts, ...(layerOptions?.[l] ?? {}) });
    res.layer.appendOne = appendOne;
    layers.push(res.layer);
    results.push(res);
  }
  return { network: { layers }, results };
}

/**
 * The k = 1 problem ½Σ(x_tᵀAx_t − y_t)² + λ₁‖A‖_Tr (λ₂ = 0) as a standard-form SDP for `solveSdp`:
 * A = P − Q with P, Q ⪰ 0 (tr P + tr Q ≥ ‖A‖_Tr, tight at the optimum) and the Schur block
 * T = [[I_N, r], [rᵀ, 2s]] ⪰ 0 ⇔ s ≥ ½‖r‖², r_t = x_tᵀAx_t − y_t; objective s + λ₁(tr P + tr Q).
 * N(N+1)/2 + N equality rows, so only for small N (a cross-check and a benchmark baseline).
 *
 * @example
 *   const { problem, toA } = traceNormAsSdp(X, y, 0.1);
 *   const A = toA(solveSdp(problem)); // ≈ traceNormRegression(X, y, { lambda1: 0.1 }).A
 */
export function traceNormAsSdp(X: Matrix, y: ArrayLike<number>, lambda1: number): { problem: SdpProblem; toA: (res: SdpResult) => Matrix } {
  checkSamples(X);
  assertShape(y.length === X.rows, `X has ${X.rows} rows but y has ${y.length} entries`);
  assertFinite(y, 'y');
  assertOption(Number.isFinite(lambda1) && lambda1 > 0, `lambda1 must be > 0, got ${lambda1}`);
  const N = X.rows;
  const d = X.cols;
  const CT = Matrix.zeros(N + 1, N + 1);
  CT.set(N, N, 0.5);
  const CL = Matrix.zeros(d, d);
  for (let i = 0; i < d; i++) CL.set(i, i, lambda1);
  const constraints: SdpProblem['constraints'] = [];
  for (let a = 0; a < N; a++) for (let b = a; b < N; b++) constraints.push({ terms: [{ block: 2, i: a, j: b, value: 1 }], rhs: a === b ? 1 : 0 });
  for (let t = 0; t < N; t++) {
    const terms: ConstraintTerm[] = [{ block: 2, i: t, j: N, value: 1 }];
    for (let a = 0; a < d; a++) for (let b = a; b < d; b++) {
      const v = (a === b ? 1 : 2) * X.get(t, a) * X.get(t, b); // coefficient of A_ab in x_tᵀAx_t
      if (v === 0) continue;
      terms.push({ block: 0, i: a, j: b, value: -v }, { block: 1, i: a, j: b, value: v });
    }
    constraints.push({ terms, rhs: -y[t] });
  }
  const problem: SdpProblem = { blocks: [{ kind: 'psd', size: d }, { kind: 'psd', size: d }, { kind: 'psd', size: N + 1 }], C: [CL, CL.clone(), CT], constraints };
  const toA = (res: SdpResult) => {
    const P = res.X[0] as Matrix;
    const Q = res.X[1] as Matrix;
    return Matrix.fromArray(d, d, P.data.map((v, q) => v - Q.data[q]));
  };
  return { problem, toA };
}
