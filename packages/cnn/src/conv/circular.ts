import { dataLoss, indexLayout, l2Penalty, type LinearMap, linearProblem } from '@cvxnn/group-lasso';
import { assertFinite, assertOption, assertShape, checkOptions, CvxnnError, Matrix, type OptionSpec } from '@cvxnn/linalg';
import { SOLVE_RULE_OPTIONS } from './option-specs.js';
import type { LossName, ObjectiveScale } from '@cvxnn/networks';
import FFT from 'fft.js';
import { certifiedFields, solveCertified } from './certified.js';
import { type LinearCnnModel, type LinearCnnResultBase, recoverLinearCnn } from './linear.js';
import { convGeometry } from './patches.js';

/**
 * Unnormalised DFT x̂_k = Σ_t x_t e^{−2πi kt/d} of a real signal: fft.js's radix-4 real transform
 * when d is a power of two, the direct O(d²) sum otherwise.
 *
 * @example
 *   const { re, im } = dft(Float64Array.of(1, 0, 0, 0)); // all ones
 */
export function dft(x: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  const d = x.length;
  assertOption(d >= 1, 'dft needs a non-empty signal');
  const re = new Float64Array(d);
  const im = new Float64Array(d);
  if (d >= 2 && (d & (d - 1)) === 0) {
    const f = new FFT(d);
    const out = f.createComplexArray() as number[];
    f.realTransform(out, Array.from(x));
    f.completeSpectrum(out);
    for (let k = 0; k < d; k++) {
      re[k] = out[2 * k];
      im[k] = out[2 * k + 1];
    }
    return { re, im };
  }
  for (let k = 0; k < d; k++) {
    let a = 0;
    let b = 0;
    for (let t = 0; t < d; t++) {
      const w = (-2 * Math.PI * ((k * t) % d)) / d;
      a += x[t] * Math.cos(w);
      b += x[t] * Math.sin(w);
    }
    re[k] = a;
    im[k] = b;
  }
  return { re, im };
}

/**
 * Result of {@link fitCircularCnn}: the Fourier coefficients m ∈ C^d (conjugate-symmetric) of
 * Z = Fᴴ diag(m) F, and the number of non-zero frequencies.
 *
 * @example
 *   const r = fitCircularCnn(X, y, { lambda: 0.5 }); r.spectrum.re;
 */
export interface CircularCnnResult extends LinearCnnResultBase {
  length: number;
  spectrum: { re: Float64Array; im: Float64Array };
  activeFrequencies: number;
}

/**
 * The real design of the Fourier Lasso: column groups {k = 0}, {Re, −Im of k} for 0 < k < d/2
 * (coefficient b = 2m_k, so 2Re(λ_k m_k) = Re λ_k b₁ − Im λ_k b₂ and 2|m_k| = ‖b‖), {k = d/2}.
 */
function fourierDesign(X: Matrix<Float64Array>): { Phi: Matrix<Float64Array>; groups: number[][]; freq: number[] } {
  const n = X.rows;
  const d = X.cols;
  const Phi = Matrix.zeros(n, d);
  const groups: number[][] = [];
  const freq: number[] = [];
  const specs = Array.from({ length: n }, (_, i) => dft(X.row(i)));
  let col = 0;
  for (let k = 0; k <= Math.floor(d / 2); k++) {
    const self = k === 0 || 2 * k === d;
    const g = self ? [col] : [col, col + 1];
    for (let i = 0; i < n; i++) {
      Phi.data[i * d + col] = specs[i].re[k];
      if (!self) Phi.data[i * d + col + 1] = -specs[i].im[k];
    }
    groups.push(g);
    freq.push(k);
    col += g.length;
  }
  return { Phi, groups, freq };
}

/** The options `fitCircularCnn` takes, with their types (the compiler keeps the list complete). */
export const CIRCULAR_CNN_OPTIONS: OptionSpec<Parameters<typeof fitCircularCnn>[2]> = {
  lambda: 'number',
  ...SOLVE_RULE_OPTIONS,
};

/**
 * The linear circular CNN (full-length circular filters, fully connected head; SPEC §4.5) as a
 * Lasso on Fourier features:
 *
 *   min_{m ∈ C^d, m_{−k} = conj(m_k)} ℓ(Σ_k λ_k(x_i) m_k) + λ‖m‖₁,   λ(x) = unnormalised DFT of x,
 *
 * equal to the nuclear-norm program of §4.4 on the circulant patches (tested). Rows of X are 1-D
 * signals of length d. Solved by R-FISTA (group soft-thresholding on the real/imaginary pairs),
 * certified by the duality gap.
 *
 * @example
 *   const r = fitCircularCnn(X, y, { lambda: 0.5 });
 *   const model = recoverCircularCnn(r); // a linear CNN with d circular filters of length d
 */
export function fitCircularCnn(
  X: Matrix<Float64Array>,
  Y: Matrix<Float64Array>,
  opts: { lambda: number; loss?: LossName; scale?: ObjectiveScale; tol?: number; maxIters?: number; timeLimit?: number },
): CircularCnnResult {
  checkOptions('fitCircularCnn', opts, CIRCULAR_CNN_OPTIONS);
  if (X.rows === 0 || X.cols === 0) throw new CvxnnError('EMPTY_DATA', `the signals are ${X.rows}×${X.cols}; need at least one non-empty signal`);
  assertShape(Y.rows === X.rows && Y.cols === 1, `the circular CNN has one output: targets must be ${X.rows}×1, got ${Y.rows}×${Y.cols}`);
  assertFinite(X.clone().data, 'the signals', X.cols);
  assertFinite(Y.clone().data, 'the targets', 1);
  const lambda = opts.lambda;
  assertOption(Number.isFinite(lambda) && lambda > 0, `lambda must be a finite number > 0, got ${lambda}`);
  const n = X.rows;
  const d = X.cols;
  const { Phi, groups, freq } = fourierDesign(X);
  const pd = Phi.data;
  const A: LinearMap = {
    inDim: d,
    outDim: n,
    apply(x, out) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += pd[i * d + j] * x[j];
        out[i] = s;
      }
    },
    adjoint(z, out) {
      out.fill(0);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[j] += pd[i * d + j] * z[i];
    },
  };
  const gnorm = (x: Float64Array, g: number[]) => Math.sqrt(g.reduce((s, j) => s + x[j] * x[j], 0));
  const lossName = opts.loss ?? 'squared';
  const scale = opts.scale ?? 'sum';
  // the ℓ1 norm of the spectrum as a group Lasso over the real/imaginary pairs of each frequency
  const problem = linearProblem(A, indexLayout(groups, d), dataLoss(lossName, scale, Y), lambda, (L, l) => l2Penalty(L, l), 'fourier');
  const r = solveCertified(problem, { tol: opts.tol ?? 1e-8, maxIters: opts.maxIters ?? 20000, timeLimit: opts.timeLimit ?? Infinity });
  const re = new Float64Array(d);
  const im = new Float64Array(d);
  let active = 0;
  groups.forEach((g, t) => {
    const k = freq[t];
    if (g.length === 1) re[k] = r.x[g[0]];
    else {
      re[k] = r.x[g[0]] / 2;
      im[k] = r.x[g[1]] / 2;
      re[d - k] = re[k];
      im[d - k] = -im[k];
    }
    if (gnorm(r.x, g) > 0) active += g.length === 1 ? 1 : 2;
  });
  return {
    ...certifiedFields(r, lambda, lossName, scale),
    length: d,
    spectrum: { re, im },
    activeFrequencies: active,
  };
}

/**
 * The explicit linear circular CNN of a Fourier solution: Z' = Fᴴ diag(m) F (real, circulant),
 * Z'_{l,k} = (1/d) Σ_q m_q e^{2πi q(l−k)/d}, re-indexed to this package's circular patches
 * (patch k of x reads x_{k+f}, so Z[f, k] = Z'[−f mod d, k]) and factored by its SVD into d-tap
 * circular filters and output weights. Its weight decay equals λ‖m‖₁.
 *
 * @example
 *   const model = recoverCircularCnn(fitCircularCnn(X, y, { lambda: 0.5 }));
 *   linearCnnPredict(model, X);
 */
export function recoverCircularCnn(r: CircularCnnResult): LinearCnnModel {
  const d = r.length;
  const { re, im } = r.spectrum;
  const Z = Matrix.zeros(d, d);
  for (let f = 0; f < d; f++) {
    const l = (d - f) % d;
    for (let k = 0; k < d; k++) {
      let s = 0;
      for (let q = 0; q < d; q++) {
        const w = (2 * Math.PI * ((((q * (l - k)) % d) + d) % d)) / d;
        s += re[q] * Math.cos(w) - im[q] * Math.sin(w);
      }
      Z.data[f * d + k] = s / d;
    }
  }
  const geometry = convGeometry({ height: 1, width: d, channels: 1 }, { kernel: [1, d], circular: true });
  return recoverLinearCnn({ geometry, Z });
}
