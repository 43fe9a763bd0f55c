/**
 * @cvxnn/run-format — the run file of cvxnn (docs/run-format.md): its TypeScript types, the format
 * version, and a validator whose errors name the JSON path of each problem. The CLI writes runs
 * with these types; the dashboard and `cvxnn predict` read them through {@link parseRun}.
 */
export {
  type CertificateJson,
  type CurvePoint,
  type Fit1d,
  type Geometry2d,
  type HistoryPoint,
  type LambdaRowJson,
  type LambdaSelectionJson,
  type NetworkJson,
  type NeuronJson,
  type Preprocessing,
  type Run,
  RUN_FORMAT_VERSION,
  RUN_KINDS,
  type RunKind,
  type Task,
} from './types.js';
export { NETWORK_KINDS, parseRun, requirePredictable, runIssues, type RunIssue, unclosed, validateRun } from './validate.js';
