import { assertMatrix, assertShape, CvxnnError, getBackend, Matrix } from '@cvxnn/linalg';

/**
 * A two-layer network f(x) = Σ_j σ_j(x) · W2[j,:] + b2 with hidden unit j:
 *  - `relu`:        σ_j(x) = (x̃ᵀ W1[:,j] + b1_j)_+
 *  - `gated-relu`:  σ_j(x) = 1[x̃ᵀ gates[:,j] > 0] · (x̃ᵀ W1[:,j] + b1_j)
 * where x̃ = [x, 1] when `appendOne` (the papers' bias convention: the bias lives inside W1's
 * last row and is weight-decayed with it) and x̃ = x otherwise. `b1` (free, not decayed) and `b2`
 * (free output bias) are optional and zero when absent.
 *
 * Weight decay convention (SPEC §0.3): R(θ) = (β/2) Σ_j (‖W1[:,j]‖² + ‖W2[j,:]‖²); free biases are
 * never decayed.
 */
export interface TwoLayerNetwork {
  kind: 'relu' | 'gated-relu';
  /** W1: d̃ × m (d̃ = d + 1 when appendOne) */
  W1: Matrix<Float64Array>;
  /** W2: m × c */
  W2: Matrix<Float64Array>;
  /** gate vectors d̃ × m, gated-relu only */
  gates?: Matrix<Float64Array>;
  /** free hidden biases (length m), not decayed */
  b1?: Float64Array;
  /** free output bias (length c), not decayed */
  b2?: Float64Array;
  /** append a constant-1 feature to the inputs before the first layer */
  appendOne: boolean;
}

/**
 * Number of hidden units m.
 *
 * @example
 *   width(initNetwork(3, 1, { width: 8 })); // 8
 */
export function width(net: TwoLayerNetwork): number {
  return net.W1.cols;
}

/**
 * Validate shapes; throws `SHAPE_MISMATCH` with the offending sizes.
 *
 * @example
 *   validateNetwork({ kind: 'relu', W1: Matrix.zeros(3, 4), W2: Matrix.zeros(5, 1), appendOne: false }); // throws: W2 has 5 rows…
 */
export function validateNetwork(net: TwoLayerNetwork): void {
  const m = net.W1.cols;
  assertShape(net.W2.rows === m, `W2 has ${net.W2.rows} rows but W1 has ${m} hidden units`);
  if (net.kind === 'gated-relu') {
    if (!net.gates) throw new CvxnnError('SHAPE_MISMATCH', 'a gated-relu network needs gate vectors');
    assertShape(net.gates.rows === net.W1.rows && net.gates.cols === m, `gates are ${net.gates.rows}×${net.gates.cols}, expected ${net.W1.rows}×${m}`);
  }
  if (net.b1) assertShape(net.b1.length === m, `b1 has ${net.b1.length} entries, expected ${m}`);
  if (net.b2) assertShape(net.b2.length === net.W2.cols, `b2 has ${net.b2.length} entries, expected ${net.W2.cols}`);
}

/**
 * The inputs the first layer sees: X, or [X, 1] when `appendOne`.
 *
 * @example
 *   firstLayerInput({ ...net, appendOne: true }, Matrix.from([[2, 3]])).toArrays(); // [[2, 3, 1]]
 */
export function firstLayerInput(net: TwoLayerNetwork, X: Matrix<Float64Array>): Matrix<Float64Array> {
  const dIn = net.appendOne ? X.cols + 1 : X.cols;
  assertShape(
    dIn === net.W1.rows,
    `the network expects ${net.appendOne ? net.W1.rows - 1 : net.W1.rows} input features but the data has ${X.cols}`,
  );
  if (!net.appendOne) return X;
  const out = Matrix.zeros(X.rows, dIn);
  for (let i = 0; i < X.rows; i++) {
    out.data.set(X.row(i), i * dIn);
    out.data[i * dIn + X.cols] = 1;
  }
  return out;
}

/**
 * Hidden activations H (n×m) and outputs F (n×c) of the network on X (n×d). The products
 * X̃·W1, X̃·gates and H·W2 run on the active backend's `gemm`.
 *
 * @example
 *   const net: TwoLayerNetwork = { kind: 'relu', W1: Matrix.from([[1], [-1]]), W2: Matrix.from([[2]]), appendOne: false };
 *   forward(net, Matrix.from([[3, 1]])).F.get(0, 0); // 2·(3 − 1)_+ = 4
 */
export function forward(net: TwoLayerNetwork, X: Matrix<Float64Array>): { H: Matrix<Float64Array>; F: Matrix<Float64Array> } {
  assertMatrix('forward', 'X', X);
  validateNetwork(net);
  const Xt = firstLayerInput(net, X);
  const n = Xt.rows;
  const m = net.W1.cols;
  const c = net.W2.cols;
  const be = getBackend();
  const H = n > 0 && m > 0 ? be.gemm(Xt, net.W1) : Matrix.zeros(n, m);
  const Gt = net.kind === 'gated-relu' && n > 0 && m > 0 ? be.gemm(Xt, net.gates as Matrix<Float64Array>) : null;
  const h = H.data;
  for (let i = 0; i < n; i++) {
    const o = i * m;
    for (let j = 0; j < m; j++) {
      const z = h[o + j] + (net.b1 ? net.b1[j] : 0);
      h[o + j] = Gt ? (Gt.data[o + j] > 0 ? z : 0) : z > 0 ? z : 0;
    }
  }
  const F = n > 0 && m > 0 ? be.gemm(H, net.W2) : Matrix.zeros(n, c);
  if (net.b2) {
    for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) F.data[i * c + k] += net.b2[k];
  }
  return { H, F };
}

/**
 * Network outputs on X (n×c).
 *
 * @example
 *   const F = predict(net, X); // F.get(i, k) = f_k(x_i)
 */
export function predict(net: TwoLayerNetwork, X: Matrix<Float64Array>): Matrix<Float64Array> {
  assertMatrix('predict', 'X', X);
  return forward(net, X).F;
}

/**
 * (1/2) Σ_j (‖W1[:,j]‖² + ‖W2[j,:]‖²) — multiply by λ for the weight-decay term (SPEC §0.3).
 *
 * @example
 *   const decay = lambda * halfSquaredWeights(net);
 */
export function halfSquaredWeights(net: TwoLayerNetwork): number {
  let s = 0;
  for (const v of net.W1.data) s += v * v;
  for (const v of net.W2.data) s += v * v;
  return s / 2;
}
