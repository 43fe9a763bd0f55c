/**
 * Oracle tests of the operator fast paths in src/core/operator.ts: `apply`/`adjoint`, `images`,
 * `weightedGram` and `restrict` of the masked (C-GReLU), relu (C-ReLU) and dense operators
 * against dense D_i X (resp. Φ_g) blocks built here, entry by entry.
 */
import { createCpuBackend, Matrix, PatternMasks, Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { contiguousLayout, denseOperator, genericOperator, groupImages, maskedProblemOperator, type ProblemOperator, reluOperator, stridedLayout } from '../src/index.js';
import { randn } from './helpers.js';

const backend = createCpuBackend();

function setup(seed: number, n = 23, d = 3, P = 7) {
  const rng = new Rng(seed);
  const X = randn(rng, n, d);
  const G = randn(rng, d, P);
  const masks = PatternMasks.fromGates(X, G);
  // dense blocks D_i X, written out here
  // the masks are the operator's input (tested in linalg); read bit by bit through masks.get
  const DX = (i: number, j: number, r: number) => (masks.get(j, i) ? X.get(j, r) : 0);
  return { rng, X, G, masks, n, d, P, DX };
}

/** x[r·P·c + i·c + k] of a strided d×(P·c) matrix (part `part` of `parts`). */
const sidx = (d: number, P: number, c: number, part: number, r: number, i: number, k: number) => part * d * P * c + r * P * c + i * c + k;

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** ⟨A x, z⟩ = ⟨x, Aᵀ z⟩ on random vectors. */
function expectAdjoint(op: ProblemOperator, rng: Rng) {
  const x = rng.normalArray(op.inDim);
  const z = rng.normalArray(op.outDim);
  const Ax = new Float64Array(op.outDim);
  const Atz = new Float64Array(op.inDim);
  op.apply(x, Ax);
  op.adjoint(z, Atz);
  expect(dot(Ax, z)).toBeCloseRel(dot(x, Atz), 1e-12, 1e-12);
}

describe('maskedOperator (C-GReLU): products, images, weightedGram vs dense D_i X', () => {
  for (const c of [1, 2]) {
    it(`c = ${c}: apply/adjoint equal Σ_i D_i X U_i and (D_i X)ᵀ R; images of any group subset and row range`, () => {
      const { rng, X, masks, n, d, P, DX } = setup(1 + c);
      const op = maskedProblemOperator(X, masks, c, backend);
      expect(op.inDim).toBe(d * P * c);
      expect(op.outDim).toBe(n * c);
      const x = rng.normalArray(op.inDim);
      const F = new Float64Array(n * c);
      op.apply(x, F);
      const Fref = new Float64Array(n * c);
      for (let j = 0; j < n; j++) for (let k = 0; k < c; k++) for (let i = 0; i < P; i++) for (let r = 0; r < d; r++) Fref[j * c + k] += DX(i, j, r) * x[sidx(d, P, c, 0, r, i, k)];
      expect(Array.from(F)).toAllClose(Fref, { rtol: 1e-12, atol: 1e-12 });
      const R = rng.normalArray(n * c);
      const g = new Float64Array(op.inDim);
      op.adjoint(R, g);
      const gref = new Float64Array(op.inDim);
      for (let i = 0; i < P; i++) for (let r = 0; r < d; r++) for (let k = 0; k < c; k++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += DX(i, j, r) * R[j * c + k];
        gref[sidx(d, P, c, 0, r, i, k)] = s;
      }
      expect(Array.from(g)).toAllClose(gref, { rtol: 1e-12, atol: 1e-12 });
      expectAdjoint(op, rng);

      const dirs = rng.normalArray(op.inDim);
      for (const [groups, j0, j1] of [
        [[0, 1, 2, 3, 4, 5, 6], 0, n],
        [[5, 0, 3], 4, 17],
        [[6], 22, 23],
      ] as Array<[number[], number, number]>) {
        const B = op.images!(dirs, Int32Array.from(groups), j0, j1);
        const m = groups.length;
        expect(B.length).toBe((j1 - j0) * c * m);
        const Bref = new Float64Array((j1 - j0) * c * m);
        groups.forEach((i, t) => {
          for (let j = j0; j < j1; j++) for (let k = 0; k < c; k++) {
            let s = 0;
            for (let r = 0; r < d; r++) s += DX(i, j, r) * dirs[sidx(d, P, c, 0, r, i, k)];
            Bref[((j - j0) * c + k) * m + t] = s;
          }
        });
        expect(Array.from(B)).toAllClose(Bref, { rtol: 1e-12, atol: 1e-12 });
        // the generic fallback (one product per group) agrees with the fast path
        const generic = genericOperator(op, op.layout, n, c);
        expect(Array.from(groupImages(generic, dirs, Int32Array.from(groups), j0, j1))).toAllClose(Bref, { rtol: 1e-12, atol: 1e-12 });
      }
    });
  }

  it('weightedGram(w) = Σ_i w_i (D_i X)(D_i X)ᵀ (zero weights skipped, all zero gives 0)', () => {
    const { rng, X, masks, n, d, P, DX } = setup(4);
    const op = maskedProblemOperator(X, masks, 1, backend);
    const w = Float64Array.from({ length: P }, (_, i) => (i % 3 === 1 ? 0 : rng.uniform() + 0.1));
    const K = op.weightedGram!(w);
    expect(K.length).toBe(n * n);
    const Kref = new Float64Array(n * n);
    for (let i = 0; i < P; i++) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
      let s = 0;
      for (let r = 0; r < d; r++) s += DX(i, a, r) * DX(i, b, r);
      Kref[a * n + b] += w[i] * s;
    }
    expect(Array.from(K)).toAllClose(Kref, { rtol: 1e-12, atol: 1e-12 });
    expect(Array.from(op.weightedGram!(new Float64Array(P)))).toAllClose(new Float64Array(n * n), { atol: 0 });
  });
});

describe('reluOperator (C-ReLU): x = [vec V; vec W], groups P…2P−1 carry the sign −1', () => {
  it('apply/adjoint, images (mixed v and w groups), weightedGram vs dense blocks', () => {
    const { rng, X, masks, n, d, P, DX } = setup(5);
    const op = reluOperator(X, masks, backend);
    expect(op.layout.count).toBe(2 * P);
    const x = rng.normalArray(op.inDim);
    const F = new Float64Array(n);
    op.apply(x, F);
    const Fref = new Float64Array(n);
    for (let j = 0; j < n; j++) for (let i = 0; i < P; i++) for (let r = 0; r < d; r++) Fref[j] += DX(i, j, r) * (x[sidx(d, P, 1, 0, r, i, 0)] - x[sidx(d, P, 1, 1, r, i, 0)]);
    expect(Array.from(F)).toAllClose(Fref, { rtol: 1e-12, atol: 1e-12 });
    expectAdjoint(op, rng);

    const dirs = rng.normalArray(op.inDim);
    const groups = [P + 2, 0, 2, 2 * P - 1, 4];
    for (const [j0, j1] of [
      [0, n],
      [3, 9],
    ]) {
      const B = op.images!(dirs, Int32Array.from(groups), j0, j1);
      const m = groups.length;
      const Bref = new Float64Array((j1 - j0) * m);
      groups.forEach((g, t) => {
        const part = g >= P ? 1 : 0;
        const i = g - part * P;
        for (let j = j0; j < j1; j++) {
          let s = 0;
          for (let r = 0; r < d; r++) s += DX(i, j, r) * dirs[sidx(d, P, 1, part, r, i, 0)];
          Bref[(j - j0) * m + t] = part ? -s : s;
        }
      });
      expect(Array.from(B)).toAllClose(Bref, { rtol: 1e-12, atol: 1e-12 });
      // images are A(e_g ⊙ dirs): the same as one full product per group
      expect(Array.from(groupImages(genericOperator(op, op.layout, n, 1), dirs, Int32Array.from(groups), j0, j1))).toAllClose(Bref, { rtol: 1e-12, atol: 1e-12 });
    }

    const w = Float64Array.from({ length: 2 * P }, (_, g) => (g % 4 === 0 ? 0 : rng.uniform()));
    const K = op.weightedGram!(w);
    const Kref = new Float64Array(n * n);
    for (let g = 0; g < 2 * P; g++) {
      const i = g % P;
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
        let s = 0;
        for (let r = 0; r < d; r++) s += DX(i, a, r) * DX(i, b, r);
        Kref[a * n + b] += w[g] * s;
      }
    }
    expect(Array.from(K)).toAllClose(Kref, { rtol: 1e-12, atol: 1e-12 });
  });
});

describe('denseOperator: images and weightedGram vs Φ_g column blocks', () => {
  for (const c of [1, 2]) {
    it(`c = ${c}, strided groups of h rows of x (m×c)`, () => {
      const rng = new Rng(60 + c);
      const n = 17;
      const h = 3;
      const P = 5;
      const m = h * P;
      const Phi = randn(rng, n, m);
      const layout = stridedLayout(h, P, c);
      const op = denseOperator(Phi, layout, c, backend);
      expectAdjoint(op, rng);
      // x is m×c row-major: entry (row, k) at row·c + k; apply = Φ x
      const x = rng.normalArray(m * c);
      const F = new Float64Array(n * c);
      op.apply(x, F);
      const Fref = new Float64Array(n * c);
      for (let j = 0; j < n; j++) for (let k = 0; k < c; k++) for (let row = 0; row < m; row++) Fref[j * c + k] += Phi.get(j, row) * x[row * c + k];
      expect(Array.from(F)).toAllClose(Fref, { rtol: 1e-12, atol: 1e-12 });
      // the rows of x in group g (from the layout, written out: row r·P + i for group i)
      const rowsOf = (g: number) => Array.from({ length: h }, (_, r) => r * P + g);
      for (let g = 0; g < P; g++) {
        const got = Array.from(layout.coords(g)).map((j) => Math.floor(j / c)).filter((v, t, a) => a.indexOf(v) === t);
        expect(got.sort((a, b) => a - b)).toEqual(rowsOf(g));
      }
      const dirs = rng.normalArray(m * c);
      const groups = [4, 1, 2];
      const j0 = 2;
      const j1 = 15;
      const B = op.images!(dirs, Int32Array.from(groups), j0, j1);
      const Bref = new Float64Array((j1 - j0) * c * groups.length);
      groups.forEach((g, t) => {
        for (let j = j0; j < j1; j++) for (let k = 0; k < c; k++) {
          let s = 0;
          for (const row of rowsOf(g)) s += Phi.get(j, row) * dirs[row * c + k];
          Bref[((j - j0) * c + k) * groups.length + t] = s;
        }
      });
      expect(Array.from(B)).toAllClose(Bref, { rtol: 1e-12, atol: 1e-12 });
      const w = Float64Array.from({ length: P }, (_, g) => (g === 3 ? 0 : 0.5 + g));
      const K = op.weightedGram!(w);
      const Kref = new Float64Array(n * n);
      for (let g = 0; g < P; g++) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
        let s = 0;
        for (const row of rowsOf(g)) s += Phi.get(a, row) * Phi.get(b, row);
        Kref[a * n + b] += w[g] * s;
      }
      expect(Array.from(K)).toAllClose(Kref, { rtol: 1e-12, atol: 1e-12 });
    });
  }

  it('free coordinates (contiguous layout, c = 1) are left out of weightedGram', () => {
    const rng = new Rng(70);
    const n = 9;
    const Phi = randn(rng, n, 6);
    // groups {0,1}, {3,4,(5 free)}: coordinates 2 and 5 are free
    const layout = contiguousLayout(
      [
        { offset: 0, size: 2, penalized: 2 },
        { offset: 3, size: 3, penalized: 2 },
      ],
      6,
    );
    expect(Array.from(layout.free)).toEqual([2, 5]);
    const op = denseOperator(Phi, layout, 1, backend);
    const w = Float64Array.of(2, 0.25);
    const K = op.weightedGram!(w);
    const Kref = new Float64Array(n * n);
    for (const [g, cols] of [
      [0, [0, 1]],
      [1, [3, 4]],
    ] as Array<[number, number[]]>) {
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) for (const col of cols) Kref[a * n + b] += w[g] * Phi.get(a, col) * Phi.get(b, col);
    }
    expect(Array.from(K)).toAllClose(Kref, { rtol: 1e-12, atol: 1e-12 });
  });
});

describe('restrict: gather/scatter round trip and equal products on the working set', () => {
  /** x with every coordinate outside `keep` zeroed. */
  const only = (x: Float64Array, coords: number[]) => {
    const out = new Float64Array(x.length);
    for (const j of coords) out[j] = x[j];
    return out;
  };

  function check(op: ProblemOperator, ws: number[], expectedGroups: number[], rng: Rng) {
    const sub = op.restrict!(Int32Array.from(ws));
    const coords = expectedGroups.flatMap((g) => Array.from(op.layout.coords(g))).concat(Array.from(op.layout.free));
    expect(sub.op.inDim).toBe(coords.length);
    expect(sub.op.outDim).toBe(op.outDim);
    const x = rng.normalArray(op.inDim);
    const xs = sub.gather(x);
    expect(xs.length).toBe(coords.length);
    // the gathered values are exactly the working-set coordinates of x (in some order)
    expect(Array.from(xs).sort((a, b) => a - b)).toEqual(coords.map((j) => x[j]).sort((a, b) => a - b));
    // scatter(gather(x)) into zeros = x on the working set, 0 elsewhere; scatter keeps the rest
    const back = new Float64Array(op.inDim);
    sub.scatter(xs, back);
    expect(Array.from(back)).toEqual(Array.from(only(x, coords)));
    const y = rng.normalArray(op.inDim);
    const y0 = Float64Array.from(y);
    sub.scatter(xs, y);
    for (let j = 0; j < op.inDim; j++) expect(y[j]).toBe(coords.includes(j) ? x[j] : y0[j]);
    // gather(scatter(xs)) = xs
    expect(Array.from(sub.gather(back))).toEqual(Array.from(xs));
    // products: A_ws xs = A (x restricted), A_wsᵀ z = gather(Aᵀ z)
    const F1 = new Float64Array(op.outDim);
    const F2 = new Float64Array(op.outDim);
    sub.op.apply(xs, F1);
    op.apply(only(x, coords), F2);
    expect(Array.from(F1)).toAllClose(F2, { rtol: 1e-12, atol: 1e-12 });
    const z = rng.normalArray(op.outDim);
    const g1 = new Float64Array(sub.op.inDim);
    const g2 = new Float64Array(op.inDim);
    sub.op.adjoint(z, g1);
    op.adjoint(z, g2);
    expect(Array.from(g1)).toAllClose(sub.gather(g2), { rtol: 1e-12, atol: 1e-12 });
    // the restricted group structure: sub group t is the t-th group (in the sub layout's order)
    // of the working set, with the same number of coordinates
    expect(sub.op.layout.count).toBe(expectedGroups.length);
    return sub;
  }

  it('masked (c = 1 and 2), unsorted working set', () => {
    for (const c of [1, 2]) {
      const { rng, X, masks } = setup(80 + c);
      const op = maskedProblemOperator(X, masks, c, backend);
      const sub = check(op, [5, 0, 3], [5, 0, 3], rng);
      // the restricted operator's own fast paths agree with the full operator's images
      const dirs = rng.normalArray(op.inDim);
      const Bfull = op.images!(dirs, Int32Array.of(5, 0, 3), 0, op.n);
      const Bsub = sub.op.images!(sub.gather(dirs), Int32Array.of(0, 1, 2), 0, op.n);
      expect(Array.from(Bsub)).toAllClose(Bfull, { rtol: 1e-12, atol: 1e-12 });
      expectAdjoint(sub.op, rng);
    }
  });

  it('relu: a working set of groups keeps both parts of each pattern touched', () => {
    const { rng, X, masks, P } = setup(90);
    const op = reluOperator(X, masks, backend);
    // groups P+2 (w_2) and 0 (v_0): patterns {0, 2}, so groups v_0, v_2, w_0, w_2
    const sub = check(op, [P + 2, 0], [0, 2, P, P + 2], rng);
    expect(sub.op.layout.count).toBe(4);
    expectAdjoint(sub.op, rng);
  });

  it('dense and generic (zero-embedded), with free coordinates carried along', () => {
    const rng = new Rng(95);
    const Phi = randn(rng, 11, 7);
    const layout = contiguousLayout(
      [
        { offset: 0, size: 2, penalized: 2 },
        { offset: 2, size: 2, penalized: 2 },
        { offset: 4, size: 3, penalized: 2 },
      ],
      7,
    );
    const op = denseOperator(Phi, layout, 1, backend);
    check(op, [2, 0], [2, 0], rng);
    const gen = genericOperator(op, layout, 11, 1);
    const sub = check(gen, [1], [1], rng);
    expectAdjoint(sub.op, rng);
  });
});
