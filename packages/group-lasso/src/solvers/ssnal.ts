import { type Backend, dot, getBackend, Matrix } from '@cvxnn/linalg';
import { certifier, type Evaluation } from '../core/certificate.js';
import { choleskyInPlace, choleskySolveInPlace, fp64 } from '../core/dense.js';
import type { GroupLassoProblem, SolveOptions, SolveResult } from '../core/problem.js';
import { fistaHandOver } from './fista.js';
import { countedProblem, finish, type ProductCounter, record, resolve, squaredLossTarget, withDualCandidate } from './common.js';

/** σ₀·s‖A‖², the first proximal weight in units of the proximal-gradient step 1/(s‖A‖²). */
export const SSNAL_SIGMA0 = 100;

/** Largest n for SSNAL's n×n Newton systems (Cholesky), as for the direct Newton solver. */
export const SSNAL_MAX_N = 2500;

/** Why `solveSsnal` cannot take a problem (undefined when it can). */
export function ssnalUnsupported(problem: GroupLassoProblem): string | undefined {
  const { op, loss, penalty } = problem;
  if (problem.constraints) return 'SSNAL does not take explicit constraints C x ≥ 0 (use al)';
  if (loss.pooledBy || loss.name !== 'squared') return `SSNAL handles a plain squared loss (this problem has ${loss.pooledBy ? 'a pooled' : loss.name} loss)`;
  if (op.c !== 1) return 'SSNAL handles one output column (solve vector outputs one-vs-all)';
  if (penalty.kind !== 'l2') return `SSNAL handles Euclidean group norms (this problem has ${penalty.kind} groups)`;
  if (penalty.layout.free.length > 0) return 'SSNAL does not take free (unpenalized) coordinates';
  if (!op.weightedGram || !op.images) return `SSNAL needs the operator's weighted Gram and group images (the ${op.kind} operator has none)`;
  if (op.n > SSNAL_MAX_N) return `SSNAL solves n×n systems directly (n ≤ ${SSNAL_MAX_N}; this problem has n = ${op.n})`;
  return undefined;
}

/**
 * Semismooth Newton augmented Lagrangian (SSNAL; Li, Sun & Toh 2018, here on the primal as a
 * proximal point method) for the squared-loss group Lasso min (s/2)‖Ax − y‖² + λ Σ‖x_g‖. Each
 * outer step is x⁺ = argmin (s/2)‖Ax − y‖² + λΣ‖x_g‖ + ‖x − x^k‖²/(2σ), solved through its dual
 *
 *   min_θ Φ(θ) = ‖θ‖²/(2s) + yᵀθ − M_σ(θ),   M_σ(θ) = min_x λΣ‖x_g‖ + ⟨Aᵀθ, x⟩ + ‖x − x^k‖²/(2σ),
 *
 * a (1/s)-strongly convex function with gradient θ/s + y − A x̂(θ), x̂(θ) = prox_{σh}(x^k − σAᵀθ)
 * (block soft threshold). The gradient is semismooth, so Newton's method with an Armijo line
 * search on Φ converges globally and, near the solution, superlinearly; its generalized Hessian
 * I/s + σ Σ_g A_g(α_g I + β_g p̂_gp̂_gᵀ)A_gᵀ (α = 1 − σλ/‖v_g‖, β = σλ/‖v_g‖ on the groups the
 * threshold keeps, p̂ = v_g/‖v_g‖) is the operator's weighted Gram plus a GEMM over the kept
 * groups' images (n×n, Cholesky). The line search needs no products (Aᵀθ moves linearly).
 * x⁺ = x̂ ends a subproblem once ‖∇Φ‖ fell 20×; σ starts at {@link SSNAL_SIGMA0}/(s‖A‖²) and grows 10× after a subproblem Newton solved in ≤ 3 steps,
 * 3× after ≤ 8, and holds otherwise: a large σ makes the subproblem's pieces small and its
 * steps short (BENCHMARKS.md, 2026-12-05). Each Newton step's θ is a dual candidate of the
 * duality-gap certificate. Iterations = Newton steps.
 *
 * @example
 *   const r = solveSsnal(gatedProblem(X, masks, dataLoss('squared', 'sum', y), 0.1), { tol: 1e-6 });
 */
export function solveSsnal(problem0: GroupLassoProblem, opts: SolveOptions = {}): SolveResult {
  const why = ssnalUnsupported(problem0);
  if (why) throw new Error(why);
  const o = resolve(opts);
  const tStart = performance.now();
  const backend: Backend = fp64(opts.backend ?? getBackend());
  const counter: ProductCounter = { count: 0 };
  const problem = countedProblem(problem0, counter);
  const { op, loss, penalty } = problem;
  const n = op.n;
  const dim = op.inDim;
  const lambda = penalty.lambda;
  const layout = penalty.layout;
  const Gc = layout.count;
  const s = loss.scale === 'mean' ? 1 / n : 1;
  const y = squaredLossTarget(loss, s);
  const cert = certifier(op, loss, penalty, { backend });
  const elapsed = () => (performance.now() - tStart) / 1000;

  // per-group data of the prox's Jacobian at the accepted point: α, β and p̂ (at g's coordinates)
  const alpha = new Float64Array(Gc);
  const beta = new Float64Array(Gc);
  const phat = new Float64Array(dim);
  /** x̂ = prox_{σh}(v) (block soft threshold) into `out`, its Jacobian data; returns h(x̂) */
  const proxAll = (v: Float64Array, sig: number, out: Float64Array): number => {
    let h = 0;
    const th = sig * lambda;
    for (let g = 0; g < Gc; g++) {
      const c = layout.coords(g);
      let pn = 0;
      for (let r = 0; r < c.length; r++) pn += v[c[r]] * v[c[r]];
      pn = Math.sqrt(pn);
      if (!(pn > th)) {
        for (let r = 0; r < c.length; r++) out[c[r]] = 0;
        alpha[g] = 0;
        beta[g] = 0;
        continue;
      }
      const f = 1 - th / pn;
      for (let r = 0; r < c.length; r++) {
        out[c[r]] = f * v[c[r]];
        phat[c[r]] = v[c[r]] / pn;
      }
      h += lambda * f * pn;
      alpha[g] = f;
      beta[g] = th / pn;
    }
    return h;
  };

  // start: x⁰ (given or 0), θ⁰ = ∇ℓ(Ax⁰)
  let x = opts.x0 ? Float64Array.from(opts.x0) : new Float64Array(dim);
  let F = new Float64Array(n);
  op.apply(x, F);
  let theta = new Float64Array(n);
  loss.valueAndGrad(F, theta);
  let G = new Float64Array(dim);
  op.adjoint(theta, G);
  let best: Evaluation = cert.evaluate(x, F, false);
  let bestX: Float64Array = Float64Array.from(x);
  let bestF: Float64Array = Float64Array.from(F);
  record(o, 0, best);
  // σ₀ = 100/(s‖A‖²): a hundred proximal-gradient steps' worth; 1/(s‖A‖²) spent its first
  // outer steps on moves a Newton subproblem makes at once (BENCHMARKS.md, 2026-12-05)
  const sigma0 = SSNAL_SIGMA0 / (s * normSquared(op, dim, n));
  let sigma = sigma0;
  let iterations = 0;
  let outer = 0;
  let timedOut = false;
  const xh = new Float64Array(dim);
  const xt = new Float64Array(dim);
  const v = new Float64Array(dim);
  const Ax = new Float64Array(n);
  const grad = new Float64Array(n);
  const Gd = new Float64Array(dim);
  const Gt = new Float64Array(dim);
  const thetaT = new Float64Array(n);
  const phi = (th: Float64Array, Gth: Float64Array, xhat: Float64Array, h: number, xk: Float64Array, sig: number): number => {
    let d2 = 0;
    for (let j = 0; j < dim; j++) d2 += (xhat[j] - xk[j]) ** 2;
    return dot(th, th) / (2 * s) + dot(y, th) - (h + dot(Gth, xhat) + d2 / (2 * sig));
  };
  const tryCertify = (xc: Float64Array, Fc: Float64Array, th: Float64Array): void => {
    const e = withDualCandidate(cert, th, cert.evaluate(xc, Fc, false));
    record(o, iterations, e);
    if (e.rel < best.rel) {
      best = e;
      bestX = Float64Array.from(xc);
      bestF = Float64Array.from(Fc);
    }
  };

  // progress guard: ten outer steps without a 10 % better certificate (or three without an accepted
  // Newton step: a factorisation that failed, a line search that found no decrease) hand over
  let bestAtCheck = best.rel;
  let sinceBetter = 0;
  let idle = 0;
  let stalled = false;
  while (best.rel > o.tol && iterations < o.maxIters) {
    if (elapsed() > o.timeLimit) {
      timedOut = true;
      break;
    }
    // inner: Newton on Φ from the current θ
    for (let j = 0; j < dim; j++) v[j] = x[j] - sigma * G[j];
    let h = proxAll(v, sigma, xh);
    let phiV = phi(theta, G, xh, h, x, sigma);
    let g0 = -1;
    let innerSteps = 0;
    let accepted = 0;
    for (let inner = 0; inner < 30 && iterations < o.maxIters; inner++) {
      op.apply(xh, Ax);
      for (let j = 0; j < n; j++) grad[j] = theta[j] / s + y[j] - Ax[j];
      const gnorm = Math.sqrt(dot(grad, grad));
      if (g0 < 0) g0 = gnorm;
      tryCertify(xh, Ax, theta);
      if (best.rel <= o.tol || elapsed() > o.timeLimit) break;
      if (inner > 0 && gnorm <= 0.05 * g0) break;
      // Hessian I/s + σ Σ_g A_g(α_g I + β_g p̂p̂ᵀ)A_gᵀ
      const w = new Float64Array(Gc);
      const act: number[] = [];
      for (let g = 0; g < Gc; g++) if (alpha[g] > 0 || beta[g] > 0) {
        w[g] = sigma * alpha[g];
        act.push(g);
      }
      const K = op.weightedGram!(w);
      if (act.length > 0) {
        const m = act.length;
        const B = op.images!(phat, Int32Array.from(act), 0, n);
        for (let t = 0; t < m; t++) {
          const f = Math.sqrt(sigma * beta[act[t]]);
          for (let j = 0; j < n; j++) B[j * m + t] *= f;
        }
        backend.gemm(new Matrix(n, m, B), new Matrix(n, m, B), { transB: true, beta: 1, out: new Matrix(n, n, K), inputsFinite: true });
      }
      for (let j = 0; j < n; j++) K[j * n + j] += 1 / s;
      if (!choleskyInPlace(K, n, backend)) break;
      const dth = grad.map((q) => -q);
      choleskySolveInPlace(K, n, dth, 1);
      iterations++;
      innerSteps++;
      op.adjoint(dth, Gd);
      const slope = dot(grad, dth);
      // Armijo on Φ along θ + t·dθ (Aᵀθ moves linearly: no products in the search)
      let t = 1;
      let ok = false;
      for (let ls = 0; ls < 30; ls++, t *= 0.5) {
        for (let j = 0; j < n; j++) thetaT[j] = theta[j] + t * dth[j];
        for (let j = 0; j < dim; j++) {
          Gt[j] = G[j] + t * Gd[j];
          v[j] = x[j] - sigma * Gt[j];
        }
        const ht = proxAll(v, sigma, xt);
        const pt = phi(thetaT, Gt, xt, ht, x, sigma);
        if (pt <= phiV + 1e-4 * t * slope || (ls > 0 && Math.abs(pt - phiV) <= 1e-15 * Math.abs(phiV))) {
          theta.set(thetaT);
          G.set(Gt);
          xh.set(xt);
          h = ht;
          phiV = pt;
          ok = true;
          accepted++;
          break;
        }
      }
      if (process.env.CVXNN_DEBUG) console.error(`ssnal outer ${outer} σ ${sigma.toExponential(2)} inner ${inner}: |∇Φ| ${gnorm.toExponential(2)} t ${t} |act| ${act.length} rel ${best.rel.toExponential(2)} ${elapsed().toFixed(2)} s`);
      if (!ok) break;
    }
    // outer: x ← x̂, σ ← 10σ
    x = Float64Array.from(xh);
    op.apply(x, F);
    outer++;
    // σ grows while the subproblems stay easy for Newton (few steps), and holds when they do not
    if (best.rel < 0.9 * bestAtCheck) {
      bestAtCheck = best.rel;
      sinceBetter = 0;
    } else sinceBetter++;
    idle = accepted > 0 ? 0 : idle + 1;
    if (sinceBetter >= 10 || idle >= 3) {
      stalled = true;
      break;
    }
    const grow = innerSteps <= 3 ? 10 : innerSteps <= 8 ? 3 : 1;
    sigma = Math.min(sigma * grow, sigma0 * 1e10);
    if (best.rel <= o.tol) break;
  }
  let label = `ssnal (${outer} outer, ${iterations} Newton steps)`;
  if (stalled && iterations < o.maxIters && !timedOut) {
    // R-FISTA from the best point for what is left of the budget, certified by the same module
    const h = fistaHandOver(problem, opts, o, cert, { x: bestX, F: bestF, e: best }, iterations, elapsed());
    iterations += h.iterations;
    label += ` → fista (${h.iterations} it)`;
    timedOut = h.timedOut;
    ({ x: bestX, F: bestF, e: best } = h);
  }
  const fin = cert.evaluate(bestX, bestF, best.rel > o.tol);
  const e = fin.rel <= best.rel ? fin : best;
  return finish(problem, bestX, bestF, e, o, { iterations, products: counter.count, tStart, solver: label, timedOut: timedOut && e.rel > o.tol });
}

/** ‖A‖² (from below) by 10 power iterations on AᵀA (from a fixed start, so solves are deterministic). */
function normSquared(op: GroupLassoProblem['op'], dim: number, n: number): number {
  let u = new Float64Array(dim);
  for (let j = 0; j < dim; j++) u[j] = 1 + ((j * 7919) % 13) / 13;
  const Au = new Float64Array(n);
  let est = 0;
  for (let it = 0; it < 10; it++) {
    let nu = 0;
    for (const q of u) nu += q * q;
    nu = Math.sqrt(nu);
    if (!(nu > 0)) return 1;
    for (let j = 0; j < dim; j++) u[j] /= nu;
    op.apply(u, Au);
    const w = new Float64Array(dim);
    op.adjoint(Au, w);
    est = 0;
    for (let j = 0; j < dim; j++) est += u[j] * w[j];
    u = w;
  }
  return Math.max(est, 1e-300);
}
