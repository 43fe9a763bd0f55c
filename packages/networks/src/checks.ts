/**
 * Option checks shared by the public functions of this package (not exported from the index):
 * keys and types through `checkOptions` of `@cvxnn/linalg`, and the ranges every caller shares.
 * Messages start with the library call the user made.
 */
import { assertOption, checkOptions, type OptionSpec } from '@cvxnn/linalg';
import type { InitOptions } from './init.js';
import { type Loss, makeLoss } from './loss.js';
import type { ObjectiveOptions } from './objective.js';
import type { TrainOptions } from './train.js';

export const OBJECTIVE_OPTIONS: OptionSpec<ObjectiveOptions> = { loss: '"squared"|"logistic"|"cross-entropy"', lambda: 'number', scale: '"sum"|"mean"' };

export const INIT_OPTIONS: OptionSpec<InitOptions> = { width: 'number', seed: 'number', kind: '"relu"|"gated-relu"', appendOne: 'boolean', b1: 'boolean', b2: 'boolean', gates: 'matrix' };

/** The trainers' own options: an objective call accepts them (the same options object can serve both) and ignores them. */
const TRAINER_KEYS = ['learningRate', 'epochs', 'iterations', 'batchSize', 'timeLimit', 'seed', 'evalEvery', 'schedule', 'momentum', 'beta1', 'beta2', 'epsilon', 'backend'] as const satisfies ReadonlyArray<Exclude<keyof TrainOptions, keyof ObjectiveOptions>>;

/**
 * Check the options of the objective call `fn` (keys and types of `spec`, λ ≥ 0) and make its
 * loss. With the default spec (an objective call) the trainers' keys pass through unchecked.
 */
export function checkObjectiveOptions(fn: string, opts: ObjectiveOptions, spec: OptionSpec<ObjectiveOptions> = OBJECTIVE_OPTIONS): Loss {
  assertOption(opts !== null && typeof opts === 'object', `${fn}: options are required (at least { lambda })`);
  checkOptions(fn, opts, spec, spec === OBJECTIVE_OPTIONS ? TRAINER_KEYS : []);
  assertOption(Number.isFinite(opts.lambda) && opts.lambda >= 0, `${fn}: option 'lambda' must be a finite number ≥ 0, got ${opts.lambda}`);
  return makeLoss(opts.loss ?? 'squared', opts.scale ?? 'sum');
}

/** Check the `InitOptions` given to `fn` (`initNetwork`, or a trainer's `init`). */
export function checkInitOptions(fn: string, opts: InitOptions): void {
  assertOption(opts !== null && typeof opts === 'object', `${fn}: options are required (at least { width })`);
  checkOptions(fn, opts, INIT_OPTIONS);
  assertOption(Number.isInteger(opts.width) && opts.width >= 1, `${fn}: option 'width' must be an integer ≥ 1, got ${opts.width}`);
}
