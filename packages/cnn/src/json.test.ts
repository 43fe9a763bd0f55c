import { CvxnnError, Matrix } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { bnNetworkFromJson, bnNetworkToJson, circularCnnFromJson, layerwiseFromJson, layerwiseToJson, linearCnnFromJson, linearCnnToJson, modelFromJson, separableCnnFromJson, separableCnnToJson } from './json.js';
import { convGeometry } from './conv/patches.js';
import type { BnNetwork } from './bn/network.js';

function errorOf(f: () => unknown): CvxnnError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CvxnnError);
    return e as CvxnnError;
  }
  throw new Error('expected a CvxnnError');
}

// a 1×4 signal, 1×2 filters at stride 2: patches (x0, x1) and (x2, x3)
const g = convGeometry({ height: 1, width: 4, channels: 1 }, { kernel: [1, 2], stride: 2 });
const X = Matrix.from([[3, 1, 2, 4], [-1, 0, 1, 1]]);

describe('model JSON', () => {
  it('separable CNN: the forward pass of the JSON model equals the one worked out by hand', () => {
    // neuron 0: filter (1, −1) at patch 0, head 2; neuron 1: filter (0.5, 0.5) at patch 1, head −1
    const model = { geometry: g, filters: Matrix.from([[1, 0.5], [-1, 0.5]]), head: Float64Array.from([2, -1]), position: Int32Array.from([0, 1]) };
    const m = modelFromJson(JSON.parse(JSON.stringify(separableCnnToJson(model))));
    // row 0: 2·(3 − 1)_+ − (0.5·2 + 0.5·4)_+ = 4 − 3; row 1: 2·(−1 − 0)_+ − (0.5 + 0.5)_+ = −1
    expect(Array.from(m.predict(X).data)).toEqual([1, -1]);
    expect([m.kind, m.inputs, m.outputs]).toEqual(['separable-cnn', 4, 1]);
  });
  it('linear CNN: f = Σ_k Σ_j (x_kᵀu_j) head[j, k·c + c′], by hand', () => {
    const model = { geometry: g, filters: Matrix.from([[1], [2]]), head: Matrix.from([[1, -1]]), outputs: 1 };
    const m = modelFromJson(linearCnnToJson(model));
    // row 0: (3 + 2)·1 + (2 + 8)·(−1) = −5; row 1: (−1)·1 + (1 + 2)·(−1) = −4
    expect(Array.from(m.predict(X).data)).toEqual([-5, -4]);
  });
  it('circular CNN: one d-tap filter over every shift', () => {
    const json = { kind: 'linear-circular-cnn', length: 4, spectrum: { re: [0, 0, 0, 0], im: [0, 0, 0, 0] }, filters: [[1], [0], [0], [0]], head: [[1, 0, 0, 0]] };
    // filter e_0 read at shift 0 is x_0: f = x_0
    expect(Array.from(modelFromJson(json).predict(X).data)).toEqual([3, -1]);
    expect(circularCnnFromJson(json).geometry.circular).toBe(true);
  });
  it('BN and layer-wise networks round-trip through JSON with the same outputs', () => {
    const bn: BnNetwork = { kind: 'bn', placement: 'scale', appendOne: true, W1: Matrix.from([[1, -1], [0, 1], [0.5, 0], [0, 0], [1, 1]]), gamma: Float64Array.from([2, 1]), alpha: Float64Array.from([0, 0]), W2: Matrix.from([[1], [-1]]), stats: { mean: Float64Array.from([0, 0]), norm: Float64Array.from([2, 4]) } };
    // scale-only BN with stored stats: h_j = γ_j (x̃ᵀu_j)_+ / norm_j; row 0: x̃ = (3, 1, 2, 4, 1)
    // z = (3 + 1 + 1, −3 + 1 + 1) = (5, −1) → h = (2·5/2, 0) = (5, 0) → f = 5
    const back = bnNetworkFromJson(JSON.parse(JSON.stringify(bnNetworkToJson(bn))));
    expect(modelFromJson(bnNetworkToJson(back)).predict(X.view(0, 0, 1, 4)).data[0]).toBeCloseRel(5, 1e-15);
    const block1 = { kind: 'relu' as const, W1: Matrix.from([[1, 0], [0, 1], [0, 0], [0, 0], [0, 0]]), W2: Matrix.from([[1], [1]]), appendOne: true };
    const block2 = { kind: 'relu' as const, W1: Matrix.from([[1], [1], [-1]]), W2: Matrix.from([[2]]), appendOne: true };
    const lw = layerwiseFromJson(JSON.parse(JSON.stringify(layerwiseToJson({ kind: 'layerwise', blocks: [block1, block2] }))));
    // block 1 hidden: ((x0)_+, (x1)_+); block 2: 2·(h0 + h1 − 1)_+ → row 0: 2·(3 + 1 − 1) = 6; row 1: 2·(0 + 0 − 1)_+ = 0
    expect(Array.from(modelFromJson(layerwiseToJson(lw)).predict(X).data)).toEqual([6, 0]);
  });
  it('malformed JSON is a typed error naming the key; older JSON takes its geometry from the run architecture', () => {
    const sep = { kind: 'separable-cnn', filters: [[1], [-1]], head: [2], position: [0] };
    expect(errorOf(() => separableCnnFromJson(sep)).message).toMatch(/network\.imageShape: expected an object/);
    const arch = { imageShape: { height: 1, width: 4, channels: 1 }, kernel: [1, 2], stride: 2, padding: 0 };
    expect(separableCnnFromJson(sep, arch).geometry.patches).toBe(2);
    expect(errorOf(() => separableCnnFromJson({ ...sep, ...arch, position: [5] })).message).toMatch(/network\.position\[0\]: expected a patch index in 0\.\.1/);
    expect(errorOf(() => linearCnnFromJson({ kind: 'linear-cnn', ...arch, filters: [[1], [null]], head: [[1, 1]], outputs: 1 })).message).toBe('network.filters[1][0]: expected a finite number, got null');
    expect(errorOf(() => modelFromJson({ kind: 'mlp' })).code).toBe('INVALID_OPTION');
    expect(errorOf(() => modelFromJson(null)).message).toMatch(/network: expected an object/);
    expect(errorOf(() => bnNetworkFromJson({ kind: 'bn', placement: 'sideways' })).message).toMatch(/network\.placement/);
  });
});
