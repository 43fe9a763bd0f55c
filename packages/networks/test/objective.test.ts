import { CvxnnError, Matrix, Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { forward, type LossName, objective, objectiveAndGradient, objectiveTerms, predict, type TwoLayerNetwork } from '../src/index.js';
import { huber, naiveOutputs, randomNet } from './helpers.js';

function targets(rng: Rng, loss: LossName, n: number, c: number): Matrix<Float64Array> {
  const Y = Matrix.zeros(n, c);
  for (let i = 0; i < n; i++) {
    if (loss === 'squared') for (let k = 0; k < c; k++) Y.set(i, k, rng.normal());
    else if (loss === 'logistic') Y.set(i, 0, rng.uniform() < 0.5 ? -1 : 1);
    else Y.set(i, rng.int(c), 1);
  }
  return Y;
}

/** Every trainable parameter array of a network, in a fixed order (test-side bookkeeping). */
function paramArrays(net: TwoLayerNetwork): Array<[string, Float64Array]> {
  const out: Array<[string, Float64Array]> = [
    ['W1', net.W1.data],
    ['W2', net.W2.data],
  ];
  if (net.b1) out.push(['b1', net.b1]);
  if (net.b2) out.push(['b2', net.b2]);
  return out;
}

describe('objective = data term + (λ/2)Σ(‖W1[:,j]‖² + ‖W2[j,:]‖²), biases free (SPEC §0.3: decay λ/2 ⇔ group penalty λ)', () => {
  it('equals the textbook formula written out in the test, for every loss and scale', () => {
    const rng = new Rng(3);
    for (const loss of ['squared', 'logistic', 'cross-entropy'] as const) {
      for (const scale of ['sum', 'mean'] as const) {
        const c = loss === 'logistic' ? 1 : 3;
        const net = randomNet(rng, 3, 4, c, { appendOne: true, b1: true, b2: true });
        const X = new Matrix(7, 3, rng.normalArray(21));
        const Y = targets(rng, loss, 7, c);
        const F = naiveOutputs(net, X.toArrays());
        let data = 0;
        for (let i = 0; i < 7; i++) {
          const y = Y.toArrays()[i];
          if (loss === 'squared') data += 0.5 * F[i].reduce((s, f, k) => s + (f - y[k]) ** 2, 0);
          else if (loss === 'logistic') data += Math.log(1 + Math.exp(-y[0] * F[i][0]));
          else data += Math.log(F[i].reduce((s, f) => s + Math.exp(f), 0)) - F[i][y.indexOf(1)];
        }
        if (scale === 'mean') data /= 7;
        const lambda = 0.37;
        let sq = 0;
        for (let j = 0; j < 4; j++) {
          for (let k = 0; k < 4; k++) sq += net.W1.get(k, j) ** 2; // column j of W1 incl. the bias row
          for (let k = 0; k < c; k++) sq += net.W2.get(j, k) ** 2;
        }
        const t = objectiveTerms(net, X, Y, { loss, scale, lambda });
        expect(t.dataTerm).toBeCloseRel(data, 1e-12);
        expect(t.penalty).toBeCloseRel((lambda / 2) * sq, 1e-13);
        expect(objective(net, X, Y, { loss, scale, lambda })).toBeCloseRel(data + (lambda / 2) * sq, 1e-12);
      }
    }
  });

  it('gradients match central finite differences (all losses, relu and gated relu, with/without biases and appendOne)', () => {
    const rng = new Rng(11);
    const h = 1e-6;
    for (const loss of ['squared', 'logistic', 'cross-entropy'] as const) {
      for (const kind of ['relu', 'gated-relu'] as const) {
        for (const [appendOne, bias] of [
          [false, false],
          [true, false],
          [false, true],
          [true, true],
        ] as const) {
          const c = loss === 'logistic' ? 1 : 2;
          const net = randomNet(rng, 3, 5, c, { kind, appendOne, b1: bias, b2: bias });
          const X = new Matrix(8, 3, rng.normalArray(24));
          const Y = targets(rng, loss, 8, c);
          const opts = { loss, lambda: 0.3, scale: 'mean' as const };
          const { value, grad } = objectiveAndGradient(net, X, Y, opts);
          expect(value).toBeCloseRel(objective(net, X, Y, opts), 1e-13);
          const analytic: Record<string, Float64Array> = { W1: grad.W1.data, W2: grad.W2.data };
          if (grad.b1) analytic.b1 = grad.b1;
          if (grad.b2) analytic.b2 = grad.b2;
          expect(Object.keys(analytic).sort()).toEqual(paramArrays(net).map(([k]) => k).sort());
          for (const [name, p] of paramArrays(net)) {
            const fd = new Float64Array(p.length);
            for (let i = 0; i < p.length; i++) {
              const s = p[i];
              p[i] = s + h;
              const fp = objective(net, X, Y, opts);
              p[i] = s - h;
              const fm = objective(net, X, Y, opts);
              p[i] = s;
              fd[i] = (fp - fm) / (2 * h);
            }
            expect(analytic[name], `${loss}/${kind}/appendOne=${appendOne}/bias=${bias}: ∂/∂${name}`).toAllClose(fd, { rtol: 1e-5, atol: 1e-7 });
          }
        }
      }
    }
  });

  it('rescaling identity: u→t·u, α→α/t keeps predictions; the decay is minimised at ‖u‖ = |α| where it equals λ‖u‖|α|', () => {
    const rng = new Rng(5);
    const d = 3;
    const u = rng.normalArray(d);
    const alpha = 2.5;
    const lambda = 0.8;
    const X = new Matrix(6, d, rng.normalArray(6 * d));
    const Y = Matrix.zeros(6, 1);
    const net = (t: number): TwoLayerNetwork => ({
      kind: 'relu',
      W1: new Matrix(d, 1, u.map((v) => t * v)),
      W2: Matrix.from([[alpha / t]]),
      appendOne: false,
    });
    const nu = Math.hypot(...u);
    const F1 = predict(net(1), X);
    const decay = (t: number) => objectiveTerms(net(t), X, Y, { lambda }).penalty;
    let best = Infinity;
    for (const t of [0.1, 0.5, 1, 2, 7]) {
      expect(predict(net(t), X).data).toAllClose(F1.data, { rtol: 1e-13, atol: 1e-13 });
      // (λ/2)(t²‖u‖² + α²/t²) written out
      expect(decay(t)).toBeCloseRel((lambda / 2) * (t * t * nu * nu + (alpha * alpha) / (t * t)), 1e-13);
      best = Math.min(best, decay(t));
    }
    const tStar = Math.sqrt(Math.abs(alpha) / nu); // ‖t u‖ = |α/t|
    expect(decay(tStar)).toBeCloseRel(lambda * nu * Math.abs(alpha), 1e-13);
    expect(decay(tStar)).toBeLessThanOrEqual(best);
    for (const e of [0.99, 1.01]) expect(decay(tStar * e)).toBeGreaterThan(decay(tStar));
  });

  it('SPEC X5 / B2: X = I₃, y = (3,−1,2), λ = 1 — the explicit 2-neuron net u_± ∝ Xᵀy_± attains √13 = H₁(‖y₊‖) + H₁(‖y₋‖)', () => {
    const X = Matrix.eye(3);
    const y = [3, -1, 2];
    const Y = Matrix.from(y.map((v) => [v]));
    const lambda = 1;
    const yp = y.map((v) => Math.max(v, 0));
    const ym = y.map((v) => Math.max(-v, 0));
    const np = Math.hypot(...yp);
    const nm = Math.hypot(...ym);
    // neuron for y₊: u = √t·y₊/‖y₊‖, α = √t, t = ‖y₊‖ − λ; y₋ has ‖y₋‖ = λ so its neuron is zero
    const t = Math.max(np - lambda, 0);
    const s = Math.max(nm - lambda, 0);
    const net: TwoLayerNetwork = {
      kind: 'relu',
      W1: Matrix.from([0, 1, 2].map((i) => [(Math.sqrt(t) * yp[i]) / np, nm > 0 ? (Math.sqrt(s) * ym[i]) / nm : 0])),
      W2: Matrix.from([[Math.sqrt(t)], [-Math.sqrt(s)]]),
      appendOne: false,
    };
    const closed = huber(np, lambda) + huber(nm, lambda);
    expect(closed).toBeCloseRel(Math.sqrt(13), 1e-15);
    expect(objective(net, X, Y, { lambda })).toBeCloseRel(closed, 1e-12);
  });

  it('SPEC B2 on random whitened data (XXᵀ = I, n=4, d=6): the explicit 2-neuron net attains H_λ(‖y₊‖) + H_λ(‖y₋‖)', () => {
    const rng = new Rng(21);
    const n = 4;
    const d = 6;
    // orthonormal rows by Gram–Schmidt
    const rows: number[][] = [];
    while (rows.length < n) {
      const v = Array.from(rng.normalArray(d));
      for (const r of rows) {
        const p = r.reduce((a, ri, k) => a + ri * v[k], 0);
        for (let k = 0; k < d; k++) v[k] -= p * r[k];
      }
      const nv = Math.hypot(...v);
      rows.push(v.map((x) => x / nv));
    }
    const X = Matrix.from(rows);
    const y = [1.3, -0.4, 2.1, -1.7];
    const Y = Matrix.from(y.map((v) => [v]));
    for (const lambda of [0.5, 1.2, 3]) {
      const neuron = (sgn: number) => {
        const ys = y.map((v) => Math.max(sgn * v, 0));
        const ny = Math.hypot(...ys);
        const t = Math.max(ny - lambda, 0);
        const dir = Array.from({ length: d }, (_, k) => ys.reduce((a, yi, i) => a + yi * rows[i][k], 0) / ny); // Xᵀy_s / ‖y_s‖
        return { u: dir.map((v) => Math.sqrt(t) * v), alpha: sgn * Math.sqrt(t), ny };
      };
      const p = neuron(1);
      const m = neuron(-1);
      const net: TwoLayerNetwork = {
        kind: 'relu',
        W1: Matrix.from(Array.from({ length: d }, (_, k) => [p.u[k], m.u[k]])),
        W2: Matrix.from([[p.alpha], [m.alpha]]),
        appendOne: false,
      };
      expect(objective(net, X, Y, { lambda })).toBeCloseRel(huber(p.ny, lambda) + huber(m.ny, lambda), 1e-12);
    }
  });

  it('SPEC X6 / B1: one sample x = (3,4), y = 2, λ = 1 — the neuron u = √t·x/‖x‖, α = √t attains 0.38', () => {
    const x = [3, 4];
    const nx = 5;
    const t = (nx * 2 - 1) / (nx * nx);
    const net: TwoLayerNetwork = {
      kind: 'relu',
      W1: Matrix.from([[(Math.sqrt(t) * 3) / nx], [(Math.sqrt(t) * 4) / nx]]),
      W2: Matrix.from([[Math.sqrt(t)]]),
      appendOne: false,
    };
    expect(objective(net, Matrix.from([x]), Matrix.from([[2]]), { lambda: 1 })).toBeCloseRel(0.38, 1e-13);
  });

  it('biases are free: changing b1/b2 leaves the penalty unchanged', () => {
    const rng = new Rng(8);
    const net = randomNet(rng, 2, 3, 1, { b1: true, b2: true });
    const X = new Matrix(5, 2, rng.normalArray(10));
    const Y = Matrix.zeros(5, 1);
    const p1 = objectiveTerms(net, X, Y, { lambda: 2 }).penalty;
    net.b1?.fill(100);
    net.b2?.fill(-50);
    expect(objectiveTerms(net, X, Y, { lambda: 2 }).penalty).toBeCloseRel(p1, 1e-15);
    expect(forward(net, X).F.data.length).toBe(5);
  });

  it('bad input raises typed errors with actionable messages', () => {
    const rng = new Rng(2);
    const net = randomNet(rng, 2, 3, 1);
    const X = new Matrix(4, 2, rng.normalArray(8));
    const Y = Matrix.zeros(4, 1);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(CvxnnError);
        return (e as CvxnnError).code;
      }
      return 'no error';
    };
    expect(code(() => objective(net, X, Y, { lambda: -1 }))).toBe('INVALID_OPTION');
    expect(code(() => objective(net, X, Y, { lambda: Number.NaN }))).toBe('INVALID_OPTION');
    expect(code(() => objective(net, X, Y, { lambda: 1, loss: 'hinge' as LossName }))).toBe('INVALID_OPTION');
    expect(code(() => objective(net, X, Matrix.zeros(3, 1), { lambda: 1 }))).toBe('SHAPE_MISMATCH');
    expect(code(() => objective(net, X, Matrix.zeros(4, 2), { lambda: 1 }))).toBe('SHAPE_MISMATCH');
    expect(code(() => objective(net, Matrix.zeros(0, 2), Matrix.zeros(0, 1), { lambda: 1 }))).toBe('EMPTY_DATA');
    const Xn = X.clone();
    Xn.set(2, 1, Number.NaN);
    expect(() => objective(net, Xn, Y, { lambda: 1 })).toThrow(/X contains NaN at row 2, column 1/);
  });
});
