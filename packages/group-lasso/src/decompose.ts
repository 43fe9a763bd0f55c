import { assertShape, CvxnnError, Matrix, type PatternMasks } from '@cvxnn/linalg';

/**
 * Cone decomposition (SPEC §2.7, Mishkin–Sahiner–Pilanci): write each gated-ReLU weight u_i as
 * v_i − w_i with v_i, w_i ∈ K_i = {u : (2D_i − I) X u ≥ 0}, using the gate g_i as an interior
 * point of its chamber: w_i = t g_i, v_i = u_i + t g_i with the smallest t ≥ 0 that makes v_i
 * feasible. Predictions are unchanged (D_i X v_i − D_i X w_i = D_i X u_i), so the result is a
 * C-ReLU-feasible point whose penalty Σ(‖v_i‖ + ‖w_i‖) is ≥ Σ‖u_i‖ — a feasible (not optimal)
 * C-ReLU point from a C-GReLU solution. Throws INFEASIBLE when a gate is not strictly inside its
 * chamber (a tie x_jᵀg_i = 0).
 *
 * @example
 *   const { V, W } = coneDecomposition(X, masks, gates, gatedResult.solution.U!);
 */
export function coneDecomposition(
  X: Matrix<Float64Array>,
  masks: PatternMasks,
  gates: Matrix<Float64Array>,
  U: Matrix<Float64Array>,
): { V: Matrix<Float64Array>; W: Matrix<Float64Array> } {
  const n = X.rows;
  const d = X.cols;
  const P = masks.p;
  assertShape(U.rows === d && U.cols === P, `U is ${U.rows}×${U.cols}, expected ${d}×${P} (scalar output)`);
  assertShape(gates.rows === d && gates.cols === P, `gates are ${gates.rows}×${gates.cols}, expected ${d}×${P}`);
  const V = Matrix.zeros(d, P);
  const W = Matrix.zeros(d, P);
  for (let i = 0; i < P; i++) {
    let t = 0;
    let any = false;
    for (let k = 0; k < d; k++) if (U.get(k, i) !== 0) any = true;
    if (!any) continue;
    for (let j = 0; j < n; j++) {
      const s = masks.get(j, i) ? 1 : -1;
      let xu = 0;
      let xg = 0;
      for (let k = 0; k < d; k++) {
        xu += X.get(j, k) * U.get(k, i);
        xg += X.get(j, k) * gates.get(k, i);
      }
      const a = s * xg;
      if (!(a > 0)) throw new CvxnnError('INFEASIBLE', `gate ${i} is not strictly inside its chamber (sample ${j} has x_jᵀg_i = ${xg}); cone decomposition needs chamber patterns with interior gates`);
      const need = -(s * xu) / a;
      if (need > t) t = need;
    }
    // a hair more than the smallest t, so that round-off cannot leave v_i outside the cone
    t *= 1 + 1e-12;
    for (let k = 0; k < d; k++) {
      V.set(k, i, U.get(k, i) + t * gates.get(k, i));
      W.set(k, i, t * gates.get(k, i));
    }
  }
  return { V, W };
}
