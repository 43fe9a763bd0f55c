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
import { existsSync, readdirSync, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
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
  const files: Array<{ file: string; bytes: number }> = [];
  const fileSize = (f: string) => {
    try {
      const st = statSync(f);
      return st.isFile() ? st.size : -1;
    } catch {
      return -1; // a dangling link or an entry gone since the listing
    }
  };
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
        .map((f) => ({ file: path.join(p, f), bytes: fileSize(path.join(p, f)) }))
        .filter((f) => f.bytes >= 0);
      if (json.length === 0) throw new CvxnnError('EMPTY_DATA', `the folder '${p}' has no .json run files`);
      files.push(...json);
    } else if (st.isFile()) files.push({ file: p, bytes: st.size });
    else throw new CvxnnError('IO_ERROR', `'${p}' is neither a file nor a folder`);
  }
  return files.map(({ file, bytes }, i) => ({ id: String(i), name: path.basename(file), path: path.resolve(file), bytes }));
}

/** A running dashboard server. */
export interface DashboardServer {
  server: Server;
  url: string;
  /** send a live event (`start`, `progress`, `final`) to every page listening on /api/live */
  publish(event: string, data: unknown): void;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': MIME['.json'], 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/**
 * The decoded path of a request target (`/a%20b?x=1` → `/a b`), or null when it is not one the
 * server can answer: bad percent-encoding (`/%`, `/%zz`, an invalid UTF-8 sequence), a NUL byte,
 * or a target that is neither a path nor an absolute http(s) URL (`*`, `host:port`).
 *
 * @example
 *   requestPath('/api/runs/0?x=1'); // '/api/runs/0'
 *   requestPath('/%');              // null (answered with 400)
 */
export function requestPath(target: string | undefined): string | null {
  let raw = target ?? '/';
  if (!raw.startsWith('/')) {
    if (!/^https?:\/\//i.test(raw)) return null;
    try {
      raw = new URL(raw).pathname;
    } catch {
      return null;
    }
  }
  raw = raw.replace(/[?#].*$/s, '');
  let p: string;
  try {
    p = decodeURIComponent(raw);
  } catch {
    return null;
  }
  return p.includes('\0') ? null : p;
}

/**
 * True for addresses only this machine can reach: `localhost`, 127.0.0.0/8, `::1` (also as an
 * IPv4-mapped `::ffff:127.x.y.z`). `0.0.0.0`, `::`, other addresses and host names are not.
 *
 * @example
 *   isLoopbackHost('127.0.0.1'); // true
 *   isLoopbackHost('0.0.0.0');   // false (every interface)
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.replace(/^::ffff:/, '');
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Stream one file as the answer, or a JSON 404 when it is not (or no longer) a readable file.
 * Opening first and reading through that handle means a file deleted between the check and the
 * read cannot fail the request half-way; a read error after the headers ends the response.
 */
async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, headers: Record<string, string>, missing: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, 'r');
    const st = await fh.stat();
    if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    res.writeHead(200, { ...headers, 'content-length': String(st.size) });
    if (req.method === 'HEAD') {
      res.end();
      await fh.close();
      return;
    }
    const stream = fh.createReadStream();
    fh = undefined; // the stream closes it
    await pipeline(stream, res).catch(() => res.destroy()); // the page went away, or the read failed
  } catch (e) {
    await fh?.close().catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    if (res.headersSent) res.destroy();
    else if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') sendJson(res, 404, { error: missing });
    else sendJson(res, 500, { error: `cannot read ${path.basename(file)}: ${code ?? (e as Error).message}` });
  }
}

/**
 * Start the HTTP server: `/` and the app's files from `dist`, `GET /api/runs` (the list),
 * `GET /api/runs/:id` (a run file as is), `GET /api/live` (server-sent events of the live run,
 * replayed from the start for pages that connect late). Resolves once listening.
 *
 * No request ends the server: a malformed target is a 400, an unknown path or a run file that
 * was deleted after the start a 404, anything unexpected a 500. A non-loopback `host` (see
 * `isLoopbackHost`) is refused with INVALID_OPTION unless `allowRemote` is set.
 *
 * @example
 *   const s = await startDashboardServer({ runs: collectRuns(['fit.json']), port: 0, host: '127.0.0.1', dist: dashboardDist() });
 *   console.log(s.url);
 */
export async function startDashboardServer(o: { runs: RunEntry[]; port: number; host: string; dist: string; live?: boolean; allowRemote?: boolean; onLiveClient?: () => void }): Promise<DashboardServer> {
  if (!o.allowRemote && !isLoopbackHost(o.host)) {
    throw new CvxnnError('INVALID_OPTION', `--host ${o.host} is not a loopback address: every run file served would be readable from the network; pass --allow-remote as well to do that, or leave --host at 127.0.0.1`);
  }
  const dist = path.resolve(o.dist);
  const history: string[] = [];
  const clients = new Set<ServerResponse>();
  const runs: RunEntry[] = o.live ? [{ id: 'live', name: 'live fit', path: '', bytes: 0, live: true }, ...o.runs] : o.runs;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: `method ${req.method} not allowed` }, { allow: 'GET, HEAD' });
    const p = requestPath(req.url);
    if (p === null) return sendJson(res, 400, { error: 'malformed request path (bad percent-encoding or not a path)' });
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
      return sendFile(req, res, r.path, { 'content-type': MIME['.json'], 'cache-control': 'no-store' }, `the run file ${r.name} is no longer at ${r.path}`);
    }
    // static files of the app; anything outside dist is refused
    const file = path.resolve(dist, '.' + (p === '/' ? '/index.html' : p));
    if (!file.startsWith(dist + path.sep)) return sendJson(res, 404, { error: `not found: ${p}` });
    return sendFile(req, res, file, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }, `not found: ${p}`);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: `internal error: ${e instanceof Error ? e.message : String(e)}` });
    });
  });
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

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Until the process ends: on SIGINT, SIGTERM or SIGHUP run `close` (at most 2 s), then end the
 * process by that same signal, so a parent such as `pnpm` sees how it ended. When a package
 * manager started the process (`npm_lifecycle_event` / `npm_command` set) it also stops once its
 * parent is gone (`kill -9` of pnpm forwards nothing), checked once a second.
 *
 * @example
 *   stopOnSignals(() => server.close());
 */
export function stopOnSignals(close: () => Promise<void>): void {
  let stopping = false;
  let watch: NodeJS.Timeout | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    clearInterval(watch);
    let ended = false;
    const exit = () => {
      if (ended) return;
      ended = true;
      for (const s of STOP_SIGNALS) process.removeListener(s, stop);
      process.kill(process.pid, signal);
    };
    setTimeout(exit, 2000).unref();
    close().then(exit, exit);
  };
  for (const s of STOP_SIGNALS) process.on(s, stop);
  if (process.env.npm_lifecycle_event === undefined && process.env.npm_command === undefined) return;
  const parent = process.ppid;
  watch = setInterval(() => process.ppid !== parent && stop('SIGTERM'), 1000);
  watch.unref();
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
 * `cvxnn dashboard [RUN.json|DIR ...] [--port P] [--host H [--allow-remote]] [--open] [--json]`.
 * Serves until SIGINT / SIGTERM / SIGHUP (see `stopOnSignals`).
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
    .option('--host <H>', 'address to listen on (loopback unless --allow-remote)', '127.0.0.1')
    .option('--allow-remote', 'allow a --host other than loopback (0.0.0.0, a LAN address): every run file served becomes readable from the network')
    .option('--open', 'open the page with xdg-open')
    .option('--json', 'print {url, runs} as one JSON object once listening')
    .action(async (paths: string[], o: { port: string; host: string; allowRemote?: boolean; open?: boolean; json?: boolean }) => {
      const port = parseNumber('port', o.port, { integer: true, min: 0 });
      if (port > 65535) throw new CvxnnError('INVALID_OPTION', `--port must be at most 65535, got ${port}`);
      const host = parseHost(o.host);
      const runs = collectRuns(paths);
      const s = await startDashboardServer({ runs, port, host, dist: dashboardDist(), allowRemote: o.allowRemote });
      stopOnSignals(() => s.close());
      if (!isLoopbackHost(host)) {
        const where = paths.length ? paths.join(', ') : 'no run files';
        io.err(`warning: listening on ${host}, beyond this machine: anyone who can reach ${s.url} can read every run file served (${runs.length} from ${where}: data names, options, networks, training inputs of 1- and 2-feature runs); stop with Ctrl-C\n`);
      }
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
export async function startLiveDashboard(o: { port: number; host: string; start: Record<string, unknown>; say?: (line: string) => void }): Promise<LiveDashboard> {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.ts')) throw new CvxnnError('INVALID_OPTION', '--dashboard needs the built CLI (apps/cli/dist); run `pnpm build` first');
  const say = o.say ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const init: WorkerInit = { cvxnnDashboardWorker: true, port: o.port, host: parseHost(o.host), dist: dashboardDist() };
  const worker = new Worker(self, { workerData: init });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { url?: string; error?: string }) => (m.url ? resolve(m.url) : reject(new CvxnnError('IO_ERROR', m.error ?? 'the dashboard server did not start'))));
    worker.once('error', (e) => reject(new CvxnnError('IO_ERROR', `the dashboard server failed: ${e.message}`)));
  });
  // the server is not expected to stop before close(); if it does, say so instead of going quiet
  let closing = false;
  let failure = '';
  worker.on('error', (e) => void (failure = e.message));
  worker.on('exit', (code) => {
    if (!closing) say(`live dashboard: the server stopped (${failure || `exit code ${code}`}); ${url} no longer answers`);
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
  const live: LiveDashboard = {
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
      // the solve is over, so JavaScript signal handlers run at once: close the server on a signal
      stopOnSignals(() => live.close());
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
      closing = true;
      worker.postMessage('close');
      await worker.terminate();
    },
  };
  return live;
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
