import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Matrix, Rng } from '@cvxnn/linalg';
import { networkFromJson, objective } from '@cvxnn/networks';
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

const dir = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-compare-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
// SPEC X5: X = I₃, y = (3, −1, 2), λ = 1 ⇒ p* = H₁(√13) + H₁(1) = √13 (all 7 non-empty chambers are sampled)
const x5 = file('x5.csv', 'a,b,c,y\n1,0,0,3\n0,1,0,-1\n0,0,1,2\n');
// SPEC X3: X = [[2,2],[3,3],[1,0]], y = (1,2,3), λ = 0.1 ⇒ p* = 0.4116793 (SLSQP, best of 20 starts)
const x3 = file('x3.csv', '2,2,1\n3,3,2\n1,0,3\n');
const slack = (p: number) => 1e-6 * (1 + Math.abs(p));

describe('cvxnn compare', () => {
  it('SPEC X5 (relu, --patterns all): convex reaches √13, a certified lower bound, and neither SGD nor Adam goes below it; curves for all three methods', async () => {
    const r = await run('compare', '--data', x5, '--lambda', '1', '--standardize', 'none', '--patterns', 'all', '--epochs', '1500', '--backend', 'ts', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.cvxnnRun).toBe(1);
    expect(j.kind).toBe('compare');
    expect(j.data).toMatchObject({ n: 3, d: 3, task: 'regression' });
    expect(j.environment.backend).toBe('ts');
    const pStar = Math.sqrt(13);
    expect(j.convex.networkObjective).toBeCloseRel(pStar, 1e-6);
    expect(j.convex.objective).toBeCloseRel(pStar, 1e-5);
    expect(j.options.patternCount).toBe(7); // the 2³ − 1 non-empty orthants
    expect(j.lowerBound.certified).toBe(true);
    for (const m of j.methods) {
      expect(m.objective, m.method).toBeGreaterThanOrEqual(pStar - slack(pStar));
      expect(m.gap).toBeCloseRel(m.objective - j.convex.objective, 1e-12, 1e-15);
    }
    expect(j.curves.map((c: { method: string }) => c.method)).toEqual(['convex', 'sgd', 'adam']);
    for (const c of j.curves) {
      expect(c.points.length).toBeGreaterThan(1);
      for (const p of c.points) expect(Object.keys(p).sort()).toEqual(['iteration', 'objective', 'timeSeconds']);
    }
    // the last trainer curve point is the reported final objective
    expect(j.curves[2].points.at(-1).objective).toBeCloseRel(j.methods[1].objective, 1e-15);
  });

  it('SPEC X3 (relu, λ = 0.1): convex optimum 0.4116793; Adam with width 4 gets close but not below', async () => {
    const r = await run('compare', '--data', x3, '--lambda', '0.1', '--standardize', 'none', '--patterns', 'all', '--width', '4', '--epochs', '3000', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.convex.objective).toBeCloseRel(0.4116793, 1e-6);
    const adam = j.methods.find((m: { method: string }) => m.method === 'adam');
    expect(adam.width).toBe(4);
    expect(adam.objective).toBeGreaterThanOrEqual(0.4116793 - slack(0.4116793));
    expect(adam.objective).toBeLessThan(0.4116793 * 1.01);
    // time to within 1% of the convex optimum: the first curve point that is that close
    const t = adam.timeToRelGap['1e-2'];
    const first = j.curves[2].points.find((q: { objective: number }) => q.objective <= j.convex.objective * 1.01);
    expect(t).toBe(first.timeSeconds);
    expect(t).toBeLessThanOrEqual(adam.timeSeconds);
  });

  it('gated relu: the certified lower bound holds for SGD and Adam (gates from the sampled set); --out networks re-evaluate to the reported objectives', async () => {
    const out = path.join(dir, 'run.json');
    const r = await run('compare', '--data', 'synthetic-binary', '--model', 'gated-relu', '--bias', '--lambda', '0.5', '--patterns', '30', '--epochs', '300', '--test-fraction', '0.25', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/convex .*duality-gap/);
    expect(r.out).toMatch(/^sgd /m);
    expect(r.out).toMatch(/certified lower bound/);
    expect(r.out).toMatch(/^backend: \S+ \((fp64|fp32)\)/m);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.data.task).toBe('binary');
    expect(j.options.loss).toBe('logistic');
    expect(j.lowerBound.certified).toBe(true);
    expect(j.lowerBound.value).toBeLessThanOrEqual(j.convex.objective);
    for (const m of j.methods) {
      expect(m.objective).toBeGreaterThanOrEqual(j.lowerBound.value - slack(j.lowerBound.value));
      expect(m.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(m.testAccuracy).toBeLessThanOrEqual(1);
    }
    expect(j.convex.trainAccuracy).toBeGreaterThan(0.8);
    // the networks in the file are gated with the same input width, and the recovered convex
    // network's objective equals the convex objective (SPEC B6) up to the certificate
    const sgd = networkFromJson(j.networks.sgd);
    const convex = networkFromJson(j.convex.network);
    expect(sgd.kind).toBe('gated-relu');
    expect(sgd.W1.rows).toBe(convex.W1.rows);
    expect(j.convex.networkObjective).toBeCloseRel(j.convex.objective, 1e-9);
  });

  it('gated relu with 3 classes (nuclear-norm program, cross-entropy): certified lower bound for SGD and Adam, recovered network attains the convex objective', async () => {
    const rng = new Rng(5);
    const lines = ['a,b,c,label'];
    for (let i = 0; i < 45; i++) {
      const x = Array.from(rng.normalArray(3));
      lines.push([...x.map((v) => v.toFixed(6)), x[0] > 0.4 ? 'north' : x[1] > 0 ? 'east' : 'west'].join(','));
    }
    const r = await run('compare', '--data', file('three.csv', lines.join('\n') + '\n'), '--model', 'gated-relu', '--bias', '--lambda', '0.3', '--patterns', '20', '--epochs', '200', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.data.task).toBe('multiclass');
    expect(j.data.classes).toEqual(['east', 'north', 'west']);
    expect(j.options.loss).toBe('cross-entropy');
    expect(j.convex.formulation).toBe('gated-relu-nuclear');
    expect(j.lowerBound.certified).toBe(true);
    expect(j.convex.networkObjective).toBeCloseRel(j.convex.objective, 1e-9);
    for (const m of j.methods) expect(m.objective).toBeGreaterThanOrEqual(j.lowerBound.value - slack(j.lowerBound.value));
  });

  it('objective of a written network, re-evaluated on the data independently, equals the reported value', async () => {
    const out = path.join(dir, 'x3run.json');
    const r = await run('compare', '--data', x3, '--lambda', '0.1', '--standardize', 'none', '--patterns', '2', '--width', '3', '--epochs', '200', '--out', out, '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    const X = Matrix.from([
      [2, 2],
      [3, 3],
      [1, 0],
    ]);
    const Y = Matrix.from([[1], [2], [3]]);
    for (const method of ['sgd', 'adam'] as const) {
      const net = networkFromJson(j.networks[method]);
      const reported = j.methods.find((m: { method: string }) => m.method === method).objective;
      expect(objective(net, X, Y, { lambda: 0.1 })).toBeCloseRel(reported, 1e-12);
    }
  });

  it('bad input fails fast with typed errors and exit code 2', async () => {
    const bad = async (args: string[], re: RegExp) => {
      const r = await run('compare', ...args);
      expect(r.code, r.out).toBe(2);
      expect(r.err).toMatch(re);
    };
    await bad(['--data', path.join(dir, 'nope.csv'), '--lambda', '1'], /IO_ERROR.*no file/);
    await bad(['--data', x5, '--lambda', '0'], /INVALID_OPTION.*--lambda/);
    await bad(['--data', x5, '--lambda', '1', '--model', 'tanh'], /INVALID_OPTION.*--model/);
    await bad(['--data', x5, '--lambda', '1', '--task', 'binary'], /INVALID_OPTION.*exactly 2 classes/);
    await bad(['--data', x5, '--lambda', '1', '--loss', 'logistic'], /INVALID_OPTION/);
    await bad(['--data', x5, '--lambda', '1', '--label-column', 'zzz'], /INVALID_OPTION.*unknown label column 'zzz'/);
    await bad(['--data', x5, '--lambda', '1', '--test-fraction', '1'], /INVALID_OPTION.*test-fraction/);
    await bad(['--data', x5, '--lambda', '1', '--patterns', '100'], /INVALID_OPTION.*at most 8/);
    await bad(['--data', x5, '--lambda', '1', '--backend', 'nope'], /INVALID_OPTION.*unknown backend 'nope'/);
    await bad(['--data', x5, '--lambda', '1', '--schedule', 'step'], /INVALID_OPTION.*--schedule/);
    await bad(['--data', x5, '--lambda', '1', '--gates', file('g.csv', '1,2\n3,4\n')], /SHAPE_MISMATCH.*gates/);
    await bad(['--data', file('txt.csv', 'a,b,y\n1,foo,2\n3,4,5\n'), '--lambda', '1'], /NON_NUMERIC.*non-numeric value 'foo' at row 1 \(line 2\), column 2 'b'/);
    await bad(['--data', file('miss.csv', 'a,b,y\n1,,2\n3,4,5\n'), '--lambda', '1'], /MISSING_VALUE/);
    await bad(['--data', file('ragged.csv', 'a,b,y\n1,2,2\n3,4\n'), '--lambda', '1'], /PARSE_ERROR.*row 2 \(line 3\) has 2 fields, but the header has 3/);
  });
});
