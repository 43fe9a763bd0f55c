#!/usr/bin/env node
/**
 * Build the optional OpenBLAS addon (native/build/Release/cvxnn_blas.node) with node-gyp, only
 * when this machine can: a C compiler that finds <cblas.h> and links -lopenblas, and local Node
 * headers (nothing is ever downloaded). Otherwise print one notice line and exit 0, so
 * `pnpm build` never fails because of the optional backend.
 *
 *   node scripts/build-addon.mjs           # build when missing or older than its sources
 *   node scripts/build-addon.mjs --force   # rebuild
 *
 * Environment:
 *   CVXNN_BLAS=0              skip the addon
 *   CVXNN_CBLAS_INCLUDE=dir   extra include directory for cblas.h
 *   CVXNN_BLAS_LIBS="-L/x -lopenblas"  link flags (default -lopenblas)
 *   CVXNN_NODEDIR=dir         Node headers prefix (default: the one of this node binary, <prefix>/include/node)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(here, '..');
const native = path.join(pkg, 'native');
const target = path.join(native, 'build', 'Release', 'cvxnn_blas.node');
const logFile = path.join(native, 'build', 'addon-build.log');
const force = process.argv.includes('--force');

const notice = (why) => {
  console.log(`@cvxnn/backend-blas: OpenBLAS addon not built (${why}); the 'blas' backends stay unavailable, everything else works.`);
  process.exit(0);
};

if (process.env.CVXNN_BLAS === '0' || process.env.CVXNN_BLAS === 'off') notice('CVXNN_BLAS=0');

const sources = ['blas_addon.c', 'binding.gyp'].map((f) => path.join(native, f));
if (!force && existsSync(target)) {
  const built = statSync(target).mtimeMs;
  if (sources.every((s) => statSync(s).mtimeMs <= built)) process.exit(0); // up to date
}

const includeDirs = (process.env.CVXNN_CBLAS_INCLUDE ?? '').split(path.delimiter).filter(Boolean);
const libs = (process.env.CVXNN_BLAS_LIBS ?? '-lopenblas').split(/\s+/).filter(Boolean);

// 1. can the C compiler find cblas.h and link OpenBLAS?
const cc = process.env.CC ?? 'cc';
const probeDir = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-blas-probe-'));
try {
  const src = path.join(probeDir, 'probe.c');
  writeFileSync(src, '#include <cblas.h>\nint main(void) { double a = 1, b = 2, c = 0; cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.0, &a, 1, &b, 1, 0.0, &c, 1); openblas_set_num_threads(1); return c == 2 ? 0 : 1; }\n');
  const args = [...includeDirs.map((d) => `-I${d}`), src, '-o', path.join(probeDir, 'probe'), ...libs];
  const r = spawnSync(cc, args, { encoding: 'utf8' });
  if (r.error) notice(`no C compiler '${cc}'`);
  if (r.status !== 0) {
    const header = /cblas\.h/.test(r.stderr) && /No such file|not found/.test(r.stderr);
    notice(header ? 'cblas.h not found: install libopenblas-dev' : 'cannot link OpenBLAS (-lopenblas): install libopenblas-dev');
  }
} finally {
  rmSync(probeDir, { recursive: true, force: true });
}

// 2. local Node headers (node-gyp would otherwise try to download them)
const candidates = [process.env.CVXNN_NODEDIR, path.resolve(path.dirname(process.execPath), '..')].filter(Boolean);
const nodedir = candidates.find((d) => existsSync(path.join(d, 'include', 'node', 'node_api.h')) && existsSync(path.join(d, 'include', 'node', 'common.gypi')));
if (!nodedir) notice(`no local Node headers (looked for include/node/node_api.h under ${candidates.join(', ')}); set CVXNN_NODEDIR`);

// 3. node-gyp: this package's devDependency, else the one bundled with npm
const require = createRequire(import.meta.url);
let gyp;
try {
  gyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  const bundled = path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (existsSync(bundled)) gyp = bundled;
}
if (!gyp) notice('node-gyp not found: run pnpm install');

mkdirSync(path.dirname(logFile), { recursive: true });
const env = { ...process.env, CVXNN_CBLAS_INCLUDE: includeDirs.join(' '), CVXNN_BLAS_LIBS: libs.join(' ') };
const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '--release'], { cwd: native, env, encoding: 'utf8' });
writeFileSync(logFile, `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
if (r.status !== 0 || !existsSync(target)) notice(`node-gyp failed; see ${path.relative(process.cwd(), logFile)}`);

// 4. smoke test: load it and run one product
try {
  const out = execFileSync(process.execPath, ['-e', `const a = require(${JSON.stringify(target)}); const C = new Float64Array(1); a.gemm(false, false, 1, 1, 1, 1, new Float64Array([3]), 0, 1, new Float64Array([2]), 0, 1, 0, C, 0, 1, false); process.stdout.write(String(C[0]));`], { encoding: 'utf8' });
  if (out !== '6') throw new Error(`1×1 product gave ${out}, expected 6`);
} catch (e) {
  rmSync(target, { force: true });
  notice(`built but failed to load: ${String(e.message).split('\n')[0]}`);
}
console.log(`@cvxnn/backend-blas: built ${path.relative(process.cwd(), target)} (OpenBLAS, node-gyp, headers from ${nodedir})`);
