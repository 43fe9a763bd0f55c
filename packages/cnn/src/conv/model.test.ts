import { CvxnnError, Matrix, Rng } from '@cvxnn/linalg';
import { initNetwork, makeLoss } from '@cvxnn/networks';
import { describe, expect, it } from 'vitest';
import { type CnnModel, cnnObjectiveTerms, cnnPredict, cnnValueAndGradient, poolingScale, trainCnnAdam } from './model.js';
import { convGeometry, extractPatches, patchRegions } from './patches.js';

describe('CnnModel forward pass, gradient and trainer', () => {
  const g = convGeometry({ height: 4, width: 4, channels: 2 }, { kernel: 2, stride: 1, padding: 1 });
  const rng = new Rng(5);
  const X = new Matrix(6, 32, rng.normalArray(6 * 32));
  const Y = new Matrix(6, 2, rng.normalArray(12));

  it('the back-propagated gradient matches central finite differences of cnnObjectiveTerms (relu and gated; sum, mean and 2×2 regional pooling)', () => {
    for (const kind of ['relu', 'gated-relu'] as const) {
      for (const [pooling, regions] of [
        ['sum', undefined],
        ['mean', undefined],
        ['sum', { rows: 2, cols: 2, unit: Int32Array.of(3, 0, 3) }],
      ] as const) {
        const net = initNetwork(g.patchSize, 2, { width: 3, seed: 2, kind, appendOne: true });
        const model: CnnModel = { geometry: g, pooling, network: net, regions };
        const lambda = 0.3;
        const P = extractPatches(X, g, { scale: poolingScale(g, pooling), appendOne: true });
        const gate = kind === 'gated-relu' && net.gates ? new Matrix(P.rows, 3, new Float64Array(P.rows * 3)) : null;
        if (gate && net.gates) {
          for (let r = 0; r < P.rows; r++) for (let j = 0; j < 3; j++) for (let a = 0; a < P.cols; a++) gate.data[r * 3 + j] += P.get(r, a) * net.gates.get(a, j);
        }
        const maps = regions ? { patch: patchRegions(g, 2, 2), unit: regions.unit } : undefined;
        const { value, gW1, gW2 } = cnnValueAndGradient(net, P, gate, g.patches, Y, makeLoss('squared'), lambda, 1, maps);
        expect(value).toBeCloseRel(cnnObjectiveTerms(model, X, Y, { lambda }).objective, 1e-10);
        const eps = 1e-6;
        for (const [W, G] of [
          [net.W1, gW1],
          [net.W2, gW2],
        ] as const) {
          for (const j of [0, 2, 3, 5, W.data.length - 1]) {
            const old = W.data[j];
            W.data[j] = old + eps;
            const up = cnnObjectiveTerms(model, X, Y, { lambda }).objective;
            W.data[j] = old - eps;
            const down = cnnObjectiveTerms(model, X, Y, { lambda }).objective;
            W.data[j] = old;
            expect(G.data[j]).toBeCloseRel((up - down) / (2 * eps), 1e-5, 1e-7);
          }
        }
      }
    }
  });

  it('chunked prediction equals a single chunk; mini-batch Adam lowers the objective', () => {
    const model: CnnModel = { geometry: g, pooling: 'sum', network: initNetwork(g.patchSize, 2, { width: 4, seed: 1 }) };
    expect(Array.from(cnnPredict(model, X, 1).data)).toAllClose(Array.from(cnnPredict(model, X, 100).data), { rtol: 1e-12, atol: 1e-12 });
    const start = cnnObjectiveTerms(model, X, Y, { lambda: 0.1 }).objective;
    const r = trainCnnAdam(model, X, Y, { lambda: 0.1, iterations: 200, batchSize: 2, learningRate: 0.01, seed: 3 });
    expect(r.objective).toBeLessThan(start);
    expect(r.objective).toBeCloseRel(cnnObjectiveTerms(r.model, X, Y, { lambda: 0.1 }).objective, 1e-10);
    // the initial model is copied, not trained in place
    expect(cnnObjectiveTerms(model, X, Y, { lambda: 0.1 }).objective).toBe(start);
    expect(() => trainCnnAdam(model, X, Y, { lambda: 0.1, batchSize: 0 })).toThrow(CvxnnError);
    expect(() => trainCnnAdam(model, X, Y, { lambda: -1 })).toThrow(CvxnnError);
  });
});
