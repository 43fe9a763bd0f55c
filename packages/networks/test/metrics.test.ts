import { CvxnnError, Matrix } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { accuracy, classesOf, mse, predictClass, type TwoLayerNetwork } from '../src/index.js';

// f(x) = (x₁)_+ − (−x₁)_+ = x₁ (identity through two relu units), and a 2-output copy
const id1: TwoLayerNetwork = { kind: 'relu', W1: Matrix.from([[1, -1]]), W2: Matrix.from([[1], [-1]]), appendOne: false };
const id2: TwoLayerNetwork = { kind: 'relu', W1: Matrix.from([[1, -1]]), W2: Matrix.from([[1, 0], [-1, 0]]), b2: Float64Array.of(0, 0.5), appendOne: false };

describe('prediction helpers', () => {
  const X = Matrix.from([[2], [-1], [0.25], [-3]]);
  it('predictClass: sign for one output, argmax for several', () => {
    expect(Array.from(predictClass(id1, X))).toEqual([1, -1, 1, -1]);
    // outputs (x, 0.5): class 0 iff x > 0.5
    expect(Array.from(predictClass(id2, X))).toEqual([0, 1, 1, 1]);
    expect(Array.from(classesOf(Matrix.from([[0, 0, 1], [5, 1, 1]])))).toEqual([2, 0]);
  });

  it('accuracy counts matching classes; mse is the mean of squared residuals', () => {
    const Y = Matrix.from([[1], [1], [1], [-1]]);
    expect(accuracy(id1, X, Y)).toBeCloseRel(3 / 4, 1e-15);
    const Yoh = Matrix.from([[1, 0], [0, 1], [1, 0], [0, 1]]);
    expect(accuracy(id2, X, Yoh)).toBeCloseRel(3 / 4, 1e-15);
    const T = Matrix.from([[1], [0], [0], [-3]]);
    expect(mse(id1, X, T)).toBeCloseRel((1 + 1 + 0.0625 + 0) / 4, 1e-15);
  });

  it('rejects mismatched targets and empty data', () => {
    expect(() => accuracy(id1, X, Matrix.zeros(3, 1))).toThrow(CvxnnError);
    expect(() => mse(id1, X, Matrix.zeros(4, 2))).toThrow(/Y has 2 columns but the network has 1 outputs/);
    expect(() => mse(id1, Matrix.zeros(0, 1), Matrix.zeros(0, 1))).toThrow(/no rows/);
  });
});
