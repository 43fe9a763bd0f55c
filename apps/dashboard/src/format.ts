/**
 * The run format the dashboard reads: the shared module `@cvxnn/run-format` (types, version and
 * the validator with path-named errors), the same one the CLI writes with, so the page shows
 * precisely what is wrong with a file instead of a blank screen.
 */
export {
  type CurvePoint,
  type Fit1d,
  type Geometry2d,
  type HistoryPoint,
  type NeuronJson,
  parseRun,
  type Run,
  RUN_FORMAT_VERSION,
  RUN_KINDS,
  type RunKind,
  unclosed,
  validateRun,
} from '@cvxnn/run-format';
