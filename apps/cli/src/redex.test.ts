import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Rng } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { run } from '../test/run.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cvxnn-redex-'));

/** CSV with x ~ N(0, I_3) and targets y = x₀x₁ (and, for two outputs, x₂² − x₀²). */
function writeCsv(name: string, n: number, outputs: 1 | 2): string {
  const rng = new Rng(5);
  const lines = [outputs === 1 ? 'x0,x1,x2,y' : 'x0,x1,x2,y0,y1'];
  for (let t = 0; t < n; t++) {
    const x = [rng.normal(), rng.normal(), rng.normal()];
    const ys = outputs === 1 ? [x[0] * x[1]] : [x[0] * x[1], x[2] ** 2 - x[0] ** 2];
    lines.push([...x, ...ys].map((v) => v.toPrecision(17)).join(','));
  }
  const file = path.join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const one = writeCsv('one.csv', 40, 1);
const two = writeCsv('two.csv', 40, 2);

/** ½Σ(xᵀAx − y)² recomputed from the CSV and the printed A. */
function dataTerm(file: string, A: number[][][]): number {
  const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
  let s = 0;
  for (const r of lines) {
    const x = r.slice(0, 3);
    A.forEach((Ai, i) => {
      let q = 0;
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) q += x[a] * Ai[a][b] * x[b];
      s += 0.5 * (q - r[3 + i]) ** 2;
    });
  }
  return s;
}

describe('cvxnn redex fit', () => {
  it('one output: recovers the planted x₀x₁ quadratic; objective = ½Σ(xᵀAx−y)² + λ₁Σ|λ(A)| recomputed from the printed A', async () => {
    const r = await run('redex', 'fit', '--data', one, '--lambda1', '0.001', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.kind).toBe('redex');
    expect(j.cvxnnRun).toBe(1);
    const A = j.layers[0].A[0] as number[][];
    // A* = (e₀e₁ᵀ + e₁e₀ᵀ)/2
    const Astar = [[0, 0.5, 0], [0.5, 0, 0], [0, 0, 0]];
    expect(A.flat()).toAllClose(Astar.flat(), { rtol: 0, atol: 1e-3 });
    const trNorm = (j.eigenvalues as number[]).reduce((s, l) => s + Math.abs(l), 0);
    expect(j.objective).toBeCloseRel(dataTerm(one, [A]) + 0.001 * trNorm, 1e-8, 1e-12);
    expect(j.certificate.value).toBeLessThan(1e-6);
    expect(j.rank).toBe(2);
    // V has orthogonal rows and Vᵀ P V = A
    const V = j.layers[0].V as number[][];
    const P = j.layers[0].P[0] as number[][];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
      let s = 0;
      for (let p = 0; p < V.length; p++) for (let q = 0; q < V.length; q++) s += V[p][a] * P[p][q] * V[q][b];
      expect(s).toBeCloseRel(A[a][b], 1e-8, 1e-10);
    }
  });
  it('the prox and sdp solvers agree on one output (1e-6 relative)', async () => {
    const a = JSON.parse((await run('redex', 'fit', '--data', one, '--lambda1', '0.5', '--lambda2', '0.1', '--solver', 'prox', '--json')).out);
    const b = JSON.parse((await run('redex', 'fit', '--data', one, '--lambda1', '0.5', '--lambda2', '0.1', '--solver', 'sdp', '--json')).out);
    expect(a.layers[0].solver).toBe('prox');
    expect(b.layers[0].solver).toBe('sdp');
    expect(b.objective).toBeCloseRel(a.objective, 1e-6);
  });
  it('two outputs with a width budget: feasible, tr R ≤ τ, objective recomputed; --out writes the run file', async () => {
    const out = path.join(dir, 'run.json');
    const r = await run('redex', 'fit', '--data', two, '--outputs', '2', '--lambda1', '0.01', '--width', '1.5', '--out', out, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const f = JSON.parse(readFileSync(out, 'utf8'));
    expect(f.kind).toBe('redex');
    expect(f.eigenvalues.length).toBe(3);
    const L = j.layers[0];
    expect(L.traceR).toBeLessThanOrEqual(1.5 + 1e-9);
    expect(L.A.length).toBe(2);
    const trR = (L.R as number[][]).reduce((s, row, i) => s + row[i], 0);
    expect(j.objective).toBeCloseRel(dataTerm(two, L.A) + 0.01 * trR, 1e-8, 1e-12);
    expect(j.status).toBe('optimal');
  });
  it('two layers on disjoint rows run and print a per-layer certificate (text mode)', async () => {
    const r = await run('redex', 'fit', '--data', one, '--lambda1', '0.01', '--layers', '2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/layer 0 certificate/);
    expect(r.out).toMatch(/layer 1 V \(extractor\)/);
  });
  it('bad input ⇒ typed errors, exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--data', one], /INVALID_OPTION.*--lambda1 is required/],
      [['--data', one, '--lambda1', 'abc'], /INVALID_OPTION.*--lambda1/],
      [['--data', two, '--outputs', '2', '--lambda1', '1', '--solver', 'prox'], /INVALID_OPTION.*--solver prox/],
      [['--data', one, '--lambda1', '1', '--solver', 'magic'], /INVALID_OPTION.*--solver/],
      [['--data', one, '--lambda1', '1', '--outputs', '4'], /INVALID_OPTION.*no feature columns/],
      [['--data', path.join(dir, 'missing.csv'), '--lambda1', '1'], /IO_ERROR/],
      [['--data', one, '--lambda1', '0'], /INVALID_OPTION.*not regularised/],
    ];
    for (const [args, re] of cases) {
      const r = await run('redex', 'fit', ...args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
    }
  });
});

describe('cvxnn redex nuclear', () => {
  it('two outputs: the printed W and objective satisfy ½‖XW − Y‖² + λ₁‖W‖_* recomputed from the CSV (‖W‖_* from the printed singular values, cross-checked by ‖W‖_F²)', async () => {
    const r = await run('redex', 'nuclear', '--data', two, '--outputs', '2', '--lambda1', '0.5', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.kind).toBe('nuclear-norm-regression');
    expect(j.status).toBe('optimal');
    const W = j.W as number[][];
    expect(W.length).toBe(3);
    expect(W[0].length).toBe(2);
    const lines = readFileSync(two, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    let data = 0;
    for (const row of lines) for (let c = 0; c < 2; c++) data += 0.5 * (row[0] * W[0][c] + row[1] * W[1][c] + row[2] * W[2][c] - row[3 + c]) ** 2;
    const sv = j.singularValues as number[];
    // Σσ² = ‖W‖_F² ties the printed singular values to the printed W
    expect(sv.reduce((s, v) => s + v * v, 0)).toBeCloseRel(W.flat().reduce((s, v) => s + v * v, 0), 1e-9);
    expect(j.objective).toBeCloseRel(data + 0.5 * sv.reduce((s, v) => s + v, 0), 1e-8);
    expect(j.certificate.relative).toBeLessThan(1e-8);
    expect(j.dataTerm).toBeCloseRel(data, 1e-8);
  });
  it('a large λ₁ ≥ ‖XᵀY‖_sp gives W = 0 and rank 0 (text mode)', async () => {
    const r = await run('redex', 'nuclear', '--data', two, '--outputs', '2', '--lambda1', '1e6');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/rank\s+0/);
    expect(r.out).toMatch(/certificate\s+duality gap/);
  });
  it('bad input ⇒ typed errors, exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--data', two], /INVALID_OPTION.*--lambda1 is required/],
      [['--data', two, '--lambda1', '0'], /INVALID_OPTION.*not regularised/],
      [['--data', two, '--lambda1', '1', '--outputs', '5'], /INVALID_OPTION.*no feature columns/],
      [['--data', two, '--lambda1', '1', '--standardize', 'minmax'], /INVALID_OPTION.*--standardize/],
    ];
    for (const [args, re] of cases) {
      const r = await run('redex', 'nuclear', ...args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
    }
  });
});

describe('cvxnn redex norm', () => {
  it('X8: A = [[1,2],[2,1]] ⇒ ‖A‖_Rx = ‖A‖_Tr = 4 with R* = |A| = [[2,1],[1,2]]', async () => {
    const file = path.join(dir, 'x8.json');
    writeFileSync(file, JSON.stringify([[1, 2], [2, 1]]));
    const j = JSON.parse((await run('redex', 'norm', '--matrices', file, '--json')).out);
    expect(j.value).toBeCloseRel(4, 1e-7);
    expect((j.R as number[][]).flat()).toAllClose([2, 1, 1, 2], { rtol: 1e-6, atol: 1e-7 });
    expect(j.bounds.lower).toBeCloseRel(4, 1e-12);
  });
  it('F3: commuting (diagonal) outputs give Σ_j max_i |λ_j(A_i)|, inside the F4 bounds; a redex run file is read too', async () => {
    const file = path.join(dir, 'diag.json');
    writeFileSync(file, JSON.stringify({ A: [[[3, 0, 0], [0, -1, 0], [0, 0, 0.5]], [[-1, 0, 0], [0, 2, 0], [0, 0, -2]]] }));
    const j = JSON.parse((await run('redex', 'norm', '--matrices', file, '--json')).out);
    expect(j.k).toBe(2);
    expect(j.value).toBeCloseRel(3 + 2 + 2, 1e-7);
    expect(j.bounds.lower).toBeLessThanOrEqual(j.value + 1e-9);
    expect(j.bounds.upper).toBeGreaterThanOrEqual(j.value - 1e-9);
    const out = path.join(dir, 'norm-run.json');
    await run('redex', 'fit', '--data', one, '--lambda1', '0.5', '--out', out, '--json');
    const fit = JSON.parse(readFileSync(out, 'utf8'));
    const n = JSON.parse((await run('redex', 'norm', '--matrices', out, '--json')).out);
    // k = 1: the norm is the trace norm of the fitted A, Σ|λ| of the eigenvalues the fit reported
    expect(n.value).toBeCloseRel((fit.eigenvalues as number[]).reduce((s, v) => s + Math.abs(v), 0), 1e-6, 1e-9);
  });
  it('bad files ⇒ typed errors, exit code 2', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"A": [[1, 2, 3], [4, 5, 6]]}');
    const notJson = path.join(dir, 'bad2.json');
    writeFileSync(notJson, 'not json');
    const asym = path.join(dir, 'asym.json');
    writeFileSync(asym, '[[1, 2], [0, 1]]');
    const cases: Array<[string, RegExp]> = [
      [path.join(dir, 'missing.json'), /IO_ERROR/],
      [notJson, /PARSE_ERROR/],
      [bad, /INVALID_OPTION.*not square/],
      [asym, /INVALID_OPTION.*symmetric/],
    ];
    for (const [file, re] of cases) {
      const r = await run('redex', 'norm', '--matrices', file);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
    }
  });
});
