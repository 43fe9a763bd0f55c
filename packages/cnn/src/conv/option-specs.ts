import { assertOption, checkOptions, type OptionSpec, type OptionType } from '@cvxnn/linalg';
import type { LossName, ObjectiveScale } from '@cvxnn/networks';
import type { ConvOptions } from './patches.js';

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

/** The options of a non-convex objective (λ, loss, scale): what the convex optimum is compared with. */
export interface ObjectiveOptions {
  lambda: number;
  loss?: LossName;
  scale?: ObjectiveScale;
}

/** The keys and types of {@link ObjectiveOptions}, for the objective calls and the trainers that extend them. */
export const OBJECTIVE_OPTIONS: OptionSpec<ObjectiveOptions> = { lambda: 'number', loss: SOLVE_RULE_OPTIONS.loss, scale: SOLVE_RULE_OPTIONS.scale };

/**
 * Check the options of the call `fn`: an object, the keys and types of `spec`, λ finite and ≥ 0.
 *
 * @example
 *   checkObjectiveOptions('cnnObjectiveTerms', opts, OBJECTIVE_OPTIONS);
 */
export function checkObjectiveOptions<T extends ObjectiveOptions>(fn: string, opts: T, spec: OptionSpec<T>): void {
  assertOption(opts !== null && typeof opts === 'object', `${fn}: options are required (at least { lambda })`);
  checkOptions(fn, opts, spec);
  assertOption(Number.isFinite(opts.lambda) && opts.lambda >= 0, `${fn}: option 'lambda' must be a finite number ≥ 0, got ${opts.lambda}`);
}

/**
 * The geometry keys of a fit's options, for `convGeometry` (which refuses any other key).
 *
 * @example
 *   convGeometry(opts.imageShape, convOptionsOf(opts));
 */
export function convOptionsOf(o: ConvOptions): ConvOptions {
  return { kernel: o.kernel, stride: o.stride, padding: o.padding, circular: o.circular };
}
