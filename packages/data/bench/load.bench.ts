/**
 * Loading throughput: parseCsv (quote-free fast path, or csv-parse when the text has quotes; then
 * validation and label encoding) on a synthetic
 * 20000 × 50 numeric CSV and on the bundled breast_cancer file, against a naive
 * `split(',')` + `Number` reader with no validation (a lower bound on what parsing can cost);
 * loadIdx on a synthetic 10000 × 28 × 28 ubyte file, raw and gzipped; and a stratified split.
 * Prints one JSON document.
 *
 *   pnpm -s --filter @cvxnn/data bench > bench/results/data-load.json
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { emit, measure, type Measurement } from '@cvxnn/bench-harness';
import { Rng } from '@cvxnn/linalg';
import { bundledPath, loadIdx, parseCsv, trainTestSplit } from '../src/index.js';

const results: Measurement[] = [];
const loadBefore = os.loadavg()[0];

function naive(text: string): number {
  const lines = text.trim().split('\n');
  let s = 0;
  for (let i = 1; i < lines.length; i++) for (const c of lines[i]!.split(',')) s += Number(c);
  return s;
}

const n = 20000;
const d = 50;
const rng = new Rng(1);
const rows = ['' + Array.from({ length: d }, (_, k) => `f${k}`).join(',') + ',label'];
for (let i = 0; i < n; i++) rows.push(Array.from({ length: d }, () => rng.normal().toFixed(6)).join(',') + ',' + rng.int(3));
const big = rows.join('\n') + '\n';
const mb = big.length / 1e6;
const r1 = await measure(`parseCsv ${n}x${d}`, () => parseCsv(big), { warmup: 1, minSamples: 3, minTimeMs: 500, maxSamples: 10 });
results.push({ ...r1, n, d, megabytes: mb, mbPerSecond: mb / (r1.ms / 1000) });
// the same table with quoted labels goes through csv-parse (the quote-free fast path does not apply)
const quoted = big.replace(/,(\d)\n/g, ',"$1"\n');
const r1q = await measure(`parseCsv ${n}x${d} quoted labels (csv-parse)`, () => parseCsv(quoted), { warmup: 1, minSamples: 3, minTimeMs: 500, maxSamples: 10 });
results.push({ ...r1q, n, d, megabytes: quoted.length / 1e6, mbPerSecond: quoted.length / 1e6 / (r1q.ms / 1000) });
const r2 = await measure(`naive split ${n}x${d}`, () => naive(big), { warmup: 1, minSamples: 3, minTimeMs: 500, maxSamples: 10 });
results.push({ ...r2, n, d, megabytes: mb, mbPerSecond: mb / (r2.ms / 1000), baseline: true, parseCsvSlowdown: r1.ms / r2.ms });

const bc = readFileSync(bundledPath('breast_cancer')!, 'utf8');
const r3 = await measure('parseCsv breast_cancer 569x30', () => parseCsv(bc), { minTimeMs: 500 });
results.push({ ...r3, n: 569, d: 30 });

const dir = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-data-bench-'));
const m = 10000;
const img = new Uint8Array(16 + m * 784);
img.set([0, 0, 8, 3, 0, 0, (m >> 8) & 255, m & 255, 0, 0, 0, 28, 0, 0, 0, 28]);
for (let k = 16; k < img.length; k++) img[k] = rng.int(256);
const raw = path.join(dir, 'x-images-idx3-ubyte');
writeFileSync(raw, img);
writeFileSync(raw + '.gz', gzipSync(img));
const r4 = await measure(`loadIdx ${m}x784 raw`, () => loadIdx(raw), { warmup: 1, minSamples: 3, minTimeMs: 500, maxSamples: 10 });
results.push({ ...r4, n: m, d: 784 });
const r5 = await measure(`loadIdx ${m}x784 gzip`, () => loadIdx(raw + '.gz'), { warmup: 1, minSamples: 3, minTimeMs: 500, maxSamples: 10 });
results.push({ ...r5, n: m, d: 784 });

const ds = parseCsv(big);
const r6 = await measure(`trainTestSplit stratified ${n}x${d}`, () => trainTestSplit(ds, 0.2, 0), { minTimeMs: 500 });
results.push({ ...r6, n, d });

emit('data-load', results, { loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg()[0] });
