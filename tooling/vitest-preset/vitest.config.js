// @ts-check
import { definePackageConfig } from './src/index.js';

// the preset's own tests (the float matchers, and the benchmark harness next door)
export default definePackageConfig('tooling', { include: ['src/**/*.test.ts', '../bench/src/**/*.test.ts'] });
