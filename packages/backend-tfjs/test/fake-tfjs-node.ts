/**
 * A stand-in for @tensorflow/tfjs-node-gpu in tests (no GPU, no libtensorflow here): importing it
 * registers a TensorFlow.js backend named 'tensorflow' (tfjs-backend-cpu's kernels under that
 * name) whose `isUsingGpuDevice` reads `globalThis.__cvxnnFakeGpu`, as the real package's
 * NodeJSKernelBackend reports whether libtensorflow found a CUDA device.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

const g = globalThis as { __cvxnnFakeGpu?: boolean };
class FakeNodeBackend extends MathBackendCPU {
  get isUsingGpuDevice(): boolean {
    return g.__cvxnnFakeGpu === true;
  }
}
if (!tf.findBackendFactory('tensorflow')) {
  // the cpu kernels are registered for backend 'cpu'; copy them to 'tensorflow'
  for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: 'tensorflow' });
  tf.registerBackend('tensorflow', () => new FakeNodeBackend(), 3);
}
export const version = { 'tfjs-node': 'fake' };
