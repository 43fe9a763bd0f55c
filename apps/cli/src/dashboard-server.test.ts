/**
 * The dashboard server under hostile requests, missing files, remote binding and signals
 * (issue 15). Requests go out on raw sockets, so the request target is exactly the bytes written
 * (fetch would normalise it); the signal tests run the CLI's sources in a child process (tsx).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectRuns, type DashboardServer, isLoopbackHost, requestPath, startDashboardServer } from './commands/dashboard.js';
import { run } from '../test/run.js';

const BIN_TS = fileURLToPath(new URL('./bin.ts', import.meta.url));
/** apps/cli: `--import tsx` resolves tsx from the child's folder, and tsx is this package's dev dependency */
const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-dash-server-'));
  mkdirSync(path.join(dir, 'runs'));
  mkdirSync(path.join(dir, 'dist'));
  writeFileSync(path.join(dir, 'dist', 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(path.join(dir, 'runs', 'a.json'), '{"cvxnnRun": 1, "kind": "fit", "n": "a"}');
  writeFileSync(path.join(dir, 'runs', 'b.json'), '{"cvxnnRun": 1, "kind": "fit", "n": "b"}');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One HTTP/1.1 request written byte for byte; resolves to the status code and the body. */
function raw(port: number, target: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let text = '';
    sock.on('data', (d) => (text += d.toString('latin1')));
    sock.on('error', reject);
    sock.on('end', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!m) return reject(new Error(`no status line in ${JSON.stringify(text.slice(0, 200))}`));
      resolve({ status: Number(m[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    sock.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 'latin1');
  });
}

const portOf = (s: DashboardServer) => Number(new URL(s.url).port);

describe('requestPath', () => {
  it('decodes paths and drops the query and fragment', () => {
    expect(requestPath('/')).toBe('/');
    expect(requestPath(undefined)).toBe('/');
    expect(requestPath('/api/runs/0?x=%')).toBe('/api/runs/0'); // a bad query is not looked at
    expect(requestPath('/a%20b#frag')).toBe('/a b');
    expect(requestPath('/%C3%A9')).toBe('/é');
    expect(requestPath('http://127.0.0.1:1/api/runs?x')).toBe('/api/runs'); // absolute form
  });
  it('returns null for targets that are not a well-formed path', () => {
    for (const t of ['/%', '/%zz', '/%E0%A4%A', '/%C3%28', '/a%00b', '*', '127.0.0.1:80', 'ftp://x/']) expect(requestPath(t), t).toBeNull();
  });
});

describe('isLoopbackHost', () => {
  it('accepts loopback only', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', '::ffff:10.0.0.1', 'example.com', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe('startDashboardServer: no request ends it', () => {
  let s: DashboardServer;
  beforeAll(async () => {
    s = await startDashboardServer({ runs: collectRuns([path.join(dir, 'runs')]), port: 0, host: '127.0.0.1', dist: path.join(dir, 'dist') });
  });
  afterAll(() => s.close());

  it.each([
    ['/%', 400],
    ['/%zz', 400],
    ['/api/runs/%E0%A4%A', 400],
    ['/%C3%28', 400],
    ['/index.html%00.png', 400],
    ['*', 400],
    ['/nope', 404],
    ['/api/runs/', 404],
    ['/api/nothing', 404],
    ['/api/runs/99', 404],
    ['/../package.json', 404],
    ['//etc/passwd', 404],
  ])('GET %s → %i, and the server still answers', async (target, status) => {
    const r = await raw(portOf(s), target);
    expect(r.status).toBe(status);
    expect(JSON.parse(r.body)).toHaveProperty('error');
    const list = await raw(portOf(s), '/api/runs');
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body)).toHaveLength(2);
  });

  it('POST → 405 with Allow, absolute-form GET → 200', async () => {
    expect((await raw(portOf(s), '/api/runs', 'POST')).status).toBe(405);
    const r = await raw(portOf(s), `http://127.0.0.1:${portOf(s)}/api/runs/1`);
    expect(r.status).toBe(200);
    expect(r.body).toBe(readFileSync(path.join(dir, 'runs', 'b.json'), 'utf8'));
  });

  it('a page that goes away in the middle of a large file does not end the server', async () => {
    const big = path.join(dir, 'big.json');
    writeFileSync(big, JSON.stringify({ cvxnnRun: 1, pad: 'x'.repeat(8e6) }));
    const b = await startDashboardServer({ runs: collectRuns([big]), port: 0, host: '127.0.0.1', dist: path.join(dir, 'dist') });
    try {
      await new Promise<void>((resolve) => {
        const sock = connect(portOf(b), '127.0.0.1');
        sock.once('data', () => {
          sock.destroy();
          resolve();
        });
        sock.write('GET /api/runs/0 HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      expect((await raw(portOf(b), '/api/runs')).status).toBe(200);
    } finally {
      await b.close();
    }
  });
});

describe('startDashboardServer: run files that go away while it serves', () => {
  it('answers 404 naming the file, and keeps serving the others', async () => {
    const runs = path.join(dir, 'gone');
    mkdirSync(runs);
    writeFileSync(path.join(runs, 'a.json'), '{"cvxnnRun": 1}');
    writeFileSync(path.join(runs, 'b.json'), '{"cvxnnRun": 1, "kind": "b"}');
    writeFileSync(path.join(runs, 'c.json'), '{}');
    const s = await startDashboardServer({ runs: collectRuns([runs]), port: 0, host: '127.0.0.1', dist: path.join(dir, 'dist') });
    try {
      unlinkSync(path.join(runs, 'a.json'));
      unlinkSync(path.join(runs, 'c.json'));
      mkdirSync(path.join(runs, 'c.json')); // a folder where the file was
      const a = await raw(portOf(s), '/api/runs/0');
      expect(a.status).toBe(404);
      expect(JSON.parse(a.body).error).toContain('a.json is no longer at');
      expect((await raw(portOf(s), '/api/runs/2')).status).toBe(404);
      const b = await raw(portOf(s), '/api/runs/1');
      expect(b.status).toBe(200);
      expect(b.body).toBe('{"cvxnnRun": 1, "kind": "b"}');
      // and the app itself: index.html removed while serving is a 404, not a crash
      const dist = path.join(dir, 'dist2');
      mkdirSync(dist);
      writeFileSync(path.join(dist, 'index.html'), 'x');
      const t = await startDashboardServer({ runs: [], port: 0, host: '127.0.0.1', dist });
      unlinkSync(path.join(dist, 'index.html'));
      expect((await raw(portOf(t), '/')).status).toBe(404);
      expect((await raw(portOf(t), '/api/runs')).status).toBe(200);
      await t.close();
    } finally {
      await s.close();
    }
  });

  it('collectRuns skips a dangling link in a folder instead of failing', async () => {
    const runs = path.join(dir, 'links');
    mkdirSync(runs);
    writeFileSync(path.join(runs, 'ok.json'), '{}');
    const { symlinkSync } = await import('node:fs');
    symlinkSync(path.join(runs, 'missing-target.json'), path.join(runs, 'dangling.json'));
    expect(collectRuns([runs]).map((r) => r.name)).toEqual(['ok.json']);
  });
});

describe('binding beyond loopback', () => {
  it('startDashboardServer refuses a non-loopback host unless allowRemote', async () => {
    await expect(startDashboardServer({ runs: [], port: 0, host: '0.0.0.0', dist: path.join(dir, 'dist') })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('--allow-remote') });
    const s = await startDashboardServer({ runs: [], port: 0, host: '0.0.0.0', dist: path.join(dir, 'dist'), allowRemote: true });
    expect(s.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/$/);
    await s.close();
  });

  it('cvxnn dashboard --host 0.0.0.0 without --allow-remote exits 2 before listening', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10']) {
      const r = await run('dashboard', path.join(dir, 'runs'), '--port', '0', '--host', host);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^error \[INVALID_OPTION\]: --host .* is not a loopback address: .*--allow-remote/);
      expect(r.out).toBe('');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The real command in a child process (sources through tsx): warning, signals, parent watch.

/** Start `cvxnn dashboard …` from the sources; resolves once it printed its URL. */
async function startChild(args: string[], opts: { env?: Record<string, string>; shell?: boolean } = {}): Promise<{ child: ChildProcess; url: string; err: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }> {
  const node = [process.execPath, '--conditions=@cvxnn/source', '--import', 'tsx', BIN_TS, 'dashboard', ...args];
  const env: NodeJS.ProcessEnv = { ...process.env, CVXNN_DASHBOARD_DIST: path.join(dir, 'dist') };
  delete env.npm_lifecycle_event;
  delete env.npm_command;
  Object.assign(env, opts.env);
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const child = opts.shell ? spawn('sh', ['-c', `${node.map(quote).join(' ')}; echo "sh: after node"`], { cwd: CLI_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(node[0], node.slice(1), { cwd: CLI_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no URL after 40 s; stderr: ${err}`)), 40_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /(http:\/\/\S+\/)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
    void exited.then(() => reject(new Error(`exited before listening; stderr: ${err}`)));
  });
  return { child, url, err: () => err, exited };
}

/** True while something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** A process that exited but was not reaped yet (state Z) counts as gone. */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

describe('cvxnn dashboard as a process', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s closes the server and ends the process by that signal', async (signal) => {
    const c = await startChild([path.join(dir, 'runs'), '--port', '0']);
    const port = Number(new URL(c.url).port);
    expect((await raw(port, '/%')).status).toBe(400); // still up after a malformed request
    expect(await listening(port)).toBe(true);
    c.child.kill(signal);
    expect(await c.exited).toEqual({ code: null, signal });
    expect(await listening(port)).toBe(false);
  }, 60_000);

  it('--allow-remote listens on 0.0.0.0 and warns that every run file is exposed', async () => {
    const c = await startChild([path.join(dir, 'runs'), '--port', '0', '--host', '0.0.0.0', '--allow-remote']);
    try {
      expect(c.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/$/);
      await waitFor(() => c.err().includes('warning'), 5000);
      expect(c.err()).toMatch(/^warning: listening on 0\.0\.0\.0, beyond this machine: anyone who can reach .* can read every run file served \(2 from .*runs/);
    } finally {
      c.child.kill('SIGTERM');
      await c.exited;
    }
  }, 60_000);

  it('started by a package manager through a shell: stops when that shell is killed', async () => {
    // as `pnpm -s cvxnn dashboard` runs it: sh -c "node …", npm_lifecycle_event set; sh gets SIGKILL
    const c = await startChild([path.join(dir, 'runs'), '--port', '0'], { env: { npm_lifecycle_event: 'cvxnn' }, shell: true });
    const port = Number(new URL(c.url).port);
    const children = readFileSync(`/proc/${c.child.pid}/task/${c.child.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    expect(children).toHaveLength(1);
    const nodePid = children[0];
    expect(alive(nodePid)).toBe(true);
    c.child.kill('SIGKILL');
    await c.exited;
    expect(await waitFor(() => !alive(nodePid), 10_000)).toBe(true);
    expect(await listening(port)).toBe(false);
  }, 60_000);
});
