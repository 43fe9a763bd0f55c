import { Matrix, PatternMasks, Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { coneGroupPenalty, coneProjector } from '../src/index.js';
import { randn } from './helpers.js';

/** Hildreth's algorithm (cyclic dual coordinate ascent), written here: projection onto {u : a_jᵀu ≥ 0}. */
function hildreth(A: number[][], z: Float64Array, sweeps = 20000): Float64Array {
  const v = Float64Array.from(z);
  const mu = new Float64Array(A.length);
  for (let s = 0; s < sweeps; s++) {
    let change = 0;
    for (let j = 0; j < A.length; j++) {
      const a = A[j];
      let av = 0;
      let aa = 0;
      for (let k = 0; k < v.length; k++) {
        av += a[k] * v[k];
        aa += a[k] * a[k];
      }
      const next = Math.max(0, mu[j] - av / aa);
      const dm = next - mu[j];
      if (dm !== 0) {
        for (let k = 0; k < v.length; k++) v[k] += dm * a[k];
        mu[j] = next;
        change = Math.max(change, Math.abs(dm));
      }
    }
    if (change < 1e-15) break;
  }
  return v;
}

describe('cone projection and the cone-constrained group prox', () => {
  it('active-set NNLS projection equals Hildreth’s algorithm, cold and warm-started', () => {
    const rng = new Rng(21);
    const n = 30;
    const d = 4;
    const X = randn(rng, n, d);
    const G = randn(rng, d, 6);
    const masks = PatternMasks.fromGates(X, G);
    const proj = coneProjector(X, masks);
    for (let i = 0; i < 6; i++) {
      const A = Array.from({ length: n }, (_, j) => Array.from({ length: d }, (_, k) => (masks.get(j, i) ? 1 : -1) * X.get(j, k)));
      let warm: number[] | undefined;
      for (let rep = 0; rep < 3; rep++) {
        const z = rng.normalArray(d);
        const out = new Float64Array(d);
        warm = proj(i, z, out, warm);
        expect(Array.from(out)).toAllClose(Array.from(hildreth(A, z)), { rtol: 1e-6, atol: 1e-9 });
        for (const a of A) expect(a.reduce((s, v, k) => s + v * out[k], 0)).toBeGreaterThanOrEqual(-1e-10);
      }
    }
  });

  it('prox of λ‖·‖ + ι_K equals a brute-force minimisation over the 2-D cone', () => {
    const rng = new Rng(22);
    const X = randn(rng, 8, 2);
    const G = Matrix.from([[0.3], [1]]);
    const masks = PatternMasks.fromGates(X, G);
    const pen = coneGroupPenalty(X, masks, 0.7);
    for (let rep = 0; rep < 5; rep++) {
      const z = Float64Array.from([...rng.normalArray(2).map((v) => 2 * v), 0, 0]); // v-part, w-part zero
      const out = new Float64Array(4);
      pen.prox(z, 1, out);
      // brute force: minimise ½‖u − z‖² + 0.7‖u‖ over feasible u on a polar grid
      let best = 0.5 * (z[0] ** 2 + z[1] ** 2);
      // a fine grid plus the exact cone boundaries (directions orthogonal to the rows)
      const angles = Array.from({ length: 3600 }, (_, a) => (2 * Math.PI * a) / 3600);
      for (let j = 0; j < 8; j++) for (const h of [Math.PI / 2, -Math.PI / 2]) for (const e of [1e-12, -1e-12]) angles.push(Math.atan2(X.get(j, 1), X.get(j, 0)) + h + e);
      for (const t of angles) {
        const c = Math.cos(t);
        const s = Math.sin(t);
        let ok = true;
        for (let j = 0; j < 8; j++) if ((masks.get(j, 0) ? 1 : -1) * (X.get(j, 0) * c + X.get(j, 1) * s) < 0) ok = false;
        if (!ok) continue;
        const r = Math.max(0, z[0] * c + z[1] * s - 0.7);
        best = Math.min(best, 0.5 * ((r * c - z[0]) ** 2 + (r * s - z[1]) ** 2) + 0.7 * r);
      }
      const val = 0.5 * ((out[0] - z[0]) ** 2 + (out[1] - z[1]) ** 2) + 0.7 * Math.hypot(out[0], out[1]);
      expect(val).toBeLessThanOrEqual(best + 1e-9);
      expect(val).toBeGreaterThanOrEqual(best - 1e-6); // grid resolution inside the cone
    }
  });

  it('batched dual norms and projected norms (warm faces, one GEMM check) equal a brute-force projection, call after call', () => {
    const rng = new Rng(23);
    const n = 24;
    const d = 3;
    const P = 7;
    const X = randn(rng, n, d);
    const masks = PatternMasks.fromGates(X, randn(rng, d, P));
    const lam = 0.8;
    const pen = coneGroupPenalty(X, masks, lam);
    const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((t, x, k) => t + x * b[k], 0);
    /** ‖Π_K(z)‖ by enumeration: the nearest feasible point among z, 0 and z projected onto the null space of every one or two rows (d = 3: every face of K) */
    const bruteNorm = (i: number, z: Float64Array): number => {
      const A = Array.from({ length: n }, (_, j) => Array.from({ length: d }, (_, k) => (masks.get(j, i) ? 1 : -1) * X.get(j, k)));
      const onNull = (rows: number[][]) => {
        const u = Float64Array.from(z);
        const Q: number[][] = [];
        for (const a of rows) {
          const q = a.slice();
          for (const b of Q) {
            const s2 = dot(b, q);
            for (let k = 0; k < d; k++) q[k] -= s2 * b[k];
          }
          const nq = norm(q);
          if (nq > 1e-12) Q.push(q.map((v) => v / nq));
        }
        for (const b of Q) {
          const s2 = dot(b, u);
          for (let k = 0; k < d; k++) u[k] -= s2 * b[k];
        }
        return u;
      };
      const cands = [new Float64Array(d), Float64Array.from(z)];
      for (let a = 0; a < n; a++) {
        cands.push(onNull([A[a]]));
        for (let b = a + 1; b < n; b++) cands.push(onNull([A[a], A[b]]));
      }
      let best = Infinity;
      let bn = 0;
      for (const u of cands) {
        if (!A.every((a) => dot(a, u) >= -1e-10 * norm(a) * (norm(u) + 1e-300))) continue;
        const dist = norm(u.map((v, k) => v - z[k]));
        if (dist < best) {
          best = dist;
          bn = norm(u);
        }
      }
      return bn;
    };
    const warm: number[][] = Array.from({ length: 2 * P }, () => []);
    // a slowly moving G (the warm faces are mostly right, sometimes not), then a jump
    const G0 = rng.normalArray(d * P).map((v) => 3 * v);
    for (let rep = 0; rep < 6; rep++) {
      const step = rep === 5 ? 3 : 0.05;
      const G = Float64Array.from(G0.map((v) => v + step * rng.normal()));
      const dn = pen.dualNorms(G);
      const groups = Array.from({ length: 2 * P }, (_, g) => g);
      const pn = new Float64Array(2 * P);
      pen.projectedNorms(groups, (g, z) => {
        for (let r = 0; r < d; r++) z[r] = (g >= P ? -1 : 1) * G[r * P + (g % P)];
      }, warm, pn);
      for (let i = 0; i < P; i++) {
        const g = Float64Array.from({ length: d }, (_, r) => G[r * P + i]);
        const plus = bruteNorm(i, g);
        const minus = bruteNorm(i, g.map((v) => -v));
        expect(pn[i]).toBeCloseTo(plus, 9);
        expect(pn[P + i]).toBeCloseTo(minus, 9);
        // dual norms: exact where ‖g‖ > λ, the bound ‖g‖ (≤ λ, never binding) otherwise
        if (norm(g) > lam) expect(dn[i]).toBeCloseTo(Math.max(plus, minus), 9);
        else expect(dn[i]).toBeCloseTo(norm(g), 12);
      }
    }
  });
});
