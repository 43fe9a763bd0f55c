/**
 * Dense linear algebra for the second-order solvers: a blocked Cholesky factorisation whose
 * trailing updates go through the backend's GEMM (OpenBLAS speed where the blas backend is
 * active), triangular solves with many right-hand sides, preconditioned MINRES for symmetric
 * (indefinite) systems, and the top eigenpairs of a small symmetric matrix by subspace iteration.
 * Everything is fp64 on Float64Array, row-major.
 */
import { type Backend, createCpuBackend, CvxnnError, Matrix } from '@cvxnn/linalg';

let cpu: Backend | null = null;
/**
 * The backend to run dense fp64 linear algebra on: `backend` itself when it computes in fp64,
 * else the CPU reference backend (Newton systems and certificates are never fp32).
 *
 * @example
 *   const be = fp64(getBackend());
 */
export function fp64(backend: Backend): Backend {
  if (backend.precision === 'fp64') return backend;
  cpu ??= createCpuBackend();
  return cpu;
}

/** Block size of the blocked Cholesky (panel width). */
const NB = 96;

/**
 * In-place Cholesky A = L Lᵀ of the symmetric positive-definite n×n matrix in `a` (row-major;
 * only the lower triangle is read; L overwrites it, the strict upper triangle is left as garbage).
 * Returns false when a pivot is not positive (A not numerically positive definite).
 *
 * @example
 *   const a = Float64Array.from([4, 2, 2, 3]);
 *   choleskyInPlace(a, 2, getBackend()); // a = [2, ·, 1, √2]
 */
export function choleskyInPlace(a: Float64Array, n: number, backend: Backend): boolean {
  for (let k0 = 0; k0 < n; k0 += NB) {
    const kb = Math.min(NB, n - k0);
    // 1) unblocked factorisation of the diagonal block (its trailing updates are done)
    for (let j = k0; j < k0 + kb; j++) {
      let s = a[j * n + j];
      for (let k = k0; k < j; k++) s -= a[j * n + k] * a[j * n + k];
      if (!(s > 0) || !Number.isFinite(s)) return false;
      const ljj = Math.sqrt(s);
      a[j * n + j] = ljj;
      for (let i = j + 1; i < k0 + kb; i++) {
        let t = a[i * n + j];
        for (let k = k0; k < j; k++) t -= a[i * n + k] * a[j * n + k];
        a[i * n + j] = t / ljj;
      }
    }
    const rest = n - k0 - kb;
    if (rest === 0) break;
    // 2) panel below: L21 = A21 L11⁻ᵀ, as one GEMM with the explicit inverse of the small L11
    const Linv = new Float64Array(kb * kb);
    for (let j = 0; j < kb; j++) {
      Linv[j * kb + j] = 1 / a[(k0 + j) * n + k0 + j];
      for (let i = j + 1; i < kb; i++) {
        let t = 0;
        for (let k = j; k < i; k++) t += a[(k0 + i) * n + k0 + k] * Linv[k * kb + j];
        Linv[i * kb + j] = -t / a[(k0 + i) * n + k0 + i];
      }
    }
    const A21 = new Matrix(rest, kb, a, n, (k0 + kb) * n + k0);
    const P21 = backend.gemm(A21, new Matrix(kb, kb, Linv), { transB: true, inputsFinite: true }).data;
    for (let i = 0; i < rest; i++) for (let j = 0; j < kb; j++) a[(k0 + kb + i) * n + k0 + j] = P21[i * kb + j];
    // 3) trailing update A22 −= L21 L21ᵀ through the backend GEMM (full square: simple and fast).
    //    Both GEMMs skip the NON_FINITE scans (`inputsFinite`): a NaN or ±Infinity anywhere in `a`
    //    reaches a later diagonal through these updates, and its pivot refuses it
    const L21 = new Matrix(rest, kb, a, n, (k0 + kb) * n + k0);
    const A22 = new Matrix(rest, rest, a, n, (k0 + kb) * n + k0 + kb);
    backend.gemm(L21, L21, { transB: true, alpha: -1, beta: 1, out: A22, inputsFinite: true });
  }
  return true;
}

/**
 * Solve L Lᵀ X = B in place for the m right-hand sides stored as the columns of the n×m row-major
 * `b` (`m = 1`: a vector), with L from {@link choleskyInPlace}.
 *
 * @example
 *   choleskySolveInPlace(L, n, rhs, 1);
 */
export function choleskySolveInPlace(L: Float64Array, n: number, b: Float64Array, m = 1): void {
  // forward: L y = b
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const bi = i * m;
    for (let k = 0; k < i; k++) {
      const lik = L[ri + k];
      if (lik === 0) continue;
      const bk = k * m;
      for (let c = 0; c < m; c++) b[bi + c] -= lik * b[bk + c];
    }
    const d = L[ri + i];
    for (let c = 0; c < m; c++) b[bi + c] /= d;
  }
  // backward: Lᵀ x = y
  for (let i = n - 1; i >= 0; i--) {
    const bi = i * m;
    const d = L[i * n + i];
    for (let c = 0; c < m; c++) b[bi + c] /= d;
    for (let k = 0; k < i; k++) {
      const lik = L[i * n + k];
      if (lik === 0) continue;
      const bk = k * m;
      for (let c = 0; c < m; c++) b[bk + c] -= lik * b[bi + c];
    }
  }
}

/**
 * Blocked triangular solve L Y = B (forward substitution only) for the n×m row-major `b`, with
 * the block updates through the backend GEMM: the half of a Cholesky solve that a Schur
 * complement BᵀK⁻¹B = (L⁻¹B)ᵀ(L⁻¹B) needs.
 *
 * @example
 *   forwardSolveBlocked(L, n, B, m, backend); // B ← L⁻¹ B
 */
export function forwardSolveBlocked(L: Float64Array, n: number, b: Float64Array, m: number, backend: Backend): void {
  for (let k0 = 0; k0 < n; k0 += NB) {
    const kb = Math.min(NB, n - k0);
    for (let i = k0; i < k0 + kb; i++) {
      const ri = i * n;
      const bi = i * m;
      for (let k = k0; k < i; k++) {
        const lik = L[ri + k];
        if (lik === 0) continue;
        const bk = k * m;
        for (let c = 0; c < m; c++) b[bi + c] -= lik * b[bk + c];
      }
      const d = L[ri + i];
      for (let c = 0; c < m; c++) b[bi + c] /= d;
    }
    const rest = n - k0 - kb;
    if (rest === 0) break;
    const L21 = new Matrix(rest, kb, L, n, (k0 + kb) * n + k0);
    const Y1 = new Matrix(kb, m, b, m, k0 * m);
    const B2 = new Matrix(rest, m, b, m, (k0 + kb) * m);
    backend.gemm(L21, Y1, { alpha: -1, beta: 1, out: B2, inputsFinite: true });
  }
}

/**
 * Dense Cholesky solve of a small SPD system (copies A): x = A⁻¹ b. Adds a relative diagonal
 * shift (from 1e-14 up to 1e-8 of the mean |diagonal|, ×4 each try) when A is only semidefinite in
 * floating point; throws `NOT_CONVERGED` when even that fails (an indefinite matrix).
 *
 * @example
 *   const x = spdSolve(Float64Array.from([2, 0, 0, 2]), 2, Float64Array.from([2, 4]), backend); // [1, 2]
 */
export function spdSolve(A: Float64Array, n: number, b: Float64Array, backend: Backend, m = 1): Float64Array {
  let tr = 0;
  for (let i = 0; i < n; i++) tr += Math.abs(A[i * n + i]);
  const base = tr > 0 ? tr / n : 1;
  for (let shift = 0; shift <= 1e-8 * base; shift = shift === 0 ? 1e-14 * base : shift * 4) {
    const L = Float64Array.from(A);
    if (shift > 0) for (let i = 0; i < n; i++) L[i * n + i] += shift;
    if (choleskyInPlace(L, n, backend)) {
      const x = Float64Array.from(b);
      choleskySolveInPlace(L, n, x, m);
      return x;
    }
  }
  throw new CvxnnError('NOT_CONVERGED', `a ${n}×${n} Newton system is not positive definite even after a diagonal shift`);
}

/**
 * Result of {@link minres}.
 *
 * @example
 *   const { x, iterations, relResidual } = minres(apply, b, { precondition, rtol: 1e-6 });
 */
export interface MinresResult {
  x: Float64Array;
  iterations: number;
  /** preconditioned residual norm relative to that of b (MINRES' own estimate) */
  relResidual: number;
  converged: boolean;
}

/**
 * Preconditioned MINRES (Paige–Saunders) for a symmetric, possibly indefinite, operator `apply`
 * with a symmetric positive-definite preconditioner `precondition` (≈ A⁻¹ in a norm sense).
 * Stops when the preconditioned residual falls below `rtol` relative to the initial one.
 *
 * @example
 *   const r = minres((v, out) => out.set(v), Float64Array.of(1, 2), { rtol: 1e-12 }); // x = b
 */
export function minres(
  apply: (v: Float64Array, out: Float64Array) => void,
  b: Float64Array,
  opts: { precondition?: (v: Float64Array, out: Float64Array) => void; rtol?: number; maxIters?: number } = {},
): MinresResult {
  const n = b.length;
  const rtol = opts.rtol ?? 1e-8;
  const maxIters = opts.maxIters ?? 10 * n;
  const M = opts.precondition ?? ((v: Float64Array, out: Float64Array) => out.set(v));
  const x = new Float64Array(n);
  let r1 = Float64Array.from(b);
  let r2 = Float64Array.from(b);
  let y = new Float64Array(n);
  M(r1, y);
  let beta1 = dotv(r1, y);
  if (!(beta1 >= 0)) throw new CvxnnError('NOT_CONVERGED', 'MINRES: the preconditioner is not positive definite');
  if (beta1 === 0) return { x, iterations: 0, relResidual: 0, converged: true };
  beta1 = Math.sqrt(beta1);
  let oldb = 0;
  let beta = beta1;
  let dbar = 0;
  let epsln = 0;
  let phibar = beta1;
  let cs = -1;
  let sn = 0;
  let w = new Float64Array(n);
  let w2 = new Float64Array(n);
  const v = new Float64Array(n);
  const Av = new Float64Array(n);
  let it = 0;
  let rel = 1;
  while (it < maxIters) {
    it++;
    const s = 1 / beta;
    for (let i = 0; i < n; i++) v[i] = s * y[i];
    apply(v, Av);
    if (it >= 2) for (let i = 0; i < n; i++) Av[i] -= (beta / oldb) * r1[i];
    const alfa = dotv(v, Av);
    for (let i = 0; i < n; i++) Av[i] -= (alfa / beta) * r2[i];
    r1 = r2;
    r2 = Float64Array.from(Av);
    M(r2, y);
    oldb = beta;
    const b2 = dotv(r2, y);
    if (!(b2 >= 0)) throw new CvxnnError('NOT_CONVERGED', 'MINRES: the preconditioner is not positive definite');
    beta = Math.sqrt(b2);
    const oldeps = epsln;
    const delta = cs * dbar + sn * alfa;
    const gbar = sn * dbar - cs * alfa;
    epsln = sn * beta;
    dbar = -cs * beta;
    const gamma = Math.max(Math.hypot(gbar, beta), 1e-300);
    cs = gbar / gamma;
    sn = beta / gamma;
    const phi = cs * phibar;
    phibar = sn * phibar;
    const denom = 1 / gamma;
    const w1 = w2;
    w2 = w;
    for (let i = 0; i < n; i++) {
      const wn = (v[i] - oldeps * w1[i] - delta * w2[i]) * denom;
      w1[i] = wn;
      x[i] += phi * wn;
    }
    w = w1;
    rel = Math.abs(phibar) / beta1;
    if (rel <= rtol || beta === 0) return { x, iterations: it, relResidual: rel, converged: true };
  }
  return { x, iterations: it, relResidual: rel, converged: false };
}

function dotv(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * The k largest eigenpairs of the symmetric m×m matrix `C` (row-major) by block subspace
 * iteration with Rayleigh–Ritz (`iters` sweeps of one m×(k+p) product each): what a low-rank
 * preconditioner needs, never a full eigendecomposition. Values descending; vectors m×k row-major.
 *
 * @example
 *   const { values, vectors } = topEigenpairs(C, m, 10, backend);
 */
export function topEigenpairs(C: Float64Array, m: number, k: number, backend: Backend, iters = 12, seed = 1): { values: Float64Array; vectors: Float64Array } {
  k = Math.min(k, m);
  const q = Math.min(m, k + 8);
  // deterministic start: a fixed pseudo-random block
  let state = seed >>> 0 || 1;
  const rnd = () => {
    state = (Math.imul(state ^ (state >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    return state / 4294967296 - 0.5;
  };
  let Q = new Float64Array(m * q);
  for (let i = 0; i < m * q; i++) Q[i] = rnd();
  const Cm = new Matrix(m, m, C);
  orthonormalize(Q, m, q);
  for (let t = 0; t < iters; t++) {
    const Z = backend.gemm(Cm, new Matrix(m, q, Q)).data;
    Q = Float64Array.from(Z);
    orthonormalize(Q, m, q);
  }
  // Rayleigh–Ritz: T = Qᵀ C Q (q×q), eigen-decompose by Jacobi
  const CQ = backend.gemm(Cm, new Matrix(m, q, Q)).data;
  const T = backend.gemm(new Matrix(m, q, Q), new Matrix(m, q, CQ), { transA: true }).data;
  const { values, vectors } = jacobiEigen(Float64Array.from(T), q);
  const order = Array.from({ length: q }, (_, i) => i).sort((a, b) => values[b] - values[a]);
  const vals = new Float64Array(k);
  const vecs = new Float64Array(m * k);
  for (let c = 0; c < k; c++) {
    const src = order[c];
    vals[c] = values[src];
    for (let r = 0; r < m; r++) {
      let s = 0;
      for (let l = 0; l < q; l++) s += Q[r * q + l] * vectors[l * q + src];
      vecs[r * k + c] = s;
    }
  }
  return { values: vals, vectors: vecs };
}

/** Modified Gram–Schmidt on the q columns of the m×q row-major Q (twice, for stability). */
function orthonormalize(Q: Float64Array, m: number, q: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < q; c++) {
      for (let p = 0; p < c; p++) {
        let s = 0;
        for (let r = 0; r < m; r++) s += Q[r * q + c] * Q[r * q + p];
        for (let r = 0; r < m; r++) Q[r * q + c] -= s * Q[r * q + p];
      }
      let nrm = 0;
      for (let r = 0; r < m; r++) nrm += Q[r * q + c] ** 2;
      nrm = Math.sqrt(nrm);
      if (nrm < 1e-300) {
        for (let r = 0; r < m; r++) Q[r * q + c] = r === c % m ? 1 : 0;
        continue;
      }
      for (let r = 0; r < m; r++) Q[r * q + c] /= nrm;
    }
  }
}

/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations (A is destroyed).
 * Values unsorted; `vectors` q×q row-major with eigenvector j in column j.
 *
 * @example
 *   jacobiEigen(Float64Array.from([2, 1, 1, 2]), 2).values; // [1, 3] in some order
 */
export function jacobiEigen(A: Float64Array, q: number): { values: Float64Array; vectors: Float64Array } {
  const V = new Float64Array(q * q);
  for (let i = 0; i < q; i++) V[i * q + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    let tot = 0;
    for (let i = 0; i < q; i++) {
      for (let j = 0; j < q; j++) {
        const v = A[i * q + j] ** 2;
        tot += v;
        if (i !== j) off += v;
      }
    }
    if (off <= 1e-30 * tot || off === 0) break;
    for (let p = 0; p < q; p++) {
      for (let r = p + 1; r < q; r++) {
        const apr = A[p * q + r];
        if (Math.abs(apr) < 1e-300) continue;
        const theta = (A[r * q + r] - A[p * q + p]) / (2 * apr);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < q; k++) {
          const akp = A[k * q + p];
          const akr = A[k * q + r];
          A[k * q + p] = c * akp - s * akr;
          A[k * q + r] = s * akp + c * akr;
        }
        for (let k = 0; k < q; k++) {
          const apk = A[p * q + k];
          const ark = A[r * q + k];
          A[p * q + k] = c * apk - s * ark;
          A[r * q + k] = s * apk + c * ark;
        }
        for (let k = 0; k < q; k++) {
          const vkp = V[k * q + p];
          const vkr = V[k * q + r];
          V[k * q + p] = c * vkp - s * vkr;
          V[k * q + r] = s * vkp + c * vkr;
        }
      }
    }
  }
  const values = new Float64Array(q);
  for (let i = 0; i < q; i++) values[i] = A[i * q + i];
  return { values, vectors: V };
}
