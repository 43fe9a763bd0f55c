import { describe, expect, it } from 'vitest';
import { CvxnnError } from '@cvxnn/linalg';
import { inspectCsv, loadCsv, parseCsv } from './csv.js';
import { loadJson } from './json.js';

function codeOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CvxnnError);
    return { code: (e as CvxnnError).code, message: (e as Error).message };
  }
  throw new Error('expected a CvxnnError');
}

describe('parseCsv: header and label column', () => {
  it('detects a header and reads features and numeric labels', () => {
    const ds = parseCsv('a,b,y\n1,2,0.5\n3,4.5,-1e-2\n');
    expect(ds.featureNames).toEqual(['a', 'b']);
    expect(ds.labelName).toBe('y');
    expect(Array.from(ds.X.data)).toAllClose([1, 2, 3, 4.5], { rtol: 0, atol: 0 });
    expect(Array.from(ds.y)).toAllClose([0.5, -0.01], { rtol: 0, atol: 0 });
    expect(ds.task).toBe('regression');
    expect(ds.classes).toBeUndefined();
  });
  it('no header: generated names x0.., first row is data', () => {
    const ds = parseCsv('1,2,3\n4,5,6.5\n');
    expect(ds.X.rows).toBe(2);
    expect(ds.featureNames).toEqual(['x0', 'x1']);
    expect(ds.labelName).toBe('x2');
  });
  it('header detected when only the label cell is text and the labels below are numbers', () => {
    const ds = parseCsv('0,1,label\n1,2,0\n3,4,1\n');
    expect(ds.featureNames).toEqual(['0', '1']);
    expect(ds.X.rows).toBe(2);
  });
  it('a text label in the first row with text labels below is data, not a header', () => {
    const ds = parseCsv('1,2,M\n3,4,B\n5,6,M\n');
    expect(ds.X.rows).toBe(3);
    expect(ds.classes).toEqual(['B', 'M']);
    expect(Array.from(ds.y)).toEqual([1, 0, 1]);
  });
  it('header: true / false override detection', () => {
    expect(parseCsv('1,2,3\n4,5,6\n', { header: true }).featureNames).toEqual(['1', '2']);
    expect(codeOf(() => parseCsv('a,b\n1,2\n', { header: false })).code).toBe('NON_NUMERIC');
  });
  it('label column by first, index, negative index and name', () => {
    const text = 'y,a,b\n1.5,2,3\n4.5,5,6\n';
    const first = parseCsv(text, { labelColumn: 'first' });
    expect(Array.from(first.y)).toEqual([1.5, 4.5]);
    expect(first.featureNames).toEqual(['a', 'b']);
    const byIdx = parseCsv(text, { labelColumn: 1 });
    expect(byIdx.labelName).toBe('a');
    expect(byIdx.featureNames).toEqual(['y', 'b']);
    expect(Array.from(byIdx.X.data)).toAllClose([1.5, 3, 4.5, 6], { rtol: 0, atol: 0 });
    expect(parseCsv(text, { labelColumn: -2 }).labelName).toBe('a');
    expect(parseCsv(text, { labelColumn: '2' }).labelName).toBe('b');
    expect(parseCsv(text, { labelColumn: 'b' }).featureNames).toEqual(['y', 'a']);
  });
  it('an unknown label name lists the available names', () => {
    const e = codeOf(() => parseCsv('a,b,c\n1,2,3\n', { labelColumn: 'target' }));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toMatch(/unknown label column 'target'.*'a', 'b', 'c'/);
  });
  it('an out-of-range index and a name without header are refused', () => {
    expect(codeOf(() => parseCsv('1,2\n3,4\n', { labelColumn: 5 })).message).toMatch(/out of range for 2 columns/);
    expect(codeOf(() => parseCsv('1,2\n3,4\n', { labelColumn: 'y', header: false })).code).toBe('INVALID_OPTION');
  });
  it('semicolon and tab delimiters are detected; quoted fields parse', () => {
    const semi = parseCsv('a;b;y\n1;2;3\n4;5;6\n');
    expect(Array.from(semi.X.data)).toAllClose([1, 2, 4, 5], { rtol: 0, atol: 0 });
    const tab = parseCsv('a\tb\ty\n1\t2\t3\n');
    expect(tab.featureNames).toEqual(['a', 'b']);
    const q = parseCsv('"a","b","kind"\n1,2,"x, y"\n3,4,"z"\n');
    expect(q.classes).toEqual(['x, y', 'z']);
  });
});

describe('parseCsv: labels and task', () => {
  it('text labels become classes in sorted order, and are reported', () => {
    const ds = parseCsv('f,diag\n1,M\n2,B\n3,M\n4,B\n');
    expect(ds.task).toBe('binary');
    expect(ds.classes).toEqual(['B', 'M']);
    expect(Array.from(ds.y)).toEqual([1, 0, 1, 0]);
  });
  it('numeric class labels are ordered numerically (2 < 10)', () => {
    const ds = parseCsv('f,c\n1,10\n2,2\n3,1\n4,2\n5,10\n6,1\n');
    expect(ds.task).toBe('multiclass');
    expect(ds.classes).toEqual(['1', '2', '10']);
    expect(Array.from(ds.y)).toEqual([2, 1, 0, 1, 2, 0]);
  });
  it('integer labels with more than 20 distinct values, or fractional ones, are regression', () => {
    const many = 'f,y\n' + Array.from({ length: 25 }, (_, i) => `${i},${i}`).join('\n');
    expect(parseCsv(many).task).toBe('regression');
    expect(parseCsv('f,y\n1,0.5\n2,1\n').task).toBe('regression');
    const twenty = 'f,y\n' + Array.from({ length: 40 }, (_, i) => `${i},${i % 20}`).join('\n');
    expect(parseCsv(twenty).task).toBe('multiclass');
    // three or more integer classes need two rows per class on average: 1, 2, 3 over 3 rows is a regression
    expect(parseCsv('f,y\n1,1\n2,2\n3,3\n').task).toBe('regression');
    expect(parseCsv('f,y\n1,1\n2,2\n3,3\n4,1\n5,2\n6,3\n').task).toBe('multiclass');
    expect(parseCsv('f,y\n1,1\n2,2\n').task).toBe('binary');
  });
  it('requested task must match the labels', () => {
    const three = 'f,y\n1,a\n2,b\n3,c\n';
    const e1 = codeOf(() => parseCsv(three, { task: 'binary' }));
    expect(e1.code).toBe('INVALID_OPTION');
    expect(e1.message).toMatch(/exactly 2 classes.*has 3/);
    const e2 = codeOf(() => parseCsv(three, { task: 'regression' }));
    expect(e2.code).toBe('INVALID_OPTION');
    expect(e2.message).toMatch(/numeric labels.*'a'/);
    expect(codeOf(() => parseCsv('f,y\n1,0.5\n2,1.5\n', { task: 'multiclass' })).code).toBe('INVALID_OPTION');
    expect(codeOf(() => parseCsv('f,y\n1,a\n2,a\n')).message).toMatch(/single class/);
    expect(codeOf(() => parseCsv(three, { task: 'nope' as never })).code).toBe('INVALID_OPTION');
    // integer labels requested as regression stay numbers
    const r = parseCsv('f,y\n1,3\n2,7\n', { task: 'regression' });
    expect(Array.from(r.y)).toEqual([3, 7]);
    // two classes requested as multiclass are kept as such
    expect(parseCsv('f,y\n1,0\n2,1\n', { task: 'multiclass' }).task).toBe('multiclass');
  });
});

describe('parseCsv: errors name row and column', () => {
  it('missing values (empty, NA, NaN, ?) ⇒ MISSING_VALUE with row, line and column', () => {
    for (const tok of ['', 'NA', 'NaN', '?']) {
      const e = codeOf(() => parseCsv(`a,bmi,y\n1,2,3\n4,${tok},6\n`));
      expect(e.code).toBe('MISSING_VALUE');
      expect(e.message).toMatch(/row 2 \(line 3\), column 2 'bmi'/);
    }
    const lab = codeOf(() => parseCsv('a,y\n1,2\n4,NA\n'));
    expect(lab.code).toBe('MISSING_VALUE');
    expect(lab.message).toMatch(/label.*row 2/);
  });
  it('non-numeric feature ⇒ NON_NUMERIC naming row, column and value', () => {
    const e = codeOf(() => parseCsv('a,b,y\n1,2,3\n4,5,6\n7,abc,9\n'));
    expect(e.code).toBe('NON_NUMERIC');
    expect(e.message).toMatch(/'abc' at row 3 \(line 4\), column 2 'b'/);
  });
  it('ragged rows ⇒ PARSE_ERROR with the row number', () => {
    const e = codeOf(() => parseCsv('a,b,y\n1,2,3\n4,5\n'));
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.message).toMatch(/row 2 \(line 3\) has 2 fields.*header has 3/);
  });
  it('line numbers account for blank lines and quoted newlines', () => {
    const e = codeOf(() => parseCsv('a,b,y\n\n1,2,"p\nq"\n4,x,6\n'));
    expect(e.message).toMatch(/row 2 \(line 5\)/);
  });
  it('empty text, whitespace and header-only ⇒ EMPTY_DATA; a single column ⇒ EMPTY_DATA', () => {
    expect(codeOf(() => parseCsv('')).code).toBe('EMPTY_DATA');
    expect(codeOf(() => parseCsv('\n  \n')).code).toBe('EMPTY_DATA');
    expect(codeOf(() => parseCsv('a,b,y\n')).code).toBe('EMPTY_DATA');
    expect(codeOf(() => parseCsv('y\n1\n2\n')).code).toBe('EMPTY_DATA');
  });
  it('unclosed quote ⇒ PARSE_ERROR', () => {
    expect(codeOf(() => parseCsv('a,b\n1,"2\n')).code).toBe('PARSE_ERROR');
  });
  it('nonexistent path ⇒ IO_ERROR naming the path', () => {
    const e = codeOf(() => loadCsv('/no/such/file.csv'));
    expect(e.code).toBe('IO_ERROR');
    expect(e.message).toMatch(/\/no\/such\/file\.csv.*no such file/);
  });
});

describe('inspectCsv collects every problem', () => {
  it('reports each missing and non-numeric cell in file order', () => {
    const r = inspectCsv('a,b,y\n1,NA,0\nz,2,1\n3,4,?\n5,6,1\n');
    expect(r.problemCount).toBe(3);
    expect(r.problems.map((p) => [p.code, p.row, p.column, p.value])).toEqual([
      ['MISSING_VALUE', 1, 1, 'NA'],
      ['NON_NUMERIC', 2, 0, 'z'],
      ['MISSING_VALUE', 3, 2, '?'],
    ]);
    expect(r.dataset.X.rows).toBe(4);
    expect(r.dataset.task).toBe('binary');
    expect(Number.isNaN(r.dataset.y[2]!)).toBe(true);
    const capped = inspectCsv('a,y\nx,1\nx,2\nx,3\n', {}, 2);
    expect(capped.problemCount).toBe(3);
    expect(capped.problems).toHaveLength(2);
  });
});

describe('loadJson', () => {
  it('reads row arrays (label last) and {X, y}, the same numbers as the equivalent CSV', () => {
    const a = loadJson('[[1, 2, "M"], [3, 4, "B"]]');
    const c = parseCsv('1,2,M\n3,4,B\n');
    expect(Array.from(a.X.data)).toAllClose(Array.from(c.X.data), { rtol: 0, atol: 0 });
    expect(Array.from(a.y)).toEqual(Array.from(c.y));
    expect(a.classes).toEqual(['B', 'M']);
    const b = loadJson('{"X": [[1, 2], [3, 4], [5, 6]], "y": [0.5, 1.5, 2.5], "featureNames": ["p", "q"], "labelName": "t"}');
    expect(b.featureNames).toEqual(['p', 'q']);
    expect(b.labelName).toBe('t');
    expect(b.task).toBe('regression');
    const plain = loadJson('{"X": [[1], [2]], "y": [0, 1]}');
    expect(plain.labelName).toBe('y');
    expect(plain.task).toBe('binary');
  });
  it('validates like CSV: null is missing, strings in features are non-numeric, lengths must match', () => {
    expect(codeOf(() => loadJson('[[1, null, 3]]')).code).toBe('MISSING_VALUE');
    expect(codeOf(() => loadJson('{"X": [[1, "a"]], "y": [1]}')).message).toMatch(/'a' at row 1, column 2/);
    expect(codeOf(() => loadJson('{"X": [[1], [2]], "y": [1]}')).code).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => loadJson('[[1, 2], [3]]')).code).toBe('PARSE_ERROR');
    expect(codeOf(() => loadJson('{"X": ')).code).toBe('PARSE_ERROR');
    expect(codeOf(() => loadJson('[]')).code).toBe('EMPTY_DATA');
    expect(codeOf(() => loadJson('/no/such.json')).code).toBe('IO_ERROR');
  });
});

describe('quote-free fast path', () => {
  it('gives the same records as csv-parse (forced by a quoted dummy line) on edge cases and random tables', async () => {
    const { readCsvRecords, splitPlain } = await import('./csv.js');
    const { Rng } = await import('@cvxnn/linalg');
    const rng = new Rng(3);
    const random = Array.from({ length: 30 }, () => Array.from({ length: 4 }, () => (rng.uniform() < 0.1 ? ' NA ' : rng.normal().toFixed(3))).join(',')).join('\n');
    const cases = ['a,b\n1,2\n', 'a,b\r\n1, 2 \r\n\r\n3,4', '\ufeffa,b\n\n\n1,2\n', 'a,b,\n1,2,\n', 'x\n  \n1', 'a;b\n1;2', 'a\tb\n\t\n1\t2', random];
    for (const t of cases) {
      const delim = t.includes(';') ? ';' : t.includes('\t') ? '\t' : ',';
      // A leading quoted line sends the text through csv-parse; drop that record and shift lines back.
      const viaCsvParse = readCsvRecords(`"q"${t.includes('\r\n') ? '\r\n' : '\n'}${t.replace(/^\ufeff/, '')}`, delim).slice(1).map((r) => ({ cells: r.cells, line: r.line - 1 }));
      expect(splitPlain(t, delim)).toEqual(viaCsvParse);
    }
  });
});

describe('more input shapes', () => {
  it('a directory path is an IO_ERROR; JSON rows honour labelColumn', async () => {
    const os = await import('node:os');
    expect(codeOf(() => loadCsv(os.tmpdir())).code).toBe('IO_ERROR');
    const ds = loadJson('[["y", "a"], ["M", 1], ["B", 2]]', { labelColumn: 'first' });
    expect(ds.labelName).toBe('y');
    expect(ds.featureNames).toEqual(['a']);
    expect(ds.classes).toEqual(['B', 'M']);
  });
});
