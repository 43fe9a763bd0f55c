import { Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { crossProduct, crossProductSvd, det, parallelotopeVolume } from './cross.js';
import { Multivector, reorderSign } from './ga.js';

function randomVec(rng: Rng, d: number): number[] {
  return Array.from(rng.normalArray(d));
}

function randomMultivector(rng: Rng, d: number): Multivector {
  return new Multivector(d, rng.normalArray(1 << d));
}

describe('Clifford algebra G^d (SPEC §7.1, oracle G1)', () => {
  it('basis products: e1 e1 = 1, e1 e2 = −e2 e1 = e12, e12 e12 = −1', () => {
    const e1 = Multivector.basis(2, [0]);
    const e2 = Multivector.basis(2, [1]);
    expect(e1.mul(e1).scalarPart()).toBe(1);
    const e12 = e1.mul(e2);
    expect(e12.coef[3]).toBe(1);
    expect(e2.mul(e1).coef[3]).toBe(-1);
    expect(e12.mul(e12).scalarPart()).toBe(-1);
    expect(reorderSign(0b10, 0b01)).toBe(-1);
    // e_2∧e_1 built from an index list carries the permutation sign
    expect(Multivector.basis(3, [1, 0]).coef[0b011]).toBe(-1);
  });

  it('geometric product of vectors = dot + wedge; a a = ‖a‖²', () => {
    const rng = new Rng(1);
    for (const d of [2, 3, 5]) {
      const a = Multivector.vector(randomVec(rng, d));
      const b = Multivector.vector(randomVec(rng, d));
      const ab = a.mul(b);
      const dot = a.toVector().reduce((s, v, i) => s + v * b.toVector()[i], 0);
      expect(ab.scalarPart()).toBeCloseRel(dot, 1e-12, 1e-14);
      expect(Array.from(ab.grade(2).coef)).toAllClose(a.wedge(b).coef, { rtol: 1e-12, atol: 1e-14 });
      expect(a.mul(a).scalarPart()).toBeCloseRel(a.norm() ** 2, 1e-12);
    }
  });

  it('wedge is antisymmetric and associative; geometric product is associative', () => {
    const rng = new Rng(2);
    const d = 4;
    const a = Multivector.vector(randomVec(rng, d));
    const b = Multivector.vector(randomVec(rng, d));
    expect(Array.from(a.wedge(b).coef)).toAllClose(b.wedge(a).scale(-1).coef, { rtol: 1e-12, atol: 1e-14 });
    expect(a.wedge(a).norm()).toBe(0);
    const A = randomMultivector(rng, d);
    const B = randomMultivector(rng, d);
    const C = randomMultivector(rng, d);
    expect(Array.from(A.mul(B).mul(C).coef)).toAllClose(A.mul(B.mul(C)).coef, { rtol: 1e-10, atol: 1e-10 });
    expect(Array.from(A.wedge(B).wedge(C).coef)).toAllClose(A.wedge(B.wedge(C)).coef, { rtol: 1e-10, atol: 1e-10 });
  });

  it('(a∧b)·(a∧b) convention: the blade squares to −‖a∧b‖², and ‖a∧b‖² = ‖a‖²‖b‖² − (a·b)²', () => {
    const rng = new Rng(3);
    const a = randomVec(rng, 3);
    const b = randomVec(rng, 3);
    const B = Multivector.blade([a, b]);
    const dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    const na = a.reduce((s, v) => s + v * v, 0);
    const nb = b.reduce((s, v) => s + v * v, 0);
    expect(B.norm() ** 2).toBeCloseRel(na * nb - dot * dot, 1e-12);
    expect(B.mul(B).scalarPart()).toBeCloseRel(-(na * nb - dot * dot), 1e-12);
    // scalar product with the reverse is the positive norm
    expect(B.reverse().mul(B).scalarPart()).toBeCloseRel(B.norm() ** 2, 1e-12);
  });

  it('the norm of a k-blade equals √det(Gram), the k-volume, for k = 1..d', () => {
    const rng = new Rng(4);
    for (const d of [2, 3, 5]) {
      for (let k = 1; k <= d; k++) {
        const vs = Array.from({ length: k }, () => randomVec(rng, d));
        expect(Multivector.blade(vs, d).norm()).toBeCloseRel(parallelotopeVolume(vs), 1e-10);
      }
    }
  });

  it('a d-blade x∧a_1∧…∧a_{d−1} is det[x; A] times the pseudoscalar', () => {
    const rng = new Rng(5);
    for (const d of [2, 3, 4]) {
      const rows = Array.from({ length: d }, () => randomVec(rng, d));
      const B = Multivector.blade(rows, d);
      expect(B.coef[(1 << d) - 1]).toBeCloseRel(det(rows), 1e-10);
    }
  });

  it('Hodge star: ⋆e1 = e2 in G² (90° rotation), ⋆(e1∧e2) = e3 in G³, ⋆⋆A = (−1)^{k(d−k)} A', () => {
    expect(Array.from(Multivector.vector([1, 0]).hodge().toVector())).toAllClose([0, 1]);
    expect(Array.from(Multivector.vector([3, 4]).hodge().toVector())).toAllClose([-4, 3]);
    expect(Array.from(Multivector.basis(3, [0, 1]).hodge().toVector())).toAllClose([0, 0, 1]);
    const rng = new Rng(6);
    for (const d of [2, 3, 4, 5]) {
      for (let k = 0; k <= d; k++) {
        const A = randomMultivector(rng, d).grade(k);
        const sign = (k * (d - k)) % 2 === 0 ? 1 : -1;
        expect(Array.from(A.hodge().hodge().coef)).toAllClose(A.scale(sign).coef, { rtol: 1e-12, atol: 1e-12 });
      }
    }
  });

  it('α∧⋆β = ⟨α,β⟩ I for vectors', () => {
    const rng = new Rng(7);
    const d = 4;
    const a = Multivector.vector(randomVec(rng, d));
    const b = Multivector.vector(randomVec(rng, d));
    const w = a.wedge(b.hodge());
    expect(w.coef[(1 << d) - 1]).toBeCloseRel(a.scalarProduct(b), 1e-12);
  });

  it('left contraction of a vector onto a bivector: a⌋(b∧c) = (a·b)c − (a·c)b', () => {
    const rng = new Rng(8);
    const [a, b, c] = [randomVec(rng, 3), randomVec(rng, 3), randomVec(rng, 3)];
    const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i], 0);
    const lhs = Multivector.vector(a).inner(Multivector.blade([b, c])).toVector();
    const rhs = c.map((v, i) => dot(a, b) * v - dot(a, c) * b[i]);
    expect(Array.from(lhs)).toAllClose(rhs, { rtol: 1e-12, atol: 1e-12 });
  });

  it('rejects mixing dimensions and bad input with typed errors', () => {
    expect(() => Multivector.vector([1, 2]).mul(Multivector.vector([1, 2, 3]))).toThrow(/G\^2 and G\^3/);
    expect(() => Multivector.vector([1, Number.NaN])).toThrow(/NaN/);
    expect(() => new Multivector(0)).toThrow(/dimension/);
  });
});

describe('generalised cross products (SPEC §7.1, oracles G1, G8)', () => {
  it('is orthogonal to its inputs, has the (d−1)-volume as norm, and x·c = det[x; A]', () => {
    const rng = new Rng(9);
    for (const d of [2, 3, 4, 6]) {
      const A = Array.from({ length: d - 1 }, () => randomVec(rng, d));
      const c = crossProduct(A);
      for (const a of A) expect(a.reduce((s, v, i) => s + v * c[i], 0)).toBeCloseTo(0, 10);
      const norm = Math.hypot(...c);
      expect(norm).toBeCloseRel(parallelotopeVolume(A), 1e-10);
      const x = randomVec(rng, d);
      expect(x.reduce((s, v, i) => s + v * c[i], 0)).toBeCloseRel(det([x, ...A]), 1e-10);
    }
  });

  it('equals (−1)^{d−1} ⋆(a_1∧…∧a_{d−1}) computed in the algebra', () => {
    const rng = new Rng(10);
    for (const d of [2, 3, 4, 5]) {
      const A = Array.from({ length: d - 1 }, () => randomVec(rng, d));
      const star = d === 2 ? Multivector.vector(A[0]).hodge() : Multivector.blade(A, d).hodge();
      const sign = (d - 1) % 2 === 0 ? 1 : -1;
      expect(Array.from(crossProduct(A))).toAllClose(Array.from(star.toVector(), (v) => sign * v), { rtol: 1e-10, atol: 1e-12 });
    }
  });

  it('the SVD route agrees with the determinant route', () => {
    const rng = new Rng(11);
    for (const d of [2, 3, 5]) {
      const A = Array.from({ length: d - 1 }, () => randomVec(rng, d));
      expect(Array.from(crossProductSvd(A))).toAllClose(crossProduct(A), { rtol: 1e-8, atol: 1e-10 });
    }
  });

  it('distance to a span: |x·c|/‖c‖ = Vol_d(x, A)/Vol_{d−1}(A), and 2-D: x_i·rot90(x_j) = ±2·area(0, x_i, x_j)', () => {
    const rng = new Rng(12);
    const d = 3;
    const A = Array.from({ length: d - 1 }, () => randomVec(rng, d));
    const x = randomVec(rng, d);
    const c = crossProduct(A);
    const dist = Math.abs(x.reduce((s, v, i) => s + v * c[i], 0)) / Math.hypot(...c);
    expect(dist).toBeCloseRel(parallelotopeVolume([x, ...A]) / parallelotopeVolume(A), 1e-10);
    // 2-D: shoelace area of the triangle (0, xi, xj)
    const xi = [1.5, -0.5];
    const xj = [0.3, 2.0];
    const area = Math.abs(xi[0] * xj[1] - xi[1] * xj[0]) / 2;
    const rot = Multivector.vector(xj).hodge().toVector();
    expect(Math.abs(xi[0] * rot[0] + xi[1] * rot[1])).toBeCloseRel(2 * area, 1e-12);
  });
});
