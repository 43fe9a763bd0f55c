import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';
import { describeConformance } from '@cvxnn/linalg/conformance';
import { createBlasBackend, defaultAddonPath } from './index.js';

// The addon is optional: where it was not built (no libopenblas-dev), say so instead of failing.
const built = existsSync(defaultAddonPath());
if (built) {
  describeConformance('blas', () => createBlasBackend(), { refusesNonFinite: true });
  describeConformance('blas-fp32', () => createBlasBackend({ precision: 'fp32' }), { refusesNonFinite: true });
  // a small chunk so the row-chunked paths (several GEMMs, G accumulated with beta = 1) run too
  describeConformance('blas (row-chunked)', () => createBlasBackend({ maxChunkElements: 1000 }));
  describeConformance('blas-fp32 (row-chunked, 1 thread)', () => createBlasBackend({ precision: 'fp32', maxChunkElements: 700, threads: 1 }));
} else {
  describe('backend conformance: blas', () => {
    it.skip(`skipped: the OpenBLAS addon is not built (${defaultAddonPath()} missing; install libopenblas-dev and run pnpm --filter @cvxnn/backend-blas build)`, () => {});
  });
}
