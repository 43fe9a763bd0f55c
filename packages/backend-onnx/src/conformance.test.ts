import { describeConformance } from '@cvxnn/linalg/conformance';
import { createOnnxBackend } from './index.js';

// small maxChunkElements on one run so the row-chunked path is exercised too
describeConformance('onnx', () => createOnnxBackend());
describeConformance('onnx-fp32', () => createOnnxBackend({ precision: 'fp32' }));
describeConformance('onnx (row-chunked)', () => createOnnxBackend({ maxChunkElements: 1000 }));
