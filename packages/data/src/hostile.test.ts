/**
 * The loader cases of issue 15 (a hostile-input probe of `cvxnn fit`): each is reproduced on the
 * text or file that misled the old reader, with the expected reading worked out by hand.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CvxnnError, Matrix } from '@cvxnn/linalg';
import { alignCsv, loadAligned } from './align.js';
import { loadDataset } from './bundled.js';
import { guessDelimiter, parseCsv } from './csv.js';
import { readInput } from './file.js';
import { encodeLabels } from './table.js';
import { applyStandardizer, fitStandardizer } from './transform.js';

function errorOf(f: () => unknown): CvxnnError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CvxnnError);
    return e as CvxnnError;
  }
  throw new Error('expected a CvxnnError');
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-hostile-'));
function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('header detection', () => {
  it('a headerless first row with an empty cell is data with a missing value, not a header', () => {
    const e = errorOf(() => parseCsv('1,,0\n2,3,1\n4,5,0\n'));
    expect(e.code).toBe('MISSING_VALUE');
    expect(e.message).toMatch(/row 1 \(line 1\), column 2/);
    const kept = parseCsv('1,,0\n2,3,1\n4,5,0\n', { missing: 'drop' });
    expect(kept.featureNames).toEqual(['x0', 'x1']);
    expect(kept.X.toArrays()).toEqual([[2, 3], [4, 5]]);
    expect(kept.droppedRows).toEqual([1]);
  });
  it('a numeric header 0, 1, …, d (pandas column indices) is a header; a first row 1, 2, 3 stays data', () => {
    const ds = parseCsv('0,1,2,3\n0.5,1.5,2.5,1\n-1,2,0.25,0\n');
    expect(ds.featureNames).toEqual(['0', '1', '2']);
    expect(ds.labelName).toBe('3');
    expect(ds.X.rows).toBe(2);
    expect(parseCsv('1,2,3\n4,5,6.5\n').X.rows).toBe(2);
    // header: false keeps the index row as data
    expect(parseCsv('0,1,2,3\n0.5,1.5,2.5,1\n-1,2,0.25,0\n', { header: false }).X.rows).toBe(3);
  });
  it('a quoted header with commas inside the names', () => {
    const ds = parseCsv('"radius, mean","area, worst",diagnosis\n1,2,M\n3,4,B\n');
    expect(ds.featureNames).toEqual(['radius, mean', 'area, worst']);
    expect(ds.X.toArrays()).toEqual([[1, 2], [3, 4]]);
  });
});

describe('delimiters, BOM, CRLF', () => {
  it("a ';'-separated file (also with decimal commas and a quoted comma in the header) is split on ';'", () => {
    expect(guessDelimiter('a;b;y\n1;2;0\n')).toBe(';');
    expect(guessDelimiter('a;b;y\n1,5;2,25;0\n3,5;1;1\n')).toBe(';'); // 2 commas on one line, 0 on the header
    expect(guessDelimiter('"x, y, z";b;y\n1;2;0\n')).toBe(';');
    const ds = parseCsv('a;b;y\n1;2;0\n3;4;1\n');
    expect(ds.featureNames).toEqual(['a', 'b']);
    expect(ds.X.toArrays()).toEqual([[1, 2], [3, 4]]);
    // a decimal comma is not a number (refused, not split into two cells)
    const e = errorOf(() => parseCsv('a;b;y\n1,5;2;0\n3,5;1;1\n'));
    expect(e.code).toBe('NON_NUMERIC');
    expect(e.message).toContain("'1,5'");
    // an explicit delimiter wins over detection
    expect(parseCsv('a|b|y\n1|2|0\n3|4|1\n', { delimiter: '|' }).X.toArrays()).toEqual([[1, 2], [3, 4]]);
  });
  it('a UTF-8 BOM and CRLF line ends, on the plain and on the quoted path', () => {
    for (const text of ['\ufeffa,b,y\r\n1,2,0\r\n3,4,1\r\n', '\ufeff"a","b","y"\r\n1,2,0\r\n3,4,1\r\n']) {
      const ds = parseCsv(text);
      expect(ds.featureNames).toEqual(['a', 'b']);
      expect(ds.labelName).toBe('y');
      expect(ds.X.toArrays()).toEqual([[1, 2], [3, 4]]);
    }
  });
});

describe('missing values and labels', () => {
  it("an 'NA' label is a missing label, not a third class; missing: 'drop' leaves the row out", () => {
    const text = 'a,y\n1,A\n2,B\n3,NA\n4,A\n';
    const e = errorOf(() => parseCsv(text));
    expect(e.code).toBe('MISSING_VALUE');
    expect(e.message).toMatch(/missing label 'NA' at row 3 \(line 4\)/);
    const ds = parseCsv(text, { missing: 'drop' });
    expect(ds.classes).toEqual(['A', 'B']);
    expect(ds.task).toBe('binary');
    expect(Array.from(ds.y)).toEqual([0, 1, 0]);
    expect(ds.droppedRows).toEqual([3]);
    expect(errorOf(() => parseCsv('a,y\n,1\nNA,2\n', { missing: 'drop' })).code).toBe('EMPTY_DATA');
    expect(errorOf(() => parseCsv(text, { missing: 'skip' as never })).code).toBe('INVALID_OPTION');
  });
});

describe('numbers', () => {
  it("'0x1f' is refused as non-numeric (JavaScript's Number would read 31)", () => {
    expect(Number('0x1f')).toBe(31); // the trap
    const e = errorOf(() => parseCsv('a,b,y\n1,0x1f,0\n2,3,1\n'));
    expect(e.code).toBe('NON_NUMERIC');
    expect(e.message).toMatch(/'0x1f' at row 1 \(line 2\), column 2 'b' \(hexadecimal/);
    expect(errorOf(() => parseCsv('a,y\n1e309,0\n2,1\n')).message).toMatch(/'1e309'.*outside the fp64 range/);
  });
  it('a ±1.5e308 column is standardized without overflow: mean 0, std 1.5e308, entries ±1', () => {
    // closed form: values ±M in equal numbers have mean 0 and population std M
    const M = 1.5e308;
    const ds = parseCsv(`a,b,y\n${M},1,0\n${-M},2,1\n${M},3,0\n${-M},4,1\n`);
    expect(ds.X.get(0, 0)).toBe(M);
    const s = fitStandardizer(ds.X);
    expect(s.mean[0]).toBe(0);
    expect(s.scale[0]).toBeCloseRel(M, 1e-15);
    expect(s.constantColumns).toEqual([]);
    const Z = applyStandardizer(ds.X, s);
    expect(Array.from(Z.colCopy(0))).toAllClose([1, -1, 1, -1], { rtol: 1e-15, atol: 0 });
    // b = 1..4: mean 2.5, std √1.25
    expect(Array.from(Z.colCopy(1))).toAllClose([-1.5, -0.5, 0.5, 1.5].map((v) => v / Math.sqrt(1.25)), { rtol: 1e-14, atol: 1e-15 });
    // uneven: [M, M, −M] has mean M/3 and std M·√(8/9)
    const u = fitStandardizer(Matrix.from([[M], [M], [-M]]));
    expect(u.mean[0]).toBeCloseRel(M / 3, 1e-15);
    expect(u.scale[0]).toBeCloseRel(M * Math.sqrt(8 / 9), 1e-15);
    const Zu = applyStandardizer(Matrix.from([[M], [-M]]), u);
    expect(Array.from(Zu.data)).toAllClose([(2 / 3) / Math.sqrt(8 / 9), (-4 / 3) / Math.sqrt(8 / 9)], { rtol: 1e-14, atol: 0 });
  });
});

describe('duplicate header names', () => {
  it('a duplicated name given as the label column is refused (it would leave a copy of the label among the features)', () => {
    const text = 'y,a,y\n1,2,1\n0,3,0\n1,4,1\n';
    const e = errorOf(() => parseCsv(text, { labelColumn: 'y' }));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toMatch(/label column 'y' is ambiguous: columns 1 and 3/);
    // chosen by position, the label's name must still be unique
    expect(errorOf(() => parseCsv(text)).message).toMatch(/columns 1 and 3 are all named 'y'/);
    expect(errorOf(() => parseCsv(text, { labelColumn: 2 })).code).toBe('INVALID_OPTION');
  });
  it('duplicated feature names that are not the label load (they matter only when matching by name)', () => {
    const ds = parseCsv('a,a,y\n1,2,0\n3,4,1\n');
    expect(ds.featureNames).toEqual(['a', 'a']);
  });
});

describe("labelColumn: 'none'", () => {
  it('reads every column as a feature (a gates matrix, patterns without labels)', () => {
    const ds = parseCsv('g1,g2\n1,0.5\n-1,2\n', { labelColumn: 'none' });
    expect([ds.featureNames, ds.X.toArrays(), ds.labelName, ds.task]).toEqual([['g1', 'g2'], [[1, 0.5], [-1, 2]], '', 'regression']);
    expect(parseCsv('1,0.5\n-1,2\n', { labelColumn: 'none' }).X.rows).toBe(2);
  });
});

describe('readInput: regular files under a byte limit, gzip', () => {
  it('/dev/zero and directories are refused before reading', () => {
    expect(errorOf(() => readInput('/dev/zero')).message).toMatch(/not a regular file/);
    expect(errorOf(() => loadDataset('/dev/zero')).code).toBe('IO_ERROR');
    expect(errorOf(() => readInput(dir)).message).toMatch(/directory/);
  });
  it('a file over the limit, and a gzip that inflates past it, are refused with the sizes', () => {
    const big = file('big.csv', 'a,y\n' + '1,0\n'.repeat(500)); // 2004 bytes
    const e = errorOf(() => loadDataset(big, { maxBytes: 1000 }));
    expect(e.code).toBe('IO_ERROR');
    expect(e.message).toMatch(/is 2004 bytes, more than the 1000 bytes a data file may have/);
    expect(loadDataset(big).X.rows).toBe(500);
    const bomb = file('bomb.csv.gz', gzipSync('a,y\n' + '0,0\n'.repeat(100000))); // ~1 KB → 400 KB
    expect(errorOf(() => loadDataset(bomb, { maxBytes: 100000 })).message).toMatch(/decompresses to more than/);
  });
  it('.csv.gz and .json.gz read as their uncompressed text', () => {
    const csv = file('t.csv.gz', gzipSync('a,b,y\n1,2,0\n3,4,1\n'));
    const ds = loadDataset(csv);
    expect([ds.name, ds.X.toArrays(), ds.classes]).toEqual(['t', [[1, 2], [3, 4]], ['0', '1']]);
    const json = file('j.json.gz', gzipSync('{"X": [[1], [2]], "y": [0.5, 1.5]}'));
    expect(Array.from(loadDataset(json).y)).toEqual([0.5, 1.5]);
  });
});

describe('loadAligned: new rows for a model', () => {
  const model = { featureNames: ['a', 'b', 'c'], labelName: 'y', labelIndex: 3, task: 'binary' as const, classes: ['no', 'yes'] };
  it('columns in another order are reordered by header name; labels encoded against the model classes', () => {
    const r = alignCsv('c,y,a,b\n3,yes,1,2\n6,no,4,5\n', model);
    expect(r.X.toArrays()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect([r.byName, r.reordered]).toEqual([true, true]);
    expect(r.labels).toEqual(['yes', 'no']);
    expect(Array.from(r.y!)).toEqual([1, 0]);
    const same = alignCsv('a,b,c\n1,2,3\n', model);
    expect([same.reordered, same.y]).toEqual([false, undefined]);
  });
  it('a missing feature, an unknown column, a duplicated name or an unknown class is refused', () => {
    expect(errorOf(() => alignCsv('a,b,y\n1,2,no\n', model)).message).toMatch(/feature 'c' is not a column/);
    expect(errorOf(() => alignCsv('a,b,c,id\n1,2,3,9\n', model)).message).toMatch(/'id' are not features of the model/);
    expect(errorOf(() => alignCsv('a,b,c,c\n1,2,3,3\n', model)).message).toMatch(/columns 3 and 4 are all named 'c'/);
    expect(errorOf(() => alignCsv('a,b,c,y\n1,2,3,maybe\n', model)).message).toMatch(/'maybe'.*not one of the model's classes 'no', 'yes'/);
  });
  it('without a header, the columns are taken in the training order (d, or d + 1 with the label where it was)', () => {
    const r = alignCsv('1,2,3,yes\n4,5,6,no\n', model);
    expect([r.byName, r.X.toArrays(), r.labels]).toEqual([false, [[1, 2, 3], [4, 5, 6]], ['yes', 'no']]);
    const first = alignCsv('yes,1,2,3\n', { ...model, labelIndex: 0 });
    expect([first.X.toArrays(), first.labels]).toEqual([[[1, 2, 3]], ['yes']]);
    expect(alignCsv('1,2,3\n', model).y).toBeUndefined();
    expect(errorOf(() => alignCsv('1,2\n', model)).message).toMatch(/needs 3 columns, or 4 with the label/);
  });
  it('a model trained without a header refuses a file with named columns', () => {
    const m = { featureNames: ['x0', 'x1'], task: 'regression' as const };
    expect(errorOf(() => alignCsv('p,q\n1,2\n', m)).message).toMatch(/trained on a file without a header/);
  });
  it('numeric classes match by value; missing cells are typed errors or dropped rows', () => {
    expect(Array.from(encodeLabels(['1.0', '0', '2'], 'auto', 'y', 'd', ['0', '1', '2']).y)).toEqual([1, 0, 2]);
    const m = { featureNames: ['a'], labelName: 'y', labelIndex: 1, task: 'regression' as const };
    expect(errorOf(() => alignCsv('a,y\nNA,1\n2,3\n', m)).code).toBe('MISSING_VALUE');
    const r = alignCsv('a,y\nNA,1\n2,3\n', m, { missing: 'drop' });
    expect([r.X.toArrays(), Array.from(r.y!), r.droppedRows]).toEqual([[[2]], [3], [1]]);
  });
  it('reads JSON {X, y, featureNames} files by name too', () => {
    const p = file('new.json', JSON.stringify({ X: [[3, 1, 2]], y: ['yes'], featureNames: ['c', 'a', 'b'], labelName: 'y' }));
    const r = loadAligned(p, model);
    expect([r.X.toArrays(), Array.from(r.y!), r.reordered]).toEqual([[[1, 2, 3]], [1], true]);
  });
});
