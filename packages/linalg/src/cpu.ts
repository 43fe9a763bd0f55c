/**
 * The CPU reference backend in TypeScript ("ts"): fp64, a packed and cache-blocked GEMM with a
 * 4×4 register tile, and fused masked products in row chunks so they use O(n·d + chunk·P·c)
 * memory. Buffers are allocated once per call, never inside the loops.
 */
import type { Backend, GemmOptions } from './backend.js';
import { assertOption, assertShape, CvxnnError } from './errors.js';
import type { PatternMasks } from './masks.js';
import { Matrix } from './matrix.js';
import { assertMatrix, checkOptions, type OptionSpec } from './options.js';

/**
 * Rows of X processed at once by the masked products (the chunk of the row-chunked passes).
 *
 * @example
 *   maskedForward(X, M, U, undefined, DEFAULT_CHUNK);
 */
export const DEFAULT_CHUNK = 128;

/**
 * Blocking parameters of the packed GEMM (BLIS/Goto style). A 4×4 register tile is the largest
 * V8 keeps in registers on x86-64 (16 accumulators + operands; larger tiles spill); a kc×4
 * micro-panel of op(B) (8 KB at kc = 256) stays in L1 while it meets every MR-row panel of the
 * mc×kc packed block of op(A) (256 KB), which stays in L2. Products with m·n·k ≤ SMALL use plain loops.
 *
 * @example
 *   GEMM_BLOCKING.KC; // 256
 */
export const GEMM_BLOCKING = Object.freeze({ MR: 4, NR: 4, KC: 256, MC: 128, NC: 4096, SMALL: 32768 });

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 128;
const NC = 4096;
/** m·n·k at or below which plain loops beat packing. */
const SMALL = 32768;

/** scratch 4×4 tile for the edges of the packed products (a ragged m or n) */
const edgeTile = new Float64Array(MR * NR);

/**
 * Throw `NON_FINITE` naming the first NaN/±Infinity entry of a kernel input (one pass over the
 * matrix, O(rows·cols) against the kernel's O(rows·cols·P) work). Every kernel of the CPU
 * backends checks its inputs with it, so a NaN is reported where it enters, not as a NaN output.
 *
 * @example
 *   assertFiniteInput('maskedForward', 'X', X);
 */
export function assertFiniteInput(kernel: string, what: string, A: Matrix<Float64Array>): void {
  const { data, stride, offset, rows, cols } = A;
  // fast pass: v·0 is 0 for finite v and NaN for NaN and ±Infinity; four independent sums keep
  // the loop pipelined (about 3× the speed of a compare per entry)
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  const flat = stride === cols;
  const runs = flat ? 1 : rows;
  const len = flat ? rows * cols : cols;
  for (let i = 0; i < runs; i++) {
    const o = offset + i * stride;
    const end = o + len;
    let j = o;
    for (; j + 3 < end; j += 4) {
      a0 += data[j] * 0;
      a1 += data[j + 1] * 0;
      a2 += data[j + 2] * 0;
      a3 += data[j + 3] * 0;
    }
    for (; j < end; j++) a0 += data[j] * 0;
  }
  if (a0 + a1 + a2 + a3 === 0) return;
  for (let i = 0; i < rows; i++) {
    const o = offset + i * stride;
    for (let j = 0; j < cols; j++) {
      const v = data[o + j];
      // v − v is 0 for finite v and NaN for NaN and ±Infinity
      if (v - v !== 0) {
        throw new CvxnnError('NON_FINITE', `${kernel}: ${what} has ${v} at row ${i}, column ${j}; kernels need finite inputs (check the data, or a diverging solver)`, { row: i, col: j });
      }
    }
  }
}


function checkMasked(X: Matrix<Float64Array>, M: PatternMasks): void {
  assertShape(M.n === X.rows, `masks cover ${M.n} samples but X has ${X.rows} rows; build the masks from the same X`);
}

/**
 * The 4×4 micro-kernel: C[co + r·ldc + j] += Σ_t Ap[ao + 4t + r]·Bp[bo + 4t + j] for r, j < 4.
 * Ap is an MR-row panel and Bp an NR-column panel of packed operands, both kc long; the 16
 * accumulators are locals so V8 keeps them in registers.
 */
function kernel4x4(kc: number, Ap: Float64Array, ao: number, Bp: Float64Array, bo: number, C: Float64Array, co: number, ldc: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let t = 0; t < kc; t++) {
    const a0 = Ap[ao], a1 = Ap[ao + 1], a2 = Ap[ao + 2], a3 = Ap[ao + 3];
    const b0 = Bp[bo], b1 = Bp[bo + 1], b2 = Bp[bo + 2], b3 = Bp[bo + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    ao += 4;
    bo += 4;
  }
  C[co] += c00; C[co + 1] += c01; C[co + 2] += c02; C[co + 3] += c03;
  co += ldc;
  C[co] += c10; C[co + 1] += c11; C[co + 2] += c12; C[co + 3] += c13;
  co += ldc;
  C[co] += c20; C[co + 1] += c21; C[co + 2] += c22; C[co + 3] += c23;
  co += ldc;
  C[co] += c30; C[co + 1] += c31; C[co + 2] += c32; C[co + 3] += c33;
}

/**
 * The 4×4 micro-kernel with a masked row-sum write-back (scalar outputs, c = 1): the 4×4 tile
 * T = Ap·Bp of rows j0..j0+3 and patterns q..q+3 is never stored; instead
 * F[j] += Σ_{i<4} m_{j, q+i}·T[j, i]. Because q is a multiple of 4, the four mask bits of a row
 * sit in one nibble of one 32-bit word.
 */
function kernel4x4Masked(
  kc: number, Ap: Float64Array, ao: number, Bp: Float64Array, bo: number,
  F: Float64Array, fo: number, fs: number, bits: Uint32Array, wo: number, wpr: number, shift: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let t = 0; t < kc; t++) {
    const a0 = Ap[ao], a1 = Ap[ao + 1], a2 = Ap[ao + 2], a3 = Ap[ao + 3];
    const b0 = Bp[bo], b1 = Bp[bo + 1], b2 = Bp[bo + 2], b3 = Bp[bo + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    ao += 4;
    bo += 4;
  }
  let m = bits[wo] >>> shift;
  F[fo] += (m & 1) * c00 + ((m >>> 1) & 1) * c01 + ((m >>> 2) & 1) * c02 + ((m >>> 3) & 1) * c03;
  fo += fs;
  wo += wpr;
  m = bits[wo] >>> shift;
  F[fo] += (m & 1) * c10 + ((m >>> 1) & 1) * c11 + ((m >>> 2) & 1) * c12 + ((m >>> 3) & 1) * c13;
  fo += fs;
  wo += wpr;
  m = bits[wo] >>> shift;
  F[fo] += (m & 1) * c20 + ((m >>> 1) & 1) * c21 + ((m >>> 2) & 1) * c22 + ((m >>> 3) & 1) * c23;
  fo += fs;
  wo += wpr;
  m = bits[wo] >>> shift;
  F[fo] += (m & 1) * c30 + ((m >>> 1) & 1) * c31 + ((m >>> 2) & 1) * c32 + ((m >>> 3) & 1) * c33;
}

/**
 * Pack rows i0..i0+mc−1, columns p0..p0+kc−1 of alpha·op(A) into MR-row panels:
 * Ap[ip·kc·MR + t·MR + r] = alpha·op(A)(i0 + ip·MR + r, p0 + t), zero-padded past mc.
 */
function packA(
  A: Float64Array, aOff: number, lda: number, transA: boolean, alpha: number,
  i0: number, mc: number, p0: number, kc: number, Ap: Float64Array,
): void {
  const panels = Math.ceil(mc / MR);
  for (let ip = 0; ip < panels; ip++) {
    const base = ip * kc * MR;
    const rows = Math.min(MR, mc - ip * MR);
    const ib = i0 + ip * MR;
    if (!transA) {
      for (let r = 0; r < MR; r++) {
        if (r >= rows) {
          for (let t = 0; t < kc; t++) Ap[base + t * MR + r] = 0;
          continue;
        }
        const src = aOff + (ib + r) * lda + p0;
        for (let t = 0; t < kc; t++) Ap[base + t * MR + r] = alpha * A[src + t];
      }
    } else {
      // op(A)(i, t) = A[t, i]: row p0+t of A holds the MR values contiguously
      for (let t = 0; t < kc; t++) {
        const src = aOff + (p0 + t) * lda + ib;
        const dst = base + t * MR;
        for (let r = 0; r < MR; r++) Ap[dst + r] = r < rows ? alpha * A[src + r] : 0;
      }
    }
  }
}

/**
 * Pack rows p0..p0+kc−1, columns j0..j0+nc−1 of op(B) into NR-column panels starting at
 * Bp[bOff]: Bp[bOff + jp·kc·NR + t·NR + j] = op(B)(p0 + t, j0 + jp·NR + j), zero-padded past nc.
 */
function packB(
  B: Float64Array, bOff: number, ldb: number, transB: boolean,
  p0: number, kc: number, j0: number, nc: number, Bp: Float64Array, dstOff: number,
): void {
  const panels = Math.ceil(nc / NR);
  for (let jp = 0; jp < panels; jp++) {
    const base = dstOff + jp * kc * NR;
    const cols = Math.min(NR, nc - jp * NR);
    const jb = j0 + jp * NR;
    if (!transB) {
      for (let t = 0; t < kc; t++) {
        const src = bOff + (p0 + t) * ldb + jb;
        const dst = base + t * NR;
        for (let j = 0; j < NR; j++) Bp[dst + j] = j < cols ? B[src + j] : 0;
      }
    } else {
      // op(B)(t, j) = B[j, t]: row jb+j of B holds the kc values contiguously
      for (let j = 0; j < NR; j++) {
        if (j >= cols) {
          for (let t = 0; t < kc; t++) Bp[base + t * NR + j] = 0;
          continue;
        }
        const src = bOff + (jb + j) * ldb + p0;
        for (let t = 0; t < kc; t++) Bp[base + t * NR + j] = B[src + t];
      }
    }
  }
}

/**
 * C[0:mc, 0:nc] += Ap·Bp for a packed mc×kc block of A and kc×nc block of B (C at `co`, row
 * stride `ldc`). Loop order jr (B micro-panels, kept in L1) outside ir (A panels, in L2).
 */
function macroKernel(
  mc: number, nc: number, kc: number, Ap: Float64Array, Bp: Float64Array, bOff: number,
  C: Float64Array, co: number, ldc: number,
): void {
  const mPanels = Math.ceil(mc / MR);
  const nPanels = Math.ceil(nc / NR);
  const aStep = kc * MR;
  const bStep = kc * NR;
  for (let jp = 0; jp < nPanels; jp++) {
    const nr = Math.min(NR, nc - jp * NR);
    const bo = bOff + jp * bStep;
    const cj = co + jp * NR;
    for (let ip = 0; ip < mPanels; ip++) {
      const mr = Math.min(MR, mc - ip * MR);
      const ci = cj + ip * MR * ldc;
      if (mr === MR && nr === NR) {
        kernel4x4(kc, Ap, ip * aStep, Bp, bo, C, ci, ldc);
      } else {
        edgeTile.fill(0);
        kernel4x4(kc, Ap, ip * aStep, Bp, bo, edgeTile, 0, NR);
        for (let r = 0; r < mr; r++) for (let j = 0; j < nr; j++) C[ci + r * ldc + j] += edgeTile[r * NR + j];
      }
    }
  }
}

/**
 * F[j0 + r] += Σ_q m_{j0+r, q}·(Ap·Bp)[r, q] for a packed mc×kc block of X rows j0.. and the
 * kc×P packed block of U (scalar outputs): macroKernel with the masked write-back.
 */
function macroKernelMasked(
  mc: number, np: number, kc: number, Ap: Float64Array, Bp: Float64Array, bOff: number,
  F: Float64Array, fo: number, fs: number, bits: Uint32Array, j0: number, wpr: number,
): void {
  const mPanels = Math.ceil(mc / MR);
  const nPanels = Math.ceil(np / NR);
  const aStep = kc * MR;
  const bStep = kc * NR;
  for (let jp = 0; jp < nPanels; jp++) {
    const q = jp * NR;
    const nr = Math.min(NR, np - q);
    const bo = bOff + jp * bStep;
    const wq = q >>> 5;
    const shift = q & 31;
    for (let ip = 0; ip < mPanels; ip++) {
      const mr = Math.min(MR, mc - ip * MR);
      const j = j0 + ip * MR;
      if (mr === MR) {
        // padded columns of Bp are zero, so a ragged last panel needs no special case
        kernel4x4Masked(kc, Ap, ip * aStep, Bp, bo, F, fo + ip * MR * fs, fs, bits, j * wpr + wq, wpr, shift);
      } else {
        edgeTile.fill(0);
        kernel4x4(kc, Ap, ip * aStep, Bp, bo, edgeTile, 0, NR);
        for (let r = 0; r < mr; r++) {
          const m = bits[(j + r) * wpr + wq] >>> shift;
          let s = 0;
          for (let i = 0; i < nr; i++) if (((m >>> i) & 1) !== 0) s += edgeTile[r * NR + i];
          F[fo + (ip * MR + r) * fs] += s;
        }
      }
    }
  }
}

/** Plain loops for small products, where packing costs more than it saves. */
function gemmSmall(
  a: Matrix<Float64Array>, b: Matrix<Float64Array>, transA: boolean, transB: boolean, alpha: number,
  m: number, k: number, n: number, out: Matrix<Float64Array>,
): void {
  const A = a.data;
  const B = b.data;
  const C = out.data;
  for (let i = 0; i < m; i++) {
    const ci = out.offset + i * out.stride;
    if (!transB) {
      // C[i,:] += alpha·op(A)(i,t)·B[t,:]
      for (let t = 0; t < k; t++) {
        const av = alpha * (transA ? A[a.offset + t * a.stride + i] : A[a.offset + i * a.stride + t]);
        const bo = b.offset + t * b.stride;
        for (let j = 0; j < n; j++) C[ci + j] += av * B[bo + j];
      }
    } else {
      // C[i,j] += alpha·⟨op(A)(i,:), B[j,:]⟩
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
}

const GEMM_OPTIONS: OptionSpec<GemmOptions> = { transA: 'boolean', transB: 'boolean', alpha: 'number', beta: 'number', out: 'matrix', inputsFinite: 'boolean' };

/**
 * gemm's NON_FINITE checks in every backend: A, B, and the output when beta ≠ 0 accumulates into
 * it — skipped when the caller passes `inputsFinite` for its own intermediates.
 *
 * @example
 *   assertFiniteGemm(A, B, opts);
 */
export function assertFiniteGemm(a: Matrix<Float64Array>, b: Matrix<Float64Array>, opts: GemmOptions, out?: Matrix<Float64Array>): void {
  if (opts.inputsFinite) return;
  assertFiniteInput('gemm', 'A', a);
  assertFiniteInput('gemm', 'B', b);
  const o = out ?? opts.out;
  if ((opts.beta ?? 0) !== 0 && o) assertFiniteInput('gemm', 'the output accumulated into (beta ≠ 0)', o);
}

/**
 * Check `gemm`'s shapes and options the same way in every backend (`SHAPE_MISMATCH` for inner
 * or output dimensions, `INVALID_OPTION` for non-finite alpha/beta or beta ≠ 0 without `out`);
 * returns op(A)'s m × k and op(B)'s n.
 *
 * @example
 *   const { m, n, k } = validateGemm(A, B, { transA: true });
 */
export function validateGemm(a: Matrix<Float64Array>, b: Matrix<Float64Array>, opts: GemmOptions = {}): { m: number; n: number; k: number } {
  assertMatrix('gemm', 'A', a);
  assertMatrix('gemm', 'B', b);
  checkOptions('gemm', opts, GEMM_OPTIONS);
  const { transA = false, transB = false, alpha = 1, beta = 0 } = opts;
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  assertShape(k === kb, `gemm: op(A) is ${m}×${k} but op(B) is ${kb}×${n}; inner dimensions must agree`);
  assertOption(Number.isFinite(alpha) && Number.isFinite(beta), `gemm: alpha and beta must be finite numbers, got alpha=${alpha}, beta=${beta}`);
  assertOption(beta === 0 || opts.out !== undefined, `gemm: beta=${beta} needs an 'out' matrix to accumulate into`);
  if (opts.out) assertShape(opts.out.rows === m && opts.out.cols === n, `gemm: output is ${opts.out.rows}×${opts.out.cols}, expected ${m}×${n}`);
  return { m, n, k };
}

/**
 * C = alpha·op(A)·op(B) + beta·C on row-major (possibly strided, offset) fp64 matrices.
 * Products with m·n·k > 32768 run the packed, cache-blocked path (4×4 register tile); smaller
 * ones plain loops. `beta = 0` overwrites `out` (its old NaNs included).
 *
 * @example
 *   const C = gemm(A, B, { transA: true }); // Aᵀ·B
 *   gemm(A, B, { alpha: -1, beta: 1, out: C }); // C −= A·B
 */
export function gemm(a: Matrix<Float64Array>, b: Matrix<Float64Array>, opts: GemmOptions = {}): Matrix<Float64Array> {
  const { transA = false, transB = false, alpha = 1, beta = 0 } = opts;
  const { m, n, k } = validateGemm(a, b, opts);
  const out = opts.out ?? Matrix.zeros(m, n);
  assertFiniteGemm(a, b, opts, out);
  const C = out.data;
  const cs = out.stride;
  const co = out.offset;
  if (opts.out !== undefined || beta !== 0) {
    for (let i = 0; i < m; i++) {
      const ci = co + i * cs;
      if (beta === 0) C.fill(0, ci, ci + n);
      else if (beta !== 1) for (let j = 0; j < n; j++) C[ci + j] *= beta;
    }
  }
  if (m === 0 || n === 0 || k === 0 || alpha === 0) return out;
  if (m * n * k <= SMALL) {
    gemmSmall(a, b, transA, transB, alpha, m, k, n, out);
    return out;
  }
  const kcMax = Math.min(KC, k);
  const Ap = new Float64Array(Math.ceil(Math.min(MC, m) / MR) * MR * kcMax);
  const Bp = new Float64Array(Math.ceil(Math.min(NC, n) / NR) * NR * kcMax);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(b.data, b.offset, b.stride, transB, pc, kc, jc, nc, Bp, 0);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a.data, a.offset, a.stride, transA, alpha, ic, mc, pc, kc, Ap);
        macroKernel(mc, nc, kc, Ap, Bp, 0, C, co + ic * cs + jc, cs);
      }
    }
  }
  return out;
}

/**
 * Check the shapes of a `maskedForward(X, M, U, out)` call and return c, the outputs per sample
 * (U is d×(P·c)); throws `SHAPE_MISMATCH` naming what is wrong.
 *
 * @example
 *   const c = validateMaskedForward(X, M, U); // 1 for a d×P matrix U
 */
export function validateMaskedForward(X: Matrix<Float64Array>, M: PatternMasks, U: Matrix<Float64Array>, out?: Matrix<Float64Array>): number {
  assertMatrix('maskedForward', 'X', X);
  assertMatrix('maskedForward', 'U', U);
  checkMasked(X, M);
  assertShape(U.rows === X.cols, `maskedForward: U has ${U.rows} rows but X has ${X.cols} columns; U must be d×(P·c)`);
  assertShape(M.p > 0 ? U.cols % M.p === 0 : U.cols === 0, `maskedForward: U has ${U.cols} columns, not a multiple of P=${M.p}; U must be d×(P·c)`);
  const c = M.p > 0 ? U.cols / M.p : 1;
  if (out) assertShape(out.rows === X.rows && out.cols === c, `maskedForward: output is ${out.rows}×${out.cols}, expected ${X.rows}×${c}`);
  assertFiniteInput('maskedForward', 'X', X);
  assertFiniteInput('maskedForward', 'U', U);
  return c;
}

/**
 * Check the shapes of a `maskedBackward(X, M, R, out)` call; throws `SHAPE_MISMATCH` naming
 * what is wrong.
 *
 * @example
 *   validateMaskedBackward(X, M, R); // R must be n×c
 */
export function validateMaskedBackward(X: Matrix<Float64Array>, M: PatternMasks, R: Matrix<Float64Array>, out?: Matrix<Float64Array>): void {
  assertMatrix('maskedBackward', 'X', X);
  assertMatrix('maskedBackward', 'R', R);
  checkMasked(X, M);
  assertShape(R.rows === X.rows, `maskedBackward: R has ${R.rows} rows but X has ${X.rows}; pass one residual row per sample`);
  const pc = M.p * R.cols;
  if (out) assertShape(out.rows === X.cols && out.cols === pc, `maskedBackward: output is ${out.rows}×${out.cols}, expected ${X.cols}×${pc}`);
  assertFiniteInput('maskedBackward', 'X', X);
  assertFiniteInput('maskedBackward', 'R', R);
}

function checkChunk(chunk: number): void {
  assertOption(Number.isInteger(chunk) && chunk > 0, `chunk must be a positive integer number of rows, got ${chunk}`);
}

/**
 * F = Σ_i D_i X U_i (U is d×(P·c), U_i its i-th d×c block), fused and row-chunked: for each
 * chunk of rows, T = X_chunk·U by the packed 4×4 kernel against a once-packed U, then the
 * masked row sums F[j,:] = Σ_{i: m_ji = 1} T[j, i·c : i·c+c]. Extra memory: the packed copy of
 * U (d·P·c) and T (chunk·P·c), never n·P. With c = 1 the masked sums happen in the GEMM
 * kernel's write-back and T is never formed (an inactive pattern contributes an exact 0·T).
 * Non-finite entries of X or U are refused with `NON_FINITE`.
 *
 * @example
 *   const F = maskedForward(X, PatternMasks.fromGates(X, G), U); // n×c
 */
export function maskedForward(
  X: Matrix<Float64Array>,
  M: PatternMasks,
  U: Matrix<Float64Array>,
  out?: Matrix<Float64Array>,
  chunk = DEFAULT_CHUNK,
): Matrix<Float64Array> {
  const c = validateMaskedForward(X, M, U, out);
  checkChunk(chunk);
  const n = X.rows;
  const d = X.cols;
  const p = M.p;
  const F = out ?? Matrix.zeros(n, c);
  const Fd = F.data;
  for (let j = 0; j < n; j++) Fd.fill(0, F.offset + j * F.stride, F.offset + j * F.stride + c);
  const pc = p * c;
  if (n === 0 || pc === 0 || d === 0) return F;

  // Pack all of U once, k-block by k-block: block p0 starts at p0·pcPad.
  const pcPad = Math.ceil(pc / NR) * NR;
  const Up = new Float64Array(d * pcPad);
  for (let p0 = 0; p0 < d; p0 += KC) packB(U.data, U.offset, U.stride, false, p0, Math.min(KC, d - p0), 0, pc, Up, p0 * pcPad);

  const rowsMax = Math.min(chunk, n);
  const Ap = new Float64Array(Math.ceil(rowsMax / MR) * MR * Math.min(KC, d));
  const bits = M.bits;
  const wpr = M.wordsPerRow;
  const Xd = X.data;
  if (c === 1) {
    // scalar outputs: the masked row sums happen in the kernel's write-back, T is never formed
    for (let r0 = 0; r0 < n; r0 += chunk) {
      const nr = Math.min(chunk, n - r0);
      for (let p0 = 0; p0 < d; p0 += KC) {
        const kc = Math.min(KC, d - p0);
        packA(Xd, X.offset, X.stride, false, 1, r0, nr, p0, kc, Ap);
        macroKernelMasked(nr, p, kc, Ap, Up, p0 * pcPad, Fd, F.offset + r0 * F.stride, F.stride, bits, r0, wpr);
      }
    }
    return F;
  }
  const T = new Float64Array(rowsMax * pc);
  for (let r0 = 0; r0 < n; r0 += chunk) {
    const nr = Math.min(chunk, n - r0);
    T.fill(0, 0, nr * pc);
    for (let p0 = 0; p0 < d; p0 += KC) {
      const kc = Math.min(KC, d - p0);
      packA(Xd, X.offset, X.stride, false, 1, r0, nr, p0, kc, Ap);
      macroKernel(nr, pc, kc, Ap, Up, p0 * pcPad, T, 0, pc);
    }
    // masked row sums over the set bits of each row
    for (let jj = 0; jj < nr; jj++) {
      const j = r0 + jj;
      const fo = F.offset + j * F.stride;
      const to = jj * pc;
      const mb = j * wpr;
      for (let w = 0; w < wpr; w++) {
        let word = bits[mb + w];
        while (word !== 0) {
          const low = word & -word;
          word ^= low;
          const ti = to + ((w << 5) + 31 - Math.clz32(low)) * c;
          for (let k = 0; k < c; k++) Fd[fo + k] += T[ti + k];
        }
      }
    }
  }
  return F;
}

/**
 * G = Xᵀ(M ∘ R), i.e. G[:, i·c+k] = Xᵀ D_i R[:,k], fused and row-chunked: for each chunk of
 * rows, S = M∘R is written straight into the packed (NR-column panel) layout, X_chunkᵀ is packed,
 * and G += X_chunkᵀ·S by the 4×4 kernel. Extra memory: S (chunk·P·c) and the packed X_chunkᵀ
 * (d·chunk).
 * With c = 1, S is written as m·R (0·R for inactive entries: exact zeros). Non-finite entries of
 * X or R are refused with `NON_FINITE`.
 *
 * @example
 *   const G = maskedBackward(X, M, R); // d×(P·c), the gradient of ⟨F, R⟩ in U
 */
export function maskedBackward(
  X: Matrix<Float64Array>,
  M: PatternMasks,
  R: Matrix<Float64Array>,
  out?: Matrix<Float64Array>,
  chunk = DEFAULT_CHUNK,
): Matrix<Float64Array> {
  validateMaskedBackward(X, M, R, out);
  checkChunk(chunk);
  const n = X.rows;
  const d = X.cols;
  const p = M.p;
  const c = R.cols;
  const pc = p * c;
  const G = out ?? Matrix.zeros(d, pc);
  const Gd = G.data;
  for (let t = 0; t < d; t++) Gd.fill(0, G.offset + t * G.stride, G.offset + t * G.stride + pc);
  if (n === 0 || pc === 0 || d === 0) return G;

  const kcMax = Math.min(chunk, n);
  const pcPad = Math.ceil(pc / NR) * NR;
  const Sp = new Float64Array(pcPad * kcMax);
  const Ap = new Float64Array(Math.ceil(d / MR) * MR * kcMax);
  const bits = M.bits;
  const wpr = M.wordsPerRow;
  const Rd = R.data;
  // c = 1: patterns in groups of four (one packed panel each); bits past P in the last group are cleared
  const groups = pcPad / NR;
  const lastNibble = p % 4 === 0 ? 15 : (1 << (p % 4)) - 1;
  for (let r0 = 0; r0 < n; r0 += chunk) {
    const kc = Math.min(chunk, n - r0);
    const panel = kc * NR;
    if (c === 1) {
      // every entry of the packed S is written, four lanes (one nibble of mask bits) at a time:
      // S[t, q] = m_{r0+t, q}·R[r0+t] (exactly R or 0 for finite R)
      for (let t = 0; t < kc; t++) {
        const j = r0 + t;
        const rv = Rd[R.offset + j * R.stride];
        const mb = j * wpr;
        let o = t * NR;
        for (let g = 0; g < groups; g++, o += panel) {
          let nib = (bits[mb + (g >>> 3)] >>> ((g & 7) << 2)) & 15;
          if (g === groups - 1) nib &= lastNibble;
          Sp[o] = (nib & 1) * rv;
          Sp[o + 1] = ((nib >>> 1) & 1) * rv;
          Sp[o + 2] = ((nib >>> 2) & 1) * rv;
          Sp[o + 3] = (nib >>> 3) * rv;
        }
      }
    } else {
      Sp.fill(0, 0, pcPad * kc);
      // S[t, i·c+k] = m_{r0+t, i}·R[r0+t, k], written in packed order (panel q>>2, lane q&3)
      for (let t = 0; t < kc; t++) {
        const j = r0 + t;
        const ro = R.offset + j * R.stride;
        const mb = j * wpr;
        const st = t * NR;
        for (let w = 0; w < wpr; w++) {
          let word = bits[mb + w];
          while (word !== 0) {
            const low = word & -word;
            word ^= low;
            let q = ((w << 5) + 31 - Math.clz32(low)) * c;
            for (let k = 0; k < c; k++, q++) Sp[(q >> 2) * panel + st + (q & 3)] = Rd[ro + k];
          }
        }
      }
    }
    packA(X.data, X.offset, X.stride, true, 1, 0, d, r0, kc, Ap);
    macroKernel(d, pc, kc, Ap, Sp, 0, Gd, G.offset, G.stride);
  }
  return G;
}

/**
 * Frobenius norms ‖U_i‖_F of the d×c column blocks U_i of U (d×(P·c)).
 *
 * @example
 *   groupNorms(Matrix.from([[3, 1], [4, 0]])); // [5, 1]
 */
export function groupNorms(U: Matrix<Float64Array>, c = 1, out?: Float64Array): Float64Array {
  assertShape(U.cols % c === 0, `groupNorms: ${U.cols} columns are not a multiple of the group width ${c}`);
  assertFiniteInput('groupNorms', 'U', U);
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

/**
 * Block soft-thresholding: U_i ← (1 − t_i/‖U_i‖)_+ U_i (the prox of Σ t_i‖U_i‖).
 *
 * @example
 *   groupSoftThreshold(Matrix.from([[3], [4]]), 1).toArrays(); // [[2.4], [3.2]]
 */
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
  assertShape(typeof t === 'number' || t.length === p, `groupSoftThreshold: ${typeof t === 'number' ? 1 : t.length} thresholds for ${p} groups; pass one per group or a scalar`);
  for (let i = 0; i < p; i++) {
    const ti = typeof t === 'number' ? t : t[i];
    assertOption(Number.isFinite(ti) && ti >= 0, `groupSoftThreshold: thresholds must be finite and ≥ 0, got ${ti} for group ${i}`);
    f[i] = norms[i] > ti ? 1 - ti / norms[i] : 0;
  }
  for (let r = 0; r < U.rows; r++) {
    const uo = U.offset + r * U.stride;
    const oo = dst.offset + r * dst.stride;
    for (let i = 0; i < p; i++) for (let k = 0; k < c; k++) dst.data[oo + i * c + k] = f[i] * U.data[uo + i * c + k];
  }
  return dst;
}

/**
 * The CPU reference backend object ("ts": fp64, single thread), registered at priority 0.
 *
 * @example
 *   const ts = createCpuBackend();
 *   ts.gemm(A, B, { transB: true });
 */
export function createCpuBackend(): Backend {
  return {
    name: 'ts',
    precision: 'fp64',
    description: 'TypeScript fp64 kernels (packed 4×4 GEMM, row-chunked masked products, single thread)',
    gemm,
    maskedForward: (X, M, U, out) => maskedForward(X, M, U, out),
    maskedBackward: (X, M, R, out) => maskedBackward(X, M, R, out),
    groupNorms,
    groupSoftThreshold,
  };
}
