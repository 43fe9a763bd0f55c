/**
 * Neuron recovery (SPEC §7.2 last paragraph, §2.6 "Recovery"): every non-zero Lasso coefficient
 * z_a on atom a (unit normal w_a — the normalised dual of a wedge product of training samples —
 * and offset b_a, so that its hyperplane passes through those samples) becomes one ReLU neuron
 *
 *   u = √|z_a|·w_a,   b = √|z_a|·b_a,   α = sign(z_a)·√|z_a|,
 *
 * and the Lasso intercept becomes the free output bias. Because (x·u + b)_+ α = z_a (x·w_a + b_a)_+
 * and (λ/2)(‖u‖² + α²) = λ|z_a|, the network's weight-decay objective (free biases not decayed)
 * equals the Lasso objective.
 *
 * @example
 *   const dict = rampDictionary(x);
 *   const fit = solveLasso(dict.K, y, { lambda: 0.1 });
 *   const net = networkFromLasso(dict.atoms, fit); // a @cvxnn/networks TwoLayerNetwork
 *   objective(net, X, Y, { lambda: 0.1 }) ≈ fit.objective;
 */
import { assertShape, Matrix } from '@cvxnn/linalg';
import type { TwoLayerNetwork } from '@cvxnn/networks';
import type { Atom } from './dictionaries.js';

/**
 * The ReLU network f(x) = Σ_a (xᵀu_a + b_a)_+ α_a + c of the active atoms (free hidden biases b1
 * when any atom has an offset, free output bias b2 = c).
 *
 * @example
 *   const net = networkFromLasso(dict.atoms, { alpha: fit.alpha, intercept: fit.intercept });
 */
export function networkFromLasso(atoms: Atom[], fit: { alpha: ArrayLike<number>; intercept: number }): TwoLayerNetwork {
  assertShape(atoms.length === fit.alpha.length, `${fit.alpha.length} coefficients for ${atoms.length} atoms; pass the dictionary the Lasso was solved on`);
  assertShape(atoms.length > 0 || fit.alpha.length === 0, 'no atoms');
  const d = atoms.length > 0 ? atoms[0].w.length : 1;
  const active: number[] = [];
  for (let a = 0; a < atoms.length; a++) if (fit.alpha[a] !== 0) active.push(a);
  const m = active.length;
  const W1 = Matrix.zeros(d, m);
  const W2 = Matrix.zeros(m, 1);
  const b1 = new Float64Array(m);
  let anyBias = false;
  active.forEach((a, j) => {
    const z = fit.alpha[a];
    const r = Math.sqrt(Math.abs(z));
    const atom = atoms[a];
    assertShape(atom.w.length === d, `atom ${a} has dimension ${atom.w.length}, expected ${d}`);
    for (let k = 0; k < d; k++) W1.data[k * m + j] = r * atom.w[k];
    b1[j] = r * atom.b;
    if (atom.b !== 0) anyBias = true;
    W2.data[j] = Math.sign(z) * r;
  });
  const net: TwoLayerNetwork = { kind: 'relu', W1, W2, b2: Float64Array.of(fit.intercept), appendOne: false };
  if (anyBias) net.b1 = b1;
  return net;
}

/**
 * The 1-D network in the JSON form `{W1: [w_j], b1: [b_j], w2: [a_j], b2: c}` for
 * f(x) = Σ_j relu(w_j x + b_j) a_j + c, with the breakpoints −b_j/w_j.
 *
 * @example
 *   network1dJson(networkFromLasso(dict.atoms, fit)); // { W1: [...], b1: [...], w2: [...], b2: 0.3, breakpoints: [...] }
 */
export function network1dJson(net: TwoLayerNetwork): { W1: number[]; b1: number[]; w2: number[]; b2: number; breakpoints: number[] } {
  assertShape(net.W1.rows === 1 && !net.appendOne && net.W2.cols === 1, `network1dJson needs a 1-D input, scalar-output network (got W1 ${net.W1.rows}×${net.W1.cols}, ${net.W2.cols} outputs)`);
  const m = net.W1.cols;
  const W1 = Array.from(net.W1.data.subarray(0, m));
  const b1 = net.b1 ? Array.from(net.b1) : new Array<number>(m).fill(0);
  return {
    W1,
    b1,
    w2: Array.from(net.W2.data.subarray(0, m)),
    b2: net.b2 ? net.b2[0] : 0,
    breakpoints: W1.map((w, j) => -b1[j] / w),
  };
}
