import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { run } from '../test/run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-fit-'));

/** A small CSV written here: features x0..x(d-1), label last. */
function writeCsv(name: string, n: number, d: number, label: (x: number[], rng: Rng) => string, seed = 1, header = true): string {
  const rng = new Rng(seed);
  const lines: string[] = [];
  if (header) lines.push([...Array.from({ length: d }, (_, k) => `f${k}`), 'target'].join(','));
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: d }, () => 2 * rng.normal() + 1);
    lines.push([...x.map((v) => v.toFixed(6)), label(x, rng)].join(','));
  }
  const p = path.join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

const regression = writeCsv('reg.csv', 60, 3, (x, r) => (Math.max(0, x[0] - x[1]) + 0.5 * x[2] + 0.1 * r.normal()).toFixed(6));
const binary = writeCsv('bin.csv', 80, 3, (x) => (x[0] * x[1] > 1 ? 'yes' : 'no'));
const multi = writeCsv('multi.csv', 60, 2, (x) => (x[0] > 1.5 ? 'a' : x[1] > 1 ? 'b' : 'c'));

/** Independent recomputation of the weight-decay objective of a run's printed network on its training CSV. */
function recompute(j: any, file: string): number {
  const text = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  const pre = j.preprocessing;
  const net = j.network;
  let data = 0;
  for (const line of text) {
    const cells = line.split(',');
    const raw = cells.slice(0, -1).map(Number);
    const x = raw.map((v: number, k: number) => (pre.standardize === 'zscore' ? (v - pre.mean[k]) / pre.std[k] : v));
    if (net.appendOne) x.push(1);
    const m = net.W1[0].length;
    let f = 0;
    for (let h = 0; h < m; h++) {
      let z = 0;
      let g = 0;
      for (let k = 0; k < x.length; k++) {
        z += x[k] * net.W1[k][h];
        if (net.gates) g += x[k] * net.gates[k][h];
      }
      const act = net.kind === 'relu' ? Math.max(0, z) : g > 0 ? z : 0;
      f += act * net.W2[h][0];
    }
    const y = Number(cells[cells.length - 1]);
    data += 0.5 * (f - y) ** 2;
  }
  let w = 0;
  for (const row of [...net.W1, ...net.W2]) for (const v of row) w += v * v;
  return data + (j.options.lambda / 2) * w;
}

describe('cvxnn fit', () => {
  it('--json has the documented keys, a certificate ≤ tol, objective = dataTerm + penalty = the printed network’s objective', async () => {
    for (const model of ['relu', 'gated-relu']) {
      const r = await run('fit', '--data', regression, '--lambda', '2', '--bias', '--patterns', '20', '--model', model, '--json');
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(r.out);
      for (const k of ['cvxnnRun', 'kind', 'createdAt', 'options', 'environment', 'data', 'objective', 'dataTerm', 'penalty', 'certificate', 'status', 'iterations', 'timeSeconds', 'patterns', 'activeNeurons', 'constraintViolation', 'backend', 'precision', 'network']) {
        expect(j, k).toHaveProperty(k);
      }
      expect(j.kind).toBe('fit');
      expect(j.status).toBe('optimal');
      expect(j.certificate.kind).toBe('duality-gap');
      expect(j.certificate.value).toBeLessThanOrEqual(1e-6);
      expect(j.objective).toBeCloseRel(j.dataTerm + j.penalty, 1e-12);
      expect(recompute(j, regression)).toBeCloseRel(j.objective, 1e-6);
      expect(j.network.W1.length).toBe(4); // 3 features + bias row
      expect(j.patterns).toBe(20);
    }
  });

  it('binary with a held-out fraction reports train/test accuracy; predict reproduces the training accuracy', async () => {
    const out = path.join(dir, 'bin.json');
    const r = await run('fit', '--data', binary, '--lambda', '0.5', '--bias', '--model', 'gated-relu', '--patterns', '30', '--test-fraction', '0.25', '--out', out, '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.options.loss).toBe('logistic');
    expect(j.data.n).toBe(60);
    expect(j.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(j.trainAccuracy).toBeGreaterThan(0.8);
    const file = JSON.parse(readFileSync(out, 'utf8'));
    expect(file.history.length).toBeGreaterThan(1);
    expect(file.groupNorms).toHaveLength(30);
    // predict on the whole file: accuracy = (train hits + test hits)/n, recomputed from the two fractions
    const p = await run('predict', '--model', out, '--data', binary, '--json');
    expect(p.code, p.err).toBe(0);
    const pj = JSON.parse(p.out);
    expect(pj.predictions).toHaveLength(80);
    expect(pj.accuracy).toBeCloseRel((j.trainAccuracy * 60 + j.testAccuracy * 20) / 80, 1e-12);
    for (const v of pj.predictions) expect(['yes', 'no']).toContain(v);
  });

  it('multiclass gated ReLU runs the nuclear-norm formulation with cross-entropy; --gates with --bias needs d+1 rows', async () => {
    const r = await run('fit', '--data', multi, '--lambda', '0.5', '--model', 'gated-relu', '--patterns', '12', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.formulation).toBe('gated-relu-nuclear');
    expect(j.options.loss).toBe('cross-entropy');
    expect(j.certificate.value).toBeLessThanOrEqual(1e-6);
    const gates = path.join(dir, 'gates.csv');
    writeFileSync(gates, 'g1,g2,g3\n1,0,-1\n0.5,1,0.2\n0.1,-0.3,1\n');
    const g = await run('fit', '--data', regression, '--lambda', '1', '--bias', '--gates', path.join(dir, 'gates4.csv'), '--json');
    expect(g.code).toBe(2); // missing file
    writeFileSync(path.join(dir, 'gates4.csv'), '1,0,-1\n0.5,1,0.2\n0.1,-0.3,1\n0,0,1\n');
    const ok = await run('fit', '--data', regression, '--lambda', '1', '--bias', '--gates', path.join(dir, 'gates4.csv'), '--json');
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(ok.out).patterns).toBe(3);
  });

  it('predict re-applies standardization and bias: regression MSE and multiclass accuracy equal the training ones', async () => {
    const outR = path.join(dir, 'reg.json');
    const r = JSON.parse((await run('fit', '--data', regression, '--lambda', '1', '--bias', '--patterns', '15', '--out', outR, '--json')).out);
    const pr = JSON.parse((await run('predict', '--model', outR, '--data', regression, '--json')).out);
    expect(pr.predictions).toHaveLength(60);
    expect(pr.MSE).toBeCloseRel(r.trainMSE, 1e-10);
    const outM = path.join(dir, 'multi.json');
    const m = JSON.parse((await run('fit', '--data', multi, '--lambda', '0.5', '--model', 'gated-relu', '--patterns', '12', '--out', outM, '--json')).out);
    const pm = JSON.parse((await run('predict', '--model', outM, '--data', multi, '--json')).out);
    expect(pm.accuracy).toBeCloseRel(m.trainAccuracy, 1e-12);
    for (const v of pm.predictions) expect(['a', 'b', 'c']).toContain(v);
  });

  it('--lambda-path reports the path and ends at the same optimum', async () => {
    const a = JSON.parse((await run('fit', '--data', regression, '--lambda', '1', '--patterns', '10', '--model', 'gated-relu', '--json')).out);
    const b = JSON.parse((await run('fit', '--data', regression, '--lambda', '1', '--patterns', '10', '--model', 'gated-relu', '--lambda-path', '5', '--json')).out);
    expect(b.path).toHaveLength(5);
    expect(b.objective).toBeCloseRel(a.objective, 2e-6);
  });

  it('--solver newton, fista and bcd reach the same gated optimum, each within its own certificate', async () => {
    const fits = [];
    for (const solver of ['newton', 'fista', 'bcd']) {
      const r = await run('fit', '--data', regression, '--lambda', '0.3', '--patterns', '10', '--model', 'gated-relu', '--solver', solver, '--tol', '1e-8', '--json');
      expect(r.code, solver).toBe(0);
      fits.push(JSON.parse(r.out));
    }
    // two certified objectives differ by at most the larger absolute gap
    for (const a of fits) for (const b of fits) expect(Math.abs(a.objective - b.objective)).toBeLessThanOrEqual(Math.max(a.certificate.absolute ?? a.certificate.value * a.objective, b.certificate.absolute ?? b.certificate.value * b.objective) * 1.0001 + 1e-12);
  });

  it('human output prints status, objective split, certificate, violation, backend and metrics', async () => {
    const r = await run('fit', '--data', regression, '--lambda', '2', '--patterns', '10', '--test-fraction', '0.2');
    expect(r.code, r.err).toBe(0);
    for (const w of ['status', 'objective', 'data term', 'penalty', 'certificate', 'constraint violation', 'iterations', 'backend', 'active neurons', 'trainMSE', 'testMSE']) expect(r.out).toContain(w);
    // C-ReLU: v_i and w_i are separate hidden units, so the bound is 2P, not P (it printed "200 of 100 patterns")
    const m = r.out.match(/active neurons\s+(\d+) of 20 \(v_i and w_i of 10 patterns\)/);
    expect(m, r.out).not.toBeNull();
    const j = JSON.parse((await run('fit', '--data', regression, '--lambda', '2', '--patterns', '10', '--test-fraction', '0.2', '--json')).out);
    // the recovered network's hidden units (rows of W2) are the active v_i and w_i
    expect(Number(m![1])).toBe(j.network.W2.length);
  });

  it('wine, gated, λ = 0.001 (cross-entropy, near-interpolation: most softmax entries at ~0) certifies at the defaults; the recovered network attains the objective', async () => {
    // before the simplex-aware dual refinement this stopped at 20 000 iterations with gap 1.2e-5 (exit 3)
    const r = await run('fit', '--data', 'wine', '--lambda', '0.001', '--model', 'gated-relu', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.status).toBe('optimal');
    expect(j.certificate.value).toBeLessThanOrEqual(1e-6);
    expect(j.networkObjective).toBeCloseRel(j.objective, 1e-6);
  });

  it('task inference: wine (labels 0/1/2) is multiclass, three repeated integers multiclass, real-valued targets regression', async () => {
    // 50 iterations do not certify: exit 3, the run is still printed
    const w = await run('fit', '--data', 'wine', '--lambda', '1', '--model', 'gated-relu', '--patterns', '10', '--max-iters', '50', '--json');
    expect(w.code, w.err).toBe(3);
    const jw = JSON.parse(w.out);
    expect(jw.data.task).toBe('multiclass');
    expect(jw.data.classes).toEqual(['0', '1', '2']);
    expect(jw.formulation).toBe('gated-relu-nuclear');
    const few = writeCsv('ints.csv', 30, 2, (x) => String(x[0] > 1 ? 3 : x[1] > 1 ? 7 : 5));
    const jf = JSON.parse((await run('fit', '--data', few, '--lambda', '1', '--model', 'gated-relu', '--patterns', '5', '--max-iters', '20', '--json')).out);
    expect(jf.data.task).toBe('multiclass');
    const jr = JSON.parse((await run('fit', '--data', regression, '--lambda', '1', '--patterns', '5', '--max-iters', '20', '--json')).out);
    expect(jr.data.task).toBe('regression');
  });

  it('--vector-output one-vs-all: gated per-class programs with the squared loss; the recovered network attains the objective', async () => {
    const r = await run('fit', '--data', multi, '--lambda', '0.5', '--model', 'gated-relu', '--vector-output', 'one-vs-all', '--patterns', '12', '--bias', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.formulation).toBe('gated-relu-one-vs-all');
    expect(j.options.loss).toBe('squared');
    expect(j.certificate.value).toBeLessThanOrEqual(1e-6);
    expect(j.networkObjective).toBeCloseRel(j.objective, 1e-6);
    // each recovered neuron feeds exactly one output
    for (const row of j.network.W2 as number[][]) expect(row.filter((v) => v !== 0).length).toBe(1);
    const bad = await run('fit', '--data', multi, '--lambda', '0.5', '--vector-output', 'group', '--json');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--vector-output must be nuclear or one-vs-all/);
  });

  it('bundled diabetes by name (shipped with @cvxnn/data)', async () => {
    const r = await run('fit', '--data', 'diabetes', '--lambda', '1000', '--bias', '--patterns', '20', '--model', 'gated-relu', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.data.n).toBe(442);
    expect(j.certificate.value).toBeLessThanOrEqual(1e-6);
  });

  describe('bad options fail fast with exit 2 and a typed message', () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['λ = 0', ['--lambda', '0'], /INVALID_OPTION.*--lambda/],
      ['λ < 0', ['--lambda', '-1'], /INVALID_OPTION.*--lambda/],
      ['λ missing', [], /INVALID_OPTION.*--lambda is required/],
      ['P too large', ['--lambda', '1', '--patterns', '100000'], /INVALID_OPTION.*--patterns 100000/],
      ['labels vs task', ['--lambda', '1', '--task', 'binary'], /INVALID_OPTION.*exactly 2 classes/],
      ['logistic on regression', ['--lambda', '1', '--loss', 'logistic'], /INVALID_OPTION.*logistic needs --task binary/],
      ['unknown backend', ['--lambda', '1', '--backend', 'nope'], /(INVALID_OPTION|BACKEND_UNAVAILABLE).*unknown backend 'nope'/],
      ['unknown solver', ['--lambda', '1', '--solver', 'magic'], /INVALID_OPTION.*--solver must be one of auto, fista, newton, al, bcd, ipm, fista-ipm, ssnal, got 'magic'/],
      ['a solver that does not take the problem', ['--lambda', '1', '--solver', 'newton'], /INVALID_OPTION.*solver 'newton' cannot solve this problem: .*cone groups/],
      ['bad test fraction', ['--lambda', '1', '--test-fraction', '1.5'], /INVALID_OPTION.*--test-fraction/],
      ['missing file', ['--lambda', '1', '--data', path.join(dir, 'nope.csv')], /IO_ERROR/],
    ];
    for (const [name, args, msg] of cases) {
      it(name, async () => {
        const hasData = args.includes('--data');
        const r = await run('fit', ...(hasData ? [] : ['--data', regression]), ...args, '--patterns', args.includes('--patterns') ? args[args.indexOf('--patterns') + 1] : '5');
        expect(r.code).toBe(2);
        expect(r.err).toMatch(msg);
      });
    }
    it('gates file with the wrong dimension', async () => {
      const g = path.join(dir, 'gates-bad.csv');
      writeFileSync(g, '1,0\n0,1\n');
      const r = await run('fit', '--data', regression, '--lambda', '1', '--gates', g);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/SHAPE_MISMATCH.*2 rows but the first layer has 3 inputs/);
      const rb = await run('fit', '--data', regression, '--lambda', '1', '--bias', '--gates', g);
      expect(rb.err).toMatch(/3 features \+ 1 for --bias/);
    });
    it("--patterns all on data with too many patterns is refused in the CLI's own terms (was: the library's 'raise the maxPatterns option')", async () => {
      const r = await run('fit', '--data', binary, '--lambda', '1', '--patterns', 'all', '--bias');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^error \[INVALID_OPTION\]: --patterns all: exact enumeration would produce up to \d+ patterns .* more than the limit \d+; sample them instead with --patterns N/);
      expect(r.err).not.toMatch(/maxPatterns|samplePatterns\(/);
    });
    it('--patterns all enumerates every pattern of small data exactly (2-D: 2n chambers)', async () => {
      const small = writeCsv('small2d.csv', 7, 2, (x) => (x[0] - x[1]).toFixed(4), 5);
      const r = await run('fit', '--data', small, '--lambda', '0.1', '--patterns', 'all', '--standardize', 'none', '--json');
      expect(r.code, r.err).toBe(0);
      // 7 lines through the origin in general position cut the plane into 14 chambers, minus the empty pattern
      expect(JSON.parse(r.out).patterns).toBe(13);
    });
    it('predict with a file that is not a run', async () => {
      const bad = path.join(dir, 'notrun.json');
      writeFileSync(bad, '{"hello": 1}');
      const r = await run('predict', '--model', bad, '--data', regression);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/PARSE_ERROR.*cvxnn fit --out/);
    });
  });
});
