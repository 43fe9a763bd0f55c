import { CvxnnError, Matrix, Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { networkFromJson, networkToJson, predict } from '../src/index.js';
import { randomNet } from './helpers.js';

const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof CvxnnError) return e.code;
    throw e;
  }
  return 'no error';
};

describe('network JSON (docs/run-format.md `network` object)', () => {
  it('round-trips through JSON text for every kind and option, with identical predictions', () => {
    const rng = new Rng(4);
    for (const kind of ['relu', 'gated-relu'] as const) {
      for (const bias of [false, true]) {
        const net = randomNet(rng, 3, 4, 2, { kind, appendOne: bias, b1: bias, b2: bias });
        const text = JSON.stringify(networkToJson(net));
        const back = networkFromJson(JSON.parse(text));
        expect(back.kind).toBe(kind);
        expect(back.appendOne).toBe(bias);
        expect(back.W1.data).toAllClose(net.W1.data, { rtol: 0, atol: 0 });
        expect(back.W2.data).toAllClose(net.W2.data, { rtol: 0, atol: 0 });
        if (net.gates) expect(back.gates?.data).toAllClose(net.gates.data, { rtol: 0, atol: 0 });
        expect(back.b1 === undefined).toBe(!bias);
        const X = new Matrix(5, 3, rng.normalArray(15));
        expect(predict(back, X).data).toAllClose(predict(net, X).data, { rtol: 0, atol: 0 });
      }
    }
  });

  it('writes W1 as d_in × m rows (bias row last with appendOne) and W2 as m × c rows', () => {
    const net = randomNet(new Rng(1), 2, 3, 1, { appendOne: true });
    const j = networkToJson(net);
    expect(j.W1.length).toBe(3); // d + 1
    expect(j.W1[0].length).toBe(3); // m
    expect(j.W2.length).toBe(3);
    expect(j.W2[0].length).toBe(1);
    expect(j.W1[2][1]).toBe(net.W1.get(2, 1));
  });

  it('accepts a scalar-output w2 vector in place of W2', () => {
    const net = networkFromJson({ kind: 'relu', W1: [[1, 2]], w2: [3, -1], appendOne: false });
    expect(predict(net, Matrix.from([[1]])).data).toAllClose([3 * 1 - 1 * 2], { rtol: 0, atol: 0 });
  });

  it('rejects malformed input with typed errors', () => {
    const ok = { kind: 'relu', W1: [[1, 2], [3, 4]], W2: [[1], [2]], appendOne: false };
    expect(codeOf(() => networkFromJson(ok))).toBe('no error');
    expect(codeOf(() => networkFromJson(null))).toBe('PARSE_ERROR');
    expect(codeOf(() => networkFromJson([1, 2]))).toBe('PARSE_ERROR');
    expect(codeOf(() => networkFromJson({ ...ok, kind: 'tanh' }))).toBe('INVALID_OPTION');
    expect(() => networkFromJson({ ...ok, kind: 'tanh' })).toThrow(/unknown network kind "tanh"/);
    expect(codeOf(() => networkFromJson({ ...ok, W1: undefined }))).toBe('PARSE_ERROR');
    expect(codeOf(() => networkFromJson({ ...ok, W1: 'abc' }))).toBe('PARSE_ERROR');
    expect(codeOf(() => networkFromJson({ ...ok, W1: [[1, 2], [3]] }))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => networkFromJson({ ...ok, W2: [[1], [2], [3]] }))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => networkFromJson({ ...ok, W1: [[1, 'x'], [3, 4]] }))).toBe('NON_NUMERIC');
    expect(() => networkFromJson({ ...ok, W1: [[1, 'x'], [3, 4]] })).toThrow(/network\.W1\[0\]\[1\] is "x"/);
    expect(codeOf(() => networkFromJson({ ...ok, W2: [[null], [2]] }))).toBe('NON_FINITE');
    expect(codeOf(() => networkFromJson({ ...ok, b1: [1, 2, 3] }))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => networkFromJson({ ...ok, b2: [1, 2] }))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => networkFromJson({ ...ok, appendOne: 'yes' }))).toBe('PARSE_ERROR');
    expect(codeOf(() => networkFromJson({ ...ok, kind: 'gated-relu' }))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => networkFromJson({ ...ok, kind: 'gated-relu', gates: [[1]] }))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => networkFromJson({ ...ok, gates: [[1, 1], [1, 1]] }))).toBe('PARSE_ERROR');
  });
});
