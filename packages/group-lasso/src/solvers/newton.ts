import { type Backend, getBackend, Matrix, type PatternMasks } from '@cvxnn/linalg';
import { fp64 } from '../core/dense.js';
import { certifier, type Evaluation, lambdaMaxOf } from '../core/certificate.js';
import { choleskyInPlace, choleskySolveInPlace, forwardSolveBlocked, minres, spdSolve, topEigenpairs } from '../core/dense.js';
import { denseOperator, groupImages, materialise, type ProblemOperator } from '../core/operator.js';
import type { GroupLassoProblem, SolveOptions, SolveResult } from '../core/problem.js';
import { countedProblem, finish, type ProductCounter, record, resolve, squaredLossTarget, withDualCandidate } from './common.js';
import { fistaHandOver, solveFista } from './fista.js';

/**
 * Largest n for the direct (Cholesky) Newton systems; above it MINRES with a Hadamard–Nyström
 * preconditioner. Measured on this machine: at n = 2500 one direct step (n×n Gram, Cholesky,
 * Schur complement) costs about what 40 MINRES iterations do at P = 100.
 */
export const NEWTON_DIRECT_MAX_N = 2500;

/**
 * R-FISTA iterations before the MINRES-mode Newton steps start (n > NEWTON_DIRECT_MAX_N), whatever
 * gap they reach. Newton's globalised steps take it from there (the steps fall back to R-FISTA
 * when they stop lowering the gap). Measured on scnn's P2 (BENCHMARKS.md, 2026-12-04): 680 warm
 * iterations to the old 3e-2 hand-over gap + 2 Newton steps 24.5 s; 50 / 100 / 200 iterations + 9 / 8 / 6 steps
 * 19.4 / 17.4 / 20.3 s.
 */
export const NEWTON_ITERATIVE_WARM_ITERS = 100;

/** Why `solveNewton` cannot take a problem (undefined when it can). */
export function newtonUnsupported(problem: GroupLassoProblem): string | undefined {
  if (problem.constraints) return 'the Newton solver does not take explicit constraints C x ≥ 0 (use al)';
  if (problem.loss.pooledBy) return 'the Newton solver handles a plain squared loss (this one is pooled)';
  if (problem.loss.name !== 'squared') return `the Newton solver handles the squared loss (this problem has ${problem.loss.name})`;
  if (problem.penalty.kind !== 'l2') return `the Newton solver handles Euclidean group norms (this problem has ${problem.penalty.kind} groups)`;
  if (problem.op.c !== 1) return 'the Newton solver handles one output column (solve vector outputs one-vs-all or with fista)';
  return undefined;
}

/** The masks behind a masked operator (for the Hadamard–Nyström preconditioner), if any. */
export interface MaskedStructure {
  X: Matrix<Float64Array>;
  masks: PatternMasks;
}


/**
 * Options of {@link solveNewton} beyond {@link SolveOptions}.
 *
 * @example
 *   solveNewton(problem, { tol: 1e-8, structure: { X, masks } });
 */
export interface NewtonOptions extends SolveOptions {
  /** X and the masks of a masked operator: enables the low-rank preconditioner of the MINRES mode */
  structure?: MaskedStructure;
  /** force the mode (default: direct when n ≤ NEWTON_DIRECT_MAX_N and the operator has the fast paths) */
  mode?: 'direct' | 'iterative';
  /** relative gap at which the R-FISTA warm start hands over (default 3e-2; the MINRES mode hands over after {@link NEWTON_ITERATIVE_WARM_ITERS} iterations at the latest) */
  warmTol?: number;
}

/**
 * Primal–dual active-set Newton on the dual optimality system of the squared-loss group Lasso
 * min (s/2)‖Ax − y‖² + λ Σ‖x_g‖ (+ free coordinates x_F):
 *
 *   θ/s + y + Σ_{g∈𝒜} ν_g A_g A_gᵀ θ − A_F x_F = 0,   ½(‖A_gᵀθ‖² − λ²) = 0 (g ∈ 𝒜),   A_Fᵀθ = 0,
 *
 * with x_g = −ν_g A_gᵀθ, ν_g = ‖x_g‖/λ ≥ 0 (the η-trick multipliers) and 𝒜 the active groups,
 * re-chosen at every step by the complementarity rule ν_g + κ(ν̄/λ)(‖A_gᵀθ‖ − λ) > 0 (Hintermüller,
 * Ito & Kunisch's primal–dual active set = a semismooth Newton method). Each step solves the
 * saddle-point system [K B; Bᵀ 0] with K = I/s + Σ ν_g A_gA_gᵀ (n×n, SPD, bottom eigenvalue 1/s)
 * and B = [A_gA_gᵀθ | −A_F]: directly (Cholesky of K and of the Schur complement BᵀK⁻¹B) for
 * n ≤ {@link NEWTON_DIRECT_MAX_N}, else by MINRES with the block preconditioner diag(K̃⁻¹, S̃⁻¹),
 * K̃ = D + (XXᵀ)⊙(QΛQᵀ) from the top eigenvectors of diag(√ν)MᵀM diag(√ν) (the masks' co-activation
 * spectrum; a Hadamard–Nyström approximation), S̃ = BᵀK̃⁻¹B. Convergence is quadratic once 𝒜 is right;
 * an R-FISTA warm start finds it. MINRES runs to an inexact-Newton forcing tolerance (Eisenstat–Walker):
 * 0.1·gap while the gap is large, never tighter than the 0.2·tol/gap a step needs to reach tol.
 * Every step's dual iterate θ is itself a candidate dual point of
 * the certificate. Steps that do not lower the gap hand back to R-FISTA from the best point.
 * Iterations = Newton steps + warm-start FISTA iterations.
 *
 * @example
 *   const r = solveNewton(gatedProblem(X, masks, dataLoss('squared', 'sum', y), 0.1));
 */
export function solveNewton(problem0: GroupLassoProblem, opts: NewtonOptions = {}): SolveResult {
  const why = newtonUnsupported(problem0);
  if (why) throw new Error(why);
  const o = resolve(opts);
  const tStart = performance.now();
  const backend: Backend = fp64(opts.backend ?? getBackend());
  const counter: ProductCounter = { count: 0 };
  let problem = countedProblem(problem0, counter);
  const n = problem.op.n;
  const dim = problem.op.inDim;
  // operators without fast paths: materialise A once when it is small (dim products)
  let op: ProblemOperator = problem.op;
  if ((!op.images || !op.weightedGram) && n * dim <= 3e7) {
    op = countingDense(denseOperator(new Matrix(n, dim, materialise(op)), op.layout, 1, backend, `${op.kind} (materialised)`), counter);
    problem = { ...problem, op, restrict: undefined };
  }
  const { loss, penalty } = problem;
  const lambda = penalty.lambda;
  const layout = penalty.layout;
  const Gc = layout.count;
  const free = layout.free;
  const nf = free.length;
  const s = loss.scale === 'mean' ? 1 / n : 1;
  const y = squaredLossTarget(loss, s);
  const direct = opts.mode === 'direct' || (opts.mode !== 'iterative' && n <= NEWTON_DIRECT_MAX_N && !!op.images && !!op.weightedGram);
  const structure = opts.structure ?? problem0.structure;
  const stages: string[] = [];
  const elapsed = () => (performance.now() - tStart) / 1000;
  let iterations = 0;
  let newtonSteps = 0;
  let minresIts = 0;
  let timedOut = false;

  /** Newton state: the dual iterate θ, the multipliers ν (raw, may be < 0 after a step), x_F. */
  interface State {
    theta: Float64Array;
    nu: Float64Array;
    xF: Float64Array;
    G: Float64Array; // Aᵀθ
  }
  const stateFrom = (x: Float64Array, F: Float64Array, lam: number): State => {
    const theta = new Float64Array(n);
    loss.valueAndGrad(F, theta);
    const nn = penalty.groupNorms(x);
    const nu = new Float64Array(Gc);
    for (let g = 0; g < Gc; g++) nu[g] = nn[g] / lam;
    const xF = new Float64Array(nf);
    for (let t = 0; t < nf; t++) xF[t] = x[free[t]];
    const G = new Float64Array(dim);
    op.adjoint(theta, G);
    return { theta, nu, xF, G };
  };

  /**
   * Newton steps at one λ from `st` until the relative gap is ≤ tolK, `maxSteps` steps, or three
   * steps in a row that do not cut the best gap by 30% (then `ok` is false).
   */
  const newtonAt = (lam: number, pen: typeof penalty, cert: ReturnType<typeof certifier>, st: State, tolK: number, maxSteps: number, start: Evaluation | null) => {
    let best: Evaluation | null = start;
    let bestX: Float64Array | null = null;
    let bestF: Float64Array | null = null;
    let fails = 0;
    for (let step = 0; step < maxSteps && (!best || best.rel > tolK); step++) {
      if (elapsed() > o.timeLimit || iterations >= o.maxIters) {
        timedOut = elapsed() > o.timeLimit;
        break;
      }
      const { theta, nu, G } = st;
      // active set: complementarity rule on the raw multipliers
      const gn = new Float64Array(Gc);
      for (let g = 0; g < Gc; g++) {
        let q = 0;
        for (const j of layout.coords(g)) q += G[j] * G[j];
        gn[g] = Math.sqrt(q);
      }
      let nuBar = 0;
      let cnt = 0;
      for (let g = 0; g < Gc; g++) if (nu[g] > 0) {
        nuBar += nu[g];
        cnt++;
      }
      nuBar = cnt ? nuBar / Gc : 1 / lam;
      const act: number[] = [];
      for (let g = 0; g < Gc; g++) {
        if (nu[g] + (nuBar / lam) * (gn[g] - lam) > 0) act.push(g);
        else nu[g] = 0;
      }
      for (const g of act) if (nu[g] < 0) nu[g] = 0;
      const A = Int32Array.from(act);
      const m = A.length;
      const q = m + nf;
      // residuals: F1 = θ/s + y + Σ ν_g A_gA_gᵀθ − A_F x_F,  r2_g = ½(‖G_g‖² − λ²),  r2_f = (Aᵀθ)_f
      const xs = new Float64Array(dim);
      for (const g of act) for (const j of layout.coords(g)) xs[j] = nu[g] * G[j];
      for (let t = 0; t < nf; t++) xs[free[t]] = -st.xF[t];
      const F1 = new Float64Array(n);
      op.apply(xs, F1);
      for (let j = 0; j < n; j++) F1[j] += theta[j] / s + y[j];
      const r2 = new Float64Array(q);
      for (let t = 0; t < m; t++) r2[t] = 0.5 * (gn[A[t]] ** 2 - lam * lam);
      // B's free columns are −a_f: the free rows read −a_fᵀ(θ + δθ) = 0, i.e. r2_f = −(Aᵀθ)_f
      for (let t = 0; t < nf; t++) r2[m + t] = -G[free[t]];
      let sol: StepSolution;
      try {
        sol = direct ? directStep(op, A, G, nu, free, F1, r2, s, backend) : iterativeStep(problem, op, A, G, nu, free, F1, r2, s, backend, structure, Math.min(0.1, Math.max(1e-10, 0.1 * (best?.rel ?? 1), 0.2 * o.tol / (best?.rel ?? 1))));
      } catch {
        return { ok: false, best, bestX, bestF };
      }
      minresIts += sol.iterations;
      newtonSteps++;
      iterations++;
      for (let j = 0; j < n; j++) theta[j] += sol.dth[j];
      for (let t = 0; t < m; t++) nu[A[t]] += sol.dmu[t];
      for (let t = 0; t < nf; t++) st.xF[t] += sol.dmu[m + t];
      // primal from the dual: x_g = −ν_g A_gᵀθ (ν_g > 0), free coordinates from the multipliers
      op.adjoint(theta, G);
      const x = new Float64Array(dim);
      for (const g of act) if (nu[g] > 0) for (const j of layout.coords(g)) x[j] = -nu[g] * G[j];
      for (let t = 0; t < nf; t++) x[free[t]] = st.xF[t];
      const F = new Float64Array(n);
      op.apply(x, F);
      // the Newton dual iterate θ is a candidate dual point too (rescaled to feasibility)
      const e = withDualCandidate(cert, theta, cert.evaluate(x, F, false));
      if (lam === lambda) record(o, iterations, e);
      if (process.env.CVXNN_DEBUG) console.error(`newton λ=${lam.toExponential(3)} step ${step}: |A| ${m} MINRES ${sol.iterations} it, ${elapsed().toFixed(1)} s, rel ${e.rel.toExponential(2)} primal ${e.primal}`);
      if (!Number.isFinite(e.primal)) return { ok: false, best, bestX, bestF };
      // progress: the gap falls by 30%, or (far from the optimum, gap ≈ 1) the objective by 10%
      if (!best || e.rel < 0.7 * best.rel || (e.rel > 0.1 && e.primal < 0.9 * best.primal)) fails = 0;
      else if (++fails >= 4) {
        if (e.rel < best.rel) {
          best = e;
          bestX = x;
          bestF = F;
        }
        return { ok: false, best, bestX, bestF };
      }
      if (!best || e.rel < best.rel || !bestX || (e.rel > 0.1 && e.primal < best.primal)) {
        best = e;
        bestX = x;
        bestF = F;
      }
    }
    return { ok: !!best && best.rel <= tolK, best, bestX, bestF };
  };

  const cert = certifier(op, loss, penalty, { backend });
  const warmTol = Math.max(o.tol, opts.warmTol ?? 3e-2);
  // 1) a short R-FISTA warm start: where it reaches warmTol it has found the active set
  const warm = solveFista(problem, { ...opts, tol: warmTol, maxIters: Math.min(o.maxIters, direct ? 400 : NEWTON_ITERATIVE_WARM_ITERS), history: o.history, t0: o.t0, itersOffset: o.itersOffset, timeLimit: o.timeLimit });
  iterations += warm.iterations;
  stages.push(`fista warm start ${warm.iterations} it`);
  let bestX: Float64Array = Float64Array.from(warm.x);
  let bestF: Float64Array = Float64Array.from(warm.F);
  let best: Evaluation = cert.evaluate(bestX, bestF, false);
  if (best.rel > o.tol) {
    if (best.rel <= warmTol || !direct) {
      const r = newtonAt(lambda, penalty, cert, stateFrom(bestX, bestF, lambda), o.tol, 50, best);
      if (r.best && r.bestX && r.best.rel < best.rel) {
        best = r.best;
        bestX = r.bestX;
        bestF = r.bestF!;
      }
    } else if (direct) {
      // 2) far from the optimum (small λ): continuation from λ_max, each point warm-started from
      //    the last (glmnet's and adelie's route to a small λ), a few Newton steps per point
      const lmax = lambdaMaxOf(op, loss, penalty);
      const ratio = lambda / lmax;
      const K = ratio < 1 ? Math.max(1, Math.ceil(Math.log(ratio) / Math.log(0.4))) : 0;
      let st = stateFrom(new Float64Array(dim), new Float64Array(n), Math.max(lmax, lambda));
      let pathOk = true;
      for (let k = 1; k <= K && pathOk; k++) {
        const lam = k === K ? lambda : lmax * Math.pow(ratio, k / K);
        const pk = lam === lambda ? penalty : penalty.withLambda(lam);
        const ck = lam === lambda ? cert : certifier(op, loss, pk, { backend });
        // ν is ‖x_g‖/λ: carry ‖x_g‖ across the change of λ
        const prevLam = k === 1 ? Math.max(lmax, lambda) : lmax * Math.pow(ratio, (k - 1) / K);
        for (let g = 0; g < Gc; g++) st.nu[g] *= prevLam / lam;
        const r = newtonAt(lam, pk, ck, st, lam === lambda ? o.tol : 1e-3, 30, null);
        if (lam === lambda && r.best && r.bestX && r.best.rel < best.rel) {
          best = r.best;
          bestX = r.bestX;
          bestF = r.bestF!;
        }
        if (!r.ok && lam !== lambda) {
          // repair this path point with R-FISTA from its best point, then go on
          if (!r.bestX) {
            pathOk = false;
            break;
          }
          const f = solveFista(problem.withLambda(lam), { ...opts, x0: r.bestX, tol: 1e-3, maxIters: Math.min(500, o.maxIters - iterations), timeLimit: o.timeLimit - elapsed() });
          iterations += f.iterations;
          st = stateFrom(f.x, f.F, lam);
        }
      }
      stages.push(`λ-path of ${K} points`);
    }
  }
  if (best.rel > o.tol && !timedOut && iterations < o.maxIters) {
    // 3) Newton did not certify: R-FISTA from the best point for the remaining budget
    const h = fistaHandOver(problem, opts, o, cert, { x: bestX, F: bestF, e: best }, iterations, elapsed());
    iterations += h.iterations;
    stages.push(`fista ${h.iterations} it`);
    ({ x: bestX, F: bestF, e: best } = h);
    timedOut = h.timedOut;
  }
  stages.splice(1, 0, `${newtonSteps} Newton steps${direct ? ' (direct)' : ` (${minresIts} MINRES it)`}`);
  const fin = cert.evaluate(bestX, bestF, best.rel > o.tol);
  const e = fin.rel <= best.rel ? fin : { ...best };
  return finish(problem, bestX, bestF, e, o, { iterations, products: counter.count, tStart, solver: `newton (${stages.join(', ')})`, timedOut: timedOut && e.rel > o.tol, step: warm.step });
}

/** Count the products of an operator built inside the solver. */
function countingDense(op: ProblemOperator, counter: ProductCounter): ProblemOperator {
  return {
    ...op,
    apply(x, out) {
      counter.count++;
      op.apply(x, out);
    },
    adjoint(z, out) {
      counter.count++;
      op.adjoint(z, out);
    },
  };
}

interface StepSolution {
  dth: Float64Array;
  dmu: Float64Array;
  iterations: number;
}

/**
 * Direct solve of [K B; Bᵀ 0][δθ; δμ] = −[F1; r2] with K = I/s + Σ_{g∈A} ν_g A_gA_gᵀ (Cholesky)
 * and the Schur complement S = BᵀK⁻¹B (Cholesky): δμ = S⁻¹(r2 − BᵀK⁻¹F1), δθ = −K⁻¹(F1 + Bδμ).
 */
function directStep(op: ProblemOperator, A: Int32Array, G: Float64Array, nu: Float64Array, free: Int32Array, F1: Float64Array, r2: Float64Array, s: number, backend: Backend): StepSolution {
  const n = op.n;
  const m = A.length;
  const nf = free.length;
  const q = m + nf;
  const w = new Float64Array(op.layout.count);
  for (const g of A) w[g] = nu[g];
  const K = op.weightedGram!(w);
  for (let j = 0; j < n; j++) K[j * n + j] += 1 / s;
  if (!choleskyInPlace(K, n, backend)) throw new Error('K is not positive definite');
  // B = [A_g G_g | −A_F e_f]
  const B = new Float64Array(n * q);
  if (m > 0) {
    const Bg = op.images!(G, A, 0, n);
    for (let r = 0; r < n; r++) for (let t = 0; t < m; t++) B[r * q + t] = Bg[r * m + t];
  }
  if (nf > 0) {
    const e = new Float64Array(op.inDim);
    const col = new Float64Array(n);
    for (let t = 0; t < nf; t++) {
      e.fill(0);
      e[free[t]] = 1;
      op.apply(e, col);
      for (let r = 0; r < n; r++) B[r * q + m + t] = -col[r];
    }
  }
  // W = L⁻¹B, w1 = L⁻¹F1; S = WᵀW; rhs = r2 − Wᵀw1
  const W = Float64Array.from(B);
  forwardSolveBlocked(K, n, W, q, backend);
  const w1 = Float64Array.from(F1);
  forwardSolveBlocked(K, n, w1, 1, backend);
  const S = backend.gemm(new Matrix(n, q, W), new Matrix(n, q, W), { transA: true }).data;
  const Wtw = backend.gemm(new Matrix(n, q, W), new Matrix(n, 1, w1), { transA: true }).data;
  const rhs = new Float64Array(q);
  for (let t = 0; t < q; t++) rhs[t] = r2[t] - Wtw[t];
  const dmu = q > 0 ? spdSolve(S, q, rhs, backend) : new Float64Array(0);
  // δθ = −K⁻¹(F1 + B δμ)
  const v = Float64Array.from(F1);
  if (q > 0) {
    const Bd = backend.gemm(new Matrix(n, q, B), new Matrix(q, 1, dmu)).data;
    for (let j = 0; j < n; j++) v[j] += Bd[j];
  }
  choleskySolveInPlace(K, n, v, 1);
  for (let j = 0; j < n; j++) v[j] = -v[j];
  return { dth: v, dmu, iterations: 0 };
}

/**
 * MINRES solve of the same saddle system, matrix-free on the active groups' operator, with the
 * block preconditioner diag(K̃⁻¹, S̃⁻¹).
 */
function iterativeStep(
  problem: GroupLassoProblem,
  op: ProblemOperator,
  A: Int32Array,
  G: Float64Array,
  nu: Float64Array,
  free: Int32Array,
  F1: Float64Array,
  r2: Float64Array,
  s: number,
  backend: Backend,
  structure: MaskedStructure | undefined,
  rtol: number,
): StepSolution {
  const n = op.n;
  const m = A.length;
  const nf = free.length;
  const q = m + nf;
  const layout = op.layout;
  // the operator on the active groups (restriction keeps only their products)
  const sub = problem.restrict && m > 0 && m < layout.count ? problem.restrict(A) : null;
  const subOp = sub ? sub.problem.op : op;
  const subLayout = subOp.layout;
  const groupOf = sub ? (t: number) => t : (t: number) => A[t];
  // G and ν on the sub layout
  const Gs = sub ? sub.gather(G) : G;
  const nuS = new Float64Array(m);
  for (let t = 0; t < m; t++) nuS[t] = nu[A[t]];
  const freeCols = new Float64Array(n * nf);
  if (nf > 0) {
    const e = new Float64Array(op.inDim);
    const col = new Float64Array(n);
    for (let t = 0; t < nf; t++) {
      e.fill(0);
      e[free[t]] = 1;
      op.apply(e, col);
      for (let r = 0; r < n; r++) freeCols[r * nf + t] = col[r];
    }
  }
  const H = new Float64Array(subOp.inDim);
  const xs = new Float64Array(subOp.inDim);
  const Fo = new Float64Array(n);
  const apply = (v: Float64Array, out: Float64Array) => {
    const a = v.subarray(0, n);
    subOp.adjoint(a, H);
    xs.fill(0);
    for (let t = 0; t < m; t++) {
      const g = groupOf(t);
      let dotp = 0;
      for (const j of subLayout.coords(g)) {
        xs[j] = nuS[t] * H[j] + Gs[j] * v[n + t];
        dotp += Gs[j] * H[j];
      }
      out[n + t] = dotp;
    }
    subOp.apply(xs, Fo);
    for (let j = 0; j < n; j++) out[j] = a[j] / s + Fo[j];
    // free coordinates: columns −a_f of B (and rows −a_fᵀ of Bᵀ)
    for (let t = 0; t < nf; t++) {
      const vf = v[n + m + t];
      let at = 0;
      for (let r = 0; r < n; r++) {
        const af = freeCols[r * nf + t];
        out[r] -= af * vf;
        at += af * a[r];
      }
      out[n + m + t] = -at;
    }
  };
  const pre = kPreconditioner(op, structure, A, nu, s, backend);
  // S̃ = BᵀK̃⁻¹B from B's columns in row chunks
  const chunk = Math.max(1, Math.floor(1_000_000 / Math.max(1, q)));
  let S: Float64Array;
  {
    // K̃⁻¹B needs all rows at once for the low-rank part: B is n×q (q ≤ groups + free)
    const B = new Float64Array(n * q);
    for (let j0 = 0; j0 < n; j0 += chunk) {
      const j1 = Math.min(n, j0 + chunk);
      if (m > 0) {
        const Bg = groupImages(op, G, A, j0, j1);
        for (let r = j0; r < j1; r++) for (let t = 0; t < m; t++) B[r * q + t] = Bg[(r - j0) * m + t];
      }
      for (let r = j0; r < j1; r++) for (let t = 0; t < nf; t++) B[r * q + m + t] = -freeCols[r * nf + t];
    }
    S = pre.schur(B, q);
  }
  const Sinv = (v: Float64Array, out: Float64Array) => {
    const r = spdSolveCached(S, q, v, backend);
    out.set(r);
  };
  const tmp = new Float64Array(n);
  const tq = new Float64Array(q);
  const precondition = (v: Float64Array, out: Float64Array) => {
    pre.apply(v.subarray(0, n), tmp);
    out.set(tmp, 0);
    if (q > 0) {
      Sinv(v.subarray(n), tq);
      out.set(tq, n);
    }
  };
  const rhs = new Float64Array(n + q);
  for (let j = 0; j < n; j++) rhs[j] = -F1[j];
  for (let t = 0; t < q; t++) rhs[n + t] = -r2[t];
  const r = minres(apply, rhs, { precondition, rtol, maxIters: 500 });
  return { dth: r.x.slice(0, n), dmu: r.x.slice(n), iterations: r.iterations };
}

const spdCache = new WeakMap<Float64Array, Float64Array>();
/** Cholesky of S once per step (keyed by the matrix), then solves. */
function spdSolveCached(S: Float64Array, q: number, v: Float64Array, backend: Backend): Float64Array {
  let L = spdCache.get(S);
  if (!L) {
    L = Float64Array.from(S);
    let tr = 0;
    for (let i = 0; i < q; i++) tr += Math.abs(S[i * q + i]);
    let ok = choleskyInPlace(L, q, backend);
    for (let shift = 1e-14 * (tr / Math.max(1, q)); !ok && shift < tr; shift *= 10) {
      L = Float64Array.from(S);
      for (let i = 0; i < q; i++) L[i * q + i] += shift;
      ok = choleskyInPlace(L, q, backend);
    }
    if (!ok) return spdSolve(S, q, v, backend);
    spdCache.set(S, L);
  }
  const x = Float64Array.from(v);
  choleskySolveInPlace(L, q, x, 1);
  return x;
}

/**
 * K̃ ≈ K = I/s + Σ_{g∈A} ν_g A_gA_gᵀ. For masked operators: D + (XXᵀ) ⊙ (QΛQᵀ) where QΛQᵀ is the
 * rank-k part of M_A diag(ν) M_Aᵀ (from the top eigenpairs of diag(√ν) M_AᵀM_A diag(√ν), k·d ≤ 400)
 * and D = I/s + diag((XXᵀ) ⊙ (M diag(ν) Mᵀ − QΛQᵀ)); applied by Woodbury. Otherwise the diagonal of K.
 */
function kPreconditioner(op: ProblemOperator, structure: MaskedStructure | undefined, A: Int32Array, nu: Float64Array, s: number, backend: Backend) {
  const n = op.n;
  const m = A.length;
  if (!structure || op.kind !== 'masked' || m === 0) {
    // diagonal of K: 1/s + Σ_g ν_g ‖row_j(A_g)‖² through the images of unit directions is costly;
    // use the images of the current dual directions' magnitudes as a cheap stand-in: rows of A_g
    // have ‖·‖² ≈ ‖x_j‖²·m_jg for masked, generic: 1/s (identity scaled)
    const D = new Float64Array(n).fill(1 / s);
    return diagonalPre(D, backend);
  }
  const { X, masks } = structure;
  const d = X.cols;
  const k = Math.max(1, Math.min(m, Math.floor(400 / d)));
  // co-activation counts of the active patterns (popcounts of column bitsets)
  const C = coactivation(masks, A);
  const sq = new Float64Array(m);
  for (let t = 0; t < m; t++) sq[t] = Math.sqrt(Math.max(0, nu[A[t]]));
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) C[a * m + b] *= sq[a] * sq[b];
  const { values, vectors } = topEigenpairs(C, m, k, backend);
  // Q = M_A diag(√ν) V Λ^{-1/2} (n×k), Λ = values
  const Q = new Float64Array(n * k);
  const w = masks.wordsPerRow;
  const bits = masks.bits;
  const rowNu = new Float64Array(n);
  const xn = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let t2 = 0;
    for (let r = 0; r < d; r++) t2 += X.get(j, r) ** 2;
    xn[j] = t2;
    const base = j * w;
    for (let t = 0; t < m; t++) {
      const i = A[t];
      if ((bits[base + (i >>> 5)] >>> (i & 31)) & 1) {
        rowNu[j] += sq[t] * sq[t];
        for (let l = 0; l < k; l++) Q[j * k + l] += sq[t] * vectors[t * k + l];
      }
    }
    for (let l = 0; l < k; l++) Q[j * k + l] /= Math.sqrt(Math.max(values[l], 1e-300));
  }
  const D = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let low = 0;
    for (let l = 0; l < k; l++) low += values[l] * Q[j * k + l] ** 2;
    D[j] = 1 / s + xn[j] * Math.max(0, rowNu[j] - low);
  }
  // L = [diag(f_l) X]_l (n × k·d), f_l = q_l √λ_l; core = I + Lᵀ D⁻¹ L
  const kd = k * d;
  const f = new Float64Array(n * k);
  for (let j = 0; j < n; j++) for (let l = 0; l < k; l++) f[j * k + l] = Q[j * k + l] * Math.sqrt(Math.max(values[l], 0));
  const L = new Float64Array(n * kd);
  for (let j = 0; j < n; j++) {
    for (let l = 0; l < k; l++) {
      const fl = f[j * k + l];
      for (let r = 0; r < d; r++) L[j * kd + l * d + r] = fl * X.get(j, r);
    }
  }
  const DiL = new Float64Array(n * kd);
  for (let j = 0; j < n; j++) for (let c = 0; c < kd; c++) DiL[j * kd + c] = L[j * kd + c] / D[j];
  const core = backend.gemm(new Matrix(n, kd, L), new Matrix(n, kd, DiL), { transA: true }).data;
  for (let c = 0; c < kd; c++) core[c * kd + c] += 1;
  const coreL = Float64Array.from(core);
  if (!choleskyInPlace(coreL, kd, backend)) return diagonalPre(D, backend);

  // one vector (each MINRES iteration): the same through X's structure, Lᵀw = vec(Xᵀ(f ⊙ w)) and
  // L t = rowsum(f ⊙ X T), so the n×d X is read instead of the 8× larger n×k·d L and D⁻¹L
  const W = new Float64Array(n * k);
  const wv = new Float64Array(n);
  const T1 = new Float64Array(kd);
  const Tm = new Float64Array(d * k);
  const apply = (v: Float64Array, out: Float64Array) => {
    for (let j = 0; j < n; j++) {
      const wj = v[j] / D[j];
      wv[j] = wj;
      for (let l = 0; l < k; l++) W[j * k + l] = f[j * k + l] * wj;
    }
    const XtW = backend.gemm(X, new Matrix(n, k, W), { transA: true }).data; // d×k
    for (let l = 0; l < k; l++) for (let r = 0; r < d; r++) T1[l * d + r] = XtW[r * k + l];
    choleskySolveInPlace(coreL, kd, T1, 1);
    for (let l = 0; l < k; l++) for (let r = 0; r < d; r++) Tm[r * k + l] = T1[l * d + r];
    const XT = backend.gemm(X, new Matrix(d, k, Tm)).data; // n×k
    for (let j = 0; j < n; j++) {
      let u = 0;
      for (let l = 0; l < k; l++) u += f[j * k + l] * XT[j * k + l];
      out[j] = wv[j] - u / D[j];
    }
  };
  // BᵀK̃⁻¹B = BᵀD⁻¹B − YᵀY with Y = Lc⁻¹(D⁻¹L)ᵀB (core = Lc Lcᵀ): two n-long GEMMs and a
  // kd×kd triangular solve, not an n×q K̃⁻¹B
  const schur = (B: Float64Array, q: number): Float64Array => {
    const S = diagonalPre(D, backend).schur(B, q);
    const Z = backend.gemm(new Matrix(n, kd, DiL), new Matrix(n, q, B), { transA: true }).data; // kd×q
    forwardSolveBlocked(coreL, kd, Z, q, backend);
    const YY = backend.gemm(new Matrix(kd, q, Z), new Matrix(kd, q, Z), { transA: true }).data;
    for (let t = 0; t < q * q; t++) S[t] -= YY[t];
    return S;
  };
  return { apply, schur };
}

function diagonalPre(D: Float64Array, backend: Backend) {
  const n = D.length;
  return {
    schur(B: Float64Array, q: number): Float64Array {
      const Bs = new Float64Array(n * q);
      for (let j = 0; j < n; j++) {
        const f = 1 / Math.sqrt(D[j]);
        for (let c = 0; c < q; c++) Bs[j * q + c] = B[j * q + c] * f;
      }
      return backend.gemm(new Matrix(n, q, Bs), new Matrix(n, q, Bs), { transA: true }).data;
    },
    apply(v: Float64Array, out: Float64Array) {
      for (let j = 0; j < n; j++) out[j] = v[j] / D[j];
    },
  };
}

/** MᵀM restricted to the patterns `A` (m×m co-activation counts) by popcounts of column bitsets. */
export function coactivation(masks: PatternMasks, A: Int32Array): Float64Array {
  const n = masks.n;
  const m = A.length;
  const words = (n + 31) >>> 5;
  const cols = new Uint32Array(m * words);
  const w = masks.wordsPerRow;
  const bits = masks.bits;
  for (let j = 0; j < n; j++) {
    const base = j * w;
    const wj = j >>> 5;
    const bj = 1 << (j & 31);
    for (let t = 0; t < m; t++) {
      const i = A[t];
      if ((bits[base + (i >>> 5)] >>> (i & 31)) & 1) cols[t * words + wj] |= bj;
    }
  }
  const out = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = a; b < m; b++) {
      let c = 0;
      const oa = a * words;
      const ob = b * words;
      for (let t = 0; t < words; t++) {
        let v = cols[oa + t] & cols[ob + t];
        v = v - ((v >>> 1) & 0x55555555);
        v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
        c += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
      }
      out[a * m + b] = c;
      out[b * m + a] = c;
    }
  }
  return out;
}
