import { PatternMasks } from '@cvxnn/linalg';

/**
 * A hash set of bit-packed sign vectors (patterns), stored column by column in one growable
 * Uint32Array pool: pattern p occupies words [p·w, (p+1)·w) with w = ⌈n/32⌉. Lookups hash the
 * words (a 32-bit multiply–xorshift mix) and confirm a hit by comparing the words, so a hash
 * collision never merges two different patterns.
 *
 * @example
 *   const t = new PatternTable(70);
 *   const words = new Uint32Array(t.words); words[0] = 5;
 *   t.add(words, 0); // 0 (new pattern index)
 *   t.add(words, 0); // -1 (already there)
 */
export class PatternTable {
  readonly n: number;
  readonly words: number;
  pool: Uint32Array;
  size = 0;
  /** open addressing: slot → pattern index + 1 (0 = empty); capacity a power of two, load ≤ ½ */
  private slots: Int32Array;
  private hashes: Int32Array;

  constructor(n: number, capacity = 64) {
    this.n = n;
    this.words = Math.max(1, Math.ceil(n / 32));
    const cap = Math.max(16, capacity);
    this.pool = new Uint32Array(this.words * cap);
    this.hashes = new Int32Array(cap);
    let s = 32;
    while (s < 2 * cap) s *= 2;
    this.slots = new Int32Array(s);
  }

  /** Hash of the w words starting at `off` in `src` (murmur3-style mixing). */
  hash(src: Uint32Array, off: number): number {
    let h = 0x811c9dc5 ^ this.words;
    for (let i = 0; i < this.words; i++) {
      let k = src[off + i];
      k = Math.imul(k, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      h ^= k;
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h | 0;
  }

  private equalAt(p: number, src: Uint32Array, off: number): boolean {
    const base = p * this.words;
    for (let i = 0; i < this.words; i++) if (this.pool[base + i] !== src[off + i]) return false;
    return true;
  }

  /** Slot of the pattern in src (holding it, or the empty slot where it would go). */
  private probe(src: Uint32Array, off: number, h: number): number {
    const mask = this.slots.length - 1;
    let s = h & mask;
    for (;;) {
      const e = this.slots[s];
      if (e === 0) return s;
      const p = e - 1;
      if (this.hashes[p] === h && this.equalAt(p, src, off)) return s;
      s = (s + 1) & mask;
    }
  }

  /** Index of the pattern held in src[off .. off+w), or −1. */
  find(src: Uint32Array, off: number): number {
    const e = this.slots[this.probe(src, off, this.hash(src, off))];
    return e - 1;
  }

  /** Insert the pattern in src[off .. off+w); returns its new index, or −1 if it was already present. */
  add(src: Uint32Array, off: number): number {
    const h = this.hash(src, off);
    const s = this.probe(src, off, h);
    if (this.slots[s] !== 0) return -1;
    const p = this.size++;
    if (p >= this.hashes.length) {
      const cap = this.hashes.length * 2;
      const pool = new Uint32Array(cap * this.words);
      pool.set(this.pool);
      this.pool = pool;
      const hs = new Int32Array(cap);
      hs.set(this.hashes);
      this.hashes = hs;
    }
    this.pool.set(src.subarray(off, off + this.words), p * this.words);
    this.hashes[p] = h;
    if (2 * this.size > this.slots.length) {
      const slots = new Int32Array(this.slots.length * 2);
      const mask = slots.length - 1;
      for (let t = 0; t < this.size; t++) {
        let u = this.hashes[t] & mask;
        while (slots[u] !== 0) u = (u + 1) & mask;
        slots[u] = t + 1;
      }
      this.slots = slots;
    } else {
      this.slots[s] = p + 1;
    }
    return p;
  }

  /** Append the pattern without de-duplication (it is not entered in the hash index). */
  addUnchecked(src: Uint32Array, off: number): number {
    const p = this.size++;
    if (p >= this.hashes.length) {
      const pool = new Uint32Array(this.hashes.length * 2 * this.words);
      pool.set(this.pool);
      this.pool = pool;
      this.hashes = new Int32Array(this.hashes.length * 2);
    }
    this.pool.set(src.subarray(off, off + this.words), p * this.words);
    return p;
  }

  /** The stored patterns (those listed in `keep`, default all) as row-major n × P masks. */
  toMasks(keep?: ArrayLike<number>): PatternMasks {
    const P = keep ? keep.length : this.size;
    const m = new PatternMasks(this.n, P);
    const wpr = m.wordsPerRow;
    for (let t = 0; t < P; t++) {
      const base = (keep ? keep[t] : t) * this.words;
      const bit = 1 << (t & 31);
      const col = t >>> 5;
      for (let w = 0; w < this.words; w++) {
        let v = this.pool[base + w];
        while (v !== 0) {
          const low = v & -v;
          const j = w * 32 + (31 - Math.clz32(low));
          m.bits[j * wpr + col] |= bit;
          v ^= low;
        }
      }
    }
    return m;
  }
}

/**
 * Column-packed copy of row-major masks: pattern i in words [i·w, (i+1)·w), w = ⌈n/32⌉, the layout
 * `PatternTable` hashes.
 * @internal
 */
export function columnWords(masks: PatternMasks): Uint32Array {
  const w = Math.max(1, Math.ceil(masks.n / 32));
  const out = new Uint32Array(w * masks.p);
  const wpr = masks.wordsPerRow;
  for (let j = 0; j < masks.n; j++) {
    const jw = j >>> 5;
    const jb = 1 << (j & 31);
    for (let c = 0; c < wpr; c++) {
      let v = masks.bits[j * wpr + c];
      while (v !== 0) {
        const low = v & -v;
        const i = c * 32 + (31 - Math.clz32(low));
        out[i * w + jw] |= jb;
        v ^= low;
      }
    }
  }
  return out;
}
