/**
 * Typed errors shared by every cvxnn package. A message says what was wrong with the input
 * and what to do about it; `code` lets programs branch without parsing text.
 *
 * @example
 *   throw new CvxnnError('SHAPE_MISMATCH', `X has ${X.rows} rows but y has ${y.length}; pass one label per row`);
 */
/**
 * The machine-readable error codes.
 *
 * @example
 *   const code: CvxnnErrorCode = 'SHAPE_MISMATCH';
 */
export type CvxnnErrorCode =
  | 'SHAPE_MISMATCH'
  | 'NON_FINITE'
  | 'EMPTY_DATA'
  | 'PARSE_ERROR'
  | 'MISSING_VALUE'
  | 'NON_NUMERIC'
  | 'INVALID_OPTION'
  | 'INFEASIBLE'
  | 'NOT_FITTED'
  | 'BACKEND_UNAVAILABLE'
  | 'UNKNOWN_KERNEL'
  | 'NOT_CONVERGED'
  | 'IO_ERROR'
  | 'INTERNAL';

/**
 * The one error class of cvxnn: a `code` to branch on and a message that says what to do.
 *
 * @example
 *   if (e instanceof CvxnnError && e.code === 'NON_FINITE') console.error(e.message);
 */
export class CvxnnError extends Error {
  readonly code: CvxnnErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: CvxnnErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'CvxnnError';
    this.code = code;
    this.details = details;
  }
}

/**
 * Throw `INVALID_OPTION` unless `cond` holds.
 *
 * @example
 *   assertOption(lambda > 0, `lambda must be positive, got ${lambda}`);
 */
export function assertOption(cond: boolean, message: string, details?: Record<string, unknown>): asserts cond {
  if (!cond) throw new CvxnnError('INVALID_OPTION', message, details);
}

/**
 * Throw `SHAPE_MISMATCH` unless `cond` holds.
 *
 * @example
 *   assertShape(y.length === X.rows, `X has ${X.rows} rows but y has ${y.length}`);
 */
export function assertShape(cond: boolean, message: string, details?: Record<string, unknown>): asserts cond {
  if (!cond) throw new CvxnnError('SHAPE_MISMATCH', message, details);
}

/**
 * Throw `NON_FINITE` naming the first NaN/±Infinity entry of `a` (as row/col when `cols` is given).
 *
 * @example
 *   assertFinite(X.data, 'X', X.cols);
 */
export function assertFinite(a: ArrayLike<number>, what: string, cols?: number): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!Number.isFinite(v)) {
      const where = cols ? `row ${Math.floor(i / cols)}, column ${i % cols}` : `index ${i}`;
      throw new CvxnnError('NON_FINITE', `${what} contains ${v} at ${where}; remove or impute non-finite values first`, {
        index: i,
      });
    }
  }
}
