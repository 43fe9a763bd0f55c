/**
 * The backend conformance suite: every backend runs it against itself (tfjs runs core's op
 * tests inside each backend package the same way). Each kernel is compared with the naive
 * references of `reference.ts` on random shapes, ragged sizes (n not a multiple of the chunk,
 * P not a multiple of 32), empty masks and vector outputs, with a precision-dependent tolerance.
 *
 * @example
 *   // packages/backend-onnx/src/conformance.test.ts
 *   import { describeConformance } from '@cvxnn/linalg/conformance';
 *   describeConformance('onnx', () => createOnnxBackend());
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.js';
import { PatternMasks } from './masks.js';
import { Matrix } from './matrix.js';
import { checkOptions } from './options.js';
import { Rng } from './random.js';
import { naiveGemm, naiveGroupNorms, naiveGroupSoftThreshold, naiveMaskedBackward, naiveMaskedForward } from './reference.js';

/**
 * Options of `describeConformance`.
 *
 * @example
 *   describeConformance('tfjs', make, { rtol: 1e-4 });
 */
export interface ConformanceOptions {
  /** relative tolerance; default 1e-12 for fp64 backends and 2e-5 for fp32 */
  rtol?: number;
  /**
   * also require every kernel to refuse NaN/±Infinity inputs with `NON_FINITE` (as the CPU
   * backends do; the masked products get it from `validateMaskedForward/Backward`); default false
   */
  refusesNonFinite?: boolean;
}

function randn(rng: Rng, r: number, c: number): Matrix<Float64Array> {
  return new Matrix(r, c, rng.normalArray(r * c));
}

function randomMasks(rng: Rng, n: number, p: number, density: number): PatternMasks {
  const m = new PatternMasks(n, p);
  for (let j = 0; j < n; j++) for (let i = 0; i < p; i++) if (rng.uniform() < density) m.set(j, i, true);
  return m;
}

/**
 * Max |a−b| relative to the max |b| (scale-aware closeness for sums of many terms).
 *
 * @example
 *   expect(relErr(got, want)).toBeLessThan(1e-12);
 */
export function relErr(a: Matrix<Float64Array>, b: Matrix<Float64Array>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.rows; i++) {
    for (let j = 0; j < b.cols; j++) {
      num = Math.max(num, Math.abs(a.get(i, j) - b.get(i, j)));
      den = Math.max(den, Math.abs(b.get(i, j)));
    }
  }
  return den === 0 ? num : num / den;
}

/**
 * Register the conformance tests of a backend with Vitest: every kernel against the naive
 * references on random and ragged shapes, blocking boundaries, strided views, empty masks and
 * vector outputs, with tolerance `rtol` (default by the backend's precision).
 *
 * @example
 *   describeConformance('onnx', () => createOnnxBackend());
 */
export function describeConformance(label: string, make: () => Backend | Promise<Backend>, opts: ConformanceOptions = {}): void {
  checkOptions('describeConformance', opts, { rtol: 'number', refusesNonFinite: 'boolean' });
  describe(`backend conformance: ${label}`, () => {
    let backend: Backend;
    const tol = () => opts.rtol ?? (backend.precision === 'fp32' ? 2e-5 : 1e-12);

    it('initialises and reports a name and precision', async () => {
      backend = await make();
      expect(typeof backend.name).toBe('string');
      expect(['fp64', 'fp32']).toContain(backend.precision);
    });

    const gemmShapes: Array<[number, number, number]> = [
      [1, 1, 1],
      [3, 5, 2],
      [17, 13, 29],
      [64, 50, 33],
      [130, 7, 65],
      [200, 300, 9], // crosses cache-blocking boundaries in k and m
      [5, 3, 4100], // and in n
    ];
    for (const [m, k, n] of gemmShapes) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          it(`gemm ${m}×${k}·${k}×${n} transA=${transA} transB=${transB}`, async () => {
            backend ??= await make();
            const rng = new Rng(m * 1000 + k * 10 + n);
            const a = transA ? randn(rng, k, m) : randn(rng, m, k);
            const b = transB ? randn(rng, n, k) : randn(rng, k, n);
            const got = backend.gemm(a, b, { transA, transB });
            const want = naiveGemm(a, b, { transA, transB });
            expect(got.rows).toBe(m);
            expect(got.cols).toBe(n);
            expect(relErr(got, want)).toBeLessThan(tol() * Math.sqrt(k) * 4);
          });
        }
      }
    }

    it('gemm reads strided views of both inputs', async () => {
      backend ??= await make();
      const rng = new Rng(71);
      const bigA = randn(rng, 90, 80);
      const bigB = randn(rng, 70, 60);
      for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const a = transA ? bigA.view(3, 5, 40, 66) : bigA.view(3, 5, 66, 40);
        const b = transB ? bigB.view(2, 1, 50, 40) : bigB.view(2, 1, 40, 50);
        const got = backend.gemm(a, b, { transA, transB });
        expect(relErr(got, naiveGemm(a.clone(), b.clone(), { transA, transB }))).toBeLessThan(tol() * 40);
      }
    });

    it('gemm with alpha, beta and an output view', async () => {
      backend ??= await make();
      const rng = new Rng(7);
      const a = randn(rng, 9, 4);
      const b = randn(rng, 4, 6);
      const big = randn(rng, 12, 10);
      const outView = big.view(2, 3, 9, 6);
      const before = outView.clone();
      const corner = big.get(0, 0);
      const below = big.get(11, 9);
      backend.gemm(a, b, { alpha: 0.5, beta: -2, out: outView });
      const ab = naiveGemm(a, b);
      for (let i = 0; i < 9; i++) {
        for (let j = 0; j < 6; j++) {
          expect(outView.get(i, j)).toBeCloseRel(0.5 * ab.get(i, j) - 2 * before.get(i, j), tol() * 10, tol() * 10);
        }
      }
      // entries outside the view are untouched
      expect(big.get(0, 0)).toBe(corner);
      expect(big.get(11, 9)).toBe(below);
    });

    const maskShapes: Array<{ n: number; d: number; p: number; c: number; density: number }> = [
      { n: 1, d: 1, p: 1, c: 1, density: 0.5 },
      { n: 65, d: 3, p: 31, c: 1, density: 0.5 },
      { n: 200, d: 7, p: 33, c: 1, density: 0.3 },
      { n: 257, d: 50, p: 97, c: 1, density: 0.5 },
      { n: 129, d: 5, p: 64, c: 3, density: 0.5 },
      { n: 70, d: 4, p: 40, c: 1, density: 0 },
      { n: 70, d: 4, p: 40, c: 2, density: 1 },
      { n: 131, d: 6, p: 33, c: 3, density: 0.4 }, // P·c = 99 columns
      { n: 1000, d: 20, p: 70, c: 1, density: 0.5 }, // many row chunks
      { n: 90, d: 300, p: 10, c: 1, density: 0.6 }, // d larger than a k-block
      { n: 90, d: 300, p: 10, c: 2, density: 0.6 },
    ];
    // a few seeded random shapes
    const shapeRng = new Rng(2024);
    for (let t = 0; t < 4; t++) {
      maskShapes.push({ n: 1 + shapeRng.int(300), d: 1 + shapeRng.int(40), p: 1 + shapeRng.int(80), c: 1 + shapeRng.int(3), density: shapeRng.uniform() });
    }
    for (const s of maskShapes) {
      const tag = `n=${s.n} d=${s.d} P=${s.p} c=${s.c} density=${s.density}`;
      it(`maskedForward ${tag}`, async () => {
        backend ??= await make();
        const rng = new Rng(s.n + 31 * s.p + s.c);
        const X = randn(rng, s.n, s.d);
        const M = randomMasks(rng, s.n, s.p, s.density);
        const U = randn(rng, s.d, s.p * s.c);
        const got = backend.maskedForward(X, M, U);
        const want = naiveMaskedForward(X, M, U);
        expect(got.rows).toBe(s.n);
        expect(got.cols).toBe(s.c);
        expect(relErr(got, want)).toBeLessThan(tol() * Math.sqrt(s.d * s.p) * 4);
      });
      it(`maskedBackward ${tag}`, async () => {
        backend ??= await make();
        const rng = new Rng(s.n + 17 * s.p + s.c);
        const X = randn(rng, s.n, s.d);
        const M = randomMasks(rng, s.n, s.p, s.density);
        const R = randn(rng, s.n, s.c);
        const got = backend.maskedBackward(X, M, R);
        const want = naiveMaskedBackward(X, M, R);
        expect(got.rows).toBe(s.d);
        expect(got.cols).toBe(s.p * s.c);
        expect(relErr(got, want)).toBeLessThan(tol() * Math.sqrt(s.n) * 4);
      });
    }

    it('maskedForward writes into a provided output and overwrites it', async () => {
      backend ??= await make();
      const rng = new Rng(99);
      const X = randn(rng, 40, 3);
      const M = randomMasks(rng, 40, 5, 0.5);
      const U = randn(rng, 3, 5);
      const out = randn(rng, 40, 1);
      backend.maskedForward(X, M, U, out);
      expect(relErr(out, naiveMaskedForward(X, M, U))).toBeLessThan(tol() * 20);
    });

    it('maskedBackward writes into a provided output and overwrites it', async () => {
      backend ??= await make();
      const rng = new Rng(98);
      const X = randn(rng, 45, 4);
      const M = randomMasks(rng, 45, 6, 0.5);
      const R = randn(rng, 45, 2);
      const out = randn(rng, 4, 12);
      backend.maskedBackward(X, M, R, out);
      expect(relErr(out, naiveMaskedBackward(X, M, R))).toBeLessThan(tol() * 40);
    });

    it('masked products read strided views and write into output views', async () => {
      backend ??= await make();
      const rng = new Rng(97);
      const bigX = randn(rng, 150, 12);
      const X = bigX.view(7, 3, 133, 5);
      const M = randomMasks(rng, 133, 37, 0.5);
      const bigU = randn(rng, 9, 90);
      const U = bigU.view(2, 4, 5, 74); // c = 2
      const bigF = randn(rng, 140, 5);
      const F = bigF.view(4, 1, 133, 2);
      const corner = bigF.get(0, 0);
      backend.maskedForward(X, M, U, F);
      expect(relErr(F, naiveMaskedForward(X.clone(), M, U.clone()))).toBeLessThan(tol() * 200);
      expect(bigF.get(0, 0)).toBe(corner);
      const bigR = randn(rng, 140, 4);
      const R = bigR.view(5, 1, 133, 2);
      const bigG = randn(rng, 8, 80);
      const G = bigG.view(1, 3, 5, 74);
      backend.maskedBackward(X, M, R, G);
      expect(relErr(G, naiveMaskedBackward(X.clone(), M, R.clone()))).toBeLessThan(tol() * 200);
    });

    for (const c of [1, 3]) {
      it(`groupNorms and groupSoftThreshold, c=${c}`, async () => {
        backend ??= await make();
        const rng = new Rng(5 + c);
        const U = randn(rng, 6, 11 * c);
        const norms = backend.groupNorms(U, c);
        expect(Array.from(norms)).toAllClose(naiveGroupNorms(U, c), { rtol: tol() * 10 });
        // thresholds straddling the norms: some groups vanish, some shrink
        const t = Array.from(norms, (v, i) => (i % 2 === 0 ? v * 0.5 : v * 1.5));
        const got = backend.groupSoftThreshold(U, t, c);
        expect(relErr(got, naiveGroupSoftThreshold(U, t, c))).toBeLessThan(tol() * 10);
        const scalar = backend.groupSoftThreshold(U, 1.0, c);
        expect(relErr(scalar, naiveGroupSoftThreshold(U, 1.0, c))).toBeLessThan(tol() * 10);
      });
    }

    if (opts.refusesNonFinite) {
      it('refuses NaN and ±Infinity in every kernel input with NON_FINITE', async () => {
        backend ??= await make();
        const rng = new Rng(96);
        const X = randn(rng, 300, 8);
        const M = randomMasks(rng, 300, 40, 0.5);
        const U = randn(rng, 8, 40);
        const R = randn(rng, 300, 1);
        const poison = (A: Matrix<Float64Array>, i: number, j: number, v: number) => {
          const B = A.clone();
          B.set(i, j, v);
          return B;
        };
        const code = (f: () => unknown): string => {
          try {
            f();
          } catch (e) {
            return (e as { code?: string }).code ?? 'untyped';
          }
          return 'no error';
        };
        for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
          expect(code(() => backend.gemm(poison(X, 250, 3, v), U))).toBe('NON_FINITE');
          expect(code(() => backend.gemm(X, poison(U, 7, 39, v)))).toBe('NON_FINITE');
          expect(code(() => backend.maskedForward(poison(X, 299, 0, v), M, U))).toBe('NON_FINITE');
          expect(code(() => backend.maskedForward(X, M, poison(U, 0, 0, v)))).toBe('NON_FINITE');
          expect(code(() => backend.maskedBackward(poison(X, 1, 7, v), M, R))).toBe('NON_FINITE');
          expect(code(() => backend.maskedBackward(X, M, poison(R, 150, 0, v)))).toBe('NON_FINITE');
          expect(code(() => backend.groupNorms(poison(U, 3, 3, v)))).toBe('NON_FINITE');
          expect(code(() => backend.groupSoftThreshold(poison(U, 3, 3, v), 0.5))).toBe('NON_FINITE');
        }
      });
    }

    it('rejects mismatched shapes with a typed error', async () => {
      backend ??= await make();
      const X = Matrix.zeros(10, 3);
      const M = new PatternMasks(9, 4);
      expect(() => backend.maskedForward(X, M, Matrix.zeros(3, 4))).toThrow(/samples|rows/);
      expect(() => backend.gemm(Matrix.zeros(2, 3), Matrix.zeros(4, 2))).toThrow(/inner|dimension/);
    });
  });
}
