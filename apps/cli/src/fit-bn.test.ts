import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { run } from '../test/run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-fit-bn-'));

function writeCsv(name: string, n: number, d: number, label: (x: number[], rng: Rng) => string, seed = 1): string {
  const rng = new Rng(seed);
  const lines = [[...Array.from({ length: d }, (_, k) => `f${k}`), 'target'].join(',')];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: d }, () => 2 * rng.normal() + 1);
    lines.push([...x.map((v) => v.toFixed(6)), label(x, rng)].join(','));
  }
  const p = path.join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

const regression = writeCsv('reg.csv', 30, 2, (x, r) => (Math.max(0, x[0] - x[1]) + 0.1 * r.normal()).toFixed(6));
const binary = writeCsv('bin.csv', 40, 2, (x) => (x[0] * x[1] > 1 ? 'yes' : 'no'));
const multi = writeCsv('multi.csv', 45, 2, (x) => (x[0] > 1.5 ? 'a' : x[1] > 1 ? 'b' : 'c'));

/** The BN objective of a printed run, recomputed here from its CSV and network JSON (batch statistics). */
function recomputeBn(j: any, file: string): number {
  const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
  const pre = j.preprocessing;
  const net = j.network;
  const X = rows.map((r) => {
    const x = r.slice(0, -1).map((v, k) => (v - pre.mean[k]) / pre.std[k]);
    if (net.appendOne) x.push(1);
    return x;
  });
  const y = rows.map((r) => r[r.length - 1]);
  const n = X.length;
  const m = net.gamma.length;
  const f = new Array<number>(n).fill(0);
  for (let h = 0; h < m; h++) {
    const a = X.map((x) => {
      const z = x.reduce((s, v, k) => s + v * net.W1[k][h], 0);
      return net.placement === 'before' ? z : Math.max(0, z);
    });
    const mean = net.placement === 'scale' ? 0 : a.reduce((s, v) => s + v, 0) / n;
    const nrm = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / (net.normalization === 'std' ? n : 1));
    for (let i = 0; i < n; i++) {
      const q = nrm > 0 ? (a[i] - mean) / nrm : 0;
      const v = net.gamma[h] * q + (net.placement === 'scale' ? 0 : net.alpha[h]);
      f[i] += (net.placement === 'before' ? Math.max(0, v) : v) * net.W2[h][0];
    }
  }
  let obj = 0;
  for (let i = 0; i < n; i++) obj += 0.5 * (f[i] - y[i]) ** 2;
  let w = 0;
  for (let h = 0; h < m; h++) w += net.gamma[h] ** 2 + (net.placement === 'scale' ? 0 : net.alpha[h] ** 2) + net.W2[h][0] ** 2;
  return obj + (j.options.lambda / 2) * w;
}

describe('cvxnn fit --arch bn', () => {
  it('every placement: the keys of cvxnn fit, a certificate, and the printed BN network has the convex objective', async () => {
    for (const placement of ['scale', 'centred', 'before']) {
      const r = await run('fit', '--data', regression, '--arch', 'bn', '--bn-placement', placement, '--lambda', '0.5', '--patterns', '12', '--tol', '1e-7', '--json');
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(r.out);
      for (const k of ['cvxnnRun', 'kind', 'options', 'environment', 'data', 'objective', 'dataTerm', 'penalty', 'certificate', 'status', 'iterations', 'timeSeconds', 'patterns', 'activeNeurons', 'constraintViolation', 'networkObjective', 'trainMSE', 'network', 'preprocessing']) {
        expect(j, `${placement}: ${k}`).toHaveProperty(k);
      }
      expect(j.kind).toBe('fit');
      expect(j.options.arch).toBe('bn');
      expect(j.options.bnPlacement).toBe(placement);
      expect(j.formulation).toBe(`bn-${placement}`);
      expect(j.certificate.value).toBeLessThanOrEqual(1e-5);
      expect(j.objective).toBeCloseRel(j.dataTerm + j.penalty, 1e-12);
      expect(recomputeBn(j, regression)).toBeCloseRel(j.objective, 1e-6);
    }
  });

  it('--bn-normalization std divides by the standard deviation (recomputed here)', async () => {
    const r = await run('fit', '--data', regression, '--arch', 'bn', '--bn-placement', 'centred', '--bn-normalization', 'std', '--lambda', '0.5', '--patterns', '12', '--tol', '1e-7', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.options.bnNormalization).toBe('std');
    expect(j.network.normalization).toBe('std');
    expect(recomputeBn(j, regression)).toBeCloseRel(j.objective, 1e-6);
  });

  it('binary with a held-out fraction reports train/test accuracy (logistic loss by default)', async () => {
    const r = await run('fit', '--data', binary, '--arch', 'bn', '--lambda', '0.5', '--patterns', '15', '--test-fraction', '0.25', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.options.loss).toBe('logistic');
    expect(j.data.n).toBe(30);
    expect(j.trainAccuracy).toBeGreaterThan(0.7);
    expect(j.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(j.testAccuracy).toBeLessThanOrEqual(1);
  });

  it('text output names the model and the recovered network objective', async () => {
    const r = await run('fit', '--data', regression, '--arch', 'bn', '--lambda', '0.5', '--patterns', '8');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/bn-scale/);
    expect(r.out).toMatch(/network objective/);
  });
});

describe('cvxnn fit --layerwise', () => {
  it('multiclass: one entry per block with certificate and per-depth accuracy; the top level is the deepest block', async () => {
    const r = await run('fit', '--data', multi, '--task', 'multiclass', '--layerwise', '2', '--lambda', '0.01', '--patterns', '10', '--test-fraction', '0.2', '--tol', '1e-5', '--max-iters', '20000', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.kind).toBe('fit');
    expect(j.options.layerwise).toBe(2);
    expect(j.options.loss).toBe('cross-entropy');
    expect(j.layers).toHaveLength(2);
    for (const b of j.layers) {
      expect(b.certificate.value).toBeLessThanOrEqual(1e-5);
      expect(b.trainAccuracy).toBeGreaterThan(0.8);
      expect(b).toHaveProperty('testAccuracy');
    }
    expect(j.layers[1].inputDim).toBe(j.layers[0].width);
    expect(j.testAccuracy).toBe(j.layers[1].testAccuracy);
    expect(j.objective).toBe(j.layers[1].objective);
    expect(j.network.blocks).toHaveLength(2);
  });

  it('refuses unsupported combinations with a clear message', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--arch', 'bn', '--layerwise', '2'], /not supported/],
      [['--arch', 'bn', '--bn-placement', 'sideways'], /--bn-placement must be/],
      [['--arch', 'bn', '--bn-normalization', 'max'], /--bn-normalization must be/],
      [['--layerwise', '0'], /layerwise/],
      [['--layerwise', '2', '--patterns', 'all'], /--patterns N/],
      [['--arch', 'bn'], /--lambda is required/],
    ];
    for (const [args, msg] of cases) {
      const withLambda = args.includes('--lambda') || msg.source.includes('lambda is required') ? args : [...args, '--lambda', '1'];
      const r = await run('fit', '--data', regression, ...withLambda);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.err, args.join(' ')).toMatch(msg);
    }
  });
});
