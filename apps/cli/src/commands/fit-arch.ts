/**
 * `cvxnn fit --arch cnn|bn` and `--layerwise L`: the architectures of `@cvxnn/cnn`, sharing the
 * data preparation (`prepareData`) and run output (`emitRun`) of the fully connected `cvxnn fit`.
 */
import { assertOption } from '@cvxnn/linalg';
import type { Io } from '../io.js';
import { fitBn } from './fit-bn.js';
import { fitCnn } from './fit-cnn.js';
import type { FitCliOptions } from './fit.js';

/**
 * Dispatch a non-default architecture.
 *
 * @example
 *   await fitArchitecture({ ...options, arch: 'cnn', imageShape: '8x8x1', kernel: '3' }, io);
 */
export async function fitArchitecture(o: FitCliOptions, io: Io): Promise<void> {
  assertOption(['fc', 'cnn', 'bn'].includes(o.arch), `--arch must be fc, cnn or bn, got '${o.arch}'`);
  if (o.arch === 'cnn') return fitCnn(o, io);
  return fitBn(o, io);
}
