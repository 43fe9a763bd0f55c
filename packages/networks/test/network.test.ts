import { CvxnnError, Matrix, Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { forward, predict, type TwoLayerNetwork } from '../src/index.js';
import { naiveOutputs, randomNet } from './helpers.js';

describe('forward pass', () => {
  it('matches a hand computation on a 2-neuron relu net with appendOne and b2', () => {
    // x̃ = [x1, x2, 1]; neuron 1: x1 − x2 + 1, neuron 2: −x1 + 0.5; f = 2 h1 − 3 h2 + 0.25
    const net: TwoLayerNetwork = {
      kind: 'relu',
      W1: Matrix.from([
        [1, -1],
        [-1, 0],
        [1, 0.5],
      ]),
      W2: Matrix.from([[2], [-3]]),
      b2: Float64Array.of(0.25),
      appendOne: true,
    };
    const X = Matrix.from([
      [2, 1], // h = (2, 0) → 4.25
      [0, 3], // h = (0, 0.5) → −1.25
      [-1, -1], // h = (1, 1.5) → 2 − 4.5 + 0.25 = −2.25
    ]);
    const { H, F } = forward(net, X);
    expect(H.data).toAllClose([2, 0, 0, 0.5, 1, 1.5], { rtol: 1e-15, atol: 0 });
    expect(F.data).toAllClose([4.25, -1.25, -2.25], { rtol: 1e-15, atol: 0 });
  });

  it('gated relu uses the gate sign, not the pre-activation sign (hand computation)', () => {
    const net: TwoLayerNetwork = {
      kind: 'gated-relu',
      W1: Matrix.from([[1], [1]]),
      gates: Matrix.from([[1], [0]]),
      W2: Matrix.from([[1]]),
      b1: Float64Array.of(-10),
      appendOne: false,
    };
    // row 1: gate 1·3 > 0 → z = 3 + 4 − 10 = −3 passes through (a relu would give 0)
    // row 2: gate −1 < 0 → 0
    const F = predict(net, Matrix.from([[3, 4], [-1, 50]]));
    expect(F.data).toAllClose([-3, 0], { rtol: 1e-15, atol: 0 });
  });

  it('agrees with the nested-loop formula on random nets with every option combination', () => {
    const rng = new Rng(7);
    for (const kind of ['relu', 'gated-relu'] as const) {
      for (const appendOne of [false, true]) {
        for (const bias of [false, true]) {
          const net = randomNet(rng, 4, 6, 3, { kind, appendOne, b1: bias, b2: bias });
          const X = new Matrix(9, 4, rng.normalArray(36));
          const want = naiveOutputs(net, X.toArrays()).flat();
          expect(predict(net, X).data).toAllClose(want, { rtol: 1e-12, atol: 1e-12 });
        }
      }
    }
  });

  it('rejects inconsistent shapes with SHAPE_MISMATCH', () => {
    const rng = new Rng(1);
    const net = randomNet(rng, 3, 2, 1);
    expect(() => predict(net, Matrix.zeros(2, 4))).toThrow(/expects 3 input features but the data has 4/);
    const bad = { ...net, W2: Matrix.zeros(3, 1) };
    expect(() => predict(bad, Matrix.zeros(2, 3))).toThrow(CvxnnError);
    const noGates: TwoLayerNetwork = { ...net, kind: 'gated-relu' };
    expect(() => predict(noGates, Matrix.zeros(2, 3))).toThrow(/needs gate vectors/);
  });
});
