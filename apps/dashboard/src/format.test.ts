import { CvxnnError } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { parseRun, unclosed, validateRun } from './format';

/** A small run with every optional heavy field, built by hand from the format document. */
function sampleRun(): Record<string, unknown> {
  return {
    cvxnnRun: 1,
    kind: 'fit',
    createdAt: '2026-11-30T00:00:00.000Z',
    options: { lambda: 1, model: 'relu' },
    environment: { backend: 'ts', precision: 'fp64', node: 'v20', platform: 'linux-x64', cpu: 'x', cores: 2 },
    data: { name: 'toy', n: 3, d: 1, task: 'regression', standardize: 'none' },
    status: 'optimal',
    objective: 1.5,
    certificate: { kind: 'duality-gap', value: 1e-7 },
    history: [
      { iteration: 0, timeSeconds: 0.01, objective: 3, certificate: 1 },
      { iteration: 10, timeSeconds: 0.02, objective: 1.5, certificate: null },
    ],
    curves: [{ method: 'convex', points: [{ iteration: 0, timeSeconds: 0, objective: 2 }] }],
    groupNorms: [0, 1.2, null],
    geometry2d: { X: [[0, 1], [1, 0]], y: [1, -1], gates: [[1, 0, 0]], neurons: [{ weights: [1, 1, 0], boundary: [1, 1, 0], output: [2] }], surface: { x: [0, 1], y: [0, 1, 2], z: [[0, 1], [1, 2], [2, 3]] } },
    fit1d: { x: [0, 1, 2], y: [0, 1, 0], breakpoints: [1], grid: [0, 1, 2], prediction: [0, 1, 0] },
    eigenvalues: [3, -1],
  };
}

function errorOf(f: () => unknown): CvxnnError {
  try {
    f();
  } catch (e) {
    return e as CvxnnError;
  }
  throw new Error('expected an error');
}

describe('validateRun', () => {
  it('accepts a run with every optional field', () => {
    const r = validateRun(sampleRun());
    expect(r.kind).toBe('fit');
    expect(r.history).toHaveLength(2);
  });

  it('names the missing version key, a wrong version and an unknown kind', () => {
    const { cvxnnRun: _v, ...noVersion } = sampleRun();
    const e1 = errorOf(() => validateRun(noVersion, 'x.json'));
    expect(e1).toBeInstanceOf(CvxnnError);
    expect(e1.code).toBe('PARSE_ERROR');
    expect(e1.message).toContain('"cvxnnRun" is missing');
    expect(errorOf(() => validateRun({ ...sampleRun(), cvxnnRun: 2 })).message).toContain('version 2');
    expect(errorOf(() => validateRun({ ...sampleRun(), kind: 'train' })).message).toContain('$.kind is "train"');
    expect(errorOf(() => validateRun([1, 2])).message).toContain('must be a JSON object, got an array');
  });

  it('reports the JSON path of each problem', () => {
    const bad = sampleRun();
    delete bad.environment;
    (bad.history as Array<Record<string, unknown>>)[1].iteration = 'ten';
    (bad.geometry2d as { X: number[][] }).X[1] = [1, 2, 3];
    (bad.fit1d as { y: number[] }).y = [1, 2];
    bad.eigenvalues = [1, 'a'];
    const m = errorOf(() => validateRun(bad)).message;
    expect(m).toContain('$.environment is missing');
    expect(m).toContain('$.history[1].iteration must be a number, got string');
    expect(m).toContain('$.geometry2d.X is ragged: row 0 has 2 entries but row 1 has 3');
    expect(m).toContain('$.fit1d.y has 2 entries but $.fit1d.x has 3');
    expect(m).toContain('$.eigenvalues[1] must be a number or null, got string');
  });

  it('checks the shapes of the surface grid and of the y/X pairing', () => {
    const a = sampleRun();
    (a.geometry2d as { surface: { z: number[][] } }).surface.z = [[0, 1]];
    expect(errorOf(() => validateRun(a)).message).toContain('surface.z must have 3 rows of 2 values');
    const b = sampleRun();
    (b.geometry2d as { y: number[] }).y = [1];
    expect(errorOf(() => validateRun(b)).message).toContain('$.geometry2d.y has 1 entries but $.geometry2d.X has 2');
  });
});

describe('parseRun', () => {
  it('round-trips a serialized run', () => {
    expect(parseRun(JSON.stringify(sampleRun(), null, 1)).objective).toBe(1.5);
  });

  it('says a cut file looks truncated, at every cut point', () => {
    const text = JSON.stringify(sampleRun(), null, 1);
    // every proper prefix that parses as no JSON value must be called truncated
    for (const cut of [1, 10, 50, 100, 200, Math.floor(text.length / 2), text.length - 2]) {
      const e = errorOf(() => parseRun(text.slice(0, cut), 'cut.json'));
      expect(e.code).toBe('PARSE_ERROR');
      expect(e.message).toMatch(/^cut\.json is not valid JSON \(it looks truncated/);
    }
  });

  it('does not call a complete but malformed file truncated', () => {
    const e = errorOf(() => parseRun('{"cvxnnRun": 1,, "kind": "fit"}', 'bad.json'));
    expect(e.message).toMatch(/^bad\.json is not valid JSON: /);
  });

  it('calls an empty file empty', () => {
    expect(errorOf(() => parseRun('  \n', 'e.json')).code).toBe('EMPTY_DATA');
  });
});

describe('unclosed', () => {
  it('is 0 for complete JSON and positive for every proper prefix of an object (brute force)', () => {
    const text = JSON.stringify({ a: [1, { b: 'x}]"y' }], c: { d: '\\"' } });
    expect(unclosed(text)).toBe(0);
    for (let k = 1; k < text.length; k++) expect(unclosed(text.slice(0, k))).toBeGreaterThan(0);
  });
});
