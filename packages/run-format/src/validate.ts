/**
 * Validation of run files: small schema combinators that collect issues named by their JSON path
 * (`run.preprocessing.mean[3]: expected a number, got a string`).
 */
import { CvxnnError } from '@cvxnn/linalg';
import { type LambdaSelectionJson, type Preprocessing, type Run, RUN_FORMAT_VERSION, RUN_KINDS, type RunKind } from './types.js';

/**
 * One problem of a value: where (a JSON path starting at `run`) and what.
 *
 * @example
 *   const i: RunIssue = { path: 'run.data', message: 'missing' };
 */
export interface RunIssue {
  path: string;
  message: string;
}

type Check = (v: unknown, path: string, issues: RunIssue[]) => void;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** 'a string', 'null', 'an array', … for messages. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  if (typeof v === 'number') return String(v);
  return `a ${typeof v}`;
}

function issue(issues: RunIssue[], path: string, message: string): void {
  issues.push({ path, message });
}

const num = (nullable: boolean, positive = false): Check => (v, p, issues) => {
  if (typeof v === 'number' && Number.isFinite(v) && (!positive || v > 0)) return;
  if (nullable && v === null) return;
  issue(issues, p, `expected ${positive ? 'a positive number' : 'a number'}${nullable ? ' or null' : ''}, got ${describe(v)}`);
};

const int = (min: number): Check => (v, p, issues) => {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min) return;
  issue(issues, p, `expected an integer ≥ ${min}, got ${describe(v)}`);
};

const str: Check = (v, p, issues) => {
  if (typeof v !== 'string') issue(issues, p, `expected a string, got ${describe(v)}`);
};

const bool: Check = (v, p, issues) => {
  if (typeof v !== 'boolean') issue(issues, p, `expected true or false, got ${describe(v)}`);
};

const obj: Check = (v, p, issues) => {
  if (!isObj(v)) issue(issues, p, `expected an object, got ${describe(v)}`);
};

const oneOf = (values: readonly string[]): Check => (v, p, issues) => {
  if (typeof v !== 'string' || !values.includes(v)) issue(issues, p, `expected one of ${values.map((s) => JSON.stringify(s)).join(', ')}, got ${describe(v)}`);
};

/** An array whose entries pass `each` (the first bad entry is reported), optionally of a given length. */
function arrayOf(each: Check, length?: () => { n: number; of: string } | undefined): Check {
  return (v, p, issues) => {
    if (!Array.isArray(v)) return issue(issues, p, `expected an array, got ${describe(v)}`);
    const want = length?.();
    if (want && v.length !== want.n) issue(issues, p, `has ${v.length} entries but ${want.of} has ${want.n}`);
    for (let i = 0; i < v.length; i++) {
      const before = issues.length;
      each(v[i], `${p}[${i}]`, issues);
      if (issues.length > before) return;
    }
  };
}

const numArray = (nullable: boolean): Check => arrayOf(num(nullable));

/** A rectangular array of rows of numbers (or null), optionally with one of the given widths. */
function matrix(cols?: number[], nullable = true): Check {
  return (v, p, issues) => {
    if (!Array.isArray(v)) return issue(issues, p, `expected an array of rows, got ${describe(v)}`);
    let w = -1;
    for (let i = 0; i < v.length; i++) {
      const r: unknown = v[i];
      if (!Array.isArray(r)) return issue(issues, `${p}[${i}]`, `expected an array of numbers, got ${describe(r)}`);
      if (w < 0) {
        w = r.length;
        if (cols && !cols.includes(w)) return issue(issues, p, `rows have ${w} entries, expected ${cols.join(' or ')}`);
      } else if (r.length !== w) return issue(issues, p, `is ragged: row 0 has ${w} entries but row ${i} has ${r.length}`);
      const before = issues.length;
      numArray(nullable)(r, `${p}[${i}]`, issues);
      if (issues.length > before) return;
    }
  };
}

/** An object with these fields (all required unless listed in `optional`). */
function fields(spec: Record<string, Check>, optional: string[] = []): Check {
  return (v, p, issues) => {
    if (!isObj(v)) return issue(issues, p, `expected an object, got ${describe(v)}`);
    for (const [k, check] of Object.entries(spec)) {
      if (!(k in v) || v[k] === undefined) {
        if (!optional.includes(k)) issue(issues, `${p}.${k}`, 'missing');
        continue;
      }
      check(v[k], `${p}.${k}`, issues);
    }
  };
}

const neuron = fields({ weights: numArray(true), boundary: numArray(true), output: numArray(true) });

const geometry2d: Check = (v, p, issues) => {
  const before = issues.length;
  fields({ X: matrix([2]), y: numArray(true), gates: matrix([2, 3]), neurons: arrayOf(neuron) }, ['gates', 'neurons'])(v, p, issues);
  if (!isObj(v) || issues.length > before) return;
  arrayOf(num(true), () => ({ n: (v.X as unknown[]).length, of: `${p}.X` }))(v.y, `${p}.y`, issues);
  if (v.surface !== undefined) {
    fields({ x: numArray(false), y: numArray(false), z: matrix() })(v.surface, `${p}.surface`, issues);
    const s = v.surface as { x: unknown[]; y: unknown[]; z: unknown[][] };
    if (issues.length === before && (s.z.length !== s.y.length || s.z.some((r) => r.length !== s.x.length))) {
      issue(issues, `${p}.surface.z`, `expected ${s.y.length} rows of ${s.x.length} values (one row per y, one value per x)`);
    }
  }
};

const fit1d: Check = (v, p, issues) => {
  const before = issues.length;
  fields({ x: numArray(false), y: numArray(true), breakpoints: numArray(false), grid: numArray(false), prediction: numArray(true) })(v, p, issues);
  if (!isObj(v) || issues.length > before) return;
  arrayOf(num(true), () => ({ n: (v.x as unknown[]).length, of: `${p}.x` }))(v.y, `${p}.y`, issues);
  arrayOf(num(true), () => ({ n: (v.grid as unknown[]).length, of: `${p}.grid` }))(v.prediction, `${p}.prediction`, issues);
};

const twoLayer = fields({ W1: matrix(undefined, false), W2: matrix(undefined, false), gates: matrix(undefined, false), b1: numArray(false), b2: numArray(false), appendOne: bool }, ['gates', 'b1', 'b2', 'appendOne']);
const imageShape = fields({ height: int(1), width: int(1), channels: int(1) });

/** Per network kind: the keys a reader needs (docs/run-format.md, "Networks"). */
const NETWORKS: Record<string, Check> = {
  relu: twoLayer,
  'gated-relu': twoLayer,
  cnn: fields(
    { imageShape, kernel: arrayOf(int(1)), stride: int(1), padding: int(0), circular: bool, pooling: oneOf(['sum', 'mean']), network: twoLayer, regions: fields({ rows: int(1), cols: int(1), unit: arrayOf(int(0)) }) },
    ['circular', 'regions'],
  ),
  'separable-cnn': fields({ imageShape, kernel: arrayOf(int(1)), stride: int(1), padding: int(0), filters: matrix(undefined, false), head: numArray(false), position: arrayOf(int(0)) }, ['imageShape', 'kernel', 'stride', 'padding']),
  'linear-cnn': fields({ imageShape, kernel: arrayOf(int(1)), stride: int(1), padding: int(0), filters: matrix(undefined, false), head: matrix(undefined, false), outputs: int(1) }, ['imageShape', 'kernel', 'stride', 'padding']),
  'linear-circular-cnn': fields({ length: int(1), filters: matrix(undefined, false), head: matrix(undefined, false) }),
  bn: fields({ placement: oneOf(['scale', 'centred', 'before']), normalization: oneOf(['l2', 'std']), appendOne: bool, W1: matrix(undefined, false), gamma: numArray(false), alpha: numArray(false), W2: matrix(undefined, false), stats: fields({ mean: numArray(false), norm: numArray(false) }) }, ['normalization', 'stats']),
  layerwise: fields({ blocks: arrayOf(twoLayer) }),
};

/**
 * The network kinds of the run format (the `kind` of `run.network`).
 *
 * @example
 *   NETWORK_KINDS.includes('bn'); // true
 */
export const NETWORK_KINDS: readonly string[] = Object.keys(NETWORKS);

const network: Check = (v, p, issues) => {
  if (!isObj(v)) return issue(issues, p, `expected an object, got ${describe(v)}`);
  if (typeof v.kind !== 'string') return issue(issues, `${p}.kind`, v.kind === undefined ? 'missing' : `expected a string, got ${describe(v.kind)}`);
  const check = NETWORKS[v.kind];
  if (!check) return issue(issues, `${p}.kind`, `expected one of ${NETWORK_KINDS.join(', ')}, got ${describe(v.kind)}`);
  check(v, p, issues);
};

/** The preprocessing block, with its cross-field rules (classes for classification, statistics for zscore). */
const preprocessing: Check = (v, p, issues) => {
  const before = issues.length;
  fields(
    {
      task: oneOf(['regression', 'binary', 'multiclass']),
      classes: arrayOf(str),
      standardize: oneOf(['zscore', 'none']),
      mean: numArray(false),
      std: arrayOf(num(false, true)),
      bias: bool,
      featureNames: arrayOf(str),
      labelName: str,
      labelColumn: str,
      labelIndex: int(0),
    },
    ['classes', 'mean', 'std', 'labelIndex'],
  )(v, p, issues);
  if (!isObj(v) || issues.length > before) return;
  const pre = v as unknown as Preprocessing;
  const d = pre.featureNames.length;
  if (d === 0) issue(issues, `${p}.featureNames`, 'expected at least one feature name, got an empty array');
  if (pre.task !== 'regression') {
    const need = pre.task === 'binary' ? 'exactly 2' : 'at least 2';
    const k = pre.classes?.length;
    if (k === undefined) issue(issues, `${p}.classes`, `missing: a ${pre.task} run needs ${need} class names to turn outputs into labels`);
    else if (pre.task === 'binary' ? k !== 2 : k < 2) issue(issues, `${p}.classes`, `expected ${need} class names for a ${pre.task} run, got ${k}`);
  }
  if (pre.standardize === 'zscore') {
    for (const key of ['mean', 'std'] as const) {
      const a = pre[key];
      if (a === undefined) issue(issues, `${p}.${key}`, `missing: standardize 'zscore' needs one ${key} per feature (${d})`);
      else if (a.length !== d) issue(issues, `${p}.${key}`, `has ${a.length} entries but ${p}.featureNames has ${d}`);
    }
  }
};

const fraction: Check = (v, p, issues) => {
  if (!(typeof v === 'number' && v > 0 && v < 1)) issue(issues, p, `expected a fraction in (0, 1), got ${describe(v)}`);
};

/** `lambdaSelection` (fit --lambda auto): the fields, `split` only for one split, and `chosen` a row of `table` holding `lambda`. */
const lambdaSelection: Check = (v, p, issues) => {
  const before = issues.length;
  fields(
    {
      score: oneOf(['accuracy', 'mse']),
      folds: int(1),
      split: fraction,
      chosen: int(0),
      lambda: num(false, true),
      table: arrayOf(fields({ lambda: num(false, true), score: num(true), certificate: num(true), activeNeurons: num(true) })),
      timeSeconds: num(false),
      solves: int(1),
      patience: num(false),
    },
    ['split', 'timeSeconds', 'solves', 'patience'],
  )(v, p, issues);
  if (!isObj(v) || issues.length > before) return;
  const s = v as unknown as LambdaSelectionJson;
  if (s.table.length === 0) return issue(issues, `${p}.table`, 'expected at least one row, got an empty array');
  if (s.chosen >= s.table.length) return issue(issues, `${p}.chosen`, `is ${s.chosen} but ${p}.table has ${s.table.length} rows (0-based index)`);
  if (s.table[s.chosen]!.lambda !== s.lambda) issue(issues, `${p}.lambda`, `is ${s.lambda} but the chosen row ${p}.table[${s.chosen}] has λ ${s.table[s.chosen]!.lambda}`);
  if (s.table[s.chosen]!.score === null) issue(issues, `${p}.table[${s.chosen}].score`, 'the chosen row has no score (null)');
};

const OPTIONAL: Record<string, Check> = {
  history: arrayOf(fields({ iteration: num(false), timeSeconds: num(false), objective: num(true), certificate: num(true) })),
  curves: arrayOf(fields({ method: str, points: arrayOf(fields({ iteration: num(false), timeSeconds: num(false), objective: num(true) })) })),
  groupNorms: numArray(true),
  geometry2d,
  fit1d,
  eigenvalues: numArray(true),
  lambdaSelection,
  certificate: fields({ kind: str, value: num(true) }),
  status: str,
};

/** Checked in the runs `cvxnn predict` reads (kinds fit and cnn); other kinds keep their own `network` shape (clifford's 1-D form). */
const PREDICTABLE: Record<string, Check> = { network, preprocessing };

/**
 * Every problem of a value as a run file (empty when it is valid): the version, the keys every
 * run has, and the types and shapes of the optional fields this module knows. Unknown keys are
 * kept and ignored.
 *
 * @example
 *   runIssues({ cvxnnRun: 1 }).map((i) => i.path); // ['run.kind', 'run.createdAt', …]
 */
export function runIssues(value: unknown): RunIssue[] {
  const issues: RunIssue[] = [];
  if (!isObj(value)) return [{ path: 'run', message: `expected a JSON object, got ${describe(value)}` }];
  if (!('cvxnnRun' in value)) return [{ path: 'run.cvxnnRun', message: `"cvxnnRun" is missing, so this is not a run file (\`cvxnn fit --out\` and the other commands' --out write files that start with "cvxnnRun": ${RUN_FORMAT_VERSION})` }];
  if (value.cvxnnRun !== RUN_FORMAT_VERSION) return [{ path: 'run.cvxnnRun', message: `run format version ${JSON.stringify(value.cvxnnRun)}; this version of cvxnn reads version ${RUN_FORMAT_VERSION}` }];
  fields({ kind: oneOf(RUN_KINDS), createdAt: str, options: obj, environment: obj, data: obj })(value, 'run', issues);
  for (const [k, check] of Object.entries(OPTIONAL)) if (value[k] !== undefined && value[k] !== null) check(value[k], `run.${k}`, issues);
  if (value.kind === 'fit' || value.kind === 'cnn') {
    for (const [k, check] of Object.entries(PREDICTABLE)) if (value[k] !== undefined) check(value[k], `run.${k}`, issues);
  }
  return issues;
}

function summary(name: string, issues: RunIssue[]): string {
  const shown = issues.slice(0, 6).map((i) => `${i.path}: ${i.message}`);
  return `${name} is not a valid cvxnn run (format ${RUN_FORMAT_VERSION}): ${shown.join('; ')}${issues.length > shown.length ? `; and ${issues.length - shown.length} more` : ''}`;
}

/**
 * Check a parsed value against the run format; returns it typed, or throws `PARSE_ERROR` with up
 * to 6 problems named by their JSON path, on one line.
 *
 * @example
 *   const run = validateRun(JSON.parse(text), 'fit.json');
 */
export function validateRun(value: unknown, name = 'the run'): Run {
  const issues = runIssues(value);
  if (issues.length) throw new CvxnnError('PARSE_ERROR', summary(name, issues), { issues });
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
 * Parse and validate a run file's text. A JSON syntax error says where it happened and, when the
 * text stops early, that the file looks truncated.
 *
 * @example
 *   const run = parseRun(readFileSync('fit.json', 'utf8'), 'fit.json');
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

/**
 * A run that `cvxnn predict` can use: a valid run with a `network` and a `preprocessing`
 * block; otherwise `PARSE_ERROR` saying which is missing and which kinds of runs have them.
 *
 * @example
 *   const run = requirePredictable(parseRun(text, 'fit.json'), 'fit.json');
 *   run.preprocessing.featureNames;
 */
export function requirePredictable(run: Run, name = 'the run'): Run & { network: NonNullable<Run['network']>; preprocessing: Preprocessing } {
  const missing = (['network', 'preprocessing'] as const).filter((k) => run[k] === undefined || run[k] === null);
  if (missing.length) {
    const kinds: RunKind[] = ['fit', 'cnn'];
    throw new CvxnnError(
      'PARSE_ERROR',
      `${name} is a '${run.kind}' run without ${missing.map((k) => `run.${k}`).join(' and ')}; predict reads the runs \`cvxnn fit --out\` writes (kinds ${kinds.join(', ')})`,
    );
  }
  return run as Run & { network: NonNullable<Run['network']>; preprocessing: Preprocessing };
}
