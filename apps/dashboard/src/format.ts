/**
 * The run JSON format v1 (docs/run-format.md): types and a validator that says precisely what is
 * wrong with a file (the page shows it instead of a blank screen).
 */
import { CvxnnError } from '@cvxnn/linalg';

/** Which command wrote a run. */
export type RunKind = 'fit' | 'compare' | 'clifford' | 'redex' | 'patterns' | 'cnn';
export const RUN_KINDS: RunKind[] = ['fit', 'compare', 'clifford', 'redex', 'patterns', 'cnn'];

export interface HistoryPoint {
  iteration: number;
  timeSeconds: number;
  objective: number | null;
  certificate: number | null;
}

export interface CurvePoint {
  iteration: number;
  timeSeconds: number;
  objective: number | null;
}

/** A neuron of `geometry2d` / `fit1d`: affine weights [w…, b], its activation boundary, its output weights. */
export interface NeuronJson {
  weights: number[];
  boundary: number[];
  output: number[];
}

export interface Geometry2d {
  X: number[][];
  y: number[];
  task?: string;
  bias?: boolean;
  gates: number[][];
  neurons: NeuronJson[];
  surface?: { x: number[]; y: number[]; z: number[][] };
}

export interface Fit1d {
  x: number[];
  y: number[];
  breakpoints: number[];
  grid: number[];
  prediction: number[];
  neurons?: NeuronJson[];
}

/** A validated run (only the keys the dashboard reads are typed; the rest is kept as is). */
export interface Run {
  cvxnnRun: 1;
  kind: RunKind;
  createdAt: string;
  options: Record<string, unknown>;
  environment: Record<string, unknown>;
  data: { name?: string; n?: number; d?: number; task?: string; [k: string]: unknown };
  status?: string;
  objective?: unknown;
  certificate?: { kind: string; value: number | null; [k: string]: unknown };
  iterations?: number;
  timeSeconds?: number;
  activeNeurons?: number;
  patterns?: number;
  history?: HistoryPoint[];
  curves?: Array<{ method: string; points: CurvePoint[] }>;
  groupNorms?: Array<number | null>;
  geometry2d?: Geometry2d;
  fit1d?: Fit1d;
  eigenvalues?: Array<number | null>;
  warnings?: string[];
  [k: string]: unknown;
}

type Check = (v: unknown, path: string, issues: string[]) => void;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

function num(nullable: boolean): Check {
  return (v, p, issues) => {
    if (typeof v === 'number' && Number.isFinite(v)) return;
    if (nullable && v === null) return;
    issues.push(`${p} must be a number${nullable ? ' or null' : ''}, got ${describe(v)}`);
  };
}

function numArray(nullable: boolean, length?: number, lengthOf?: string): Check {
  const n = num(nullable);
  return (v, p, issues) => {
    if (!Array.isArray(v)) return void issues.push(`${p} must be an array of numbers, got ${describe(v)}`);
    if (length !== undefined && v.length !== length) issues.push(`${p} has ${v.length} entries but ${lengthOf} has ${length}`);
    for (let i = 0; i < v.length; i++) {
      const before = issues.length;
      n(v[i], `${p}[${i}]`, issues);
      if (issues.length > before) return; // one bad entry per array is enough
    }
  };
}

function matrix(cols?: number[]): Check {
  return (v, p, issues) => {
    if (!Array.isArray(v)) return void issues.push(`${p} must be an array of rows, got ${describe(v)}`);
    let w = -1;
    for (let i = 0; i < v.length; i++) {
      const r: unknown = v[i];
      if (!Array.isArray(r)) return void issues.push(`${p}[${i}] must be an array of numbers, got ${describe(r)}`);
      if (w < 0) {
        w = r.length;
        if (cols && !cols.includes(w)) return void issues.push(`${p} rows have ${w} entries, expected ${cols.join(' or ')}`);
      } else if (r.length !== w) return void issues.push(`${p} is ragged: row 0 has ${w} entries but row ${i} has ${r.length}`);
      const before = issues.length;
      numArray(true)(r, `${p}[${i}]`, issues);
      if (issues.length > before) return;
    }
  };
}

function objectArray(fields: Record<string, Check>): Check {
  return (v, p, issues) => {
    if (!Array.isArray(v)) return void issues.push(`${p} must be an array, got ${describe(v)}`);
    for (let i = 0; i < v.length; i++) {
      const before = issues.length;
      fieldsOf(fields)(v[i], `${p}[${i}]`, issues);
      if (issues.length > before) return;
    }
  };
}

function fieldsOf(fields: Record<string, Check>, optional: string[] = []): Check {
  return (v, p, issues) => {
    if (!isObj(v)) return void issues.push(`${p} must be an object, got ${describe(v)}`);
    for (const [k, check] of Object.entries(fields)) {
      if (!(k in v) || v[k] === undefined) {
        if (!optional.includes(k)) issues.push(`${p}.${k} is missing`);
        continue;
      }
      check(v[k], `${p}.${k}`, issues);
    }
  };
}

const str: Check = (v, p, issues) => void (typeof v !== 'string' && issues.push(`${p} must be a string, got ${describe(v)}`));
const obj: Check = (v, p, issues) => void (!isObj(v) && issues.push(`${p} must be an object, got ${describe(v)}`));

const neuron = fieldsOf({ weights: numArray(true), boundary: numArray(true), output: numArray(true) });

function geometry2d(v: unknown, p: string, issues: string[]): void {
  const before = issues.length;
  fieldsOf({ X: matrix([2]), y: numArray(true), gates: matrix([2, 3]), neurons: objectArray({}) }, ['gates', 'neurons'])(v, p, issues);
  if (!isObj(v) || issues.length > before) return;
  const n = (v.X as unknown[]).length;
  numArray(true, n, `${p}.X`)(v.y, `${p}.y`, issues);
  if (Array.isArray(v.neurons)) (v.neurons as unknown[]).forEach((u, j) => neuron(u, `${p}.neurons[${j}]`, issues));
  if (v.surface !== undefined) {
    fieldsOf({ x: numArray(false), y: numArray(false), z: matrix() })(v.surface, `${p}.surface`, issues);
    const s = v.surface as { x: unknown[]; y: unknown[]; z: unknown[][] };
    if (issues.length === before && (s.z.length !== s.y.length || s.z.some((r) => r.length !== s.x.length))) {
      issues.push(`${p}.surface.z must have ${s.y.length} rows of ${s.x.length} values (one row per y, one value per x)`);
    }
  }
}

function fit1d(v: unknown, p: string, issues: string[]): void {
  const before = issues.length;
  fieldsOf({ x: numArray(false), y: numArray(true), breakpoints: numArray(false), grid: numArray(false), prediction: numArray(true) })(v, p, issues);
  if (!isObj(v) || issues.length > before) return;
  numArray(true, (v.x as unknown[]).length, `${p}.x`)(v.y, `${p}.y`, issues);
  numArray(true, (v.grid as unknown[]).length, `${p}.grid`)(v.prediction, `${p}.prediction`, issues);
}

const OPTIONAL: Record<string, Check> = {
  history: objectArray({ iteration: num(false), timeSeconds: num(false), objective: num(true), certificate: num(true) }),
  curves: objectArray({ method: str, points: objectArray({ iteration: num(false), timeSeconds: num(false), objective: num(true) }) }),
  groupNorms: numArray(true),
  geometry2d,
  fit1d,
  eigenvalues: numArray(true),
  certificate: fieldsOf({ kind: str, value: num(true) }),
};

/**
 * Check a parsed value against the run format v1; throws a CvxnnError ('PARSE_ERROR') listing
 * up to 8 problems with their JSON paths.
 *
 * @example
 *   const run = validateRun(JSON.parse(text));
 */
export function validateRun(value: unknown, name = 'the run'): Run {
  const issues: string[] = [];
  if (!isObj(value)) throw new CvxnnError('PARSE_ERROR', `${name} is not a cvxnn run: the top level must be a JSON object, got ${describe(value)}`);
  if (!('cvxnnRun' in value)) throw new CvxnnError('PARSE_ERROR', `${name} is not a cvxnn run: the key "cvxnnRun" is missing (files written by \`cvxnn … --out\` start with "cvxnnRun": 1)`);
  if (value.cvxnnRun !== 1) throw new CvxnnError('PARSE_ERROR', `${name} has run format version ${JSON.stringify(value.cvxnnRun)}; this dashboard reads version 1`);
  fieldsOf({ kind: str, createdAt: str, options: obj, environment: obj, data: obj })(value, '$', issues);
  if (typeof value.kind === 'string' && !RUN_KINDS.includes(value.kind as RunKind)) issues.push(`$.kind is "${value.kind}", expected one of ${RUN_KINDS.join(', ')}`);
  for (const [k, check] of Object.entries(OPTIONAL)) if (value[k] !== undefined && value[k] !== null) check(value[k], `$.${k}`, issues);
  if (issues.length) {
    const shown = issues.slice(0, 8);
    throw new CvxnnError('PARSE_ERROR', `${name} is not a valid cvxnn run (format v1): ${shown.join('; ')}${issues.length > shown.length ? `; and ${issues.length - shown.length} more` : ''}`);
  }
  return value as Run;
}

/** Brackets still open at the end of the text (strings skipped): > 0 for a file cut short. */
export function unclosed(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
  }
  return inString ? depth + 1 : depth;
}

/**
 * Parse and validate a run file's text. A JSON syntax error says where it happened and, when
 * the text stops early, that the file looks truncated.
 *
 * @example
 *   const run = parseRun(await (await fetch('/api/runs/0')).text(), 'fit.json');
 */
export function parseRun(text: string, name = 'the run'): Run {
  if (text.trim() === '') throw new CvxnnError('EMPTY_DATA', `${name} is empty (0 bytes of JSON)`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const truncated = unclosed(text) > 0;
    throw new CvxnnError('PARSE_ERROR', `${name} is not valid JSON${truncated ? ` (it looks truncated: ${text.length} characters, ending in ${JSON.stringify(text.slice(-20))})` : ''}: ${msg}`);
  }
  return validateRun(value, name);
}
