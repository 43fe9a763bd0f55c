import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { run } from '../test/run.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cvxnn-clifford-'));

function writeCsv(name: string, header: string, rows: number[][]): string {
  const file = path.join(dir, name);
  writeFileSync(file, [header, ...rows.map((r) => r.map((v) => v.toPrecision(17)).join(','))].join('\n') + '\n');
  return file;
}

/** Fixture X4 (SPEC §9): p* = 0.65 at β = 0.1 with free biases. */
const x4 = writeCsv('x4.csv', 'x,y', [[-2, 1], [-1, -1], [0, 0.5], [1, 2], [2, 0]]);
const rng = new Rng(3);
const pts = Array.from({ length: 7 }, () => [rng.normal(), rng.normal()]);
const twoD = writeCsv('two.csv', 'a,b,y', pts.map(([a, b]) => [a, b, Math.max(a - b, 0) + 0.1 * rng.normal()]));

/** ½Σ(f(x_i) − y_i)² + (λ/2)Σ_j(w_j² + a_j²) of the printed 1-D network, by hand. */
function net1dObjective(net: { W1: number[]; b1: number[]; w2: number[]; b2: number }, xs: number[], ys: number[], lambda: number) {
  const f = (x: number) => net.W1.reduce((s, w, j) => s + Math.max(w * x + net.b1[j], 0) * net.w2[j], net.b2);
  let data = 0;
  xs.forEach((x, i) => (data += 0.5 * (f(x) - ys[i]) ** 2));
  const decay = (lambda / 2) * net.W1.reduce((s, w, j) => s + w * w + net.w2[j] ** 2, 0);
  return { value: data + decay, f };
}

describe('cvxnn clifford fit', () => {
  it('1-D fixture X4: objective 0.65, the printed network {W1, b1, w2, b2} has that objective, --compare-exact agrees', async () => {
    const r = await run('clifford', 'fit', '--data', x4, '--lambda', '0.1', '--compare-exact', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.kind).toBe('clifford');
    expect(j.cvxnnRun).toBe(1);
    expect(j.status).toBe('optimal');
    expect(j.objective).toBeCloseRel(0.65, 1e-8);
    expect(j.certificate.kind).toBe('duality-gap');
    expect(j.certificate.value).toBeLessThan(1e-8);
    expect(j.exactness.exact).toBe(true);
    expect(j.dictionary.kind).toBe('ramps');
    const xs = [-2, -1, 0, 1, 2];
    const ys = [1, -1, 0.5, 2, 0];
    expect(net1dObjective(j.network, xs, ys, 0.1).value).toBeCloseRel(0.65, 1e-8);
    expect(j.network.W1).toHaveLength(j.activeAtoms);
    expect(j.compareExact.exactObjective).toBeCloseRel(0.65, 1e-7);
    expect(Math.abs(j.compareExact.relativeGap)).toBeLessThan(1e-6);
    expect(j.compareExact.patterns).toBe(9);
  });

  it('--out writes a clifford run with fit1d (grid predictions of the printed network) and history', async () => {
    const out = path.join(dir, 'run.json');
    const r = await run('clifford', 'fit', '--data', x4, '--lambda', '0.1', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/objective\s+0\.65/);
    expect(r.out).toMatch(/exactness\s+exact/);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.kind).toBe('clifford');
    expect(j.history.length).toBeGreaterThan(0);
    const { f } = net1dObjective(j.network, [], [], 0.1);
    expect(j.fit1d.grid).toHaveLength(j.fit1d.prediction.length);
    expect(j.fit1d.prediction).toAllClose(j.fit1d.grid.map(f), { rtol: 1e-10, atol: 1e-10 });
    expect(j.fit1d.x).toEqual([-2, -1, 0, 1, 2]);
    for (const bp of j.fit1d.breakpoints) expect([-2, -1, 0, 1, 2].some((x) => Math.abs(x - bp) < 1e-9)).toBe(true);
  });

  it('mean scale = sum scale with nλ, divided by n; --lambda-path reports the path', async () => {
    const a = JSON.parse((await run('clifford', 'fit', '--data', x4, '--lambda', '0.02', '--objective-scale', 'mean', '--lambda-path', '5', '--json')).out);
    const b = JSON.parse((await run('clifford', 'fit', '--data', x4, '--lambda', '0.1', '--json')).out);
    expect(a.objective).toBeCloseRel(b.objective / 5, 1e-8);
    expect(a.path).toHaveLength(5);
    expect(a.path[4].lambda).toBeCloseRel(0.02, 1e-12);
  });

  it('2-D triangles: atoms are unit normals orthogonal to their sample (w = ±⋆x_j/‖x_j‖); the lifted exact comparison is a lower bound', async () => {
    const r = await run('clifford', 'fit', '--data', twoD, '--lambda', '0.05', '--dictionary', 'triangles', '--compare-exact', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.exactness.exact).toBe(false);
    expect(j.exactness.conditions.length).toBeGreaterThanOrEqual(3);
    expect(j.networkObjective).toBeCloseRel(j.objective, 1e-5);
    for (const a of j.atoms) {
      const xj = pts[a.samples[0]];
      expect(Math.abs(a.w[0] * xj[0] + a.w[1] * xj[1])).toBeLessThan(1e-5);
      expect(Math.hypot(a.w[0], a.w[1])).toBeCloseRel(1, 1e-5);
    }
    expect(j.compareExact.lassoObjective).toBeGreaterThanOrEqual(j.compareExact.exactObjective * (1 - 1e-6));
    const text = await run('clifford', 'fit', '--data', twoD, '--lambda', '0.05');
    expect(text.out).toMatch(/condition 1/);
    expect(text.out).toMatch(/affine/);
  });

  it('--standardize zscore equals fitting the hand-standardized CSV; --sample with --sampling gates builds a sampled dictionary', async () => {
    const xs = [-2, -1, 0, 1, 2];
    const sd = Math.sqrt(xs.reduce((a, v) => a + v * v, 0) / 5);
    const z = writeCsv('x4z.csv', 'x,y', xs.map((v, i) => [v / sd, [1, -1, 0.5, 2, 0][i]]));
    const a = JSON.parse((await run('clifford', 'fit', '--data', x4, '--lambda', '0.1', '--standardize', 'zscore', '--json')).out);
    const b = JSON.parse((await run('clifford', 'fit', '--data', z, '--lambda', '0.1', '--json')).out);
    expect(a.objective).toBeCloseRel(b.objective, 1e-9);
    expect(a.scaling.std[0]).toBeCloseRel(sd, 1e-12);
    const g = JSON.parse((await run('clifford', 'fit', '--data', twoD, '--lambda', '0.05', '--sample', '8', '--sampling', 'gates', '--seed', '2', '--json')).out);
    expect(g.dictionary.exhaustive).toBe(false);
    expect(g.dictionary.candidates).toBe(8);
    expect(g.exactness.conditions.join(' ')).toMatch(/sampled/);
  });

  it('2-D affine --compare-exact solves the exact free-bias program: same objective, Lasso ≥ exact', async () => {
    const r = await run('clifford', 'fit', '--data', twoD, '--lambda', '0.05', '--compare-exact', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.dictionary.kind).toBe('affine');
    expect(j.compareExact.sameObjective).toBe(true);
    expect(j.compareExact.lassoObjective).toBe(j.objective);
    expect(j.compareExact.exactStatus).toBe('optimal');
    expect(j.compareExact.relativeGap).toBeGreaterThanOrEqual(-1e-7);
  });

  it('bad input: missing λ, ramps on 2-D data, unknown dictionary, non-numeric targets', async () => {
    const miss = await run('clifford', 'fit', '--data', x4);
    expect(miss.code).toBe(2);
    expect(miss.err).toMatch(/INVALID_OPTION.*--lambda/);
    const ramps = await run('clifford', 'fit', '--data', twoD, '--lambda', '0.1', '--dictionary', 'ramps');
    expect(ramps.code).not.toBe(0);
    expect(ramps.err).toMatch(/1-D/);
    const unk = await run('clifford', 'fit', '--data', x4, '--lambda', '0.1', '--dictionary', 'splines');
    expect(unk.err).toMatch(/--dictionary must be/);
    const cls = writeCsv('cls.csv', 'x,y', [[1, 0], [2, 1]]);
    writeFileSync(cls, 'x,y\n1,cat\n2,dog\n');
    const bad = await run('clifford', 'fit', '--data', cls, '--lambda', '0.1');
    expect(bad.err).toMatch(/NON_NUMERIC|numeric/);
    const wide = writeCsv('wide.csv', 'a,b,c,d,y', Array.from({ length: 40 }, () => Array.from(rng.normalArray(5))));
    const many = await run('clifford', 'fit', '--data', wide, '--lambda', '0.1');
    expect(many.code).toBe(2);
    expect(many.err).toMatch(/C?91390|9\.139e\+4.*--sample/);
    const neg = await run('clifford', 'fit', '--data', x4, '--lambda', '-1');
    expect(neg.code).toBe(2);
  });
});
