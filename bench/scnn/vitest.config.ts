// bench/scnn is not a workspace package; its tests run with
//   pnpm exec vitest run --config bench/scnn/vitest.config.ts
import { definePackageConfig } from '../../tooling/vitest-preset/src/index.js';

export default definePackageConfig('bench-scnn', { include: ['bench/scnn/*.test.ts'] });
