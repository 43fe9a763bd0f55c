import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { runCli } from './index.js';
import type { Io } from './io.js';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false };
  const code = await runCli(['node', 'cvxnn', ...args], io);
  return { code, out, err };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-patterns-'));
const file = (name: string, rows: number[][], header: string[]) => {
  const p = path.join(dir, name);
  writeFileSync(p, [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
  return p;
};
// SPEC X1: X = [[1,0],[0,1],[1,1]] has 6 chambers = 2(1 + 2)
const x1 = file('x1.csv', [[1, 0, 5], [0, 1, 6], [1, 1, 7]], ['a', 'b', 'y']);
// 1-D data with a bias column: 2n chambers (SPEC A3)
const xs = [0.3, -1.2, 2.5, 0.9, -0.4, 1.7, -2.2];
const oneD = file('oned.csv', xs.map((x, i) => [x, i]), ['x', 'y']);
// generic 3-D data, n = 8: 2·(C(7,0) + C(7,1) + C(7,2)) = 58 chambers
const rng = new Rng(3);
const g3rows = Array.from({ length: 8 }, () => [rng.normal(), rng.normal(), rng.normal(), rng.normal()]);
const g3 = file('g3.csv', g3rows, ['a', 'b', 'c', 'y']);
const g3X = g3rows.map((r) => r.slice(0, 3));

/** Gates CSV (d rows × P columns, no header) → columns. */
function readGates(p: string): number[][] {
  const rows = readFileSync(p, 'utf8').trim().split('\n').map((l) => l.split(',').map(Number));
  return rows[0].map((_, t) => rows.map((r) => r[t]));
}
const patternOf = (X: number[][], g: number[]) => X.map((x) => (x.reduce((s, v, i) => s + v * g[i], 0) > 0 ? '1' : '0')).join('');

describe('cvxnn patterns', () => {
  it('--exact --json on SPEC X1: 6 chambers, formula count 6, rank 2', async () => {
    const r = await run('patterns', '--standardize', 'none', '--data', x1, '--label-column', 'y', '--exact', '--keep-zero', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ method: 'exact', n: 3, d: 2, rank: 2, count: 6, chambers: 6, formulaCount: 6 });
    expect(typeof j.timeSeconds).toBe('number');
  });
  it('--bias on 1-D data gives 2n chambers (the all-zero one dropped by default)', async () => {
    const r = await run('patterns', '--standardize', 'none', '--data', oneD, '--label-column', 'y', '--exact', '--bias', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ n: 7, d: 1, gateDimension: 2, bias: true, rank: 2, chambers: 14, formulaCount: 14, count: 13 });
  });
  it("--exact beyond --max-patterns is refused naming the CLI's flags (was: the library's maxPatterns option)", async () => {
    const r = await run('patterns', '--standardize', 'none', '--data', g3, '--label-column', 'y', '--exact', '--max-patterns', '5');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error \[INVALID_OPTION\]: --exact: exact enumeration would produce up to \d+ patterns .* more than the limit 5; sample them instead with --sample N, or raise --max-patterns/);
  });
  it('--exact --out writes d × P witness gates that reproduce P distinct non-zero patterns; count = 2·Σ_{k<3} C(7,k) = 58', async () => {
    const out = path.join(dir, 'gates-exact.csv');
    const r = await run('patterns', '--standardize', 'none', '--data', g3, '--label-column', 'y', '--exact', '--json', '--out', out);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.formulaCount).toBe(2 * (1 + 7 + 21));
    expect(j.chambers).toBe(58);
    const gates = readGates(out);
    expect(gates.length).toBe(j.count);
    expect(gates[0].length).toBe(3);
    const pats = new Set(gates.map((g) => patternOf(g3X, g)));
    expect(pats.size).toBe(j.count);
    expect(pats.has('00000000')).toBe(false);
    // the all-zero pattern (if the rows lie in an open half-space) is the only one dropped
    expect([58, 57]).toContain(j.count);
  });
  it('--sample N --seed S: a subset of the exact patterns, with the draws reported; the same seed reproduces it', async () => {
    const out = path.join(dir, 'gates-sample.csv');
    const r = await run('patterns', '--standardize', 'none', '--data', g3, '--label-column', 'y', '--sample', '300', '--seed', '5', '--json', '--out', out);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ method: 'sampled', draws: 300, seed: 5, rank: 3 });
    const exactOut = path.join(dir, 'gates-all.csv');
    await run('patterns', '--standardize', 'none', '--data', g3, '--label-column', 'y', '--exact', '--out', exactOut);
    const exact = new Set(readGates(exactOut).map((g) => patternOf(g3X, g)));
    const sampled = readGates(out).map((g) => patternOf(g3X, g));
    expect(new Set(sampled).size).toBe(j.count);
    for (const p of sampled) expect(exact.has(p)).toBe(true);
    const again = JSON.parse((await run('patterns', '--standardize', 'none', '--data', g3, '--label-column', 'y', '--sample', '300', '--seed', '5', '--json')).out);
    expect(again.count).toBe(j.count);
  });
  it('--rank 1 samples the rank-1 approximation (at most 2 chambers); --label-column none keeps every column', async () => {
    const r1 = JSON.parse((await run('patterns', '--standardize', 'none', '--data', g3, '--label-column', 'y', '--sample', '500', '--seed', '1', '--rank', '1', '--keep-zero', '--json')).out);
    expect(r1.rank).toBe(1);
    expect(r1.count).toBe(2); // a rank-1 arrangement has exactly 2 chambers, both hit by 500 gates
    const all = JSON.parse((await run('patterns', '--standardize', 'none', '--data', g3, '--label-column', 'none', '--exact', '--json')).out);
    expect(all.d).toBe(4);
    expect(all.formulaCount).toBe(2 * (1 + 7 + 21 + 35));
  });
  it('--count-only prints just the number; the default output is readable', async () => {
    const r = await run('patterns', '--standardize', 'none', '--data', x1, '--label-column', 'y', '--exact', '--count-only');
    expect(r.code, r.err).toBe(0);
    expect(r.out.trim()).toBe('5'); // 6 chambers; g = (−1,−1) gives the all-zero pattern, dropped by default
    const h = await run('patterns', '--standardize', 'none', '--data', x1, '--label-column', 'y', '--exact');
    expect(h.out).toMatch(/patterns\s+5/);
    expect(h.out).toMatch(/chambers\s+6/);
  });
  it('--standardize zscore with --bias leaves the count unchanged (affine invariance of the affine arrangement)', async () => {
    const raw = JSON.parse((await run('patterns', '--standardize', 'none', '--data', g3, '--label-column', 'y', '--exact', '--bias', '--json')).out);
    const z = JSON.parse((await run('patterns', '--data', g3, '--label-column', 'y', '--exact', '--bias', '--standardize', 'zscore', '--json')).out);
    expect(z.standardize).toBe('zscore');
    expect(z.chambers).toBe(raw.chambers);
  });
  it('cvxnn fit --gates accepts the --out file; all exact patterns give the same optimum as fit --patterns all', async () => {
    const out = path.join(dir, 'gates-fit.csv');
    const p = await run('patterns', '--data', g3, '--label-column', 'y', '--exact', '--bias', '--standardize', 'zscore', '--out', out, '--json');
    expect(p.code, p.err).toBe(0);
    const viaGates = await run('fit', '--data', g3, '--label-column', 'y', '--bias', '--lambda', '0.1', '--gates', out, '--json');
    expect(viaGates.code, viaGates.err).toBe(0);
    const all = await run('fit', '--data', g3, '--label-column', 'y', '--bias', '--lambda', '0.1', '--patterns', 'all', '--json');
    expect(all.code, all.err).toBe(0);
    expect(JSON.parse(viaGates.out).objective).toBeCloseRel(JSON.parse(all.out).objective, 1e-5);
  });
  it('bad input gives typed errors and exit code 2', async () => {
    const both = await run('patterns', '--standardize', 'none', '--data', x1, '--label-column', 'y', '--exact', '--sample', '10');
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/INVALID_OPTION.*--exact/);
    const neither = await run('patterns', '--standardize', 'none', '--data', x1, '--label-column', 'y');
    expect(neither.code).toBe(2);
    const zero = await run('patterns', '--standardize', 'none', '--data', x1, '--label-column', 'y', '--sample', '0');
    expect(zero.code).toBe(2);
    expect(zero.err).toMatch(/INVALID_OPTION.*--sample/);
    const big = await run('patterns', '--standardize', 'none', '--data', g3, '--label-column', 'y', '--exact', '--max-patterns', '10');
    expect(big.code).toBe(2);
    expect(big.err).toMatch(/INVALID_OPTION.*58/);
    const std = await run('patterns', '--data', x1, '--label-column', 'y', '--exact', '--standardize', 'minmax');
    expect(std.code).toBe(2);
    const missing = await run('patterns', '--standardize', 'none', '--data', path.join(dir, 'nope.csv'), '--exact');
    expect(missing.code).toBe(2);
  });
});

describe('cvxnn patterns --solid-angles', () => {
  it('1-D data + bias: estimated chamber probabilities match the exact arcs/2π of the 2n lines (4σ), Σp = 1, and the coupon-collector count follows from min p', async () => {
    const N = 100000;
    const r = await run('patterns', '--standardize', 'none', '--data', oneD, '--exact', '--bias', '--keep-zero', '--solid-angles', String(N), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const probs = j.solidAngles.probabilities as number[];
    expect(probs.length).toBe(2 * xs.length);
    expect(j.solidAngles.missedMass).toBe(0);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseRel(1, 1e-12);
    // exact: the line x g₀ + g₁ = 0 has direction angle atan2(−x, 1) (mod π); chambers are the arcs between the 2n directions
    const angles = xs.flatMap((x) => {
      const a = Math.atan2(-x, 1);
      return [(a + 2 * Math.PI) % (2 * Math.PI), (a + 3 * Math.PI) % (2 * Math.PI)];
    }).sort((a, b) => a - b);
    const arcs = angles.map((a, i) => ((i + 1 < angles.length ? angles[i + 1] : angles[0] + 2 * Math.PI) - a) / (2 * Math.PI)).sort((a, b) => a - b);
    const est = [...probs].sort((a, b) => a - b);
    arcs.forEach((q, i) => expect(Math.abs(est[i] - q)).toBeLessThan(4 * Math.sqrt((q * (1 - q)) / N)));
    const pmin = Math.min(...probs);
    expect(j.solidAngles.minProbability).toBe(pmin);
    expect(j.solidAngles.thetaMin).toBeCloseRel(probs.length * pmin, 1e-12);
    expect(j.solidAngles.gatesToSeeAll).toBe(Math.ceil(Math.log(probs.length / 0.05) / pmin));
  });
  it('dropping the all-zero pattern moves its probability into missedMass (text mode prints the summary)', async () => {
    const withZero = JSON.parse((await run('patterns', '--standardize', 'none', '--data', oneD, '--exact', '--bias', '--keep-zero', '--solid-angles', '20000', '--json')).out);
    const without = JSON.parse((await run('patterns', '--standardize', 'none', '--data', oneD, '--exact', '--bias', '--solid-angles', '20000', '--json')).out);
    expect(without.count).toBe(withZero.count - 1);
    const kept = (without.solidAngles.probabilities as number[]).reduce((a, b) => a + b, 0);
    expect(kept + without.solidAngles.missedMass).toBeCloseRel(1, 1e-12);
    expect(without.solidAngles.missedMass).toBeGreaterThan(0);
    const t = await run('patterns', '--standardize', 'none', '--data', oneD, '--exact', '--bias', '--solid-angles', '20000');
    expect(t.out).toMatch(/gates to see all\s+≈ \d+/);
    expect((await run('patterns', '--standardize', 'none', '--data', oneD, '--exact', '--solid-angles', '0')).err).toMatch(/INVALID_OPTION.*solid-angles/);
  });
});

describe('cvxnn patterns --vertices', () => {
  it('X1 with all chambers: the vertex file holds Xᵀd_C for every pattern, distinct, and their count is the chamber count (the hexagon of three vectors)', async () => {
    const vfile = path.join(dir, 'v.csv');
    const gfile = path.join(dir, 'g.csv');
    const r = await run('patterns', '--standardize', 'none', '--data', x1, '--exact', '--keep-zero', '--vertices', vfile, '--out', gfile, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).vertices).toBe(vfile);
    const V = readFileSync(vfile, 'utf8').trim().split('\n').map((l) => l.split(',').map(Number));
    const G = readFileSync(gfile, 'utf8').trim().split('\n').map((l) => l.split(',').map(Number));
    expect(V.length).toBe(6);
    const X = [[1, 0], [0, 1], [1, 1]];
    V.forEach((v, t) => {
      // recompute the pattern of gate t and Xᵀd by plain loops
      const g = [G[0][t], G[1][t]];
      const dvec = X.map((x) => (x[0] * g[0] + x[1] * g[1] > 0 ? 1 : 0));
      const want = [0, 1].map((c) => X.reduce((s, x, j) => s + dvec[j] * x[c], 0));
      expect(v).toAllClose(want, { atol: 1e-12 });
    });
    expect(new Set(V.map((v) => v.join(','))).size).toBe(6);
    // Z(X) for x = (1,0), (0,1), (1,1) is the hexagon with corners 0, e₁, e₂, (2,1), (1,2), (2,2)
    expect(V.map((v) => v.join(',')).sort()).toEqual(['0,0', '0,1', '1,0', '1,2', '2,1', '2,2']);
  });
});
