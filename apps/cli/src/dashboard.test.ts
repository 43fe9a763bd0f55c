import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { CvxnnError, Matrix } from '@cvxnn/linalg';
import type { TwoLayerNetwork } from '@cvxnn/networks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectRuns, lowDimFields, startDashboardServer } from './commands/dashboard.js';
import { runCli } from './index.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-dash-cli-'));
  mkdirSync(path.join(dir, 'runs'));
  mkdirSync(path.join(dir, 'empty'));
  mkdirSync(path.join(dir, 'dist'));
  writeFileSync(path.join(dir, 'dist', 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(path.join(dir, 'secret.txt'), 'do not serve');
  writeFileSync(path.join(dir, 'runs', 'b.json'), '{"cvxnnRun": 1, "kind": "fit"}');
  writeFileSync(path.join(dir, 'runs', 'a.json'), '{"cvxnnRun": 1, "kind": "redex"}');
  writeFileSync(path.join(dir, 'runs', 'notes.txt'), 'x');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CvxnnError);
    return (e as CvxnnError).code;
  }
  return 'no error';
}

describe('collectRuns', () => {
  it('takes files as given and the .json files of a folder in name order', () => {
    const r = collectRuns([path.join(dir, 'runs'), path.join(dir, 'runs', 'b.json')]);
    expect(r.map((x) => x.name)).toEqual(['a.json', 'b.json', 'b.json']);
    expect(r.map((x) => x.id)).toEqual(['0', '1', '2']);
    expect(r[0].bytes).toBe(readFileSync(path.join(dir, 'runs', 'a.json')).length);
  });

  it('refuses a missing path (IO_ERROR) and a folder without runs (EMPTY_DATA)', () => {
    expect(codeOf(() => collectRuns([path.join(dir, 'nope.json')]))).toBe('IO_ERROR');
    expect(codeOf(() => collectRuns([path.join(dir, 'empty')]))).toBe('EMPTY_DATA');
  });
});

describe('startDashboardServer', () => {
  it('serves the app, the run list, run files byte for byte, and nothing outside dist', async () => {
    const runs = collectRuns([path.join(dir, 'runs')]);
    const s = await startDashboardServer({ runs, port: 0, host: '127.0.0.1', dist: path.join(dir, 'dist') });
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const home = await fetch(s.url);
      expect(home.headers.get('content-type')).toContain('text/html');
      expect(await home.text()).toContain('<title>t</title>');
      const list = (await (await fetch(`${s.url}api/runs`)).json()) as Array<Record<string, unknown>>;
      expect(list).toEqual([
        { id: '0', name: 'a.json', bytes: runs[0].bytes },
        { id: '1', name: 'b.json', bytes: runs[1].bytes },
      ]);
      expect(await (await fetch(`${s.url}api/runs/1`)).text()).toBe(readFileSync(path.join(dir, 'runs', 'b.json'), 'utf8'));
      expect((await fetch(`${s.url}api/runs/7`)).status).toBe(404);
      expect((await fetch(`${s.url}..%2fsecret.txt`)).status).toBe(404);
      expect((await fetch(`${s.url}%2e%2e/secret.txt`)).status).toBe(404);
      expect((await fetch(`${s.url}api/live`)).status).toBe(404); // no live run
    } finally {
      await s.close();
    }
  });

  it('streams live events as server-sent events, replaying earlier ones to late pages', async () => {
    const s = await startDashboardServer({ runs: [], port: 0, host: '127.0.0.1', dist: path.join(dir, 'dist'), live: true });
    try {
      s.publish('start', { kind: 'fit' });
      s.publish('progress', { iteration: 10, objective: 2.5 });
      const res = await fetch(`${s.url}api/live`);
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      const reader = res.body!.getReader();
      let text = '';
      const read = async (until: string) => {
        while (!text.includes(until)) text += new TextDecoder().decode((await reader.read()).value);
      };
      await read('"iteration":10');
      s.publish('final', { status: 'optimal' });
      await read('event: final');
      const events = text.split('\n').filter((l) => l.startsWith('event: '));
      expect(events).toEqual(['event: start', 'event: progress', 'event: final']);
      expect(text).toContain('data: {"status":"optimal"}');
      await reader.cancel();
      const list = (await (await fetch(`${s.url}api/runs`)).json()) as Array<Record<string, unknown>>;
      expect(list[0]).toMatchObject({ id: 'live', live: true });
    } finally {
      await s.close();
    }
  });

  it('says a port in use is in use (IO_ERROR)', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startDashboardServer({ runs: [], port, host: '127.0.0.1', dist: path.join(dir, 'dist') })).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringContaining(`port ${port}`) });
    } finally {
      blocker.close();
    }
  });
});

describe('cvxnn dashboard (arguments)', () => {
  const cli = async (...args: string[]) => {
    let err = '';
    const code = await runCli(['node', 'cvxnn', 'dashboard', ...args], { out: () => undefined, err: (t) => void (err += t), isTTY: false });
    return { code, err };
  };
  it('fails with typed errors before listening', async () => {
    expect(await cli(path.join(dir, 'missing.json'), '--port', '0')).toMatchObject({ code: 2, err: expect.stringContaining('[IO_ERROR]') });
    expect(await cli(path.join(dir, 'runs'), '--port', '70000')).toMatchObject({ code: 2, err: expect.stringContaining('--port must be at most 65535') });
    expect(await cli(path.join(dir, 'runs'), '--port', 'abc')).toMatchObject({ code: 2, err: expect.stringContaining('[INVALID_OPTION]') });
    expect(await cli(path.join(dir, 'runs'), '--host', 'a b')).toMatchObject({ code: 2, err: expect.stringContaining('--host must be') });
  });
});

/** relu(z) by hand */
const relu = (z: number) => (z > 0 ? z : 0);

describe('lowDimFields', () => {
  // f(x) = 2·relu(x − 1) − 1·relu(−x − 0.5) + 0.5·relu(3x), bias row appended (appendOne)
  const net: TwoLayerNetwork = { kind: 'relu', W1: Matrix.from([[1, -1, 3], [-1, -0.5, 0]]), W2: Matrix.from([[2], [-1], [0.5]]), appendOne: true };
  const f = (x: number) => 2 * relu(x - 1) - relu(-x - 0.5) + 0.5 * relu(3 * x);

  it('fit1d: the prediction is the network by hand, kinks at −b/w, linear between them', () => {
    const X = Matrix.from([[-2], [0], [2.5]]);
    const Y = Matrix.from([[1], [0], [3]]);
    const G = Matrix.from([[1, -1], [0, 1]]);
    const out = lowDimFields(net, X, Y, G, 'regression').fit1d as Record<string, number[]>;
    expect(out.x).toEqual([-2, 0, 2.5]);
    expect(out.y).toEqual([1, 0, 3]);
    expect(out.breakpoints).toAllClose([-0.5, 0, 1], { rtol: 0, atol: 1e-15 });
    expect(out.prediction).toAllClose(out.grid.map(f), { rtol: 1e-12, atol: 1e-12 });
    // every breakpoint inside the range is a grid point (so the drawn polyline is exact)
    for (const b of out.breakpoints) expect(out.grid).toContain(b);
    // between consecutive kinks the fit is affine: second differences vanish
    const g = out.grid;
    for (let i = 1; i + 1 < g.length; i++) {
      if (out.breakpoints.some((b) => b > g[i - 1] && b < g[i + 1])) continue;
      const slope1 = (out.prediction[i] - out.prediction[i - 1]) / (g[i] - g[i - 1]);
      const slope2 = (out.prediction[i + 1] - out.prediction[i]) / (g[i + 1] - g[i]);
      expect(Math.abs(slope1 - slope2)).toBeLessThan(1e-9);
    }
  });

  it('geometry2d: hyperplanes as [a, b, c], neuron boundaries, surface = forward pass by hand', () => {
    const net2: TwoLayerNetwork = { kind: 'gated-relu', W1: Matrix.from([[1, 0], [0, 2], [0.5, -1]]), W2: Matrix.from([[1], [-3]]), gates: Matrix.from([[1, -1], [1, 0], [0, 0.2]]), appendOne: true };
    const X = Matrix.from([[0, 0], [1, 2], [-1, 1]]);
    const Y = Matrix.from([[1], [-1], [1]]);
    const G = Matrix.from([[1, 0, 2], [0, 1, 1], [0.1, 0.2, 0.3]]);
    const geo = lowDimFields(net2, X, Y, G, 'binary').geometry2d as Record<string, any>;
    expect(geo.X).toEqual([[0, 0], [1, 2], [-1, 1]]);
    expect(geo.y).toEqual([1, -1, 1]);
    expect(geo.gates).toEqual([[1, 0, 0.1], [0, 1, 0.2], [2, 1, 0.3]]);
    expect(geo.neurons.map((u: any) => u.boundary)).toEqual([[1, 1, 0], [-1, 0, 0.2]]); // gated: the gates
    expect(geo.neurons.map((u: any) => u.weights)).toEqual([[1, 0, 0.5], [0, 2, -1]]);
    const h = (x: number, y: number) => (x + y > 0 ? x + 0.5 : 0) * 1 + (-x + 0.2 > 0 ? 2 * y - 1 : 0) * -3;
    const { x, y, z } = geo.surface as { x: number[]; y: number[]; z: number[][] };
    expect(z.length).toBe(y.length);
    for (const r of [0, 17, y.length - 1]) for (const c of [0, 30, x.length - 1]) expect(z[r][c]).toBeCloseRel(h(x[c], y[r]), 1e-12);
  });

  it('gives nothing for 3 or more features', () => {
    const X = Matrix.from([[0, 0, 1]]);
    expect(lowDimFields({ ...net, W1: Matrix.from([[1], [1], [1], [1]]), W2: Matrix.from([[1]]) }, X, Matrix.from([[1]]), Matrix.from([[1], [1], [1], [1]]), 'regression')).toEqual({});
  });
});

describe('cvxnn fit --out: the heavy low-dimensional fields', () => {
  /** the run's own network JSON evaluated by hand at the 1- or 2-feature point x */
  function netAt(net: any, x: number[]): number {
    const xt = net.appendOne ? [...x, 1] : x;
    let f = 0;
    for (let j = 0; j < net.W2.length; j++) {
      const z = xt.reduce((s, v, k) => s + v * net.W1[k][j], 0);
      const on = net.kind === 'gated-relu' ? xt.reduce((s, v, k) => s + v * net.gates[k][j], 0) > 0 : z > 0;
      f += (on ? z : 0) * net.W2[j][0];
    }
    return f;
  }

  it('writes fit1d for 1 feature and geometry2d for 2, consistent with the run’s network', async () => {
    const run = async (...args: string[]) => {
      let err = '';
      const code = await runCli(['node', 'cvxnn', ...args], { out: () => undefined, err: (t) => void (err += t), isTTY: false });
      return { code, err };
    };
    const rows1 = ['x,y', ...Array.from({ length: 30 }, (_, i) => `${(i / 10 - 1.5).toFixed(2)},${Math.abs(i / 10 - 1.5).toFixed(3)}`)];
    writeFileSync(path.join(dir, 'one.csv'), rows1.join('\n') + '\n');
    const rows2 = ['a,b,y', ...Array.from({ length: 30 }, (_, i) => `${Math.cos(i).toFixed(3)},${Math.sin(2 * i).toFixed(3)},${i % 3 === 0 ? 1 : 0}`)];
    writeFileSync(path.join(dir, 'two.csv'), rows2.join('\n') + '\n');
    const r1 = await run('fit', '--data', path.join(dir, 'one.csv'), '--lambda', '0.01', '--bias', '--patterns', '8', '--backend', 'ts', '--out', path.join(dir, 'one.json'), '--json');
    expect(r1.code).toBe(0);
    const j1 = JSON.parse(readFileSync(path.join(dir, 'one.json'), 'utf8'));
    const f = j1.fit1d;
    expect(f.x).toHaveLength(30);
    expect(f.prediction).toAllClose(f.grid.map((x: number) => netAt(j1.network, [x])), { rtol: 1e-9, atol: 1e-9 });
    expect(j1.geometry2d).toBeUndefined();
    const r2 = await run('fit', '--data', path.join(dir, 'two.csv'), '--model', 'gated-relu', '--lambda', '0.01', '--patterns', '8', '--backend', 'ts', '--out', path.join(dir, 'two.json'), '--json');
    expect(r2.code).toBe(0);
    const j2 = JSON.parse(readFileSync(path.join(dir, 'two.json'), 'utf8'));
    const g = j2.geometry2d;
    expect(g.X).toHaveLength(30);
    expect(g.gates).toHaveLength(8);
    expect(g.gates.every((w: number[]) => w[2] === 0)).toBe(true); // no --bias: lines through the origin
    expect(g.neurons).toHaveLength(j2.network.W2.length);
    const { x, y, z } = g.surface;
    for (const [r, c] of [[0, 0], [30, 12], [60, 60]]) expect(z[r][c]).toBeCloseRel(netAt(j2.network, [x[c], y[r]]), 1e-9);
    expect(j2.fit1d).toBeUndefined();
  });
});
