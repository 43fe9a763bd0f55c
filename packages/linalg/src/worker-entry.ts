/**
 * The body of a `ts-workers` thread: it runs the ts kernels on its share of rows, reading and
 * writing SharedArrayBuffers laid out by `workers.ts`, and counts itself done on a shared
 * Int32 control word the caller waits on with `Atomics.wait`. Not a public module.
 */
import { parentPort } from 'node:worker_threads';
import { gemm, maskedBackward, maskedForward } from './cpu.js';
import { PatternMasks } from './masks.js';
import { Matrix } from './matrix.js';
import type { WorkerTask } from './workers.js';

function mat(f64: Float64Array, d: { offset: number; rows: number; cols: number; stride: number }): Matrix<Float64Array> {
  return new Matrix(d.rows, d.cols, f64, d.stride, d.offset);
}

function run(t: WorkerTask): void {
  const f64 = new Float64Array(t.f64);
  if (t.op === 'gemm') {
    gemm(mat(f64, t.a), mat(f64, t.b), { transA: t.transA, transB: t.transB, alpha: t.alpha, out: mat(f64, t.out) });
    return;
  }
  const bits = new Uint32Array(t.u32, t.bitsOffset * 4, t.masksRows * t.wordsPerRow);
  const masks = new PatternMasks(t.masksRows, t.p, bits);
  if (t.op === 'maskedForward') maskedForward(mat(f64, t.X), masks, mat(f64, t.U), mat(f64, t.out), t.chunk);
  else maskedBackward(mat(f64, t.X), masks, mat(f64, t.R), mat(f64, t.out), t.chunk);
}

parentPort?.on('message', (t: WorkerTask) => {
  const ctl = new Int32Array(t.ctl);
  try {
    run(t);
  } catch {
    Atomics.store(ctl, 1, 1);
  }
  Atomics.add(ctl, 0, 1);
  Atomics.notify(ctl, 0);
});
