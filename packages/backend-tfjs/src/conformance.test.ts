import { describeConformance } from '@cvxnn/linalg/conformance';
import { createTfjsBackend } from './index.js';

// fp32 backends: the suite's default fp32 tolerance (2e-5 relative, scaled by √(inner dimension));
// every kernel refuses NaN/±Infinity inputs with NON_FINITE like the CPU backends
describeConformance('tfjs wasm', () => createTfjsBackend({ kind: 'wasm' }), { refusesNonFinite: true });
describeConformance('tfjs cpu', () => createTfjsBackend({ kind: 'cpu' }), { refusesNonFinite: true });
