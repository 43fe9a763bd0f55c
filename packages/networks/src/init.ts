import { assertOption, assertShape, Matrix, Rng } from '@cvxnn/linalg';
import { checkInitOptions } from './checks.js';
import type { TwoLayerNetwork } from './network.js';

/** How to build a fresh network for training. */
export interface InitOptions {
  /** number of hidden units m ≥ 1 */
  width: number;
  /** seed of the initial weights (and of the gates when they are sampled); default 0 */
  seed?: number;
  /** default `relu` */
  kind?: 'relu' | 'gated-relu';
  /** append a constant-1 feature (a decayed first-layer bias, the papers' convention); default false */
  appendOne?: boolean;
  /** add a free (not decayed) hidden bias b1; default false */
  b1?: boolean;
  /** add a free (not decayed) output bias b2; default false */
  b2?: boolean;
  /** gate vectors d̃ × m for gated-relu; standard-normal gates from the seed when omitted */
  gates?: Matrix<Float64Array>;
}

/**
 * A freshly initialised two-layer network for d input features and c outputs: He/Kaiming-uniform
 * first layer W1 ~ U(±√(6/d̃)) (variance 2/d̃, the ReLU gain), LeCun-uniform output layer
 * W2 ~ U(±√(3/m)) (variance 1/m), zero biases, standard-normal gates for gated-relu.
 * Deterministic from `seed`.
 *
 * @example
 *   const net = initNetwork(5, 1, { width: 32, seed: 1, appendOne: true });
 *   net.W1.rows; // 6 = d + 1
 */
export function initNetwork(d: number, c: number, opts: InitOptions): TwoLayerNetwork {
  checkInitOptions('initNetwork', opts);
  assertOption(Number.isInteger(d) && d >= 1 && Number.isInteger(c) && c >= 1, `initNetwork: need d ≥ 1 features and c ≥ 1 outputs, got d=${d}, c=${c}`);
  const kind = opts.kind ?? 'relu';
  const m = opts.width;
  const appendOne = opts.appendOne ?? false;
  const dt = appendOne ? d + 1 : d;
  const rng = new Rng(opts.seed ?? 0);
  const a1 = Math.sqrt(6 / dt);
  const a2 = Math.sqrt(3 / m);
  const W1 = Matrix.zeros(dt, m);
  for (let i = 0; i < W1.data.length; i++) W1.data[i] = a1 * (2 * rng.uniform() - 1);
  const W2 = Matrix.zeros(m, c);
  for (let i = 0; i < W2.data.length; i++) W2.data[i] = a2 * (2 * rng.uniform() - 1);
  const net: TwoLayerNetwork = { kind, W1, W2, appendOne };
  if (kind === 'gated-relu') {
    if (opts.gates) {
      assertShape(opts.gates.rows === dt && opts.gates.cols === m, `initNetwork: gates are ${opts.gates.rows}×${opts.gates.cols}, expected ${dt}×${m} (d̃ × width)`);
      net.gates = opts.gates.clone();
    } else net.gates = new Matrix(dt, m, rng.normalArray(dt * m));
  } else assertOption(opts.gates === undefined, "initNetwork: gates are only used by gated-relu networks; set kind: 'gated-relu'");
  if (opts.b1) net.b1 = new Float64Array(m);
  if (opts.b2) net.b2 = new Float64Array(c);
  return net;
}

/**
 * A deep copy of a network (weights, gates and biases).
 *
 * @example
 *   const snapshot = cloneNetwork(net);
 */
export function cloneNetwork(net: TwoLayerNetwork): TwoLayerNetwork {
  const out: TwoLayerNetwork = { kind: net.kind, W1: net.W1.clone(), W2: net.W2.clone(), appendOne: net.appendOne };
  if (net.gates) out.gates = net.gates.clone();
  if (net.b1) out.b1 = net.b1.slice();
  if (net.b2) out.b2 = net.b2.slice();
  return out;
}
