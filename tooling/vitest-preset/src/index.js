// @ts-check
/**
 * The shared Vitest preset of cvxnn: resolves workspace packages to their TypeScript sources
 * (the `@cvxnn/source` export condition), installs the float matchers and sets sane timeouts.
 *
 * @example
 *   // packages/linalg/vitest.config.ts
 *   import { definePackageConfig } from '@cvxnn/vitest-preset';
 *   export default definePackageConfig('linalg');
 */
import { fileURLToPath } from 'node:url';

const matchers = fileURLToPath(new URL('./setup.js', import.meta.url));
const conditions = ['@cvxnn/source', 'node', 'import', 'module', 'default'];

/**
 * @param {string} name project name shown by Vitest
 * @param {Record<string, unknown>} [test] extra `test` options merged over the preset
 */
export function definePackageConfig(name, test = {}) {
  return {
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@cvxnn/source'] } },
    test: {
      name,
      environment: 'node',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      setupFiles: [matchers],
      testTimeout: 120_000,
      hookTimeout: 120_000,
      ...test,
    },
  };
}
