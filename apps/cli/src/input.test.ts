/**
 * Issue 15, data: every command reads through @cvxnn/data. Each case is a file the old private
 * reader of `cvxnn fit` misread (the reading it gave is noted), run through the CLI.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { run } from '../test/run.js';
import { csv, gaussianRows, tempFiles } from '../test/files.js';

const t = tempFiles('cvxnn-input-');
const fit = (...args: string[]) => run('fit', '--lambda', '1', '--model', 'gated-relu', '--patterns', '8', ...args, '--json');
const json = (r: { out: string }) => JSON.parse(r.out);

const rows = gaussianRows(40, 2, (x) => (x[0] > 1 ? 'yes' : 'no'));
const plain = t.write('plain.csv', csv(['a', 'b', 'y'], rows));

describe('the loader of cvxnn fit is @cvxnn/data', () => {
  it('a headerless first row with an empty cell is a missing value, not a header (was: taken as the header and dropped)', async () => {
    const f = t.write('empty-cell.csv', csv(null, [['1.5', '', 'no'], ...rows]));
    const r = await fit('--data', f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error \[MISSING_VALUE\]: empty-cell: missing value '' at row 1 \(line 1\), column 2 .*--drop-missing\)\n$/);
    const kept = json(await fit('--data', f, '--drop-missing'));
    expect(kept.data.n).toBe(40);
    expect(kept.data.droppedRows).toBe(1);
    expect(kept.preprocessing.featureNames).toEqual(['x0', 'x1']);
  });
  it("an 'NA' label is a missing label, not a third class (was: classes NA/no/yes)", async () => {
    const f = t.write('na-label.csv', csv(['a', 'b', 'y'], [...rows, ['0.5', '0.5', 'NA']]));
    const r = await fit('--data', f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/MISSING_VALUE.*missing label 'NA' at row 41/);
    const j = json(await fit('--data', f, '--drop-missing'));
    expect(j.data.classes).toEqual(['no', 'yes']);
    expect(j.data.task).toBe('binary');
  });
  it("'0x1f' is refused as non-numeric (was: read as 31)", async () => {
    const f = t.write('hex.csv', csv(['a', 'b', 'y'], [['0x1f', '1', 'no'], ...rows]));
    const r = await fit('--data', f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/NON_NUMERIC.*'0x1f' at row 1 \(line 2\), column 1 'a' \(hexadecimal/);
  });
  it('a duplicated header name given as --label-column is refused (was: the first one taken, the second — the real label — left among the features)', async () => {
    const f = t.write('dup.csv', csv(['y', 'b', 'y'], rows.map((r) => [r[2] === 'yes' ? '1' : '0', r[1]!, r[2] === 'yes' ? '1' : '0'])));
    const r = await fit('--data', f, '--label-column', 'y');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/INVALID_OPTION.*label column 'y' is ambiguous: columns 1 and 3/);
  });
  it('a numeric header row 0,1,2 (pandas column names) is a header (was: read as a data row)', async () => {
    const f = t.write('index-header.csv', csv(['0', '1', '2'], rows));
    const j = json(await fit('--data', f));
    expect(j.data.n).toBe(40);
    expect(j.preprocessing.featureNames).toEqual(['0', '1']);
    expect(j.preprocessing.labelName).toBe('2');
  });
  it('a quoted header with commas (was: refused), a ;-separated file (was: "no feature columns"), a tab file and --delimiter', async () => {
    const q = t.write('quoted.csv', csv(['"radius, mean"', '"area, worst"', 'y'], rows));
    expect(json(await fit('--data', q)).preprocessing.featureNames).toEqual(['radius, mean', 'area, worst']);
    const semi = t.write('semi.csv', csv(['a', 'b', 'y'], rows, ';'));
    const js = json(await fit('--data', semi));
    expect([js.data.n, js.data.d]).toEqual([40, 2]);
    const tab = t.write('tab.tsv', csv(['a', 'b', 'y'], rows, '\t'));
    expect(json(await fit('--data', tab)).data.d).toBe(2);
    const pipe = t.write('pipe.txt', csv(['a', 'b', 'y'], rows, '|'));
    expect(json(await fit('--data', pipe, '--delimiter', '|')).data.d).toBe(2);
    expect((await fit('--data', pipe, '--delimiter', '||')).code).toBe(2);
  });
  it('the same numbers from CSV with BOM and CRLF, .csv.gz, JSON and IDX give the same fit', async () => {
    const base = json(await fit('--data', plain));
    const bom = t.write('bom.csv', '\ufeff' + csv(['a', 'b', 'y'], rows, ',', '\r\n'));
    const gz = t.write('plain.csv.gz', gzipSync(readFileSync(plain)));
    const js = t.write('plain.json', JSON.stringify({ X: rows.map((r) => [Number(r[0]), Number(r[1])]), y: rows.map((r) => r[2]), featureNames: ['a', 'b'], labelName: 'y' }));
    for (const f of [bom, gz, js]) {
      const j = json(await fit('--data', f));
      expect(j.preprocessing.featureNames, f).toEqual(['a', 'b']);
      expect(j.objective, f).toBeCloseRel(base.objective, 1e-12);
    }
    // IDX: 6 images of 1×2 pixels (unsigned bytes, scaled by 1/255) with labels 0/1
    const px = [10, 200, 30, 40, 250, 5, 90, 90, 0, 255, 128, 64];
    const labels = [0, 1, 0, 1, 1, 0];
    const images = t.write('toy-images-idx3-ubyte', Buffer.from([0, 0, 8, 3, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 2, ...px]));
    t.write('toy-labels-idx1-ubyte', Buffer.from([0, 0, 8, 1, 0, 0, 0, 6, ...labels]));
    const ji = json(await run('fit', '--data', images, '--lambda', '0.1', '--patterns', '2', '--standardize', 'none', '--json'));
    expect([ji.data.n, ji.data.d, ji.data.task, ji.data.classes]).toEqual([6, 2, 'binary', ['0', '1']]);
  });
  it('a ±1.5e308 column is standardized without overflow (was: zeroed) and predict reproduces the fit; --standardize none refuses it', async () => {
    const M = 1.5e308;
    const big = rows.map((r, i) => [String(i % 2 ? M : -M), r[1]!, r[2]!]);
    const f = t.write('huge.csv', csv(['a', 'b', 'y'], big));
    const out = t.path('huge.json');
    const r = await fit('--data', f, '--out', out);
    expect(r.code, r.err).toBe(0);
    const j = json(r);
    // closed form: ±M in equal numbers have mean 0 and population std M
    expect(j.preprocessing.mean[0]).toBe(0);
    expect(j.preprocessing.std[0]).toBeCloseRel(M, 1e-15);
    const p = json(await run('predict', '--model', out, '--data', f, '--json'));
    expect(p.accuracy).toBeCloseRel(j.trainAccuracy, 1e-12);
    const none = await fit('--data', f, '--standardize', 'none');
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/--standardize none: feature 'a' has the entry -1\.5e\+308 .*use --standardize zscore/);
  });
  it('a stratified split: each class keeps its share of the test rows (was: a plain permutation)', async () => {
    // 36 'a' and 4 'b': a 25 % test set of 10 rows holds exactly 9 'a' and 1 'b'. With λ far above
    // λ_max the network is exactly 0 and predicts 'a' (output ≤ 0) everywhere, so the test
    // accuracy is the share of 'a' among the test rows: 9/10 for every seed.
    const skew = t.write('skew.csv', csv(['a', 'b', 'y'], gaussianRows(40, 2, () => '').map((r, i) => [r[0]!, r[1]!, i % 10 === 3 ? 'b' : 'a'])));
    for (const seed of ['0', '1', '2', '3', '4', '5']) {
      const j = json(await run('fit', '--data', skew, '--lambda', '1e6', '--model', 'gated-relu', '--patterns', '4', '--test-fraction', '0.25', '--seed', seed, '--json'));
      expect([j.data.n, j.data.nTest, j.activeNeurons]).toEqual([30, 10, 0]);
      expect(j.testAccuracy, `seed ${seed}`).toBe(0.9);
      expect(j.trainAccuracy).toBe(0.9);
    }
  });
});

describe('paths and bundled datasets', () => {
  it('relative paths resolve against the current folder, not the repository; no machine path in the search or the errors', async () => {
    const here = process.cwd();
    try {
      process.chdir(t.dir);
      expect(json(await fit('--data', 'plain.csv')).data.n).toBe(40);
    } finally {
      process.chdir(here);
    }
    const r = await fit('--data', 'no-such-set');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/IO_ERROR.*no file 'no-such-set' in .*no bundled dataset of that name \(diabetes, breast_cancer, wine, diabetes-bmi, digits8x8\)/);
    expect(r.err).not.toMatch(/\/work\/shared/);
  });
});

describe('--test-data', () => {
  it('scores another file with the training preprocessing; its columns may come in another order', async () => {
    const train = t.write('train.csv', csv(['a', 'b', 'y'], rows.slice(0, 30)));
    const test = t.write('test.csv', csv(['a', 'b', 'y'], rows.slice(30)));
    const shuffled = t.write('test-shuffled.csv', csv(['y', 'b', 'a'], rows.slice(30).map((r) => [r[2]!, r[1]!, r[0]!])));
    const a = json(await fit('--data', train, '--test-data', test));
    const b = json(await fit('--data', train, '--test-data', shuffled));
    expect(a.data.nTest).toBe(10);
    expect(b.testAccuracy).toBe(a.testAccuracy);
    // the test accuracy, recomputed from predict on the test file
    const out = t.path('train.json');
    await fit('--data', train, '--out', out);
    expect(json(await run('predict', '--model', out, '--data', test, '--json')).accuracy).toBe(a.testAccuracy);
    const both = await fit('--data', train, '--test-data', test, '--test-fraction', '0.2');
    expect(both.code).toBe(2);
    const unlabeled = t.write('test-nolabel.csv', csv(['a', 'b'], rows.slice(30).map((r) => [r[0]!, r[1]!])));
    expect((await fit('--data', train, '--test-data', unlabeled)).err).toMatch(/has no label column 'y'/);
  });
});

describe('patterns and fit see the same features', () => {
  it('gates exported by patterns give distinct non-zero patterns on the z-scored rows fit trains on (was: computed on the raw features)', async () => {
    // features far from 0 (mean ≈ 101): raw and z-scored rows have very different arrangements
    const far = gaussianRows(30, 2, (x) => String((x[0]! - x[1]!).toFixed(3)), 7, 100);
    const f = t.write('far.csv', csv(['a', 'b', 'y'], far));
    const gates = t.path('far-gates.csv');
    const p = json(await run('patterns', '--data', f, '--sample', '40', '--seed', '3', '--out', gates, '--json'));
    expect(p.standardize).toBe('zscore');
    // z-score here, independently (population std), and apply the exported gates
    const raw = far.map((r) => [Number(r[0]), Number(r[1])]);
    const mean = [0, 1].map((k) => raw.reduce((s, x) => s + x[k]!, 0) / raw.length);
    const std = [0, 1].map((k) => Math.sqrt(raw.reduce((s, x) => s + (x[k]! - mean[k]!) ** 2, 0) / raw.length));
    const Z = raw.map((x) => [0, 1].map((k) => (x[k]! - mean[k]!) / std[k]!));
    const G = readFileSync(gates, 'utf8').trim().split('\n').map((l) => l.split(',').map(Number));
    const patterns = G[0]!.map((_, j) => Z.map((z) => (z[0]! * G[0]![j]! + z[1]! * G[1]![j]! > 0 ? '1' : '0')).join(''));
    expect(new Set(patterns).size).toBe(p.count);
    expect(patterns).not.toContain('0'.repeat(30));
    // fit standardizes with the same statistics and takes every gate as a pattern
    const out = t.path('far.json');
    const g = await run('fit', '--data', f, '--lambda', '1', '--model', 'gated-relu', '--gates', gates, '--out', out, '--json');
    expect(g.code, g.err).toBe(0);
    const pre = JSON.parse(readFileSync(out, 'utf8')).preprocessing;
    expect(pre.mean).toAllClose(mean, { rtol: 1e-13, atol: 0 });
    expect(pre.std).toAllClose(std, { rtol: 1e-12, atol: 0 });
    // and the same split: patterns --test-fraction leaves out fit's test rows
    const split = json(await run('patterns', '--data', f, '--sample', '40', '--seed', '3', '--test-fraction', '0.2', '--json'));
    expect([split.n, split.testRows]).toEqual([24, 6]);
  });
});

describe('size guards', () => {
  it('--patterns 1e9, patterns --sample 1e9, compare --width 1e9, demo --n 1e9 --d 1000 are refused up front with the estimate and the limit', async () => {
    const cases = [
      ['fit', '--data', plain, '--lambda', '1', '--patterns', '1e9'],
      ['patterns', '--data', plain, '--sample', '1e9'],
      ['compare', '--data', plain, '--lambda', '1', '--width', '1e9', '--epochs', '1'],
      ['demo', '--n', '1e9', '--d', '1000'],
    ];
    for (const c of cases) {
      const t0 = Date.now();
      const r = await run(...c);
      expect(r.code, c.join(' ')).toBe(2);
      expect(r.err, c.join(' ')).toMatch(/^error \[INVALID_OPTION\]: --(patterns|sample|width|n) 1000000000.* needs ~[\d.]+ GB of memory .*; this machine has [\d.]+ GB/);
      expect(Date.now() - t0).toBeLessThan(5000);
    }
  });
  it('--data /dev/zero (and a folder) is refused before reading, not streamed until memory runs out', async () => {
    const r = await fit('--data', '/dev/zero');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/IO_ERROR.*'\/dev\/zero': it is not a regular file/);
    expect((await run('predict', '--model', '/dev/zero', '--data', plain)).err).toMatch(/not a regular file/);
    expect((await run('data', 'info', '--data', '/dev/zero')).err).toMatch(/not a regular file/);
    expect((await fit('--data', t.dir)).err).toMatch(/directory/);
  });
});
