import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CvxnnError } from '@cvxnn/linalg';
import { bundledPath, listBundled, loadDataset } from './bundled.js';
import { classCounts } from './transform.js';

describe('bundled datasets', () => {
  it('listBundled agrees with what loadDataset reads', () => {
    const list = listBundled();
    expect(list.map((b) => b.name)).toEqual(['diabetes', 'breast_cancer', 'wine', 'diabetes-bmi', 'digits8x8']);
    for (const b of list) {
      const ds = loadDataset(b.name);
      expect([ds.name, ds.X.rows, ds.X.cols, ds.task]).toEqual([b.name, b.n, b.d, b.task]);
      expect(ds.featureNames).toHaveLength(b.d);
      expect(b.licence).toMatch(/BSD-3-Clause/);
    }
  });
  it('diabetes: first patient as published (Efron et al. 2004, unscaled)', () => {
    const ds = loadDataset('diabetes');
    expect(ds.featureNames).toEqual(['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6']);
    expect(Array.from(ds.X.row(0))).toAllClose([59, 2, 32.1, 101, 157, 93.2, 38, 4, 4.8598, 87], { rtol: 1e-15, atol: 0 });
    expect(ds.y[0]).toBe(151);
  });
  it('breast_cancer has the documented 212 malignant / 357 benign; wine 59 / 71 / 48', () => {
    const bc = loadDataset('breast-cancer');
    expect(bc.classes).toEqual(['0', '1']);
    expect(classCounts(bc)).toEqual([212, 357]);
    const wine = loadDataset('wine');
    expect(wine.classes).toEqual(['0', '1', '2']);
    expect(classCounts(wine)).toEqual([59, 71, 48]);
  });
  it('digits8x8 has the documented per-digit counts (UCI / scikit-learn) and 8×8 pixels in 0…16', () => {
    const dg = loadDataset('digits');
    expect(dg.X.rows).toBe(1797);
    expect(dg.X.cols).toBe(64);
    expect(classCounts(dg)).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < dg.X.rows; i++) for (let j = 0; j < 64; j++) { lo = Math.min(lo, dg.X.get(i, j)); hi = Math.max(hi, dg.X.get(i, j)); }
    expect([lo, hi]).toEqual([0, 16]);
  });
  it('diabetes-bmi equals the BMI-sorted 49-group means of diabetes, recomputed here', () => {
    const dia = loadDataset('diabetes');
    const bmi = loadDataset('diabetes-bmi');
    const pairs = Array.from({ length: dia.X.rows }, (_, i) => [dia.X.get(i, 2), dia.y[i]!, i] as const).sort((a, b) => a[0] - b[0] || a[2] - b[2]);
    const groups = 49;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let g = 0; g < groups; g++) {
      const part = pairs.slice(Math.round((g * 442) / groups), Math.round(((g + 1) * 442) / groups));
      expect(part.length === 9 || part.length === 10).toBe(true);
      xs.push(part.reduce((s, p) => s + p[0], 0) / part.length);
      ys.push(part.reduce((s, p) => s + p[1], 0) / part.length);
    }
    expect(Array.from(bmi.X.data)).toAllClose(xs, { rtol: 0, atol: 5e-7 });
    expect(Array.from(bmi.y)).toAllClose(ys, { rtol: 0, atol: 5e-7 });
  });
  it('bundled files live inside the package (not /work/shared)', () => {
    const p = bundledPath('wine')!;
    expect(p).toMatch(/packages[/\\]data[/\\]datasets[/\\]wine\.csv$/);
    expect(readFileSync(p, 'utf8').startsWith('alcohol,')).toBe(true);
    expect(bundledPath('nope')).toBeUndefined();
  });
});

describe('loadDataset dispatch', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-ds-'));
  it('reads .csv and .json paths with options', () => {
    const csv = path.join(dir, 'toy.csv');
    writeFileSync(csv, 'y,a\nM,1\nB,2\n');
    const a = loadDataset(csv, { labelColumn: 'y' });
    expect([a.name, a.classes, Array.from(a.X.data)]).toEqual(['toy', ['B', 'M'], [1, 2]]);
    const json = path.join(dir, 'toy.json');
    writeFileSync(json, '{"X": [[1], [2], [3]], "y": [1.5, 2.5, 4]}');
    const b = loadDataset(json);
    expect([b.name, b.task, Array.from(b.y)]).toEqual(['toy', 'regression', [1.5, 2.5, 4]]);
  });
  it('an unknown name ⇒ IO_ERROR listing the bundled names', () => {
    try {
      loadDataset('iris');
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toBeInstanceOf(CvxnnError);
      expect((e as CvxnnError).code).toBe('IO_ERROR');
      expect((e as Error).message).toMatch(/'iris'.*diabetes, breast_cancer, wine, diabetes-bmi, digits8x8/);
    }
  });
});
