/**
 * A small Clifford (geometric) algebra G^d over R^d with the Euclidean metric (e_i² = 1).
 * A multivector stores its 2^d coefficients indexed by bitmask blades: index 0b101 is e_1∧e_3
 * (bit k ⇔ basis vector e_{k+1}). Products cost O(4^d); meant for d ≤ 10.
 *
 * Conventions (SPEC §7.1):
 *  - geometric product of vectors: ab = a·b + a∧b, so a a = ‖a‖²;
 *  - inner product = left contraction A⌋B (grade(B) − grade(A) part);
 *  - Hodge star ⋆A = Ã·I with I = e_1∧…∧e_d, so α∧⋆β = ⟨α,β⟩ I, ⋆e_1 = e_2 in G² (a 90° rotation),
 *    and ⋆(e_1∧e_2) = e_3 in G³ (the cross product);
 *  - norm ‖A‖ = √(Σ coefficients²); for a blade a_1∧…∧a_k it equals √det(Gram) (the k-volume).
 *
 * @example
 *   const a = Multivector.vector([1, 2, 0]);
 *   const b = Multivector.vector([0, 1, 3]);
 *   a.wedge(b).norm(); // area of the parallelogram spanned by a and b
 *   a.wedge(b).hodge().toVector(); // a × b
 */
import { assertOption, assertShape, CvxnnError } from '@cvxnn/linalg';

/** Number of set bits. */
export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Sign (±1) of reordering the product of basis blades `a` and `b` into canonical order. */
export function reorderSign(a: number, b: number): 1 | -1 {
  let x = a >>> 1;
  let swaps = 0;
  while (x !== 0) {
    swaps += popcount(x & b);
    x >>>= 1;
  }
  return swaps & 1 ? -1 : 1;
}

/** Grade (number of basis vectors) of a basis blade. */
export function bladeGrade(mask: number): number {
  return popcount(mask);
}

const MAX_DIM = 16;

export class Multivector {
  readonly dim: number;
  readonly coef: Float64Array;

  constructor(dim: number, coef?: Float64Array) {
    assertOption(Number.isInteger(dim) && dim >= 1 && dim <= MAX_DIM, `Clifford algebra dimension must be an integer in 1..${MAX_DIM}, got ${dim}`);
    this.dim = dim;
    const size = 1 << dim;
    if (coef) assertShape(coef.length === size, `a multivector of G^${dim} has ${size} coefficients, got ${coef.length}`);
    this.coef = coef ?? new Float64Array(size);
  }

  /** The scalar s in G^d. */
  static scalar(dim: number, s: number): Multivector {
    const m = new Multivector(dim);
    m.coef[0] = s;
    return m;
  }

  /** The vector Σ v_i e_i in G^d (d = v.length unless given). */
  static vector(v: ArrayLike<number>, dim = v.length): Multivector {
    assertShape(v.length <= dim, `a vector of length ${v.length} does not fit in G^${dim}`);
    const m = new Multivector(dim);
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) throw new CvxnnError('NON_FINITE', `vector entry ${i} is ${v[i]}`);
      m.coef[1 << i] = v[i];
    }
    return m;
  }

  /** A basis blade e_{i_1}∧…∧e_{i_k} (0-based indices, any order: the sign follows the permutation). */
  static basis(dim: number, indices: number[]): Multivector {
    let out = Multivector.scalar(dim, 1);
    for (const i of indices) {
      assertOption(Number.isInteger(i) && i >= 0 && i < dim, `basis index ${i} is outside 0..${dim - 1}`);
      const e = new Multivector(dim);
      e.coef[1 << i] = 1;
      out = out.wedge(e);
    }
    return out;
  }

  /** The unit pseudoscalar I = e_1∧…∧e_d. */
  static pseudoscalar(dim: number): Multivector {
    const m = new Multivector(dim);
    m.coef[(1 << dim) - 1] = 1;
    return m;
  }

  /** The blade a_1∧…∧a_k of k vectors (rows). */
  static blade(vectors: ArrayLike<ArrayLike<number>>, dim?: number): Multivector {
    assertShape(vectors.length > 0, 'a blade needs at least one vector');
    const d = dim ?? vectors[0].length;
    let out = Multivector.vector(vectors[0], d);
    for (let k = 1; k < vectors.length; k++) out = out.wedge(Multivector.vector(vectors[k], d));
    return out;
  }

  private same(o: Multivector): void {
    if (o.dim !== this.dim) throw new CvxnnError('SHAPE_MISMATCH', `multivectors of G^${this.dim} and G^${o.dim} cannot be combined`);
  }

  private product(o: Multivector, keep: (a: number, b: number) => boolean): Multivector {
    this.same(o);
    const out = new Multivector(this.dim);
    const n = this.coef.length;
    for (let a = 0; a < n; a++) {
      const ca = this.coef[a];
      if (ca === 0) continue;
      for (let b = 0; b < n; b++) {
        const cb = o.coef[b];
        if (cb === 0 || !keep(a, b)) continue;
        out.coef[a ^ b] += reorderSign(a, b) * ca * cb;
      }
    }
    return out;
  }

  /** Geometric product AB. */
  mul(o: Multivector): Multivector {
    return this.product(o, () => true);
  }

  /** Outer (wedge) product A∧B. */
  wedge(o: Multivector): Multivector {
    return this.product(o, (a, b) => (a & b) === 0);
  }

  /** Left contraction A⌋B (the inner product used here). */
  inner(o: Multivector): Multivector {
    return this.product(o, (a, b) => (a & ~b) === 0);
  }

  /** Scalar product ⟨A B̃⟩₀ = Σ coefficients products (Euclidean). */
  scalarProduct(o: Multivector): number {
    this.same(o);
    let s = 0;
    for (let i = 0; i < this.coef.length; i++) s += this.coef[i] * o.coef[i];
    return s;
  }

  add(o: Multivector): Multivector {
    this.same(o);
    const out = new Multivector(this.dim);
    for (let i = 0; i < this.coef.length; i++) out.coef[i] = this.coef[i] + o.coef[i];
    return out;
  }

  sub(o: Multivector): Multivector {
    return this.add(o.scale(-1));
  }

  scale(s: number): Multivector {
    const out = new Multivector(this.dim);
    for (let i = 0; i < this.coef.length; i++) out.coef[i] = s * this.coef[i];
    return out;
  }

  /** Reverse Ã: grade-k part times (−1)^{k(k−1)/2}. */
  reverse(): Multivector {
    const out = new Multivector(this.dim);
    for (let i = 0; i < this.coef.length; i++) {
      const k = bladeGrade(i);
      out.coef[i] = ((k * (k - 1)) / 2) % 2 === 0 ? this.coef[i] : -this.coef[i];
    }
    return out;
  }

  /** The grade-k part ⟨A⟩_k. */
  grade(k: number): Multivector {
    const out = new Multivector(this.dim);
    for (let i = 0; i < this.coef.length; i++) if (bladeGrade(i) === k) out.coef[i] = this.coef[i];
    return out;
  }

  /** Hodge star ⋆A = Ã I (Euclidean). ⋆⋆A = (−1)^{k(d−k)} A on grade k. */
  hodge(): Multivector {
    return this.reverse().mul(Multivector.pseudoscalar(this.dim));
  }

  /** Euclidean norm √(Σ coef²). */
  norm(): number {
    return Math.sqrt(this.scalarProduct(this));
  }

  /** The grade-1 part as a plain vector (length d). */
  toVector(): Float64Array {
    const v = new Float64Array(this.dim);
    for (let i = 0; i < this.dim; i++) v[i] = this.coef[1 << i];
    return v;
  }

  /** The scalar part. */
  scalarPart(): number {
    return this.coef[0];
  }
}
