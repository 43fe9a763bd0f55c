import { benchmarkKernels, type KernelTiming } from '@cvxnn/backend-onnx';
import { assertOption, type Backend } from '@cvxnn/linalg';
import type { Command } from 'commander';
import { selectBackend } from '../backends.js';
import { type Io, parseNumber, printJson } from '../io.js';

interface KernelsOptions {
  n: string;
  d: string;
  patterns: string;
  backends: string;
  minTime: string;
  json?: boolean;
}

/**
 * `cvxnn bench kernels`: GFLOP/s and ms per call of `gemm` (X·U), `mask-forward` (Σ_i D_i X u_i)
 * and `mask-backward` (Xᵀ D_i r, all i) on each requested backend, on random data of the given
 * size. Backends that cannot load here are skipped with a one-line note on stderr.
 */
export function register(program: Command, io: Io): void {
  const bench = program.command('bench').description('benchmarks');
  bench
    .command('kernels')
    .description('GFLOP/s per backend for gemm and the masked products (X·U, Σ D_i X u_i, Xᵀ D_i r)')
    .option('--n <n>', 'samples', '10000')
    .option('--d <d>', 'features', '50')
    .option('--patterns <P>', 'activation patterns', '500')
    .option('--backends <list>', 'comma-separated backends (ts, onnx, onnx-fp32, blas, blas-fp32, ts-workers, wasm, tfjs-cpu, tfjs-node-gpu)', 'ts,onnx,onnx-fp32,blas,blas-fp32,wasm,tfjs-node-gpu')
    .option('--min-time <ms>', 'time each kernel at least this long', '500')
    .option('--json', 'print {results: [{backend, kernel, precision, gflops, ms}]}')
    .action(async (o: KernelsOptions) => {
      const n = parseNumber('n', o.n, { integer: true, min: 1 });
      const d = parseNumber('d', o.d, { integer: true, min: 1 });
      const patterns = parseNumber('patterns', o.patterns, { integer: true, min: 1 });
      const minTimeMs = parseNumber('min-time', o.minTime, { min: 0 });
      const names = o.backends.split(',').map((s) => s.trim()).filter((s) => s !== '');
      assertOption(names.length > 0, `--backends must name at least one backend, got '${o.backends}'`);
      assertOption(!names.includes('auto'), "--backends takes backend names, not 'auto'; e.g. --backends ts,onnx");
      const backends: Backend[] = [];
      for (const name of names) {
        try {
          backends.push((await selectBackend(name)).backend);
        } catch (e) {
          if ((e as { code?: string }).code !== 'BACKEND_UNAVAILABLE') throw e;
          io.err(`note: skipped: ${(e as Error).message.split('\n')[0]}\n`);
        }
      }
      assertOption(backends.length > 0, `none of --backends ${o.backends} is available here; try --backends ts`);
      const results: KernelTiming[] = benchmarkKernels(backends, { n, d, patterns, minTimeMs });
      if (o.json) {
        printJson(io, { results });
        return;
      }
      io.out(`n=${n} d=${d} P=${patterns}  (GFLOP/s = 2·n·d·P / time)\n`);
      io.out(`${'backend'.padEnd(11)} ${'precision'.padEnd(9)} ${'kernel'.padEnd(14)} ${'ms'.padStart(10)} ${'GFLOP/s'.padStart(9)}\n`);
      for (const r of results) {
        io.out(`${r.backend.padEnd(11)} ${r.precision.padEnd(9)} ${r.kernel.padEnd(14)} ${r.ms.toFixed(2).padStart(10)} ${r.gflops.toFixed(2).padStart(9)}\n`);
      }
    });
}
