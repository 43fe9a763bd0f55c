import { type Backend, createCpuBackend, CvxnnError, Matrix, Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { initNetwork, objective, objectiveAndGradient, trainAdam, trainSgd, type TrainOptions } from '../src/index.js';
import { huber, randomNet } from './helpers.js';

const slack = (p: number) => 1e-6 * (1 + Math.abs(p)); // SPEC §13 "convex ≤ SGD" tolerance

/** Adam and SGD from many seeds and widths never beat the global optimum p*; Adam's best gets close. */
function checkLowerBound(X: Matrix<Float64Array>, Y: Matrix<Float64Array>, lambda: number, pStar: number, widths: number[], iterations: number) {
  for (const width of widths) {
    let best = Infinity;
    for (let seed = 0; seed < 10; seed++) {
      const a = trainAdam({ width, seed }, X, Y, { lambda, iterations });
      expect(a.objective, `adam width ${width} seed ${seed}`).toBeGreaterThanOrEqual(pStar - slack(pStar));
      for (const h of a.history) expect(h.objective).toBeGreaterThanOrEqual(pStar - slack(pStar));
      best = Math.min(best, a.objective);
      if (seed < 3) {
        const s = trainSgd({ width, seed }, X, Y, { lambda, iterations });
        expect(s.objective, `sgd width ${width} seed ${seed}`).toBeGreaterThanOrEqual(pStar - slack(pStar));
      }
    }
    expect(best, `best Adam objective at width ${width}`).toBeLessThanOrEqual(pStar * (1 + 1e-3));
  }
}

describe('trainers never go below the global optimum (SPEC B7; decay λ/2 ⇔ group penalty λ)', () => {
  it('X5: X = I₃, y = (3,−1,2), λ = 1, p* = √13 (Adam 10 seeds × widths 1, 2, 4)', () => {
    const p = huber(Math.hypot(3, 2), 1) + huber(1, 1);
    checkLowerBound(Matrix.eye(3), Matrix.from([[3], [-1], [2]]), 1, p, [1, 2, 4], 3000);
  });

  it('X6 / B1: one sample x = (3,4), y = 2, λ = 1, p* = 0.38; and a random B1 instance', () => {
    checkLowerBound(Matrix.from([[3, 4]]), Matrix.from([[2]]), 1, 0.38, [1, 3], 2000);
    const rng = new Rng(9);
    const x = Array.from(rng.normalArray(3));
    const nx = Math.hypot(...x);
    const y = -2.2;
    const beta = 0.4;
    // B1: ½y² if |y|‖x‖ ≤ β, else β|y|/‖x‖ − β²/(2‖x‖²)
    const p = Math.abs(y) * nx <= beta ? (y * y) / 2 : (beta * Math.abs(y)) / nx - (beta * beta) / (2 * nx * nx);
    checkLowerBound(Matrix.from([x]), Matrix.from([[y]]), beta, p, [2], 2000);
  });

  it('X3: X = [[2,2],[3,3],[1,0]], y = (1,2,3), λ = 0.1, p* = 0.4116793 (SPEC, SLSQP)', () => {
    checkLowerBound(Matrix.from([[2, 2], [3, 3], [1, 0]]), Matrix.from([[1], [2], [3]]), 0.1, 0.4116793, [4], 4000);
  });
});

describe('cosine step-size schedule', () => {
  it('X5: Adam with a cosine schedule settles within 1e-8 of √13 from the best of 10 seeds and never below it', () => {
    const X = Matrix.eye(3);
    const Y = Matrix.from([[3], [-1], [2]]);
    const p = Math.sqrt(13);
    let best = Infinity;
    for (let seed = 0; seed < 10; seed++) {
      const a = trainAdam({ width: 4, seed }, X, Y, { lambda: 1, iterations: 3000, schedule: 'cosine' });
      expect(a.objective).toBeGreaterThanOrEqual(p - slack(p));
      best = Math.min(best, a.objective);
    }
    expect(best).toBeLessThanOrEqual(p * (1 + 1e-8));
  });

  it('SGD steps use η at t = 1 and η·½(1 + cos(π/2)) = η/2 at t = 2 of T = 2 (two explicit gradient steps)', () => {
    const rng = new Rng(12);
    const X = new Matrix(10, 2, rng.normalArray(20));
    const Y = new Matrix(10, 1, rng.normalArray(10));
    const net0 = randomNet(rng, 2, 3, 1);
    const eta = 0.01;
    const r = trainSgd(net0, X, Y, { lambda: 0.1, learningRate: eta, iterations: 2, schedule: 'cosine' });
    const step = (net: typeof net0, h: number) => {
      const { grad } = objectiveAndGradient(net, X, Y, { lambda: 0.1 });
      return { ...net, W1: new Matrix(net.W1.rows, net.W1.cols, net.W1.data.map((v, i) => v - h * grad.W1.data[i])), W2: new Matrix(net.W2.rows, net.W2.cols, net.W2.data.map((v, i) => v - h * grad.W2.data[i])) };
    };
    const want = step(step(net0, eta), eta / 2);
    expect(r.network.W1.data).toAllClose(want.W1.data, { rtol: 1e-12, atol: 1e-14 });
    expect(r.network.W2.data).toAllClose(want.W2.data, { rtol: 1e-12, atol: 1e-14 });
    expect(() => trainSgd(net0, X, Y, { lambda: 0.1, schedule: 'step' as 'cosine' })).toThrow(/option 'schedule' must be 'constant' or 'cosine'/);
  });
});

describe('trainSgd / trainAdam mechanics', () => {
  const rng = new Rng(17);
  const X = new Matrix(40, 3, rng.normalArray(120));
  const Y = new Matrix(40, 1, rng.normalArray(40));

  it('one full-batch SGD step is θ − η∇objective (gradient from objectiveAndGradient)', () => {
    const net0 = randomNet(new Rng(1), 3, 5, 1, { appendOne: true, b1: true, b2: true });
    const opts = { lambda: 0.2, learningRate: 0.003, iterations: 1 };
    const r = trainSgd(net0, X, Y, opts);
    const { grad } = objectiveAndGradient(net0, X, Y, { lambda: 0.2 });
    expect(r.network.W1.data).toAllClose(net0.W1.data.map((v, i) => v - 0.003 * grad.W1.data[i]), { rtol: 1e-13, atol: 1e-15 });
    expect(r.network.W2.data).toAllClose(net0.W2.data.map((v, i) => v - 0.003 * grad.W2.data[i]), { rtol: 1e-13, atol: 1e-15 });
    expect(r.network.b1).toAllClose((net0.b1 as Float64Array).map((v, i) => v - 0.003 * (grad.b1 as Float64Array)[i]), { rtol: 1e-13, atol: 1e-15 });
    expect(r.network.b2).toAllClose((net0.b2 as Float64Array).map((v, i) => v - 0.003 * (grad.b2 as Float64Array)[i]), { rtol: 1e-13, atol: 1e-15 });
    expect(net0.W1.data[0]).not.toBe(r.network.W1.data[0]); // the starting net is copied, not modified
  });

  it('the first Adam step moves every parameter with non-zero gradient by −lr·sign(g) (bias correction)', () => {
    const net0 = randomNet(new Rng(2), 3, 4, 1);
    const r = trainAdam(net0, X, Y, { lambda: 0.1, learningRate: 0.01, iterations: 1, epsilon: 1e-12 });
    const { grad } = objectiveAndGradient(net0, X, Y, { lambda: 0.1 });
    expect(r.network.W1.data).toAllClose(net0.W1.data.map((v, i) => v - 0.01 * Math.sign(grad.W1.data[i])), { rtol: 1e-9, atol: 1e-9 });
  });

  it('history holds the full objective of the current weights: first at iteration 0, last equals objective(result.network)', () => {
    const opts: TrainOptions = { lambda: 0.05, iterations: 50, evalEvery: 10, batchSize: 8, seed: 3 };
    const r = trainAdam({ width: 6, appendOne: true, b2: true }, X, Y, opts);
    expect(r.history.map((h) => h.iteration)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(r.objective).toBeCloseRel(objective(r.network, X, Y, opts), 1e-12);
    const init = initNetwork(3, 1, { width: 6, seed: 3, appendOne: true, b2: true });
    expect(r.history[0].objective).toBeCloseRel(objective(init, X, Y, opts), 1e-12);
    for (let i = 1; i < r.history.length; i++) expect(r.history[i].timeSeconds).toBeGreaterThanOrEqual(r.history[i - 1].timeSeconds);
    expect(r.history.at(-1)?.objective).toBeLessThan(r.history[0].objective);
    expect(r.epochs).toBeCloseRel(50 / 5, 1e-15);
  });

  it('is deterministic from the seed; another seed gives another run', () => {
    const o: TrainOptions = { lambda: 0.1, epochs: 5, batchSize: 7 };
    const a = trainSgd({ width: 5 }, X, Y, { ...o, seed: 4 });
    const b = trainSgd({ width: 5 }, X, Y, { ...o, seed: 4 });
    const c = trainSgd({ width: 5 }, X, Y, { ...o, seed: 5 });
    expect(b.network.W1.data).toAllClose(a.network.W1.data, { rtol: 0, atol: 0 });
    expect(Math.abs(c.objective - a.objective)).toBeGreaterThan(1e-9);
  });

  it('mini-batch SGD (sum and mean scale, momentum) and full-batch Adam decrease the objective on regression', () => {
    for (const scale of ['sum', 'mean'] as const) {
      const r = trainSgd({ width: 10, seed: 1 }, X, Y, { lambda: 0.01, scale, epochs: 30, batchSize: 10, momentum: 0.5 });
      expect(r.status).toBe('max-iterations');
      expect(r.objective).toBeLessThan(0.8 * r.history[0].objective);
    }
  });

  it('trains gated relu with cross-entropy, b1 and b2, leaving the gates fixed', () => {
    const Yc = Matrix.zeros(40, 3);
    for (let i = 0; i < 40; i++) Yc.set(i, X.get(i, 0) > 0.5 ? 0 : X.get(i, 1) > 0 ? 1 : 2, 1);
    const net0 = initNetwork(3, 3, { width: 12, seed: 2, kind: 'gated-relu', b1: true, b2: true });
    const r = trainAdam(net0, X, Yc, { loss: 'cross-entropy', lambda: 1e-3, iterations: 300 });
    expect(r.network.gates?.data).toAllClose(net0.gates?.data as Float64Array, { rtol: 0, atol: 0 });
    expect(r.objective).toBeLessThan(0.5 * r.history[0].objective);
  });

  it('honours the time limit and flags divergence', () => {
    const t = trainSgd({ width: 50 }, X, Y, { lambda: 0.1, iterations: 10_000_000, timeLimit: 0.05, evalEvery: 1000 });
    expect(t.status).toBe('time-limit');
    expect(t.timeSeconds).toBeGreaterThanOrEqual(0.05);
    expect(t.iterations).toBeLessThan(10_000_000);
    const d = trainSgd({ width: 5 }, X, Y, { lambda: 0.1, learningRate: 100, iterations: 100, evalEvery: 1 });
    expect(d.status).toBe('diverged');
  });

  it("SGD 'auto' restarts with a 4× smaller step when the initial Armijo step diverges (large targets)", () => {
    const r2 = new Rng(3);
    const Xb = new Matrix(60, 4, r2.normalArray(240));
    const Yb = new Matrix(60, 1, r2.normalArray(60).map((v) => 150 + 50 * v));
    const o: TrainOptions = { lambda: 1, epochs: 500 };
    const r = trainSgd({ width: 20, seed: 1, appendOne: true }, Xb, Yb, o);
    expect(r.status).toBe('max-iterations');
    expect(r.restarts).toBeGreaterThanOrEqual(1);
    expect(r.objective).toBeLessThan(0.2 * r.history[0].objective);
    // the step of the discarded run, given explicitly, diverges and is not restarted
    const first = trainSgd({ width: 20, seed: 1, appendOne: true }, Xb, Yb, { ...o, learningRate: r.learningRate * 4 ** r.restarts });
    expect(first.status).toBe('diverged');
    expect(first.restarts).toBe(0);
  });

  it('runs its products on the backend it is given (a counting wrapper), with the same result as the default', () => {
    const cpu = createCpuBackend();
    let calls = 0;
    const counting: Backend = { ...cpu, name: 'counting', gemm: (a, b, o) => (calls++, cpu.gemm(a, b, o)) };
    const o: TrainOptions = { lambda: 0.1, iterations: 20, seed: 2 };
    const a = trainAdam({ width: 6, kind: 'gated-relu' }, X, Y, { ...o, backend: counting });
    const b = trainAdam({ width: 6, kind: 'gated-relu' }, X, Y, o);
    expect(calls).toBeGreaterThanOrEqual(20 * 4); // 4 products per step at least
    expect(a.network.W1.data).toAllClose(b.network.W1.data, { rtol: 1e-14, atol: 1e-14 });
  });

  it('initNetwork: He-uniform first layer within ±√(6/d̃) with variance 2/d̃ (3σ band)', () => {
    const net = initNetwork(49, 1, { width: 400, seed: 1, appendOne: true });
    const a = Math.sqrt(6 / 50);
    let s2 = 0;
    for (const v of net.W1.data) {
      expect(Math.abs(v)).toBeLessThanOrEqual(a);
      s2 += v * v;
    }
    const N = net.W1.data.length;
    const varU = (a * a) / 3; // = 2/d̃
    const sd = Math.sqrt((a ** 4 / 5 - varU ** 2) / N); // sd of the sample mean of v²
    expect(Math.abs(s2 / N - 2 / 50)).toBeLessThan(3 * sd);
  });

  it('bad options and data raise typed errors', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(CvxnnError);
        return (e as CvxnnError).code;
      }
      return 'no error';
    };
    expect(code(() => trainSgd({ width: 2 }, X, Y, { lambda: -1 }))).toBe('INVALID_OPTION');
    expect(code(() => trainSgd({ width: 0 }, X, Y, { lambda: 1 }))).toBe('INVALID_OPTION');
    expect(code(() => trainSgd({ width: 2 }, X, Y, { lambda: 1, batchSize: 0 }))).toBe('INVALID_OPTION');
    expect(code(() => trainAdam({ width: 2 }, X, Y, { lambda: 1, learningRate: -1 }))).toBe('INVALID_OPTION');
    expect(code(() => trainAdam({ width: 2 }, X, Y, { lambda: 1, beta1: 1 }))).toBe('INVALID_OPTION');
    expect(code(() => trainSgd({ width: 2 }, X, Y, { lambda: 1, momentum: 1.5 }))).toBe('INVALID_OPTION');
    expect(code(() => trainSgd({ width: 2 }, X, Y, { lambda: 1, timeLimit: 0 }))).toBe('INVALID_OPTION');
    expect(code(() => trainSgd({ width: 2 }, X, Matrix.zeros(39, 1), { lambda: 1 }))).toBe('SHAPE_MISMATCH');
    expect(code(() => trainSgd({ width: 2 }, X, Matrix.zeros(40, 2), { lambda: 1, loss: 'logistic' }))).toBe('SHAPE_MISMATCH');
    expect(code(() => trainSgd(randomNet(new Rng(1), 4, 2, 1), X, Y, { lambda: 1 }))).toBe('SHAPE_MISMATCH');
    expect(code(() => trainSgd({ width: 2 }, Matrix.zeros(0, 3), Matrix.zeros(0, 1), { lambda: 1 }))).toBe('EMPTY_DATA');
    const Xn = X.clone();
    Xn.set(3, 0, Number.POSITIVE_INFINITY);
    expect(code(() => trainAdam({ width: 2 }, Xn, Y, { lambda: 1 }))).toBe('NON_FINITE');
    expect(code(() => initNetwork(3, 1, { width: 2, gates: Matrix.zeros(3, 2) }))).toBe('INVALID_OPTION');
    expect(code(() => initNetwork(3, 1, { width: 2, kind: 'gated-relu', gates: Matrix.zeros(4, 2) }))).toBe('SHAPE_MISMATCH');
    expect(code(() => initNetwork(3, 1, { width: 2, kind: 'tanh' as 'relu' }))).toBe('INVALID_OPTION');
  });
});
