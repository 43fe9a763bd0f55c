import { assertShape, type Backend, getBackend, Matrix, type PatternMasks, singularValues as smallSingularValues } from '@cvxnn/linalg';
import { nuclearPenalty } from './core/penalty.js';

/**
 * A linear operator x ↦ A x between flat fp64 vectors (ARCHITECTURE seam 2: problems are data).
 * `adjoint` overwrites `out` with Aᵀ z.
 *
 * @example
 *   const A = maskedOperator(X, masks, 1);
 *   A.apply(x, z); A.adjoint(z, g);
 */
export interface LinearMap {
  readonly inDim: number;
  readonly outDim: number;
  apply(x: Float64Array, out: Float64Array): void;
  adjoint(z: Float64Array, out: Float64Array): void;
}

/**
 * A smooth convex function h(z) of the operator output, with its gradient.
 *
 * @example
 *   const h: SmoothFunction = { valueAndGrad: (z, g) => { g?.set(z); return 0.5 * dot(z, z); } };
 */
export interface SmoothFunction {
  valueAndGrad(z: Float64Array, grad: Float64Array | null): number;
}

/**
 * One smooth term h(A x) of a composite objective.
 *
 * @example
 *   const term: SmoothTerm = { map: A, fn: h };
 */
export interface SmoothTerm {
  map: LinearMap;
  fn: SmoothFunction;
}

/**
 * A (group) penalty with a cheap proximal operator.
 *
 * @example
 *   const pen = frobeniusGroupPenalty(0.1, d, P, 1);
 *   pen.prox(x, t, out); // out = prox_{t·pen}(x)
 */
export interface Penalty {
  value(x: Float64Array): number;
  /**
   * out = prox_{t·pen}(x). May return value(out) when it falls out of the prox for free (the
   * nuclear prox: λΣ(σ − tλ)₊), so proximal-gradient loops need not recompute it; returns nothing
   * otherwise
   */
  prox(x: Float64Array, t: number, out: Float64Array): number | void;
}

/**
 * The composite problem min_x Σ_k h_k(A_k x) + penalty(x) that the solvers accept.
 *
 * @example
 *   const problem: CompositeProblem = { dim: d * P, terms: [{ map: A, fn: loss }], penalty };
 */
export interface CompositeProblem {
  dim: number;
  terms: SmoothTerm[];
  penalty: Penalty;
}

/**
 * The masked operator of the gated formulation: x = vec(U), U d×(P·c) row-major, A x = Σ_i D_i X U_i
 * (n×c, flattened row-major), computed by the backend's fused kernels — never an n×dP matrix.
 *
 * @example
 *   const A = maskedOperator(X, PatternMasks.fromGates(X, G), 1);
 */
export function maskedOperator(X: Matrix<Float64Array>, masks: PatternMasks, c: number, backend: Backend = getBackend()): LinearMap {
  assertShape(masks.n === X.rows, `patterns cover ${masks.n} samples but X has ${X.rows} rows`);
  const n = X.rows;
  const d = X.cols;
  const pc = masks.p * c;
  return {
    inDim: d * pc,
    outDim: n * c,
    apply(x, out) {
      backend.maskedForward(X, masks, new Matrix(d, pc, x), new Matrix(n, c, out));
    },
    adjoint(z, out) {
      backend.maskedBackward(X, masks, new Matrix(n, c, z), new Matrix(d, pc, out));
    },
  };
}

/**
 * The C-ReLU data operator: x = [vec(V); vec(W)] (each d×P), A x = Σ_i D_i X (v_i − w_i).
 *
 * @example
 *   const A = reluDataOperator(X, masks);
 */
export function reluDataOperator(X: Matrix<Float64Array>, masks: PatternMasks, backend: Backend = getBackend()): LinearMap {
  const n = X.rows;
  const d = X.cols;
  const P = masks.p;
  const half = d * P;
  const diff = new Float64Array(half);
  const g = new Float64Array(half);
  return {
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
  };
}

/**
 * The C-ReLU cone operator: x = [V; W] ↦ [S ⊙ (X V), S ⊙ (X W)] (two n×P blocks), with
 * S = 2M − 1 the signs of the patterns; the constraints read "output ≥ 0" (SPEC §2.3).
 *
 * @example
 *   const G = coneOperator(X, masks); // G x ≥ 0 ⇔ every v_i, w_i in its cone K_i
 */
export function coneOperator(X: Matrix<Float64Array>, masks: PatternMasks, backend: Backend = getBackend()): LinearMap & { signs: Float64Array } {
  const n = X.rows;
  const d = X.cols;
  const P = masks.p;
  const half = d * P;
  const signs = new Float64Array(n * P);
  for (let j = 0; j < n; j++) for (let i = 0; i < P; i++) signs[j * P + i] = masks.get(j, i) ? 1 : -1;
  const tmp = new Float64Array(n * P);
  return {
    signs,
    inDim: 2 * half,
    outDim: 2 * n * P,
    apply(x, out) {
      for (let part = 0; part < 2; part++) {
        const o = new Matrix(n, P, out.subarray(part * n * P, (part + 1) * n * P));
        backend.gemm(X, new Matrix(d, P, x.subarray(part * half, (part + 1) * half)), { out: o });
        const od = o.data;
        for (let k = 0; k < n * P; k++) od[k] *= signs[k];
      }
    },
    adjoint(z, out) {
      for (let part = 0; part < 2; part++) {
        const zp = z.subarray(part * n * P, (part + 1) * n * P);
        for (let k = 0; k < n * P; k++) tmp[k] = zp[k] * signs[k];
        backend.gemm(X, new Matrix(n, P, tmp), { transA: true, out: new Matrix(d, P, out.subarray(part * half, (part + 1) * half)) });
      }
    },
  };
}

/**
 * λ Σ_i ‖U_i‖_F over the d×c column blocks of `parts` consecutive d×(P·c) matrices (parts = 2 for
 * C-ReLU's [V; W]); prox = block soft-thresholding through the backend kernel.
 *
 * @example
 *   const pen = frobeniusGroupPenalty(0.1, d, P, 1);
 */
export function frobeniusGroupPenalty(lambda: number, d: number, P: number, c: number, parts = 1, backend: Backend = getBackend()): Penalty & { groupNorms(x: Float64Array): Float64Array } {
  const size = d * P * c;
  const norms = (x: Float64Array): Float64Array => {
    const out = new Float64Array(parts * P);
    for (let part = 0; part < parts; part++) {
      backend.groupNorms(new Matrix(d, P * c, x.subarray(part * size, (part + 1) * size)), c, out.subarray(part * P, (part + 1) * P));
    }
    return out;
  };
  return {
    groupNorms: norms,
    value(x) {
      let s = 0;
      for (const v of norms(x)) s += v;
      return lambda * s;
    },
    prox(x, t, out) {
      for (let part = 0; part < parts; part++) {
        const sl = (a: Float64Array) => new Matrix(d, P * c, a.subarray(part * size, (part + 1) * size));
        backend.groupSoftThreshold(sl(x), t * lambda, c, sl(out));
      }
    },
  };
}

/**
 * Singular values of a small matrix (one-sided Jacobi, `@cvxnn/linalg`'s `singularValues`).
 *
 * @example
 *   singularValues(Matrix.from([[3, 0], [0, 1]])); // [3, 1]
 */
export function singularValues(B: Matrix<Float64Array>): Float64Array {
  const b = B.isContiguous ? B.data.subarray(B.offset, B.offset + B.rows * B.cols) : B.clone().data;
  return smallSingularValues(b, B.rows, B.cols);
}

/**
 * λ Σ_i ‖U_i‖_* (nuclear norm of each d×c block; exact for gated ReLU with vector outputs, SPEC
 * §2.8); prox = singular-value soft-thresholding of each block. The core's `nuclearPenalty`,
 * under this module's (λ first) argument order.
 *
 * @example
 *   const pen = nuclearGroupPenalty(0.1, d, P, 3);
 */
export function nuclearGroupPenalty(lambda: number, d: number, P: number, c: number): Penalty & { groupNorms(x: Float64Array): Float64Array } {
  return nuclearPenalty(d, P, c, lambda);
}
