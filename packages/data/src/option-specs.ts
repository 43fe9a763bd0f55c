/**
 * The option types of this package's public loaders, for `checkOptions` of `@cvxnn/linalg` (not
 * exported from the index). The compiler keeps each list equal to its interface's keys; value
 * ranges (`task`, `missing`, `labelColumn` names) stay with the loaders that check them.
 */
import type { OptionSpec } from '@cvxnn/linalg';
import type { AlignOptions } from './align.js';
import type { ReadInputOptions } from './file.js';
import type { IdxOptions } from './idx.js';
import type { SplitOptions } from './transform.js';
import type { CsvOptions } from './types.js';

export const CSV_OPTIONS: OptionSpec<CsvOptions> = {
  labelColumn: 'string|number',
  header: 'boolean|"auto"',
  task: 'string',
  delimiter: 'string',
  name: 'string',
  missing: 'string',
  classes: 'array',
  maxBytes: 'number',
};

export const IDX_OPTIONS: OptionSpec<IdxOptions> = { limit: 'number', normalize: 'boolean', name: 'string', maxBytes: 'number' };

export const ALIGN_OPTIONS: OptionSpec<AlignOptions> = { header: 'boolean|"auto"', delimiter: 'string', missing: 'string', name: 'string', maxBytes: 'number' };

export const READ_OPTIONS: OptionSpec<ReadInputOptions> = { maxBytes: 'number' };

export const SPLIT_OPTIONS: OptionSpec<SplitOptions> = { stratify: 'boolean' };
