import { assertOption } from '@cvxnn/linalg';

/**
 * Which coordinates of the unknown x form each penalized group, and which are free (in no group).
 * The layout owns all block indexing: solvers, penalties and certificates read groups through it.
 *
 * - `strided(d, P, c, parts)`: x holds `parts` row-major d×(P·c) matrices (U, or [V; W]); group
 *   `part·P + i` is the d×c block of columns i·c … i·c+c−1 of matrix `part`.
 * - `contiguous(specs)`: group g is `offset … offset+penalized−1`; the rest of its `size` and any
 *   coordinate in no spec are free.
 *
 * @example
 *   const L = stridedLayout(3, 4, 1); L.coords(2); // Int32Array [2, 6, 10]
 */
export interface GroupLayout {
  /** length of x */
  readonly dim: number;
  /** number of penalized groups */
  readonly count: number;
  /** coordinates of each group (penalized ones only), in block order (row-major d×c) */
  coords(g: number): Int32Array;
  /** coordinates in no group (no penalty; the dual must vanish there) */
  readonly free: Int32Array;
  /** set for the strided layout: the matrix shape that the backend kernels take directly */
  readonly strided?: { d: number; P: number; c: number; parts: number };
  /** size of the largest group */
  readonly maxSize: number;
}

/**
 * The strided layout of the two-layer programs: `parts` stacked d×(P·c) row-major matrices.
 *
 * @example
 *   const L = stridedLayout(d, P, 1, 2); // C-ReLU's [V; W]: groups 0..P−1 are v_i, P..2P−1 are w_i
 */
export function stridedLayout(d: number, P: number, c = 1, parts = 1): GroupLayout {
  assertOption(d > 0 && P >= 0 && c > 0 && parts > 0, `stridedLayout needs d, c, parts > 0 and P ≥ 0, got d=${d} P=${P} c=${c} parts=${parts}`);
  const size = d * c;
  const all = new Int32Array(parts * P * size);
  for (let part = 0; part < parts; part++) {
    const o = part * d * P * c;
    for (let i = 0; i < P; i++) {
      const base = (part * P + i) * size;
      for (let r = 0; r < d; r++) for (let k = 0; k < c; k++) all[base + r * c + k] = o + r * P * c + i * c + k;
    }
  }
  return {
    dim: parts * d * P * c,
    count: parts * P,
    coords: (g) => all.subarray(g * size, (g + 1) * size),
    free: new Int32Array(0),
    strided: { d, P, c, parts },
    maxSize: size,
  };
}

/**
 * One group of a contiguous layout: coordinates `offset … offset+size−1`, of which the first
 * `penalized` carry the norm (the rest are free).
 *
 * @example
 *   const g: GroupSpec = { offset: 0, size: 3, penalized: 2 };
 */
export interface GroupSpec {
  offset: number;
  size: number;
  penalized: number;
}

/**
 * A layout of contiguous groups (batch-norm bases, three-layer blocks, Lasso coefficients).
 * Coordinates outside every group's penalized part are free.
 *
 * @example
 *   const L = contiguousLayout([{ offset: 0, size: 3, penalized: 2 }], 4); L.free; // [2, 3]
 */
export function contiguousLayout(specs: readonly GroupSpec[], dim: number): GroupLayout {
  const owned = new Uint8Array(dim);
  const coords = specs.map((g, k) => {
    assertOption(g.offset >= 0 && g.penalized >= 0 && g.penalized <= g.size && g.offset + g.size <= dim, `group ${k} (offset ${g.offset}, size ${g.size}, penalized ${g.penalized}) does not fit in ${dim} coordinates`);
    const c = new Int32Array(g.penalized);
    for (let j = 0; j < g.penalized; j++) {
      assertOption(owned[g.offset + j] === 0, `coordinate ${g.offset + j} belongs to two groups`);
      owned[g.offset + j] = 1;
      c[j] = g.offset + j;
    }
    return c;
  });
  const free: number[] = [];
  for (let j = 0; j < dim; j++) if (!owned[j]) free.push(j);
  return { dim, count: specs.length, coords: (g) => coords[g], free: Int32Array.from(free), maxSize: Math.max(0, ...specs.map((s) => s.penalized)) };
}

/**
 * The layout restricted to a subset of groups, with the free coordinates kept: x_sub holds the
 * selected groups' coordinates (in the order given) followed by the free ones. `gather` / `scatter`
 * move between the full and the restricted vector (a working set).
 *
 * @example
 *   const sub = restrictLayout(L, [0, 3]); const xs = sub.gather(x); sub.scatter(xs, x);
 */
export function restrictLayout(layout: GroupLayout, groups: ArrayLike<number>): { layout: GroupLayout; map: Int32Array; gather(x: Float64Array): Float64Array; scatter(xs: Float64Array, x: Float64Array): void } {
  const parts: Int32Array[] = [];
  let total = 0;
  for (let t = 0; t < groups.length; t++) {
    const c = layout.coords(groups[t]);
    parts.push(c);
    total += c.length;
  }
  const map = new Int32Array(total + layout.free.length);
  const local: Int32Array[] = [];
  let o = 0;
  for (const c of parts) {
    map.set(c, o);
    local.push(Int32Array.from({ length: c.length }, (_, j) => o + j));
    o += c.length;
  }
  map.set(layout.free, o);
  const freeLocal = Int32Array.from({ length: layout.free.length }, (_, j) => o + j);
  const sub: GroupLayout = { dim: map.length, count: groups.length, coords: (g) => local[g], free: freeLocal, maxSize: Math.max(0, ...parts.map((c) => c.length)) };
  return {
    layout: sub,
    map,
    gather(x) {
      const xs = new Float64Array(map.length);
      for (let j = 0; j < map.length; j++) xs[j] = x[map[j]];
      return xs;
    },
    scatter(xs, x) {
      for (let j = 0; j < map.length; j++) x[map[j]] = xs[j];
    },
  };
}

/**
 * A layout from explicit coordinate lists (one per group; the rest of the `dim` coordinates are
 * free): the Fourier-coefficient groups of the circular CNN, or any irregular grouping.
 *
 * @example
 *   const L = indexLayout([[0], [1, 2]], 4); L.free; // [3]
 */
export function indexLayout(groups: ReadonlyArray<ArrayLike<number>>, dim: number): GroupLayout {
  const owned = new Uint8Array(dim);
  const coords = groups.map((g, k) => {
    const c = Int32Array.from(g as ArrayLike<number>);
    for (const j of c) {
      assertOption(Number.isInteger(j) && j >= 0 && j < dim, `group ${k} holds coordinate ${j}, outside 0..${dim - 1}`);
      assertOption(owned[j] === 0, `coordinate ${j} belongs to two groups`);
      owned[j] = 1;
    }
    return c;
  });
  const free: number[] = [];
  for (let j = 0; j < dim; j++) if (!owned[j]) free.push(j);
  return { dim, count: groups.length, coords: (g) => coords[g], free: Int32Array.from(free), maxSize: Math.max(0, ...coords.map((c) => c.length)) };
}
