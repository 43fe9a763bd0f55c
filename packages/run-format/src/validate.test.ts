import { CvxnnError } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { parseRun, requirePredictable, runIssues, unclosed, validateRun } from './validate.js';

/** A fit run with every optional heavy field, built by hand from docs/run-format.md. */
function sampleRun(): Record<string, any> {
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
    network: { kind: 'relu', W1: [[1, -1], [0.5, 0]], W2: [[1], [2]], appendOne: true },
    preprocessing: { task: 'binary', classes: ['no', 'yes'], standardize: 'zscore', mean: [0.5], std: [2], bias: true, featureNames: ['x'], labelName: 'y', labelColumn: 'last' },
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
    expect(e).toBeInstanceOf(CvxnnError);
    return e as CvxnnError;
  }
  throw new Error('expected an error');
}

const messages = (v: unknown) => runIssues(v).map((i) => `${i.path}: ${i.message}`);

describe('validateRun', () => {
  it('accepts a run with every optional field and keeps unknown keys', () => {
    const r = validateRun({ ...sampleRun(), extra: { anything: 1 } });
    expect(r.kind).toBe('fit');
    expect(r.history).toHaveLength(2);
    expect(r.extra).toEqual({ anything: 1 });
    expect(runIssues(sampleRun())).toEqual([]);
  });

  it('names the missing version key, a wrong version, an unknown kind and a non-object', () => {
    const { cvxnnRun: _v, ...noVersion } = sampleRun();
    const e1 = errorOf(() => validateRun(noVersion, 'x.json'));
    expect(e1.code).toBe('PARSE_ERROR');
    expect(e1.message).toContain('"cvxnnRun" is missing');
    expect(errorOf(() => validateRun({ ...sampleRun(), cvxnnRun: 2 })).message).toContain('run format version 2');
    expect(errorOf(() => validateRun({ ...sampleRun(), kind: 'train' })).message).toContain('run.kind: expected one of "fit", "compare"');
    expect(errorOf(() => validateRun([1, 2])).message).toContain('run: expected a JSON object, got an array');
    expect(errorOf(() => validateRun(null, 'null.json')).message).toBe('null.json is not a valid cvxnn run (format 1): run: expected a JSON object, got null');
  });

  it('reports the JSON path of each problem, on one line', () => {
    const bad = sampleRun();
    delete bad.environment;
    bad.history[1].iteration = 'ten';
    bad.geometry2d.X[1] = [1, 2, 3];
    bad.fit1d.y = [1, 2];
    bad.eigenvalues = [1, 'a'];
    const m = messages(bad);
    expect(m).toContain('run.environment: missing');
    expect(m).toContain('run.history[1].iteration: expected a number, got the string "ten"');
    expect(m).toContain('run.geometry2d.X: is ragged: row 0 has 2 entries but row 1 has 3');
    expect(m).toContain('run.fit1d.y: has 2 entries but run.fit1d.x has 3');
    expect(m).toContain('run.eigenvalues[1]: expected a number or null, got the string "a"');
    const e = errorOf(() => validateRun(bad, 'bad.json'));
    expect(e.message).not.toContain('\n');
    expect(e.message).toMatch(/^bad\.json is not a valid cvxnn run \(format 1\): run\.environment: missing; /);
  });

  it('checks the shapes of the surface grid and of the y/X pairing', () => {
    const a = sampleRun();
    a.geometry2d.surface.z = [[0, 1]];
    expect(messages(a)).toContain('run.geometry2d.surface.z: expected 3 rows of 2 values (one row per y, one value per x)');
    const b = sampleRun();
    b.geometry2d.y = [1];
    expect(messages(b)).toContain('run.geometry2d.y: has 1 entries but run.geometry2d.X has 2');
  });
});

describe('preprocessing and network', () => {
  it('preprocessing: {} lists every missing key; a bad entry is named by its index', () => {
    const m = messages({ ...sampleRun(), preprocessing: {} });
    for (const k of ['task', 'standardize', 'bias', 'featureNames', 'labelName', 'labelColumn']) expect(m).toContain(`run.preprocessing.${k}: missing`);
    const r = sampleRun();
    r.preprocessing.featureNames = ['a', 'b', 'c', 'd'];
    r.preprocessing.mean = [0, 0, 0, 'x'];
    r.preprocessing.std = [1, 1, 1, 1];
    expect(messages(r)).toEqual(['run.preprocessing.mean[3]: expected a number, got the string "x"']);
    r.preprocessing.mean = [0, 0, 0, 0];
    r.preprocessing.std = [1, 0, 1, 1];
    expect(messages(r)).toEqual(['run.preprocessing.std[1]: expected a positive number, got 0']);
  });
  it('a classification run needs its class names; zscore needs one mean and std per feature', () => {
    const r = sampleRun();
    delete r.preprocessing.classes;
    expect(messages(r)).toEqual(['run.preprocessing.classes: missing: a binary run needs exactly 2 class names to turn outputs into labels']);
    r.preprocessing.classes = ['a', 'b', 'c'];
    expect(messages(r)).toEqual(['run.preprocessing.classes: expected exactly 2 class names for a binary run, got 3']);
    const z = sampleRun();
    z.preprocessing.mean = [1, 2];
    expect(messages(z)).toEqual(['run.preprocessing.mean: has 2 entries but run.preprocessing.featureNames has 1']);
    const none = sampleRun();
    none.preprocessing = { ...none.preprocessing, standardize: 'none', mean: undefined, std: undefined };
    expect(messages(none)).toEqual([]);
  });
  it('networks are checked by kind', () => {
    expect(messages({ ...sampleRun(), network: { kind: 'mlp' } })[0]).toMatch(/^run\.network\.kind: expected one of relu, gated-relu, cnn, separable-cnn, linear-cnn, linear-circular-cnn, bn, layerwise, got the string "mlp"/);
    expect(messages({ ...sampleRun(), network: { kind: 'bn', placement: 'scale', appendOne: false, W1: [[1]], alpha: [0], W2: [[1]] } })).toEqual(['run.network.gamma: missing']);
    expect(messages({ ...sampleRun(), network: { kind: 'layerwise', blocks: [{ W1: [[1]], W2: [[null]] }] } })).toEqual(['run.network.blocks[0].W2[0][0]: expected a number, got null']);
    const cnn = { kind: 'cnn', imageShape: { height: 2, width: 2, channels: 1 }, kernel: [1, 1], stride: 1, padding: 0, pooling: 'sum', network: { W1: [[1]], W2: [[1]] } };
    expect(messages({ ...sampleRun(), network: cnn })).toEqual([]);
    expect(messages({ ...sampleRun(), network: { ...cnn, regions: { rows: 2, cols: 2, unit: [3] } } })).toEqual([]);
    expect(messages({ ...sampleRun(), network: { ...cnn, regions: { rows: 2, unit: [-1] } } })).toEqual(['run.network.regions.cols: missing', 'run.network.regions.unit[0]: expected an integer ≥ 0, got -1']);
  });
  it('network and preprocessing are checked in fit and cnn runs; other kinds keep their own network shape', () => {
    const clifford = { ...sampleRun(), kind: 'clifford', network: { W1: [1, -1], b1: [0, 0.5], w2: [1, 1], b2: 0 }, preprocessing: undefined };
    expect(runIssues(clifford)).toEqual([]);
    expect(messages({ ...clifford, kind: 'fit' })[0]).toBe('run.network.kind: missing');
    expect(messages({ ...sampleRun(), preprocessing: null })).toEqual(['run.preprocessing: expected an object, got null']);
  });
  it('requirePredictable names what a run lacks', () => {
    const { network: _n, preprocessing: _p, ...bare } = sampleRun();
    const e = errorOf(() => requirePredictable(validateRun({ ...bare, kind: 'compare' }), 'cmp.json'));
    expect(e.message).toBe("cmp.json is a 'compare' run without run.network and run.preprocessing; predict reads the runs `cvxnn fit --out` writes (kinds fit, cnn)");
    expect(requirePredictable(validateRun(sampleRun())).preprocessing.featureNames).toEqual(['x']);
  });
});

describe('lambdaSelection (fit --lambda auto)', () => {
  const sel = () => ({
    score: 'accuracy',
    folds: 1,
    split: 0.2,
    chosen: 1,
    lambda: 0.5,
    table: [
      { lambda: 5, score: 0.9, certificate: 1e-8, activeNeurons: 2 },
      { lambda: 0.5, score: 0.97, certificate: 4e-7, activeNeurons: 9 },
      { lambda: 0.05, score: null, certificate: null, activeNeurons: null },
    ],
    timeSeconds: 1.5,
  });
  const issues = (s: unknown) => runIssues({ ...sampleRun(), lambdaSelection: s }).map((i) => `${i.path}: ${i.message}`);

  it('accepts a valid selection (null entries where a path stopped early) and a run without one', () => {
    expect(issues(sel())).toEqual([]);
    const { split: _split, timeSeconds: _t, ...cv } = { ...sel(), folds: 3 };
    expect(issues(cv)).toEqual([]);
    expect(runIssues(sampleRun())).toEqual([]);
  });

  it('names each problem by its path: types, the chosen index, its λ, its score', () => {
    expect(issues({ ...sel(), score: 'f1' })).toEqual([expect.stringMatching(/^run\.lambdaSelection\.score: expected one of "accuracy", "mse"/)]);
    expect(issues({ ...sel(), folds: 0, split: 1 })).toEqual([expect.stringMatching(/^run\.lambdaSelection\.folds: expected an integer ≥ 1/), expect.stringMatching(/^run\.lambdaSelection\.split: expected a fraction in \(0, 1\), got 1/)]);
    expect(issues({ ...sel(), chosen: 3 })).toEqual(['run.lambdaSelection.chosen: is 3 but run.lambdaSelection.table has 3 rows (0-based index)']);
    expect(issues({ ...sel(), lambda: 5 })).toEqual([expect.stringMatching(/^run\.lambdaSelection\.lambda: is 5 but the chosen row run\.lambdaSelection\.table\[1\] has λ 0\.5/)]);
    expect(issues({ ...sel(), chosen: 2, lambda: 0.05 })).toEqual(['run.lambdaSelection.table[2].score: the chosen row has no score (null)']);
    expect(issues({ ...sel(), table: [] })).toEqual(['run.lambdaSelection.table: expected at least one row, got an empty array']);
    expect(issues({ ...sel(), table: [{ lambda: -1, score: 1, certificate: 0, activeNeurons: 1 }] })).toEqual([expect.stringMatching(/^run\.lambdaSelection\.table\[0\]\.lambda: expected a positive number/)]);
    expect(issues('auto')).toEqual(['run.lambdaSelection: expected an object, got the string "auto"']);
  });
});

describe('parseRun', () => {
  it('round-trips a serialized run', () => {
    expect(parseRun(JSON.stringify(sampleRun(), null, 1)).objective).toBe(1.5);
  });
  it('says a cut file looks truncated, at every cut point', () => {
    const text = JSON.stringify(sampleRun(), null, 1);
    for (const cut of [1, 10, 50, 100, 200, Math.floor(text.length / 2), text.length - 2]) {
      const e = errorOf(() => parseRun(text.slice(0, cut), 'cut.json'));
      expect(e.code).toBe('PARSE_ERROR');
      expect(e.message).toMatch(/^cut\.json is not valid JSON \(it looks truncated/);
    }
  });
  it('does not call a complete but malformed file truncated; an empty file is empty; JSON null is not a run', () => {
    expect(errorOf(() => parseRun('{"cvxnnRun": 1,, "kind": "fit"}', 'bad.json')).message).toMatch(/^bad\.json is not valid JSON: /);
    expect(errorOf(() => parseRun('  \n', 'e.json')).code).toBe('EMPTY_DATA');
    expect(errorOf(() => parseRun('null', 'n.json')).message).toContain('run: expected a JSON object, got null');
  });
});

describe('unclosed', () => {
  it('is 0 for complete JSON and positive for every proper prefix of an object (brute force)', () => {
    const text = JSON.stringify({ a: [1, { b: 'x}]"y' }], c: { d: '\\"' } });
    expect(unclosed(text)).toBe(0);
    for (let k = 1; k < text.length; k++) expect(unclosed(text.slice(0, k))).toBeGreaterThan(0);
  });
});
