import { assertOption, CvxnnError, Matrix } from '@cvxnn/linalg';
import { type LossName, makeLoss, type ObjectiveScale } from '@cvxnn/networks';
import type { SmoothFunction } from './problem.js';

/**
 * A data-fitting loss ℓ(F) = loss(F, Y) as a {@link SmoothFunction} of the flattened n×c
 * predictions, plus its Fenchel conjugate ℓ*(Z) (used for duality gaps). Values and gradients come
 * from `@cvxnn/networks`' `makeLoss`, so the convex and non-convex sides evaluate the same
 * objective.
 *
 * Conjugates, with s = 1 (`sum`) or 1/n (`mean`):
 * - squared ℓ = (s/2)‖F − Y‖²:           ℓ*(Z) = ‖Z‖²/(2s) + ⟨Z, Y⟩
 * - logistic ℓ = s Σ log(1 + e^{−y f}):   ℓ*(z) = s Σ [p log p + (1−p) log(1−p)], p = −y z/s ∈ [0,1]
 * - cross-entropy ℓ = s Σ (lse(F_i) − ⟨y_i, F_i⟩): ℓ*(Z) = s Σ_ik p_ik log p_ik, p = Z/s + Y ∈ simplex
 *
 * @example
 *   const l = dataLoss('squared', 'sum', Y);
 *   const v = l.valueAndGrad(F.data, g);
 */
export interface DataLoss extends SmoothFunction {
  name: LossName;
  scale: ObjectiveScale;
  n: number;
  c: number;
  /** ℓ*(Z); +Infinity outside the domain */
  conjugate(z: Float64Array): number;
  /** set when this is a base loss composed with a K-to-1 sum pooling (not a plain squared loss of n·c outputs) */
  pooledBy?: number;
  /**
   * ℓ* is finite only where each sample's c dual entries sum to zero (cross-entropy: p_i = z_i/s +
   * y_i on the simplex); dual points built by moving θ must keep their rows centred
   */
  dualRowsSumToZero?: boolean;
  /** the targets Y (n×c, row-major), for dual constructions that need the conjugate's domain */
  targets?: Float64Array;
}

function xlogx(p: number): number {
  return p > 0 ? p * Math.log(p) : 0;
}

/**
 * Build the data loss for targets Y (n×c). Logistic labels must be ±1; cross-entropy targets one-hot.
 *
 * @example
 *   const l = dataLoss('logistic', 'mean', Matrix.from([[1], [-1]]));
 */
export function dataLoss(name: LossName, scale: ObjectiveScale, Y: Matrix<Float64Array>): DataLoss {
  const loss = makeLoss(name, scale);
  const n = Y.rows;
  const c = Y.cols;
  const Yc = Y.clone();
  const y = Yc.data;
  if (name === 'logistic') {
    assertOption(c === 1, `logistic loss needs one output column, got ${c}; use cross-entropy for multiclass`);
    for (let i = 0; i < n; i++) {
      if (y[i] !== 1 && y[i] !== -1) {
        throw new CvxnnError('INVALID_OPTION', `logistic loss needs labels ±1, but label ${i} is ${y[i]}; map the two classes to ±1 (the CLI's --task binary does) or use the squared loss (loss 'squared'; CLI: --loss squared)`);
      }
    }
  }
  if (name === 'cross-entropy') {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < c; k++) {
        const v = y[i * c + k];
        if (v !== 0 && v !== 1) throw new CvxnnError('INVALID_OPTION', `cross-entropy needs one-hot targets, but row ${i} has ${v}`);
        s += v;
      }
      if (s !== 1) throw new CvxnnError('INVALID_OPTION', `cross-entropy needs one-hot targets, but row ${i} sums to ${s}`);
    }
  }
  const s = scale === 'mean' ? 1 / n : 1;
  return {
    name,
    scale,
    n,
    c,
    ...(name === 'cross-entropy' ? { dualRowsSumToZero: true, targets: y } : {}),
    valueAndGrad(z, grad) {
      const F = new Matrix(n, c, z);
      return grad ? loss.valueAndGrad(F, Yc, new Matrix(n, c, grad)) : loss.value(F, Yc);
    },
    conjugate(z) {
      let v = 0;
      if (name === 'squared') {
        for (let j = 0; j < n * c; j++) v += (z[j] * z[j]) / (2 * s) + z[j] * y[j];
        return v;
      }
      const eps = 1e-12;
      if (name === 'logistic') {
        for (let i = 0; i < n; i++) {
          let p = (-y[i] * z[i]) / s;
          if (p < -eps || p > 1 + eps) return Infinity;
          p = Math.min(1, Math.max(0, p));
          v += xlogx(p) + xlogx(1 - p);
        }
        return s * v;
      }
      for (let i = 0; i < n; i++) {
        // p_i must lie on the simplex: entries ≥ 0 and (what the entrywise formula would not
        // notice) summing to one — off it ℓ* is +∞, and a dual value there would be no bound
        let sum = 0;
        for (let k = 0; k < c; k++) {
          let p = z[i * c + k] / s + y[i * c + k];
          if (p < -eps) return Infinity;
          sum += p;
          p = Math.max(0, p);
          v += xlogx(p);
        }
        if (Math.abs(sum - 1) > 1e-9) return Infinity;
      }
      return s * v;
    },
  };
}
