/** The datasets shipped with the package, and `loadDataset` (a bundled name or a path). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CvxnnError, checkOptions } from '@cvxnn/linalg';
import { loadCsv } from './csv.js';
import { loadIdx } from './idx.js';
import { loadJson } from './json.js';
import type { CsvOptions, Dataset, Task } from './types.js';
import { CSV_OPTIONS } from './option-specs.js';

/**
 * A bundled dataset's description.
 *
 * @example
 *   const wine: BundledInfo = listBundled().find((b) => b.name === 'wine')!;
 *   wine.n; // 178
 */
export interface BundledInfo {
  name: string;
  n: number;
  d: number;
  task: Task;
  description: string;
  licence: string;
}

const BUNDLED: Array<BundledInfo & { file: string }> = [
  {
    name: 'diabetes', file: 'diabetes.csv', n: 442, d: 10, task: 'regression',
    description: 'Efron et al. (2004) diabetes data, unscaled: age, sex, BMI, blood pressure and six serum measurements → disease progression after one year',
    licence: 'BSD-3-Clause (copy shipped by scikit-learn 1.2.1)',
  },
  {
    name: 'breast_cancer', file: 'breast_cancer.csv', n: 569, d: 30, task: 'binary',
    description: 'UCI Breast Cancer Wisconsin (Diagnostic): 30 cell-nucleus features → 0 malignant, 1 benign',
    licence: 'BSD-3-Clause (copy shipped by scikit-learn 1.2.1)',
  },
  {
    name: 'wine', file: 'wine.csv', n: 178, d: 13, task: 'multiclass',
    description: 'UCI Wine: 13 chemical measurements → one of 3 cultivars',
    licence: 'BSD-3-Clause (copy shipped by scikit-learn 1.2.1)',
  },
  {
    name: 'diabetes-bmi', file: 'diabetes-bmi.csv', n: 49, d: 1, task: 'regression',
    description: 'derived from diabetes: patients sorted by BMI, cut into 49 consecutive groups of 9–10, group means of BMI and progression (a 1-D worked example)',
    licence: 'BSD-3-Clause (derived from the scikit-learn copy of diabetes)',
  },
  {
    name: 'digits8x8', file: 'digits8x8.csv', n: 1797, d: 64, task: 'multiclass',
    description: 'UCI Optical Recognition of Handwritten Digits: 8×8 grey-level images (row-major pixels, values 0–16) → digit 0–9',
    licence: 'BSD-3-Clause (copy shipped by scikit-learn 1.2.1)',
  },
];

const ALIASES: Record<string, string> = { 'breast-cancer': 'breast_cancer', diabetes_bmi: 'diabetes-bmi', digits: 'digits8x8' };

/**
 * The datasets bundled with `@cvxnn/data` (see `datasets/LICENSES.md`).
 *
 * @example
 *   listBundled().map((b) => b.name); // ['diabetes', 'breast_cancer', 'wine', 'diabetes-bmi', 'digits8x8']
 */
export function listBundled(): BundledInfo[] {
  return BUNDLED.map(({ file: _file, ...info }) => ({ ...info }));
}

/**
 * The absolute path of a bundled dataset's CSV file, or undefined for an unknown name.
 *
 * @example
 *   bundledPath('wine'); // '…/node_modules/@cvxnn/data/datasets/wine.csv'
 */
export function bundledPath(name: string): string | undefined {
  const b = BUNDLED.find((x) => x.name === (ALIASES[name] ?? name));
  // Relative to this module: works from src/ and from dist/ alike.
  return b ? fileURLToPath(new URL(`../datasets/${b.file}`, import.meta.url)) : undefined;
}

function isIdxPath(p: string): boolean {
  const b = path.basename(p).toLowerCase().replace(/\.gz$/, '');
  return b.endsWith('.idx') || /-ubyte$/.test(b) || /idx\d-/.test(b);
}

/**
 * Load a dataset by bundled name (`diabetes`, `breast_cancer`, `wine`, `diabetes-bmi`) or by path,
 * dispatching on the extension: `.json` → {@link loadJson}; IDX (`-ubyte`, `.idx`, optionally `.gz`)
 * → {@link loadIdx}, pairing an `…images-idx3…` file with the `…labels-idx1…` file next to it;
 * anything else → {@link loadCsv}. A name that is neither bundled nor an existing file ⇒ `IO_ERROR`.
 *
 * @example
 *   const ds = loadDataset('diabetes');
 *   ds.X.cols; // 10
 *   const mine = loadDataset('./my.csv', { labelColumn: 'target' });
 */
export function loadDataset(spec: string, opts: CsvOptions = {}): Dataset {
  checkOptions('loadDataset', opts, CSV_OPTIONS);
  if (typeof spec !== 'string' || spec.trim() === '') throw new CvxnnError('INVALID_OPTION', 'dataset spec must be a bundled name or a file path');
  const bundled = bundledPath(spec);
  if (bundled && !existsSync(spec)) {
    const info = BUNDLED.find((x) => x.name === (ALIASES[spec] ?? spec))!;
    return loadCsv(bundled, { ...opts, name: opts.name ?? info.name });
  }
  if (!existsSync(spec)) {
    throw new CvxnnError(
      'IO_ERROR',
      `'${spec}' is neither a bundled dataset (${BUNDLED.map((b) => b.name).join(', ')}) nor an existing file`,
    );
  }
  const lower = spec.toLowerCase().replace(/\.gz$/, '');
  if (lower.endsWith('.json')) return loadJson(spec, opts);
  if (isIdxPath(spec)) {
    const dir = path.dirname(spec);
    const base = path.basename(spec);
    const labelsBase = base.replace(/images-idx3/, 'labels-idx1');
    const labels = labelsBase !== base && existsSync(path.join(dir, labelsBase)) ? path.join(dir, labelsBase) : undefined;
    return loadIdx(spec, labels, { ...(opts.name ? { name: opts.name } : {}), ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}) });
  }
  return loadCsv(spec, opts);
}
