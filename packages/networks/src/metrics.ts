import { assertMatrix, assertShape, CvxnnError, type Matrix } from '@cvxnn/linalg';
import { predict, type TwoLayerNetwork } from './network.js';

/**
 * Classes from an n×c matrix of scores or targets: for c = 1 the sign (+1 when > 0, else −1,
 * the ±1 labels of the logistic loss); for c > 1 the argmax of each row (first one on ties).
 *
 * @example
 *   classesOf(Matrix.from([[0.2, 0.9], [-1, -3]])); // Int32Array [1, 0]
 *   classesOf(Matrix.from([[0.5], [-2]]));          // Int32Array [1, -1]
 */
export function classesOf(S: Matrix<Float64Array>): Int32Array {
  const out = new Int32Array(S.rows);
  for (let i = 0; i < S.rows; i++) {
    if (S.cols === 1) {
      out[i] = S.get(i, 0) > 0 ? 1 : -1;
      continue;
    }
    let best = 0;
    for (let k = 1; k < S.cols; k++) if (S.get(i, k) > S.get(i, best)) best = k;
    out[i] = best;
  }
  return out;
}

/**
 * Predicted classes of the network on X: sign of the output (±1) for one output, argmax for
 * several.
 *
 * @example
 *   const cls = predictClass(net, X); // Int32Array of length n
 */
export function predictClass(net: TwoLayerNetwork, X: Matrix<Float64Array>): Int32Array {
  return classesOf(predict(net, X));
}

function checkTargets(fn: string, net: TwoLayerNetwork, X: Matrix<Float64Array>, Y: Matrix<Float64Array>): void {
  assertMatrix(fn, 'X', X);
  assertMatrix(fn, 'Y', Y);
  if (X.rows === 0) throw new CvxnnError('EMPTY_DATA', 'X has no rows; metrics need at least one sample');
  assertShape(X.rows === Y.rows, `X has ${X.rows} rows but Y has ${Y.rows}; pass one target row per sample`);
  assertShape(Y.cols === net.W2.cols, `Y has ${Y.cols} columns but the network has ${net.W2.cols} outputs`);
}

/**
 * Fraction of samples whose predicted class equals the target class (targets: ±1 column for
 * binary, one-hot rows for multiclass).
 *
 * @example
 *   accuracy(net, Xtest, Ytest); // in [0, 1]
 */
export function accuracy(net: TwoLayerNetwork, X: Matrix<Float64Array>, Y: Matrix<Float64Array>): number {
  checkTargets('accuracy', net, X, Y);
  const p = predictClass(net, X);
  const t = classesOf(Y);
  let hit = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === t[i]) hit++;
  return hit / p.length;
}

/**
 * Mean squared error (1/(n·c)) ‖f(X) − Y‖²_F.
 *
 * @example
 *   mse(net, Xtest, Ytest);
 */
export function mse(net: TwoLayerNetwork, X: Matrix<Float64Array>, Y: Matrix<Float64Array>): number {
  checkTargets('mse', net, X, Y);
  const F = predict(net, X);
  let s = 0;
  for (let i = 0; i < F.rows; i++) {
    for (let k = 0; k < F.cols; k++) {
      const r = F.get(i, k) - Y.get(i, k);
      s += r * r;
    }
  }
  return s / (F.rows * F.cols);
}
