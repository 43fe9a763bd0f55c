/**
 * Issue 15, honesty of exit codes and messages: 0 certified, 3 finished without a certificate,
 * 2 bad input or options (commander's errors too, one line), 1 internal; seeds in range; notices
 * only about what was asked; the lambda-path table; the `cvxnn` launcher.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CvxnnError } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { run } from '../test/run.js';
import { csv, gaussianRows, tempFiles } from '../test/files.js';
import { describeError } from './io.js';

const t = tempFiles('cvxnn-exit-');
const data = t.write('reg.csv', csv(['a', 'b', 'y'], gaussianRows(40, 2, (x) => (Math.max(0, x[0]! - x[1]!) + 0.3 * x[1]!).toFixed(5))));
const fitArgs = ['fit', '--data', data, '--lambda', '0.1', '--model', 'gated-relu', '--patterns', '10'];

describe('exit codes', () => {
  it('0 for a certified run; 3 for max-iterations or time-limit, with the status and the certificate reached (was: 0)', async () => {
    const ok = await run(...fitArgs, '--json');
    expect([ok.code, JSON.parse(ok.out).status, ok.err]).toEqual([0, 'optimal', '']);
    const capped = await run(...fitArgs, '--max-iters', '2', '--json');
    expect(capped.code).toBe(3);
    const j = JSON.parse(capped.out); // the result is still printed
    expect(j.status).toBe('max-iterations');
    expect(capped.err).toBe(`not certified: status max-iterations (duality-gap ${j.certificate.value.toExponential(2)} relative reached, tolerance 1e-6); the result is printed but is not a certified optimum — raise --max-iters\n`);
    const timed = await run(...fitArgs, '--time-limit', '1e-9');
    expect(timed.code).toBe(3);
    expect(timed.out).toMatch(/status\s+time-limit/);
    expect(timed.err).toMatch(/^not certified: status time-limit .* raise --time-limit\n$/);
  });
  it("2 for commander's own errors, as one `error [INVALID_OPTION]` line (was: exit 1, commander's two-line format)", async () => {
    const cases: Array<[string[], RegExp]> = [
      [['fit', '--data', data, '--lambda', '1', '--no-such-option'], /^error \[INVALID_OPTION\]: unknown option '--no-such-option'.*; run `cvxnn fit --help` for the options\n$/],
      [['fit', '--data', data, '--lambda'], /^error \[INVALID_OPTION\]: option '--lambda <L>' argument missing; run `cvxnn fit --help` for the options\n$/],
      [['fit', '--lambda', '1'], /^error \[INVALID_OPTION\]: required option '--data <file>' not specified; run `cvxnn fit --help`/],
      [['no-such-command'], /^error \[INVALID_OPTION\]: unknown command 'no-such-command'; run `cvxnn --help`/],
      [['redex', 'fit', '--data'], /^error \[INVALID_OPTION\]: option '--data <file>' argument missing; run `cvxnn redex fit --help`/],
      // a value given to a flag that takes none: commander's message ends in a period, ours follows it (was `got 1.; run`)
      [['fit', '--data', data, '--header', '--lambda', '1'], /^error \[INVALID_OPTION\]: too many arguments for 'fit'\. Expected 0 arguments but got 1; run `cvxnn fit --help` for the options\n$/],
    ];
    for (const [args, msg] of cases) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(msg);
      expect(r.out).toBe('');
    }
    expect((await run('--help')).code).toBe(0);
    expect((await run('fit', '--help')).code).toBe(0);
  });
  it('1 for an internal error, 2 for a typed input error (describeError)', () => {
    expect(describeError(new TypeError('x is undefined')).code).toBe(1);
    expect(describeError(new CvxnnError('INVALID_OPTION', 'bad\nvalue'))).toEqual({ code: 2, message: 'error [INVALID_OPTION]: bad value' });
    expect(describeError(new CvxnnError('INTERNAL', 'bug')).code).toBe(1);
  });
  it('seeds outside 0 … 2³¹ − 1 are refused (was: 4294967296 silently equal to 0)', async () => {
    for (const seed of ['4294967296', '2147483648', '-1', '1.5', '1e20']) {
      const r = await run(...fitArgs, '--seed', seed);
      expect(r.code, seed).toBe(2);
      expect(r.err).toMatch(/^error \[INVALID_OPTION\]: --seed must be (an integer in 0 … 2147483647|an integer)/);
    }
    expect((await run('patterns', '--data', data, '--sample', '5', '--seed', '-3')).code).toBe(2);
    expect((await run('demo', '--n', '20', '--d', '2', '--seed', '4294967296')).code).toBe(2);
    expect((await run(...fitArgs, '--seed', '2147483647', '--test-fraction', '0.2', '--json')).code).toBe(0);
  });
});

describe('notices only about what was asked', () => {
  it('the auto backend prints nothing about tfjs-node-gpu or CUDA (was: a 400-character note on every run)', async () => {
    const r = await run(...fitArgs);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).not.toMatch(/tfjs|CUDA/);
  });
  it('an explicitly requested backend that is unavailable is an error with the reason', async () => {
    const r = await run(...fitArgs, '--backend', 'tfjs-node-gpu');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error \[BACKEND_UNAVAILABLE\]: backend 'tfjs-node-gpu' unavailable/);
  });
  it('--lambda-path text output shows the path table: K geometric steps from λ_max down to λ (was: not shown)', async () => {
    const K = 5;
    const j = JSON.parse((await run(...fitArgs, '--lambda-path', String(K), '--json')).out);
    const r = await run(...fitArgs, '--lambda-path', String(K));
    expect(r.code, r.err).toBe(0);
    const table = r.out.split('\n').filter((l) => /^\s+\d+\/5\s/.test(l));
    expect(table).toHaveLength(K);
    expect(r.out).toMatch(/λ-path\s+λ\s+objective\s+certificate\s+active\s+iterations/);
    // the grid below λ_max (whose solution is 0): λ_k = λ_max·(λ/λ_max)^(k/K), k = 1…K, from the run's λ_max
    const lambdas = table.map((l) => Number(l.trim().split(/\s+/)[1]));
    lambdas.forEach((v, k) => expect(v).toBeCloseRel(j.lambdaMax * (0.1 / j.lambdaMax) ** ((k + 1) / K), 1e-3));
    expect(lambdas[K - 1]).toBe(0.1);
    // the iterations line is the whole path's: the sum of the table's column, and it says so
    const perPoint = table.map((l) => Number(l.trim().split(/\s+/).at(-1)));
    const total = perPoint.reduce((a, b) => a + b, 0);
    expect(r.out).toMatch(new RegExp(`\\niterations\\s+${total} \\(all ${K} points of the λ path\\)\\n`));
  });
});

describe('the cvxnn launcher (apps/cli/bin/cvxnn.js)', () => {
  const launcher = fileURLToPath(new URL('../bin/cvxnn.js', import.meta.url));
  /** A copy of the launcher next to a stand-in dist/bin.js that prints the folder it runs in. */
  function fakeInstall(withDist: boolean): string {
    const root = t.path(`install-${withDist}`);
    mkdirSync(path.join(root, 'bin'), { recursive: true });
    copyFileSync(launcher, path.join(root, 'bin', 'cvxnn.js'));
    if (withDist) {
      mkdirSync(path.join(root, 'dist'), { recursive: true });
      t.write(`install-${withDist}/dist/bin.js`, 'process.stdout.write(JSON.stringify({ cwd: process.cwd(), args: process.argv.slice(2) }));\n');
    }
    return path.join(root, 'bin', 'cvxnn.js');
  }
  const env = (extra: Record<string, string>) => {
    const e: NodeJS.ProcessEnv = { ...process.env, ...extra };
    if (!('npm_lifecycle_event' in extra)) delete e.npm_lifecycle_event;
    return e;
  };
  it('before `pnpm build`: a one-line "run `pnpm build` first", exit 1 (was: a module-not-found trace)', () => {
    const r = spawnSync(process.execPath, [fakeInstall(false), 'fit'], { encoding: 'utf8', env: env({}) });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: the cvxnn CLI is not built \(.*dist\/bin\.js is missing\); run `pnpm build` in the repository root first\n$/);
  });
  it('as the root `cvxnn` script (pnpm runs it in the workspace root), paths are the caller folder (INIT_CWD)', () => {
    const bin = fakeInstall(true);
    const user = t.path('user-folder');
    mkdirSync(user, { recursive: true });
    const viaScript = spawnSync(process.execPath, [bin, 'fit', '--data', 'x.csv'], { encoding: 'utf8', cwd: path.dirname(launcher), env: env({ npm_lifecycle_event: 'cvxnn', INIT_CWD: user }) });
    expect(JSON.parse(viaScript.stdout)).toEqual({ cwd: user, args: ['fit', '--data', 'x.csv'] });
    // `pnpm exec cvxnn` / `npx cvxnn` already run in the caller's folder: no change
    const direct = spawnSync(process.execPath, [bin], { encoding: 'utf8', cwd: user, env: env({ INIT_CWD: '/' }) });
    expect(JSON.parse(direct.stdout).cwd).toBe(user);
  });
  it('is the bin of @cvxnn/cli and the target of the root script', () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8'));
    expect(pkg.bin.cvxnn).toBe('./bin/cvxnn.js');
    const root = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8'));
    expect(root.scripts.cvxnn).toMatch(/node apps\/cli\/bin\/cvxnn\.js$/);
    expect(readFileSync(launcher, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});
