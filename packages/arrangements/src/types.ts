import { assertShape, CvxnnError, Matrix, type PatternMasks } from '@cvxnn/linalg';

/**
 * A set of activation patterns D_1..D_P of the data X (n × d) with one gate per pattern.
 *
 * - `masks` (n × P, bit-packed) plugs straight into the masked-product kernels of `@cvxnn/linalg`.
 * - `gates` (d × P): column i is a gate g_i with 1[X g_i > 0] = pattern i. For exact enumeration
 *   it is a witness strictly inside the chamber (no x_jᵀ g_i = 0 for a non-zero row x_j).
 * - `method`: how the patterns were obtained; `rank`: numerical rank of X (for sampling in a
 *   rank-k approximation, the k used); `draws`: for sampling, how many gates were drawn.
 *
 * Convention: patterns use the strict `>` of scnn. Chamber patterns are the same under `≥`
 * (SPEC §1.1); a zero row x_j = 0 lies in no hyperplane and is inactive in every pattern.
 *
 * @example
 *   const ps: PatternSet = enumeratePatterns(X);
 *   getBackend().maskedForward(X, ps.masks, U); // Σ_i D_i X u_i
 */
export interface PatternSet {
  masks: PatternMasks;
  gates: Matrix<Float64Array>;
  method: 'exact' | 'sampled' | 'given';
  rank: number;
  draws?: number;
}

/**
 * Validate the data matrix of every arrangements function: non-empty, finite, returned as fp64.
 * @internal
 */
export function checkData(X: Matrix<Float64Array | Float32Array>, what = 'data X'): Matrix<Float64Array> {
  if (!(X instanceof Matrix)) throw new CvxnnError('SHAPE_MISMATCH', `${what} must be a Matrix (n × d), got ${typeof X}`);
  if (X.rows === 0 || X.cols === 0) {
    throw new CvxnnError('EMPTY_DATA', `${what} is ${X.rows}×${X.cols}; patterns need at least one sample and one feature`);
  }
  return X.toFloat64().assertFinite(what);
}

/**
 * X̃ = [X, 1]: append a constant-1 feature (the `--bias` convention, SPEC §2.5), so a gate's last
 * coordinate acts as a bias and the patterns are those of affine hyperplanes in the data space.
 *
 * @example
 *   appendOnes(Matrix.from([[2], [3]])).toArrays(); // [[2, 1], [3, 1]]
 */
export function appendOnes(X: Matrix<Float64Array | Float32Array>): Matrix<Float64Array> {
  assertShape(X instanceof Matrix, 'appendOnes: X must be a Matrix');
  const n = X.rows;
  const d = X.cols;
  const out = Matrix.zeros(n, d + 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) out.data[i * (d + 1) + j] = X.get(i, j);
    out.data[i * (d + 1) + d] = 1;
  }
  return out;
}
