import { assertShape, CvxnnError, type Matrix } from '@cvxnn/linalg';

/**
 * Losses shared by the convex solvers and the non-convex trainers, so both sides evaluate the
 * same objective. Targets:
 *  - `squared`: ½‖F − Y‖²_F (regression, or one-hot Y for multiclass)
 *  - `logistic`: Σ_i log(1 + exp(−y_i f_i)) with y_i ∈ {−1, +1} (binary, c = 1)
 *  - `cross-entropy`: Σ_i −log softmax(F_i)[class_i] with one-hot Y (multiclass)
 * `scale: 'sum'` is the papers' convention; `'mean'` divides the data term by n (scnn's).
 */
export type LossName = 'squared' | 'logistic' | 'cross-entropy';
export type ObjectiveScale = 'sum' | 'mean';

export interface Loss {
  name: LossName;
  scale: ObjectiveScale;
  /** data term at predictions F (n×c) for targets Y (n×c) */
  value(F: Matrix<Float64Array>, Y: Matrix<Float64Array>): number;
  /** data term and its gradient w.r.t. F, written into `grad` (n×c) */
  valueAndGrad(F: Matrix<Float64Array>, Y: Matrix<Float64Array>, grad: Matrix<Float64Array>): number;
  /**
   * Lipschitz constant of the gradient w.r.t. F (squared: 1, logistic: 1/4, cross-entropy: 1/2),
   * times 1/n under `mean`.
   */
  smoothness(n: number): number;
}

function log1pExp(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * Make a loss object.
 *
 * @example
 *   const loss = makeLoss('cross-entropy', 'mean');
 *   const grad = Matrix.zeros(F.rows, F.cols);
 *   const v = loss.valueAndGrad(F, Yonehot, grad); // value and ∂/∂F
 */
export function makeLoss(name: LossName, scale: ObjectiveScale = 'sum'): Loss {
  if (name !== 'squared' && name !== 'logistic' && name !== 'cross-entropy') {
    throw new CvxnnError('INVALID_OPTION', `unknown loss '${name}'; use squared, logistic or cross-entropy`);
  }
  if (scale !== 'sum' && scale !== 'mean') {
    throw new CvxnnError('INVALID_OPTION', `unknown objective scale '${scale}'; use sum or mean`);
  }
  const check = (F: Matrix<Float64Array>, Y: Matrix<Float64Array>) =>
    assertShape(F.rows === Y.rows && F.cols === Y.cols, `predictions are ${F.rows}×${F.cols} but targets are ${Y.rows}×${Y.cols}`);
  const valueAndGrad = (F: Matrix<Float64Array>, Y: Matrix<Float64Array>, grad: Matrix<Float64Array> | null): number => {
    check(F, Y);
    const n = F.rows;
    const c = F.cols;
    const s = scale === 'mean' ? 1 / n : 1;
    let v = 0;
    if (name === 'squared') {
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < c; k++) {
          const r = F.get(i, k) - Y.get(i, k);
          v += r * r;
          if (grad) grad.set(i, k, s * r);
        }
      }
      return (s * v) / 2;
    }
    if (name === 'logistic') {
      assertShape(c === 1, `logistic loss needs one output column, got ${c}`);
      for (let i = 0; i < n; i++) {
        const y = Y.get(i, 0);
        const z = -y * F.get(i, 0);
        v += log1pExp(z);
        if (grad) grad.set(i, 0, (-s * y) / (1 + Math.exp(-z)));
      }
      return s * v;
    }
    // cross-entropy with a stable log-sum-exp
    for (let i = 0; i < n; i++) {
      let mx = -Infinity;
      for (let k = 0; k < c; k++) mx = Math.max(mx, F.get(i, k));
      let se = 0;
      for (let k = 0; k < c; k++) se += Math.exp(F.get(i, k) - mx);
      const lse = mx + Math.log(se);
      for (let k = 0; k < c; k++) {
        const yk = Y.get(i, k);
        v += yk * (lse - F.get(i, k));
        if (grad) grad.set(i, k, s * (Math.exp(F.get(i, k) - lse) - yk));
      }
    }
    return s * v;
  };
  return {
    name,
    scale,
    value: (F, Y) => valueAndGrad(F, Y, null),
    valueAndGrad: (F, Y, g) => valueAndGrad(F, Y, g),
    smoothness: (n) => (name === 'squared' ? 1 : name === 'logistic' ? 0.25 : 0.5) * (scale === 'mean' ? 1 / n : 1),
  };
}
