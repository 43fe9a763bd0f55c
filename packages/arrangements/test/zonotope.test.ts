import highsModule from 'highs';
import { describe, expect, it } from 'vitest';
import { Matrix, Rng } from '@cvxnn/linalg';
import { enumeratePatterns, estimateSolidAngles, samplePatterns, zonotopeSupport, zonotopeVertices } from '../src/index.js';
import { gaussian, patternOf, patternStrings } from './helpers.js';

type Loader = typeof highsModule.default;
const loadHighs: Loader = ((highsModule as unknown as { default?: Loader }).default ?? highsModule) as Loader;

/** All 2^n corner sums Xᵀc, c ∈ {0,1}^n, keyed by the subset string. */
function corners(X: Matrix<Float64Array>): Array<{ key: string; z: number[] }> {
  const out: Array<{ key: string; z: number[] }> = [];
  for (let mask = 0; mask < 1 << X.rows; mask++) {
    const z = new Array(X.cols).fill(0);
    let key = '';
    for (let j = 0; j < X.rows; j++) {
      const on = (mask >>> j) & 1;
      key += on ? '1' : '0';
      if (on) for (let i = 0; i < X.cols; i++) z[i] += X.get(j, i);
    }
    out.push({ key, z });
  }
  return out;
}

/** Brute force: corner c is a vertex of conv(corners) iff some h has hᵀ(c − c') ≥ 1 for every other corner c' (an LP, HiGHS). */
async function vertexCorners(X: Matrix<Float64Array>): Promise<Set<string>> {
  const highs = await loadHighs();
  const cs = corners(X);
  const d = X.cols;
  const out = new Set<string>();
  for (const c of cs) {
    const lines = ['Minimize', ' obj: h0', 'Subject To'];
    let k = 0;
    for (const o of cs) {
      const diff = c.z.map((v, i) => v - o.z[i]);
      if (Math.max(...diff.map(Math.abs)) < 1e-12) continue; // the same point
      lines.push(` c${k++}: ${diff.map((v, i) => `${v >= 0 ? '+' : '-'} ${Math.abs(v)} h${i}`).join(' ')} >= 1`);
    }
    lines.push('Bounds', ...Array.from({ length: d }, (_, i) => ` -1e6 <= h${i} <= 1e6`), 'End');
    const sol = highs.solve(lines.join('\n'), { output_flag: false });
    if (sol.Status === 'Optimal') out.add(c.key);
  }
  return out;
}

describe('zonotope of the data (SPEC §1.5, A10)', () => {
  it('X10: x₁ = (1,0), x₂ = (0,1) gives the unit square, 4 vertices = 4 chambers, h_Z(g) = g₁⁺ + g₂⁺', () => {
    const X = Matrix.eye(2);
    const ps = enumeratePatterns(X, { dropZero: false });
    const V = zonotopeVertices(X, ps).toArrays().map((r) => r.join(','));
    expect(V.sort()).toEqual(['0,0', '0,1', '1,0', '1,1']);
    const rng = new Rng(1);
    for (let t = 0; t < 20; t++) {
      const g = rng.normalArray(2);
      expect(zonotopeSupport(X, g).value).toBeCloseRel(Math.max(g[0], 0) + Math.max(g[1], 0), 1e-14, 1e-15);
    }
  });
  it('vertex set = corners that are vertices by an LP brute force over all 2^n corner sums (generic, low-rank, X2)', async () => {
    const cases = [gaussian(6, 3, 2), gaussian(7, 2, 3), Matrix.from([[2, 2], [3, 3], [1, 0]]), Matrix.from([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [2, 2, 0]])];
    for (const X of cases) {
      const ps = enumeratePatterns(X, { dropZero: false });
      const brute = await vertexCorners(X);
      expect(brute.size).toBe(ps.masks.p);
      // vertex of chamber C is Xᵀ d_C: the corner with the same subset
      expect(new Set(patternStrings(ps.masks))).toEqual(brute);
      const V = zonotopeVertices(X, ps);
      const cs = new Map(corners(X).map((c) => [c.key, c.z]));
      patternStrings(ps.masks).forEach((p, i) => expect(V.row(i)).toAllClose(cs.get(p)!, { rtol: 1e-12, atol: 1e-12 }));
    }
  });
  it('support function = max over the vertex list = max over all 2^n corners; argmax is the corner Xᵀ1[Xg > 0]', () => {
    const X = gaussian(10, 3, 5);
    const V = zonotopeVertices(X, enumeratePatterns(X, { dropZero: false }));
    const cs = corners(X);
    const rng = new Rng(2);
    for (let t = 0; t < 30; t++) {
      const g = rng.normalArray(3);
      const { value, argmax } = zonotopeSupport(X, g);
      let vmax = -Infinity;
      for (let i = 0; i < V.rows; i++) vmax = Math.max(vmax, V.get(i, 0) * g[0] + V.get(i, 1) * g[1] + V.get(i, 2) * g[2]);
      let cmax = -Infinity;
      let best: number[] = [];
      for (const c of cs) {
        const v = c.z[0] * g[0] + c.z[1] * g[1] + c.z[2] * g[2];
        if (v > cmax) {
          cmax = v;
          best = c.z;
        }
      }
      expect(value).toBeCloseRel(vmax, 1e-12);
      expect(value).toBeCloseRel(cmax, 1e-12);
      expect(argmax).toAllClose(best, { rtol: 1e-12, atol: 1e-12 });
    }
  });
  it('refuses patterns from other data and bad directions', () => {
    const X = gaussian(5, 2, 1);
    const ps = enumeratePatterns(gaussian(6, 2, 1));
    expect(() => zonotopeVertices(X, ps)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => zonotopeSupport(X, [1, 2, 3])).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => zonotopeSupport(X, [1, NaN])).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});

describe('solid angles (SPEC §1.3.5, §1.4, A9)', () => {
  it('d = 2: Monte-Carlo frequencies match the exact arc lengths / 2π within 3σ; Σp = 1, mean θ = 1', () => {
    const X = Matrix.from([[1, 0], [0.3, 1], [1, 1.2], [1, -0.2], [-0.5, 1]]);
    const ps = enumeratePatterns(X, { dropZero: false });
    // exact: sort the 2n boundary rays, each arc's mid-direction gives its pattern
    const angles: number[] = [];
    for (let j = 0; j < X.rows; j++) {
      const a = Math.atan2(X.get(j, 0), -X.get(j, 1)); // direction of the line x_jᵀg = 0
      angles.push((a + 2 * Math.PI) % (2 * Math.PI), (a + 3 * Math.PI) % (2 * Math.PI));
    }
    angles.sort((a, b) => a - b);
    const exact = new Map<string, number>();
    for (let i = 0; i < angles.length; i++) {
      const a = angles[i];
      const b = i + 1 < angles.length ? angles[i + 1] : angles[0] + 2 * Math.PI;
      const mid = (a + b) / 2;
      const p = patternOf(X, [Math.cos(mid), Math.sin(mid)]);
      exact.set(p, (exact.get(p) ?? 0) + (b - a) / (2 * Math.PI));
    }
    expect(exact.size).toBe(ps.masks.p);
    const N = 200000;
    const est = estimateSolidAngles(X, ps, { samples: N, seed: 4 });
    expect(est.missedMass).toBe(0);
    let sum = 0;
    patternStrings(ps.masks).forEach((p, i) => {
      const q = exact.get(p)!;
      const sigma = Math.sqrt((q * (1 - q)) / N);
      expect(Math.abs(est.probabilities[i] - q)).toBeLessThan(3 * sigma);
      expect(est.stderr[i]).toBeCloseRel(Math.sqrt((est.probabilities[i] * (1 - est.probabilities[i])) / N), 1e-12);
      sum += est.probabilities[i];
    });
    expect(sum).toBeCloseRel(1, 1e-12);
    const theta = Array.from(est.probabilities, (p) => ps.masks.p * p);
    expect(theta.reduce((a, b) => a + b, 0) / theta.length).toBeCloseRel(1, 1e-12);
  });
  it('d = 3, n = 3: frequencies match the exact spherical-triangle solid angles Ω/4π within 3σ', () => {
    const X = Matrix.from([[1, 0.2, 0], [0.1, 1, 0.3], [0.4, -0.2, 1]]);
    const ps = enumeratePatterns(X, { dropZero: false });
    expect(ps.masks.p).toBe(8);
    const x = X.toArrays();
    const cross = (a: number[], b: number[]) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
    const dot = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    const unit = (a: number[]) => a.map((v) => v / Math.hypot(...a));
    const N = 200000;
    const est = estimateSolidAngles(X, ps, { samples: N, seed: 6 });
    patternStrings(ps.masks).forEach((p, i) => {
      const s = [...p].map((c) => (c === '1' ? 1 : -1));
      // extreme ray opposite hyperplane j: ±x_k × x_l, oriented so that s_j x_jᵀ r > 0
      const rays = [0, 1, 2].map((j) => {
        const r = cross(x[(j + 1) % 3], x[(j + 2) % 3]);
        return unit(s[j] * dot(x[j], r) > 0 ? r : r.map((v) => -v));
      });
      const [a, b, c] = rays;
      const omega = 2 * Math.atan2(Math.abs(dot(a, cross(b, c))), 1 + dot(a, b) + dot(b, c) + dot(c, a)); // Van Oosterom–Strackee
      const q = omega / (4 * Math.PI);
      expect(Math.abs(est.probabilities[i] - q)).toBeLessThan(3 * Math.sqrt((q * (1 - q)) / N));
    });
  });
  it('missed mass: a sampled set that drops the zero pattern misses exactly its probability', () => {
    const H = Matrix.from(gaussian(8, 2, 3).toArrays().map((r) => [Math.abs(r[0]) + 1, r[1]]));
    const all = enumeratePatterns(H, { dropZero: false });
    const nz = enumeratePatterns(H);
    const a = estimateSolidAngles(H, all, { samples: 50000, seed: 1 });
    const b = estimateSolidAngles(H, nz, { samples: 50000, seed: 1 });
    const zeroIdx = patternStrings(all.masks).indexOf('0'.repeat(8));
    expect(b.missedMass).toBeCloseRel(a.probabilities[zeroIdx], 1e-12);
    expect(b.missedMass).toBeGreaterThan(0);
    // sampled ⊂ exact, so a sampled set has no probabilities outside the exact ones
    const s = samplePatterns(H, { count: 500, seed: 2 });
    const c = estimateSolidAngles(H, s, { samples: 50000, seed: 1 });
    expect(c.missedMass).toBeGreaterThanOrEqual(b.missedMass);
  });
  it('refuses bad sample counts', () => {
    const X = gaussian(4, 2, 1);
    expect(() => estimateSolidAngles(X, enumeratePatterns(X), { samples: 0, seed: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});
