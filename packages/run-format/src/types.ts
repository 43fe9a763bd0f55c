/**
 * The types of a cvxnn run file (docs/run-format.md). The CLI writes these objects (`--json`,
 * `--out`); the dashboard and `cvxnn predict` read them after {@link validateRun}.
 */

/**
 * The version of the run format this module writes and reads: the value of `cvxnnRun`.
 *
 * @example
 *   const run = { cvxnnRun: RUN_FORMAT_VERSION, kind: 'fit' };
 */
export const RUN_FORMAT_VERSION = 1;

/**
 * Which command wrote a run.
 *
 * @example
 *   const k: RunKind = 'fit';
 */
export type RunKind = 'fit' | 'compare' | 'clifford' | 'redex' | 'patterns' | 'cnn';

/**
 * Every {@link RunKind}, in documentation order.
 *
 * @example
 *   RUN_KINDS.includes('fit'); // true
 */
export const RUN_KINDS: readonly RunKind[] = ['fit', 'compare', 'clifford', 'redex', 'patterns', 'cnn'];

/**
 * The learning task of a run's labels.
 *
 * @example
 *   const t: Task = 'binary';
 */
export type Task = 'regression' | 'binary' | 'multiclass';

/**
 * What `cvxnn predict` must re-apply to new rows: the feature columns (by name and order), the
 * z-score statistics of the training rows, the bias column, and how labels were encoded.
 *
 * @example
 *   const pre: Preprocessing = { task: 'binary', classes: ['B', 'M'], standardize: 'zscore', mean: [1], std: [2], bias: true, featureNames: ['x'], labelName: 'y', labelColumn: 'last' };
 */
export interface Preprocessing {
  task: Task;
  /** class names in output order; binary: [negative, positive] ↦ −1, +1 (required for classification) */
  classes?: string[];
  standardize: 'zscore' | 'none';
  /** per feature, with `zscore` */
  mean?: number[];
  /** per feature (> 0), with `zscore` */
  std?: number[];
  /** whether a constant-1 feature is appended before the first layer */
  bias: boolean;
  /** the training features, in the order the network reads them */
  featureNames: string[];
  labelName: string;
  /** the `--label-column` given at training */
  labelColumn: string;
  /** 0-based position of the label column in the training file (for files without a header) */
  labelIndex?: number;
}

/**
 * A certificate of optimality: relative `value` and `absolute` size (null when not finite).
 *
 * @example
 *   const c: CertificateJson = { kind: 'duality-gap', value: 1e-7, absolute: 2e-6 };
 */
export interface CertificateJson {
  kind: string;
  value: number | null;
  absolute?: number | null;
  [k: string]: unknown;
}

/**
 * One point of a solver's history.
 *
 * @example
 *   const p: HistoryPoint = { iteration: 10, timeSeconds: 0.1, objective: 3.2, certificate: 1e-3 };
 */
export interface HistoryPoint {
  iteration: number;
  timeSeconds: number;
  objective: number | null;
  certificate: number | null;
}

/**
 * One point of a training curve (`compare`).
 *
 * @example
 *   const p: CurvePoint = { iteration: 1, timeSeconds: 0.01, objective: 5 };
 */
export interface CurvePoint {
  iteration: number;
  timeSeconds: number;
  objective: number | null;
}

/**
 * A neuron of `geometry2d` / `fit1d`: affine weights [w…, b], its activation boundary, its output weights.
 *
 * @example
 *   const u: NeuronJson = { weights: [1, 0, 0.5], boundary: [1, 0, 0.5], output: [2] };
 */
export interface NeuronJson {
  weights: number[];
  boundary: number[];
  output: number[];
}

/**
 * The 2-D picture of a fit (2 input features).
 *
 * @example
 *   const g: Geometry2d = { X: [[0, 1]], y: [1], gates: [], neurons: [] };
 */
export interface Geometry2d {
  X: number[][];
  y: number[];
  task?: string;
  bias?: boolean;
  gates: number[][];
  neurons: NeuronJson[];
  surface?: { x: number[]; y: number[]; z: number[][] };
}

/**
 * The 1-D picture of a fit (1 input feature, and `clifford fit`).
 *
 * @example
 *   const f: Fit1d = { x: [0], y: [1], breakpoints: [], grid: [0], prediction: [1] };
 */
export interface Fit1d {
  x: number[];
  y: number[];
  breakpoints: number[];
  grid: number[];
  prediction: number[];
  neurons?: NeuronJson[];
}

/**
 * The network of a run, tagged by `kind`: `relu` / `gated-relu` (two-layer, `{W1, W2, gates?, b1?,
 * b2?, appendOne}`), `cnn` (pooled CNN), `separable-cnn`, `linear-cnn`, `linear-circular-cnn`, `bn`,
 * `layerwise` (`{blocks: [two-layer networks]}`). The per-kind keys are listed in docs/run-format.md.
 *
 * @example
 *   const net: NetworkJson = { kind: 'relu', W1: [[1]], W2: [[1]], appendOne: false };
 */
export interface NetworkJson {
  kind: string;
  [k: string]: unknown;
}

/**
 * One row of `lambdaSelection.table`: a λ of the grid, its validation score (mean over the folds
 * scored), the worst relative certificate of its fold solves, and the mean active neurons (null
 * where the path stopped early, e.g. at a time limit).
 *
 * @example
 *   const r: LambdaRowJson = { lambda: 0.5, score: 0.97, certificate: 4e-7, activeNeurons: 12 };
 */
export interface LambdaRowJson {
  lambda: number;
  score: number | null;
  certificate: number | null;
  activeNeurons: number | null;
}

/**
 * How `cvxnn fit --lambda auto` chose λ: the score (`accuracy`, higher is better; `mse`, lower),
 * the number of validation folds scored (1: one split of the training rows, whose fraction is
 * `split`; K: K-fold cross-validation), the index of the chosen row in `table` and its λ.
 *
 * @example
 *   const s: LambdaSelectionJson = { score: 'accuracy', folds: 1, split: 0.2, chosen: 0, lambda: 0.5, table: [{ lambda: 0.5, score: 0.97, certificate: 4e-7, activeNeurons: 12 }] };
 */
export interface LambdaSelectionJson {
  score: 'accuracy' | 'mse';
  folds: number;
  /** the fraction of the training rows held out for validation when `folds` is 1 */
  split?: number;
  chosen: number;
  lambda: number;
  table: LambdaRowJson[];
  /** seconds of the whole search: the fold solves and the refit */
  timeSeconds?: number;
  /** fold solves run: each fold's path stops `patience` grid points after its best score */
  solves?: number;
  /** the early-stopping rule of the fold paths (grid points after the best; Infinity is written as null by JSON, so absent) */
  patience?: number;
}

/**
 * A validated run. The keys every run has are required; the rest are typed where a reader uses
 * them and kept as they are otherwise.
 *
 * @example
 *   const run: Run = validateRun(JSON.parse(text));
 */
export interface Run {
  cvxnnRun: typeof RUN_FORMAT_VERSION;
  kind: RunKind;
  createdAt: string;
  options: Record<string, unknown>;
  environment: Record<string, unknown>;
  data: { name?: string; n?: number; d?: number; task?: string; classes?: string[]; [k: string]: unknown };
  status?: string;
  objective?: unknown;
  certificate?: CertificateJson;
  iterations?: number;
  timeSeconds?: number;
  activeNeurons?: number;
  patterns?: number;
  network?: NetworkJson;
  preprocessing?: Preprocessing;
  architecture?: Record<string, unknown>;
  history?: HistoryPoint[];
  curves?: Array<{ method: string; points: CurvePoint[] }>;
  groupNorms?: Array<number | null>;
  geometry2d?: Geometry2d;
  fit1d?: Fit1d;
  eigenvalues?: Array<number | null>;
  /** `fit --lambda auto`: the λ table and the choice */
  lambdaSelection?: LambdaSelectionJson;
  warnings?: string[];
  [k: string]: unknown;
}
