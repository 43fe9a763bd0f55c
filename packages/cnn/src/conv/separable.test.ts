import { enumeratePatterns } from '@cvxnn/arrangements';
import { fitConvex } from '@cvxnn/group-lasso';
import { CvxnnError, Matrix, Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { fitSeparableCnn, recoverSeparableCnn, separableObjective } from './separable.js';

function fc(X: Matrix<Float64Array>, y: Matrix<Float64Array>, lambda: number, tol = 1e-10): number {
  return fitConvex(X, y, enumeratePatterns(X), { model: 'relu', lambda, tol, maxIters: 100000 }).objective;
}

describe('separable ReLU CNN (SPEC §4.3): the fully connected program per patch position', () => {
  it('K = 1 is the fully connected C-ReLU program', () => {
    const rng = new Rng(1);
    const X = new Matrix(6, 3, rng.normalArray(18));
    const y = new Matrix(6, 1, rng.normalArray(6));
    const r = fitSeparableCnn(X, y, { imageShape: { height: 1, width: 3, channels: 1 }, kernel: [1, 3], lambda: 0.2, tol: 1e-8, maxIters: 100000 });
    expect(r.objective).toBeCloseRel(fc(X, y, 0.2, 1e-8), 1e-6);
  });

  it('positions carried by disjoint sets of images decouple into two FC programs on the reshaped data', () => {
    // 1×4 signals, 1×2 filters at stride 2: position 0 reads pixels 0–1, position 1 pixels 2–3.
    // Images 0–3 are zero on pixels 2–3 and images 4–7 on pixels 0–1, so the shared loss splits.
    const rng = new Rng(2);
    const n = 8;
    const X = Matrix.zeros(n, 4);
    for (let i = 0; i < n; i++) for (let t = 0; t < 2; t++) X.data[i * 4 + (i < 4 ? t : 2 + t)] = rng.normal();
    const y = new Matrix(n, 1, rng.normalArray(n));
    const lambda = 0.15;
    const r = fitSeparableCnn(X, y, { imageShape: { height: 1, width: 4, channels: 1 }, kernel: [1, 2], stride: 2, lambda, tol: 1e-10, maxIters: 100000 });
    expect(r.status).toBe('optimal');
    const part = (rows: number[], c0: number) => ({
      X: Matrix.fromArray(4, 2, rows.flatMap((i) => [X.get(i, c0), X.get(i, c0 + 1)])),
      y: Matrix.fromArray(4, 1, rows.map((i) => y.data[i])),
    });
    const a = part([0, 1, 2, 3], 0);
    const b = part([4, 5, 6, 7], 2);
    expect(r.objective).toBeCloseRel(fc(a.X, a.y, lambda) + fc(b.X, b.y, lambda), 1e-7);
  });

  it('overlapping patches: the recovered separable CNN has the convex objective', () => {
    const rng = new Rng(3);
    const X = new Matrix(5, 4, rng.normalArray(20));
    const y = new Matrix(5, 1, rng.normalArray(5));
    const lambda = 0.1;
    const r = fitSeparableCnn(X, y, { imageShape: { height: 1, width: 4, channels: 1 }, kernel: [1, 2], lambda, tol: 1e-8, maxIters: 100000 });
    expect(r.status).toBe('optimal');
    const model = recoverSeparableCnn(r);
    expect(model.filters.cols).toBe(r.activeNeurons);
    expect(separableObjective(model, X, y, { lambda })).toBeCloseRel(r.objective, 1e-6);
    expect(() => fitSeparableCnn(X, Matrix.zeros(5, 2), { imageShape: { height: 1, width: 4, channels: 1 }, kernel: [1, 2], lambda })).toThrow(CvxnnError);
  });
});
