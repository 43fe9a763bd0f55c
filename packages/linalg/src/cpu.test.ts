import { describeConformance } from './conformance.js';
import { createCpuBackend } from './cpu.js';

describeConformance('ts (CPU reference)', () => createCpuBackend());
