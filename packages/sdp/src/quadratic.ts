/** The quadratic measurement operator 𝒳(A)_t = x_tᵀ A x_t and its adjoint 𝒳*(r) = Σ_t r_t x_t x_tᵀ. */
import { CvxnnError, Matrix, assertFinite, assertShape } from '@cvxnn/linalg';

/**
 * Validate a sample matrix X (N×d, finite, non-empty).
 *
 * @example
 *   checkSamples(Matrix.from([[1, 2]]));
 */
export function checkSamples(X: Matrix, what = 'X'): void {
  if (X.rows === 0 || X.cols === 0) throw new CvxnnError('EMPTY_DATA', `${what} is empty (${X.rows}×${X.cols}); pass at least one sample with at least one feature`);
  assertFinite(X.clone().data, what, X.cols);
}

/**
 * 𝒳(A): the N values x_tᵀ A x_t for the rows x_t of X.
 *
 * @example
 *   quadForms(Matrix.from([[1, 1]]), Matrix.eye(2)); // [2]
 */
export function quadForms(X: Matrix, A: Matrix, out = new Float64Array(X.rows)): Float64Array {
  assertShape(A.rows === X.cols && A.cols === X.cols, `A is ${A.rows}×${A.cols} but the samples have d = ${X.cols}`);
  const d = X.cols;
  const xa = new Float64Array(d);
  for (let t = 0; t < X.rows; t++) {
    const xo = X.offset + t * X.stride;
    xa.fill(0);
    for (let i = 0; i < d; i++) {
      const xi = X.data[xo + i];
      if (xi === 0) continue;
      const ao = A.offset + i * A.stride;
      for (let j = 0; j < d; j++) xa[j] += xi * A.data[ao + j];
    }
    let s = 0;
    for (let j = 0; j < d; j++) s += xa[j] * X.data[xo + j];
    out[t] = s;
  }
  return out;
}

/**
 * 𝒳*(r) = Σ_t r_t x_t x_tᵀ (a symmetric d×d matrix).
 *
 * @example
 *   quadAdjoint(Matrix.from([[1, 0]]), [2]); // [[2, 0], [0, 0]]
 */
export function quadAdjoint(X: Matrix, r: ArrayLike<number>, out?: Matrix): Matrix {
  assertShape(r.length === X.rows, `r has ${r.length} entries but X has ${X.rows} rows`);
  const d = X.cols;
  const B = out ?? Matrix.zeros(d, d);
  B.data.fill(0);
  for (let t = 0; t < X.rows; t++) {
    const rt = r[t];
    if (rt === 0) continue;
    const xo = X.offset + t * X.stride;
    for (let i = 0; i < d; i++) {
      const v = rt * X.data[xo + i];
      if (v === 0) continue;
      const bo = i * d;
      for (let j = i; j < d; j++) B.data[bo + j] += v * X.data[xo + j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) B.data[i * d + j] = B.data[j * d + i];
  return B;
}

/**
 * Gram matrix of the measurement operator, K_ts = (x_tᵀ x_s)² (= 𝒳𝒳*).
 *
 * @example
 *   quadGram(Matrix.from([[1, 1]])); // [[4]]
 */
export function quadGram(X: Matrix): Matrix {
  const N = X.rows;
  const K = Matrix.zeros(N, N);
  for (let t = 0; t < N; t++) for (let s = t; s < N; s++) {
    let g = 0;
    for (let j = 0; j < X.cols; j++) g += X.get(t, j) * X.get(s, j);
    K.data[t * N + s] = g * g;
    K.data[s * N + t] = g * g;
  }
  return K;
}

/**
 * Largest eigenvalue of a symmetric PSD matrix by power iteration, inflated by a safety factor.
 *
 * @example
 *   lambdaMaxUpper(Matrix.eye(3)); // ≥ 1
 */
export function lambdaMaxUpper(K: Matrix, iters = 100, safety = 1.02): number {
  const n = K.rows;
  let v = new Float64Array(n).map((_, i) => 1 + ((i * 7919) % 13) / 13);
  let lam = 0;
  for (let it = 0; it < iters; it++) {
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += K.data[i * n + j] * v[j];
      w[i] = s;
    }
    let nw = 0;
    let nv = 0;
    for (let i = 0; i < n; i++) {
      nw += w[i] * w[i];
      nv += v[i] * v[i];
    }
    nw = Math.sqrt(nw);
    if (nw === 0) return 0;
    lam = nw / Math.sqrt(nv);
    v = w.map((x) => x / nw);
  }
  return lam * safety;
}

/**
 * Dense Cholesky factorisation in place (lower triangle), returning false when not positive definite.
 *
 * @example
 *   const L = Float64Array.of(4); choleskyInPlace(L, 1); // L = [2]
 */
export function choleskyInPlace(a: Float64Array, n: number, rel = 1e-13): boolean {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, a[i * n + i]);
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j];
    for (let k = 0; k < j; k++) s -= a[j * n + k] * a[j * n + k];
    if (!(s > rel * maxDiag)) return false;
    const l = Math.sqrt(s);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j];
      for (let k = 0; k < j; k++) t -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = t / l;
    }
  }
  return true;
}

/**
 * Solve L Lᵀ x = b in place given the factor from `choleskyInPlace`.
 *
 * @example
 *   choleskySolve(L, n, b);
 */
export function choleskySolve(L: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * b[k];
    b[i] = s / L[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * b[k];
    b[i] = s / L[i * n + i];
  }
  return b;
}
