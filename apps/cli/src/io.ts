import { CvxnnError } from '@cvxnn/linalg';

/** Where a command writes: stdout/stderr in the real CLI, buffers in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** true when stdout is an interactive terminal */
  isTTY: boolean;
  /** true when stderr is an interactive terminal (progress bars, drawn on stderr, are shown only then); absent: false */
  errIsTTY?: boolean;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  isTTY: Boolean(process.stdout.isTTY),
  errIsTTY: Boolean(process.stderr.isTTY),
};

/**
 * The exit codes of `cvxnn` (README, "The cvxnn command"): 0 a certified result (or a command that
 * certifies nothing and succeeded), 1 an internal error, 2 bad input or options, 3 a run that
 * finished without a certificate (status max-iterations, time-limit, …).
 *
 * @example
 *   if (code === EXIT.UNCERTIFIED) console.error('raise --max-iters');
 */
export const EXIT = Object.freeze({ OK: 0, INTERNAL: 1, BAD_INPUT: 2, UNCERTIFIED: 3 });

/** A CLI failure with an exit code; `CvxnnError`s become exit code 2 with their code printed. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message = '',
  ) {
    super(message);
  }
}

/** Print one JSON document (stable key order as built, 2-space indent, newline). */
export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, (_k, v) => (v instanceof Float64Array || v instanceof Float32Array ? Array.from(v) : v), 2) + '\n');
}

/** Format a number for human-readable tables. */
export function fmt(x: number, digits = 6): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? x.toPrecision(digits) : x.toExponential(digits - 1);
}

/** Render aligned `key: value` lines. */
export function printKv(io: Io, rows: Array<[string, string | number]>): void {
  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) io.out(`${k.padEnd(w)}  ${typeof v === 'number' ? fmt(v) : v}\n`);
}

/** Turn any thrown value into a message and exit code for the user. */
export function describeError(e: unknown): { code: number; message: string } {
  if (e instanceof CliExit) return { code: e.exitCode, message: e.message };
  if (e instanceof CvxnnError) return { code: e.code === 'INTERNAL' ? EXIT.INTERNAL : EXIT.BAD_INPUT, message: `error [${e.code}]: ${e.message.replace(/\s*\n\s*/g, ' ')}` };
  if (e instanceof Error) return { code: 1, message: `internal error: ${e.stack ?? e.message}` };
  return { code: 1, message: `internal error: ${String(e)}` };
}

/** Parse a numeric option strictly (commander gives strings). */
export function parseNumber(name: string, value: string, opts: { integer?: boolean; min?: number; exclusiveMin?: number } = {}): number {
  const v = Number(value);
  const bad = (why: string) => new CvxnnError('INVALID_OPTION', `--${name} ${why}, got '${value}'`);
  if (value.trim() === '' || !Number.isFinite(v)) throw bad('must be a finite number');
  if (opts.integer && !Number.isInteger(v)) throw bad('must be an integer');
  if (opts.min !== undefined && v < opts.min) throw bad(`must be ≥ ${opts.min}`);
  if (opts.exclusiveMin !== undefined && v <= opts.exclusiveMin) throw bad(`must be > ${opts.exclusiveMin}`);
  return v;
}

/**
 * The largest seed: the generator takes 32-bit signed seeds, and the CLI keeps to the
 * non-negative ones (0 … 2³¹ − 1), so no two seeds give the same stream and none is folded
 * silently onto another.
 *
 * @example
 *   parseSeed('2147483647'); // ok; '4294967296' and '-1' are refused
 */
export const MAX_SEED = 2 ** 31 - 1;

/**
 * Parse `--seed`: an integer in 0 … 2³¹ − 1, else INVALID_OPTION (never wrapped silently).
 *
 * @example
 *   const seed = parseSeed(o.seed);
 */
export function parseSeed(value: string, name = 'seed'): number {
  const v = parseNumber(name, value, { integer: true });
  if (v < 0 || v > MAX_SEED) throw new CvxnnError('INVALID_OPTION', `--${name} must be an integer in 0 … ${MAX_SEED}, got '${value}' (a seed out of range would silently repeat the stream of another)`);
  return v;
}

/**
 * A seed derived from the user's `--seed` for a second random stream (kept in 0 … 2³¹ − 1).
 *
 * @example
 *   new Rng(derivedSeed(seed, 7919)); // the split's stream
 */
export function derivedSeed(seed: number, offset: number): number {
  return (seed + offset) % (MAX_SEED + 1);
}
