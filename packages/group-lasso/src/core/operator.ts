import { assertShape, type Backend, getBackend, Matrix, type PatternMasks } from '@cvxnn/linalg';
import type { LinearMap } from '../problem.js';
import { type GroupLayout, restrictLayout, stridedLayout } from './layout.js';

/**
 * The data operator of a group-Lasso problem: x ↦ predictions (n×c, flattened row-major), with
 * the group structure it was built for and optional fast paths that the second-order solvers
 * and the dual refinement of the certificate use (never an n×(dim) matrix materialised):
 *
 * - `images(dirs, groups, j0, j1)`: rows j0…j1 of B = [A(e_g ⊙ dirs)]_g, one column per group
 *   (each group's image with its coordinates taken from `dirs`, the others zero), as a
 *   ((j1−j0)·c) × |groups| row-major block (row (j, k) = sample j, output k).
 * - `weightedGram(w)`: Σ_g w_g A_g A_gᵀ, an n×n row-major matrix (the same for every output
 *   column: Frobenius groups act on the columns alike).
 * - `restrict(groups)`: the operator on the selected groups only, in its own natural layout, with
 *   the maps between the full and the restricted unknowns (working sets).
 *
 * @example
 *   const op = maskedOperator(X, masks, 1);
 *   op.apply(x, F); op.adjoint(R, g);
 */
export interface ProblemOperator extends LinearMap {
  readonly layout: GroupLayout;
  /** samples n and outputs c (outDim = n·c) */
  readonly n: number;
  readonly c: number;
  images?(dirs: Float64Array, groups: Int32Array, j0: number, j1: number): Float64Array;
  weightedGram?(w: Float64Array): Float64Array;
  restrict?(groups: Int32Array): RestrictedOperator;
  /** a short name for reports ('masked', 'relu-masked', 'dense', …) */
  readonly kind: string;
}

/**
 * An operator restricted to a working set, with the maps between the unknowns.
 *
 * @example
 *   const sub = op.restrict!(Int32Array.of(0, 2)); const xs = sub.gather(x); sub.scatter(xs, x);
 */
export interface RestrictedOperator {
  op: ProblemOperator;
  gather(x: Float64Array): Float64Array;
  scatter(xs: Float64Array, x: Float64Array): void;
}

/** Copy the columns of groups `ws` out of `parts` stacked d×(P·c) matrices (and back). */
function stridedMaps(d: number, P: number, c: number, parts: number, ws: Int32Array): { gather(x: Float64Array): Float64Array; scatter(xs: Float64Array, x: Float64Array): void } {
  const q = ws.length;
  const map = new Int32Array(parts * d * q * c);
  for (let part = 0; part < parts; part++) {
    const o = part * d * P * c;
    const oo = part * d * q * c;
    for (let r = 0; r < d; r++) for (let j = 0; j < q; j++) for (let k = 0; k < c; k++) map[oo + r * q * c + j * c + k] = o + r * P * c + ws[j] * c + k;
  }
  return {
    gather(x) {
      const xs = new Float64Array(map.length);
      for (let t = 0; t < map.length; t++) xs[t] = x[map[t]];
      return xs;
    },
    scatter(xs, x) {
      for (let t = 0; t < map.length; t++) x[map[t]] = xs[t];
    },
  };
}

/** Unpack rows j0…j1 of the masks into a dense (j1−j0) × |cols| 0/1 block. */
function maskBlock(masks: PatternMasks, cols: Int32Array, j0: number, j1: number): Float64Array {
  const m = cols.length;
  const out = new Float64Array((j1 - j0) * m);
  const w = masks.wordsPerRow;
  const bits = masks.bits;
  for (let j = j0; j < j1; j++) {
    const base = j * w;
    const o = (j - j0) * m;
    for (let t = 0; t < m; t++) {
      const i = cols[t];
      if ((bits[base + (i >>> 5)] >>> (i & 31)) & 1) out[o + t] = 1;
    }
  }
  return out;
}

/**
 * The gated-ReLU operator x = vec(U), U d×(P·c): A x = Σ_i D_i X U_i through the backend's fused
 * masked kernels (row chunks; no D_i X materialised), groups = the d×c blocks.
 *
 * @example
 *   const op = maskedOperator(X, PatternMasks.fromGates(X, G), 1);
 */
export function maskedOperator(X: Matrix<Float64Array>, masks: PatternMasks, c: number, backend: Backend = getBackend()): ProblemOperator {
  assertShape(masks.n === X.rows, `patterns cover ${masks.n} samples but X has ${X.rows} rows`);
  const n = X.rows;
  const d = X.cols;
  const P = masks.p;
  const pc = P * c;
  const layout = stridedLayout(d, P, c, 1);
  const xx = lazyGram(X, backend);
  return {
    kind: 'masked',
    layout,
    n,
    c,
    inDim: d * pc,
    outDim: n * c,
    apply(x, out) {
      backend.maskedForward(X, masks, new Matrix(d, pc, x), new Matrix(n, c, out));
    },
    adjoint(z, out) {
      backend.maskedBackward(X, masks, new Matrix(n, c, z), new Matrix(d, pc, out));
    },
    images: (dirs, groups, j0, j1) => maskedImages(X, masks, c, backend, dirs, groups, j0, j1, P, 1),
    weightedGram: (w) => maskedWeightedGram(X, masks, w, backend, xx),
    restrict(groups) {
      const sub = masks.select(Array.from(groups));
      return { op: maskedOperator(X, sub, c, backend), ...stridedMaps(d, P, c, 1, groups) };
    },
  };
}

/**
 * Rows j0…j1 of the group images for the masked (and C-ReLU) operators: column t is
 * sign_t · D_i X dir_t with i the pattern of group t (groups ≥ P are C-ReLU's w part, sign −1).
 */
function maskedImages(X: Matrix<Float64Array>, masks: PatternMasks, c: number, backend: Backend, dirs: Float64Array, groups: Int32Array, j0: number, j1: number, P: number, parts: number): Float64Array {
  const d = X.cols;
  const m = groups.length;
  const rows = j1 - j0;
  // directions as a d × (m·c) matrix (column t·c+k)
  const Dm = new Float64Array(d * m * c);
  const pats = new Int32Array(m);
  const sgn = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    const g = groups[t];
    const part = parts === 2 && g >= P ? 1 : 0;
    const i = g - part * P;
    pats[t] = i;
    sgn[t] = part ? -1 : 1;
    const o = part * d * P * c;
    for (let r = 0; r < d; r++) for (let k = 0; k < c; k++) Dm[r * m * c + t * c + k] = dirs[o + r * P * c + i * c + k];
  }
  const T = backend.gemm(X.view(j0, 0, rows, d), new Matrix(d, m * c, Dm)).data;
  const mb = maskBlock(masks, pats, j0, j1);
  const out = new Float64Array(rows * c * m);
  for (let j = 0; j < rows; j++) {
    for (let t = 0; t < m; t++) {
      const f = mb[j * m + t] * sgn[t];
      if (f === 0) continue;
      for (let k = 0; k < c; k++) out[(j * c + k) * m + t] = f * T[j * m * c + t * c + k];
    }
  }
  return out;
}

/** X Xᵀ (n×n), computed on first use and kept by the operator that owns it (its Newton-type solves reuse it). */
function lazyGram(X: Matrix<Float64Array>, backend: Backend): () => Float64Array {
  let XX: Float64Array | null = null;
  return () => (XX ??= backend.gemm(X, X, { transB: true }).data);
}

/** Σ_i w_i D_i X Xᵀ D_i = (X Xᵀ) ⊙ (M diag(w) Mᵀ), n×n, through the backend GEMM. */
function maskedWeightedGram(X: Matrix<Float64Array>, masks: PatternMasks, w: Float64Array, backend: Backend, gram: () => Float64Array): Float64Array {
  const n = X.rows;
  const P = masks.p;
  const cols: number[] = [];
  for (let i = 0; i < P; i++) if (w[i] !== 0) cols.push(i);
  const sel = Int32Array.from(cols);
  const Mb = maskBlock(masks, sel, 0, n);
  const Mw = new Float64Array(Mb.length);
  const m = sel.length;
  for (let j = 0; j < n; j++) for (let t = 0; t < m; t++) Mw[j * m + t] = Mb[j * m + t] * w[sel[t]];
  const K = backend.gemm(new Matrix(n, m, Mw), new Matrix(n, m, Mb), { transB: true, inputsFinite: true }).data;
  const XX = gram();
  for (let t = 0; t < K.length; t++) K[t] *= XX[t];
  return K;
}

/**
 * The C-ReLU data operator: x = [vec V; vec W] (each d×P), A x = Σ_i D_i X (v_i − w_i); groups
 * 0…P−1 are the v_i, P…2P−1 the w_i.
 *
 * @example
 *   const op = reluOperator(X, masks);
 */
export function reluOperator(X: Matrix<Float64Array>, masks: PatternMasks, backend: Backend = getBackend()): ProblemOperator {
  const n = X.rows;
  const d = X.cols;
  const P = masks.p;
  const half = d * P;
  const diff = new Float64Array(half);
  const g = new Float64Array(half);
  const xx = lazyGram(X, backend);
  return {
    kind: 'relu-masked',
    layout: stridedLayout(d, P, 1, 2),
    n,
    c: 1,
    inDim: 2 * half,
    outDim: n,
    apply(x, out) {
      for (let j = 0; j < half; j++) diff[j] = x[j] - x[half + j];
      backend.maskedForward(X, masks, new Matrix(d, P, diff), new Matrix(n, 1, out));
    },
    adjoint(z, out) {
      backend.maskedBackward(X, masks, new Matrix(n, 1, z), new Matrix(d, P, g));
      for (let j = 0; j < half; j++) {
        out[j] = g[j];
        out[half + j] = -g[j];
      }
    },
    images: (dirs, groups, j0, j1) => maskedImages(X, masks, 1, backend, dirs, groups, j0, j1, P, 2),
    weightedGram(w) {
      const wp = new Float64Array(P);
      for (let i = 0; i < P; i++) wp[i] = w[i] + w[P + i];
      return maskedWeightedGram(X, masks, wp, backend, xx);
    },
    restrict(groups) {
      // a working set of patterns: both parts of every pattern touched by `groups`
      const pats = [...new Set(Array.from(groups, (gg) => (gg >= P ? gg - P : gg)))].sort((a, b) => a - b);
      const ws = Int32Array.from(pats);
      return { op: reluOperator(X, masks.select(pats), backend), ...stridedMaps(d, P, 1, 2, ws) };
    },
  };
}

/**
 * A dense operator A x = Φ · x with x an m×c row-major matrix (Φ n×m), grouped by `layout` (the
 * pooled CNN features: m = h·P, strided groups of h rows). Images and Grams through the GEMM.
 *
 * @example
 *   const op = denseOperator(Phi, stridedLayout(h, P, c), c);
 */
export function denseOperator(Phi: Matrix<Float64Array>, layout: GroupLayout, c: number, backend: Backend = getBackend(), kind = 'dense'): ProblemOperator {
  const n = Phi.rows;
  const m = Phi.cols;
  assertShape(layout.dim === m * c, `the layout has ${layout.dim} coordinates but Φ has ${m} columns × ${c} outputs`);
  const op: ProblemOperator = {
    kind,
    layout,
    n,
    c,
    inDim: m * c,
    outDim: n * c,
    apply(x, out) {
      backend.gemm(Phi, new Matrix(m, c, x), { out: new Matrix(n, c, out) });
    },
    adjoint(z, out) {
      backend.gemm(Phi, new Matrix(n, c, z), { transA: true, out: new Matrix(m, c, out) });
    },
    images(dirs, groups, j0, j1) {
      // column t = Φ[j0:j1] · (dirs on group t's coordinates), output k
      const q = groups.length;
      const rows = j1 - j0;
      const D = new Float64Array(m * q * c);
      for (let t = 0; t < q; t++) {
        for (const j of layout.coords(groups[t])) {
          const row = Math.floor(j / c);
          const k = j - row * c;
          D[row * q * c + t * c + k] = dirs[j];
        }
      }
      const T = backend.gemm(Phi.view(j0, 0, rows, m), new Matrix(m, q * c, D)).data;
      const out = new Float64Array(rows * c * q);
      for (let j = 0; j < rows; j++) for (let t = 0; t < q; t++) for (let k = 0; k < c; k++) out[(j * c + k) * q + t] = T[j * q * c + t * c + k];
      return out;
    },
    weightedGram(w) {
      // Σ_g w_g Φ_g Φ_gᵀ: scale the columns of each group (per input row of x) by √w_g
      const colW = new Float64Array(m);
      for (let g = 0; g < layout.count; g++) for (const j of layout.coords(g)) colW[Math.floor(j / c)] = w[g];
      const S = new Float64Array(n * m);
      const pd = Phi.data;
      for (let r = 0; r < n; r++) for (let j = 0; j < m; j++) S[r * m + j] = pd[Phi.offset + r * Phi.stride + j] * colW[j];
      return backend.gemm(new Matrix(n, m, S), Phi, { transB: true }).data;
    },
    restrict(groups) {
      // generic: zero-embed the restricted unknowns (correct, no savings in the products)
      const sub = restrictLayout(layout, groups);
      return { op: embeddedOperator(op, sub.layout, sub.map), gather: sub.gather, scatter: sub.scatter };
    },
  };
  return op;
}

/**
 * Any linear map with a group layout (BN bases, three-layer blocks, Clifford dictionaries):
 * the solvers use apply/adjoint only; images fall back to one product per group.
 *
 * @example
 *   const op = genericOperator(A, layout, n, c);
 */
export function genericOperator(A: LinearMap, layout: GroupLayout, n: number, c: number, kind = 'linear-map'): ProblemOperator {
  assertShape(A.inDim === layout.dim && A.outDim === n * c, `the map is ${A.outDim}×${A.inDim}, the layout has ${layout.dim} coordinates and n·c = ${n * c}`);
  const op: ProblemOperator = {
    kind,
    layout,
    n,
    c,
    inDim: A.inDim,
    outDim: A.outDim,
    apply: (x, out) => A.apply(x, out),
    adjoint: (z, out) => A.adjoint(z, out),
    restrict(groups) {
      const sub = restrictLayout(layout, groups);
      return { op: embeddedOperator(op, sub.layout, sub.map), gather: sub.gather, scatter: sub.scatter };
    },
  };
  return op;
}

/** The operator on a sub-vector: zero-embed through `map`, apply the full operator. */
function embeddedOperator(full: ProblemOperator, layout: GroupLayout, map: Int32Array): ProblemOperator {
  const x = new Float64Array(full.inDim);
  const g = new Float64Array(full.inDim);
  return {
    kind: `${full.kind} (restricted)`,
    layout,
    n: full.n,
    c: full.c,
    inDim: map.length,
    outDim: full.outDim,
    apply(xs, out) {
      x.fill(0);
      for (let t = 0; t < map.length; t++) x[map[t]] = xs[t];
      full.apply(x, out);
    },
    adjoint(z, out) {
      full.adjoint(z, g);
      for (let t = 0; t < map.length; t++) out[t] = g[map[t]];
    },
  };
}

/**
 * Images of the given groups for any operator: through `images` when the operator has it, else
 * one forward product per group (rows j0…j1 kept).
 *
 * @example
 *   const B = groupImages(op, dirs, groups, 0, op.n);
 */
export function groupImages(op: ProblemOperator, dirs: Float64Array, groups: Int32Array, j0: number, j1: number): Float64Array {
  if (op.images) return op.images(dirs, groups, j0, j1);
  const m = groups.length;
  const c = op.c;
  const rows = j1 - j0;
  const out = new Float64Array(rows * c * m);
  const x = new Float64Array(op.inDim);
  const F = new Float64Array(op.outDim);
  for (let t = 0; t < m; t++) {
    x.fill(0);
    for (const j of op.layout.coords(groups[t])) x[j] = dirs[j];
    op.apply(x, F);
    for (let r = 0; r < rows * c; r++) out[r * m + t] = F[j0 * c + r];
  }
  return out;
}

/**
 * The operator as a dense row-major (outDim × inDim) matrix, one product per column: for
 * operators without fast paths that are small enough to hold (the Newton and BCD solvers).
 *
 * @example
 *   const A = materialise(op); // A[r·op.inDim + j] = (A e_j)_r
 */
export function materialise(op: ProblemOperator): Float64Array {
  const rows = op.outDim;
  const dim = op.inDim;
  const A = new Float64Array(rows * dim);
  const e = new Float64Array(dim);
  const col = new Float64Array(rows);
  for (let j = 0; j < dim; j++) {
    e.fill(0);
    e[j] = 1;
    op.apply(e, col);
    for (let r = 0; r < rows; r++) A[r * dim + j] = col[r];
  }
  return A;
}
