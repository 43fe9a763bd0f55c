/** Symmetric-matrix helpers shared by the prox, SDP and RedEx code (eigendecompositions via `eigh`). */
import { CvxnnError, Matrix, assertFinite, assertShape, eigh } from '@cvxnn/linalg';

/**
 * Throw unless `A` is a finite, square, symmetric matrix (relative tolerance `tol`).
 *
 * @example
 *   assertSymmetric(Matrix.from([[1, 2], [2, 1]]), 'A');
 */
export function assertSymmetric(A: Matrix, what: string, tol = 1e-10): void {
  assertShape(A.rows === A.cols, `${what} must be square, got ${A.rows}×${A.cols}`);
  const n = A.rows;
  let scale = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const v = A.get(i, j);
    if (!Number.isFinite(v)) throw new CvxnnError('NON_FINITE', `${what} has ${v} at (${i}, ${j}); remove non-finite values`);
    scale = Math.max(scale, Math.abs(v));
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    if (Math.abs(A.get(i, j) - A.get(j, i)) > tol * Math.max(1, scale)) {
      throw new CvxnnError('INVALID_OPTION', `${what} must be symmetric: entry (${i}, ${j}) = ${A.get(i, j)} but (${j}, ${i}) = ${A.get(j, i)}; pass (A + Aᵀ)/2`);
    }
  }
}

/**
 * (A + Aᵀ)/2 as a fresh contiguous matrix.
 *
 * @example
 *   symmetrize(Matrix.from([[1, 2], [0, 1]])); // [[1, 1], [1, 1]]
 */
export function symmetrize(A: Matrix): Matrix {
  assertShape(A.rows === A.cols, `symmetrize needs a square matrix, got ${A.rows}×${A.cols}`);
  const n = A.rows;
  const S = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) S.data[i * n + j] = 0.5 * (A.get(i, j) + A.get(j, i));
  return S;
}

/**
 * Eigendecomposition of a symmetric matrix (ascending eigenvalues, orthonormal eigenvector columns).
 *
 * @example
 *   const { values } = symEig(Matrix.from([[2, 0], [0, 1]])); // [1, 2]
 */
export function symEig(A: Matrix): { values: Float64Array; vectors: Matrix } {
  const n = A.rows;
  if (n === 1) return { values: Float64Array.of(A.get(0, 0)), vectors: Matrix.eye(1) };
  return eigh(A.offset === 0 && A.stride === A.cols ? A : A.clone());
}

/**
 * Q diag(f(λ)) Qᵀ: apply a scalar function to the eigenvalues of a symmetric matrix.
 *
 * @example
 *   const absA = spectralMap(A, Math.abs); // |A|
 */
export function spectralMap(A: Matrix, f: (lambda: number) => number, eig = symEig(A)): Matrix {
  const n = A.rows;
  const { values, vectors: Q } = eig;
  const fl = values.map(f);
  const out = Matrix.zeros(n, n);
  const q = Q.data;
  const qs = Q.stride;
  for (let k = 0; k < n; k++) {
    const w = fl[k];
    if (w === 0) continue;
    for (let i = 0; i < n; i++) {
      const wi = w * q[i * qs + k];
      if (wi === 0) continue;
      const row = i * n;
      for (let j = i; j < n; j++) out.data[row + j] += wi * q[j * qs + k];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out.data[i * n + j] = out.data[j * n + i];
  return out;
}

/**
 * Projection onto the PSD cone (negative eigenvalues set to zero).
 *
 * @example
 *   projectPsd(Matrix.from([[1, 0], [0, -1]])); // diag(1, 0)
 */
export function projectPsd(A: Matrix): Matrix {
  return spectralMap(A, (l) => (l > 0 ? l : 0));
}

/**
 * Matrix absolute value |A| = Q diag(|λ|) Qᵀ.
 *
 * @example
 *   absSym(Matrix.from([[1, 2], [2, 1]])); // [[2, 1], [1, 2]]
 */
export function absSym(A: Matrix): Matrix {
  return spectralMap(A, Math.abs);
}

/**
 * Trace norm ‖A‖_Tr = Σ|λ_j(A)| of a symmetric matrix.
 *
 * @example
 *   traceNorm(Matrix.from([[1, 2], [2, 1]])); // 4
 */
export function traceNorm(A: Matrix): number {
  assertFinite(A.clone().data, 'A');
  return symEig(A).values.reduce((s, l) => s + Math.abs(l), 0);
}

/**
 * Frobenius inner product ⟨A, B⟩.
 *
 * @example
 *   frobDot(Matrix.eye(2), Matrix.eye(2)); // 2
 */
export function frobDot(A: Matrix, B: Matrix): number {
  assertShape(A.rows === B.rows && A.cols === B.cols, `frobDot: ${A.rows}×${A.cols} vs ${B.rows}×${B.cols}`);
  let s = 0;
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) s += A.get(i, j) * B.get(i, j);
  return s;
}

/**
 * Trace of a square matrix.
 *
 * @example
 *   trace(Matrix.eye(3)); // 3
 */
export function trace(A: Matrix): number {
  let s = 0;
  for (let i = 0; i < Math.min(A.rows, A.cols); i++) s += A.get(i, i);
  return s;
}
