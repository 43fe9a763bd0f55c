/**
 * Trace-norm and nuclear-norm proximal methods: eigenvalue soft-thresholding, SVT, and an
 * accelerated proximal gradient (FISTA with function-value restarts) for the k = 1 RedEx problem
 *
 *   min_{A ∈ S^d}  ½ Σ_t (x_tᵀ A x_t − y_t)²  +  λ₁ ‖A‖_Tr  +  λ₂ ‖A‖_F²          (cvxnn convention)
 *
 * λ₂ is applied as written. SEED 000 / SPEC §6.3 writes the paper's regulariser as
 * λ₁‖A‖_Tr + 2λ₂'‖A‖_F²; that is this problem with λ₂ = 2λ₂'.
 */
import { CvxnnError, Matrix, type OptionSpec, assertFinite, assertMatrix, assertOption, assertShape, checkOptions, svd } from '@cvxnn/linalg';
import { NUCLEAR_NORM_OPTIONS, TRACE_NORM_OPTIONS } from './option-specs.js';
import { checkSamples, lambdaMaxUpper, quadAdjoint, quadForms, quadGram } from './quadratic.js';
import { assertSymmetric, spectralMap, symEig } from './sym.js';

/**
 * Prox of t‖·‖_Tr on symmetric matrices: Q diag(sign(λ)(|λ| − t)_+) Qᵀ.
 *
 * @example
 *   eigSoftThreshold(Matrix.from([[3, 0], [0, -0.5]]), 1); // diag(2, 0)
 */
export function eigSoftThreshold(A: Matrix, t: number): Matrix {
  assertOption(Number.isFinite(t) && t >= 0, `threshold must be finite and ≥ 0, got ${t}`);
  assertSymmetric(A, 'A');
  return spectralMap(A, (l) => Math.sign(l) * Math.max(Math.abs(l) - t, 0));
}

/**
 * Singular value thresholding: prox of t‖·‖_* (nuclear norm) for any m×n matrix,
 * U diag((σ − t)_+) Vᵀ; the minimiser of ½‖Z − Y‖_F² + t‖Z‖_*.
 *
 * @example
 *   svt(Matrix.from([[3, 0], [0, 1]]), 2); // diag(1, 0)
 */
export function svt(Y: Matrix, t: number): Matrix {
  return svtWithValues(Y, t).Z;
}

/** SVT returning also the thresholded singular values (σ − t)_+ (descending). */
function svtWithValues(Y: Matrix, t: number): { Z: Matrix; values: Float64Array } {
  assertOption(Number.isFinite(t) && t >= 0, `threshold must be finite and ≥ 0, got ${t}`);
  if (Y.rows === 0 || Y.cols === 0) throw new CvxnnError('EMPTY_DATA', `svt needs a non-empty matrix, got ${Y.rows}×${Y.cols}`);
  assertFinite(Y.clone().data, 'Y', Y.cols);
  const transpose = Y.rows < Y.cols;
  const M = transpose ? Y.transpose() : Y.clone();
  const { U, s, V } = svd(M);
  const r = s.length;
  const Z = Matrix.zeros(M.rows, M.cols);
  const values = new Float64Array(r);
  for (let k = 0; k < r; k++) {
    const w = Math.max(s[k] - t, 0);
    values[k] = w;
    if (w === 0) continue;
    for (let i = 0; i < M.rows; i++) {
      const wi = w * U.get(i, k);
      for (let j = 0; j < M.cols; j++) Z.data[i * M.cols + j] += wi * V.get(j, k);
    }
  }
  return { Z: transpose ? Z.transpose() : Z, values };
}

/**
 * Nuclear norm ‖Y‖_* = Σ σ_k(Y).
 *
 * @example
 *   nuclearNorm(Matrix.from([[3, 0], [0, -1]])); // 4
 */
export function nuclearNorm(Y: Matrix): number {
  const M = Y.rows < Y.cols ? Y.transpose() : Y.clone();
  return svd(M).s.reduce((a, b) => a + b, 0);
}

/** Options of `traceNormRegression`. */
export interface TraceNormOptions {
  /** weight of ‖A‖_Tr (≥ 0) */
  lambda1: number;
  /** weight of ‖A‖_F² as written (≥ 0; default 0) */
  lambda2?: number;
  /** stop when the duality gap ≤ tol · max(1, |objective|) (default 1e-9) */
  tol?: number;
  maxIterations?: number;
  /** warm start (symmetric d×d) */
  warmStart?: Matrix;
  /** wall-clock limit in seconds */
  timeLimit?: number;
}

/** Result of `traceNormRegression`: the solution and its duality-gap certificate. */
export interface TraceNormResult {
  A: Matrix;
  objective: number;
  dataTerm: number;
  penalty: number;
  /** a lower bound on the optimum from the Fenchel dual at u = (scaled) residual */
  dualObjective: number;
  /** objective − dualObjective ≥ 0 */
  gap: number;
  status: 'optimal' | 'max-iterations' | 'time-limit';
  iterations: number;
  timeSeconds: number;
  eigenvalues: Float64Array;
  rank: number;
  history: Array<{ iteration: number; timeSeconds: number; objective: number; certificate: number }>;
}

/**
 * Objective of the k = 1 RedEx problem ½Σ(xᵀAx − y)² + λ₁‖A‖_Tr + λ₂‖A‖_F².
 *
 * @example
 *   traceNormObjective(X, y, A, 0.1, 0);
 */
export function traceNormObjective(X: Matrix, y: ArrayLike<number>, A: Matrix, lambda1: number, lambda2 = 0): { objective: number; dataTerm: number; penalty: number } {
  const f = quadForms(X, A);
  let data = 0;
  for (let t = 0; t < f.length; t++) data += 0.5 * (f[t] - y[t]) ** 2;
  const ev = symEig(A).values;
  let tr = 0;
  let fro = 0;
  for (const l of ev) {
    tr += Math.abs(l);
    fro += l * l;
  }
  const penalty = lambda1 * tr + lambda2 * fro;
  return { objective: data + penalty, dataTerm: data, penalty };
}

/**
 * Fenchel-dual lower bound for the k = 1 problem at dual point u = s·r (r = 𝒳A − y), s chosen
 * optimally on [0, s_max] (s_max keeps ‖𝒳*u‖_sp ≤ λ₁ when λ₂ = 0).
 *
 *   d(u) = −½‖u‖² − ⟨u, y⟩ − g*(−𝒳*u),   g*(B) = Σ_j (|β_j| − λ₁)_+² / (4λ₂)
 */
function dualBound(X: Matrix, y: ArrayLike<number>, r: Float64Array, lambda1: number, lambda2: number): number {
  return scaledResidualBound(symEig(quadAdjoint(X, r)).values, r, y, lambda1, lambda2);
}

/**
 * The Fenchel bound shared by the trace-norm and nuclear-norm problems: for a residual r and the
 * spectrum β (eigenvalues, or singular values) of the adjoint at r, the best d(s·r) over s ≥ 0.
 */
function scaledResidualBound(spectrum: ArrayLike<number>, r: ArrayLike<number>, y: ArrayLike<number>, lambda1: number, lambda2: number): number {
  const beta = Array.from(spectrum);
  let rr = 0;
  let ry = 0;
  for (let t = 0; t < r.length; t++) {
    rr += r[t] * r[t];
    ry += r[t] * y[t];
  }
  const value = (s: number): number => {
    let gs = 0;
    if (lambda2 > 0) for (const b of beta) gs += Math.max(Math.abs(s * b) - lambda1, 0) ** 2 / (4 * lambda2);
    return -0.5 * s * s * rr - s * ry - gs;
  };
  if (rr === 0) return 0;
  if (lambda2 === 0) {
    const bmax = Math.max(0, ...beta.map(Math.abs));
    const sMax = bmax > 0 ? lambda1 / bmax : Infinity;
    const s = Math.min(Math.max(-ry / rr, 0), sMax);
    return value(s);
  }
  // concave in s: golden-section search on [0, 4] around the natural choice s = 1
  let lo = 0;
  let hi = 4;
  const g = (Math.sqrt(5) - 1) / 2;
  let a = hi - g * (hi - lo);
  let b = lo + g * (hi - lo);
  let fa = value(a);
  let fb = value(b);
  for (let it = 0; it < 80; it++) {
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
  return Math.max(value(1), value(0.5 * (lo + hi)));
}

/** One certificate evaluation of an accelerated proximal solve. */
interface Certified {
  objective: number;
  dual: number;
}

type ProxHistory = Array<{ iteration: number; timeSeconds: number; objective: number; certificate: number }>;

/**
 * FISTA with function-value restarts (O'Donoghue & Candès) and a duality-gap stopping rule, shared by
 * the trace-norm and nuclear-norm solvers. `gradient(Y)` is the gradient of the smooth part at Y;
 * `prox(Z)` returns prox_{step·g}(Z) with the full objective F at that point (computed from the
 * thresholded spectrum, so no second decomposition); `certify(X)` gives the objective and a dual
 * lower bound, checked every 10 iterations.
 */
function fistaWithRestarts(
  x0: Matrix,
  step: number,
  gradient: (Y: Matrix) => Matrix,
  prox: (Z: Matrix) => { X: Matrix; value: number },
  certify: (X: Matrix) => Certified,
  opts: { tol: number; maxIterations: number; timeLimit?: number; t0: number },
): { X: Matrix; status: 'optimal' | 'max-iterations' | 'time-limit'; iterations: number; history: ProxHistory } {
  const size = x0.rows * x0.cols;
  let A = x0.clone();
  let Yk = A.clone();
  let tk = 1;
  let Fprev = Infinity;
  const history: ProxHistory = [];
  let status: 'optimal' | 'max-iterations' | 'time-limit' = 'max-iterations';
  let it = 0;
  for (it = 1; it <= opts.maxIterations; it++) {
    const G = gradient(Yk);
    const Z = Matrix.zeros(x0.rows, x0.cols);
    for (let q = 0; q < size; q++) Z.data[q] = Yk.data[q] - step * G.data[q];
    const { X: Anew, value: Fnew } = prox(Z);
    if (Fnew > Fprev && tk > 1) {
      // function-value restart: drop the momentum and redo the step from A
      tk = 1;
      Yk = A.clone();
      continue;
    }
    const tnext = (1 + Math.sqrt(1 + 4 * tk * tk)) / 2;
    const mom = (tk - 1) / tnext;
    const Ynew = Matrix.zeros(x0.rows, x0.cols);
    for (let q = 0; q < size; q++) Ynew.data[q] = Anew.data[q] + mom * (Anew.data[q] - A.data[q]);
    A = Anew;
    Yk = Ynew;
    tk = tnext;
    Fprev = Fnew;
    if (it % 10 === 0 || it === opts.maxIterations) {
      const c = certify(A);
      const gap = c.objective - c.dual;
      const el = (performance.now() - opts.t0) / 1000;
      history.push({ iteration: it, timeSeconds: el, objective: c.objective, certificate: gap });
      if (gap <= opts.tol * Math.max(1, Math.abs(c.objective))) {
        status = 'optimal';
        break;
      }
      if (opts.timeLimit !== undefined && el > opts.timeLimit) {
        status = 'time-limit';
        break;
      }
    }
  }
  return { X: A, status, iterations: Math.min(it, opts.maxIterations), history };
}

/** Keys and types of a regression call's options, then λ₁, λ₂ ≥ 0 and not both 0. */
function checkLambdas<T extends TraceNormOptions | NuclearNormOptions>(fn: string, opts: T, spec: OptionSpec<T>): { lambda1: number; lambda2: number } {
  assertOption(opts !== null && typeof opts === 'object', `${fn}: pass options { lambda1 }`);
  checkOptions(fn, opts, spec);
  const lambda1 = opts.lambda1;
  const lambda2 = opts.lambda2 ?? 0;
  assertOption(Number.isFinite(lambda1) && lambda1 >= 0, `${fn}: option 'lambda1' must be a finite number ≥ 0, got ${lambda1}`);
  assertOption(Number.isFinite(lambda2) && lambda2 >= 0, `${fn}: option 'lambda2' must be a finite number ≥ 0, got ${lambda2}`);
  assertOption(lambda1 > 0 || lambda2 > 0, `${fn}: lambda1 and lambda2 are both 0: the problem has no certificate (and may have no unique solution); set lambda1 > 0`);
  return { lambda1, lambda2 };
}

/**
 * Solve the k = 1 RedEx / trace-norm regression problem by FISTA with restarts; the step is 1/L
 * with L ≥ λ_max((x_tᵀx_s)²) + 2λ₂, the certificate is the Fenchel duality gap.
 *
 * @example
 *   const res = traceNormRegression(X, y, { lambda1: 0.1 });
 *   res.gap <= 1e-9 * Math.max(1, res.objective); // certified
 */
export function traceNormRegression(X: Matrix, y: ArrayLike<number>, opts: TraceNormOptions): TraceNormResult {
  const t0 = performance.now();
  const fn = 'traceNormRegression';
  assertMatrix(fn, 'X', X);
  checkSamples(X);
  assertShape(y !== null && typeof y === 'object' && y.length === X.rows, `${fn}: X has ${X.rows} rows but y has ${y?.length} entries`);
  assertFinite(y, 'y');
  const { lambda1, lambda2 } = checkLambdas(fn, opts, TRACE_NORM_OPTIONS);
  const tol = opts.tol ?? 1e-9;
  const maxIt = opts.maxIterations ?? 20000;
  assertOption(tol > 0, `${fn}: option 'tol' must be > 0, got ${tol}`);
  assertOption(Number.isInteger(maxIt) && maxIt > 0, `${fn}: option 'maxIterations' must be a positive integer, got ${maxIt}`);
  const d = X.cols;
  const N = X.rows;
  const L = lambdaMaxUpper(quadGram(X)) + 2 * lambda2;
  const step = L > 0 ? 1 / L : 1;
  let A = opts.warmStart ? opts.warmStart.clone() : Matrix.zeros(d, d);
  if (opts.warmStart) {
    assertShape(A.rows === d && A.cols === d, `warmStart is ${A.rows}×${A.cols}, expected ${d}×${d}`);
    assertSymmetric(A, 'warmStart');
  }
  const f = new Float64Array(N);
  const r = new Float64Array(N);
  const soft = (l: number) => Math.sign(l) * Math.max(Math.abs(l) - step * lambda1, 0);
  const certify = (M: Matrix) => {
    const o = traceNormObjective(X, y, M, lambda1, lambda2);
    quadForms(X, M, f);
    for (let t = 0; t < N; t++) r[t] = f[t] - y[t];
    return { ...o, dual: dualBound(X, y, r, lambda1, lambda2) };
  };
  const run = fistaWithRestarts(
    A,
    step,
    (Yk) => {
      // 𝒳*(𝒳Yk − y) + 2λ₂ Yk
      quadForms(X, Yk, f);
      for (let t = 0; t < N; t++) r[t] = f[t] - y[t];
      const G = quadAdjoint(X, r);
      for (let q = 0; q < d * d; q++) G.data[q] += 2 * lambda2 * Yk.data[q];
      return G;
    },
    (Z) => {
      const eZ = symEig(Z);
      const Anew = spectralMap(Z, soft, eZ);
      // the eigenvalues of Anew are soft(λ(Z))
      let value = 0;
      for (const l of eZ.values) {
        const a = soft(l);
        value += lambda1 * Math.abs(a) + lambda2 * a * a;
      }
      quadForms(X, Anew, f);
      for (let t = 0; t < N; t++) value += 0.5 * (f[t] - y[t]) ** 2;
      return { X: Anew, value };
    },
    certify,
    { tol, maxIterations: maxIt, timeLimit: opts.timeLimit, t0 },
  );
  A = run.X;
  const { status, history } = run;
  const obj = certify(A);
  const dual = obj.dual;
  const eigenvalues = symEig(A).values;
  const emax = Math.max(0, ...eigenvalues.map(Math.abs));
  return {
    A,
    objective: obj.objective,
    dataTerm: obj.dataTerm,
    penalty: obj.penalty,
    dualObjective: dual,
    gap: obj.objective - dual,
    status,
    iterations: run.iterations,
    timeSeconds: (performance.now() - t0) / 1000,
    eigenvalues,
    rank: eigenvalues.filter((l) => Math.abs(l) > 1e-8 * Math.max(1, emax)).length,
    history,
  };
}

/**
 * Options of `nuclearNormRegression`: those of `traceNormRegression`, λ₁ weighting ‖W‖_* and λ₂
 * ‖W‖_F², with a d×c warm start.
 */
export interface NuclearNormOptions extends Omit<TraceNormOptions, 'warmStart'> {
  /** warm start (d×c) */
  warmStart?: Matrix;
}

/** Result of `nuclearNormRegression`: the solution and its duality-gap certificate (fields as in `TraceNormResult`). */
export interface NuclearNormResult extends Omit<TraceNormResult, 'A' | 'eigenvalues'> {
  W: Matrix;
  /** singular values of W, descending */
  singularValues: Float64Array;
}

function matmulPlain(A: Matrix, B: Matrix, transA = false): Matrix {
  const m = transA ? A.cols : A.rows;
  const kk = transA ? A.rows : A.cols;
  const n = B.cols;
  const C = Matrix.zeros(m, n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < kk; p++) {
      const a = transA ? A.get(p, i) : A.get(i, p);
      if (a === 0) continue;
      for (let j = 0; j < n; j++) C.data[i * n + j] += a * B.get(p, j);
    }
  }
  return C;
}

function singularValues(M: Matrix): Float64Array {
  const T = M.rows < M.cols ? M.transpose() : M.clone();
  return svd(T).s;
}

/**
 * Objective ½‖XW − Y‖_F² + λ₁‖W‖_* + λ₂‖W‖_F² of reduced-rank (nuclear-norm) regression.
 *
 * @example
 *   nuclearNormObjective(Matrix.eye(2), Matrix.from([[3, 0], [0, 1]]), Matrix.from([[1, 0], [0, 0]]), 2).objective; // 4.5
 */
export function nuclearNormObjective(X: Matrix, Y: Matrix, W: Matrix, lambda1: number, lambda2 = 0): { objective: number; dataTerm: number; penalty: number } {
  const F = matmulPlain(X, W);
  let data = 0;
  for (let t = 0; t < Y.rows; t++) for (let j = 0; j < Y.cols; j++) data += 0.5 * (F.get(t, j) - Y.get(t, j)) ** 2;
  let nuc = 0;
  let fro = 0;
  for (const s of singularValues(W)) {
    nuc += s;
    fro += s * s;
  }
  const penalty = lambda1 * nuc + lambda2 * fro;
  return { objective: data + penalty, dataTerm: data, penalty };
}

/**
 * Nuclear-norm (reduced-rank) regression with a certificate:
 *
 *   min_{W ∈ R^{d×c}}  ½ ‖X W − Y‖_F²  +  λ₁ ‖W‖_*  +  λ₂ ‖W‖_F²      (λ₂ as written)
 *
 * by FISTA with function-value restarts and singular value thresholding (step 1/L, L = σ_max(X)² +
 * 2λ₂ from an eigendecomposition of XᵀX). The certificate is the Fenchel duality gap at the
 * scaled residual U = s(XW − Y): d(U) = −½‖U‖² − ⟨U, Y⟩ − g*(−XᵀU), with g* the conjugate of
 * λ₁‖·‖_* + λ₂‖·‖_F² (for λ₂ = 0 the constraint ‖XᵀU‖_sp ≤ λ₁). With X = I the solution is the
 * closed form SVT(Y, λ₁)/(1 + 2λ₂). This is the linear vector-output model of SPEC §2.8 (B14).
 *
 * @example
 *   const res = nuclearNormRegression(X, Y, { lambda1: 0.5 });
 *   res.rank; res.gap <= 1e-9 * Math.max(1, res.objective); // low rank, certified
 */
export function nuclearNormRegression(X: Matrix, Yin: Matrix | ArrayLike<number>, opts: NuclearNormOptions): NuclearNormResult {
  const t0 = performance.now();
  const fn = 'nuclearNormRegression';
  assertMatrix(fn, 'X', X);
  if (X.rows === 0 || X.cols === 0) throw new CvxnnError('EMPTY_DATA', `X is ${X.rows}×${X.cols}; nuclearNormRegression needs at least one sample and one feature`);
  X.assertFinite('X');
  const Y = Yin instanceof Matrix ? Yin : Matrix.fromArray(Yin.length, 1, Yin);
  assertShape(Y.rows === X.rows, `X has ${X.rows} rows but Y has ${Y.rows}; pass one target row per sample`);
  if (Y.cols === 0) throw new CvxnnError('EMPTY_DATA', 'Y has no columns (no outputs)');
  Y.assertFinite('Y');
  const { lambda1, lambda2 } = checkLambdas(fn, opts, NUCLEAR_NORM_OPTIONS);
  const tol = opts.tol ?? 1e-9;
  const maxIt = opts.maxIterations ?? 20000;
  assertOption(Number.isFinite(tol) && tol > 0, `tol must be > 0, got ${tol}`);
  assertOption(Number.isInteger(maxIt) && maxIt > 0, `maxIterations must be a positive integer, got ${maxIt}`);
  const d = X.cols;
  const c = Y.cols;
  const n = X.rows;
  const Xc = X.clone();
  const Yc = Y.clone();
  const XtY = matmulPlain(Xc, Yc, true);
  const XtX = matmulPlain(Xc, Xc, true);
  const L = Math.max(0, ...symEig(XtX).values) * (1 + 1e-12) + 2 * lambda2;
  const step = L > 0 ? 1 / L : 1;
  let W = Matrix.zeros(d, c);
  if (opts.warmStart) {
    assertShape(opts.warmStart.rows === d && opts.warmStart.cols === c, `warmStart is ${opts.warmStart.rows}×${opts.warmStart.cols}, expected ${d}×${c}`);
    W = opts.warmStart.clone().assertFinite('warmStart');
  }
  // smooth part and its gradient through the d×d / d×c Gram matrices: ½‖XW − Y‖² = ½⟨W, XᵀXW⟩ − ⟨W, XᵀY⟩ + ½‖Y‖²
  const residual = (M: Matrix): Float64Array => {
    const F = matmulPlain(Xc, M);
    const r = new Float64Array(n * c);
    for (let q = 0; q < n * c; q++) r[q] = F.data[q] - Yc.data[q];
    return r;
  };
  const certificate = (M: Matrix): { obj: ReturnType<typeof nuclearNormObjective>; dual: number } => {
    const obj = nuclearNormObjective(Xc, Yc, M, lambda1, lambda2);
    const r = residual(M);
    const beta = singularValues(matmulPlain(Xc, new Matrix(n, c, r), true));
    return { obj, dual: scaledResidualBound(beta, r, Yc.data, lambda1, lambda2) };
  };
  let yy = 0;
  for (let q = 0; q < n * c; q++) yy += Yc.data[q] ** 2;
  const run = fistaWithRestarts(
    W,
    step,
    (Yk) => {
      // Xᵀ(X Yk − Y) + 2λ₂ Yk = XᵀX Yk − XᵀY + 2λ₂ Yk
      const G = matmulPlain(XtX, Yk);
      for (let q = 0; q < d * c; q++) G.data[q] += 2 * lambda2 * Yk.data[q] - XtY.data[q];
      return G;
    },
    (Z) => {
      const { Z: Wnew, values } = svtWithValues(Z, step * lambda1);
      // F(Wnew) from the thresholded singular values and ½‖XW − Y‖² = ½⟨W, XᵀXW⟩ − ⟨W, XᵀY⟩ + ½‖Y‖²
      let value = 0.5 * yy;
      for (const sv of values) value += lambda1 * sv + lambda2 * sv * sv;
      const XtXW = matmulPlain(XtX, Wnew);
      for (let q = 0; q < d * c; q++) value += Wnew.data[q] * (0.5 * XtXW.data[q] - XtY.data[q]);
      return { X: Wnew, value };
    },
    (M) => {
      const { obj, dual } = certificate(M);
      return { objective: obj.objective, dual };
    },
    { tol, maxIterations: maxIt, timeLimit: opts.timeLimit, t0 },
  );
  W = run.X;
  const { status, history } = run;
  const { obj, dual } = certificate(W);
  const sv = singularValues(W);
  const smax = sv.length ? sv[0] : 0;
  return {
    W,
    objective: obj.objective,
    dataTerm: obj.dataTerm,
    penalty: obj.penalty,
    dualObjective: dual,
    gap: obj.objective - dual,
    status,
    iterations: run.iterations,
    timeSeconds: (performance.now() - t0) / 1000,
    singularValues: sv,
    rank: Array.from(sv).filter((s) => s > 1e-8 * Math.max(1, smax)).length,
    history,
  };
}
