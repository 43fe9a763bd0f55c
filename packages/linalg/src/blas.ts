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

/** y ← a·x + y */
export function daxpy(n: number, a: number, x: ArrayLike<number>, sx: number, ox: number, y: Float64Array, sy: number, oy: number): void {
  if (a === 0) return;
  for (let i = 0; i < n; i++) y[oy + i * sy] += a * x[ox + i * sx];
}

/** x ← a·x */
export function dscal(n: number, a: number, x: Float64Array, sx: number, ox: number): void {
  for (let i = 0; i < n; i++) x[ox + i * sx] *= a;
}

/** Euclidean norm, scaled to avoid overflow. */
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

/** Contiguous dot product of two whole arrays. */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return ddot(x.length, x, 1, 0, y, 1, 0);
}

/** Contiguous Euclidean norm of a whole array. */
export function norm2(x: ArrayLike<number>): number {
  return dnrm2(x.length, x, 1, 0);
}
