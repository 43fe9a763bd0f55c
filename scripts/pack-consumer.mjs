#!/usr/bin/env node
// CI step: do the library packages install and work on their own?
//
// 1. build them (turbo, cached) and pack each with pnpm, so `workspace:` and `catalog:` versions
//    are written out; check every tarball: README.md, LICENSE, `engines`, no test files, no
//    `workspace:`/`catalog:` left in its dependencies;
// 2. pack their third-party dependencies (and theirs, transitively) from the pnpm-installed copies,
//    so the install below needs no network;
// 3. `npm install --offline` all tarballs, with an empty npm cache, into a fresh folder outside the
//    workspace;
// 4. run scripts/pack-consumer/consumer.mjs there with node (a gated-ReLU fit on a bundled dataset
//    must end 'optimal' with a relative gap ≤ 1e-6), and every package README's example, whose
//    printed output must equal the README's block (`pnpm docs:outputs` regenerates those).
//
// The backend packages (native onnxruntime / tfjs / OpenBLAS) are not part of this check.
// Usage: node scripts/pack-consumer.mjs [--keep]   (--keep: leave the temporary folder and say where)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBlocks } from './lib/output-blocks.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const problems = [];
const say = (line) => console.log(`pack-consumer: ${line}`);
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

// the library packages: every publishable package under packages/ except the native backends
const libraries = readdirSync(path.join(ROOT, 'packages'))
  .sort()
  .map((dir) => ({ dir: path.join(ROOT, 'packages', dir), pkg: readJson(path.join(ROOT, 'packages', dir, 'package.json')) }))
  .filter(({ pkg }) => !pkg.private && !pkg.name.startsWith('@cvxnn/backend-'));

const tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'cvxnn-pack-')));
if (tmp.startsWith(ROOT + path.sep)) throw new Error(`the temporary folder ${tmp} is inside the workspace`);
for (let d = tmp; d !== path.dirname(d); d = path.dirname(d)) {
  if (existsSync(path.join(path.dirname(d), 'node_modules'))) problems.push(`${path.join(path.dirname(d), 'node_modules')} exists above the consumer folder: it could hide a missing dependency`);
}
const tarballs = path.join(tmp, 'tarballs');
const deps = path.join(tmp, 'deps');
const consumer = path.join(tmp, 'consumer');
for (const d of [tarballs, deps, consumer]) mkdirSync(d);

try {
  // 1. build and pack
  say(`building ${libraries.map((l) => l.pkg.name).join(', ')}`);
  execFileSync('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only', ...libraries.map((l) => `--filter=${l.pkg.name}`)], { cwd: ROOT, stdio: 'inherit' });
  const packed = [];
  for (const { dir, pkg } of libraries) {
    execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    const file = path.join(tarballs, `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`);
    if (!existsSync(file)) throw new Error(`pnpm pack did not write ${file}`);
    packed.push(file);
    const entries = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const need of ['package/package.json', 'package/README.md', 'package/LICENSE']) if (!entries.includes(need)) problems.push(`${pkg.name}: the tarball has no ${need.slice(8)}`);
    const tests = entries.filter((e) => /\.(test|spec|bench)\.[cm]?[jt]s$/.test(e) || /^package\/(test|bench)\//.test(e));
    if (tests.length) problems.push(`${pkg.name}: the tarball ships test or benchmark files (${tests.slice(0, 3).join(', ')}${tests.length > 3 ? ', …' : ''})`);
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', file, 'package/package.json'], { encoding: 'utf8' }));
    if (!manifest.engines?.node) problems.push(`${pkg.name}: no engines.node in the packed package.json`);
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      for (const [name, spec] of Object.entries(manifest[field] ?? {})) {
        if (/^(workspace|catalog):/.test(spec)) problems.push(`${pkg.name}: ${field}.${name} is still '${spec}' in the tarball`);
      }
    }
  }
  say(`packed ${packed.length} packages`);

  // 2. third-party dependencies from the pnpm-installed copies: node's lookup from each package's real folder
  const installedDir = (from, name) => {
    for (let d = from; d !== path.dirname(d); d = path.dirname(d)) {
      const cand = path.join(d, 'node_modules', name);
      if (existsSync(path.join(cand, 'package.json'))) return realpathSync(cand);
    }
    throw new Error(`${name} (a dependency of ${from}) is not installed; run pnpm install`);
  };
  const seen = new Map(); // real folder → name@version
  const visit = (from, pkg) => {
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      if (name.startsWith('@cvxnn/')) continue;
      const dir = installedDir(from, name);
      if (seen.has(dir)) continue;
      const dp = readJson(path.join(dir, 'package.json'));
      seen.set(dir, `${dp.name}@${dp.version}`);
      visit(dir, dp);
    }
  };
  for (const { dir, pkg } of libraries) visit(realpathSync(dir), pkg);
  // an installed folder holds just the files its tarball had; `npm pack` refuses to run inside node_modules, so tar it as npm would
  for (const [dir, id] of seen) {
    const stage = path.join(tmp, 'stage', id.replace(/[@/]/g, '_'));
    cpSync(dir, path.join(stage, 'package'), { recursive: true, dereference: true, filter: (src) => !src.slice(dir.length).includes(`${path.sep}node_modules`) });
    execFileSync('tar', ['-czf', path.join(deps, `${id.replace(/^@/, '').replace(/[/@]/g, '-')}.tgz`), '-C', stage, 'package']);
  }
  say(`packed ${seen.size} third-party dependencies from their pnpm-installed copies: ${[...seen.values()].sort().join(', ')}`);

  // 3. install into a fresh folder with npm, offline, from an empty cache
  writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'cvxnn-pack-consumer', version: '0.0.0', private: true, type: 'module' }, null, 2));
  const all = [...packed, ...readdirSync(deps).map((f) => path.join(deps, f))];
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--cache', path.join(tmp, 'npm-cache'), ...all], { cwd: consumer, stdio: 'inherit' });
  say(`npm installed ${all.length} tarballs into ${consumer}`);

  // 4. the consumer script and the README examples, with node, from the consumer folder
  copyFileSync(path.join(ROOT, 'scripts/pack-consumer/consumer.mjs'), path.join(consumer, 'consumer.mjs'));
  const fit = spawnSync(process.execPath, ['consumer.mjs'], { cwd: consumer, encoding: 'utf8' });
  if (fit.status !== 0) problems.push(`consumer.mjs exited ${fit.status}: ${(fit.stderr || fit.stdout).trim()}`);
  else say(`consumer.mjs: ${fit.stdout.trim()}`);
  for (const { dir, pkg } of libraries) {
    const readme = path.join(dir, 'README.md');
    if (!existsSync(readme)) continue;
    findBlocks(readFileSync(readme, 'utf8'))
      .filter((b) => b.command === 'example')
      .forEach((b, i) => {
        const file = path.join(consumer, `example-${pkg.name.split('/')[1]}-${i}.mjs`);
        writeFileSync(file, b.code);
        const r = spawnSync(process.execPath, [file], { cwd: consumer, encoding: 'utf8' });
        const got = `${r.stdout}${r.stderr}`.trimEnd();
        if (r.status !== 0) problems.push(`${pkg.name} README example (line ${b.line}) exited ${r.status}: ${got.split('\n').slice(-3).join(' | ')}`);
        else if (got !== b.body.trimEnd()) problems.push(`${pkg.name} README example (line ${b.line}) printed\n${got}\ninstead of\n${b.body.trimEnd()}\n(run \`pnpm docs:outputs\` after a change that alters it)`);
        else say(`${pkg.name} README example: prints what the README shows`);
      });
  }
} catch (e) {
  problems.push(e instanceof Error ? e.message : String(e));
} finally {
  if (keep) say(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

if (problems.length) {
  for (const p of problems) console.error(`pack-consumer: FAILED ${p}`);
  process.exit(1);
}
say('every library package installs from its tarball and works on its own');
