import { describe, expect, it } from 'vitest';
import os from 'node:os';
import { coreIdle, measure, peakMemory, waitForIdle } from './index.js';

describe('bench harness', () => {
  it('measure: warm-up calls are not timed, at least minSamples timed calls, median between min and max, GFLOP/s = flops / median', async () => {
    let calls = 0;
    const r = await measure('spin', () => {
      calls++;
      const t = performance.now();
      while (performance.now() - t < 1); // ≥ 1 ms per call
    }, { warmup: 3, minSamples: 7, minTimeMs: 0, flops: 2e6 });
    expect(r.samples).toBe(7);
    expect(calls).toBe(10);
    expect(r.minMs).toBeGreaterThanOrEqual(1);
    expect(r.ms).toBeGreaterThanOrEqual(r.minMs);
    expect(r.gflops).toBeCloseRel(2e6 / (r.ms / 1000) * 1e-9, 1e-12);
  });
  it('measure stops at maxSamples timed calls even when minTimeMs has not passed', async () => {
    const t0 = performance.now();
    const r = await measure('cap', () => {
      const t = performance.now();
      while (performance.now() - t < 1);
    }, { warmup: 1, minSamples: 3, minTimeMs: 60_000, maxSamples: 6 });
    expect(r.samples).toBe(6);
    expect(performance.now() - t0).toBeLessThan(30_000);
  });
  it('peakMemory sees an ArrayBuffer allocated inside the function', async () => {
    const { result, peakArrayBuffersBytes, baselineArrayBuffersBytes } = await peakMemory(() => {
      const a = new Float64Array(4 * 2 ** 20); // 32 MiB
      a[1] = 1;
      return a.length;
    });
    expect(result).toBe(4 * 2 ** 20);
    expect(peakArrayBuffersBytes - baselineArrayBuffersBytes).toBeGreaterThanOrEqual(32 * 2 ** 20);
  });
});

describe('coreIdle / waitForIdle', () => {
  it('one idle fraction in [0, 1] per core; waitForIdle(0) returns one reading', async () => {
    const idle = await coreIdle(50);
    expect(idle).toHaveLength(os.cpus().length);
    for (const f of idle) expect(f >= 0 && f <= 1).toBe(true);
    const last = await waitForIdle(0);
    expect(last).toHaveLength(os.cpus().length);
  });
});
