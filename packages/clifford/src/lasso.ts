/**
 * The Clifford-Lasso problem (SPEC §7.2, §2.6): a Lasso over a dictionary K (n × m) with a free,
 * unpenalised intercept c,
 *
 *   min_{α, c}  s/2 ‖Kα + c·1 − y‖² + λ‖α‖₁,   s = 1 (`sum`) or 1/n (`mean`).
 *
 * The intercept is eliminated exactly: for any α the best c is mean(y − Kα), and the objective
 * becomes s/2 ‖K_c α − y_c‖² + λ‖α‖₁ with K_c, y_c the column-centred dictionary and targets.
 * That problem is solved by `@cvxnn/group-lasso`'s R-FISTA over a composite problem (groups of
 * size 1, i.e. soft-thresholding) or by cyclic coordinate descent, both with the same duality-gap
 * certificate: the dual point z = θ·s(K_cα − y_c), θ = min(1, λ/‖K_cᵀ s(K_cα − y_c)‖_∞), is
 * feasible for max −ℓ*(z) s.t. ‖K_cᵀz‖_∞ ≤ λ, so gap = primal + ℓ*(z) ≥ primal − p*.
 *
 * @example
 *   const dict = rampDictionary(x);
 *   const r = solveLasso(dict.K, y, { lambda: 0.1 });
 *   r.objective; r.certificate.value; // relative duality gap ≤ 1e-9
 */
import { assertOption, assertShape, CvxnnError, Matrix, solve } from '@cvxnn/linalg';
import { type Certificate, dataLoss, frobeniusGroupPenalty, type HistoryPoint, type LinearMap, type PathPoint, rfista, type SolveStatus } from '@cvxnn/group-lasso';
import type { ObjectiveScale } from '@cvxnn/networks';

/**
 * Options of {@link solveLasso}.
 *
 * @example
 *   const o: LassoOptions = { lambda: 0.1, scale: 'sum', solver: 'cd', tol: 1e-10, lambdaPath: 20 };
 */
export interface LassoOptions {
  /** ℓ1 weight λ > 0 */
  lambda: number;
  /** `sum` (default, ½‖·‖²) or `mean` (1/(2n)‖·‖²) */
  scale?: ObjectiveScale;
  /** free intercept c (default true) */
  intercept?: boolean;
  /** `auto` (= `cd`), `fista` (group-lasso's R-FISTA) or `cd` (cyclic coordinate descent) */
  solver?: 'auto' | 'fista' | 'cd';
  /** relative duality-gap tolerance (default 1e-9) */
  tol?: number;
  /** iteration cap over the whole path: FISTA iterations or CD sweeps (default 200 000) */
  maxIters?: number;
  /** wall-clock limit in seconds (default ∞) */
  timeLimit?: number;
  /** solve a geometric λ-path of this many points from λ_max down to λ with warm starts (≥ 2) */
  lambdaPath?: number;
  /** warm start α (length m) */
  x0?: ArrayLike<number>;
}

/**
 * Result of {@link solveLasso}.
 *
 * @example
 *   const { alpha, intercept, active } = solveLasso(K, y, { lambda: 0.1 });
 */
export interface LassoResult {
  status: SolveStatus;
  objective: number;
  dataTerm: number;
  penalty: number;
  certificate: Certificate;
  iterations: number;
  timeSeconds: number;
  solver: 'fista' | 'cd';
  lambda: number;
  /** smallest λ with α = 0 optimal: ‖K_cᵀ s y_c‖_∞ */
  lambdaMax: number;
  scale: ObjectiveScale;
  /** dictionary coefficients, length m */
  alpha: Float64Array;
  /** the free intercept c (0 without intercept) */
  intercept: number;
  /** indices of the non-zero coefficients */
  active: number[];
  /** Kα + c on the training rows */
  prediction: Float64Array;
  history: HistoryPoint[];
  path?: PathPoint[];
}

/** The signed support of α as a string ("" when α = 0). */
function supportKey(alpha: Float64Array): string {
  const parts: string[] = [];
  for (let j = 0; j < alpha.length; j++) if (alpha[j] !== 0) parts.push(`${alpha[j] > 0 ? '+' : '-'}${j}`);
  return parts.join(',');
}

/**
 * The minimiser of ½‖K_Sα_S − y‖² + μ σᵀα_S on the support S of α with the signs σ of α
 * (columns stored contiguously: column j at cols[j·n …]). Coordinates whose sign flips are dropped
 * from S and the system is solved again (a coefficient on its way to zero); null when nothing is
 * left or K_S is rank deficient.
 */
function polish(cols: Float64Array, y: Float64Array, alpha: Float64Array, mu: number, n: number): Float64Array | null {
  let S: number[] = [];
  for (let j = 0; j < alpha.length; j++) if (alpha[j] !== 0) S.push(j);
  while (S.length > 0 && S.length <= n) {
    const k = S.length;
    const G = Matrix.zeros(k, k);
    const rhs = Matrix.zeros(k, 1);
    for (let a = 0; a < k; a++) {
      const oa = S[a] * n;
      let t = 0;
      for (let i = 0; i < n; i++) t += cols[oa + i] * y[i];
      rhs.data[a] = t - mu * Math.sign(alpha[S[a]]);
      for (let b = 0; b <= a; b++) {
        const ob = S[b] * n;
        let g = 0;
        for (let i = 0; i < n; i++) g += cols[oa + i] * cols[ob + i];
        G.data[a * k + b] = g;
        G.data[b * k + a] = g;
      }
    }
    let sol: Matrix<Float64Array>;
    try {
      sol = solve(G, rhs);
    } catch {
      return null;
    }
    const keep = S.filter((j, a) => Number.isFinite(sol.data[a]) && Math.sign(sol.data[a]) === Math.sign(alpha[j]));
    if (keep.length === k) {
      const out = new Float64Array(alpha.length);
      S.forEach((j, a) => (out[j] = sol.data[a]));
      return out;
    }
    S = keep;
  }
  return null;
}

/** Dense x ↦ K x over a column-centred copy (row-major n × m). */
function denseMap(K: Float64Array, n: number, m: number): LinearMap {
  return {
    inDim: m,
    outDim: n,
    apply(x, out) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        const o = i * m;
        for (let j = 0; j < m; j++) s += K[o + j] * x[j];
        out[i] = s;
      }
    },
    adjoint(z, out) {
      out.fill(0);
      for (let i = 0; i < n; i++) {
        const zi = z[i];
        if (zi === 0) continue;
        const o = i * m;
        for (let j = 0; j < m; j++) out[j] += K[o + j] * zi;
      }
    },
  };
}

/**
 * Solve the Lasso with free intercept over the dictionary K (n × m) with a duality-gap certificate.
 *
 * @example
 *   const r = solveLasso(rampDictionary([-2, -1, 0, 1, 2]).K, [1, -1, 0.5, 2, 0], { lambda: 0.1 });
 *   r.objective; // 0.65 (SPEC fixture X4)
 */
export function solveLasso(K: Matrix<Float64Array>, y: ArrayLike<number>, options: LassoOptions): LassoResult {
  const t0 = performance.now();
  const n = K.rows;
  const m = K.cols;
  if (n === 0) throw new CvxnnError('EMPTY_DATA', 'the Lasso needs at least one sample; the dictionary has no rows');
  assertShape(y.length === n, `the dictionary has ${n} rows but there are ${y.length} targets; pass one target per sample`);
  K.assertFinite('the dictionary K');
  for (let i = 0; i < n; i++) if (!Number.isFinite(y[i])) throw new CvxnnError('NON_FINITE', `target ${i} is ${y[i]}; remove or impute non-finite values first`);
  const lambda = options.lambda;
  assertOption(typeof lambda === 'number' && Number.isFinite(lambda) && lambda > 0, `lambda must be a finite number > 0, got ${lambda}`);
  const scale = options.scale ?? 'sum';
  assertOption(scale === 'sum' || scale === 'mean', `scale must be sum or mean, got '${String(scale)}'`);
  const solverOpt = options.solver ?? 'auto';
  assertOption(['auto', 'fista', 'cd'].includes(solverOpt), `unknown Lasso solver '${solverOpt}'; use auto, fista or cd`);
  const solver: 'fista' | 'cd' = solverOpt === 'fista' ? 'fista' : 'cd';
  const tol = options.tol ?? 1e-9;
  assertOption(Number.isFinite(tol) && tol > 0, `tol must be > 0, got ${tol}`);
  const maxIters = options.maxIters ?? 200000;
  assertOption(Number.isInteger(maxIters) && maxIters > 0, `maxIters must be a positive integer, got ${maxIters}`);
  const timeLimit = options.timeLimit ?? Infinity;
  assertOption(options.lambdaPath === undefined || (Number.isInteger(options.lambdaPath) && options.lambdaPath >= 2), `lambdaPath must be an integer ≥ 2, got ${options.lambdaPath}`);
  if (options.x0) assertShape(options.x0.length === m, `the warm start has ${options.x0.length} entries, expected ${m}`);
  const intercept = options.intercept ?? true;
  const s = scale === 'mean' ? 1 / n : 1;

  // centre (exact elimination of the free intercept)
  const mu = new Float64Array(m);
  let ybar = 0;
  if (intercept) {
    for (let i = 0; i < n; i++) {
      ybar += y[i];
      for (let j = 0; j < m; j++) mu[j] += K.get(i, j);
    }
    ybar /= n;
    for (let j = 0; j < m; j++) mu[j] /= n;
  }
  const Kc = new Float64Array(n * m);
  const yc = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    yc[i] = y[i] - ybar;
    for (let j = 0; j < m; j++) Kc[i * m + j] = K.get(i, j) - mu[j];
  }
  const map = denseMap(Kc, n, m);

  // λ_max and the duality gap
  const g = new Float64Array(m);
  map.adjoint(yc, g);
  let lmax = 0;
  for (const v of g) lmax = Math.max(lmax, s * Math.abs(v));
  const R = new Float64Array(n);
  let bestDual = -Infinity;
  const evaluate = (alpha: Float64Array, F: Float64Array, lam: number) => {
    let data = 0;
    for (let i = 0; i < n; i++) {
      const r = F[i] - yc[i];
      R[i] = s * r;
      data += r * r;
    }
    data *= s / 2;
    let l1 = 0;
    for (const a of alpha) l1 += Math.abs(a);
    map.adjoint(R, g);
    let gm = 0;
    for (const v of g) gm = Math.max(gm, Math.abs(v));
    const theta = gm > lam ? lam / gm : 1;
    // −ℓ*(z) for ℓ = (s/2)‖F − y_c‖²: ℓ*(z) = ‖z‖²/(2s) + ⟨z, y_c⟩
    let zz = 0;
    let zy = 0;
    for (let i = 0; i < n; i++) {
      const z = theta * R[i];
      zz += z * z;
      zy += z * yc[i];
    }
    bestDual = Math.max(bestDual, -(zz / (2 * s) + zy));
    const primal = data + lam * l1;
    const gap = Math.max(0, primal - bestDual);
    return { primal, data, penalty: lam * l1, gap, rel: gap / Math.max(Math.abs(primal), 1e-300) };
  };

  const grid: number[] = [];
  if (options.lambdaPath && lmax > lambda) {
    const P = options.lambdaPath;
    for (let k = 0; k < P; k++) grid.push(lmax * Math.pow(lambda / lmax, (k + 1) / P));
  } else grid.push(lambda);

  const history: HistoryPoint[] = [];
  const path: PathPoint[] = [];
  let alpha = options.x0 ? Float64Array.from(options.x0) : new Float64Array(m);
  let iterations = 0;
  let converged = false;
  let timedOut = false;
  let last = { primal: 0, data: 0, penalty: 0, gap: 0, rel: 0 };
  const F = new Float64Array(n);
  const elapsed = () => (performance.now() - t0) / 1000;

  for (const lam of grid) {
    bestDual = -Infinity;
    const before = iterations;
    converged = false;
    if (solver === 'fista') {
      const r = rfista(
        { dim: m, terms: [{ map, fn: dataLoss('squared', scale, Matrix.column(yc)) }], penalty: frobeniusGroupPenalty(lam, 1, m, 1) },
        {
          x0: alpha,
          maxIters: Math.max(1, maxIters - iterations),
          timeLimit: timeLimit - elapsed(),
          checkEvery: 10,
          check: (x, Ax, it) => {
            last = evaluate(x, Ax[0], lam);
            history.push({ iteration: before + it, timeSeconds: elapsed(), objective: last.primal, certificate: last.rel });
            return last.rel <= tol;
          },
        },
      );
      alpha = Float64Array.from(r.x);
      iterations += r.iterations;
      converged = r.converged;
      timedOut = r.timedOut;
    } else {
      // cyclic coordinate descent on the centred problem; columns stored contiguously
      const cols = new Float64Array(m * n);
      const cn = new Float64Array(m);
      for (let j = 0; j < m; j++) {
        let q = 0;
        for (let i = 0; i < n; i++) {
          const v = Kc[i * m + j];
          cols[j * n + i] = v;
          q += v * v;
        }
        cn[j] = s * q;
      }
      map.apply(alpha, F);
      const r = new Float64Array(n);
      for (let i = 0; i < n; i++) r[i] = yc[i] - F[i];
      let lastKey = '';
      for (let sweep = 0; ; sweep++) {
        if (sweep % 5 === 0) {
          for (let i = 0; i < n; i++) F[i] = yc[i] - r[i];
          last = evaluate(alpha, F, lam);
          history.push({ iteration: iterations, timeSeconds: elapsed(), objective: last.primal, certificate: last.rel });
          if (last.rel <= tol) {
            converged = true;
            break;
          }
          if (elapsed() > timeLimit) {
            timedOut = true;
            break;
          }
          // support polish: once the signed support has settled, its KKT system
          // K_SᵀK_S α_S = K_Sᵀy_c − (λ/s)σ gives the exact minimiser on that support; keep it when
          // the signs agree and the objective drops (the duality gap then certifies it)
          const key = supportKey(alpha);
          if (key === lastKey && key !== '') {
            const cand = polish(cols, yc, alpha, lam / s, n);
            if (cand) {
              map.apply(cand, F);
              const trial = evaluate(cand, F, lam);
              if (trial.primal < last.primal) {
                alpha = Float64Array.from(cand);
                last = trial;
                for (let i = 0; i < n; i++) r[i] = yc[i] - F[i];
                if (last.rel <= tol) {
                  converged = true;
                  history.push({ iteration: iterations, timeSeconds: elapsed(), objective: last.primal, certificate: last.rel });
                  break;
                }
              }
            }
          }
          lastKey = key;
        }
        if (iterations >= maxIters) break;
        iterations++;
        for (let j = 0; j < m; j++) {
          if (cn[j] === 0) continue;
          const o = j * n;
          let rho = 0;
          for (let i = 0; i < n; i++) rho += cols[o + i] * r[i];
          const old = alpha[j];
          const u = s * rho + cn[j] * old;
          const a = u > lam ? (u - lam) / cn[j] : u < -lam ? (u + lam) / cn[j] : 0;
          if (a !== old) {
            const dlt = a - old;
            for (let i = 0; i < n; i++) r[i] -= dlt * cols[o + i];
            alpha[j] = a;
          }
        }
      }
    }
    map.apply(alpha, F);
    last = evaluate(alpha, F, lam);
    let nnz = 0;
    for (const a of alpha) if (a !== 0) nnz++;
    path.push({ lambda: lam, objective: last.primal, certificate: last.rel, activeNeurons: nnz, iterations: iterations - before });
    if (!converged) break;
  }
  if (last.rel <= tol) converged = true;

  let c = 0;
  if (intercept) {
    c = ybar;
    for (let j = 0; j < m; j++) c -= mu[j] * alpha[j];
  }
  const prediction = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = c;
    for (let j = 0; j < m; j++) v += K.get(i, j) * alpha[j];
    prediction[i] = v;
  }
  const active: number[] = [];
  for (let j = 0; j < m; j++) if (alpha[j] !== 0) active.push(j);
  const result: LassoResult = {
    status: converged ? 'optimal' : timedOut ? 'time-limit' : 'max-iterations',
    objective: last.primal,
    dataTerm: last.data,
    penalty: last.penalty,
    certificate: { kind: 'duality-gap', value: last.rel, absolute: last.gap },
    iterations,
    timeSeconds: elapsed(),
    solver,
    lambda,
    lambdaMax: lmax,
    scale,
    alpha,
    intercept: c,
    active,
    prediction,
    history,
  };
  if (options.lambdaPath) result.path = path;
  return result;
}
