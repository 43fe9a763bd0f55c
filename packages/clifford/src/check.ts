/**
 * The option checks the Clifford calls share (not exported from the package): every call with a
 * λ takes `lambda`, `scale` and `tol`, and refuses a missing options object before its keys.
 */
import { assertOption, checkOptions, type OptionSpec } from '@cvxnn/linalg';
import type { ObjectiveScale } from '@cvxnn/networks';

/** The keys every call with a λ takes. */
export const LAMBDA_OPTIONS: OptionSpec<{ lambda: number; scale?: ObjectiveScale; tol?: number }> = {
  lambda: 'number',
  scale: '"sum"|"mean"',
  tol: 'number',
};

/** Refuse missing options (`fn needs options with at least lambda`), then check them against `spec`. */
export function checkLambdaOptions<T>(fn: string, opts: T, spec: OptionSpec<T>): void {
  assertOption(opts !== undefined, `${fn} needs options with at least lambda`);
  checkOptions(fn, opts, spec);
}
