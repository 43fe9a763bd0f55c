/**
 * A small strided low-level API over Float64Array for hot loops (in the style of stdlib's
 * `ddot.ndarray`): each routine takes (n, x, strideX, offsetX, …) and allocates nothing.
 *
 * @example
 *   ddot(3, x, 1, 0, y, 1, 0); // x·y over the first 3 entries
 */
export function ddot(n: number, x: ArrayLike<number>, sx: number, ox: number, y: ArrayLike<number>, sy: number, oy: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[ox + i * sx] * y[oy + i * sy];
  return s;
}

/**
 * y ← a·x + y over n strided entries.
 *
 * @example
 *   daxpy(3, 2, x, 1, 0, y, 1, 0); // y[0..2] += 2·x[0..2]
 */
export function daxpy(n: number, a: number, x: ArrayLike<number>, sx: number, ox: number, y: Float64Array, sy: number, oy: number): void {
  if (a === 0) return;
  for (let i = 0; i < n; i++) y[oy + i * sy] += a * x[ox + i * sx];
}

/**
 * x ← a·x over n strided entries.
 *
 * @example
 *   dscal(4, 0.5, x, 2, 1); // halves x[1], x[3], x[5], x[7]
 */
export function dscal(n: number, a: number, x: Float64Array, sx: number, ox: number): void {
  for (let i = 0; i < n; i++) x[ox + i * sx] *= a;
}

/**
 * Euclidean norm of n strided entries, scaled (LAPACK dnrm2 style) so it neither overflows nor
 * underflows.
 *
 * @example
 *   dnrm2(2, new Float64Array([3, 4]), 1, 0); // 5
 */
export function dnrm2(n: number, x: ArrayLike<number>, sx: number, ox: number): number {
  let scale = 0;
  let ssq = 1;
  for (let i = 0; i < n; i++) {
    const v = x[ox + i * sx];
    if (v !== 0) {
      const a = Math.abs(v);
      if (scale < a) {
        ssq = 1 + ssq * (scale / a) ** 2;
        scale = a;
      } else ssq += (a / scale) ** 2;
    }
  }
  return scale * Math.sqrt(ssq);
}

/**
 * Contiguous dot product of two whole arrays.
 *
 * @example
 *   dot([1, 2], [3, 4]); // 11
 */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return ddot(x.length, x, 1, 0, y, 1, 0);
}

/**
 * Contiguous Euclidean norm of a whole array.
 *
 * @example
 *   norm2([3, 4]); // 5
 */
export function norm2(x: ArrayLike<number>): number {
  return dnrm2(x.length, x, 1, 0);
}
