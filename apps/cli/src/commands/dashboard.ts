/**
 * `cvxnn dashboard`: a small node:http server for the built dashboard app (apps/dashboard/dist)
 * and the run files given on the command line, plus the live mode of `cvxnn fit --dashboard`
 * (progress streamed to the page with server-sent events) and the heavy `geometry2d` / `fit1d`
 * fields `cvxnn fit --out` writes (docs/run-format.md).
 *
 * The solvers run synchronously, so in live mode the server lives in a worker thread: the fit
 * posts progress messages to it and the worker's own event loop keeps serving the page.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { CvxnnError, Matrix } from '@cvxnn/linalg';
import { predict, predictClass, type TwoLayerNetwork } from '@cvxnn/networks';
import type { Command } from 'commander';
import { type Io, parseNumber, printJson } from '../io.js';
import { finiteJson } from '../run-file.js';

/** Default port of `cvxnn dashboard` and `cvxnn fit --dashboard` (0 picks a free one). */
export const DEFAULT_DASHBOARD_PORT = 8737;

/** One run file the server offers. */
export interface RunEntry {
  id: string;
  name: string;
  path: string;
  bytes: number;
  live?: boolean;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The folder of the built dashboard app: `CVXNN_DASHBOARD_DIST`, else `@cvxnn/dashboard`'s
 * `dist` (resolved as a dependency), else `apps/dashboard/dist` relative to this file.
 * Throws IO_ERROR when none has an index.html.
 *
 * @example
 *   const dir = dashboardDist(); // '/…/apps/dashboard/dist'
 */
export function dashboardDist(): string {
  const tried: string[] = [];
  const candidates: string[] = [];
  if (process.env.CVXNN_DASHBOARD_DIST) candidates.push(process.env.CVXNN_DASHBOARD_DIST);
  try {
    const pkg = createRequire(import.meta.url).resolve('@cvxnn/dashboard/package.json');
    candidates.push(path.join(path.dirname(pkg), 'dist'));
  } catch {
    // not installed as a dependency: fall back to the workspace layout
  }
  const here = path.dirname(fileURLToPath(import.meta.url)); // apps/cli/{dist,src}/commands
  candidates.push(path.resolve(here, '../../../dashboard/dist'));
  for (const c of candidates) {
    tried.push(c);
    if (existsSync(path.join(c, 'index.html'))) return c;
  }
  throw new CvxnnError('IO_ERROR', `the dashboard app is not built (no index.html in ${tried.join(', ')}); run \`pnpm --filter @cvxnn/dashboard build\` (or \`pnpm build\`)`);
}

/**
 * Expand the command-line paths into run files: a file is taken as is, a folder contributes its
 * `*.json` files (not recursive, sorted by name). A missing path, or a folder without JSON files,
 * is an IO_ERROR / EMPTY_DATA naming it. Contents are not parsed here: the page validates them
 * and shows what is wrong.
 *
 * @example
 *   collectRuns(['runs/']).map((r) => r.name); // ['a.json', 'b.json']
 */
export function collectRuns(paths: string[]): RunEntry[] {
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new CvxnnError('IO_ERROR', `no run file or folder '${p}'`);
    }
    if (st.isDirectory()) {
      const json = readdirSync(p)
        .filter((f) => f.toLowerCase().endsWith('.json'))
        .sort()
        .map((f) => path.join(p, f))
        .filter((f) => statSync(f).isFile());
      if (json.length === 0) throw new CvxnnError('EMPTY_DATA', `the folder '${p}' has no .json run files`);
      files.push(...json);
    } else if (st.isFile()) files.push(p);
    else throw new CvxnnError('IO_ERROR', `'${p}' is neither a file nor a folder`);
  }
  return files.map((f, i) => ({ id: String(i), name: path.basename(f), path: path.resolve(f), bytes: statSync(f).size }));
}

/** A running dashboard server. */
export interface DashboardServer {
  server: Server;
  url: string;
  /** send a live event (`start`, `progress`, `final`) to every page listening on /api/live */
  publish(event: string, data: unknown): void;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': MIME['.json'], 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * Start the HTTP server: `/` and the app's files from `dist`, `GET /api/runs` (the list),
 * `GET /api/runs/:id` (a run file as is), `GET /api/live` (server-sent events of the live run,
 * replayed from the start for pages that connect late). Resolves once listening.
 *
 * @example
 *   const s = await startDashboardServer({ runs: collectRuns(['fit.json']), port: 0, host: '127.0.0.1', dist: dashboardDist() });
 *   console.log(s.url);
 */
export async function startDashboardServer(o: { runs: RunEntry[]; port: number; host: string; dist: string; live?: boolean; onLiveClient?: () => void }): Promise<DashboardServer> {
  const dist = path.resolve(o.dist);
  const history: string[] = [];
  const clients = new Set<ServerResponse>();
  const runs: RunEntry[] = o.live ? [{ id: 'live', name: 'live fit', path: '', bytes: 0, live: true }, ...o.runs] : o.runs;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = decodeURIComponent(url.pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: `method ${req.method} not allowed` });
    if (p === '/api/runs') return sendJson(res, 200, runs.map(({ path: _p, ...r }) => r));
    if (p === '/api/live') {
      if (!o.live) return sendJson(res, 404, { error: 'no live run (start one with `cvxnn fit --dashboard`)' });
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': cvxnn live\n\n');
      for (const h of history) res.write(h);
      clients.add(res);
      o.onLiveClient?.();
      req.on('close', () => clients.delete(res));
      return;
    }
    const m = /^\/api\/runs\/([^/]+)$/.exec(p);
    if (m) {
      const r = runs.find((x) => x.id === m[1] && !x.live);
      if (!r) return sendJson(res, 404, { error: `no run '${m[1]}'` });
      res.writeHead(200, { 'content-type': MIME['.json'], 'cache-control': 'no-store', 'content-length': statSync(r.path).size });
      createReadStream(r.path).pipe(res);
      return;
    }
    // static files of the app; anything outside dist is refused
    const file = path.resolve(dist, '.' + (p === '/' ? '/index.html' : p));
    if (!file.startsWith(dist + path.sep) || !existsSync(file) || !statSync(file).isFile()) return sendJson(res, 404, { error: `not found: ${p}` });
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    createReadStream(file).pipe(res);
  };
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new CvxnnError(
          'IO_ERROR',
          e.code === 'EADDRINUSE' ? `port ${o.port} on ${o.host} is in use; pass --port 0 for a free port or another --port` : `cannot listen on ${o.host}:${o.port}: ${e.message}`,
        ),
      ),
    );
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    server,
    url: `http://${host}:${port}/`,
    publish(event, data) {
      const msg = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
      history.push(msg);
      for (const c of clients) c.write(msg);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Try `xdg-open URL`; says what happened on `say` (also when xdg-open fails later). */
function openBrowser(url: string, say: (line: string) => void): void {
  const which = spawnSync('sh', ['-c', 'command -v xdg-open'], { encoding: 'utf8' });
  if (which.status !== 0) return say(`could not open a browser (xdg-open is not installed); open ${url} yourself`);
  const child = spawn('xdg-open', [url], { detached: true, stdio: 'ignore' });
  child.on('error', (e) => say(`could not open a browser (xdg-open: ${e.message}); open ${url} yourself`));
  child.on('exit', (code) => say(code === 0 ? `xdg-open opened ${url}` : `could not open a browser (xdg-open exited with ${code}); open ${url} yourself`));
  child.unref();
}

function parseHost(h: string): string {
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(h)) throw new CvxnnError('INVALID_OPTION', `--host must be a host name or address, got '${h}'`);
  return h.replace(/^\[(.*)\]$/, '$1');
}

/**
 * `cvxnn dashboard [RUN.json|DIR ...] [--port P] [--host H] [--open] [--json]`.
 *
 * @example
 *   register(program, processIo); // adds `cvxnn dashboard`
 */
export function register(program: Command, io: Io): void {
  program
    .command('dashboard')
    .description('serve the dashboard (objective/certificate curves, neurons, arrangements, fits) for run files written with --out')
    .argument('[runs...]', 'run JSON files or folders of them')
    .option('--port <P>', 'port (0 = any free port)', String(DEFAULT_DASHBOARD_PORT))
    .option('--host <H>', 'address to listen on', '127.0.0.1')
    .option('--open', 'open the page with xdg-open')
    .option('--json', 'print {url, runs} as one JSON object once listening')
    .action(async (paths: string[], o: { port: string; host: string; open?: boolean; json?: boolean }) => {
      const port = parseNumber('port', o.port, { integer: true, min: 0 });
      if (port > 65535) throw new CvxnnError('INVALID_OPTION', `--port must be at most 65535, got ${port}`);
      const host = parseHost(o.host);
      const runs = collectRuns(paths);
      const s = await startDashboardServer({ runs, port, host, dist: dashboardDist() });
      if (o.json) printJson(io, { url: s.url, runs: runs.map((r) => ({ id: r.id, name: r.name, path: r.path, bytes: r.bytes })) });
      else io.out(`cvxnn dashboard: ${runs.length} run${runs.length === 1 ? '' : 's'} at ${s.url} (Ctrl-C to stop)\n`);
      if (o.open) openBrowser(s.url, (line) => io.err(`${line}\n`));
    });
}

// ---------------------------------------------------------------------------------------------
// Live mode: the server in a worker thread, fed by the (synchronous) solver's progress callback.

/** What `cvxnn fit --dashboard` holds while it runs. */
export interface LiveDashboard {
  url: string;
  progress(p: { iteration: number; certificate: number; objective: number }): void;
  /** send the final run (heavy fields included); the server keeps serving it */
  finish(run: Record<string, unknown>): void;
  /** resolves true once a page listens to the live events, false after `seconds` */
  waitForPage(seconds: number): Promise<boolean>;
  close(): Promise<void>;
}

interface WorkerInit {
  cvxnnDashboardWorker: true;
  port: number;
  host: string;
  dist: string;
}

if (!isMainThread && parentPort && (workerData as WorkerInit | undefined)?.cvxnnDashboardWorker) {
  const init = workerData as WorkerInit;
  const port = parentPort;
  startDashboardServer({ runs: [], port: init.port, host: init.host, dist: init.dist, live: true, onLiveClient: () => port.postMessage({ client: true }) }).then(
    (s) => {
      port.on('message', (m: { event: string; data: unknown } | 'close') => {
        if (m === 'close') void s.close().then(() => port.close());
        else s.publish(m.event, m.data);
      });
      port.postMessage({ url: s.url });
    },
    (e: Error) => port.postMessage({ error: e.message }),
  );
}

/**
 * Start the live dashboard for `cvxnn fit --dashboard`: returns once the page is served. Progress
 * messages are throttled to one per 50 ms (the last one before `finish` is always sent).
 *
 * @example
 *   const live = await startLiveDashboard({ port: 0, host: '127.0.0.1', start: { options } });
 *   live.progress({ iteration: 10, certificate: 1e-3, objective: 4.2 });
 */
export async function startLiveDashboard(o: { port: number; host: string; start: Record<string, unknown> }): Promise<LiveDashboard> {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.ts')) throw new CvxnnError('INVALID_OPTION', '--dashboard needs the built CLI (apps/cli/dist); run `pnpm build` first');
  const init: WorkerInit = { cvxnnDashboardWorker: true, port: o.port, host: parseHost(o.host), dist: dashboardDist() };
  const worker = new Worker(self, { workerData: init });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { url?: string; error?: string }) => (m.url ? resolve(m.url) : reject(new CvxnnError('IO_ERROR', m.error ?? 'the dashboard server did not start'))));
    worker.once('error', (e) => reject(new CvxnnError('IO_ERROR', `the dashboard server failed: ${e.message}`)));
  });
  let pages = 0;
  const pageWaiters: Array<() => void> = [];
  worker.on('message', (m: { client?: boolean }) => {
    if (!m.client) return;
    pages++;
    for (const w of pageWaiters.splice(0)) w();
  });
  const t0 = performance.now();
  const post = (event: string, data: unknown) => worker.postMessage({ event, data });
  post('start', finiteJson(o.start, []));
  let lastSent = -Infinity;
  let pending: unknown = null;
  return {
    url,
    progress(p) {
      const now = performance.now();
      const point = { iteration: p.iteration, timeSeconds: (now - t0) / 1000, objective: p.objective, certificate: p.certificate };
      if (now - lastSent >= 50) {
        post('progress', finiteJson(point, []));
        lastSent = now;
        pending = null;
      } else pending = point;
    },
    finish(run) {
      if (pending) post('progress', finiteJson(pending, []));
      pending = null;
      post('final', finiteJson(run, []));
    },
    waitForPage(seconds) {
      if (pages > 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), seconds * 1000);
        pageWaiters.push(() => {
          clearTimeout(t);
          resolve(true);
        });
      });
    },
    async close() {
      worker.postMessage('close');
      await worker.terminate();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Heavy fields of `cvxnn fit --out` for low-dimensional inputs (docs/run-format.md).

function linspace(a: number, b: number, k: number): number[] {
  return Array.from({ length: k }, (_, i) => a + ((b - a) * i) / (k - 1));
}

function range(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const pad = 0.05 * (hi - lo || 1);
  return [lo - pad, hi + pad];
}

/**
 * `geometry2d` (2 features) or `fit1d` (1 feature) of a fitted network on the standardized
 * training inputs X (without the bias column; the network appends it when `appendOne`), or `{}`
 * for other widths. Targets y: the regression value, ±1 (binary) or the class index (multiclass).
 * Predictions come from `@cvxnn/networks`' forward pass; the boundary of neuron j is the line
 * where its gate (gated ReLU) or its first-layer weights (ReLU) vanish.
 *
 * @example
 *   const heavy = lowDimFields(network, Xtr, Ytr, gates, 'regression'); // { fit1d: {...} } when d = 1
 */
export function lowDimFields(
  net: TwoLayerNetwork,
  X: Matrix<Float64Array>,
  Y: Matrix<Float64Array>,
  gates: Matrix<Float64Array>,
  task: 'regression' | 'binary' | 'multiclass',
): { geometry2d?: Record<string, unknown>; fit1d?: Record<string, unknown> } {
  const d = X.cols;
  if (d !== 1 && d !== 2) return {};
  const n = X.rows;
  const y = Array.from({ length: n }, (_, i) => {
    if (task !== 'multiclass') return Y.get(i, 0);
    let best = 0;
    for (let k = 1; k < Y.cols; k++) if (Y.get(i, k) > Y.get(i, best)) best = k;
    return best;
  });
  // affine form [w_1, …, w_d, b] of a column of a d̃ × m matrix (b = 0 without the bias row)
  const affine = (M: Matrix<Float64Array>, j: number) => [...Array.from({ length: d }, (_, k) => M.get(k, j)), net.appendOne ? M.get(d, j) : 0];
  const m = net.W1.cols;
  const neurons = Array.from({ length: m }, (_, j) => ({
    weights: affine(net.W1, j),
    boundary: affine(net.kind === 'gated-relu' && net.gates ? net.gates : net.W1, j),
    output: Array.from({ length: net.W2.cols }, (_, k) => net.W2.get(j, k)),
  }));
  const value = (Z: Matrix<Float64Array>): number[] => {
    if (task === 'multiclass') return Array.from(predictClass(net, Z));
    const F = predict(net, Z);
    return Array.from({ length: Z.rows }, (_, i) => F.get(i, 0));
  };
  if (d === 1) {
    const x = Array.from({ length: n }, (_, i) => X.get(i, 0));
    const [lo, hi] = range(x);
    // kinks: where a neuron's boundary crosses the line (b + w x = 0)
    const breakpoints = neurons
      .map((nu) => (nu.boundary[0] !== 0 ? -nu.boundary[1] / nu.boundary[0] : NaN))
      .filter((t) => Number.isFinite(t))
      .sort((a, b) => a - b);
    const grid = [...new Set([...linspace(lo, hi, 201), ...breakpoints.filter((t) => t > lo && t < hi)])].sort((a, b) => a - b);
    const prediction = value(new Matrix(grid.length, 1, Float64Array.from(grid)));
    return { fit1d: { x, y, breakpoints, grid, prediction, neurons, task } };
  }
  const cols = [0, 1].map((k) => Array.from({ length: n }, (_, i) => X.get(i, k)));
  const [x0, x1] = cols.map(range);
  const K = 61;
  const gx = linspace(x0[0], x0[1], K);
  const gy = linspace(x1[0], x1[1], K);
  const pts = new Float64Array(K * K * 2);
  gy.forEach((b, r) => gx.forEach((a, c) => ((pts[(r * K + c) * 2] = a), (pts[(r * K + c) * 2 + 1] = b))));
  const z = value(new Matrix(K * K, 2, pts));
  return {
    geometry2d: {
      X: Array.from({ length: n }, (_, i) => [X.get(i, 0), X.get(i, 1)]),
      y,
      task,
      bias: net.appendOne,
      gates: Array.from({ length: gates.cols }, (_, j) => affine(gates, j)),
      neurons,
      surface: { x: gx, y: gy, z: Array.from({ length: K }, (_, r) => z.slice(r * K, (r + 1) * K)) },
    },
  };
}
