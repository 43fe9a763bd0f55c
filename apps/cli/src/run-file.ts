/**
 * Shared helpers of the commands that fit: pattern sampling, the gates file, and the run JSON
 * envelope of docs/run-format.md (`@cvxnn/run-format`) — printed with `--json`, written
 * atomically to `--out`, and the exit code that says whether the result is certified.
 */
import os from 'node:os';
import { samplePatterns } from '@cvxnn/arrangements';
import { CvxnnError, Matrix, type PatternMasks } from '@cvxnn/linalg';
import { RUN_FORMAT_VERSION } from '@cvxnn/run-format';
import { loadMatrix } from './data-input.js';
import { CliExit, EXIT, type Io, printJson, printKv } from './io.js';
import type { OutputTarget } from './output.js';

export { RUN_FORMAT_VERSION };

/**
 * [X, 1].
 *
 * @example
 *   withOnes(Matrix.from([[2]])); // [[2, 1]]
 */
export function withOnes(X: Matrix<Float64Array>): Matrix<Float64Array> {
  const out = Matrix.zeros(X.rows, X.cols + 1);
  for (let i = 0; i < X.rows; i++) {
    for (let k = 0; k < X.cols; k++) out.data[i * (X.cols + 1) + k] = X.get(i, k);
    out.data[i * (X.cols + 1) + X.cols] = 1;
  }
  return out;
}

/**
 * Upper bound on the number of distinct patterns of n points in rank r (Cover): 2Σ_{k<r} C(n−1, k).
 *
 * @example
 *   patternCountBound(3, 2); // 6 regions of 3 lines through the origin in the plane
 */
export function patternCountBound(n: number, r: number): number {
  let s = 0;
  let c = 1;
  for (let k = 0; k < r; k++) {
    s += c;
    c = (c * (n - 1 - k)) / (k + 1);
    if (!Number.isFinite(s) || s > 1e15) return Infinity;
  }
  return 2 * s;
}

/**
 * Sample `count` distinct non-zero activation patterns with standard-normal gates (SPEC §1.4;
 * `@cvxnn/arrangements`' `samplePatterns`: gate t is the t-th block of d normals of `Rng(seed)`),
 * drawing up to 50·count gates; too few distinct patterns ⇒ INVALID_OPTION with the count found.
 *
 * @example
 *   const { masks, gates } = sampleDistinctPatterns(X, 100, 0);
 */
export function sampleDistinctPatterns(X: Matrix<Float64Array>, count: number, seed: number): { masks: PatternMasks; gates: Matrix<Float64Array> } {
  const ps = samplePatterns(X, { count, seed, maxDraws: 50 * count });
  if (ps.masks.p < count) {
    throw new CvxnnError(
      'INVALID_OPTION',
      `--patterns ${count} is more than the ${ps.masks.p} distinct non-zero activation patterns found with ${ps.draws ?? 50 * count} Gaussian gates (the data admit at most ${patternCountBound(X.rows, X.cols)}); use --patterns ${ps.masks.p} or fewer`,
    );
  }
  return { masks: ps.masks, gates: ps.gates };
}

/**
 * Read a d×P gate file (CSV/JSON, header optional). `d` must equal the number of first-layer inputs.
 *
 * @example
 *   const G = readGates('gates.csv', 11, true);
 */
export function readGates(file: string, d: number, bias: boolean): Matrix<Float64Array> {
  const G = loadMatrix(file, '--gates');
  if (G.rows !== d) {
    throw new CvxnnError(
      'SHAPE_MISMATCH',
      `the gates file '${file}' has ${G.rows} rows but the first layer has ${d} inputs (${bias ? `${d - 1} features + 1 for --bias` : `${d} features`}); it must be a d×P matrix, one gate per column`,
    );
  }
  return G;
}

/**
 * `environment` of the run JSON.
 *
 * @example
 *   environment('ts', 'fp64').cores;
 */
export function environment(backend: string, precision: string) {
  const cpus = os.cpus();
  return { backend, precision, node: process.version, platform: `${process.platform}-${process.arch}`, cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length };
}

/**
 * Replace non-finite numbers by null (the run format), collecting warnings.
 *
 * @example
 *   finiteJson({ a: NaN }, warnings); // { a: null }, one warning
 */
export function finiteJson<T>(value: T, warnings: string[]): T {
  return JSON.parse(
    JSON.stringify(value, (k, v) => {
      if (v instanceof Float64Array || v instanceof Float32Array || v instanceof Int32Array) v = Array.from(v);
      if (typeof v === 'number' && !Number.isFinite(v)) {
        warnings.push(`non-finite value at '${k}' written as null`);
        return null;
      }
      return v;
    }),
  ) as T;
}

/**
 * The exit that says a run finished without a certificate: CliExit 3 with the status and the
 * certificate reached, or null for a certified (`optimal`) run.
 *
 * @example
 *   const exit = uncertified(result.status, result.certificate, tol);
 *   if (exit) throw exit;
 */
export function uncertified(status: string | undefined, certificate: { kind?: string; value?: number | null } | undefined, tol?: number): CliExit | null {
  if (status === undefined || status === 'optimal') return null;
  const v = certificate?.value;
  const reached = typeof v === 'number' && Number.isFinite(v) ? `${certificate?.kind ?? 'certificate'} ${v.toExponential(2)} relative reached` : 'no certificate value reached';
  const advice = status === 'time-limit' ? 'raise --time-limit' : status === 'max-iterations' ? 'raise --max-iters' : 'check the data and options';
  return new CliExit(EXIT.UNCERTIFIED, `not certified: status ${status} (${reached}${tol !== undefined ? `, tolerance ${tol.toExponential()}` : ''}); the result is printed but is not a certified optimum — ${advice}`);
}

/**
 * Print a run (`--json`: the light object; otherwise the key/value rows) and write the heavy
 * object to `--out` (atomically). Non-finite numbers become null with a warning
 * (docs/run-format.md). Returns the exit for the run's status (see {@link uncertified}).
 *
 * @example
 *   const exit = emitRun(io, { run, heavy: { history }, json: o.json, out, rows, tol });
 *   if (exit) throw exit;
 */
export function emitRun(
  io: Io,
  a: { run: Record<string, unknown>; heavy?: Record<string, unknown>; json?: boolean; out?: OutputTarget; rows: Array<[string, string | number]>; tol?: number },
): CliExit | null {
  const warnings: string[] = [];
  const run = { cvxnnRun: RUN_FORMAT_VERSION, ...a.run };
  const light = finiteJson(run, warnings);
  if (a.out) {
    const heavy = finiteJson({ ...run, ...a.heavy }, warnings);
    a.out.write(JSON.stringify({ ...heavy, warnings: warnings.length ? [...new Set(warnings)] : undefined }, null, 1) + '\n');
  }
  if (a.json) printJson(io, warnings.length ? { ...light, warnings: [...new Set(warnings)] } : light);
  else printKv(io, a.out ? [...a.rows, ['run file', a.out.given]] : a.rows);
  return uncertified(a.run.status as string | undefined, a.run.certificate as { kind?: string; value?: number | null } | undefined, a.tol);
}
