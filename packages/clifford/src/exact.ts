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
import { assertOption, assertShape, CvxnnError, Matrix } from '@cvxnn/linalg';
import { type Certificate, dataLoss, fitConvex, type HistoryPoint, type Penalty, reluDataOperator, rfista, type SolveStatus } from '@cvxnn/group-lasso';
import type { ObjectiveScale, TwoLayerNetwork } from '@cvxnn/networks';
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

/** Unit rays of the 2-D cone {v : a_k·v ≥ 0 ∀k} that the prox and the dual check need. */
function coneRays(normals: number[][]): number[][] {
  const feasible = (r: number[]) => normals.every((a) => a[0] * r[0] + a[1] * r[1] >= -1e-12 * Math.hypot(a[0], a[1]));
  const rays: number[][] = [];
  const add = (r: number[]) => {
    const h = Math.hypot(r[0], r[1]);
    const u = [r[0] / h, r[1] / h];
    if (!feasible(u)) return;
    if (rays.some((q) => Math.abs(q[0] - u[0]) < 1e-12 && Math.abs(q[1] - u[1]) < 1e-12)) return;
    rays.push(u);
  };
  for (const a of normals) {
    add([-a[1], a[0]]);
    add([a[1], -a[0]]);
  }
  // the directions where the penalty |u| has its kink
  add([0, 1]);
  add([0, -1]);
  return rays;
}

/**
 * The exact constrained convex program for 1-D data with free biases (SPEC §2.6 oracle):
 * min Σ_i s/2‖Σ_i D_i X̃(v_i − w_i) − y‖² + λΣ_i(|v_i,1| + |w_i,1|) s.t. v_i, w_i ∈ K_i, over all
 * chamber patterns D_i of X̃ = [x, 1].
 *
 * @example
 *   solveExactOneDimensional([-2, -1, 0, 1, 2], [1, -1, 0.5, 2, 0], { lambda: 0.1 }).objective; // 0.65
 */
export function solveExactOneDimensional(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: { lambda: number; scale?: ObjectiveScale; tol?: number; maxIters?: number; timeLimit?: number },
): ExactResult {
  const t0 = performance.now();
  const n = x.length;
  if (n === 0) throw new CvxnnError('EMPTY_DATA', 'the exact program needs at least one sample');
  assertShape(y.length === n, `${n} inputs but ${y.length} targets`);
  const lambda = opts.lambda;
  assertOption(Number.isFinite(lambda) && lambda > 0, `lambda must be a finite number > 0, got ${lambda}`);
  const scale = opts.scale ?? 'sum';
  const tol = opts.tol ?? 1e-9;
  const maxIters = opts.maxIters ?? 500000;
  const Xt = appendOnes(Matrix.fromArray(n, 1, Array.from(x)).assertFinite('x'));
  const { masks } = enumeratePatterns(Xt);
  const P = masks.p;
  const rays: number[][][] = [];
  for (let i = 0; i < P; i++) {
    const normals: number[][] = [];
    for (let k = 0; k < n; k++) {
      const sg = masks.get(k, i) ? 1 : -1;
      normals.push([sg * x[k], sg]);
    }
    rays.push(coneRays(normals));
  }
  const half = 2 * P;
  // prox of τ|u| + ι_K on one 2-D group (p0 = u, p1 = b)
  const proxGroup = (i: number, p0: number, p1: number, tau: number): [number, number] => {
    const u0 = p0 > tau ? p0 - tau : p0 < -tau ? p0 + tau : 0;
    const ok = (u: number, b: number) => {
      for (let k = 0; k < n; k++) {
        const sg = masks.get(k, i) ? 1 : -1;
        if (sg * (u * x[k] + b) < -1e-12 * Math.hypot(x[k], 1) * Math.hypot(u, b)) return false;
      }
      return true;
    };
    if (ok(u0, p1)) return [u0, p1];
    let best: [number, number] = [0, 0];
    let bestVal = 0.5 * (p0 * p0 + p1 * p1);
    for (const r of rays[i]) {
      const t = Math.max(0, r[0] * p0 + r[1] * p1 - tau * Math.abs(r[0]));
      if (t === 0) continue;
      const val = 0.5 * ((t * r[0] - p0) ** 2 + (t * r[1] - p1) ** 2) + tau * t * Math.abs(r[0]);
      if (val < bestVal) {
        bestVal = val;
        best = [t * r[0], t * r[1]];
      }
    }
    return best;
  };
  const penalty: Penalty = {
    value(v) {
      let sum = 0;
      for (let part = 0; part < 2; part++) for (let i = 0; i < P; i++) sum += Math.abs(v[part * half + i]);
      return lambda * sum;
    },
    prox(v, t, out) {
      for (let part = 0; part < 2; part++) {
        for (let i = 0; i < P; i++) {
          const o = part * half;
          const [u, b] = proxGroup(i, v[o + i], v[o + P + i], t * lambda);
          out[o + i] = u;
          out[o + P + i] = b;
        }
      }
    },
  };
  const A = reluDataOperator(Xt, masks);
  const loss = dataLoss('squared', scale, Matrix.column(Float64Array.from(y)));
  const R = new Float64Array(n);
  const G = new Float64Array(2 * half);
  let bestDual = -Infinity;
  let last = { primal: 0, data: 0, pen: 0, gap: 0, rel: 0 };
  const history: HistoryPoint[] = [];
  const evaluate = (v: Float64Array, F: Float64Array) => {
    const data = loss.valueAndGrad(F, R);
    // centre the dual candidate: the all-ones pattern's (0, ±1) rays require Σz = 0
    let mean = 0;
    for (const r of R) mean += r / n;
    for (let k = 0; k < n; k++) R[k] -= mean;
    A.adjoint(R, G); // G = [(D_iX̃)ᵀR ; −(D_iX̃)ᵀR]; a v-group needs ⟨−(D_iX̃)ᵀz, r⟩ ≤ λ|r_u| on its rays
    let rnorm = 0;
    for (const r of R) rnorm += Math.abs(r);
    let theta = 1;
    for (let part = 0; part < 2; part++) {
      for (let i = 0; i < P; i++) {
        const g0 = -G[part * half + i];
        const g1 = -G[part * half + P + i];
        for (const r of rays[i]) {
          const val = g0 * r[0] + g1 * r[1];
          if (val <= 0) continue;
          const cap = lambda * Math.abs(r[0]);
          if (cap === 0) {
            if (val > 1e-12 * (rnorm + 1)) theta = 0;
            continue;
          }
          if (theta * val > cap) theta = cap / val;
        }
      }
    }
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
  // recover: a group (u, b) with u ≠ 0 is the neuron (u, b)/√|u| with output ±√|u|; a group with
  // u = 0 is a constant (all-ones pattern) and goes to the free output bias
  const W1: number[] = [];
  const b1: number[] = [];
  const w2: number[] = [];
  let c = 0;
  for (let part = 0; part < 2; part++) {
    const sign = part === 0 ? 1 : -1;
    for (let i = 0; i < P; i++) {
      const u = r.x[part * half + i];
      const b = r.x[part * half + P + i];
      if (u === 0) {
        if (b !== 0) c += sign * Math.max(b, 0);
        continue;
      }
      const q = Math.sqrt(Math.abs(u));
      W1.push(u / q);
      b1.push(b / q);
      w2.push(sign * q);
    }
  }
  const m = W1.length;
  const network: TwoLayerNetwork = {
    kind: 'relu',
    W1: Matrix.fromArray(1, m, W1),
    W2: Matrix.fromArray(m, 1, w2),
    b1: Float64Array.from(b1),
    b2: Float64Array.of(c),
    appendOne: false,
  };
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
 * The lifted, like-for-like comparison that `fitConvex` can solve exactly (see the module comment):
 * Lasso over the span dictionary of [X, 1] (no intercept) vs C-ReLU on [X, 1] over all patterns.
 * Exact enumeration: small n only.
 *
 * @example
 *   compareWithExact(X, y, { lambda: 0.1 }).relativeGap;
 */
export function compareWithExact(X: Matrix<Float64Array>, y: ArrayLike<number>, opts: { lambda: number; scale?: ObjectiveScale; tol?: number; maxPatterns?: number }): ExactComparison {
  const Xt = appendOnes(X);
  const tol = opts.tol ?? 1e-8;
  const lasso = solveLasso(spanDictionary(Xt).K, y, { lambda: opts.lambda, scale: opts.scale, intercept: false, tol });
  const pats = enumeratePatterns(Xt, { maxPatterns: opts.maxPatterns ?? 5000 });
  const ex = fitConvex(Xt, Matrix.column(Float64Array.from(y)), pats, { model: 'relu', lambda: opts.lambda, scale: opts.scale, tol, maxIters: 200000 });
  const gap = lasso.objective - ex.objective;
  return {
    convention: 'neurons (x̃ᵀu)_+ on x̃ = [x, 1] with the bias inside the decayed weights, no output bias: Lasso over the lifted wedge-product dictionary vs the C-ReLU program over all patterns',
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
