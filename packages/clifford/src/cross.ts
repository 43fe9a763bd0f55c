/**
 * Generalised cross products and volumes: the duals of wedge products that define the
 * Clifford-Lasso neurons (SPEC §7.1).
 *
 * @example
 *   crossProduct([[1, 0, 0], [0, 1, 0]]); // [0, 0, 1]
 *   det([[x], …]); parallelotopeVolume([[1, 0], [1, 1]]); // 1
 */
import { assertShape, Matrix, svd } from '@cvxnn/linalg';

/** Determinant of a square matrix (rows), by LU with partial pivoting. */
export function det(rows: ArrayLike<ArrayLike<number>>): number {
  const n = rows.length;
  if (n === 0) return 1;
  const a: number[][] = [];
  for (let i = 0; i < n; i++) {
    assertShape(rows[i].length === n, `det needs a square matrix; row ${i} has ${rows[i].length} entries, expected ${n}`);
    a.push(Array.from(rows[i]));
  }
  let s = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i][k]) > Math.abs(a[p][k])) p = i;
    if (a[p][k] === 0) return 0;
    if (p !== k) {
      [a[p], a[k]] = [a[k], a[p]];
      s = -s;
    }
    s *= a[k][k];
    for (let i = k + 1; i < n; i++) {
      const f = a[i][k] / a[k][k];
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) a[i][j] -= f * a[k][j];
    }
  }
  return s;
}

/**
 * The generalised cross product c of d−1 vectors in R^d by cofactors:
 * c_i = (−1)^i det(A with column i deleted), so that x·c = det[x; A] for every x. Then c ⟂ a_p
 * and ‖c‖ = ‖a_1∧…∧a_{d−1}‖. (Relation to the Hodge star: c = (−1)^{d−1} ⋆(a_1∧…∧a_{d−1}).)
 */
export function crossProduct(vectors: ArrayLike<ArrayLike<number>>): Float64Array {
  const k = vectors.length;
  const d = k + 1;
  for (let p = 0; p < k; p++) assertShape(vectors[p].length === d, `crossProduct needs d−1 = ${k} vectors of length d = ${d}; vector ${p} has ${vectors[p].length}`);
  const c = new Float64Array(d);
  const minor: number[][] = Array.from({ length: k }, () => new Array<number>(k));
  for (let i = 0; i < d; i++) {
    for (let p = 0; p < k; p++) {
      let t = 0;
      for (let j = 0; j < d; j++) if (j !== i) minor[p][t++] = vectors[p][j];
    }
    c[i] = (i % 2 === 0 ? 1 : -1) * det(minor);
  }
  return c;
}

/** k-volume of the parallelotope spanned by k vectors: √det(Gram). */
export function parallelotopeVolume(vectors: ArrayLike<ArrayLike<number>>): number {
  const k = vectors.length;
  const gram: number[][] = [];
  for (let p = 0; p < k; p++) {
    const row: number[] = [];
    for (let q = 0; q < k; q++) {
      let s = 0;
      for (let j = 0; j < vectors[p].length; j++) s += vectors[p][j] * vectors[q][j];
      row.push(s);
    }
    gram.push(row);
  }
  return Math.sqrt(Math.max(0, det(gram)));
}

/**
 * The same cross product computed the numerically robust way: the last right singular vector of
 * A ((d−1)×d) times the (d−1)-volume, signed so that det[c; A] ≥ 0 like `crossProduct`.
 */
export function crossProductSvd(vectors: ArrayLike<ArrayLike<number>>): Float64Array {
  const k = vectors.length;
  const d = k + 1;
  // pad A with a zero row so the SVD returns a full d×d V
  const rows: number[][] = [];
  for (let p = 0; p < k; p++) rows.push(Array.from(vectors[p]));
  rows.push(new Array<number>(d).fill(0));
  const { V } = svd(Matrix.from(rows));
  const v = V.colCopy(d - 1);
  const vol = parallelotopeVolume(vectors);
  const sign = det([Array.from(v), ...rows.slice(0, k)]) >= 0 ? 1 : -1;
  for (let i = 0; i < d; i++) v[i] *= sign * vol;
  return v;
}
