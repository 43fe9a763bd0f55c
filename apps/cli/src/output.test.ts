/**
 * Issue 15, files: an output equal to an input is refused before any work, the output folder is
 * made and tested before the solve, writes are atomic (temporary file + rename).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CvxnnError } from '@cvxnn/linalg';
import { run } from '../test/run.js';
import { csv, gaussianRows, tempFiles } from '../test/files.js';
import { prepareOutput, writeFileAtomic } from './output.js';

const t = tempFiles('cvxnn-output-');
const rows = gaussianRows(30, 2, (x) => (x[0] > 1 ? 'yes' : 'no'));
const text = csv(['a', 'b', 'y'], rows);
const fitArgs = ['--lambda', '1', '--model', 'gated-relu', '--patterns', '6'];

describe('an output that is an input is refused before any work', () => {
  it('fit --data X.csv --out X.csv (also spelled differently, or through a symlink) leaves X.csv as it was (was: overwritten, exit 0)', async () => {
    const x = t.write('x.csv', text);
    mkdirSync(t.path('sub'), { recursive: true });
    symlinkSync(x, t.path('link.csv'));
    for (const out of [x, path.join(t.dir, 'sub', '..', 'x.csv'), t.path('link.csv')]) {
      const r = await run('fit', '--data', x, ...fitArgs, '--out', out);
      expect(r.code, out).toBe(2);
      expect(r.err).toMatch(/^error \[INVALID_OPTION\]: --out '.*' is the input file '.*'; writing there would destroy it/);
      expect(readFileSync(x, 'utf8')).toBe(text);
    }
    const g = t.write('gates.csv', '1,0\n0,1\n');
    expect((await run('fit', '--data', x, ...fitArgs, '--gates', g, '--out', g)).code).toBe(2);
    expect(readFileSync(g, 'utf8')).toBe('1,0\n0,1\n');
  });
  it('patterns --out and --vertices onto the data (or onto each other) are refused; compare and clifford too', async () => {
    const x = t.write('p.csv', text);
    for (const flag of ['--out', '--vertices']) {
      const r = await run('patterns', '--data', x, '--sample', '5', flag, x);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`${flag} '.*' is the input file`));
    }
    const both = await run('patterns', '--data', x, '--sample', '5', '--out', t.path('g.csv'), '--vertices', t.path('g.csv'));
    expect(both.err).toMatch(/--vertices '.*' is also --out/);
    expect((await run('compare', '--data', x, '--lambda', '1', '--epochs', '1', '--out', x)).code).toBe(2);
    expect((await run('clifford', 'fit', '--data', x, '--label-column', 'a', '--lambda', '1', '--out', x)).code).toBe(2);
    expect(readFileSync(x, 'utf8')).toBe(text);
  });
});

describe('the output folder is made and tested before the solve', () => {
  it('--out runs/deep/fit.json creates the folders (was: ENOENT after the solve, result lost)', async () => {
    const x = t.write('d.csv', text);
    const out = t.path('runs/deep/fit.json');
    const r = await run('fit', '--data', x, ...fitArgs, '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).cvxnnRun).toBe(1);
    // no temporary file is left next to it
    expect(readdirSync(path.dirname(out))).toEqual(['fit.json']);
  });
  it('a run refused after the folder was made leaves no empty folders behind (was: runs/ left)', async () => {
    const x = t.write('six.csv', csv(['a', 'b', 'y'], gaussianRows(6, 2, (v) => (v[0] > 0 ? 'yes' : 'no'))));
    // 100 patterns of 6 rows: refused after --out is prepared
    const r = await run('fit', '--data', x, '--lambda', '1', '--patterns', '100', '--out', t.path('made/here/fit.json'));
    expect(r.code).toBe(2);
    expect(existsSync(t.path('made'))).toBe(false);
    // a folder that was there already stays
    mkdirSync(t.path('kept'));
    await run('fit', '--data', x, '--lambda', '1', '--patterns', '100', '--out', t.path('kept/new/fit.json'));
    expect([existsSync(t.path('kept')), existsSync(t.path('kept/new'))]).toEqual([true, false]);
  });
  it("--out '' is an error (was: exit 0, nothing written); a folder, or a path under a file, is refused before the solve", async () => {
    const x = t.write('e.csv', text);
    const empty = await run('fit', '--data', x, ...fitArgs, '--out', '');
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/--out '' is empty/);
    expect((await run('fit', '--data', x, ...fitArgs, '--out', t.dir)).err).toMatch(/is a folder/);
    const under = await run('fit', '--data', x, ...fitArgs, '--out', path.join(x, 'run.json'), '--json');
    expect(under.code).toBe(2);
    expect(under.err).toMatch(/^error \[IO_ERROR\]: cannot create the folder/);
    expect(under.out).toBe(''); // nothing was solved or printed
  });
});

describe('atomic writes', () => {
  it('writeFileAtomic replaces the file whole and leaves no temporary file', () => {
    const f = t.path('atomic.json');
    writeFileSync(f, 'old');
    writeFileAtomic(f, 'new content\n');
    expect(readFileSync(f, 'utf8')).toBe('new content\n');
    expect(readdirSync(t.dir).filter((n) => n.includes('atomic'))).toEqual(['atomic.json']);
  });
  it('a failed write leaves the previous file intact and removes the temporary file', () => {
    // the rename cannot replace a non-empty folder: the write fails after the temporary file is written
    const target = t.path('busy');
    mkdirSync(path.join(target, 'inside'), { recursive: true });
    let err: unknown;
    try {
      writeFileAtomic(target, 'x'.repeat(100000));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CvxnnError);
    expect((err as CvxnnError).code).toBe('IO_ERROR');
    expect((err as Error).message).toMatch(/the previous file is unchanged/);
    expect(existsSync(path.join(target, 'inside'))).toBe(true);
    expect(readdirSync(t.dir).filter((n) => n.startsWith('.busy'))).toEqual([]);
  });
  it('prepareOutput returns nothing without the option and refuses two outputs on one path', () => {
    expect(prepareOutput('--out', undefined, [])).toBeUndefined();
    const a = prepareOutput('--out', t.path('one.csv'), [])!;
    expect(() => prepareOutput('--vertices', t.path('one.csv'), [], [a])).toThrow(/is also --out/);
  });
});
