import { CvxnnError } from '@cvxnn/linalg';
import type { Io } from '../io.js';
import type { FitCliOptions } from './fit.js';

/**
 * `cvxnn fit --arch cnn` (being written; see issue 7).
 *
 * @example
 *   await fitCnn(options, io);
 */
export async function fitCnn(o: FitCliOptions, _io: Io): Promise<void> {
  throw new CvxnnError('INVALID_OPTION', `--arch ${o.arch}${o.layerwise ? ' / --layerwise' : ''} is not available yet`);
}
