import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** The version of the cvxnn CLI (apps/cli/package.json). */
export const VERSION: string = (require('../package.json') as { version: string }).version;
