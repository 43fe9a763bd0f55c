/**
 * Issue 15, predict: feature names and order are checked, malformed run files are one-line typed
 * errors, and every run kind `fit` writes is read.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run } from '../test/run.js';
import { csv, gaussianRows, tempFiles } from '../test/files.js';

const t = tempFiles('cvxnn-predict-');
const json = (r: { out: string }) => JSON.parse(r.out);

const rows = gaussianRows(40, 3, (x) => (x[0]! * x[1]! > 1 ? 'yes' : 'no'));
const binary = t.write('bin.csv', csv(['a', 'b', 'c', 'y'], rows));
const regRows = gaussianRows(30, 3, (x) => (Math.max(0, x[0]! - x[1]!) + 0.5 * x[2]!).toFixed(6), 2);
const regression = t.write('reg.csv', csv(['a', 'b', 'c', 'y'], regRows));

async function fitOut(name: string, ...args: string[]): Promise<{ file: string; run: any }> {
  const file = t.path(name);
  const r = await run('fit', ...args, '--out', file, '--json');
  expect(r.code, r.err).toBe(0);
  return { file, run: json(r) };
}

/** One line on stderr, exit 2, no stack trace and no TypeError. */
function expectOneLineError(r: { code: number; err: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.err).toMatch(pattern);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).not.toMatch(/TypeError|internal error|\n\s+at /);
}

describe('feature names and order', () => {
  it('the same rows with the columns in another order give the same predictions (was: different predictions, exit 0)', async () => {
    const { file } = await fitOut('bin.json', '--data', binary, '--lambda', '0.5', '--model', 'gated-relu', '--bias', '--patterns', '20');
    const base = json(await run('predict', '--model', file, '--data', binary, '--json'));
    const shuffled = t.write('bin-shuffled.csv', csv(['c', 'y', 'a', 'b'], rows.map((r) => [r[2]!, r[3]!, r[0]!, r[1]!])));
    const p = json(await run('predict', '--model', file, '--data', shuffled, '--json'));
    expect(p.reordered).toBe(true);
    expect(p.predictions).toEqual(base.predictions);
    expect(p.accuracy).toBe(base.accuracy);
    const text = await run('predict', '--model', file, '--data', shuffled);
    expect(text.out).toMatch(/columns\s+matched by name and reordered/);
  });
  it('columns that cannot be matched by name are refused: a renamed, a missing, an unknown or a duplicated column', async () => {
    const { file } = await fitOut('bin2.json', '--data', binary, '--lambda', '0.5', '--model', 'gated-relu', '--patterns', '10');
    const cases: Array<[string[], (r: string[]) => string[], RegExp]> = [
      [['a', 'B', 'c', 'y'], (r) => r, /the model's feature 'b' is not a column of this file/],
      [['a', 'b', 'y'], (r) => [r[0]!, r[1]!, r[3]!], /feature 'c' is not a column/],
      [['a', 'b', 'c', 'id', 'y'], (r) => [r[0]!, r[1]!, r[2]!, '7', r[3]!], /'id' are not features of the model nor its label 'y'/],
      [['a', 'b', 'c', 'c'], (r) => [r[0]!, r[1]!, r[2]!, r[2]!], /columns 3 and 4 are all named 'c'/],
    ];
    for (const [header, pick, msg] of cases) {
      const f = t.write(`bad-${header.join('')}.csv`, csv(header, rows.map(pick)));
      expectOneLineError(await run('predict', '--model', file, '--data', f), msg);
    }
    // without a header the columns are taken in the training order, with a note
    const bare = t.write('bare.csv', csv(null, rows));
    const r = await run('predict', '--model', file, '--data', bare);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^note: '.*bare\.csv' has no header; its columns are taken in the training order \(a, b, c\)/);
  });
  it("text output prints counts as integers: 'rows 569', not 569.000", async () => {
    const { file } = await fitOut('bc.json', '--data', 'breast_cancer', '--lambda', '1', '--model', 'gated-relu', '--patterns', '10', '--max-iters', '5000');
    const r = await run('predict', '--model', file, '--data', 'breast_cancer');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^rows\s+569\n/);
  });
});

describe('malformed run files are one-line typed errors (was: TypeError with a stack trace)', () => {
  it('preprocessing: {}, JSON null, a binary run without classes, a run without a network, a compare run', async () => {
    const { file, run: good } = await fitOut('good.json', '--data', binary, '--lambda', '0.5', '--model', 'gated-relu', '--patterns', '10');
    const full = JSON.parse(readFileSync(file, 'utf8'));
    const write = (name: string, v: unknown) => t.write(name, JSON.stringify(v));
    expectOneLineError(await run('predict', '--model', write('empty-pre.json', { ...full, preprocessing: {} }), '--data', binary), /PARSE_ERROR.*run\.preprocessing\.task: missing/);
    expectOneLineError(await run('predict', '--model', write('null.json', null), '--data', binary), /PARSE_ERROR.*run: expected a JSON object, got null/);
    const { classes: _c, ...noClasses } = full.preprocessing;
    expectOneLineError(await run('predict', '--model', write('no-classes.json', { ...full, preprocessing: noClasses }), '--data', binary), /run\.preprocessing\.classes: missing: a binary run needs exactly 2 class names/);
    const { network: _n, ...noNet } = full;
    expectOneLineError(await run('predict', '--model', write('no-net.json', noNet), '--data', binary), /a 'fit' run without run\.network/);
    expectOneLineError(await run('predict', '--model', write('bad-mean.json', { ...full, preprocessing: { ...full.preprocessing, mean: [0, 0, 'x'] } }), '--data', binary), /run\.preprocessing\.mean\[2\]: expected a number/);
    const cmp = await run('compare', '--data', binary, '--lambda', '1', '--epochs', '2', '--patterns', '5', '--out', t.path('cmp.json'));
    expect(cmp.code, cmp.err).toBe(0);
    expectOneLineError(await run('predict', '--model', t.path('cmp.json'), '--data', binary), /a 'compare' run without run\.network and run\.preprocessing/);
    expect(good.status).toBe('optimal');
  });
});

describe('predict reads every run kind fit writes (was: BN, layer-wise, separable, linear, circular refused)', () => {
  // predicting the training file (no split) must give the fit's own training metric
  it('fully connected relu and gated-relu, with and without bias', async () => {
    for (const model of ['relu', 'gated-relu']) {
      const { file, run: f } = await fitOut(`fc-${model}.json`, '--data', regression, '--lambda', '1', '--model', model, '--bias', '--patterns', '10');
      const p = json(await run('predict', '--model', file, '--data', regression, '--json'));
      expect([p.network, p.n]).toEqual([model, 30]);
      expect(p.MSE).toBeCloseRel(f.trainMSE, 1e-10);
    }
  });
  it('CNN variants: pooled, separable, linear, circular (and a separable run written before model JSON carried its geometry)', async () => {
    const img = gaussianRows(24, 16, (x) => (x[0]! + x[5]! > 2 ? 'v' : 'h'), 4);
    const images = t.write('img.csv', csv([...Array.from({ length: 16 }, (_, k) => `p${k}`), 'label'], img));
    const common = ['--data', images, '--arch', 'cnn', '--image-shape', '4x4x1', '--lambda', '0.5', '--loss', 'squared', '--tol', '1e-4'];
    const variants: Array<[string, string[]]> = [
      ['gated-relu', ['--kernel', '2', '--patterns', '6']],
      ['separable', ['--kernel', '2', '--stride', '2', '--patterns', '6', '--standardize', 'none']],
      ['linear', ['--kernel', '3']],
    ];
    for (const [model, extra] of variants) {
      const { file, run: f } = await fitOut(`cnn-${model}.json`, ...common, '--model', model, ...extra);
      const p = json(await run('predict', '--model', file, '--data', images, '--json'));
      expect(p.accuracy, model).toBeCloseRel(f.trainAccuracy, 1e-12);
    }
    const circ = await fitOut('cnn-circular.json', '--data', images, '--arch', 'cnn', '--image-shape', '1x16x1', '--kernel', '1', '--model', 'circular', '--loss', 'squared', '--lambda', '2');
    expect(json(await run('predict', '--model', circ.file, '--data', images, '--json')).accuracy).toBeCloseRel(circ.run.trainAccuracy, 1e-12);
    // older files: the separable network without imageShape/kernel/stride/padding, geometry from `architecture`
    const sep = JSON.parse(readFileSync(t.path('cnn-separable.json'), 'utf8'));
    const { imageShape: _i, kernel: _k, stride: _s, padding: _p, ...bare } = sep.network;
    writeFileSync(t.path('cnn-separable-old.json'), JSON.stringify({ ...sep, network: bare }));
    const old = json(await run('predict', '--model', t.path('cnn-separable-old.json'), '--data', images, '--json'));
    expect(old.accuracy).toBeCloseRel(sep.trainAccuracy, 1e-12);
  });
  it('BN (every placement) and layer-wise runs', async () => {
    for (const placement of ['scale', 'centred', 'before']) {
      const { file, run: f } = await fitOut(`bn-${placement}.json`, '--data', regression, '--arch', 'bn', '--bn-placement', placement, '--lambda', '0.5', '--patterns', '8');
      const p = json(await run('predict', '--model', file, '--data', regression, '--json'));
      expect(p.network).toBe('bn');
      expect(p.MSE, placement).toBeCloseRel(f.trainMSE, 1e-10);
    }
    const lw = await fitOut('layerwise.json', '--data', binary, '--layerwise', '2', '--lambda', '0.1', '--patterns', '8', '--max-iters', '20000');
    const p = json(await run('predict', '--model', lw.file, '--data', binary, '--json'));
    expect(p.network).toBe('layerwise');
    expect(p.accuracy).toBeCloseRel(lw.run.trainAccuracy, 1e-12);
  });
});
