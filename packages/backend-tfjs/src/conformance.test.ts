import { describeConformance } from '@cvxnn/linalg/conformance';
import { createTfjsBackend } from './index.js';

// fp32 backends: the suite's default fp32 tolerance (2e-5 relative, scaled by √(inner dimension))
describeConformance('tfjs wasm', () => createTfjsBackend({ kind: 'wasm' }));
describeConformance('tfjs cpu', () => createTfjsBackend({ kind: 'cpu' }));
