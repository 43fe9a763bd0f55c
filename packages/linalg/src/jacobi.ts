/**
 * Thin SVD of small dense blocks by one-sided (Hestenes) Jacobi rotations, on plain row-major
 * arrays. This is the hot inner loop of nuclear-norm penalties (a d×c block per group, c the
 * number of outputs, in every prox, group norm and dual norm of a solve), where `svd()`'s copies
 * through ml-matrix cost more than the decomposition itself (BENCHMARKS.md: 75 % of a digits8x8
 * cross-entropy solve). One-sided Jacobi orthogonalises the columns of the block (the narrow side)
 * by plane rotations until every pair is orthogonal to working precision; singular values come out
 * with high relative accuracy (Demmel & Veselić 1992), singular vectors orthonormal to round-off.
 * Cost per sweep: k(k−1)/2 pairs × O(m), k = min(rows, cols), m = max(rows, cols); a handful of
 * sweeps (quadratic convergence). Tall blocks are reduced to k×k by a Householder QR first.
 *
 * @example
 *   const { U, s, V } = jacobiSvd(B, 65, 10); // B row-major 65×10: B = U diag(s) Vᵀ
 */
import { CvxnnError } from './errors.js';

/** The result of {@link jacobiSvd}: U rows×k, V cols×k row-major, s descending, k = min(rows, cols). */
export interface SmallSvd {
  U: Float64Array;
  s: Float64Array;
  V: Float64Array;
  k: number;
}

const MAX_SWEEPS = 60;

/**
 * Thin SVD of a row-major rows×cols block `a` (not modified): a = U diag(s) Vᵀ with s descending.
 * Zero columns give zero singular values with zero left vectors. Throws on non-finite input.
 * With `vectors` false only s is computed (U and V come back zero-filled): about half the work.
 *
 * @example
 *   const { s } = jacobiSvd(new Float64Array([3, 0, 0, 4]), 2, 2); // s = [4, 3]
 */
export function jacobiSvd(a: ArrayLike<number>, rows: number, cols: number, vectors = true): SmallSvd {
  const wide = cols > rows;
  // work on W = a (m×k, k ≤ m) or aᵀ; columns stored contiguously (column-major) for the dots
  const m = wide ? cols : rows;
  const k = wide ? rows : cols;
  const W = new Float64Array(m * k);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = a[r * cols + c];
      if (!Number.isFinite(v)) throw new CvxnnError('NON_FINITE', `jacobiSvd: entry (${r}, ${c}) is ${v}`);
      if (wide) W[r * m + c] = v; // column r of aᵀ
      else W[c * m + r] = v; // column c of a
    }
  }
  // tall blocks (m ≥ 2k): W = QR by Householder first, then rotate the k×k R (Drmač–Veselić's
  // preconditioning: k-long dot products instead of m-long ones, same relative accuracy)
  const qr = m >= 2 * k && k > 1;
  const len = qr ? k : m;
  let H: Float64Array | null = null; // Householder vectors (column-major m×k), v_j in rows j..m−1
  let R = W;
  if (qr) {
    H = new Float64Array(m * k);
    for (let j = 0; j < k; j++) {
      const oj = j * m;
      let nx = 0;
      for (let i = j; i < m; i++) nx += W[oj + i] * W[oj + i];
      nx = Math.sqrt(nx);
      if (nx === 0) continue;
      const alpha = W[oj + j] >= 0 ? -nx : nx;
      // v = x − αe₁, normalised
      let nv = 0;
      for (let i = j; i < m; i++) {
        const v = i === j ? W[oj + i] - alpha : W[oj + i];
        H[oj + i] = v;
        nv += v * v;
      }
      nv = Math.sqrt(nv);
      for (let i = j; i < m; i++) H[oj + i] /= nv;
      W[oj + j] = alpha;
      for (let i = j + 1; i < m; i++) W[oj + i] = 0;
      for (let c = j + 1; c < k; c++) {
        const oc = c * m;
        let dot = 0;
        for (let i = j; i < m; i++) dot += H[oj + i] * W[oc + i];
        for (let i = j; i < m; i++) W[oc + i] -= 2 * dot * H[oj + i];
      }
    }
    R = new Float64Array(k * k);
    for (let c = 0; c < k; c++) for (let i = 0; i <= c; i++) R[c * k + i] = W[c * m + i];
  }
  const J = new Float64Array(k * k); // accumulated rotations (column-major), starts at I
  for (let t = 0; t < k; t++) J[t * k + t] = 1;
  const eps = 2.220446049250313e-16;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < k - 1; p++) {
      const op = p * len;
      for (let q = p + 1; q < k; q++) {
        const oq = q * len;
        let al = 0;
        let be = 0;
        let ga = 0;
        for (let i = 0; i < len; i++) {
          const x = R[op + i];
          const y = R[oq + i];
          al += x * x;
          be += y * y;
          ga += x * y;
        }
        if (ga === 0 || Math.abs(ga) <= eps * Math.sqrt(al * be)) continue;
        rotated = true;
        const zeta = (be - al) / (2 * ga);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cs = 1 / Math.sqrt(1 + t * t);
        const sn = cs * t;
        rotate(R, op, oq, len, cs, sn);
        if (vectors) rotate(J, p * k, q * k, k, cs, sn);
      }
    }
    if (!rotated) break;
  }
  // singular values = column norms; order descending
  const norms = new Float64Array(k);
  for (let t = 0; t < k; t++) {
    let s2 = 0;
    for (let i = 0; i < len; i++) s2 += R[t * len + i] ** 2;
    norms[t] = Math.sqrt(s2);
  }
  const order = Array.from({ length: k }, (_, t) => t).sort((x, y) => norms[y] - norms[x]);
  const s = new Float64Array(k);
  const Lm = new Float64Array(m * k); // left vectors of W (m×k, row-major)
  const Rk = new Float64Array(k * k); // right vectors of W (k×k, row-major)
  const col = new Float64Array(m);
  for (let c = 0; c < k; c++) {
    const t = order[c];
    const sv = norms[t];
    s[c] = sv;
    if (!vectors) continue;
    for (let i = 0; i < k; i++) Rk[i * k + c] = J[t * k + i];
    if (!(sv > 0)) continue;
    col.fill(0);
    for (let i = 0; i < len; i++) col[i] = R[t * len + i] / sv;
    if (H) {
      // left vector of W = Q·(left vector of R): the reflections in reverse order
      for (let j = k - 1; j >= 0; j--) {
        const oj = j * m;
        let dot = 0;
        for (let i = j; i < m; i++) dot += H[oj + i] * col[i];
        if (dot !== 0) for (let i = j; i < m; i++) col[i] -= 2 * dot * H[oj + i];
      }
    }
    for (let i = 0; i < m; i++) Lm[i * k + c] = col[i];
  }
  // W = a: U = Lm (rows×k), V = Rk (cols×k); W = aᵀ: a = Rk diag(s) Lmᵀ
  return wide ? { U: Rk, s, V: Lm, k } : { U: Lm, s, V: Rk, k };
}

/** The plane rotation [x y] ← [cs·x − sn·y, sn·x + cs·y] of two length-`len` columns of `W`. */
function rotate(W: Float64Array, op: number, oq: number, len: number, cs: number, sn: number): void {
  for (let i = 0; i < len; i++) {
    const x = W[op + i];
    const y = W[oq + i];
    W[op + i] = cs * x - sn * y;
    W[oq + i] = sn * x + cs * y;
  }
}

/**
 * Largest singular value of a small row-major block (the spectral norm), by {@link jacobiSvd}.
 *
 * @example
 *   spectralNorm(new Float64Array([3, 0, 0, 4]), 2, 2); // 4
 */
export function spectralNorm(a: ArrayLike<number>, rows: number, cols: number): number {
  return jacobiSvd(a, rows, cols, false).s[0] ?? 0;
}

/**
 * Singular values of a small row-major block, descending (no singular vectors).
 *
 * @example
 *   singularValues(new Float64Array([3, 0, 0, 4]), 2, 2); // [4, 3]
 */
export function singularValues(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  return jacobiSvd(a, rows, cols, false).s;
}
