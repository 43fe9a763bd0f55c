import { CvxnnError } from '@cvxnn/linalg';

/** Where a command writes: stdout/stderr in the real CLI, buffers in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** true when stdout is an interactive terminal (progress bars are shown only then) */
  isTTY: boolean;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  isTTY: Boolean(process.stdout.isTTY),
};

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
  if (e instanceof CvxnnError) return { code: 2, message: `error [${e.code}]: ${e.message}` };
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
