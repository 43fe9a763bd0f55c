import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../test/run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-cli-data-'));
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('cvxnn data info', () => {
  it('bundled wine: n, d, guessed task and class counts (59/71/48, UCI documentation)', async () => {
    const r = await run('data', 'info', '--data', 'wine', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect([j.name, j.n, j.d, j.task, j.taskGuessed, j.labelName]).toEqual(['wine', 178, 13, 'multiclass', true, 'cultivar']);
    expect(j.classes).toEqual([
      { index: 0, label: '0', count: 59 },
      { index: 1, label: '1', count: 71 },
      { index: 2, label: '2', count: 48 },
    ]);
    expect(j.featureNames[0]).toBe('alcohol');
    expect(j.problemCount).toBe(0);
  });
  it('a CSV with text labels, label by name: classes sorted, target stats for regression', async () => {
    const p = file('toy.csv', 'diag,a,b\nM,1,2\nB,3,4\nM,5,6\n');
    const r = await run('data', 'info', '--data', p, '--label-column', 'diag');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/task\s+binary \(guessed/);
    expect(r.out).toMatch(/classes\s+B: 1, M: 2/);
    const reg = file('reg.csv', 'a,y\n1,1\n2,3\n3,0.5\n');
    const j = JSON.parse((await run('data', 'info', '--data', reg, '--json')).out);
    expect(j.task).toBe('regression');
    expect(j.target.mean).toBeCloseRel(1.5, 1e-15, 0);
    expect(j.target.std).toBeCloseRel(Math.sqrt(((1 - 1.5) ** 2 + (3 - 1.5) ** 2 + (0.5 - 1.5) ** 2) / 3), 1e-14, 0);
    expect(j.constantFeatures).toEqual([]);
  });
  it('lists every missing and non-numeric cell with row and column, and exits 2 (bad input)', async () => {
    const p = file('bad.csv', 'a,b,y\n1,NA,0\nfoo,2,1\n3,4,1\n');
    const r = await run('data', 'info', '--data', p, '--json');
    expect(r.code).toBe(2);
    const j = JSON.parse(r.out);
    expect(j.problemCount).toBe(2);
    expect(j.problems.map((q: { code: string; row: number; columnName: string; value: string }) => [q.code, q.row, q.columnName, q.value])).toEqual([
      ['MISSING_VALUE', 1, 'b', 'NA'],
      ['NON_NUMERIC', 2, 'a', 'foo'],
    ]);
    expect(r.err).toMatch(/2 problem\(s\)/);
    const t = await run('data', 'info', '--data', p);
    expect(t.out).toMatch(/MISSING_VALUE: .*row 1 \(line 2\), column 2 'b'/);
  });
  it('typed errors: unknown file or name, bad task, unknown label column', async () => {
    const a = await run('data', 'info', '--data', '/no/such.csv');
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/IO_ERROR.*bundled dataset/);
    const p = file('three.csv', 'a,y\n1,x\n2,y\n3,z\n');
    const b = await run('data', 'info', '--data', p, '--task', 'binary');
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/INVALID_OPTION.*exactly 2 classes/);
    const c = await run('data', 'info', '--data', p, '--label-column', 'target');
    expect(c.err).toMatch(/INVALID_OPTION.*'a', 'y'/);
    const e = await run('data', 'info', '--data', file('empty.csv', ''));
    expect(e.err).toMatch(/EMPTY_DATA/);
    const h = await run('data', 'info', '--data', p, '--header', 'maybe');
    expect(h.err).toMatch(/INVALID_OPTION.*--header/);
  });
  it('data list shows the bundled datasets', async () => {
    const r = await run('data', 'list', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).datasets.map((b: { name: string }) => b.name)).toEqual(['diabetes', 'breast_cancer', 'wine', 'diabetes-bmi', 'digits8x8']);
  });
});
