import { xoroshiro128plus } from 'pure-rand/generator/XoroShiro';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { assertOption } from './errors.js';

/**
 * A seeded, reproducible random source (xoroshiro128+ from pure-rand) with the draws cvxnn
 * needs: uniform doubles in [0,1), standard normals (polar Box–Muller), integers, permutations.
 * Every random choice in cvxnn goes through one of these, so `--seed` reproduces a run.
 *
 * @example
 *   const rng = new Rng(42);
 *   const g = rng.normalArray(10); // 10 standard normals, the same on every machine
 */
export class Rng {
  private gen: RandomGenerator;
  private spare: number | null = null;
  readonly seed: number;

  /**
   * @param seed an integer in [−2³¹, 2³¹ − 1]: the generator keeps 32 bits of it, so a seed outside
   * that range would silently give the stream of another one (2³² the one of 0) and is refused
   */
  constructor(seed = 0) {
    assertOption(Number.isInteger(seed) && seed >= -0x80000000 && seed <= 0x7fffffff, `new Rng(seed): seed must be an integer in [-2147483648, 2147483647], got ${seed}`);
    this.seed = seed;
    this.gen = xoroshiro128plus(seed | 0);
  }

  /** Next unsigned 32-bit integer. */
  private nextU32(): number {
    return this.gen.unsafeNext() >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal N(0,1). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return u * f;
  }

  /** Integer uniform in [0, n). */
  int(n: number): number {
    assertOption(Number.isInteger(n) && n > 0, `int(n) needs a positive integer n, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  normalArray(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal();
    return out;
  }

  uniformArray(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform();
    return out;
  }

  /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
