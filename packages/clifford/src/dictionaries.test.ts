import { Matrix, Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { det } from './cross.js';
import { crossProduct as cross } from './cross.js';
import { affineDictionary, atomFeatures, countSketch, gateSubset, rampDictionary, sketchedAffineDictionary, spanDictionary, triangleDictionary } from './dictionaries.js';

function randn(rng: Rng, n: number, d: number): Matrix<Float64Array> {
  return new Matrix(n, d, rng.normalArray(n * d));
}

describe('Clifford-Lasso dictionaries (SPEC §7.2, oracles G2, G3, G7)', () => {
  it('1-D ramps: both orientations, 2n − 2 non-zero distinct columns for distinct x', () => {
    const x = [-2, -1, 0, 1, 2];
    const dict = rampDictionary(x);
    expect(dict.K.cols).toBe(2 * x.length - 2);
    // every column is (x_i − x_j)_+ or (x_j − x_i)_+ for its defining point j
    for (let a = 0; a < dict.atoms.length; a++) {
      const { w, J } = dict.atoms[a];
      const xj = x[J[0]];
      for (let i = 0; i < x.length; i++) {
        const want = w[0] > 0 ? Math.max(x[i] - xj, 0) : Math.max(xj - x[i], 0);
        expect(dict.K.get(i, a)).toBeCloseRel(want, 1e-15, 1e-15);
      }
    }
    expect(rampDictionary(x, { oneSided: true }).K.cols).toBe(x.length - 1);
    // repeated points give no duplicate columns
    expect(rampDictionary([0, 1, 1, 2]).K.cols).toBe(4);
  });

  it('2-D span dictionary: entries are 2·area(0, x_i, x_j)_+/‖x_j‖ (shoelace), 2n columns', () => {
    const rng = new Rng(1);
    const X = randn(rng, 6, 2);
    const dict = spanDictionary(X);
    expect(dict.K.cols).toBe(2 * 6);
    for (let a = 0; a < dict.atoms.length; a++) {
      const j = dict.atoms[a].J[0];
      const xj = X.row(j);
      const nj = Math.hypot(xj[0], xj[1]);
      // orientation: the sign of the atom relative to rot90(x_j)
      const s = Math.sign(dict.atoms[a].w[0] * -xj[1] + dict.atoms[a].w[1] * xj[0]);
      for (let i = 0; i < 6; i++) {
        const xi = X.row(i);
        const signedTwiceArea = xj[0] * xi[1] - xj[1] * xi[0]; // shoelace for (0, x_j, x_i)
        expect(dict.K.get(i, a)).toBeCloseRel(Math.max((s * signedTwiceArea) / nj, 0), 1e-12, 1e-12);
      }
    }
  });

  it('d-D span and affine dictionaries have 2·C(n, d−1) and 2·C(n, d) columns for generic data, minus the all-zero ones', () => {
    const rng = new Rng(2);
    const n = 7;
    const X = randn(rng, n, 3);
    // a column is all zero exactly when every sample lies on the non-positive side of its hyperplane:
    // count those subsets independently with determinant signs (hull facets for the affine case)
    const oneSided = (J: number[], affine: boolean): boolean => {
      const base = affine ? X.row(J[2]) : [0, 0, 0];
      const rows = (affine ? J.slice(0, 2) : J).map((j) => Array.from(X.row(j), (v, k) => v - base[k]));
      const signs = new Set<number>();
      for (let i = 0; i < n; i++) {
        if (J.includes(i)) continue;
        signs.add(Math.sign(det([Array.from(X.row(i), (v, k) => v - base[k]), ...rows])));
      }
      return signs.size === 1;
    };
    let spanZero = 0;
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) if (oneSided([a, b], false)) spanZero++;
    let affZero = 0;
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) for (let c = b + 1; c < n; c++) if (oneSided([a, b, c], true)) affZero++;
    expect(affZero).toBeGreaterThan(0); // a point cloud in R^3 has hull facets
    expect(spanDictionary(X).K.cols).toBe(2 * 21 - spanZero);
    expect(affineDictionary(X).K.cols).toBe(2 * 35 - affZero);
  });

  it('bias neurons vanish on their defining points (G3) and are unit normals', () => {
    const rng = new Rng(3);
    const X = randn(rng, 6, 3);
    for (const atom of affineDictionary(X).atoms) {
      expect(Math.hypot(...atom.w)).toBeCloseRel(1, 1e-12);
      for (const j of atom.J) {
        const z = atom.b + X.row(j).reduce((s, v, k) => s + v * atom.w[k], 0);
        expect(Math.abs(z)).toBeLessThan(1e-10);
      }
    }
  });

  it('features are rotation invariant; affine features are translation invariant (G7)', () => {
    const rng = new Rng(4);
    const X = randn(rng, 6, 2);
    const th = 0.7;
    const R = Matrix.from([
      [Math.cos(th), -Math.sin(th)],
      [Math.sin(th), Math.cos(th)],
    ]);
    const XR = Matrix.zeros(6, 2);
    const XT = Matrix.zeros(6, 2);
    for (let i = 0; i < 6; i++) {
      for (let k = 0; k < 2; k++) {
        XR.set(i, k, X.get(i, 0) * R.get(k, 0) + X.get(i, 1) * R.get(k, 1));
        XT.set(i, k, X.get(i, k) + (k === 0 ? 3 : -1));
      }
    }
    const sortCols = (K: Matrix<Float64Array>) =>
      Array.from({ length: K.cols }, (_, a) => Array.from(K.colCopy(a)).map((v) => v.toFixed(8)).join(',')).sort();
    expect(sortCols(spanDictionary(XR).K)).toEqual(sortCols(spanDictionary(X).K));
    expect(sortCols(affineDictionary(XR).K)).toEqual(sortCols(affineDictionary(X).K));
    expect(sortCols(affineDictionary(XT).K)).toEqual(sortCols(affineDictionary(X).K));
  });

  it('atomFeatures reproduces the dictionary on the training data', () => {
    const rng = new Rng(5);
    const X = randn(rng, 8, 3);
    const dict = affineDictionary(X);
    expect(Array.from(atomFeatures(X, dict.atoms).data)).toAllClose(dict.K.data, { rtol: 1e-14, atol: 1e-14 });
  });

  it('sampling subsets is reproducible from the seed and reports non-exhaustive', () => {
    const rng = new Rng(6);
    const X = randn(rng, 30, 3);
    const a = affineDictionary(X, { sample: 50, seed: 9 });
    const b = affineDictionary(X, { sample: 50, seed: 9 });
    expect(a.exhaustive).toBe(false);
    expect(a.candidates).toBe(50);
    expect(Array.from(a.K.data)).toAllClose(b.K.data, { rtol: 0, atol: 0 });
  });

  it('triangles: 2·area(0, x_i, x_j)/‖x_j‖ from the three-vertex shoelace formula', () => {
    const X = Matrix.from([[1, 2], [-1.5, 0.5], [0.3, -2], [2, 1]]);
    const dict = triangleDictionary(X);
    expect(dict.kind).toBe('triangles');
    const shoelace = (p: number[][]) => 0.5 * Math.abs(p[0][0] * (p[1][1] - p[2][1]) + p[1][0] * (p[2][1] - p[0][1]) + p[2][0] * (p[0][1] - p[1][1]));
    for (let a = 0; a < dict.atoms.length; a++) {
      const j = dict.atoms[a].J[0];
      const xj = Array.from(X.row(j));
      for (let i = 0; i < 4; i++) {
        const xi = Array.from(X.row(i));
        const area = shoelace([[0, 0], xi, xj]);
        // the atom is on x_i's side iff x_i·w > 0
        const side = xi[0] * dict.atoms[a].w[0] + xi[1] * dict.atoms[a].w[1] > 1e-12;
        expect(dict.K.get(i, a)).toBeCloseRel(side ? (2 * area) / Math.hypot(xj[0], xj[1]) : 0, 1e-12, 1e-12);
      }
    }
  });

  it('quantised-embedding sampling: the walk from a gate ends on an extreme ray of the gate\'s chamber', () => {
    const rng = new Rng(7);
    const n = 9;
    const Z = Array.from({ length: n }, () => Array.from(rng.normalArray(3)));
    for (let t = 0; t < 20; t++) {
      const h = rng.normalArray(3);
      const J = gateSubset(Z, 2, h) as number[];
      expect(J).toHaveLength(2);
      const c = cross(J.map((j) => Z[j]));
      // one orientation of ±c lies in the closure of h's chamber: same sign as h on every row (or 0)
      const ok = [1, -1].some((sg) => Z.every((z) => (sg * (z[0] * c[0] + z[1] * c[1] + z[2] * c[2])) * (z[0] * h[0] + z[1] * h[1] + z[2] * h[2]) >= -1e-9));
      expect(ok).toBe(true);
    }
    const X = randn(rng, 12, 3);
    const dict = affineDictionary(X, { sample: 40, seed: 1, sampling: 'gates' });
    expect(dict.exhaustive).toBe(false);
    for (const atom of dict.atoms) for (const j of atom.J) expect(Math.abs(atom.b + X.row(j).reduce((s, v, k) => s + v * atom.w[k], 0))).toBeLessThan(1e-10);
  });

  it('sketched neurons contain their sampled points in the original space (G8)', () => {
    const rng = new Rng(8);
    const X = randn(rng, 15, 10);
    const S = countSketch(10, 4, 3);
    for (let k = 0; k < 10; k++) expect(Array.from(S.row(k)).filter((v) => v !== 0)).toHaveLength(1);
    const dict = sketchedAffineDictionary(X, { sketchDim: 4, sample: 30, seed: 3 });
    expect(dict.atoms.length).toBeGreaterThan(0);
    for (const atom of dict.atoms) {
      expect(atom.J).toHaveLength(4);
      expect(Math.hypot(...atom.w)).toBeCloseRel(1, 1e-12);
      for (const j of atom.J) expect(Math.abs(atom.b + X.row(j).reduce((s, v, k) => s + v * atom.w[k], 0))).toBeLessThan(1e-10);
    }
    expect(() => countSketch(3, 5)).toThrow(/sketch dimension/);
  });

  it('rejects bad input with typed errors', () => {
    expect(() => rampDictionary([])).toThrow(/EMPTY|needs data/);
    expect(() => rampDictionary([1, Number.NaN])).toThrow(/NaN/);
    expect(() => spanDictionary(Matrix.zeros(3, 1))).toThrow(/d ≥ 2/);
    expect(() => rampDictionary(Matrix.zeros(3, 2))).toThrow(/1-D/);
  });
});
