import { CvxnnError, Matrix } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { accuracy, initNetwork, objective, objectiveAndGradient, objectiveTerms, predict, trainAdam, trainSgd, type TwoLayerNetwork } from '../src/index.js';

const X = Matrix.from([[1, 0], [0, 1], [1, 1]]);
const Y = Matrix.from([[1], [0], [2]]);
// f(x) = 1·relu(x1 + x2): outputs 1, 1, 2 by hand
const net: TwoLayerNetwork = { kind: 'relu', W1: Matrix.from([[1], [1]]), W2: Matrix.from([[1]]), appendOne: false };

/** a CvxnnError INVALID_OPTION whose message is (or matches) `message` */
const invalid = (message: unknown) => expect.objectContaining({ code: 'INVALID_OPTION', message });

describe('objective calls', () => {
  it('refuse misspelt keys and wrong types, naming the call', () => {
    expect(() => objective(net, X, Y, { lambda: 1, los: 'squared' } as never)).toThrow(invalid("objective: unknown option 'los' (did you mean 'loss'?); known options: loss, lambda, scale"));
    expect(() => objectiveTerms(net, X, Y, { lambda: 1, loss: 'hinge' } as never)).toThrow(invalid("objectiveTerms: option 'loss' must be 'squared' or 'logistic' or 'cross-entropy', got string 'hinge'"));
    expect(() => objectiveAndGradient(net, X, Y, { lambda: '0.1' } as never)).toThrow(invalid("objectiveAndGradient: option 'lambda' must be a number, got string '0.1'"));
    expect(() => objective(net, [[1, 0]] as never, Y, { lambda: 1 })).toThrow(invalid(expect.stringMatching(/^objective: X must be a Matrix/)));
    expect(() => accuracy(net, X, [1, 0, 2] as never)).toThrow(invalid(expect.stringMatching(/^accuracy: Y must be a Matrix/)));
    expect(() => predict(net, 'X' as never)).toThrow(invalid(expect.stringMatching(/^predict: X must be a Matrix/)));
  });
  it('still compute the objective: ½Σ(f − y)² + (λ/2)(‖W1‖² + ‖W2‖²) = ½(0 + 1 + 0) + ½·(2 + 1)', () => {
    expect(objective(net, X, Y, { lambda: 1 })).toBeCloseRel(0.5 + 1.5, 1e-15);
    // a trainer's options object serves the objective too: its training keys are ignored there
    expect(objective(net, X, Y, { lambda: 1, iterations: 5, beta1: 0.5 } as never)).toBeCloseRel(0.5 + 1.5, 1e-15);
  });
});

describe('trainers and initNetwork', () => {
  it('trainAdam refuses SGD momentum and trainSgd the Adam moments', () => {
    expect(() => trainAdam({ width: 2 }, X, Y, { lambda: 1, momentum: 0.9 } as never)).toThrow(invalid(expect.stringMatching(/^trainAdam: unknown option 'momentum'; known options: .*beta1, beta2, epsilon$/)));
    expect(() => trainSgd({ width: 2 }, X, Y, { lambda: 1, beta1: 0.9 } as never)).toThrow(invalid(expect.stringMatching(/^trainSgd: unknown option 'beta1'; known options: .*momentum$/)));
    expect(() => trainSgd({ width: 2 }, X, Y, { lambda: 1, maxIterations: 10 } as never)).toThrow(invalid(expect.stringContaining("trainSgd: unknown option 'maxIterations'")));
    expect(() => trainSgd({ width: 2 }, X, Y, { lambda: 1, schedule: 'linear' } as never)).toThrow(invalid("trainSgd: option 'schedule' must be 'constant' or 'cosine', got string 'linear'"));
    expect(() => trainAdam({ width: 2 }, X, Y, { lambda: 1, batchSize: 0 })).toThrow(invalid("trainAdam: option 'batchSize' must be an integer ≥ 1, got 0"));
  });
  it('check the init options under the trainer’s name', () => {
    expect(() => trainSgd({ widht: 2 } as never, X, Y, { lambda: 1 })).toThrow(invalid("trainSgd (init): unknown option 'widht' (did you mean 'width'?); known options: width, seed, kind, appendOne, b1, b2, gates"));
    expect(() => trainAdam({ width: 0 }, X, Y, { lambda: 1 })).toThrow(invalid("trainAdam (init): option 'width' must be an integer ≥ 1, got 0"));
    expect(() => initNetwork(2, 1, { width: 3, appendone: true } as never)).toThrow(invalid(expect.stringContaining("initNetwork: unknown option 'appendone' (did you mean 'appendOne'?)")));
    expect(() => initNetwork(2, 1, { width: 3, kind: 'tanh' } as never)).toThrow(invalid("initNetwork: option 'kind' must be 'relu' or 'gated-relu', got string 'tanh'"));
  });
  it('a valid run still trains (Adam from a network: objective does not increase from its start)', () => {
    const r = trainAdam(net, X, Y, { lambda: 0.1, iterations: 50 });
    expect(r.history[0].objective).toBeCloseRel(objective(net, X, Y, { lambda: 0.1 }), 1e-12);
    expect(r.objective).toBeLessThanOrEqual(r.history[0].objective);
  });
});
