import type { OptionType } from '@cvxnn/linalg';

/**
 * The option types the convex CNN entry points share (spread into their `OptionSpec`s): the patch
 * geometry, and the loss / scale / stopping rule of the solve.
 *
 * @example
 *   const SPEC: OptionSpec<MyOptions> = { ...CONV_GEOMETRY_OPTIONS, ...SOLVE_RULE_OPTIONS, lambda: 'number' };
 */
export const CONV_GEOMETRY_OPTIONS = { kernel: 'number|array', stride: 'integer', padding: 'integer', circular: 'boolean' } as const satisfies Record<string, OptionType>;

/** Loss, objective scale and the stopping rule (see {@link CONV_GEOMETRY_OPTIONS}). */
export const SOLVE_RULE_OPTIONS = {
  loss: '"squared"|"logistic"|"cross-entropy"',
  scale: '"sum"|"mean"',
  tol: 'number',
  maxIters: 'integer',
  timeLimit: 'number',
} as const satisfies Record<string, OptionType>;
