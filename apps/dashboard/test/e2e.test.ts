/**
 * End-to-end: `cvxnn fit/compare/redex` write runs, `cvxnn dashboard` serves them, headless
 * Chromium (Debian's package, driven by playwright-core) checks what the page draws against the
 * run files. Needs the built CLI and app (`pnpm build`; the root `pnpm test` builds first).
 * Screenshots go to $TMPDIR/cvxnn-dashboard-shots, and to docs/dashboard-*.png with
 * CVXNN_DASHBOARD_SCREENSHOTS=docs.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = path.join(ROOT, 'apps/cli/dist/bin.js');
const SHOTS = path.join(os.tmpdir(), 'cvxnn-dashboard-shots');
const DOCS = process.env.CVXNN_DASHBOARD_SCREENSHOTS === 'docs' ? path.join(ROOT, 'docs') : null;
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`dashboard e2e: SKIPPED — ${CHROMIUM} is missing (apt-get install chromium; .ci/run does this)`);

const run = promisify(execFile);
// exit 3 = finished without a certificate: the run file is written all the same (README, Exit codes)
const cli = (args: string[]) => run(process.execPath, [BIN, ...args], { cwd: ROOT, maxBuffer: 1 << 26 }).catch((e: { code?: number }) => {
  if (e.code === 3) return e;
  throw e;
});

type Json = Record<string, any>;
let dir = '';
let profile = '';
let server: ChildProcess | null = null;
let url = '';
let ctx: BrowserContext | null = null;
let page: Page;
const ids: Record<string, string> = {};
const runs: Record<string, Json> = {};

/** Everything a child wrote on a stream so far, and a wait for a pattern in it. */
function watch(stream: NodeJS.ReadableStream): (re: RegExp, ms: number) => Promise<RegExpExecArray> {
  let buf = '';
  const waiters = new Set<() => void>();
  stream.on('data', (d: Buffer) => {
    buf += d.toString();
    for (const w of waiters) w();
  });
  return (re, ms) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const m = re.exec(buf);
        if (!m) return;
        clearTimeout(t);
        waiters.delete(check);
        resolve(m);
      };
      const t = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${re} (got: ${buf.slice(-500)})`));
      }, ms);
      waiters.add(check);
      check();
    });
}

/** `cvxnn dashboard` over copies of this run's files (names given) in `folder`. */
function spawnDashboard(folder: string, names: string[]): { child: ChildProcess; url: Promise<string> } {
  for (const n of names) writeFileSync(path.join(folder, n), readFileSync(path.join(dir, 'a-fit.json')));
  const child = spawn(process.execPath, [BIN, 'dashboard', folder, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return { child, url: watch(child.stdout!)(/(http:\/\/\S+)/, 20_000).then((m) => m[1]) };
}

async function shot(name: string): Promise<void> {
  const file = `dashboard-${name}.png`;
  await page.screenshot({ path: path.join(SHOTS, file), fullPage: true });
  if (DOCS) await page.screenshot({ path: path.join(DOCS, file), fullPage: true });
}

async function open(name: string, view: string): Promise<void> {
  await page.click(`#run-${ids[name]}`);
  await page.click(`#tab-${view}`);
  await page.waitForSelector(`#view[data-view=${view}][data-state=ok]`);
}

/** Series count and non-null points per series of a registered uPlot chart. */
function chartStats(name: string): Promise<{ series: number; points: number[] }> {
  return page.evaluate((n) => {
    const u = (window as any).__cvxnn.charts[n];
    if (!u) return { series: -1, points: [] };
    return { series: u.series.length, points: u.data.slice(1).map((ys: Array<number | null>) => ys.filter((v) => v !== null && v !== undefined).length) };
  }, name);
}

/** The number the page shows for a run key (data-key cell). */
async function shown(key: string): Promise<number> {
  const text = await page.$eval(`td[data-key="${key}"]`, (e) => e.textContent ?? '');
  return Number(text);
}

const positive = (v: unknown) => typeof v === 'number' && v > 0;

describe.skipIf(!hasChromium)('dashboard in headless Chromium', () => {
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`the CLI is not built (${BIN} missing): run \`pnpm build\` first`);
    if (!existsSync(path.join(ROOT, 'apps/dashboard/dist/index.html'))) throw new Error('the dashboard app is not built: run `pnpm --filter @cvxnn/dashboard build`');
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-dash-'));
    // a 2-D set: two rings (class by radius), deterministic
    const rows = ['x1,x2,y'];
    for (let i = 0; i < 80; i++) {
      const t = i * 0.61803398875 * 2 * Math.PI;
      const r = 0.3 + (i % 20) / 10;
      rows.push(`${(r * Math.cos(t)).toFixed(5)},${(r * Math.sin(t)).toFixed(5)},${r > 1.2 ? 1 : 0}`);
    }
    writeFileSync(path.join(dir, 'rings.csv'), rows.join('\n') + '\n');
    const o = (f: string) => ['--backend', 'ts', '--out', path.join(dir, f)];
    await Promise.all([
      cli(['fit', '--data', 'breast_cancer', '--model', 'gated-relu', '--lambda', '1', '--bias', '--patterns', '10', '--test-fraction', '0.2', '--tol', '1e-4', ...o('a-fit.json')]),
      cli(['compare', '--data', 'synthetic-regression', '--lambda', '1', '--bias', '--patterns', '8', '--epochs', '30', '--max-iters', '200', ...o('b-compare.json')]),
      cli(['fit', '--data', path.join(dir, 'rings.csv'), '--lambda', '0.05', '--bias', '--patterns', '20', '--tol', '1e-4', ...o('c-fit2d.json')]),
      cli(['fit', '--data', 'diabetes-bmi', '--model', 'gated-relu', '--lambda', '0.1', '--bias', '--patterns', '20', '--tol', '1e-4', ...o('d-fit1d.json')]),
      cli(['clifford', 'fit', '--data', 'diabetes-bmi', '--lambda', '100', '--out', path.join(dir, 'i-clifford.json')]),
      cli(['redex', 'fit', '--data', 'diabetes', '--lambda1', '1', '--standardize', 'zscore', '--tol', '1e-4', '--max-iters', '500', '--out', path.join(dir, 'e-redex.json')]),
    ]);
    const fit = readFileSync(path.join(dir, 'a-fit.json'), 'utf8');
    writeFileSync(path.join(dir, 'f-truncated.json'), fit.slice(0, Math.floor(fit.length * 0.6)));
    writeFileSync(path.join(dir, 'g-not-a-run.json'), JSON.stringify({ hello: 'world' }));
    // a 10 MB run: 100 000 history points
    const big = JSON.parse(fit);
    big.history = Array.from({ length: 100_000 }, (_, i) => ({ iteration: i, timeSeconds: i * 1e-3 + 0.123456789, objective: 10 + 100 / (1 + i) + 1e-9 * (i % 7), certificate: 1 / (1 + i) + 1e-12 * (i % 11) }));
    writeFileSync(path.join(dir, 'h-big.json'), JSON.stringify(big));
    for (const [k, f] of Object.entries({ fit: 'a-fit.json', compare: 'b-compare.json', fit2d: 'c-fit2d.json', fit1d: 'd-fit1d.json', redex: 'e-redex.json', big: 'h-big.json', clifford: 'i-clifford.json' })) runs[k] = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));

    server = spawn(process.execPath, [BIN, 'dashboard', dir, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    url = (await watch(server.stdout!)(/(http:\/\/\S+)/, 20_000))[1];
    const listed = (await (await fetch(`${url}api/runs`)).json()) as Array<{ id: string; name: string }>;
    for (const [k, f] of Object.entries({ fit: 'a-fit.json', compare: 'b-compare.json', fit2d: 'c-fit2d.json', fit1d: 'd-fit1d.json', redex: 'e-redex.json', truncated: 'f-truncated.json', notrun: 'g-not-a-run.json', big: 'h-big.json', clifford: 'i-clifford.json' })) {
      ids[k] = listed.find((r) => r.name === f)!.id;
    }
    profile = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-chromium-'));
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
      viewport: { width: 1200, height: 860 },
    });
    page = await ctx.newPage();
    await page.goto(url);
    await page.waitForSelector('body[data-ready=true]');
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    server?.kill();
    for (const d of [dir, profile]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('lists every run and shows a fit run’s numbers exactly as in the file', async () => {
    expect(await page.$$eval('#run-list [role=option]', (l) => l.length)).toBe(9);
    await open('fit', 'overview');
    const r = runs.fit;
    expect(await shown('objective')).toBeCloseRel(r.objective, 1e-9);
    expect(await shown('certificate.value')).toBeCloseRel(r.certificate.value, 1e-5);
    expect(await shown('iterations')).toBe(r.iterations);
    expect(await shown('activeNeurons')).toBe(r.activeNeurons);
    expect(await shown('testAccuracy')).toBeCloseRel(r.testAccuracy, 1e-9);
    await shot('overview');
  });

  it('still serves after malformed requests (the page reloads and shows the same numbers)', async () => {
    // fetch sends these targets as written: a bare %, a bad escape, a cut UTF-8 sequence
    for (const target of ['%', '%zz', 'api/runs/%E0%A4%A']) expect((await fetch(`${url}${target}`)).status).toBe(400);
    expect((await fetch(`${url}no/such/file.js`)).status).toBe(404);
    await page.reload();
    await page.waitForSelector('body[data-ready=true]');
    expect(await page.$$eval('#run-list [role=option]', (l) => l.length)).toBe(9);
    await open('fit', 'overview');
    expect(await shown('objective')).toBeCloseRel(runs.fit.objective, 1e-9);
  });

  it('a run file deleted while serving is an error in the page; the other runs still show', async () => {
    const gone = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-dash-gone-'));
    const other = spawnDashboard(gone, ['a-fit.json', 'z-deleted.json']);
    try {
      const u = await other.url;
      const p2 = await ctx!.newPage();
      await p2.goto(u);
      await p2.waitForSelector('body[data-ready=true]');
      rmSync(path.join(gone, 'z-deleted.json'));
      await p2.click('#run-1');
      await p2.waitForFunction(() => document.getElementById('error')?.textContent?.includes('404'));
      expect(await p2.textContent('#error')).toContain('z-deleted.json is no longer at');
      await p2.click('#run-0');
      await p2.click('#tab-overview');
      await p2.waitForSelector('#view[data-view=overview][data-state=ok]');
      expect(Number(await p2.$eval('td[data-key="objective"]', (e) => e.textContent ?? ''))).toBeCloseRel(runs.fit.objective, 1e-9);
      await p2.close();
    } finally {
      other.child.kill();
      rmSync(gone, { recursive: true, force: true });
    }
  });

  it('draws objective and certificate against iterations and time with one point per history entry', async () => {
    await open('fit', 'convergence');
    const h = runs.fit.history as Json[];
    for (const name of ['history-iteration', 'history-time']) {
      const s = await chartStats(name);
      expect(s.series).toBe(3); // x + objective + certificate
      expect(s.points).toEqual([h.filter((p) => positive(p.objective)).length, h.filter((p) => positive(p.certificate)).length]);
    }
    expect(await page.$$eval('.chart canvas', (c) => c.length)).toBeGreaterThanOrEqual(2);
    await shot('convergence');
  });

  it('draws the group norms (one point per non-zero norm) and the run’s active-neuron count', async () => {
    await open('fit', 'neurons');
    const s = await chartStats('group-norms');
    expect(s.points).toEqual([(runs.fit.groupNorms as number[]).filter(positive).length]);
    expect(await page.textContent('#neuron-summary')).toContain(`${runs.fit.activeNeurons} active neurons of ${runs.fit.patterns}`);
    await shot('neurons');
  });

  it('shows convex vs SGD vs Adam curves of a compare run', async () => {
    await open('compare', 'compare');
    const curves = runs.compare.curves as Array<{ method: string; points: Json[] }>;
    for (const name of ['compare-time', 'compare-iteration']) {
      const s = await chartStats(name);
      expect(s.series).toBe(1 + curves.length);
      // points at a shared x collapse onto one x value in the aligned layout, so count distinct x per curve
      const key = name === 'compare-time' ? 'timeSeconds' : 'iteration';
      expect(s.points).toEqual(curves.map((c) => new Set(c.points.filter((p) => positive(p.objective)).map((p) => p[key])).size));
    }
    await shot('compare');
    await page.click('#tab-overview');
    await page.waitForSelector('#view[data-view=overview]');
    expect(await shown('convex.objective')).toBeCloseRel(runs.compare.convex.objective, 1e-9);
    for (const m of runs.compare.methods as Json[]) expect(await shown(`methods.${m.method}.objective`)).toBeCloseRel(m.objective, 1e-9);
  });

  it('draws the 2-D data, the hyperplanes that cross the plot and the neuron boundaries', async () => {
    await open('fit2d', 'geometry');
    const g = runs.fit2d.geometry2d as Json;
    expect(await page.$$eval('[data-layer=data] circle', (c) => c.length)).toBe(g.X.length);
    // a line a·x + b·y + c = 0 crosses the box iff the corners are not all strictly on one side
    const [x0, x1] = [g.surface.x[0], g.surface.x.at(-1)];
    const [y0, y1] = [g.surface.y[0], g.surface.y.at(-1)];
    const crosses = (w: number[]) => {
      const s = [[x0, y0], [x0, y1], [x1, y0], [x1, y1]].map(([x, y]) => w[0] * x + w[1] * y + (w[2] ?? 0));
      return !(s.every((v) => v > 0) || s.every((v) => v < 0));
    };
    expect(await page.$$eval('[data-layer=hyperplanes] line', (c) => c.length)).toBe((g.gates as number[][]).filter(crosses).length);
    const active = (g.neurons as Json[]).filter((u) => u.output.some((v: number) => v !== 0));
    expect(await page.$$eval('[data-layer=neurons] line', (c) => c.length)).toBe(active.filter((u) => crosses(u.boundary)).length);
    expect(await page.$eval('canvas[data-cells]', (c) => Number((c as HTMLElement).dataset.cells))).toBe(g.surface.x.length * g.surface.y.length);
    await shot('geometry');
  });

  it.each(['fit1d', 'clifford'])('draws the 1-D piecewise-linear fit with its breakpoints (%s run)', async (name) => {
    await open(name, 'fit1d');
    const f = runs[name].fit1d as Json;
    const s = await chartStats('fit1d');
    expect(s.series).toBe(4);
    expect(s.points[0]).toBe(new Set(f.x).size); // repeated x values share one slot
    expect(s.points[1]).toBe(f.grid.length);
    const lo = Math.min(...f.grid);
    const hi = Math.max(...f.grid);
    const inRange = (f.breakpoints as number[]).filter((b) => b >= lo && b <= hi).sort((a, b) => a - b);
    // distinct within 1e-9 × the spread, counted by brute force
    const distinct = inRange.filter((b, i) => i === 0 || b - inRange[i - 1] > 1e-9 * Math.max(1, inRange.at(-1)! - inRange[0])).length;
    expect(s.points[2]).toBe(distinct);
    await shot(name === 'fit1d' ? 'fit1d' : 'clifford');
  });

  it('draws the eigenvalues of a RedEx run', async () => {
    await open('redex', 'eigenvalues');
    const ev = runs.redex.eigenvalues as number[];
    expect((await chartStats('eigenvalues')).points).toEqual([ev.length]);
    const top = await page.evaluate(() => (window as any).__cvxnn.charts.eigenvalues.data[1][0]);
    expect(top).toBeCloseRel(Math.max(...ev), 1e-12);
    await shot('eigenvalues');
  });

  it('shows options and environment (backend, precision, machine)', async () => {
    await open('fit', 'options');
    const env = runs.fit.environment as Json;
    expect(await page.textContent('td[data-key="environment.backend"]')).toBe(env.backend);
    expect(await page.textContent('td[data-key="environment.precision"]')).toBe(env.precision);
    expect(await page.textContent('td[data-key="environment.cores"]')).toBe(String(env.cores));
    await shot('options');
  });

  it('moves through runs and tabs with the keyboard', async () => {
    await open('fit', 'overview');
    await page.focus('#run-list');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`#run-${ids.compare}[aria-selected=true]`);
    await page.focus('#tab-overview');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('#view[data-view=compare]');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-compare');
    await page.keyboard.press('End');
    await page.waitForSelector('#view[data-view=options]');
    // tick two runs with "x" for comparison: the overview gets a comparison table
    await page.click(`#run-${ids.fit}`);
    await page.focus('#run-list');
    await page.keyboard.press('x');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('x');
    await page.click('#tab-overview');
    await page.waitForSelector('#compare-table');
    expect(await page.$$eval('#compare-table thead th', (t) => t.map((x) => x.textContent))).toEqual(['quantity', 'a-fit.json', 'c-fit2d.json']);
    await shot('compare-runs');
    // the ticked runs' certificates share one chart on the convergence tab
    await page.click('#tab-convergence');
    await page.waitForSelector('#view[data-view=convergence]');
    const both = await chartStats('history-runs');
    expect(both.series).toBe(3);
    expect(both.points).toEqual([runs.fit, runs.fit2d].map((r) => new Set((r.history as Json[]).filter((h) => positive(h.certificate)).map((h) => h.timeSeconds)).size));
    await page.focus('#run-list');
    await page.keyboard.press('x'); // untick again
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('x');
  });

  it('shows a clear error for a truncated file and for a file that is not a run', async () => {
    await page.click(`#run-${ids.truncated}`);
    await page.waitForSelector('#view[data-state=error]', { state: 'attached' });
    expect(await page.isVisible('#error')).toBe(true);
    expect(await page.textContent('#error')).toMatch(/f-truncated\.json is not valid JSON \(it looks truncated/);
    await shot('error');
    await page.click(`#run-${ids.notrun}`);
    await page.waitForFunction(() => document.getElementById('error')?.textContent?.includes('g-not-a-run.json'));
    expect(await page.textContent('#error')).toContain('"cvxnnRun" is missing');
  });

  it('loads a 10 MB run file (100 000 history points) and records the time', async () => {
    const bytes = readFileSync(path.join(dir, 'h-big.json')).length;
    expect(bytes).toBeGreaterThan(9.5e6);
    const t0 = Date.now();
    await page.click(`#run-${ids.big}`);
    await page.click('#tab-convergence');
    await page.waitForSelector('#view[data-view=convergence][data-state=ok]');
    const wall = Date.now() - t0;
    expect((await chartStats('history-time')).points).toEqual([100_000, 100_000]);
    const t = await page.evaluate((id) => (window as any).__cvxnn.timings[id], ids.big);
    console.log(`dashboard e2e: 10 MB run (${(bytes / 1e6).toFixed(1)} MB): fetch ${t.fetchMs.toFixed(0)} ms, parse+validate ${t.parseMs.toFixed(0)} ms, first view ${t.renderMs.toFixed(0)} ms; click to convergence charts ${wall} ms`);
    expect(wall).toBeLessThan(30_000); // generous: a regression guard, not a benchmark
  });

  it('live mode: `cvxnn fit --dashboard` streams progress and then the final result', async () => {
    const fit = spawn(process.execPath, [BIN, 'fit', '--data', 'breast_cancer', '--model', 'gated-relu', '--lambda', '1', '--bias', '--patterns', '20', '--tol', '1e-6', '--backend', 'ts', '--dashboard', '--port', '0', '--dashboard-wait', '60', '--out', path.join(dir, 'live.json')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const stderr = watch(fit.stderr!);
      const liveUrl = (await stderr(/live dashboard: (http:\/\/\S+)/, 30_000))[1];
      expect((await fetch(`${liveUrl}%`)).status).toBe(400); // the live server (a worker thread) survives it
      const p2 = await ctx!.newPage();
      // the fit waits for this page (--dashboard-wait), so every progress event arrives while it runs
      await p2.goto(`${liveUrl}#view=convergence`);
      await p2.waitForSelector('body[data-live=final]', { timeout: 90_000 });
      const progress = Number(await p2.evaluate(() => document.body.dataset.liveProgress ?? '0'));
      expect(progress).toBeGreaterThanOrEqual(1);
      // and the growing history was drawn before the final result came
      expect(Number(await p2.evaluate(() => document.body.dataset.liveDrawn ?? '0'))).toBeGreaterThanOrEqual(1);
      expect(fit.exitCode).toBeNull(); // still serving
      await stderr(/the final result is at/, 30_000); // the run file is written before this line
      const final = JSON.parse(readFileSync(path.join(dir, 'live.json'), 'utf8'));
      await p2.click('#tab-convergence');
      await p2.waitForSelector('#view[data-view=convergence][data-state=ok]');
      const pts = await p2.evaluate(() => (window as any).__cvxnn.charts['history-iteration'].data[1].filter((v: unknown) => v !== null).length);
      expect(pts).toBe((final.history as Json[]).filter((h) => positive(h.objective)).length);
      expect(await p2.textContent('#live-status')).toContain('finished (optimal)');
      await p2.screenshot({ path: path.join(SHOTS, 'dashboard-live.png'), fullPage: true });
      if (DOCS) await p2.screenshot({ path: path.join(DOCS, 'dashboard-live.png'), fullPage: true });
      await p2.close();
    } finally {
      fit.kill();
    }
  }, 150_000);
});

/** Every descendant of a process (Linux /proc), depth first. */
function descendants(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

/** Running (not a zombie waiting to be reaped). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe.skipIf(!existsSync(BIN) || process.platform !== 'linux')('`pnpm -s cvxnn dashboard` and signals', () => {
  it('SIGTERM to pnpm ends the node server under it', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-dash-sig-'));
    writeFileSync(path.join(folder, 'r.json'), JSON.stringify({ cvxnnRun: 1, kind: 'fit' }));
    const pnpm = spawn('pnpm', ['-s', 'cvxnn', 'dashboard', folder, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const u = (await watch(pnpm.stdout!)(/(http:\/\/\S+)/, 30_000))[1];
      // the root script runs the launcher apps/cli/bin/cvxnn.js, which loads dist/bin.js in its own process
      const server = descendants(pnpm.pid!).filter((p) => /(bin|cvxnn)\.js\0dashboard/.test(readFileSync(`/proc/${p}/cmdline`, 'utf8')));
      expect(server).toHaveLength(1);
      expect((await fetch(`${u}api/runs`)).status).toBe(200);
      const exited = new Promise((r) => pnpm.on('exit', r));
      pnpm.kill('SIGTERM');
      await exited;
      const t0 = Date.now();
      while (running(server[0]) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100));
      expect(running(server[0])).toBe(false);
      await expect(fetch(`${u}api/runs`)).rejects.toThrow();
    } finally {
      pnpm.kill('SIGKILL');
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
