/**
 * Thin wrappers over ml-matrix's decompositions (we do not rewrite decompositions): SVD, QR,
 * symmetric eigendecomposition, Cholesky and linear solves, on cvxnn `Matrix` objects. Inputs are
 * checked first: an empty matrix is `EMPTY_DATA`, a NaN/±Infinity entry `NON_FINITE` (naming it),
 * a singular system or a matrix that is not positive definite `INFEASIBLE`.
 *
 * @example
 *   const { U, s, V } = svd(X); // X = U diag(s) Vᵀ, s descending
 */
import {
  CholeskyDecomposition,
  EigenvalueDecomposition,
  Matrix as MlMatrix,
  QrDecomposition,
  SingularValueDecomposition,
  solve as mlSolve,
} from 'ml-matrix';
import { assertShape, CvxnnError } from './errors.js';
import { Matrix } from './matrix.js';

/**
 * Validate the input of a decomposition: a `Matrix`, non-empty, every entry finite (ml-matrix
 * would otherwise return NaN factors, loop, or fail with an untyped error).
 */
function checkInput(a: Matrix<Float64Array | Float32Array>, what: string): void {
  if (!(a instanceof Matrix)) throw new CvxnnError('SHAPE_MISMATCH', `${what}: expected a Matrix, got ${a === null ? 'null' : typeof a}`);
  if (a.rows === 0 || a.cols === 0) throw new CvxnnError('EMPTY_DATA', `${what} needs a non-empty matrix, got ${a.rows}×${a.cols}`);
  a.assertFinite(`${what}: the matrix`);
}

/**
 * Copy a cvxnn matrix into an ml-matrix `Matrix`.
 *
 * @example
 *   const m = toMl(Matrix.eye(3));
 */
export function toMl(a: Matrix<Float64Array | Float32Array>): MlMatrix {
  return new MlMatrix(a.toArrays());
}

/**
 * Copy an ml-matrix `Matrix` into a contiguous fp64 cvxnn matrix.
 *
 * @example
 *   const A = fromMl(new MlMatrix([[1, 2], [3, 4]]));
 */
export function fromMl(m: MlMatrix): Matrix<Float64Array> {
  const out = Matrix.zeros(m.rows, m.columns);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.columns; j++) out.data[i * m.columns + j] = m.get(i, j);
  return out;
}

/**
 * Thin SVD X = U diag(s) Vᵀ with s descending (U n×k, V d×k, k = min(n, d)).
 *
 * @example
 *   const { U, s, V } = svd(X);
 */
export function svd(a: Matrix<Float64Array>): { U: Matrix<Float64Array>; s: Float64Array; V: Matrix<Float64Array> } {
  checkInput(a, 'svd');
  const tall = a.rows >= a.cols;
  // ml-matrix is most reliable on tall matrices: decompose the transpose of wide ones.
  const m = toMl(tall ? a : a.transpose());
  const dec = new SingularValueDecomposition(m, { computeLeftSingularVectors: true, computeRightSingularVectors: true, autoTranspose: false });
  const U = fromMl(dec.leftSingularVectors);
  const V = fromMl(dec.rightSingularVectors);
  const s = Float64Array.from(dec.diagonal);
  const k = Math.min(a.rows, a.cols);
  const Uk = U.cols > k ? U.view(0, 0, U.rows, k).clone() : U;
  const Vk = V.cols > k ? V.view(0, 0, V.rows, k).clone() : V;
  return tall ? { U: Uk, s: s.subarray(0, k), V: Vk } : { U: Vk, s: s.subarray(0, k), V: Uk };
}

/**
 * Numerical rank: the number of singular values above 10·max(n,d)·ε·σ_max (or above `tol`).
 *
 * @example
 *   rank(Matrix.from([[1, 2], [2, 4]])); // 1
 */
export function rank(a: Matrix<Float64Array>, tol?: number): number {
  if (a instanceof Matrix && (a.rows === 0 || a.cols === 0)) return 0;
  const { s } = svd(a);
  const t = tol ?? Math.max(a.rows, a.cols) * Number.EPSILON * (s[0] ?? 0) * 10;
  let r = 0;
  for (const v of s) if (v > t) r++;
  return r;
}

/**
 * Symmetric eigendecomposition A = Q diag(w) Qᵀ with w ascending.
 *
 * @example
 *   eigh(Matrix.from([[2, 1], [1, 2]])).values; // [1, 3]
 */
export function eigh(a: Matrix<Float64Array>): { values: Float64Array; vectors: Matrix<Float64Array> } {
  checkInput(a, 'eigh');
  assertShape(a.rows === a.cols, `eigh needs a square matrix, got ${a.rows}×${a.cols}`);
  const dec = new EigenvalueDecomposition(toMl(a), { assumeSymmetric: true });
  const w = dec.realEigenvalues;
  const Q = fromMl(dec.eigenvectorMatrix);
  const order = w.map((_, i) => i).sort((i, j) => w[i] - w[j]);
  const values = Float64Array.from(order.map((i) => w[i]));
  const vectors = Matrix.zeros(a.rows, a.cols);
  for (let c = 0; c < order.length; c++) for (let r = 0; r < a.rows; r++) vectors.data[r * a.cols + c] = Q.get(r, order[c]);
  return { values, vectors };
}

/**
 * QR decomposition A = Q R of an n×d matrix with n ≥ d (Householder, ml-matrix): the economy
 * factors, Q n×d with orthonormal columns and R d×d upper triangular.
 *
 * @example
 *   const { Q, R } = qr(A); // A ≈ Q·R
 */
export function qr(a: Matrix<Float64Array>): { Q: Matrix<Float64Array>; R: Matrix<Float64Array> } {
  checkInput(a, 'qr');
  assertShape(a.rows >= a.cols, `qr needs n ≥ d (a tall or square matrix), got ${a.rows}×${a.cols}; factor the transpose instead`);
  const dec = new QrDecomposition(toMl(a));
  return { Q: fromMl(dec.orthogonalMatrix), R: fromMl(dec.upperTriangularMatrix) };
}

/**
 * Cholesky factor L (A = L Lᵀ); throws `INFEASIBLE` when A is not positive definite.
 *
 * @example
 *   cholesky(Matrix.from([[4, 2], [2, 3]])); // [[2, 0], [1, √2]]
 */
export function cholesky(a: Matrix<Float64Array>): Matrix<Float64Array> {
  checkInput(a, 'cholesky');
  assertShape(a.rows === a.cols, `cholesky needs a square matrix, got ${a.rows}×${a.cols}`);
  let scale = 0;
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) scale = Math.max(scale, Math.abs(a.get(i, j)));
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < i; j++) {
      if (Math.abs(a.get(i, j) - a.get(j, i)) > 1e-12 * scale) {
        throw new CvxnnError('INVALID_OPTION', `cholesky needs a symmetric matrix: entry (${i}, ${j}) = ${a.get(i, j)} but (${j}, ${i}) = ${a.get(j, i)}; pass (A + Aᵀ)/2`);
      }
    }
  }
  const dec = new CholeskyDecomposition(toMl(a));
  if (!dec.isPositiveDefinite()) throw new CvxnnError('INFEASIBLE', 'cholesky: the matrix is not positive definite');
  return fromMl(dec.lowerTriangularMatrix);
}

/**
 * Solve A x = B (least squares when A is not square); a singular square A is `INFEASIBLE`.
 *
 * @example
 *   solve(Matrix.from([[2, 0], [0, 4]]), Matrix.from([[2], [2]])); // [[1], [0.5]]
 */
export function solve(a: Matrix<Float64Array>, b: Matrix<Float64Array>): Matrix<Float64Array> {
  checkInput(a, 'solve (A)');
  checkInput(b, 'solve (B)');
  assertShape(a.rows === b.rows, `solve: A has ${a.rows} rows but B has ${b.rows}`);
  let x: MlMatrix;
  try {
    x = mlSolve(toMl(a), toMl(b), a.rows !== a.cols);
  } catch (e) {
    // ml-matrix's LU refuses an exactly singular square A
    throw new CvxnnError('INFEASIBLE', `solve: A (${a.rows}×${a.cols}) is singular (${(e as Error).message}); regularise it or pass a rectangular system for least squares`);
  }
  const out = fromMl(x);
  if (!out.data.every(Number.isFinite)) {
    throw new CvxnnError('INFEASIBLE', `solve: A (${a.rows}×${a.cols}) is singular or too ill-conditioned for a solution (non-finite result); regularise it`);
  }
  return out;
}
