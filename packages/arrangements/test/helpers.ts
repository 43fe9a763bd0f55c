import { Matrix, type PatternMasks, Rng } from '@cvxnn/linalg';

/** Each pattern as a '0101…' string of its n bits (independent of the package's hashing). */
export function patternStrings(m: PatternMasks): string[] {
  const out: string[] = [];
  for (let i = 0; i < m.p; i++) out.push(Array.from(m.column(i)).join(''));
  return out;
}

/** The pattern string 1[Xg > 0] of one gate, by plain loops. */
export function patternOf(X: Matrix<Float64Array>, g: ArrayLike<number>): string {
  let s = '';
  for (let j = 0; j < X.rows; j++) {
    let v = 0;
    for (let i = 0; i < X.cols; i++) v += X.get(j, i) * g[i];
    s += v > 0 ? '1' : '0';
  }
  return s;
}

/** Gaussian n × d matrix. */
export function gaussian(n: number, d: number, seed: number): Matrix<Float64Array> {
  return Matrix.fromArray(n, d, new Rng(seed).normalArray(n * d));
}

/** Plain triple-loop product (test oracle, not the package's GEMM). */
export function matmul(A: Matrix<Float64Array>, B: Matrix<Float64Array>): Matrix<Float64Array> {
  const C = Matrix.zeros(A.rows, B.cols);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < B.cols; j++) {
    let s = 0;
    for (let k = 0; k < A.cols; k++) s += A.get(i, k) * B.get(k, j);
    C.set(i, j, s);
  }
  return C;
}

/** C(n, k) by Pascal's triangle (independent of the package's BigInt product formula). */
export function binomPascal(n: number, k: number): number {
  const row = [1];
  for (let i = 1; i <= n; i++) {
    for (let j = i; j >= 1; j--) row[j] = (row[j] ?? 0) + row[j - 1];
  }
  return row[k] ?? 0;
}

/** Random orthogonal d × d matrix (Gram–Schmidt of a Gaussian matrix). */
export function randomOrthogonal(d: number, seed: number): Matrix<Float64Array> {
  const A = gaussian(d, d, seed);
  const Q = Matrix.zeros(d, d);
  for (let c = 0; c < d; c++) {
    const v = A.colCopy(c);
    for (let b = 0; b < c; b++) {
      let dp = 0;
      for (let i = 0; i < d; i++) dp += v[i] * Q.get(i, b);
      for (let i = 0; i < d; i++) v[i] -= dp * Q.get(i, b);
    }
    const nrm = Math.hypot(...v);
    for (let i = 0; i < d; i++) Q.set(i, c, v[i] / nrm);
  }
  return Q;
}
