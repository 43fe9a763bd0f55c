/**
 * Oracle tests of src/core/dense.ts against ml-matrix (through @cvxnn/linalg's checked wrappers
 * `cholesky`, `solve`, `eigh`) and against residuals computed here. Sizes cross the Cholesky panel
 * width (96) so the blocked paths (panel solve, GEMM trailing update) are exercised.
 */
import { cholesky, createCpuBackend, CvxnnError, eigh, Matrix, Rng, solve } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { choleskyInPlace, choleskySolveInPlace, forwardSolveBlocked, jacobiEigen, minres, spdSolve, topEigenpairs } from '../src/index.js';

const backend = createCpuBackend();

/** n×n symmetric positive-definite matrix MᵀM/n + shift·I (row-major). */
function randomSpd(rng: Rng, n: number, shift = 0.5): Float64Array {
  const M = rng.normalArray(n * n);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += M[k * n + i] * M[k * n + j];
      A[i * n + j] = s / n;
      A[j * n + i] = s / n;
    }
    A[i * n + i] += shift;
  }
  return A;
}

/** Symmetric matrix Q diag(vals) Qᵀ with a random orthogonal Q (Householder products). */
function withSpectrum(rng: Rng, vals: ArrayLike<number>): Float64Array {
  const m = vals.length;
  const Q = Matrix.eye(m);
  for (let h = 0; h < 3; h++) {
    const v = rng.normalArray(m);
    let nv = 0;
    for (const t of v) nv += t * t;
    // Q ← Q (I − 2vvᵀ/‖v‖²)
    for (let r = 0; r < m; r++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += Q.get(r, k) * v[k];
      for (let k = 0; k < m; k++) Q.set(r, k, Q.get(r, k) - (2 * s * v[k]) / nv);
    }
  }
  const A = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
    let s = 0;
    for (let k = 0; k < m; k++) s += Q.get(i, k) * vals[k] * Q.get(j, k);
    A[i * m + j] = s;
  }
  return A;
}

const mat = (n: number, m: number, a: ArrayLike<number>) => Matrix.fromArray(n, m, a);

function matvec(A: Float64Array, n: number, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
    out[i] = s;
  }
  return out;
}

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, t) => s + t * t, 0));
const diffNorm = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, t, i) => s + (t - b[i]) ** 2, 0));

describe('choleskyInPlace / choleskySolveInPlace / forwardSolveBlocked vs ml-matrix (panel width 96)', () => {
  it('a NaN or ±Infinity anywhere in the lower triangle fails the factorisation (its GEMMs skip the scans: a pivot refuses it)', () => {
    const n = 250;
    const A = randomSpd(new Rng(77), n);
    // in the first diagonal block, in a panel, in a trailing block, on the last diagonal entry
    for (const [i, j] of [[5, 2], [140, 10], [240, 200], [249, 249], [120, 97]]) {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const L = Float64Array.from(A);
        L[i * n + j] = bad;
        expect(choleskyInPlace(L, n, backend), `${bad} at (${i}, ${j})`).toBe(false);
      }
    }
  });
  for (const n of [1, 2, 95, 96, 97, 193, 250]) {
    it(`n = ${n}: the factor equals ml-matrix's, solves match linalg solve (1 and 3 right-hand sides)`, () => {
      const rng = new Rng(1000 + n);
      const A = randomSpd(rng, n);
      const Lref = cholesky(mat(n, n, A));
      const L = Float64Array.from(A);
      // garbage in the strict upper triangle must not be read (the doc: only the lower triangle is)
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) L[i * n + j] = 1e6 * (i - j);
      expect(choleskyInPlace(L, n, backend)).toBe(true);
      const lower: number[] = [];
      const lowerRef: number[] = [];
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
        lower.push(L[i * n + j]);
        lowerRef.push(Lref.get(i, j));
      }
      expect(lower).toAllClose(lowerRef, { rtol: 1e-10, atol: 1e-12 });

      for (const m of [1, 3]) {
        const B = rng.normalArray(n * m);
        const ref = solve(mat(n, n, A), mat(n, m, B)).data;
        const X = Float64Array.from(B);
        choleskySolveInPlace(L, n, X, m);
        expect(Array.from(X)).toAllClose(ref, { rtol: 1e-8, atol: 1e-10 });

        // forward half only: L Y = B, against a general solve with the clean lower factor
        const Lclean = Matrix.zeros(n, n);
        for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) Lclean.set(i, j, Lref.get(i, j));
        const Yref = solve(Lclean, mat(n, m, B)).data;
        const Y = Float64Array.from(B);
        forwardSolveBlocked(L, n, Y, m, backend);
        expect(Array.from(Y)).toAllClose(Yref, { rtol: 1e-8, atol: 1e-10 });
      }
    });
  }

  it('reports a non-positive pivot (false) in the first panel and in a later one', () => {
    for (const [n, bad] of [
      [5, 2],
      [97, 96],
      [200, 150],
    ]) {
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++) A[i * n + i] = 1;
      A[bad * n + bad] = -1e-3;
      expect(choleskyInPlace(Float64Array.from(A), n, backend)).toBe(false);
    }
    // a rank-1 matrix (exact zero pivot after the first column)
    const v = [1, 2, 3];
    const R = Float64Array.from({ length: 9 }, (_, t) => v[Math.floor(t / 3)] * v[t % 3]);
    expect(choleskyInPlace(R, 3, backend)).toBe(false);
  });
});

describe('spdSolve', () => {
  it('a well-conditioned SPD system matches linalg solve', () => {
    const rng = new Rng(7);
    const n = 40;
    const A = randomSpd(rng, n);
    const b = rng.normalArray(n);
    expect(Array.from(spdSolve(A, n, b, backend))).toAllClose(solve(mat(n, n, A), mat(n, 1, b)).data, { rtol: 1e-9, atol: 1e-11 });
    // A is not modified
    expect(Array.from(A)).toAllClose(randomSpd(new Rng(7), n), { rtol: 0, atol: 0 });
  });

  it('a semidefinite system with b in the range: A x = b, and x projected on range(A) is A⁺b (eigh)', () => {
    const rng = new Rng(8);
    const n = 30;
    const r = 12;
    // A = M Mᵀ, M n×r: rank r, non-zero spectrum well away from 0
    const M = rng.normalArray(n * r);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += M[i * r + k] * M[j * r + k];
      A[i * n + j] = s;
    }
    const c = rng.normalArray(r);
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let k = 0; k < r; k++) b[i] += M[i * r + k] * c[k];
    const x = spdSolve(A, n, b, backend);
    expect(diffNorm(matvec(A, n, x), b) / norm(b)).toBeLessThan(1e-6);
    // the component of x in range(A) is the pseudo-inverse solution A⁺b (eigh); the null-space
    // component is not determined by the system (a tiny shift leaves round-off there)
    const { values, vectors } = eigh(mat(n, n, A));
    const top = values[n - 1];
    const xp = new Float64Array(n);
    const xr = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      if (values[k] <= 1e-10 * top) continue;
      let s = 0;
      let sx = 0;
      for (let i = 0; i < n; i++) {
        s += vectors.get(i, k) * b[i];
        sx += vectors.get(i, k) * x[i];
      }
      for (let i = 0; i < n; i++) {
        xp[i] += (vectors.get(i, k) * s) / values[k];
        xr[i] += vectors.get(i, k) * sx;
      }
    }
    expect(diffNorm(xr, xp) / norm(xp)).toBeLessThan(1e-6);
  });

  it('the zero matrix with b = 0 gives x = 0', () => {
    const x = spdSolve(new Float64Array(9), 3, new Float64Array(3), backend);
    expect(Array.from(x)).toAllClose([0, 0, 0], { atol: 0 });
  });

  // BUG (documented contract): "adds a relative diagonal shift (up to 1e-10·trace/n, doubling)
  // … throws NOT_CONVERGED when even that fails". The loop multiplies the shift by 4 up to 40
  // times (largest shift ≈ 1e-14·4³⁸·trace/n ≈ 7.6e8·trace/n), so a clearly indefinite matrix is
  // "solved" with a shift of order its own entries and a wrong answer comes back silently.
  it('an indefinite matrix throws NOT_CONVERGED instead of returning a heavily shifted solve', () => {
    const A = Float64Array.of(1, 0, 0, -1);
    let err: unknown = null;
    let x: Float64Array | null = null;
    try {
      x = spdSolve(A, 2, Float64Array.of(1, 1), backend);
    } catch (e) {
      err = e;
    }
    // the true solution is (1, −1); whatever comes back must not be presented as a solution
    expect(x).toBeNull();
    expect(err).toBeInstanceOf(CvxnnError);
    expect((err as CvxnnError).code).toBe('NOT_CONVERGED');
  });
});

describe('minres vs a direct solve', () => {
  const rng = new Rng(21);
  const n = 60;
  const A = randomSpd(rng, n, 0.05);
  const b = rng.normalArray(n);
  const ref = solve(mat(n, n, A), mat(n, 1, b)).data;
  const apply = (v: Float64Array, out: Float64Array) => out.set(matvec(A, n, v));

  it('SPD without a preconditioner', () => {
    const r = minres(apply, b, { rtol: 1e-12 });
    expect(r.converged).toBe(true);
    expect(Array.from(r.x)).toAllClose(ref, { rtol: 1e-7, atol: 1e-8 });
    // the true residual is small, not only MINRES' own estimate
    expect(diffNorm(matvec(A, n, r.x), b) / norm(b)).toBeLessThan(1e-10);
  });

  it('SPD with a Jacobi preconditioner, and with the exact inverse (one iteration)', () => {
    const jac = (v: Float64Array, out: Float64Array) => {
      for (let i = 0; i < n; i++) out[i] = v[i] / A[i * n + i];
    };
    const r = minres(apply, b, { precondition: jac, rtol: 1e-12 });
    expect(r.converged).toBe(true);
    expect(Array.from(r.x)).toAllClose(ref, { rtol: 1e-7, atol: 1e-8 });
    const Ainv = solve(mat(n, n, A), Matrix.eye(n)).data;
    const exact = (v: Float64Array, out: Float64Array) => out.set(matvec(Ainv, n, v));
    const r2 = minres(apply, b, { precondition: exact, rtol: 1e-10 });
    expect(r2.iterations).toBeLessThanOrEqual(2);
    expect(Array.from(r2.x)).toAllClose(ref, { rtol: 1e-8, atol: 1e-9 });
  });

  it('b = 0 returns x = 0 in 0 iterations; an indefinite preconditioner is refused', () => {
    const r = minres(apply, new Float64Array(n));
    expect(r.iterations).toBe(0);
    expect(Array.from(r.x)).toAllClose(new Float64Array(n), { atol: 0 });
    expect(() => minres(apply, b, { precondition: (v, out) => out.set(v.map((t) => -t)) })).toThrow(/not positive definite/);
  });

  it('an indefinite saddle system [K B; Bᵀ 0] with and without the block preconditioner diag(K⁻¹, (BᵀK⁻¹B)⁻¹)', () => {
    const r2 = new Rng(22);
    const nk = 50;
    const q = 7;
    const K = randomSpd(r2, nk, 0.3);
    const B = r2.normalArray(nk * q);
    const N = nk + q;
    const S = new Float64Array(N * N);
    for (let i = 0; i < nk; i++) for (let j = 0; j < nk; j++) S[i * N + j] = K[i * nk + j];
    for (let i = 0; i < nk; i++) for (let t = 0; t < q; t++) {
      S[i * N + nk + t] = B[i * q + t];
      S[(nk + t) * N + i] = B[i * q + t];
    }
    // the saddle matrix is indefinite: check with eigh, so the test exercises what it claims
    const ev = eigh(mat(N, N, S)).values;
    expect(ev[0]).toBeLessThan(0);
    expect(ev[N - 1]).toBeGreaterThan(0);
    const rhs = r2.normalArray(N);
    const xref = solve(mat(N, N, S), mat(N, 1, rhs)).data;
    const applyS = (v: Float64Array, out: Float64Array) => out.set(matvec(S, N, v));
    const plain = minres(applyS, rhs, { rtol: 1e-12 });
    expect(plain.converged).toBe(true);
    expect(Array.from(plain.x)).toAllClose(xref, { rtol: 1e-6, atol: 1e-8 });
    expect(diffNorm(matvec(S, N, plain.x), rhs) / norm(rhs)).toBeLessThan(1e-9);
    // block preconditioner with the exact Schur complement: at most 3 distinct eigenvalues of the
    // preconditioned operator (Murphy–Golub–Wathen), so MINRES ends in a few iterations
    const Kinv = solve(mat(nk, nk, K), Matrix.eye(nk)).data;
    const KiB = new Float64Array(nk * q);
    for (let i = 0; i < nk; i++) for (let t = 0; t < q; t++) {
      let s = 0;
      for (let k = 0; k < nk; k++) s += Kinv[i * nk + k] * B[k * q + t];
      KiB[i * q + t] = s;
    }
    const Sch = Matrix.zeros(q, q);
    for (let a = 0; a < q; a++) for (let c = 0; c < q; c++) {
      let s = 0;
      for (let i = 0; i < nk; i++) s += B[i * q + a] * KiB[i * q + c];
      Sch.set(a, c, s);
    }
    const SchInv = solve(Sch, Matrix.eye(q)).data;
    const pre = (v: Float64Array, out: Float64Array) => {
      out.set(matvec(Kinv, nk, v.subarray(0, nk)), 0);
      out.set(matvec(SchInv, q, v.subarray(nk)), nk);
    };
    const prec = minres(applyS, rhs, { precondition: pre, rtol: 1e-12 });
    expect(prec.converged).toBe(true);
    expect(prec.iterations).toBeLessThanOrEqual(6);
    expect(Array.from(prec.x)).toAllClose(xref, { rtol: 1e-6, atol: 1e-8 });
    expect(diffNorm(matvec(S, N, prec.x), rhs) / norm(rhs)).toBeLessThan(1e-9);
  });

  it('maxIters caps the run and reports converged = false', () => {
    const r = minres(apply, b, { rtol: 1e-14, maxIters: 3 });
    expect(r.iterations).toBe(3);
    expect(r.converged).toBe(false);
    expect(r.relResidual).toBeGreaterThan(1e-14);
  });
});

describe('eigenpairs vs linalg eigh', () => {
  /** |cosine| between column c of a (m×k row-major) and column c2 of an eigh vector matrix. */
  const absCos = (a: Float64Array, k: number, c: number, V: Matrix<Float64Array>, c2: number) => {
    const m = V.rows;
    let s = 0;
    let na = 0;
    for (let r = 0; r < m; r++) {
      s += a[r * k + c] * V.get(r, c2);
      na += a[r * k + c] ** 2;
    }
    return Math.abs(s) / Math.sqrt(na);
  };

  it('topEigenpairs: top 5 of a 60×60 matrix with a clear spectral gap (values and vectors)', () => {
    const rng = new Rng(31);
    const m = 60;
    const vals = Array.from({ length: m }, (_, i) => (i < 5 ? 100 - 17 * i : rng.uniform()));
    const C = withSpectrum(rng, vals);
    const ref = eigh(mat(m, m, C));
    const { values, vectors } = topEigenpairs(C, m, 5, backend);
    expect(values.length).toBe(5);
    for (let c = 0; c < 5; c++) {
      expect(values[c]).toBeCloseRel(ref.values[m - 1 - c], 1e-10);
      expect(absCos(vectors, 5, c, ref.vectors, m - 1 - c)).toBeCloseRel(1, 1e-8);
    }
  });

  it('topEigenpairs: when k + 8 ≥ m the whole space is used and the result is exact, also for indefinite matrices', () => {
    const rng = new Rng(32);
    const m = 10;
    const C = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) {
      const v = rng.normal();
      C[i * m + j] = v;
      C[j * m + i] = v;
    }
    const ref = eigh(mat(m, m, C));
    const { values } = topEigenpairs(C, m, 4, backend);
    expect(Array.from(values)).toAllClose([ref.values[9], ref.values[8], ref.values[7], ref.values[6]], { rtol: 1e-10, atol: 1e-12 });
    // k > m is clamped
    expect(topEigenpairs(C, m, 25, backend).values.length).toBe(m);
  });

  it('topEigenpairs: a rank-deficient co-activation-like Gram MᵀM (0/1 M)', () => {
    const rng = new Rng(33);
    const n = 9;
    const m = 30;
    const M = Float64Array.from({ length: n * m }, () => (rng.uniform() < 0.5 ? 1 : 0));
    const C = new Float64Array(m * m);
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += M[j * m + a] * M[j * m + b];
      C[a * m + b] = s;
    }
    const ref = eigh(mat(m, m, C));
    // rank ≤ 9 < q = k + 8 = 11: the subspace contains the whole range, the top 3 are exact
    const { values, vectors } = topEigenpairs(C, m, 3, backend, 20);
    for (let c = 0; c < 3; c++) {
      expect(values[c]).toBeCloseRel(ref.values[m - 1 - c], 1e-9);
      // C v = λ v
      const col = Float64Array.from({ length: m }, (_, r) => vectors[r * 3 + c]);
      const Cv = matvec(C, m, col);
      expect(diffNorm(Cv, col.map((t) => t * values[c])) / (values[c] * norm(col))).toBeLessThan(1e-8);
    }
  });

  for (const q of [1, 2, 7, 20]) {
    it(`jacobiEigen q = ${q}: values equal eigh's, vectors orthonormal and A V = V Λ`, () => {
      const rng = new Rng(40 + q);
      const A = new Float64Array(q * q);
      for (let i = 0; i < q; i++) for (let j = 0; j <= i; j++) {
        const v = rng.normal();
        A[i * q + j] = v;
        A[j * q + i] = v;
      }
      const ref = eigh(mat(q, q, A));
      const { values, vectors } = jacobiEigen(Float64Array.from(A), q);
      expect(Array.from(values).sort((a, b) => a - b)).toAllClose(ref.values, { rtol: 1e-11, atol: 1e-12 });
      for (let c = 0; c < q; c++) {
        const v = Float64Array.from({ length: q }, (_, r) => vectors[r * q + c]);
        expect(norm(v)).toBeCloseRel(1, 1e-12);
        expect(diffNorm(matvec(A, q, v), v.map((t) => t * values[c]))).toBeLessThan(1e-10);
        for (let c2 = 0; c2 < c; c2++) {
          let s = 0;
          for (let r = 0; r < q; r++) s += vectors[r * q + c] * vectors[r * q + c2];
          expect(Math.abs(s)).toBeLessThan(1e-12);
        }
        // the same vector as eigh's (distinct eigenvalues for a random matrix), up to sign
        const k = ref.values.findIndex((w) => Math.abs(w - values[c]) < 1e-9);
        expect(absCos(vectors, q, c, ref.vectors, k)).toBeCloseRel(1, 1e-9);
      }
    });
  }

  it('jacobiEigen with a repeated eigenvalue reconstructs A = V Λ Vᵀ', () => {
    const rng = new Rng(50);
    const q = 6;
    const A = withSpectrum(rng, [3, 3, 3, -1, 0, 2]);
    const { values, vectors } = jacobiEigen(Float64Array.from(A), q);
    expect(Array.from(values).sort((a, b) => a - b)).toAllClose([-1, 0, 2, 3, 3, 3], { atol: 1e-12 });
    const R = new Float64Array(q * q);
    for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) for (let k = 0; k < q; k++) R[i * q + j] += vectors[i * q + k] * values[k] * vectors[j * q + k];
    expect(Array.from(R)).toAllClose(A, { atol: 1e-12 });
  });
});
