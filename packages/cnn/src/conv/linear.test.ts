import { CvxnnError, Matrix, Rng, svd } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { dft, fitCircularCnn, recoverCircularCnn } from './circular.js';
import { fitLinearCnn, linearCnnObjective, linearCnnPredict, recoverLinearCnn } from './linear.js';
import { convGeometry, extractPatches } from './patches.js';

const huber = (s: number, b: number) => (s <= b ? (s * s) / 2 : b * s - (b * b) / 2);

/** Rows of a random orthogonal n×n matrix (Gram–Schmidt). */
function orthogonalRows(n: number, rng: Rng): Matrix<Float64Array> {
  const Q = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) {
    const v = rng.normalArray(n);
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let t = 0; t < n; t++) dot += v[t] * Q.data[j * n + t];
      for (let t = 0; t < n; t++) v[t] -= dot * Q.data[j * n + t];
    }
    const nr = Math.hypot(...v);
    for (let t = 0; t < n; t++) Q.data[i * n + t] = v[t] / nr;
  }
  return Q;
}

describe('linear CNN with a fully connected head: nuclear norm (SPEC §4.4)', () => {
  it('D4: patch matrices forming an orthonormal basis ⇒ Z* = SVT_λ(Σ y_i X_iᵀ), value Σ H_λ(σ_k)', () => {
    const rng = new Rng(11);
    // 4×4 images, 2×2 filters at stride 2: the K = 4 patches tile the image, so orthonormal
    // images give orthonormal patch matrices X_i ∈ R^{4×4}
    const X = orthogonalRows(16, rng);
    const y = new Matrix(16, 1, rng.normalArray(16));
    const lambda = 0.6;
    const shape = { height: 4, width: 4, channels: 1 };
    const r = fitLinearCnn(X, y, { imageShape: shape, kernel: 2, stride: 2, lambda, tol: 1e-10 });
    expect(r.status).toBe('optimal');
    // M[r, k] = Σ_i y_i X_i[k, r] = patch k of the image Σ_i y_i x_i
    const v = Matrix.zeros(1, 16);
    for (let i = 0; i < 16; i++) for (let t = 0; t < 16; t++) v.data[t] += y.data[i] * X.get(i, t);
    const Pv = extractPatches(v, convGeometry(shape, { kernel: 2, stride: 2 }));
    const M = Pv.transpose();
    const s = svd(M).s;
    const value = s.reduce((acc, sk) => acc + huber(sk, lambda), 0) + 0;
    // ½‖y‖² − ½‖M‖² is the part of ½‖y‖² outside the span (zero here: the basis is complete)
    expect(r.objective).toBeCloseRel(value, 1e-7);
    const expectedRank = Array.from(s).filter((sk) => sk > lambda).length;
    expect(r.rank).toBe(expectedRank);
    // the recovered linear CNN (m = rank filters) has the same non-convex objective
    const model = recoverLinearCnn(r);
    expect(model.filters.cols).toBe(expectedRank);
    expect(linearCnnObjective(model, X, y, { lambda })).toBeCloseRel(r.objective, 1e-7);
  });

  it('general data, two outputs: the factorized CNN reproduces predictions and objective', () => {
    const rng = new Rng(12);
    const X = new Matrix(8, 16, rng.normalArray(128));
    const Y = new Matrix(8, 2, rng.normalArray(16));
    const lambda = 2;
    const r = fitLinearCnn(X, Y, { imageShape: { height: 4, width: 4, channels: 1 }, kernel: 3, lambda, tol: 1e-9 });
    expect(r.status).toBe('optimal');
    const model = recoverLinearCnn(r);
    expect(linearCnnObjective(model, X, Y, { lambda })).toBeCloseRel(r.objective, 1e-7);
    expect(model.head.cols).toBe(4 * 2);
    // any other factorization of a feasible Z costs at least the nuclear norm: scaling the factors
    // (u, α) ↦ (2u, α/2) keeps predictions and raises the weight decay
    const other = { ...model, filters: new Matrix(model.filters.rows, model.filters.cols, model.filters.data.map((x) => 2 * x)), head: new Matrix(model.head.rows, model.head.cols, model.head.data.map((x) => x / 2)) };
    expect(Array.from(linearCnnPredict(other, X).data)).toAllClose(Array.from(linearCnnPredict(model, X).data), { rtol: 1e-10, atol: 1e-10 });
    expect(linearCnnObjective(other, X, Y, { lambda })).toBeGreaterThan(r.objective);
  });
});

describe('linear circular CNN: ℓ1 in the DFT domain (SPEC §4.5)', () => {
  it('dft (fft.js for powers of two, direct sum otherwise) matches the definition', () => {
    const rng = new Rng(13);
    for (const d of [8, 6, 16]) {
      const x = rng.normalArray(d);
      const { re, im } = dft(x);
      for (let k = 0; k < d; k++) {
        let a = 0;
        let b = 0;
        for (let t = 0; t < d; t++) {
          a += x[t] * Math.cos((-2 * Math.PI * k * t) / d);
          b += x[t] * Math.sin((-2 * Math.PI * k * t) / d);
        }
        expect(re[k]).toBeCloseRel(a, 1e-9, 1e-12);
        expect(im[k]).toBeCloseRel(b, 1e-9, 1e-12);
      }
    }
  });

  it('D5: the DFT-Lasso value equals the nuclear-norm program on circulant patches; the recovered CNN attains it', () => {
    for (const d of [8, 6]) {
      const rng = new Rng(20 + d);
      const n = 12;
      const X = new Matrix(n, d, rng.normalArray(n * d));
      const y = new Matrix(n, 1, rng.normalArray(n));
      const lambda = 0.8;
      const fr = fitCircularCnn(X, y, { lambda, tol: 1e-9 });
      expect(fr.status).toBe('optimal');
      const nuc = fitLinearCnn(X, y, { imageShape: { height: 1, width: d, channels: 1 }, kernel: [1, d], circular: true, lambda, tol: 1e-8, maxIters: 50000 });
      expect(nuc.status).toBe('optimal');
      expect(fr.objective).toBeCloseRel(nuc.objective, 1e-6);
      const model = recoverCircularCnn(fr);
      expect(linearCnnObjective(model, X, y, { lambda })).toBeCloseRel(fr.objective, 1e-7);
    }
  });

  it('orthogonal Fourier design (unit-impulse signals) ⇒ complex soft-thresholding', () => {
    const d = 8;
    const rng = new Rng(31);
    const X = Matrix.eye(d);
    const y = new Matrix(d, 1, rng.normalArray(d));
    const beta = 1.5;
    const r = fitCircularCnn(X, y, { lambda: beta, tol: 1e-11 });
    // ½‖√d F m − y‖² = (d/2)‖m − a‖² with a_k = conj(ŷ_k)/d, so m_k = (1 − β/(d|a_k|))_+ a_k
    let value = 0;
    for (let k = 0; k < d; k++) {
      let re = 0;
      let im = 0;
      for (let t = 0; t < d; t++) {
        re += (y.data[t] * Math.cos((2 * Math.PI * k * t) / d)) / d;
        im += (y.data[t] * Math.sin((2 * Math.PI * k * t) / d)) / d;
      }
      const s = Math.hypot(re, im);
      const f = s > beta / d ? 1 - beta / (d * s) : 0;
      expect(r.spectrum.re[k]).toBeCloseRel(f * re, 1e-6, 1e-8);
      expect(r.spectrum.im[k]).toBeCloseRel(f * im, 1e-6, 1e-8);
      value += s <= beta / d ? (d / 2) * s * s : beta * s - (beta * beta) / (2 * d);
    }
    expect(r.objective).toBeCloseRel(value, 1e-8);
  });

  it('D6: cyclically shifting every input leaves the optimal value unchanged', () => {
    const rng = new Rng(41);
    const n = 6;
    const d = 8;
    const X = new Matrix(n, d, rng.normalArray(n * d));
    const y = new Matrix(n, 1, rng.normalArray(n));
    const S = Matrix.zeros(n, d);
    for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) S.data[i * d + ((t + 3) % d)] = X.get(i, t);
    const a = fitCircularCnn(X, y, { lambda: 0.5, tol: 1e-10 });
    const b = fitCircularCnn(S, y, { lambda: 0.5, tol: 1e-10 });
    expect(b.objective).toBeCloseRel(a.objective, 1e-7);
  });

  it('bad inputs raise typed errors', () => {
    expect(() => fitCircularCnn(Matrix.zeros(3, 4), Matrix.zeros(2, 1), { lambda: 1 })).toThrow(CvxnnError);
    expect(() => fitCircularCnn(Matrix.zeros(3, 4), Matrix.zeros(3, 1), { lambda: -1 })).toThrow(CvxnnError);
    expect(() => fitLinearCnn(Matrix.zeros(3, 16), Matrix.zeros(3, 1), { imageShape: { height: 4, width: 4, channels: 1 }, kernel: 5, lambda: 1 })).toThrow(CvxnnError);
  });
});
