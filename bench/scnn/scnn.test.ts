import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CvxnnError, Matrix } from '../../packages/linalg/src/index.js';
import { BENCH_PROBLEMS, makeProblem, makeSyntheticProblem, NOISE_STD, PLANTED_NEURONS, readProblem, writeProblem, type GatedProblem } from './problems.js';
import { evaluateWeights, readScnnWeights, RUN_SCNN, runScnn, scnnAvailable, scnnPython } from './scnn.js';

const tmp = mkdtempSync(join(tmpdir(), 'cvxnn-scnn-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof CvxnnError) return e.code;
    throw e;
  }
  return undefined;
}

function moments(a: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  const mean = s / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / (a.length - 1)) };
}

/** Objective by explicit dense matrices: A = [D_1 X, …, D_P X] (n × P·d), u stacked. */
function denseObjective(p: GatedProblem, U: Matrix): number {
  const { n, d, P, X, y, G, lambda } = p;
  const A = Matrix.zeros(n, P * d);
  for (let i = 0; i < P; i++) {
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += X.get(r, j) * G.get(j, i);
      if (s > 0) for (let j = 0; j < d; j++) A.set(r, i * d + j, X.get(r, j));
    }
  }
  let rss = 0;
  for (let r = 0; r < n; r++) {
    let pred = 0;
    for (let k = 0; k < P * d; k++) pred += A.get(r, k) * U.data[k];
    rss += (pred - y[r]) ** 2;
  }
  let pen = 0;
  for (let i = 0; i < P; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += U.get(i, j) ** 2;
    pen += Math.sqrt(s);
  }
  return rss / (2 * n) + lambda * pen;
}

describe('problem generator', () => {
  it('P1 and P2 have the sizes and λ of issue 4', () => {
    expect(BENCH_PROBLEMS.P1).toMatchObject({ n: 1000, d: 20, P: 100 });
    expect(BENCH_PROBLEMS.P2).toMatchObject({ n: 10_000, d: 50, P: 500 });
    const p = makeProblem('P1', 3);
    expect([p.X.rows, p.X.cols, p.y.length, p.G.rows, p.G.cols]).toStrictEqual([1000, 20, 1000, 20, 100]);
    expect(p.lambda).toBeCloseRel(0.01, 0, 0);
    expect(p.scale).toBe('mean');
  });

  it('is deterministic in the seed and differs across seeds', () => {
    const a = makeSyntheticProblem({ n: 30, d: 4, P: 6, lambda: 0.1 }, 11);
    const b = makeSyntheticProblem({ n: 30, d: 4, P: 6, lambda: 0.1 }, 11);
    const c = makeSyntheticProblem({ n: 30, d: 4, P: 6, lambda: 0.1 }, 12);
    expect(a.X.data).toAllClose(b.X.data, { rtol: 0, atol: 0 });
    expect(a.y).toAllClose(b.y, { rtol: 0, atol: 0 });
    expect(a.G.data).toAllClose(b.G.data, { rtol: 0, atol: 0 });
    let diff = 0;
    for (let i = 0; i < a.X.data.length; i++) diff = Math.max(diff, Math.abs(a.X.data[i] - c.X.data[i]));
    expect(diff).toBeGreaterThan(0.1);
  });

  it('follows the recipe: N(0,1) X and G, unit-norm planted neurons, noise of std 0.1', () => {
    const p = makeProblem('P1', 5);
    const mx = moments(p.X.data);
    expect(Math.abs(mx.mean)).toBeLessThan(0.03); // 20000 draws: sd of the mean 0.007
    expect(mx.std).toBeCloseRel(1, 0.03);
    const mg = moments(p.G.data);
    expect(Math.abs(mg.mean)).toBeLessThan(0.1); // 2000 draws
    expect(mg.std).toBeCloseRel(1, 0.08);
    expect(p.planted.rows).toBe(PLANTED_NEURONS);
    for (let k = 0; k < PLANTED_NEURONS; k++) {
      let s = 0;
      for (let j = 0; j < p.d; j++) s += p.planted.get(k, j) ** 2;
      expect(Math.sqrt(s)).toBeCloseRel(1, 1e-12);
    }
    // y minus the planted network, recomputed here with Matrix.get, is the noise
    const resid = new Float64Array(p.n);
    for (let r = 0; r < p.n; r++) {
      let f = 0;
      for (let k = 0; k < PLANTED_NEURONS; k++) {
        let z = 0;
        for (let j = 0; j < p.d; j++) z += p.X.get(r, j) * p.planted.get(k, j);
        f += Math.max(z, 0);
      }
      resid[r] = p.y[r] - f;
    }
    const mr = moments(resid);
    expect(Math.abs(mr.mean)).toBeLessThan((4 * NOISE_STD) / Math.sqrt(p.n));
    expect(mr.std).toBeCloseRel(NOISE_STD, 0.1);
    // the signal dominates the noise: var(y) ≫ 0.01
    expect(moments(p.y).std).toBeGreaterThan(10 * NOISE_STD);
  });

  it('rejects bad specs and names with typed errors', () => {
    expect(code(() => makeSyntheticProblem({ n: 0, d: 2, P: 2, lambda: 0.1 }))).toBe('INVALID_OPTION');
    expect(code(() => makeSyntheticProblem({ n: 5, d: 2.5, P: 2, lambda: 0.1 }))).toBe('INVALID_OPTION');
    expect(code(() => makeSyntheticProblem({ n: 5, d: 2, P: 2, lambda: 0 }))).toBe('INVALID_OPTION');
    expect(code(() => makeSyntheticProblem({ n: 5, d: 2, P: 2, lambda: Number.NaN }))).toBe('INVALID_OPTION');
    expect(code(() => makeProblem('P3' as 'P1'))).toBe('INVALID_OPTION');
  });
});

describe('problem directory format', () => {
  const p = makeSyntheticProblem({ n: 7, d: 3, P: 5, lambda: 0.05 }, 2, 'tiny');
  const dir = join(tmp, 'tiny');
  writeProblem(dir, p);

  it('writes little-endian float64, row-major, and the meta fields', () => {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ format: 'cvxnn-scnn-problem/1', name: 'tiny', n: 7, d: 3, P: 5, scale: 'mean', seed: 2 });
    expect(meta.lambda).toBeCloseRel(0.05, 0, 0);
    const xb = readFileSync(join(dir, 'X.f64'));
    const gb = readFileSync(join(dir, 'G.f64'));
    const yb = readFileSync(join(dir, 'y.f64'));
    expect([xb.length, gb.length, yb.length]).toStrictEqual([7 * 3 * 8, 3 * 5 * 8, 7 * 8]);
    expect(xb.readDoubleLE((4 * 3 + 2) * 8)).toBeCloseRel(p.X.get(4, 2), 0, 0);
    expect(gb.readDoubleLE((1 * 5 + 3) * 8)).toBeCloseRel(p.G.get(1, 3), 0, 0);
    expect(yb.readDoubleLE(6 * 8)).toBeCloseRel(p.y[6], 0, 0);
  });

  it('round-trips through readProblem, and writes strided views row by row', () => {
    const q = readProblem(dir);
    expect([q.n, q.d, q.P]).toStrictEqual([7, 3, 5]);
    expect(q.X.data).toAllClose(p.X.data, { rtol: 0, atol: 0 });
    expect(q.G.data).toAllClose(p.G.data, { rtol: 0, atol: 0 });
    expect(q.y).toAllClose(p.y, { rtol: 0, atol: 0 });
    // X as a 7×3 view into a wider buffer
    const wide = Matrix.zeros(7, 5);
    for (let r = 0; r < 7; r++) for (let c = 0; c < 3; c++) wide.set(r, c + 1, p.X.get(r, c));
    const viewDir = join(tmp, 'view');
    writeProblem(viewDir, { ...p, X: wide.view(0, 1, 7, 3) });
    expect(readProblem(viewDir).X.data).toAllClose(p.X.data, { rtol: 0, atol: 0 });
  });

  it('rejects missing, truncated, non-finite and inconsistent files with typed errors', () => {
    expect(code(() => readProblem(join(tmp, 'nope')))).toBe('IO_ERROR');
    const bad = join(tmp, 'bad');
    writeProblem(bad, p);
    writeFileSync(join(bad, 'X.f64'), readFileSync(join(dir, 'X.f64')).subarray(0, 8 * 20));
    expect(code(() => readProblem(bad))).toBe('SHAPE_MISMATCH');
    const nan = Buffer.from(readFileSync(join(dir, 'X.f64')));
    nan.writeDoubleLE(Number.NaN, 8 * 5);
    writeFileSync(join(bad, 'X.f64'), nan);
    expect(code(() => readProblem(bad))).toBe('NON_FINITE');
    writeFileSync(join(bad, 'meta.json'), '{ not json');
    expect(code(() => readProblem(bad))).toBe('PARSE_ERROR');
    writeFileSync(join(bad, 'meta.json'), JSON.stringify({ n: 7, d: 3, P: 5, lambda: -1 }));
    expect(code(() => readProblem(bad))).toBe('INVALID_OPTION');
    writeFileSync(join(bad, 'meta.json'), JSON.stringify({ n: 7, d: 3, P: 5, lambda: 0.1, scale: 'sum' }));
    expect(code(() => readProblem(bad))).toBe('INVALID_OPTION');
    expect(code(() => writeProblem(join(tmp, 'w'), { ...p, y: new Float64Array(6) }))).toBe('SHAPE_MISMATCH');
    expect(code(() => writeProblem(join(tmp, 'w'), { ...p, G: Matrix.zeros(3, 4) }))).toBe('SHAPE_MISMATCH');
  });
});

describe('evaluateWeights', () => {
  const p = makeSyntheticProblem({ n: 25, d: 3, P: 4, lambda: 0.2 }, 9);

  it('matches an explicit dense [D_1 X … D_P X] computation', () => {
    const U = new Matrix(p.P, p.d, Float64Array.from({ length: p.P * p.d }, (_, k) => Math.sin(k + 1)));
    const e = evaluateWeights(p, { U });
    expect(e.objective).toBeCloseRel(denseObjective(p, U), 1e-12);
    expect(e.dataTerm + e.penalty).toBeCloseRel(e.objective, 1e-15);
    // ReLU with W = 0 is the gated objective of V
    const r = evaluateWeights(p, { V: U, W: Matrix.zeros(p.P, p.d) });
    expect(r.objective).toBeCloseRel(e.objective, 1e-12);
  });

  it('constraint violation: 0 for v_i = g_i, max_j |x_j·g_i| for v_i = −g_i', () => {
    const V = Matrix.zeros(p.P, p.d);
    const Vneg = Matrix.zeros(p.P, p.d);
    for (let i = 0; i < p.P; i++) {
      for (let j = 0; j < p.d; j++) {
        V.set(i, j, p.G.get(j, i));
        Vneg.set(i, j, -p.G.get(j, i));
      }
    }
    const W = Matrix.zeros(p.P, p.d);
    expect(evaluateWeights(p, { V, W }).constraintViolation).toBeCloseRel(0, 0, 1e-15);
    let expected = 0;
    for (let i = 0; i < p.P; i++) {
      for (let r = 0; r < p.n; r++) {
        let s = 0;
        for (let j = 0; j < p.d; j++) s += p.X.get(r, j) * p.G.get(j, i);
        expected = Math.max(expected, Math.abs(s));
      }
    }
    expect(evaluateWeights(p, { V: Vneg, W }).constraintViolation).toBeCloseRel(expected, 1e-12);
    // the same on the W side (w_i = −g_i)
    expect(evaluateWeights(p, { V: W, W: Vneg }).constraintViolation).toBeCloseRel(expected, 1e-12);
  });

  it('rejects weights of the wrong shape', () => {
    expect(code(() => evaluateWeights(p, { U: Matrix.zeros(p.P + 1, p.d) }))).toBe('SHAPE_MISMATCH');
    expect(code(() => evaluateWeights(p, { V: Matrix.zeros(p.P, p.d) }))).toBe('SHAPE_MISMATCH');
    const f = join(tmp, 'w.f64');
    writeFileSync(f, Buffer.alloc(8 * 5));
    expect(code(() => readScnnWeights(f, 'gated', 2, 3))).toBe('SHAPE_MISMATCH');
    expect(code(() => runScnn(tmp, 'sgd' as 'gated'))).toBe('INVALID_OPTION');
  });
});

const hasNumpy = spawnSync(scnnPython(), ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasNumpy)('run_scnn.py input checks', () => {
  it('answers a bad problem directory with {"error"} and exit 2', () => {
    const bad = join(tmp, 'py-bad');
    writeProblem(bad, makeSyntheticProblem({ n: 6, d: 2, P: 3, lambda: 0.1 }, 1));
    writeFileSync(join(bad, 'y.f64'), Buffer.alloc(8 * 5));
    const r = spawnSync(scnnPython(), [RUN_SCNN, bad, '--model', 'gated'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatch(/y\.f64 holds 5 float64 values, meta\.json implies 6/);
    const none = spawnSync(scnnPython(), [RUN_SCNN, join(tmp, 'missing'), '--model', 'gated'], { encoding: 'utf8' });
    expect(none.status).toBe(2);
    expect(JSON.parse(none.stdout).error).toMatch(/no meta\.json/);
  });

  it('says how to fix a wrong $SCNN_SRC, and scnnAvailable reports an unusable python', () => {
    const r = spawnSync(scnnPython(), [RUN_SCNN, '--check'], { encoding: 'utf8', env: { ...process.env, SCNN_SRC: join(tmp, 'no-such-dir') } });
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatch(/\$SCNN_SRC=.*has no 'scnn\/' package directory/);
    const probe = scnnAvailable(join(tmp, 'no-python-here'));
    expect(probe.ok).toBe(false);
    if (!probe.ok) expect(probe.reason).toMatch(/cannot start/);
  });
});

const probe = hasNumpy ? scnnAvailable() : { ok: false as const, reason: 'numpy missing' };
if (!probe.ok) console.warn(`scnn integration tests skipped: ${'reason' in probe ? probe.reason : ''}`);

describe.skipIf(!probe.ok)('scnn on a tiny problem (scnn importable)', () => {
  const p = makeSyntheticProblem({ n: 80, d: 4, P: 12, lambda: 0.01 }, 21, 'tiny-scnn');
  const dir = join(tmp, 'scnn-tiny');
  writeProblem(dir, p);

  it('gated ReLU: the printed objective is the TS one, and the weights satisfy the 1/(2n) KKT conditions', () => {
    const wf = join(dir, 'u.f64');
    const r = runScnn(dir, 'gated', { weightsOut: wf, nice: false });
    const { U } = readScnnWeights(wf, 'gated', p.P, p.d);
    const e = evaluateWeights(p, { U });
    expect(r.objective).toBeCloseRel(e.objective, 1e-10);
    expect(r.model).toBe('gated-relu');
    expect(r.timeSeconds).toBeGreaterThan(0);
    // minimum-norm subgradient of 1/(2n)‖Σ D_i X u_i − y‖² + λΣ‖u_i‖, computed here:
    // g_i = (1/n) (D_i X)ᵀ r; active group: g_i + λ u_i/‖u_i‖; inactive: (‖g_i‖ − λ)_+.
    const resid = new Float64Array(p.n);
    for (let row = 0; row < p.n; row++) {
      let pred = 0;
      for (let i = 0; i < p.P; i++) {
        let xg = 0;
        let xu = 0;
        for (let j = 0; j < p.d; j++) {
          xg += p.X.get(row, j) * p.G.get(j, i);
          xu += p.X.get(row, j) * U!.get(i, j);
        }
        if (xg > 0) pred += xu;
      }
      resid[row] = pred - p.y[row];
    }
    let sub2 = 0;
    for (let i = 0; i < p.P; i++) {
      const g = new Float64Array(p.d);
      for (let row = 0; row < p.n; row++) {
        let xg = 0;
        for (let j = 0; j < p.d; j++) xg += p.X.get(row, j) * p.G.get(j, i);
        if (xg > 0) for (let j = 0; j < p.d; j++) g[j] += (p.X.get(row, j) * resid[row]) / p.n;
      }
      let un = 0;
      for (let j = 0; j < p.d; j++) un += U!.get(i, j) ** 2;
      un = Math.sqrt(un);
      if (un > 0) {
        for (let j = 0; j < p.d; j++) sub2 += (g[j] + (p.lambda * U!.get(i, j)) / un) ** 2;
      } else {
        let gn = 0;
        for (let j = 0; j < p.d; j++) gn += g[j] ** 2;
        sub2 += Math.max(Math.sqrt(gn) - p.lambda, 0) ** 2;
      }
    }
    // scnn stops when the squared min-norm subgradient is ≤ 1e-6
    expect(Math.sqrt(sub2)).toBeLessThan(2e-3);
    expect(r.activeNeurons).toBeGreaterThan(0);
  });

  it('convex ReLU: violation and objective agree with TS, and lie above the gated relaxation', () => {
    const wf = join(dir, 'vw.f64');
    const relu = runScnn(dir, 'relu', { weightsOut: wf, nice: false });
    const e = evaluateWeights(p, readScnnWeights(wf, 'relu', p.P, p.d));
    expect(relu.objective).toBeCloseRel(e.objective, 1e-10);
    expect(relu.constraintViolation!).toBeCloseRel(e.constraintViolation!, 1e-10, 1e-14);
    const gated = runScnn(dir, 'gated', { nice: false });
    // any (v, w) gives a gated point u = v − w with no larger objective (SPEC §2.7)
    expect(relu.objective).toBeGreaterThan(gated.objective * (1 - 1e-6));
  });
});
