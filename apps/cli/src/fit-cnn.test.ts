import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '@cvxnn/linalg';
import { validateRun } from '@cvxnn/run-format';
import { describe, expect, it } from 'vitest';
import { run } from '../test/run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-fit-cnn-'));

/** 4×4 one-channel images: class 'v' has a bright vertical bar, 'h' a horizontal one, 'd' a diagonal (noise added). */
function writeImages(name: string, n: number, classes: string[], seed: number): string {
  const rng = new Rng(seed);
  const lines = [[...Array.from({ length: 16 }, (_, k) => `p${k}`), 'label'].join(',')];
  for (let i = 0; i < n; i++) {
    const cls = classes[i % classes.length];
    const at = rng.int(4);
    const img = Array.from({ length: 16 }, (_, t) => {
      const y = Math.floor(t / 4);
      const x = t % 4;
      const on = cls === 'v' ? x === at : cls === 'h' ? y === at : x === y;
      return (on ? 1 : 0) + 0.2 * rng.normal();
    });
    lines.push([...img.map((v) => v.toFixed(6)), cls].join(','));
  }
  const p = path.join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

const binary = writeImages('bars2.csv', 24, ['v', 'h'], 1);
const multi = writeImages('bars3.csv', 30, ['v', 'h', 'd'], 2);

/**
 * Recompute the CNN's logistic objective from the printed network and the CSV (sum pooling of 2×2
 * patches, stride 1; gated units by their printed gates; with printed regions, unit h pools only
 * the positions of block ⌊y0·2/3⌋·2 + ⌊x0·2/3⌋ = unit[h] of the 3×3 grid).
 */
function recomputeBinary(j: any, file: string, lambda: number): number {
  const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  const net = j.network.network;
  const unit: number[] | undefined = j.network.regions?.unit;
  const m = net.W1[0].length;
  let data = 0;
  for (const line of rows) {
    const cells = line.split(',');
    const img = cells.slice(0, 16).map(Number);
    const y = cells[16] === j.data.classes[1] ? 1 : -1;
    let f = 0;
    for (let h = 0; h < m; h++) {
      let pooled = 0;
      for (let y0 = 0; y0 < 3; y0++) {
        for (let x0 = 0; x0 < 3; x0++) {
          if (unit && Math.floor((y0 * 2) / 3) * 2 + Math.floor((x0 * 2) / 3) !== unit[h]) continue;
          const patch = [img[y0 * 4 + x0], img[y0 * 4 + x0 + 1], img[(y0 + 1) * 4 + x0], img[(y0 + 1) * 4 + x0 + 1]];
          let z = 0;
          let gz = 0;
          for (let k = 0; k < 4; k++) {
            z += patch[k] * net.W1[k][h];
            if (net.gates) gz += patch[k] * net.gates[k][h];
          }
          pooled += net.gates ? (gz > 0 ? z : 0) : Math.max(0, z);
        }
      }
      f += pooled * net.W2[h][0];
    }
    data += Math.log1p(Math.exp(-y * f));
  }
  let w = 0;
  for (const r of [...net.W1, ...net.W2]) for (const v of r) w += v * v;
  return data + (lambda / 2) * w;
}

describe('cvxnn fit --arch cnn', () => {
  it('binary exact C-ReLU CNN: certified, run JSON kind cnn, objective recomputed from the printed filters', async () => {
    const r = await run('fit', '--data', binary, '--arch', 'cnn', '--image-shape', '4x4x1', '--kernel', '2', '--model', 'relu', '--solver', 'fista', '--lambda', '0.5', '--patterns', '8', '--standardize', 'none', '--tol', '1e-5', '--max-iters', '30000', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.kind).toBe('cnn');
    expect(j.formulation).toBe('relu');
    expect(j.status).toBe('optimal');
    expect(j.certificate.kind).toBe('duality-gap');
    expect(j.certificate.value).toBeLessThanOrEqual(1e-5);
    expect(j.architecture.patchesPerImage).toBe(9);
    expect(j.network.kind).toBe('cnn');
    expect(j.objective).toBeCloseRel(j.dataTerm + j.penalty, 1e-12);
    expect(j.networkObjective).toBeCloseRel(j.objective, 1e-6);
    expect(recomputeBinary(j, binary, 0.5)).toBeCloseRel(j.objective, 1e-6);
    expect(j.trainAccuracy).toBeGreaterThan(0.5);
  });

  it('multiclass gated CNN (default model) reports train and test accuracy; text output has the rows', async () => {
    const r = await run('fit', '--data', multi, '--task', 'multiclass', '--arch', 'cnn', '--image-shape', '4x4x1', '--kernel', '2', '--lambda', '0.1', '--patterns', '8', '--test-fraction', '0.2', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.formulation).toBe('gated-relu-nuclear');
    expect(j.options.loss).toBe('cross-entropy');
    expect(j.data.nTest).toBe(6);
    expect(typeof j.trainAccuracy).toBe('number');
    expect(typeof j.testAccuracy).toBe('number');
    expect(j.networkObjective).toBeCloseRel(j.objective, 1e-6);
    const t = await run('fit', '--data', multi, '--task', 'multiclass', '--arch', 'cnn', '--image-shape', '4x4x1', '--kernel', '2', '--lambda', '0.1', '--patterns', '8', '--max-iters', '50');
    expect(t.code).toBe(3); // 50 iterations do not certify; the result is printed
    expect(t.err).toMatch(/^not certified: status max-iterations/);
    expect(t.out).toMatch(/architecture\s+CNN: 2×2 filters, stride 1, padding 0, 9 patches per image/);
    expect(t.out).toMatch(/certificate\s+duality-gap/);
  });

  it('predict reads a CNN run: re-applied standardization gives the fit\'s training accuracy; also a BN run (was refused)', async () => {
    const out = path.join(dir, 'cnn-run.json');
    const f = await run('fit', '--data', multi, '--task', 'multiclass', '--arch', 'cnn', '--image-shape', '4x4x1', '--kernel', '2', '--lambda', '0.1', '--patterns', '8', '--max-iters', '200', '--out', out, '--json');
    expect([0, 3]).toContain(f.code); // predict reads the run whether or not 200 iterations certify it
    const p = await run('predict', '--model', out, '--data', multi, '--json');
    expect(p.code).toBe(0);
    const jp = JSON.parse(p.out);
    expect(jp.n).toBe(30);
    expect(jp.accuracy).toBeCloseRel(JSON.parse(f.out).trainAccuracy, 1e-12);
    const bnOut = path.join(dir, 'bn-run.json');
    const bn = await run('fit', '--data', binary, '--arch', 'bn', '--lambda', '0.5', '--patterns', '6', '--max-iters', '200', '--out', bnOut, '--json');
    expect([0, 3]).toContain(bn.code);
    const b = await run('predict', '--model', bnOut, '--data', binary, '--json');
    expect(b.code, b.err).toBe(0);
    expect(JSON.parse(b.out).accuracy).toBeCloseRel(JSON.parse(bn.out).trainAccuracy, 1e-12);
  });

  it('--model separable | linear | circular: certified variants whose recovered networks attain the objective', async () => {
    const sep = await run('fit', '--data', binary, '--arch', 'cnn', '--image-shape', '4x4x1', '--kernel', '2', '--stride', '2', '--model', 'separable', '--patterns', '6', '--lambda', '0.5', '--loss', 'squared', '--standardize', 'none', '--json');
    expect(sep.code).toBe(0);
    const js = JSON.parse(sep.out);
    expect(js.formulation).toBe('separable-relu-cnn');
    expect(js.network.kind).toBe('separable-cnn');
    expect(js.networkObjective).toBeCloseRel(js.objective, 1e-6);
    const lin = await run('fit', '--data', multi, '--task', 'multiclass', '--arch', 'cnn', '--image-shape', '4x4x1', '--kernel', '3', '--model', 'linear', '--loss', 'squared', '--lambda', '1', '--test-fraction', '0.2', '--json');
    expect(lin.code).toBe(0);
    const jl = JSON.parse(lin.out);
    expect(jl.status).toBe('optimal');
    expect(jl.formulation).toBe('linear-cnn-nuclear');
    expect(jl.network.head[0].length).toBe(4 * 3);
    expect(jl.networkObjective).toBeCloseRel(jl.objective, 1e-6);
    expect(typeof jl.testAccuracy).toBe('number');
    // 1-D signals for the circular CNN: a 1×16 "image" per row
    const circ = await run('fit', '--data', binary, '--arch', 'cnn', '--image-shape', '1x16x1', '--kernel', '1', '--model', 'circular', '--loss', 'squared', '--lambda', '2', '--json');
    expect(circ.code).toBe(0);
    const jc = JSON.parse(circ.out);
    expect(jc.status).toBe('optimal');
    expect(jc.network.kind).toBe('linear-circular-cnn');
    expect(jc.networkObjective).toBeCloseRel(jc.objective, 1e-6);
    const bad = await run('fit', '--data', multi, '--task', 'multiclass', '--arch', 'cnn', '--image-shape', '4x4x1', '--kernel', '2', '--model', 'separable', '--loss', 'squared', '--lambda', '1');
    expect(bad.code).toBe(2);
  });

  it('--pool-regions 2x2: certified gated CNN whose printed filters, gates and unit regions reproduce the objective by a separate loop', async () => {
    const lambda = 0.5;
    const r = await run('fit', '--data', binary, '--arch', 'cnn', '--image-shape', '4x4x1', '--kernel', '2', '--pool-regions', '2x2', '--lambda', String(lambda), '--patterns', '6', '--standardize', 'none', '--tol', '1e-7', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.status).toBe('optimal');
    expect(j.certificate.value).toBeLessThanOrEqual(1e-7);
    expect(j.architecture.poolRegions).toEqual([2, 2]);
    const net = j.network.network;
    const unit: number[] = j.network.regions.unit;
    expect(unit.length).toBe(net.W1[0].length);
    expect(recomputeBinary(j, binary, lambda)).toBeCloseRel(j.objective, 1e-8);
    const text = await run('fit', '--data', binary, '--arch', 'cnn', '--image-shape', '4x4x1', '--kernel', '2', '--pool-regions', '2x2', '--lambda', String(lambda), '--patterns', '6');
    expect(text.out).toMatch(/sum pooling over 2×2 regions of the 3×3 positions/);
    expect(text.out).toMatch(/× 2×2 pooling regions = 24 groups/);
  });

  it('--lambda auto: the λ table in the text and the run file, the chosen λ refit and certified', async () => {
    const r = await run('fit', '--data', multi, '--task', 'multiclass', '--arch', 'cnn', '--image-shape', '4x4x1', '--kernel', '2', '--pool-regions', '2x2', '--lambda', 'auto', '--lambda-points', '5', '--lambda-ratio', '1e-2', '--patterns', '6', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.status).toBe('optimal');
    expect(j.certificate.value).toBeLessThanOrEqual(1e-6);
    expect(j.options.lambdaAuto).toBe(true);
    const s = j.lambdaSelection;
    expect(s.table).toHaveLength(5);
    expect(s.lambda).toBe(j.options.lambda);
    expect(s.table[s.chosen].lambda).toBe(s.lambda);
    // the table's scores are validation accuracies of 6 of the 30 images (a 20 % split)
    for (const row of s.table) if (row.score !== null) expect(Math.round(row.score * 6) / 6).toBeCloseTo(row.score, 12);
    expect(validateRun(j).kind).toBe('cnn');
    const text = await run('fit', '--data', multi, '--task', 'multiclass', '--arch', 'cnn', '--image-shape', '4x4x1', '--kernel', '2', '--lambda', 'auto', '--lambda-points', '4', '--patterns', '6');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/chosen by validation/);
    expect(text.out).toMatch(/λ table/);
    expect(text.out).toMatch(/6 convolutional gates \(Gaussian filters on every patch, seed 0\)/);
  });

  it('--pool-regions refusals are one typed line (exit 2)', async () => {
    const base = ['fit', '--data', binary, '--lambda', '0.1'];
    const cnn = [...base, '--arch', 'cnn', '--image-shape', '4x4x1', '--kernel', '2'];
    for (const [args, msg] of [
      [[...cnn, '--pool-regions', '2x2', '--model', 'relu'], /--pool-regions is available for --model gated-relu \(got relu\)/],
      [[...base, '--pool-regions', '2x2'], /--pool-regions is an option of --arch cnn \(got --arch fc\)/],
      [[...cnn, '--pool-regions', '2xtwo'], /--pool-regions must be RxC with positive integers/],
      [[...cnn, '--pool-regions', '4x4'], /use at most 3×3 regions/],
    ] as const) {
      const r = await run(...args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });

  it('bad geometry is a typed error (exit 2)', async () => {
    const base = ['fit', '--data', binary, '--arch', 'cnn', '--lambda', '0.1'];
    const shape = await run(...base, '--image-shape', '5x4x1', '--kernel', '2');
    expect(shape.code).toBe(2);
    expect(shape.err).toMatch(/SHAPE_MISMATCH/);
    const big = await run(...base, '--image-shape', '4x4x1', '--kernel', '5');
    expect(big.code).toBe(2);
    expect(big.err).toMatch(/larger than the 4×4 image/);
    const stride = await run(...base, '--image-shape', '4x4x1', '--kernel', '2', '--stride', '0');
    expect(stride.code).toBe(2);
    const none = await run(...base, '--kernel', '2');
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/--image-shape/);
  });
});
