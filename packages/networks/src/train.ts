import { assertMatrix, assertOption, assertShape, type Backend, CvxnnError, getBackend, Matrix, type OptionSpec, Rng } from '@cvxnn/linalg';
import { checkInitOptions, checkObjectiveOptions, OBJECTIVE_OPTIONS } from './checks.js';
import { cloneNetwork, type InitOptions, initNetwork } from './init.js';
import { firstLayerInput, halfSquaredWeights, type TwoLayerNetwork, validateNetwork } from './network.js';
import { Backprop } from './backprop.js';
import { gatingMask, type NetworkGradient, type ObjectiveOptions } from './objective.js';

/** Options shared by `trainSgd` and `trainAdam`; the objective is the one of `objective()`. */
export interface TrainOptions extends ObjectiveOptions {
  /**
   * step size; `'auto'` (default for SGD) backtracks (Armijo) on the first full-batch gradient
   * from 8/(s·‖X̃‖₂² + λ) (s the loss smoothness), uses half the accepted step, and restarts from
   * the initial network with a 4× smaller step if the run diverges (up to 6 times); Adam's default is 0.01
   */
  learningRate?: number | 'auto';
  /** passes over the data (default 500); each pass is ⌈n / batchSize⌉ steps */
  epochs?: number;
  /** total steps; overrides `epochs` when given */
  iterations?: number;
  /** rows per step; default n (full batch) */
  batchSize?: number;
  /** stop after this much training time (seconds, objective evaluations excluded) */
  timeLimit?: number;
  /** seed of the initial weights (when the init options give none) and of the mini-batch order; default 0 */
  seed?: number;
  /** evaluate the full objective every this many steps (default: about 100 points per run) */
  evalEvery?: number;
  /**
   * step-size schedule over the planned steps T: `constant` (default) or `cosine`,
   * η_t = η·½(1 + cos(π(t − 1)/T)) (annealing to 0 lets SGD/Adam settle instead of hovering)
   */
  schedule?: 'constant' | 'cosine';
  /** SGD heavy-ball momentum in [0, 1); default 0 */
  momentum?: number;
  /** Adam β₁ (default 0.9) */
  beta1?: number;
  /** Adam β₂ (default 0.999) */
  beta2?: number;
  /** Adam ε (default 1e-8) */
  epsilon?: number;
  /** kernel backend for the products with the data (default: the active one, `getBackend()`) */
  backend?: Backend;
}

/** One point of a training curve: the SAME full objective the convex solver minimises. */
export interface HistoryPoint {
  iteration: number;
  /** training time so far in seconds (full-objective evaluations excluded) */
  timeSeconds: number;
  objective: number;
}

/** What a trainer returns. */
export interface TrainResult {
  method: 'sgd' | 'adam';
  network: TwoLayerNetwork;
  /** full objective at the last step */
  objective: number;
  history: HistoryPoint[];
  iterations: number;
  epochs: number;
  timeSeconds: number;
  learningRate: number;
  status: 'max-iterations' | 'time-limit' | 'diverged';
  /** SGD with `learningRate: 'auto'`: runs restarted from the start with a 4× smaller step after diverging */
  restarts: number;
}

/** One optimizer step: `step` counts from 1, `rate` is the scheduled step size for this step. */
type Update = (params: Float64Array[], grads: Float64Array[], step: number, rate: number) => void;

const TRAIN_OPTIONS = {
  ...OBJECTIVE_OPTIONS,
  learningRate: 'number|"auto"',
  epochs: 'number',
  iterations: 'number',
  batchSize: 'number',
  timeLimit: 'number',
  seed: 'number',
  evalEvery: 'number',
  schedule: '"constant"|"cosine"',
  backend: 'object',
} as const;
/** trainSgd's options: no Adam moments */
const SGD_OPTIONS: OptionSpec<Omit<TrainOptions, 'beta1' | 'beta2' | 'epsilon'>> = { ...TRAIN_OPTIONS, momentum: 'number' };
/** trainAdam's options: no heavy-ball momentum */
const ADAM_OPTIONS: OptionSpec<Omit<TrainOptions, 'momentum'>> = { ...TRAIN_OPTIONS, beta1: 'number', beta2: 'number', epsilon: 'number' };
const fnOf = (method: 'sgd' | 'adam') => (method === 'sgd' ? 'trainSgd' : 'trainAdam');

function num(fn: string, name: string, v: number | undefined, def: number, ok: (x: number) => boolean, what: string): number {
  if (v === undefined) return def;
  assertOption(typeof v === 'number' && Number.isFinite(v) && ok(v), `${fn}: option '${name}' must be ${what}, got ${v}`);
  return v;
}

function checkData(fn: string, X: Matrix<Float64Array>, Y: Matrix<Float64Array>): void {
  assertMatrix(fn, 'X', X);
  assertMatrix(fn, 'Y', Y);
  if (X.rows === 0) throw new CvxnnError('EMPTY_DATA', 'X has no rows; training needs at least one sample');
  assertShape(X.rows === Y.rows, `X has ${X.rows} rows but Y has ${Y.rows}; pass one target row per sample`);
  for (const [name, M] of [['X', X], ['Y', Y]] as const) {
    for (let i = 0; i < M.rows; i++) {
      for (let j = 0; j < M.cols; j++) {
        const v = M.get(i, j);
        if (!Number.isFinite(v)) throw new CvxnnError('NON_FINITE', `${name} contains ${v} at row ${i}, column ${j}; remove or impute non-finite values first`);
      }
    }
  }
}

/** Largest squared singular value of X by power iteration on the d×d Gram matrix. */
function spectralNormSq(X: Matrix<Float64Array>, backend: Backend): number {
  const G = backend.gemm(X, X, { transA: true });
  const d = G.rows;
  let v = new Float64Array(d).fill(1 / Math.sqrt(d));
  let lam = 0;
  for (let it = 0; it < 100; it++) {
    const w = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += G.data[i * d + j] * v[j];
      w[i] = s;
    }
    let nrm = 0;
    for (const x of w) nrm += x * x;
    nrm = Math.sqrt(nrm);
    if (nrm === 0) return 0;
    const next = nrm;
    for (let i = 0; i < d; i++) w[i] /= nrm;
    v = w;
    if (Math.abs(next - lam) <= 1e-10 * next) return next;
    lam = next;
  }
  return lam;
}

function train(
  method: 'sgd' | 'adam',
  init: TwoLayerNetwork | InitOptions,
  X: Matrix<Float64Array>,
  Y: Matrix<Float64Array>,
  opts: TrainOptions,
  makeUpdate: (lr: number, sizes: number[]) => Update,
  timeOffset = 0,
): TrainResult {
  const fn = fnOf(method);
  const loss = checkObjectiveOptions(fn, opts, method === 'sgd' ? SGD_OPTIONS : ADAM_OPTIONS);
  const lambda = opts.lambda;
  const scale = opts.scale ?? 'sum';
  checkData(fn, X, Y);
  const n = X.rows;
  const seed = num(fn, 'seed', opts.seed, 0, Number.isInteger, 'an integer');
  const batch = Math.min(n, num(fn, 'batchSize', opts.batchSize, n, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1'));
  const stepsPerEpoch = Math.ceil(n / batch);
  const epochs = num(fn, 'epochs', opts.epochs, 500, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0');
  const iterations = num(fn, 'iterations', opts.iterations, epochs * stepsPerEpoch, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0');
  const timeLimit = num(fn, 'timeLimit', opts.timeLimit, Infinity, (v) => v > 0, 'a positive number of seconds');
  const evalEvery = num(fn, 'evalEvery', opts.evalEvery, Math.max(1, Math.round(iterations / 100)), (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  if (opts.learningRate !== undefined && opts.learningRate !== 'auto') {
    num(fn, 'learningRate', opts.learningRate, 0, (v) => v > 0, "a positive number or 'auto'");
  }

  // init: a network (it has W1) or InitOptions for a fresh one
  assertOption(init !== null && typeof init === 'object', `${fn}: init must be a network or { width, seed, ... }, got ${String(init)}`);
  const fresh = !('W1' in init);
  if (fresh) checkInitOptions(`${fn} (init)`, init);
  const net = fresh ? initNetwork(X.cols, Y.cols, { seed, ...init }) : cloneNetwork(init);
  validateNetwork(net);
  assertShape(Y.cols === net.W2.cols, `Y has ${Y.cols} columns but the network has ${net.W2.cols} outputs`);
  if (loss.name === 'logistic') assertShape(Y.cols === 1, `the logistic loss needs one output column (±1 labels), got ${Y.cols}`);
  const Xt0 = firstLayerInput(net, X);
  const Xt = Xt0.isContiguous && Xt0.offset === 0 ? Xt0 : Xt0.clone();
  const Yc = Y.isContiguous && Y.offset === 0 ? Y : Y.clone();
  const dt = Xt.cols;
  const m = net.W1.cols;
  const c = net.W2.cols;
  const be = opts.backend ?? getBackend();
  const gate = gatingMask(net, Xt, be);

  const grad: NetworkGradient = { W1: Matrix.zeros(dt, m), W2: Matrix.zeros(m, c) };
  if (net.b1) grad.b1 = new Float64Array(m);
  if (net.b2) grad.b2 = new Float64Array(c);
  const params = [net.W1.data, net.W2.data, ...(net.b1 ? [net.b1] : []), ...(net.b2 ? [net.b2] : [])];
  const grads = [grad.W1.data, grad.W2.data, ...(grad.b1 ? [grad.b1] : []), ...(grad.b2 ? [grad.b2] : [])];

  const full = new Backprop(n, m, c, be);
  const fullObjective = () => loss.value(full.outputs(net, Xt, gate), Yc) + lambda * halfSquaredWeights(net);

  // learning rate
  let lr: number;
  if (opts.learningRate === undefined || opts.learningRate === 'auto') {
    if (method === 'adam') lr = 0.01;
    else {
      const f0 = full.valueAndGrad(net, Xt, Yc, gate, loss, 1, lambda, grad);
      let g2 = 0;
      for (const g of grads) for (const v of g) g2 += v * v;
      const saved = params.map((p) => p.slice());
      lr = 8 / (loss.smoothness(n) * spectralNormSq(Xt, be) + lambda + 1e-300);
      for (let k = 0; k < 60; k++) {
        params.forEach((p, i) => {
          const s = saved[i];
          const g = grads[i];
          for (let j = 0; j < p.length; j++) p[j] = s[j] - lr * g[j];
        });
        const f = fullObjective();
        if (Number.isFinite(f) && f <= f0 - 0.5 * lr * g2) break;
        lr /= 2;
      }
      params.forEach((p, i) => p.set(saved[i]));
      lr /= 2;
    }
  } else lr = opts.learningRate;

  const update = makeUpdate(lr, params.map((p) => p.length));
  const schedule = opts.schedule ?? 'constant';
  const rateAt = (t: number) => (schedule === 'cosine' ? lr * 0.5 * (1 + Math.cos((Math.PI * (t - 1)) / Math.max(iterations, 1))) : lr);
  const rng = new Rng((seed * 2 + 1) | 0);
  const history: HistoryPoint[] = [];
  let trainTime = timeOffset;
  let last = fullObjective();
  const f0 = last;
  history.push({ iteration: 0, timeSeconds: trainTime, objective: last });

  // mini-batch buffers (one set per batch size: the last batch of an epoch may be smaller)
  const buffers = new Map<number, { bp: Backprop; Xb: Matrix<Float64Array>; Yb: Matrix<Float64Array>; gb: Uint8Array | null }>();
  const bufferFor = (b: number) => {
    let buf = buffers.get(b);
    if (!buf) {
      buf = { bp: new Backprop(b, m, c, be), Xb: Matrix.zeros(b, dt), Yb: Matrix.zeros(b, c), gb: gate ? new Uint8Array(b * m) : null };
      buffers.set(b, buf);
    }
    return buf;
  };
  let perm: Int32Array | null = null;
  let status: TrainResult['status'] = 'max-iterations';
  let step = 0;
  while (step < iterations) {
    const t0 = performance.now();
    if (batch === n) {
      full.valueAndGrad(net, Xt, Yc, gate, loss, 1, lambda, grad);
    } else {
      const pos = step % stepsPerEpoch;
      if (pos === 0 || perm === null) perm = rng.permutation(n);
      const start = pos * batch;
      const b = Math.min(batch, n - start);
      const buf = bufferFor(b);
      for (let r = 0; r < b; r++) {
        const i = perm[start + r];
        buf.Xb.data.set(Xt.data.subarray(i * dt, i * dt + dt), r * dt);
        buf.Yb.data.set(Yc.data.subarray(i * c, i * c + c), r * c);
        if (gate && buf.gb) buf.gb.set(gate.subarray(i * m, i * m + m), r * m);
      }
      buf.bp.valueAndGrad(net, buf.Xb, buf.Yb, buf.gb, loss, scale === 'sum' ? n / b : 1, lambda, grad);
    }
    update(params, grads, step + 1, rateAt(step + 1));
    step++;
    trainTime += (performance.now() - t0) / 1000;
    const timeUp = trainTime >= timeLimit;
    if (step % evalEvery === 0 || step === iterations || timeUp) {
      last = fullObjective();
      history.push({ iteration: step, timeSeconds: trainTime, objective: last });
      if (!Number.isFinite(last) || last > 1e6 * (1 + Math.abs(f0))) {
        status = 'diverged';
        break;
      }
    }
    if (timeUp) {
      status = 'time-limit';
      break;
    }
  }
  return {
    method,
    network: net,
    objective: last,
    history,
    iterations: step,
    epochs: step / stepsPerEpoch,
    timeSeconds: trainTime,
    learningRate: lr,
    status,
    restarts: 0,
  };
}

/**
 * Train a two-layer (gated) ReLU network by (mini-batch) stochastic gradient descent on the
 * weight-decay objective of `objective()` — the non-convex baseline the convex solver is compared
 * with. `init` is a starting network (copied, not modified) or `{ width, seed, ... }` for a fresh
 * He-initialised one. Mini-batch gradients are unbiased for the full objective (the `sum` data
 * term is rescaled by n/b). Deterministic from the seed.
 *
 * @example
 *   const r = trainSgd({ width: 16, seed: 1 }, X, Y, { lambda: 0.1, epochs: 200, batchSize: 32 });
 *   r.history.at(-1)?.objective; // === r.objective
 */
export function trainSgd(init: TwoLayerNetwork | InitOptions, X: Matrix<Float64Array>, Y: Matrix<Float64Array>, opts: TrainOptions): TrainResult {
  const momentum = num('trainSgd', 'momentum', opts?.momentum, 0, (v) => v >= 0 && v < 1, 'in [0, 1)');
  const makeUpdate = (_lr: number, sizes: number[]): Update => {
    const vel = momentum > 0 ? sizes.map((s) => new Float64Array(s)) : null;
    return (params, grads, _t, rate) => {
      for (let k = 0; k < params.length; k++) {
        const p = params[k];
        const g = grads[k];
        if (vel) {
          const v = vel[k];
          for (let j = 0; j < p.length; j++) {
            v[j] = momentum * v[j] + g[j];
            p[j] -= rate * v[j];
          }
        } else for (let j = 0; j < p.length; j++) p[j] -= rate * g[j];
      }
    };
  };
  let r = train('sgd', init, X, Y, opts, makeUpdate);
  // 'auto': the Armijo step at the start can be too long once the weights grow; restart from the
  // same initial network with a 4× smaller step (the discarded runs' time is kept in timeSeconds)
  let restarts = 0;
  while (r.status === 'diverged' && (opts.learningRate === undefined || opts.learningRate === 'auto') && restarts < 6) {
    const spent = r.timeSeconds;
    if (opts.timeLimit !== undefined && spent >= opts.timeLimit) break;
    restarts++;
    r = train('sgd', init, X, Y, { ...opts, learningRate: r.learningRate / 4 }, makeUpdate, spent);
  }
  return { ...r, restarts };
}

/**
 * Train a two-layer (gated) ReLU network with Adam (Kingma & Ba, bias-corrected moments) on the
 * weight-decay objective of `objective()`; the decay is part of the gradient (L2, not AdamW), so
 * Adam minimises exactly the objective the convex program certifies. Same `init`/options as
 * `trainSgd`; default learning rate 0.01.
 *
 * @example
 *   const r = trainAdam({ width: 8, seed: 3 }, X, Y, { lambda: 1, iterations: 5000 });
 */
export function trainAdam(init: TwoLayerNetwork | InitOptions, X: Matrix<Float64Array>, Y: Matrix<Float64Array>, opts: TrainOptions): TrainResult {
  const b1 = num('trainAdam', 'beta1', opts?.beta1, 0.9, (v) => v >= 0 && v < 1, 'in [0, 1)');
  const b2 = num('trainAdam', 'beta2', opts?.beta2, 0.999, (v) => v >= 0 && v < 1, 'in [0, 1)');
  const eps = num('trainAdam', 'epsilon', opts?.epsilon, 1e-8, (v) => v > 0, 'positive');
  return train('adam', init, X, Y, opts, (_lr, sizes) => {
    const mom = sizes.map((s) => new Float64Array(s));
    const vel = sizes.map((s) => new Float64Array(s));
    return (params, grads, t, rate) => {
      const c1 = 1 / (1 - Math.pow(b1, t));
      const c2 = 1 / (1 - Math.pow(b2, t));
      for (let k = 0; k < params.length; k++) {
        const p = params[k];
        const g = grads[k];
        const mk = mom[k];
        const vk = vel[k];
        for (let j = 0; j < p.length; j++) {
          const gj = g[j];
          mk[j] = b1 * mk[j] + (1 - b1) * gj;
          vk[j] = b2 * vk[j] + (1 - b2) * gj * gj;
          p[j] -= (rate * mk[j] * c1) / (Math.sqrt(vk[j] * c2) + eps);
        }
      }
    };
  });
}
