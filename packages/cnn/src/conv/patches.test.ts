import { CvxnnError, Matrix, Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { convGeometry, extractPatches, parseImageShape, patchChunks, poolRows } from './patches.js';

/** Naive im2col: build each padded image as a 3-D array, then read windows in (dy, dx, ch) order. */
function naivePatches(X: Matrix<Float64Array>, H: number, W: number, C: number, k: number, s: number, p: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < X.rows; i++) {
    const img: number[][][] = [];
    for (let y = 0; y < H + 2 * p; y++) {
      img.push([]);
      for (let x = 0; x < W + 2 * p; x++) {
        const px: number[] = [];
        for (let ch = 0; ch < C; ch++) {
          const yy = y - p;
          const xx = x - p;
          px.push(yy >= 0 && yy < H && xx >= 0 && xx < W ? X.get(i, (yy * W + xx) * C + ch) : 0);
        }
        img[y].push(px);
      }
    }
    for (let y0 = 0; y0 + k <= H + 2 * p; y0 += s) {
      for (let x0 = 0; x0 + k <= W + 2 * p; x0 += s) {
        const r: number[] = [];
        for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) for (let ch = 0; ch < C; ch++) r.push(img[y0 + dy][x0 + dx][ch]);
        rows.push(r);
      }
    }
  }
  return rows;
}

describe('patch matrices (SPEC §4.1)', () => {
  it('equal a naive loop over padded images for several shapes, strides and paddings', () => {
    const rng = new Rng(1);
    const cases = [
      [5, 4, 1, 3, 1, 0],
      [6, 6, 2, 3, 2, 1],
      [7, 5, 3, 2, 3, 2],
      [4, 4, 1, 4, 1, 0],
      [3, 3, 2, 5, 1, 1],
    ];
    for (const [H, W, C, k, s, p] of cases) {
      const n = 3;
      const X = new Matrix(n, H * W * C, rng.normalArray(n * H * W * C));
      const g = convGeometry({ height: H, width: W, channels: C }, { kernel: k, stride: s, padding: p });
      const P = extractPatches(X, g);
      const ref = naivePatches(X, H, W, C, k, s, p);
      expect(P.rows).toBe(ref.length);
      expect(g.patches * n).toBe(ref.length);
      expect(P.cols).toBe(k * k * C);
      expect(Array.from(P.data)).toAllClose(ref.flat(), { rtol: 0, atol: 0 });
    }
  });

  it('chunks reproduce the whole matrix; appendOne and scale apply per patch', () => {
    const rng = new Rng(2);
    const X = new Matrix(7, 36, rng.normalArray(7 * 36));
    const g = convGeometry({ height: 6, width: 6, channels: 1 }, { kernel: 3, stride: 1 });
    const whole = extractPatches(X, g, { scale: 0.5, appendOne: true });
    const parts: number[] = [];
    for (const c of patchChunks(X, g, { chunk: 3, scale: 0.5, appendOne: true })) parts.push(...c.patches.data);
    expect(parts).toAllClose(Array.from(whole.data), { rtol: 0, atol: 0 });
    const plain = extractPatches(X, g);
    for (let r = 0; r < plain.rows; r++) {
      expect(whole.get(r, 9)).toBe(1);
      for (let f = 0; f < 9; f++) expect(whole.get(r, f)).toBe(0.5 * plain.get(r, f));
    }
  });

  it('circular patches wrap around: a 1×d signal with a full-length filter gives every cyclic shift', () => {
    const x = [1, 2, 3, 4, 5];
    const g = convGeometry({ height: 1, width: 5, channels: 1 }, { kernel: [1, 5], circular: true });
    const P = extractPatches(Matrix.from([x]), g);
    expect(P.rows).toBe(5);
    for (let k = 0; k < 5; k++) for (let f = 0; f < 5; f++) expect(P.get(k, f)).toBe(x[(k + f) % 5]);
  });

  it('sum pooling adds each block of K rows', () => {
    expect(Array.from(poolRows(Matrix.from([[1, 2], [3, 4], [5, 6], [7, 8]]), 2).data)).toEqual([4, 6, 12, 14]);
  });

  it('bad inputs raise typed errors', () => {
    const shape = { height: 4, width: 4, channels: 1 };
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(CvxnnError);
        return (e as CvxnnError).code;
      }
      return 'none';
    };
    expect(code(() => extractPatches(Matrix.zeros(2, 15), convGeometry(shape, { kernel: 2 })))).toBe('SHAPE_MISMATCH');
    expect(code(() => convGeometry(shape, { kernel: 5 }))).toBe('INVALID_OPTION');
    expect(code(() => convGeometry(shape, { kernel: 2, stride: 0 }))).toBe('INVALID_OPTION');
    expect(code(() => convGeometry(shape, { kernel: 2, stride: -1 }))).toBe('INVALID_OPTION');
    expect(code(() => convGeometry(shape, { kernel: 2, padding: -1 }))).toBe('INVALID_OPTION');
    expect(code(() => parseImageShape('8x8x0'))).toBe('INVALID_OPTION');
    expect(code(() => parseImageShape('abc'))).toBe('INVALID_OPTION');
    expect(parseImageShape('28x28x1')).toEqual({ height: 28, width: 28, channels: 1 });
    expect(parseImageShape('5x7')).toEqual({ height: 5, width: 7, channels: 1 });
    // padding lets a kernel exceed the raw image
    expect(convGeometry(shape, { kernel: 5, padding: 1 }).patches).toBe(4);
  });
});
