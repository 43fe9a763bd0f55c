/**
 * Exact convex programs the Clifford Lasso is compared with (SPEC §2.6, §7.3).
 *
 * - {@link solveExactOneDimensional}: the constrained convex program of SPEC §2.3 on X̃ = [x, 1]
 *   over ALL chamber patterns, with the bias treated like the Lasso treats it (free: only the
 *   slope is penalised, λΣ_i(|u_i| + |u'_i|), a seminorm, SPEC §2.5), no separate intercept (the
 *   all-ones pattern carries the constant). Its optimum is the global optimum of the 1-D
 *   weight-decay network with free biases, so the ramp Lasso must reach the same value (oracle G4).
 *   Solved by `@cvxnn/group-lasso`'s R-FISTA over its C-ReLU data operator, with the exact prox of
 *   τ|u| + ι_{K_i} (each cone K_i ⊂ R² is a wedge: the prox is the soft-thresholded point when it is
 *   feasible, else the best point on a boundary ray), and a duality-gap certificate checked on the
 *   rays of every cone.
 * - {@link compareWithExact} (d ≥ 1): the setting `fitConvex` solves exactly — neurons through the
 *   origin of the lifted data X̃ = [X, 1] (bias inside the decayed weights), no intercept — once
 *   with the Lasso over the lifted wedge-product dictionary (hyperplanes through d samples) and once
 *   with the C-ReLU program over all enumerated patterns. p_GA ≥ p* always (oracle G5); equality
 *   is not guaranteed for ℓ2 weight decay (SPEC §7.3).
 *
 * @example
 *   const ex = solveExactOneDimensional([-2, -1, 0, 1, 2], [1, -1, 0.5, 2, 0], { lambda: 0.1 });
 *   ex.objective; // 0.65, the ramp-Lasso value of fixture X4
 */
import { appendOnes, enumeratePatterns } from '@cvxnn/arrangements';
import { assertMatrix, assertOption, assertShape, CvxnnError, Matrix, type OptionSpec } from '@cvxnn/linalg';
import { type Certificate, dataLoss, fitConvex, type HistoryPoint, type Penalty, reluDataOperator, rfista, type SolveStatus } from '@cvxnn/group-lasso';
import type { ObjectiveScale, TwoLayerNetwork } from '@cvxnn/networks';
import { checkLambdaOptions, LAMBDA_OPTIONS } from './check.js';
import { spanDictionary } from './dictionaries.js';
import { solveLasso } from './lasso.js';

/**
 * Result of {@link solveExactOneDimensional}.
 *
 * @example
 *   const { objective, certificate, patterns, network } = solveExactOneDimensional(x, y, { lambda: 0.1 });
 */
export interface ExactResult {
  status: SolveStatus;
  objective: number;
  dataTerm: number;
  penalty: number;
  certificate: Certificate;
  iterations: number;
  timeSeconds: number;
  /** number of chamber patterns of [x, 1] (all-zero pattern dropped) */
  patterns: number;
  activeNeurons: number;
  /** the recovered network (free hidden biases and output bias) */
  network: TwoLayerNetwork;
  history: HistoryPoint[];
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>, len = a.length) => {
  let t = 0;
  for (let k = 0; k < len; k++) t += a[k] * b[k];
  return t;
};

/**
 * The geometry of one pattern's cone K = {v = (u, b) ∈ R^{d+1} : s_k(x_k·u + b) ≥ 0} for d ≤ 2 with the
 * seminorm ‖u‖: its extreme rays (unit), the exact prox of τ‖u‖ + ι_K, and sup{q·v : v ∈ K, ‖u‖ ≤ 1}
 * (the dual constraint). Candidates for both: the interior point, the minimiser on each facet plane
 * b = −x_k·u (a rank-one quadratic plus τ‖u‖, solved by its 1-D secular equation), the rays, and the
 * apex; the answer is the best feasible candidate. Every face of a cone in R^{d+1}, d ≤ 2, is
 * the interior, a facet (a constraint plane), a ray or the apex, so this is exact.
 */
class FreeBiasCone {
  readonly rays: Float64Array[] = [];
  /** constraints whose plane is a facet (holds two rays); d = 1: none (a facet is a ray there) */
  readonly facets: number[] = [];
  private readonly norms: number[];
  private readonly rows: Float64Array[];
  constructor(
    private readonly X: Matrix<Float64Array>,
    private readonly signs: Int8Array,
  ) {
    const n = X.rows;
    const d = X.cols;
    const a = (k: number) => Float64Array.from([...X.row(k), 1].map((v) => signs[k] * v));
    this.norms = Array.from({ length: n }, (_, k) => Math.hypot(...X.row(k), 1));
    this.rows = Array.from({ length: n }, (_, k) => Float64Array.from(X.row(k)));
    const add = (r: Float64Array) => {
      const h = Math.hypot(...r);
      if (!(h > 1e-14)) return;
      for (let c = 0; c < r.length; c++) r[c] /= h;
      if (!this.feasible(r, 1e-10)) return;
      if (this.rays.some((q) => q.every((v, c) => Math.abs(v - r[c]) < 1e-10))) return;
      this.rays.push(r);
    };
    if (d === 1) {
      for (let k = 0; k < n; k++) {
        const ak = a(k);
        add(Float64Array.of(-ak[1], ak[0]));
        add(Float64Array.of(ak[1], -ak[0]));
      }
    } else {
      for (let j = 0; j < n; j++) {
        for (let k = j + 1; k < n; k++) {
          const [p, q] = [a(j), a(k)];
          const c = Float64Array.of(p[1] * q[2] - p[2] * q[1], p[2] * q[0] - p[0] * q[2], p[0] * q[1] - p[1] * q[0]);
          add(c);
          add(c.map((v) => -v));
        }
      }
      // a plane that holds no two rays meets K in a ray or the apex only: its candidates are the rays'
      for (let k = 0; k < n; k++) {
        const ak = a(k);
        const nk = Math.hypot(...ak);
        if (this.rays.filter((r) => Math.abs(dot(ak, r)) <= 1e-10 * nk).length >= 2) this.facets.push(k);
      }
    }
  }

  /** s_k(x_k·u + b) ≥ −tol·‖(x_k, 1)‖·‖v‖ for every k. */
  feasible(v: ArrayLike<number>, tol = 1e-12): boolean {
    const d = this.X.cols;
    let nv = 0;
    for (let c = 0; c <= d; c++) nv += v[c] * v[c];
    nv = Math.sqrt(nv);
    for (let k = 0; k < this.rows.length; k++) {
      const z = this.signs[k] * (dot(this.rows[k], v, d) + v[d]);
      if (z < -tol * this.norms[k] * nv) return false;
    }
    return true;
  }

  /** Minimiser of ½‖v − p‖² + τ‖u‖ on the plane b = −x_k·u (null when it is the apex). */
  private planeMin(k: number, p: Float64Array, tau: number): Float64Array | null {
    const d = this.X.cols;
    const x = this.rows[k];
    // ½uᵀ(I + xxᵀ)u − gᵀu + τ‖u‖ with g = p_u − p_b x
    const g = Float64Array.from({ length: d }, (_, c) => p[c] - p[d] * x[c]);
    const gn = Math.hypot(...g);
    if (gn <= tau) return null;
    const xn = Math.hypot(...x);
    const xh = xn > 0 ? x.map((v) => v / xn) : new Float64Array(d);
    const g1 = xn > 0 ? dot(g, xh) : 0;
    const g2 = g.map((v, c) => v - g1 * xh[c]);
    const g2n2 = dot(g2, g2);
    const h1 = 1 + xn * xn;
    // u = ρ g1/(h1ρ + τ) x̂ + ρ/(ρ + τ) g2 with Σ g_i²/(h_iρ + τ)² = 1 (ψ decreasing in ρ)
    const psi = (r: number) => (g1 * g1) / (h1 * r + tau) ** 2 + g2n2 / (r + tau) ** 2;
    let lo = 0;
    let hi = gn;
    for (let it = 0; it < 64 && hi - lo > 1e-15 * hi; it++) {
      const mid = 0.5 * (lo + hi);
      if (psi(mid) > 1) lo = mid;
      else hi = mid;
    }
    const r = 0.5 * (lo + hi);
    const v = new Float64Array(d + 1);
    for (let c = 0; c < d; c++) v[c] = (r * g1 * xh[c]) / (h1 * r + tau) + (r * g2[c]) / (r + tau);
    v[d] = -dot(x, v, d);
    return v;
  }

  /** prox of τ‖u‖ + ι_K at p, written into out. */
  prox(p: Float64Array, tau: number, out: Float64Array): void {
    const d = this.X.cols;
    const un = Math.hypot(...p.subarray(0, d));
    const inner = new Float64Array(d + 1);
    const sh = un > tau ? 1 - tau / un : 0;
    for (let c = 0; c < d; c++) inner[c] = sh * p[c];
    inner[d] = p[d];
    if (this.feasible(inner)) {
      out.set(inner);
      return;
    }
    const value = (v: Float64Array) => {
      let s = 0;
      for (let c = 0; c <= d; c++) s += (v[c] - p[c]) ** 2;
      return 0.5 * s + tau * Math.hypot(...v.subarray(0, d));
    };
    // the apex is optimal iff ⟨p, v⟩ ≤ τ‖u‖ on K (the dual test below): most inactive groups stop here
    if (this.dualSup(p) <= tau) {
      out.fill(0);
      return;
    }
    let best: Float64Array = new Float64Array(d + 1);
    let bestVal = value(best);
    const consider = (v: Float64Array | null) => {
      if (!v) return;
      const f = value(v);
      if (f < bestVal) {
        bestVal = f;
        best = v;
      }
    };
    for (const k of this.facets) {
      const v = this.planeMin(k, p, tau);
      if (v && this.feasible(v)) consider(v);
    }
    for (const r of this.rays) {
      const t = dot(r, p) - tau * Math.hypot(...r.subarray(0, d));
      if (t > 0) consider(r.map((c) => t * c));
    }
    out.set(best);
  }

  /**
   * sup{q·v : v ∈ K, ‖u‖ ≤ 1} (Infinity when unbounded); |q·r| ≤ zeroTol on a u = 0 direction counts as 0
   * (round-off of a centred dual point).
   */
  dualSup(q: Float64Array, zeroTol = 0): number {
    const d = this.X.cols;
    const qn = Math.hypot(...q);
    const zt = Math.max(zeroTol, 1e-12 * qn);
    let m = 0;
    for (const r of this.rays) {
      const ru = Math.hypot(...r.subarray(0, d));
      const val = dot(q, r);
      if (ru > 1e-12) m = Math.max(m, val / ru);
      else if (val > zt) return Infinity;
    }
    for (const k of this.facets) {
      const x = this.rows[k];
      const w = Float64Array.from({ length: d }, (_, c) => q[c] - q[d] * x[c]);
      const wn = Math.hypot(...w);
      if (!(wn > 0)) continue;
      const v = new Float64Array(d + 1);
      for (let c = 0; c < d; c++) v[c] = w[c] / wn;
      v[d] = -dot(x, v, d);
      if (this.feasible(v, 1e-9)) m = Math.max(m, wn);
    }
    // the b-direction: unbounded when no constraint caps b on the side q_b points to
    const plus = this.signs.some((s) => s > 0);
    const minus = this.signs.some((s) => s < 0);
    if (Math.abs(q[d]) > zt) {
      if ((q[d] > 0 && !minus) || (q[d] < 0 && !plus)) return Infinity;
    } else {
      const qu = Math.hypot(...q.subarray(0, d));
      if (qu > 0) {
        const u = q.subarray(0, d).map((v) => v / qu);
        let lo = -Infinity;
        let hi = Infinity;
        for (let k = 0; k < this.X.rows; k++) {
          const t = -dot(this.rows[k], u, d);
          if (this.signs[k] > 0) lo = Math.max(lo, t);
          else hi = Math.min(hi, t);
        }
        if (lo <= hi + 1e-9) m = Math.max(m, qu);
      }
    }
    return m;
  }
}

/**
 * Options of {@link solveExactOneDimensional}.
 *
 * @example
 *   const o: ExactOneDimensionalOptions = { lambda: 0.1, tol: 1e-10, timeLimit: 30 };
 */
export interface ExactOneDimensionalOptions {
  lambda: number;
  scale?: ObjectiveScale;
  /** relative duality gap to stop at (default 1e-9) */
  tol?: number;
  /** R-FISTA iterations (default 500000) */
  maxIters?: number;
  /** seconds (default none) */
  timeLimit?: number;
}

/**
 * Options of {@link solveExactFreeBias}.
 *
 * @example
 *   const o: ExactFreeBiasOptions = { lambda: 0.1, maxPatterns: 2000 };
 */
export interface ExactFreeBiasOptions extends ExactOneDimensionalOptions {
  /** refuse data with more chamber patterns than this (default 5000) */
  maxPatterns?: number;
}

/** The options `solveExactOneDimensional` takes, with their types (the compiler keeps the list complete). */
export const EXACT_ONE_DIMENSIONAL_OPTIONS: OptionSpec<ExactOneDimensionalOptions> = {
  ...LAMBDA_OPTIONS,
  maxIters: 'integer',
  timeLimit: 'number',
};

/** The options `solveExactFreeBias` takes, with their types (the compiler keeps the list complete). */
export const EXACT_FREE_BIAS_OPTIONS: OptionSpec<ExactFreeBiasOptions> = { ...EXACT_ONE_DIMENSIONAL_OPTIONS, maxPatterns: 'number' };

/**
 * The exact constrained convex program with free biases (SPEC §2.3 with the seminorm penalty of
 * §2.5) over ALL chamber patterns of X̃ = [X, 1], for d ≤ 2:
 * min s/2‖Σ_i D_i X̃(v_i − w_i) − y‖² + λΣ_i(‖u(v_i)‖ + ‖u(w_i)‖) s.t. v_i, w_i ∈ K_i, where u(·) drops
 * the bias coordinate; no separate intercept (the all-ones pattern carries constants). Its optimum is
 * the global optimum of the network Σ_j relu(w_jᵀx + b_j) a_j + c with weight decay (λ/2)Σ(‖w_j‖² + a_j²)
 * and free b_j, c. R-FISTA over group-lasso's C-ReLU operator with the exact group prox of
 * `FreeBiasCone`; duality gap from the dual point θ·(centred residual gradient).
 *
 * @example
 *   solveExactFreeBias(Matrix.fromArray(5, 1, [-2, -1, 0, 1, 2]), [1, -1, 0.5, 2, 0], { lambda: 0.1 }).objective; // 0.65
 */
export function solveExactFreeBias(
  X: Matrix<Float64Array>,
  y: ArrayLike<number>,
  opts: ExactFreeBiasOptions,
): ExactResult {
  const t0 = performance.now();
  checkLambdaOptions('solveExactFreeBias', opts, EXACT_FREE_BIAS_OPTIONS);
  assertMatrix('solveExactFreeBias', 'X', X);
  const n = X.rows;
  const d = X.cols;
  if (n === 0) throw new CvxnnError('EMPTY_DATA', 'the exact program needs at least one sample');
  assertOption(d === 1 || d === 2, `the exact free-bias program is implemented for d ≤ 2 (every face of a cone in R^${d + 1} must be a facet, a ray or the apex); the data has d = ${d}`);
  assertShape(y.length === n, `${n} inputs but ${y.length} targets`);
  const lambda = opts.lambda;
  assertOption(Number.isFinite(lambda) && lambda > 0, `lambda must be a finite number > 0, got ${lambda}`);
  const scale = opts.scale ?? 'sum';
  const tol = opts.tol ?? 1e-9;
  const maxIters = opts.maxIters ?? 500000;
  X.assertFinite('X');
  const Xt = appendOnes(X);
  const { masks } = enumeratePatterns(Xt, { maxPatterns: opts.maxPatterns ?? 5000 });
  const P = masks.p;
  const D = d + 1;
  const Xc = X.isContiguous && X.offset === 0 ? X : X.clone();
  const cones: FreeBiasCone[] = [];
  for (let i = 0; i < P; i++) cones.push(new FreeBiasCone(Xc, Int8Array.from({ length: n }, (_, k) => (masks.get(k, i) ? 1 : -1))));
  const half = D * P;
  const gp = new Float64Array(D);
  const go = new Float64Array(D);
  const groupNorm = (v: Float64Array, o: number, i: number) => {
    let s = 0;
    for (let c = 0; c < d; c++) s += v[o + c * P + i] ** 2;
    return Math.sqrt(s);
  };
  const penalty: Penalty = {
    value(v) {
      let sum = 0;
      for (let part = 0; part < 2; part++) for (let i = 0; i < P; i++) sum += groupNorm(v, part * half, i);
      return lambda * sum;
    },
    prox(v, t, out) {
      for (let part = 0; part < 2; part++) {
        const o = part * half;
        for (let i = 0; i < P; i++) {
          for (let c = 0; c < D; c++) gp[c] = v[o + c * P + i];
          cones[i].prox(gp, t * lambda, go);
          for (let c = 0; c < D; c++) out[o + c * P + i] = go[c];
        }
      }
    },
  };
  const A = reluDataOperator(Xt, masks);
  const loss = dataLoss('squared', scale, Matrix.column(Float64Array.from(y)));
  const R = new Float64Array(n);
  const G = new Float64Array(2 * half);
  const q = new Float64Array(D);
  let bestDual = -Infinity;
  let last = { primal: 0, data: 0, pen: 0, gap: 0, rel: 0 };
  const history: HistoryPoint[] = [];
  const evaluate = (v: Float64Array, F: Float64Array) => {
    const data = loss.valueAndGrad(F, R);
    // centre the dual candidate: the all-ones pattern leaves b unbounded above, which needs Σz = 0
    let mean = 0;
    for (const r of R) mean += r / n;
    for (let k = 0; k < n; k++) R[k] -= mean;
    A.adjoint(R, G); // G = [(D_iX̃)ᵀR ; −(D_iX̃)ᵀR]; a group needs sup_{v∈K_i, ‖u‖≤1} ⟨−G_i, v⟩ ≤ λ
    let rAbs = 0;
    for (const r of R) rAbs += Math.abs(r);
    let M = 0;
    for (let part = 0; part < 2; part++) {
      for (let i = 0; i < P; i++) {
        for (let c = 0; c < D; c++) q[c] = -G[part * half + c * P + i];
        M = Math.max(M, cones[i].dualSup(q, 1e-12 * rAbs));
      }
    }
    const theta = M > lambda ? lambda / M : 1;
    bestDual = Math.max(bestDual, -loss.conjugate(R.map((r) => theta * r)));
    const pen = penalty.value(v);
    const primal = data + pen;
    const gap = Math.max(0, primal - bestDual);
    return { primal, data, pen, gap, rel: gap / Math.max(Math.abs(primal), 1e-300) };
  };
  const elapsed = () => (performance.now() - t0) / 1000;
  const r = rfista(
    { dim: 2 * half, terms: [{ map: A, fn: loss }], penalty },
    {
      maxIters,
      timeLimit: opts.timeLimit ?? Infinity,
      checkEvery: 20,
      check: (v, Av, it) => {
        last = evaluate(v, Av[0]);
        history.push({ iteration: it, timeSeconds: elapsed(), objective: last.primal, certificate: last.rel });
        return last.rel <= tol;
      },
    },
  );
  last = evaluate(r.x, r.Ax[0]);
  // recover: a group (u, b) with u ≠ 0 is the neuron (u, b)/√‖u‖ with output ±√‖u‖; a group with
  // u = 0 is a constant (all-ones pattern) and goes to the free output bias
  const W1: number[][] = [];
  const b1: number[] = [];
  const w2: number[] = [];
  let c = 0;
  for (let part = 0; part < 2; part++) {
    const sign = part === 0 ? 1 : -1;
    const o = part * half;
    for (let i = 0; i < P; i++) {
      const un = groupNorm(r.x, o, i);
      const b = r.x[o + d * P + i];
      if (un === 0) {
        if (b !== 0) c += sign * Math.max(b, 0);
        continue;
      }
      const s = Math.sqrt(un);
      W1.push(Array.from({ length: d }, (_, k) => r.x[o + k * P + i] / s));
      b1.push(b / s);
      w2.push(sign * s);
    }
  }
  const m = W1.length;
  const W = Matrix.zeros(d, m);
  W1.forEach((col, j) => col.forEach((v, k) => W.set(k, j, v)));
  const network: TwoLayerNetwork = { kind: 'relu', W1: W, W2: Matrix.fromArray(m, 1, w2), b1: Float64Array.from(b1), b2: Float64Array.of(c), appendOne: false };
  return {
    status: r.converged || last.rel <= tol ? 'optimal' : r.timedOut ? 'time-limit' : 'max-iterations',
    objective: last.primal,
    dataTerm: last.data,
    penalty: last.pen,
    certificate: { kind: 'duality-gap', value: last.rel, absolute: last.gap },
    iterations: r.iterations,
    timeSeconds: elapsed(),
    patterns: P,
    activeNeurons: m,
    network,
    history,
  };
}

/**
 * The exact constrained program for 1-D data with free biases (SPEC §2.6 oracle): see
 * {@link solveExactFreeBias}.
 *
 * @example
 *   solveExactOneDimensional([-2, -1, 0, 1, 2], [1, -1, 0.5, 2, 0], { lambda: 0.1 }).objective; // 0.65
 */
export function solveExactOneDimensional(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: ExactOneDimensionalOptions,
): ExactResult {
  checkLambdaOptions('solveExactOneDimensional', opts, EXACT_ONE_DIMENSIONAL_OPTIONS);
  return solveExactFreeBias(Matrix.fromArray(x.length, 1, Array.from(x)), y, opts);
}

/**
 * Result of {@link compareWithExact}.
 *
 * @example
 *   const c = compareWithExact(X, y, { lambda: 0.1 }); c.gap; // p_GA − p* ≥ 0
 */
export interface ExactComparison {
  convention: string;
  lassoObjective: number;
  lassoCertificate: number;
  exactObjective: number;
  exactCertificate: number;
  exactStatus: SolveStatus;
  patterns: number;
  /** p_GA − p* (≥ 0 up to the certificates) */
  gap: number;
  relativeGap: number;
}

/**
 * Options of {@link compareWithExact}.
 *
 * @example
 *   const o: ExactComparisonOptions = { lambda: 0.1, bias: false };
 */
export interface ExactComparisonOptions {
  lambda: number;
  scale?: ObjectiveScale;
  /** relative duality gap both solves stop at (default 1e-8) */
  tol?: number;
  /** refuse data with more patterns than this (default 5000) */
  maxPatterns?: number;
  /** neurons on the lifted data [X, 1] (default true) or through the origin */
  bias?: boolean;
}

/** The options `compareWithExact` takes, with their types (the compiler keeps the list complete). */
export const EXACT_COMPARISON_OPTIONS: OptionSpec<ExactComparisonOptions> = { ...LAMBDA_OPTIONS, maxPatterns: 'number', bias: 'boolean' };

/**
 * The like-for-like comparison that `fitConvex` can solve exactly (see the module comment), without
 * intercept on either side: `bias: true` (default) — neurons on the lifted data [X, 1] with the bias
 * decayed with the weights, Lasso over the span dictionary of [X, 1] vs C-ReLU on [X, 1]; `bias: false`
 * — neurons through the origin, span dictionary of X vs C-ReLU on X (oracle G5). Exact enumeration:
 * small n only.
 *
 * @example
 *   compareWithExact(X, y, { lambda: 0.1 }).relativeGap;
 */
export function compareWithExact(X: Matrix<Float64Array>, y: ArrayLike<number>, opts: ExactComparisonOptions): ExactComparison {
  checkLambdaOptions('compareWithExact', opts, EXACT_COMPARISON_OPTIONS);
  assertMatrix('compareWithExact', 'X', X);
  const bias = opts.bias ?? true;
  const Xt = bias ? appendOnes(X) : X;
  const tol = opts.tol ?? 1e-8;
  const lasso = solveLasso(spanDictionary(Xt).K, y, { lambda: opts.lambda, scale: opts.scale, intercept: false, tol });
  const pats = enumeratePatterns(Xt, { maxPatterns: opts.maxPatterns ?? 5000 });
  const ex = fitConvex(Xt, Matrix.column(Float64Array.from(y)), pats, { model: 'relu', lambda: opts.lambda, scale: opts.scale, tol, maxIters: 200000 });
  const gap = lasso.objective - ex.objective;
  return {
    convention: bias
      ? 'neurons (x̃ᵀu)_+ on x̃ = [x, 1] with the bias inside the decayed weights, no output bias: Lasso over the lifted wedge-product dictionary vs the C-ReLU program over all patterns'
      : 'neurons (xᵀu)_+ through the origin, no output bias: Lasso over the wedge-product (span) dictionary vs the C-ReLU program over all patterns of X',
    lassoObjective: lasso.objective,
    lassoCertificate: lasso.certificate.value,
    exactObjective: ex.objective,
    exactCertificate: ex.certificate.value,
    exactStatus: ex.status,
    patterns: ex.patterns,
    gap,
    relativeGap: gap / Math.max(Math.abs(ex.objective), 1e-300),
  };
}
