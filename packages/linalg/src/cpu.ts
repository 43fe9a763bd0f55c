/**
 * The CPU reference backend in TypeScript ("ts"): fp64, row-chunked so the masked products use
 * O(n·d + chunk·P·c) memory, no allocation inside inner loops.
 */
import type { Backend, GemmOptions } from './backend.js';
import { assertShape } from './errors.js';
import type { PatternMasks } from './masks.js';
import { Matrix } from './matrix.js';

/** Rows of X processed at once by the masked products. */
export const DEFAULT_CHUNK = 64;

function checkMasked(X: Matrix<Float64Array>, M: PatternMasks): void {
  assertShape(M.n === X.rows, `masks cover ${M.n} samples but X has ${X.rows} rows`);
}

/** C = alpha·op(A)·op(B) + beta·C, i-k-j loop order over row-major storage. */
export function gemm(a: Matrix<Float64Array>, b: Matrix<Float64Array>, opts: GemmOptions = {}): Matrix<Float64Array> {
  const { transA = false, transB = false, alpha = 1, beta = 0 } = opts;
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  assertShape(k === kb, `gemm: op(A) is ${m}×${k} but op(B) is ${kb}×${n}; inner dimensions must agree`);
  const out = opts.out ?? Matrix.zeros(m, n);
  assertShape(out.rows === m && out.cols === n, `gemm: output is ${out.rows}×${out.cols}, expected ${m}×${n}`);
  const C = out.data;
  const cs = out.stride;
  const co = out.offset;
  for (let i = 0; i < m; i++) {
    const ci = co + i * cs;
    if (beta === 0) C.fill(0, ci, ci + n);
    else if (beta !== 1) for (let j = 0; j < n; j++) C[ci + j] *= beta;
  }
  const A = a.data;
  const B = b.data;
  if (!transB) {
    // C[i,:] += alpha·A(i,t)·B[t,:]
    for (let i = 0; i < m; i++) {
      const ci = co + i * cs;
      for (let t = 0; t < k; t++) {
        const av = alpha * (transA ? A[a.offset + t * a.stride + i] : A[a.offset + i * a.stride + t]);
        if (av === 0) continue;
        const bo = b.offset + t * b.stride;
        for (let j = 0; j < n; j++) C[ci + j] += av * B[bo + j];
      }
    }
  } else {
    // C[i,j] += alpha·dot(A(i,:), B[j,:])
    for (let i = 0; i < m; i++) {
      const ci = co + i * cs;
      for (let j = 0; j < n; j++) {
        const bo = b.offset + j * b.stride;
        let s = 0;
        if (transA) for (let t = 0; t < k; t++) s += A[a.offset + t * a.stride + i] * B[bo + t];
        else {
          const ao = a.offset + i * a.stride;
          for (let t = 0; t < k; t++) s += A[ao + t] * B[bo + t];
        }
        C[ci + j] += alpha * s;
      }
    }
  }
  return out;
}

/** F = Σ_i D_i X U_i (U is d×(P·c)); chunked: T = X_chunk·U, then masked row sums. */
export function maskedForward(
  X: Matrix<Float64Array>,
  M: PatternMasks,
  U: Matrix<Float64Array>,
  out?: Matrix<Float64Array>,
  chunk = DEFAULT_CHUNK,
): Matrix<Float64Array> {
  checkMasked(X, M);
  assertShape(U.rows === X.cols, `maskedForward: U has ${U.rows} rows but X has ${X.cols} columns`);
  assertShape(M.p > 0 ? U.cols % M.p === 0 : U.cols === 0, `maskedForward: U has ${U.cols} columns, not a multiple of P=${M.p}`);
  const n = X.rows;
  const p = M.p;
  const c = p > 0 ? U.cols / p : 1;
  const F = out ?? Matrix.zeros(n, c);
  assertShape(F.rows === n && F.cols === c, `maskedForward: output is ${F.rows}×${F.cols}, expected ${n}×${c}`);
  const pc = p * c;
  const T = Matrix.zeros(Math.min(chunk, n), pc);
  const wpr = M.wordsPerRow;
  for (let r0 = 0; r0 < n; r0 += chunk) {
    const nr = Math.min(chunk, n - r0);
    const Tv = nr === T.rows ? T : T.view(0, 0, nr, pc);
    gemm(X.view(r0, 0, nr, X.cols), U, { out: Tv });
    for (let jj = 0; jj < nr; jj++) {
      const j = r0 + jj;
      const fo = F.offset + j * F.stride;
      for (let k = 0; k < c; k++) F.data[fo + k] = 0;
      const to = jj * pc;
      const mb = j * wpr;
      for (let w = 0; w < wpr; w++) {
        let word = M.bits[mb + w];
        while (word !== 0) {
          const bit = 31 - Math.clz32(word & -word);
          word &= word - 1;
          const i = (w << 5) + bit;
          const ti = to + i * c;
          for (let k = 0; k < c; k++) F.data[fo + k] += T.data[ti + k];
        }
      }
    }
  }
  return F;
}

/** G = Xᵀ(M ∘ R): G[:, i·c+k] = Xᵀ D_i R[:,k]; chunked: S = M∘R on a row chunk, then G += X_chunkᵀ·S. */
export function maskedBackward(
  X: Matrix<Float64Array>,
  M: PatternMasks,
  R: Matrix<Float64Array>,
  out?: Matrix<Float64Array>,
  chunk = DEFAULT_CHUNK,
): Matrix<Float64Array> {
  checkMasked(X, M);
  assertShape(R.rows === X.rows, `maskedBackward: R has ${R.rows} rows but X has ${X.rows}`);
  const n = X.rows;
  const d = X.cols;
  const p = M.p;
  const c = R.cols;
  const pc = p * c;
  const G = out ?? Matrix.zeros(d, pc);
  assertShape(G.rows === d && G.cols === pc, `maskedBackward: output is ${G.rows}×${G.cols}, expected ${d}×${pc}`);
  for (let t = 0; t < d; t++) G.data.fill(0, G.offset + t * G.stride, G.offset + t * G.stride + pc);
  const S = Matrix.zeros(Math.min(chunk, n), pc);
  const wpr = M.wordsPerRow;
  for (let r0 = 0; r0 < n; r0 += chunk) {
    const nr = Math.min(chunk, n - r0);
    S.data.fill(0);
    for (let jj = 0; jj < nr; jj++) {
      const j = r0 + jj;
      const ro = R.offset + j * R.stride;
      const so = jj * pc;
      const mb = j * wpr;
      for (let w = 0; w < wpr; w++) {
        let word = M.bits[mb + w];
        while (word !== 0) {
          const bit = 31 - Math.clz32(word & -word);
          word &= word - 1;
          const i = (w << 5) + bit;
          for (let k = 0; k < c; k++) S.data[so + i * c + k] = R.data[ro + k];
        }
      }
    }
    const Sv = nr === S.rows ? S : S.view(0, 0, nr, pc);
    gemm(X.view(r0, 0, nr, d), Sv, { transA: true, beta: 1, out: G });
  }
  return G;
}

/** Frobenius norms of the d×c column blocks of U. */
export function groupNorms(U: Matrix<Float64Array>, c = 1, out?: Float64Array): Float64Array {
  assertShape(U.cols % c === 0, `groupNorms: ${U.cols} columns are not a multiple of the group width ${c}`);
  const p = U.cols / c;
  const norms = out ?? new Float64Array(p);
  norms.fill(0);
  for (let t = 0; t < U.rows; t++) {
    const o = U.offset + t * U.stride;
    for (let i = 0; i < p; i++) {
      let s = 0;
      for (let k = 0; k < c; k++) {
        const v = U.data[o + i * c + k];
        s += v * v;
      }
      norms[i] += s;
    }
  }
  for (let i = 0; i < p; i++) norms[i] = Math.sqrt(norms[i]);
  return norms;
}

/** Block soft-thresholding: U_i ← (1 − t_i/‖U_i‖)_+ U_i (the prox of Σ t_i‖U_i‖). */
export function groupSoftThreshold(
  U: Matrix<Float64Array>,
  t: number | ArrayLike<number>,
  c = 1,
  out?: Matrix<Float64Array>,
): Matrix<Float64Array> {
  const norms = groupNorms(U, c);
  const p = norms.length;
  const dst = out ?? Matrix.zeros(U.rows, U.cols);
  assertShape(dst.rows === U.rows && dst.cols === U.cols, `groupSoftThreshold: output shape differs from input`);
  const f = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    const ti = typeof t === 'number' ? t : t[i];
    f[i] = norms[i] > ti ? 1 - ti / norms[i] : 0;
  }
  for (let r = 0; r < U.rows; r++) {
    const uo = U.offset + r * U.stride;
    const oo = dst.offset + r * dst.stride;
    for (let i = 0; i < p; i++) for (let k = 0; k < c; k++) dst.data[oo + i * c + k] = f[i] * U.data[uo + i * c + k];
  }
  return dst;
}

/** The CPU reference backend object. */
export function createCpuBackend(): Backend {
  return {
    name: 'ts',
    precision: 'fp64',
    description: 'TypeScript fp64 kernels (row-chunked, single thread)',
    gemm,
    maskedForward: (X, M, U, out) => maskedForward(X, M, U, out),
    maskedBackward: (X, M, R, out) => maskedBackward(X, M, R, out),
    groupNorms,
    groupSoftThreshold,
  };
}
