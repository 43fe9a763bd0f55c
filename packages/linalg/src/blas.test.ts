import { describe, expect, it } from 'vitest';
import { daxpy, ddot, dnrm2, dot, dscal, norm2 } from './blas.js';
import { Rng } from './random.js';

describe('BLAS-1 routines (strided, offset) against naive loops', () => {
  const rng = new Rng(21);
  const x = rng.normalArray(50);
  const y = rng.normalArray(50);

  it('ddot with strides and offsets', () => {
    // x[3], x[5], …, x[3+2·9]  ·  y[40], y[37], … (negative stride walks backwards)
    let want = 0;
    for (let i = 0; i < 10; i++) want += x[3 + 2 * i] * y[40 - 3 * i];
    expect(ddot(10, x, 2, 3, y, -3, 40)).toBeCloseRel(want, 1e-14, 1e-15);
    let full = 0;
    for (let i = 0; i < 50; i++) full += x[i] * y[i];
    expect(dot(x, y)).toBeCloseRel(full, 1e-14, 1e-15);
    expect(ddot(0, x, 1, 0, y, 1, 0)).toBe(0);
  });

  it('daxpy and dscal touch only the strided entries', () => {
    const z = Float64Array.from(y);
    daxpy(7, -0.5, x, 3, 1, z, 2, 4);
    for (let i = 0; i < 50; i++) {
      const k = (i - 4) / 2;
      const hit = Number.isInteger(k) && k >= 0 && k < 7;
      expect(z[i]).toBeCloseRel(hit ? y[i] - 0.5 * x[1 + 3 * k] : y[i], 1e-15, 0);
    }
    const w = Float64Array.from(x);
    dscal(5, 3, w, 10, 2);
    for (let i = 0; i < 50; i++) expect(w[i]).toBeCloseRel((i - 2) % 10 === 0 && i >= 2 ? 3 * x[i] : x[i], 1e-15, 0);
  });

  it('dnrm2 matches sqrt(Σ x²) and neither overflows nor underflows', () => {
    let s = 0;
    for (let i = 0; i < 50; i++) s += x[i] * x[i];
    expect(norm2(x)).toBeCloseRel(Math.sqrt(s), 1e-14, 0);
    expect(dnrm2(5, x, 10, 0)).toBeCloseRel(Math.hypot(x[0], x[10], x[20], x[30], x[40]), 1e-14, 0);
    // closed forms: n copies of v have norm sqrt(n)·|v|, where v² over/underflows
    expect(norm2(new Float64Array(4).fill(1e200))).toBeCloseRel(2e200, 1e-14, 0);
    expect(norm2(new Float64Array(9).fill(-3e-200))).toBeCloseRel(9e-200, 1e-14, 0);
    expect(norm2(new Float64Array(3))).toBe(0);
  });
});
