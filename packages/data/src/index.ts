/**
 * @cvxnn/data — loading (CSV, JSON, IDX), validation with actionable errors, standardization,
 * seeded splits, label encodings and bundled datasets.
 */
export type { CsvOptions, DataProblem, Dataset, Task } from './types.js';
export { encodeLabels, isMissing, MAX_AUTO_CLASSES, type EncodedLabels } from './table.js';
export { guessDelimiter, inspectCsv, loadCsv, parseCsv, type CsvInspection } from './csv.js';
export { DEFAULT_MAX_BYTES, readInput, readText, type ReadInputOptions } from './file.js';
export { alignCsv, loadAligned, type AlignedData, type AlignOptions, type ModelColumns } from './align.js';
export { loadJson } from './json.js';
export { loadIdx, parseIdx, type IdxOptions, type IdxTensor } from './idx.js';
export { bundledPath, listBundled, loadDataset, type BundledInfo } from './bundled.js';
export {
  applyStandardizer,
  classCounts,
  fitStandardizer,
  oneHot,
  signLabels,
  subset,
  trainTestSplit,
  type SplitOptions,
  type Standardizer,
} from './transform.js';
