/**
 * Independent oracles for the squared-loss group Lasso with free coordinates, written from the
 * math and sharing no code with src/:
 *
 *   p* = min_x (s/2)‖A x − y‖² + λ Σ_g ‖x_g‖₂,   x_F (coordinates in no group) unpenalized,
 *
 * with A a dense n×N matrix built here. Block-coordinate descent with *exact* block solves: each
 * group by its secular equation (eigendecomposition of A_gᵀA_g, bisection on the radius), the free
 * block by least squares. A Fenchel dual point (residual, projected off span(A_F), scaled to
 * feasibility) gives a lower bound, so `upper − lower` is a certificate computed here.
 */
import { eigh, Matrix, type PatternMasks } from '@cvxnn/linalg';

/** A dense problem: A n×N row-major, groups as coordinate lists, the rest free. */
export interface DenseGroupLasso {
  A: Float64Array;
  n: number;
  N: number;
  y: Float64Array;
  groups: number[][];
  lambda: number;
  /** loss scale s: 1 (sum) or 1/n (mean) */
  s?: number;
}

export interface OracleResult {
  x: Float64Array;
  /** primal value at x (an upper bound on p*) */
  upper: number;
  /** a dual value (a lower bound on p*) */
  lower: number;
  sweeps: number;
}

/** free coordinates of a dense problem */
export function freeCoords(p: DenseGroupLasso): number[] {
  const owned = new Set(p.groups.flat());
  return Array.from({ length: p.N }, (_, j) => j).filter((j) => !owned.has(j));
}

/** primal objective of the dense problem at x (written out) */
export function primalValue(p: DenseGroupLasso, x: ArrayLike<number>): number {
  const s = p.s ?? 1;
  let f = 0;
  for (let i = 0; i < p.n; i++) {
    let r = -p.y[i];
    for (let j = 0; j < p.N; j++) r += p.A[i * p.N + j] * x[j];
    f += r * r;
  }
  let pen = 0;
  for (const g of p.groups) pen += Math.hypot(...g.map((j) => x[j]));
  return (s / 2) * f + p.lambda * pen;
}

/** Solve the k×k SPD system by plain Gaussian elimination with partial pivoting (tiny k). */
function gaussSolve(M: number[][], b: number[]): number[] {
  const k = b.length;
  const a = M.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    [a[c], a[piv]] = [a[piv], a[c]];
    for (let r = c + 1; r < k; r++) {
      const f = a[r][c] / a[c][c];
      for (let t = c; t <= k; t++) a[r][t] -= f * a[c][t];
    }
  }
  const x = new Array<number>(k).fill(0);
  for (let r = k - 1; r >= 0; r--) {
    let v = a[r][k];
    for (let t = r + 1; t < k; t++) v -= a[r][t] * x[t];
    x[r] = v / a[r][r];
  }
  return x;
}

/**
 * BCD to (near) machine precision from `x0` (default 0); `maxSweeps` caps it. The dual point: θ = s(Ax − y) projected
 * onto the orthogonal complement of span(A_F), scaled by min(1, λ / max_g ‖A_gᵀθ‖); dual value
 * −(‖θ‖²/(2s) + ⟨θ, y⟩).
 */
export function groupLassoOracle(p: DenseGroupLasso, maxSweeps = 20000, x0?: ArrayLike<number>): OracleResult {
  const { A, n, N, y, groups } = p;
  const s = p.s ?? 1;
  const lam = p.lambda / s; // min ½‖Ax − y‖² + (λ/s)Σ‖x_g‖ has the same minimiser
  const free = freeCoords(p);
  const col = (j: number) => Float64Array.from({ length: n }, (_, i) => A[i * N + j]);
  const cols = Array.from({ length: N }, (_, j) => col(j));
  // per-group eigendecomposition of H_g = A_gᵀA_g
  const eig = groups.map((g) => {
    const H = Matrix.zeros(g.length, g.length);
    for (let a = 0; a < g.length; a++) for (let b = 0; b < g.length; b++) {
      let t = 0;
      for (let i = 0; i < n; i++) t += cols[g[a]][i] * cols[g[b]][i];
      H.set(a, b, t);
    }
    return eigh(H);
  });
  // free block normal equations
  const HF = free.map((a) => free.map((b) => cols[a].reduce((t, v, i) => t + v * cols[b][i], 0)));
  const x = new Float64Array(N);
  const r = Float64Array.from(y); // r = y − A x
  if (x0) {
    x.set(x0);
    for (let i = 0; i < n; i++) for (let j = 0; j < N; j++) r[i] -= A[i * N + j] * x[j];
  }
  const update = (j: number, v: number) => {
    const dlt = v - x[j];
    if (dlt === 0) return;
    x[j] = v;
    const c = cols[j];
    for (let i = 0; i < n; i++) r[i] -= dlt * c[i];
  };
  let prev = Infinity;
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    groups.forEach((g, gi) => {
      // residual with this group removed: r + A_g x_g; b = A_gᵀ that
      const b = g.map((j) => {
        let t = 0;
        for (let i = 0; i < n; i++) t += cols[j][i] * r[i];
        return t;
      });
      // + H_g x_g
      const { values, vectors } = eig[gi];
      const k = g.length;
      for (let a = 0; a < k; a++) {
        // (H x_g)_a via the eigendecomposition
        let t = 0;
        for (let c = 0; c < k; c++) {
          let proj = 0;
          for (let e = 0; e < k; e++) proj += vectors.get(e, c) * x[g[e]];
          t += vectors.get(a, c) * values[c] * proj;
        }
        b[a] += t;
      }
      const bn = Math.hypot(...b);
      if (bn <= lam) {
        g.forEach((j) => update(j, 0));
        return;
      }
      // c = Qᵀ b; ‖u(t)‖ = t ⇔ Σ c_k² / (σ_k t + λ)² = 1, decreasing in t
      const c = Array.from({ length: k }, (_, cc) => {
        let t = 0;
        for (let e = 0; e < k; e++) t += vectors.get(e, cc) * b[e];
        return t;
      });
      const sig = Array.from(values, (v) => Math.max(v, 0));
      const phi = (t: number) => c.reduce((acc, ck, kk) => acc + (ck * ck) / (sig[kk] * t + lam) ** 2, 0);
      let lo = 0;
      let hi = 1;
      while (phi(hi) > 1) hi *= 2;
      for (let it = 0; it < 200 && hi - lo > 1e-17 * hi; it++) {
        const mid = 0.5 * (lo + hi);
        if (phi(mid) > 1) lo = mid;
        else hi = mid;
      }
      const t = 0.5 * (lo + hi);
      const mu = lam / t;
      for (let a = 0; a < k; a++) {
        let v = 0;
        for (let cc = 0; cc < k; cc++) v += (vectors.get(a, cc) * c[cc]) / (sig[cc] + mu);
        update(g[a], v);
      }
    });
    if (free.length > 0) {
      // exact least squares in the free block: H_F x_F = A_Fᵀ (r + A_F x_F)
      const rhs = free.map((a, ia) => cols[a].reduce((t, v, i) => t + v * r[i], 0) + free.reduce((t, b, ib) => t + HF[ia][ib] * x[b], 0));
      const xf = gaussSolve(HF, rhs);
      free.forEach((j, t) => update(j, xf[t]));
    }
    const val = primalValue(p, x);
    if (sweeps > 5 && prev - val <= 1e-16 * Math.abs(val)) break;
    prev = val;
  }
  // recompute the residual from scratch for the dual bound
  const res = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let t = -y[i];
    for (let j = 0; j < N; j++) t += A[i * N + j] * x[j];
    res[i] = s * t;
  }
  return { x, upper: primalValue(p, x), lower: dualValue(p, res), sweeps };
}

/**
 * The dual value of θ (any vector): projected off span(A_F) (Gram–Schmidt on the free columns,
 * here), scaled into {‖A_gᵀθ‖ ≤ λ}, then −(‖θ‖²/(2s) + ⟨θ, y⟩).
 */
export function dualValue(p: DenseGroupLasso, theta0: ArrayLike<number>): number {
  const { A, n, N, y, groups } = p;
  const s = p.s ?? 1;
  const theta = Float64Array.from(theta0);
  const basis: Float64Array[] = [];
  for (const j of freeCoords(p)) {
    const v = Float64Array.from({ length: n }, (_, i) => A[i * N + j]);
    for (let pass = 0; pass < 2; pass++) for (const q of basis) {
      const d = v.reduce((t, vv, i) => t + vv * q[i], 0);
      for (let i = 0; i < n; i++) v[i] -= d * q[i];
    }
    const nv = Math.hypot(...v);
    if (nv > 1e-10) basis.push(v.map((t) => t / nv));
  }
  for (let pass = 0; pass < 2; pass++) for (const q of basis) {
    const d = theta.reduce((t, vv, i) => t + vv * q[i], 0);
    for (let i = 0; i < n; i++) theta[i] -= d * q[i];
  }
  let m = 0;
  for (const g of groups) {
    let t2 = 0;
    for (const j of g) {
      let t = 0;
      for (let i = 0; i < n; i++) t += A[i * N + j] * theta[i];
      t2 += t * t;
    }
    m = Math.max(m, Math.sqrt(t2));
  }
  const k = m > p.lambda ? p.lambda / m : 1;
  let v = 0;
  for (let i = 0; i < n; i++) v += (k * theta[i]) ** 2 / (2 * s) + k * theta[i] * y[i];
  return -v;
}

/**
 * The C-GReLU problem Σ_i D_i X u_i as a dense problem in the strided layout x = vec(U), U d×P
 * row-major (coordinate r·P + i), groups {r·P + i : r}.
 */
export function gatedDense(X: Matrix<Float64Array>, masks: PatternMasks, y: Float64Array, lambda: number, s = 1): DenseGroupLasso {
  const n = X.rows;
  const d = X.cols;
  const P = masks.p;
  const N = d * P;
  const A = new Float64Array(n * N);
  for (let j = 0; j < n; j++) for (let i = 0; i < P; i++) if (masks.get(j, i)) for (let r = 0; r < d; r++) A[j * N + r * P + i] = X.get(j, r);
  const groups = Array.from({ length: P }, (_, i) => Array.from({ length: d }, (_, r) => r * P + i));
  return { A, n, N, y, groups, lambda, s };
}
