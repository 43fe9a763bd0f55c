import { Matrix, Rng, qr } from '@cvxnn/linalg';

/** Random orthogonal d×d matrix (QR of a Gaussian matrix). */
export function randomOrthogonal(rng: Rng, d: number): Matrix {
  return qr(Matrix.fromArray(d, d, rng.normalArray(d * d))).Q;
}

/** Q diag(l) Qᵀ computed with plain loops. */
export function fromSpectrum(Q: Matrix, l: number[]): Matrix {
  const d = Q.rows;
  const A = Matrix.zeros(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let s = 0;
    for (let k = 0; k < l.length; k++) s += Q.get(i, k) * l[k] * Q.get(j, k);
    A.set(i, j, s);
  }
  return A;
}

export function randomSymmetric(rng: Rng, d: number): Matrix {
  const G = Matrix.fromArray(d, d, rng.normalArray(d * d));
  const A = Matrix.zeros(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) A.set(i, j, 0.5 * (G.get(i, j) + G.get(j, i)));
  return A;
}

export function fro(A: Matrix): number {
  let s = 0;
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) s += A.get(i, j) ** 2;
  return Math.sqrt(s);
}

export function diff(A: Matrix, B: Matrix): Matrix {
  const C = Matrix.zeros(A.rows, A.cols);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) C.set(i, j, A.get(i, j) - B.get(i, j));
  return C;
}

/** Smallest eigenvalue by brute force over Rayleigh quotients is too slow; use the 2×2/closed forms where possible. */
export function minEig2(A: Matrix): number {
  const a = A.get(0, 0);
  const b = A.get(0, 1);
  const c = A.get(1, 1);
  return (a + c) / 2 - Math.hypot((a - c) / 2, b);
}
