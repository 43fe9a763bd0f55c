/**
 * A first-order SDP solver: ADMM on the dual of a standard-form conic program (the alternating
 * direction augmented Lagrangian method of Wen, Goldfarb & Yin 2010), with constraint-row
 * equilibration, objective/rhs normalisation, over-relaxation of the multiplier step, adaptive
 * penalty, warm starts, and residual + duality-gap certificates.
 *
 *   primal:  min Σ_b ⟨C_b, X_b⟩   s.t.  Σ_b ⟨A_rb, X_b⟩ (=, ≤, ≥) b_r,   X_b ∈ K_b
 *   dual:    max bᵀy             s.t.  C − 𝒜*y = S ∈ K*   (y_r ≤ 0 for ≤ rows, ≥ 0 for ≥ rows)
 *
 * with K_b the PSD cone S^n_+ ('psd' blocks) or the nonnegative orthant R^n_+ ('nonneg' blocks).
 * Inequality rows get a slack in an extra nonnegative block. Internally symmetric blocks are
 * vectorised with svec (off-diagonal entries × √2) so inner products are preserved.
 */
import { CvxnnError, Matrix, assertOption, assertShape, checkOptions } from '@cvxnn/linalg';
import { SDP_OPTIONS } from './option-specs.js';
import { choleskyInPlace, choleskySolve } from './quadratic.js';
import { assertSymmetric, spectralMap, symEig } from './sym.js';

/** A cone block: an n×n PSD matrix or n nonnegative scalars. */
export type ConeBlock = { kind: 'psd'; size: number } | { kind: 'nonneg'; size: number };

/** One term of a linear constraint: adds `value · X_b[i][j]` (for a nonneg block use i = j = index). */
export interface ConstraintTerm {
  block: number;
  i: number;
  j: number;
  value: number;
}

/** A linear constraint Σ terms (=, ≤, ≥) rhs. */
export interface LinearConstraint {
  terms: ConstraintTerm[];
  rhs: number;
  sense?: 'eq' | 'leq' | 'geq';
}

/** A standard-form SDP. `C[b]` is a symmetric Matrix for psd blocks, a vector for nonneg blocks, or null (zero). */
export interface SdpProblem {
  blocks: ConeBlock[];
  C: Array<Matrix | ArrayLike<number> | null>;
  constraints: LinearConstraint[];
}

/** Solver options of `solveSdp`. */
export interface SdpOptions {
  /** stop when the relative primal residual, dual residual and gap are all ≤ tol (default 1e-8) */
  tol?: number;
  maxIterations?: number;
  /** initial penalty μ (scaled problem; default 1) */
  mu?: number;
  /** over-relaxation γ ∈ (0, 1.618) of the multiplier step (default 1.6) */
  relaxation?: number;
  /** adapt μ to balance the residuals (default true) */
  adaptive?: boolean;
  /** equilibrate constraint rows and normalise b, C (default true) */
  scale?: boolean;
  /** a previous result to start from */
  warmStart?: Pick<SdpResult, 'X' | 'y' | 'S'>;
  timeLimit?: number;
}

/** Status of an SDP solve. */
export type SdpStatus = 'optimal' | 'max-iterations' | 'time-limit' | 'infeasible' | 'unbounded' | 'infeasible-suspected';

/** Result of `solveSdp`: blocks are Matrices (psd) or Float64Arrays (nonneg); slack blocks are dropped. */
export interface SdpResult {
  status: SdpStatus;
  X: Array<Matrix | Float64Array>;
  S: Array<Matrix | Float64Array>;
  y: Float64Array;
  objective: number;
  dualObjective: number;
  /** |primal − dual objective| / (1 + |primal| + |dual|) */
  gap: number;
  /** ‖𝒜x − b‖ / (1 + ‖b‖) */
  primalResidual: number;
  /** ‖𝒜*y + S − C‖ / (1 + ‖C‖) */
  dualResidual: number;
  iterations: number;
  timeSeconds: number;
  history: Array<{ iteration: number; primalResidual: number; dualResidual: number; gap: number; mu: number }>;
}

interface Layout {
  blocks: ConeBlock[];
  offsets: number[];
  n: number;
}

const SQRT2 = Math.SQRT2;

function blockLen(b: ConeBlock): number {
  return b.kind === 'psd' ? (b.size * (b.size + 1)) / 2 : b.size;
}

/** svec index of (i, j), i ≤ j, within a psd block of size n (column-packed upper triangle). */
function svecIndex(i: number, j: number): number {
  if (i > j) [i, j] = [j, i];
  return (j * (j + 1)) / 2 + i;
}

function packBlock(M: Matrix, out: Float64Array, off: number): void {
  const n = M.rows;
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) out[off + svecIndex(i, j)] = i === j ? M.get(i, i) : SQRT2 * 0.5 * (M.get(i, j) + M.get(j, i));
}

function unpackBlock(v: Float64Array, off: number, n: number): Matrix {
  const M = Matrix.zeros(n, n);
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) {
    const x = i === j ? v[off + svecIndex(i, j)] : v[off + svecIndex(i, j)] / SQRT2;
    M.data[i * n + j] = x;
    M.data[j * n + i] = x;
  }
  return M;
}

/** Project the vector onto K (in place over each block). */
function projectCone(v: Float64Array, lay: Layout): void {
  lay.blocks.forEach((b, k) => {
    const off = lay.offsets[k];
    if (b.kind === 'nonneg') {
      for (let i = 0; i < b.size; i++) if (v[off + i] < 0) v[off + i] = 0;
    } else if (b.size === 1) {
      if (v[off] < 0) v[off] = 0;
    } else {
      const M = unpackBlock(v, off, b.size);
      packBlock(spectralMap(M, (l) => (l > 0 ? l : 0), symEig(M)), v, off);
    }
  });
}

interface SparseRows {
  m: number;
  ptr: Int32Array;
  idx: Int32Array;
  val: Float64Array;
}

function mulA(A: SparseRows, x: Float64Array, out: Float64Array): Float64Array {
  for (let r = 0; r < A.m; r++) {
    let s = 0;
    for (let p = A.ptr[r]; p < A.ptr[r + 1]; p++) s += A.val[p] * x[A.idx[p]];
    out[r] = s;
  }
  return out;
}

function mulAt(A: SparseRows, y: Float64Array, out: Float64Array): Float64Array {
  out.fill(0);
  for (let r = 0; r < A.m; r++) {
    const yr = y[r];
    if (yr === 0) continue;
    for (let p = A.ptr[r]; p < A.ptr[r + 1]; p++) out[A.idx[p]] += A.val[p] * yr;
  }
  return out;
}

function nrm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function dotv(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Build the internal vectorised form (validating the problem).
 */
function compile(problem: SdpProblem): { lay: Layout; userBlocks: number; A: SparseRows; b: Float64Array; c: Float64Array } {
  const { blocks, C, constraints } = problem;
  assertOption(Array.isArray(blocks) && blocks.length > 0, 'an SDP needs at least one cone block');
  assertShape(C.length === blocks.length, `C has ${C.length} blocks but the problem declares ${blocks.length}`);
  blocks.forEach((b, k) => {
    assertOption(b.kind === 'psd' || b.kind === 'nonneg', `block ${k}: kind must be 'psd' or 'nonneg', got '${(b as ConeBlock).kind}'`);
    assertOption(Number.isInteger(b.size) && b.size > 0, `block ${k}: size must be a positive integer, got ${b.size}`);
  });
  if (constraints.length === 0) throw new CvxnnError('EMPTY_DATA', 'the SDP has no constraints; add at least one linear constraint');
  const nIneq = constraints.filter((c) => (c.sense ?? 'eq') !== 'eq').length;
  const all: ConeBlock[] = nIneq > 0 ? [...blocks, { kind: 'nonneg', size: nIneq }] : [...blocks];
  const offsets: number[] = [];
  let n = 0;
  for (const b of all) {
    offsets.push(n);
    n += blockLen(b);
  }
  const lay: Layout = { blocks: all, offsets, n };
  const c = new Float64Array(n);
  C.forEach((Cb, k) => {
    if (Cb === null || Cb === undefined) return;
    const b = blocks[k];
    if (b.kind === 'psd') {
      if (!(Cb instanceof Matrix)) throw new CvxnnError('INVALID_OPTION', `C[${k}] must be a ${b.size}×${b.size} Matrix for a psd block`);
      assertShape(Cb.rows === b.size && Cb.cols === b.size, `C[${k}] is ${Cb.rows}×${Cb.cols} but block ${k} is ${b.size}×${b.size}`);
      assertSymmetric(Cb, `C[${k}]`);
      packBlock(Cb, c, offsets[k]);
    } else {
      const v = Cb instanceof Matrix ? Cb.clone().data : Cb;
      assertShape(v.length === b.size, `C[${k}] has ${v.length} entries but nonneg block ${k} has ${b.size}`);
      for (let i = 0; i < b.size; i++) {
        if (!Number.isFinite(v[i])) throw new CvxnnError('NON_FINITE', `C[${k}] has ${v[i]} at index ${i}`);
        c[offsets[k] + i] = v[i];
      }
    }
  });
  const m = constraints.length;
  const ptr = new Int32Array(m + 1);
  const idx: number[] = [];
  const val: number[] = [];
  const b = new Float64Array(m);
  let slack = 0;
  constraints.forEach((con, r) => {
    const sense = con.sense ?? 'eq';
    assertOption(sense === 'eq' || sense === 'leq' || sense === 'geq', `constraint ${r}: sense must be 'eq', 'leq' or 'geq', got '${sense}'`);
    if (!Number.isFinite(con.rhs)) throw new CvxnnError('NON_FINITE', `constraint ${r} has rhs ${con.rhs}`);
    b[r] = con.rhs;
    const row = new Map<number, number>();
    for (const t of con.terms) {
      const blk = blocks[t.block];
      if (!blk) throw new CvxnnError('SHAPE_MISMATCH', `constraint ${r} refers to block ${t.block} but there are ${blocks.length} blocks`);
      if (!Number.isFinite(t.value)) throw new CvxnnError('NON_FINITE', `constraint ${r} has coefficient ${t.value} at (${t.i}, ${t.j}) of block ${t.block}`);
      const ok = Number.isInteger(t.i) && Number.isInteger(t.j) && t.i >= 0 && t.j >= 0 && t.i < blk.size && t.j < blk.size;
      if (!ok) throw new CvxnnError('SHAPE_MISMATCH', `constraint ${r}: index (${t.i}, ${t.j}) is outside block ${t.block} of size ${blk.size}`);
      let pos: number;
      let coef: number;
      if (blk.kind === 'nonneg') {
        if (t.i !== t.j) throw new CvxnnError('SHAPE_MISMATCH', `constraint ${r}: nonneg block ${t.block} takes i = j (got ${t.i}, ${t.j})`);
        pos = offsets[t.block] + t.i;
        coef = t.value;
      } else {
        pos = offsets[t.block] + svecIndex(t.i, t.j);
        coef = t.i === t.j ? t.value : t.value / SQRT2; // value·X_ij = (value/√2)·(√2 X_ij)
      }
      row.set(pos, (row.get(pos) ?? 0) + coef);
    }
    if (sense !== 'eq') {
      row.set(offsets[all.length - 1] + slack, sense === 'leq' ? 1 : -1);
      slack++;
    }
    const entries = [...row.entries()].filter(([, v]) => v !== 0).sort((p, q) => p[0] - q[0]);
    if (entries.length === 0) {
      if (con.rhs !== 0) throw new CvxnnError('INFEASIBLE', `constraint ${r} has no non-zero coefficients but rhs ${con.rhs}`);
      throw new CvxnnError('INVALID_OPTION', `constraint ${r} has no non-zero coefficients; remove it`);
    }
    for (const [p, v] of entries) {
      idx.push(p);
      val.push(v);
    }
    ptr[r + 1] = idx.length;
  });
  return { lay, userBlocks: blocks.length, A: { m, ptr, idx: Int32Array.from(idx), val: Float64Array.from(val) }, b, c };
}

/**
 * Convenience: the terms of ⟨M, X_b⟩ for a dense symmetric M (Σ_i M_ii X_ii + Σ_{i<j} 2 M_ij X_ij).
 *
 * @example
 *   const con = { terms: denseTerms(0, Matrix.eye(3)), rhs: 1 }; // tr X_0 = 1
 */
export function denseTerms(block: number, M: Matrix, scale = 1): ConstraintTerm[] {
  const terms: ConstraintTerm[] = [];
  for (let i = 0; i < M.rows; i++) for (let j = i; j < M.cols; j++) {
    const v = i === j ? M.get(i, i) : M.get(i, j) + M.get(j, i);
    if (v !== 0) terms.push({ block, i, j, value: scale * v });
  }
  return terms;
}

/**
 * Solve a standard-form SDP/LP by dual ADMM; see the module comment for the form and certificate.
 *
 * @example
 *   // max-cut relaxation of a triangle: min ⟨−L/4, X⟩ s.t. X_ii = 1, X ⪰ 0
 *   const res = solveSdp({ blocks: [{ kind: 'psd', size: 3 }], C: [negQuarterLaplacian],
 *     constraints: [0, 1, 2].map((i) => ({ terms: [{ block: 0, i, j: i, value: 1 }], rhs: 1 })) });
 *   -res.objective; // 2.25
 */
export function solveSdp(problem: SdpProblem, opts: SdpOptions = {}): SdpResult {
  const t0 = performance.now();
  checkOptions('solveSdp', opts, SDP_OPTIONS);
  assertOption(problem !== null && typeof problem === 'object' && Array.isArray(problem.blocks), 'solveSdp: problem must be { blocks, C, constraints }');
  const tol = opts.tol ?? 1e-8;
  const maxIt = opts.maxIterations ?? 20000;
  const gamma = opts.relaxation ?? 1.6;
  const adaptive = opts.adaptive ?? true;
  const doScale = opts.scale ?? true;
  assertOption(tol > 0 && Number.isFinite(tol), `solveSdp: option 'tol' must be a positive number, got ${tol}`);
  assertOption(Number.isInteger(maxIt) && maxIt > 0, `solveSdp: option 'maxIterations' must be a positive integer, got ${maxIt}`);
  assertOption(gamma > 0 && gamma < (1 + Math.sqrt(5)) / 2, `solveSdp: option 'relaxation' must be in (0, 1.618), got ${gamma}`);
  const { lay, userBlocks, A, b, c } = compile(problem);
  const { m } = A;
  const n = lay.n;
  // --- scaling: unit-norm constraint rows, then b and c normalised to norm ≤ 1
  const rowScale = new Float64Array(m).fill(1);
  if (doScale) {
    for (let r = 0; r < m; r++) {
      let s = 0;
      for (let p = A.ptr[r]; p < A.ptr[r + 1]; p++) s += A.val[p] ** 2;
      rowScale[r] = 1 / Math.sqrt(s);
      for (let p = A.ptr[r]; p < A.ptr[r + 1]; p++) A.val[p] *= rowScale[r];
      b[r] *= rowScale[r];
    }
  }
  const sigB = doScale ? 1 / Math.max(1, nrm(b)) : 1;
  const sigC = doScale ? 1 / Math.max(1, nrm(c)) : 1;
  const bs = b.map((v) => v * sigB);
  const cs = c.map((v) => v * sigC);
  // --- 𝒜𝒜ᵀ and its Cholesky factor (dense m×m; constraints must be linearly independent)
  const AAt = new Float64Array(m * m);
  {
    const dense = new Float64Array(n);
    for (let r = 0; r < m; r++) {
      dense.fill(0);
      for (let p = A.ptr[r]; p < A.ptr[r + 1]; p++) dense[A.idx[p]] = A.val[p];
      for (let q = 0; q <= r; q++) {
        let s = 0;
        for (let p = A.ptr[q]; p < A.ptr[q + 1]; p++) s += A.val[p] * dense[A.idx[p]];
        AAt[r * m + q] = s;
        AAt[q * m + r] = s;
      }
    }
  }
  if (!choleskyInPlace(AAt, m)) {
    throw new CvxnnError('INVALID_OPTION', `the ${m} constraint rows are linearly dependent (𝒜𝒜ᵀ is singular); remove redundant constraints`);
  }
  // --- iterates (scaled problem)
  const x = new Float64Array(n);
  const s = new Float64Array(n);
  let y: Float64Array = new Float64Array(m);
  if (opts.warmStart) {
    const ws = opts.warmStart;
    assertShape(ws.X.length === userBlocks && ws.y.length === m, 'warmStart does not match the problem (block or constraint counts differ)');
    for (let k = 0; k < userBlocks; k++) {
      const blk = lay.blocks[k];
      const Xk = ws.X[k];
      const Sk = ws.S[k];
      if (blk.kind === 'psd') {
        packBlock(Xk as Matrix, x, lay.offsets[k]);
        packBlock(Sk as Matrix, s, lay.offsets[k]);
      } else {
        x.set(Xk as Float64Array, lay.offsets[k]);
        s.set(Sk as Float64Array, lay.offsets[k]);
      }
    }
    for (let i = 0; i < n; i++) {
      x[i] *= sigB;
      s[i] *= sigC;
    }
    for (let r = 0; r < m; r++) y[r] = (ws.y[r] / rowScale[r]) * sigC;
  }
  let mu = opts.mu ?? 1;
  assertOption(mu > 0 && Number.isFinite(mu), `mu must be a positive number, got ${mu}`);
  const Ax = new Float64Array(m);
  const rhs = new Float64Array(m);
  const tmpN = new Float64Array(n);
  const v = new Float64Array(n);
  const history: SdpResult['history'] = [];
  let status: SdpStatus = 'max-iterations';
  let it = 0;
  // residuals in the original units
  const bNorm = nrm(b.map((v2, r) => v2 / rowScale[r]));
  const cNorm = nrm(c);
  const origY = () => y.map((v2, r) => (v2 * rowScale[r]) / sigC);
  const evaluate = () => {
    mulA(A, x, Ax);
    let pr = 0;
    for (let r = 0; r < m; r++) pr += ((Ax[r] - bs[r]) / (rowScale[r] * sigB)) ** 2;
    mulAt(A, y, tmpN);
    let dr = 0;
    for (let i = 0; i < n; i++) dr += ((tmpN[i] + s[i] - cs[i]) / sigC) ** 2;
    const pobj = dotv(cs, x) / (sigB * sigC);
    const dobj = dotv(bs, y) / (sigB * sigC);
    return {
      primalResidual: Math.sqrt(pr) / (1 + bNorm),
      dualResidual: Math.sqrt(dr) / (1 + cNorm),
      gap: Math.abs(pobj - dobj) / (1 + Math.abs(pobj) + Math.abs(dobj)),
      pobj,
      dobj,
      prScaled: Math.sqrt(pr),
      drScaled: Math.sqrt(dr),
    };
  };
  let ev = evaluate();
  const checkEvery = 10;
  // Farkas-type certificates from the iterate differences (diverging ADMM iterates converge in
  // direction to them): primal infeasible if δy has bᵀδy > 0 and 𝒜*δy ⪯_K 0; unbounded if δx ∈ K,
  // 𝒜δx = 0 and cᵀδx < 0 (all up to a relative tolerance).
  let yPrev = y.slice();
  const xPrev = x.slice();
  const farkas = (): SdpStatus | null => {
    const dy = y.map((v2, r) => v2 - yPrev[r]);
    const by = dotv(bs, dy);
    if (by > 0) {
      const w = mulAt(A, dy, new Float64Array(n));
      projectCone(w, lay);
      if (nrm(w) <= 1e-9 * by && nrm(dy) > 1e-6 * (1 + nrm(y))) return 'infeasible';
    }
    const dx = x.map((v2, i) => v2 - xPrev[i]);
    const cx = dotv(cs, dx);
    if (cx < 0) {
      const adx = mulA(A, dx, new Float64Array(m));
      const negPart = dx.slice();
      for (let i = 0; i < n; i++) negPart[i] = -negPart[i];
      projectCone(negPart, lay); // ‖Π_K(−δx)‖ measures how far δx is from K
      if (nrm(adx) <= 1e-9 * -cx && nrm(negPart) <= 1e-9 * -cx && nrm(dx) > 1e-6 * (1 + nrm(x))) return 'unbounded';
    }
    yPrev = y.slice();
    xPrev.set(x);
    return null;
  };
  for (it = 1; it <= maxIt; it++) {
    // y = (𝒜𝒜ᵀ)⁻¹ ( μ(b − 𝒜x) + 𝒜(c − s) )
    mulA(A, x, Ax);
    for (let i = 0; i < n; i++) tmpN[i] = cs[i] - s[i];
    mulA(A, tmpN, rhs);
    for (let r = 0; r < m; r++) rhs[r] += mu * (bs[r] - Ax[r]);
    y = choleskySolve(AAt, m, rhs.slice());
    // V = C − 𝒜*y − μX ;  S = Π_K(V) ;  X ← (1−γ)X + γ(S − V)/μ
    mulAt(A, y, tmpN);
    for (let i = 0; i < n; i++) v[i] = cs[i] - tmpN[i] - mu * x[i];
    s.set(v);
    projectCone(s, lay);
    for (let i = 0; i < n; i++) x[i] = (1 - gamma) * x[i] + (gamma * (s[i] - v[i])) / mu;
    if (it % checkEvery === 0 || it === maxIt) {
      ev = evaluate();
      if (history.length < 2000) history.push({ iteration: it, primalResidual: ev.primalResidual, dualResidual: ev.dualResidual, gap: ev.gap, mu });
      if (ev.primalResidual <= tol && ev.dualResidual <= tol && ev.gap <= tol) {
        status = 'optimal';
        break;
      }
      if (!Number.isFinite(ev.pobj) || !Number.isFinite(ev.dobj)) throw new CvxnnError('NOT_CONVERGED', `the SDP iterates became non-finite at iteration ${it}; check the data scaling`);
      if (it % 100 === 0) {
        const cert = farkas();
        if (cert) {
          status = cert;
          break;
        }
      }
      if (Math.abs(ev.dobj) > 1e12 * (1 + Math.abs(ev.pobj)) || Math.abs(ev.pobj) > 1e12 * (1 + Math.abs(ev.dobj))) {
        status = 'infeasible-suspected';
        break;
      }
      if (opts.timeLimit !== undefined && (performance.now() - t0) / 1000 > opts.timeLimit) {
        status = 'time-limit';
        break;
      }
      // adaptive μ: the primal residual scales like 1/μ, the dual residual like μ
      if (adaptive && it % 50 === 0) {
        if (ev.prScaled > 5 * ev.drScaled) mu = Math.min(mu * 1.6, 1e6);
        else if (ev.drScaled > 5 * ev.prScaled) mu = Math.max(mu / 1.6, 1e-6);
      }
    }
  }
  ev = evaluate();
  const X: SdpResult['X'] = [];
  const S: SdpResult['S'] = [];
  for (let k = 0; k < userBlocks; k++) {
    const blk = lay.blocks[k];
    const off = lay.offsets[k];
    if (blk.kind === 'psd') {
      const Xm = unpackBlock(x, off, blk.size);
      const Sm = unpackBlock(s, off, blk.size);
      for (let i = 0; i < Xm.data.length; i++) {
        Xm.data[i] /= sigB;
        Sm.data[i] /= sigC;
      }
      X.push(Xm);
      S.push(Sm);
    } else {
      X.push(x.slice(off, off + blk.size).map((t) => t / sigB));
      S.push(s.slice(off, off + blk.size).map((t) => t / sigC));
    }
  }
  return {
    status,
    X,
    S,
    y: origY(),
    objective: ev.pobj,
    dualObjective: ev.dobj,
    gap: ev.gap,
    primalResidual: ev.primalResidual,
    dualResidual: ev.dualResidual,
    iterations: Math.min(it, maxIt),
    timeSeconds: (performance.now() - t0) / 1000,
    history,
  };
}
