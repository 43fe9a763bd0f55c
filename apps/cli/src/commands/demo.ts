import { getBackend, Matrix, PatternMasks, Rng } from '@cvxnn/linalg';
import type { Command } from 'commander';
import { type Io, parseNumber, parseSeed, printJson, printKv } from '../io.js';
import { guardMemory } from '../limits.js';

/** `cvxnn demo`: a small tour of the core — random data, Gaussian-gate patterns, the fused masked products. */
export function register(program: Command, io: Io): void {
  program
    .command('demo')
    .description('run a small demo of the core kernels (random data, sampled patterns, masked products)')
    .option('--n <n>', 'samples', '2000')
    .option('--d <d>', 'features', '20')
    .option('--patterns <P>', 'Gaussian gates to sample', '100')
    .option('--seed <s>', 'random seed', '0')
    .option('--json', 'print one JSON object')
    .action((opts: { n: string; d: string; patterns: string; seed: string; json?: boolean }) => {
      const n = parseNumber('n', opts.n, { integer: true, min: 1 });
      const d = parseNumber('d', opts.d, { integer: true, min: 1 });
      const p = parseNumber('patterns', opts.patterns, { integer: true, min: 1 });
      const seed = parseSeed(opts.seed);
      // X (n×d), gates and weights (d×P each), the bit-packed masks (n×P), the outputs and gradients
      guardMemory(`--n ${n} --d ${d} --patterns ${p}`, 8 * (n * d + 3 * d * p + n) + (n * p) / 8, `${n}×${d} data, ${d}×${p} gates and weights, ${n}×${p} pattern bits`, 'use a smaller --n, --d or --patterns');
      const rng = new Rng(seed);
      const X = new Matrix(n, d, rng.normalArray(n * d));
      const G = new Matrix(d, p, rng.normalArray(d * p));
      const masks = PatternMasks.fromGates(X, G);
      const U = new Matrix(d, p, rng.normalArray(d * p));
      const be = getBackend();
      const t0 = performance.now();
      const F = be.maskedForward(X, masks, U);
      const t1 = performance.now();
      const Gr = be.maskedBackward(X, masks, F);
      const t2 = performance.now();
      const flops = 2 * n * d * p;
      const result = {
        n,
        d,
        patterns: p,
        seed,
        backend: be.name,
        precision: be.precision,
        forwardMs: t1 - t0,
        backwardMs: t2 - t1,
        forwardGflops: flops / ((t1 - t0) * 1e6),
        backwardGflops: flops / ((t2 - t1) * 1e6),
        checksum: F.data.reduce((a, b) => a + b, 0) + Gr.data.reduce((a, b) => a + b, 0),
      };
      if (opts.json) printJson(io, result);
      else
        printKv(io, [
          ['data', `${n}×${d} standard normal, seed ${seed}`],
          ['patterns', `${p} Gaussian gates`],
          ['backend', `${be.name} (${be.precision})`],
          ['Σ D_i X u_i', `${result.forwardMs.toFixed(2)} ms (${result.forwardGflops.toFixed(2)} GFLOP/s)`],
          ['Xᵀ(M∘r)', `${result.backwardMs.toFixed(2)} ms (${result.backwardGflops.toFixed(2)} GFLOP/s)`],
        ]);
    });
}
