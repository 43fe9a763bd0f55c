/**
 * Checks of the options object a library call receives: unknown keys (a misspelt `maxIterations`
 * would otherwise be ignored silently) and values of the wrong type (`dropZero: 'false'` is
 * truthy). Messages name the library call, never a CLI flag. Ranges and relations between
 * options stay with the function that knows them.
 */
import { CvxnnError } from './errors.js';
import { Matrix } from './matrix.js';

/**
 * The allowed types of one option, `|`-separated: `number`, `integer`, `boolean`, `string`,
 * `function`, `object` (a plain or class object, not an array), `array`, `numbers` (an array or
 * typed array of numbers), `matrix` (a `Matrix`), `any`, or a quoted literal (`"sum"`).
 *
 * @example
 *   const t: OptionType = 'number|"auto"';
 */
export type OptionType = string;

/**
 * One `OptionType` for every key of the options interface `T`, no more and no fewer (the compiler
 * checks both), so the runtime list cannot drift from the type.
 *
 * @example
 *   const SPEC: OptionSpec<{ tol?: number; loss?: 'squared' | 'logistic' }> = { tol: 'number', loss: '"squared"|"logistic"' };
 */
export type OptionSpec<T> = { readonly [K in keyof Required<T>]: OptionType };

/** A short description of a value for messages: `string '100'`, `Array(3)`, `null`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `string '${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  if (typeof v === 'function' || typeof v === 'undefined' || typeof v === 'symbol') return typeof v;
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length ?? v.byteLength})`;
  const name = (v as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/**
 * The known key a misspelt one most likely meant: case-insensitive equal, a prefix of it or it of
 * the key (3+ letters: `pool` → `pooling`), close in edit distance, or sharing a 4-letter start.
 */
function closest(key: string, known: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of known) {
    const l = c.toLowerCase();
    const truncated = Math.min(k.length, l.length) >= 3 && (l.startsWith(k) || k.startsWith(l));
    const d = k === l ? 0 : truncated ? 0.5 : levenshtein(k, l);
    const prefix = truncated || (k.length >= 4 && l.length >= 4 && k.slice(0, 4) === l.slice(0, 4));
    if ((d <= Math.max(2, Math.floor(l.length / 3)) || prefix) && d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

function refuseNonObject(fn: string, opts: unknown, keys: readonly string[]): void {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new CvxnnError('INVALID_OPTION', `${fn}: options must be an object such as { ${keys.slice(0, 3).join(', ')} }, got ${describeValue(opts)}`, { function: fn });
  }
}

function refuseUnknown(fn: string, key: string, keys: readonly string[]): never {
  const near = closest(key, keys);
  throw new CvxnnError('INVALID_OPTION', `${fn}: unknown option '${key}'${near ? ` (did you mean '${near}'?)` : ''}; known options: ${keys.join(', ')}`, {
    function: fn,
    option: key,
    known: keys,
  });
}

/**
 * Throw INVALID_OPTION when `opts` is not an object, or has a key outside `known`; the message
 * names the call, the key, the closest known key and every known key. `undefined` passes (the
 * options argument is optional). Keys whose value is `undefined` count as absent.
 *
 * @example
 *   assertKnownOptions('samplePatterns', opts, ['count', 'seed', 'dropZero', 'rank', 'maxDraws']);
 *   // samplePatterns: unknown option 'maxIterations'; known options: count, seed, dropZero, rank, maxDraws
 */
export function assertKnownOptions(fn: string, opts: unknown, known: readonly string[]): void {
  if (opts === undefined) return;
  refuseNonObject(fn, opts, known);
  for (const key of Object.keys(opts as object)) {
    if ((opts as Record<string, unknown>)[key] !== undefined && !known.includes(key)) refuseUnknown(fn, key, known);
  }
}

function matchesType(v: unknown, alt: string): boolean {
  if (alt.startsWith('"')) return v === alt.slice(1, -1);
  switch (alt) {
    case 'number':
      return typeof v === 'number';
    case 'integer':
      return Number.isInteger(v);
    case 'boolean':
    case 'string':
    case 'function':
      return typeof v === alt;
    case 'object':
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'numbers':
      return (Array.isArray(v) && v.every((x) => typeof x === 'number')) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
    case 'matrix':
      return v instanceof Matrix;
    case 'any':
      return true;
    default:
      throw new CvxnnError('INTERNAL', `unknown option type '${alt}' in a spec`);
  }
}

const TYPE_WORDS: Record<string, string> = { object: 'an object', array: 'an array', numbers: 'an array of numbers', matrix: 'a Matrix', integer: 'an integer', any: 'anything' };
const typeWord = (alt: string) => (alt.startsWith('"') ? `'${alt.slice(1, -1)}'` : (TYPE_WORDS[alt] ?? `a ${alt}`));

const parsed = new Map<string, string[]>();

/**
 * `assertKnownOptions` with the keys of `spec`, and the type of every option present: throws
 * INVALID_OPTION `fn: option 'key' must be a number, got string '100'`. One pass over the keys
 * given (cheap enough for a kernel's options). `passThrough` lists keys that are accepted and
 * not checked, for a call that takes a wider options type it ignores the rest of (the trainers'
 * options given to `objective`); they are not listed in the message.
 *
 * @example
 *   checkOptions('objective', opts, { loss: '"squared"|"logistic"|"cross-entropy"', lambda: 'number', scale: '"sum"|"mean"' });
 */
export function checkOptions<T>(fn: string, opts: T | undefined, spec: OptionSpec<T>, passThrough: readonly string[] = []): void {
  if (opts === undefined) return;
  const types = spec as Readonly<Record<string, string>>;
  refuseNonObject(fn, opts, Object.keys(types));
  for (const key of Object.keys(opts as object)) {
    const v = (opts as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const type = Object.hasOwn(types, key) ? types[key] : undefined;
    if (type === undefined) {
      if (passThrough.includes(key)) continue;
      refuseUnknown(fn, key, Object.keys(types));
    }
    let alts = parsed.get(type);
    if (!alts) parsed.set(type, (alts = type.split('|')));
    if (!alts.some((a) => matchesType(v, a))) {
      throw new CvxnnError('INVALID_OPTION', `${fn}: option '${key}' must be ${alts.map(typeWord).join(' or ')}, got ${describeValue(v)}`, { function: fn, option: key });
    }
  }
}

/**
 * Throw INVALID_OPTION unless `value` is a `Matrix`: `fn: X must be a Matrix (Matrix.from(rows) or
 * new Matrix(rows, cols, data)), got Array(3)`.
 *
 * @example
 *   assertMatrix('samplePatterns', 'X', X);
 */
export function assertMatrix(fn: string, name: string, value: unknown): asserts value is Matrix<Float64Array | Float32Array> {
  if (!(value instanceof Matrix)) {
    throw new CvxnnError('INVALID_OPTION', `${fn}: ${name} must be a Matrix (Matrix.from(rows) or new Matrix(rows, cols, data) from @cvxnn/linalg), got ${describeValue(value)}`, { function: fn, argument: name });
  }
}
