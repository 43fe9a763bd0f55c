/**
 * Size guards: options whose memory would be out of proportion to this machine are refused up
 * front, with the estimate and the limit, instead of growing until the process is killed.
 */
import os from 'node:os';
import { enumeratePatterns } from '@cvxnn/arrangements';
import { CvxnnError } from '@cvxnn/linalg';

/** The share of the machine's memory a command may plan to use. */
const SHARE = 0.5;

function gb(bytes: number): string {
  const g = bytes / 1024 ** 3;
  return g >= 10 ? `${Math.round(g)} GB` : g >= 0.01 ? `${g.toFixed(2)} GB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/**
 * Refuse (INVALID_OPTION) when `bytes` exceed half of `os.totalmem()`: `--patterns 1e9 needs ~N GB
 * (what); this machine has M GB`.
 *
 * @example
 *   guardMemory('--patterns 1000000000', estimate, 'masks n×P bits + weights', 'use fewer patterns');
 */
export function guardMemory(option: string, bytes: number, what: string, advice: string): void {
  const total = os.totalmem();
  if (Number.isFinite(bytes) && bytes <= SHARE * total) return;
  throw new CvxnnError(
    'INVALID_OPTION',
    `${option} needs ~${Number.isFinite(bytes) ? gb(bytes) : 'unboundedly much'} of memory (${what}); this machine has ${gb(total)} and cvxnn plans for at most half of it; ${advice}`,
    { bytes, totalBytes: total },
  );
}

/**
 * Bytes of a convex fit over P patterns of an n × d input with c outputs: the bit-packed masks
 * (n·P/8), the gates (d·P doubles) and about eight solver copies of the d·P·c weights (twice for
 * convex ReLU, which has two weights per pattern).
 *
 * @example
 *   convexFitBytes(569, 31, 1, 100, false); // ≈ 0.2 MB
 */
export function convexFitBytes(n: number, d: number, c: number, P: number, relu: boolean): number {
  return (n * P) / 8 + 8 * d * P + 8 * 8 * d * P * c * (relu ? 2 : 1);
}

/**
 * Bytes of training a width-M two-layer network with SGD/Adam: parameters, gradients and Adam
 * moments (six copies of d·M + M·c) and the n × M hidden activations and their masks.
 *
 * @example
 *   trainerBytes(569, 31, 1, 100);
 */
export function trainerBytes(n: number, d: number, c: number, M: number): number {
  return 8 * M * (6 * (d + c) + 3 * n);
}

/**
 * Exact enumeration for a CLI command: the library's refusal ("more than maxPatterns …; raise the
 * maxPatterns option") reworded with the command's own flags.
 *
 * @example
 *   enumerateForCli(X, { maxPatterns: 5000 }, '--patterns all', 'sample them instead with --patterns N');
 */
export function enumerateForCli(X: Parameters<typeof enumeratePatterns>[0], opts: Parameters<typeof enumeratePatterns>[1], option: string, advice: string): ReturnType<typeof enumeratePatterns> {
  try {
    return enumeratePatterns(X, opts);
  } catch (e) {
    if (e instanceof CvxnnError && e.code === 'INVALID_OPTION' && e.details && 'predicted' in e.details) {
      const { predicted, m, r } = e.details as { predicted: number; m: number; r: number };
      throw new CvxnnError('INVALID_OPTION', `${option}: exact enumeration would produce up to ${predicted} patterns (${m} distinct hyperplanes, rank ${r}), more than the limit ${opts?.maxPatterns}; ${advice}`, e.details);
    }
    throw e;
  }
}
