#!/usr/bin/env node
// Regenerate the outputs shown in the documentation from real runs (`pnpm docs:outputs`, which
// builds first). Every block between `<!-- output: COMMAND -->` and `<!-- /output -->` in
// README.md, docs/*.md and packages/*/README.md is replaced by what COMMAND prints now:
//
//   cvxnn ARGS   the built CLI (node apps/cli/dist/bin.js ARGS) from the repository root,
//                stdout and stderr in the order written, shown as `$ pnpm -s cvxnn ARGS`
//   example      the ```js block just before the marker, run with node in that file's folder
//                (a package README's example imports the package by its own name)
//
// Options: --only TEXT (repeatable: blocks whose command or file contains TEXT), --list (print the
// blocks and exit), --check (write nothing; exit 1 when a block would change), --timeout S (per
// command, default 900). A command that exits 1 or 2 (an internal error or bad input: a broken
// example) leaves its block as it was and makes this script exit 1; exit 3 (finished without a
// certificate) is shown, with a last line saying so.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBlocks, renderBlock, splitWords } from './lib/output-blocks.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'apps/cli/dist/bin.js');

const args = process.argv.slice(2);
const only = [];
let list = false;
let check = false;
let timeout = 900;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--only') only.push(args[++i]);
  else if (a === '--list') list = true;
  else if (a === '--check') check = true;
  else if (a === '--timeout') timeout = Number(args[++i]);
  else {
    console.error(`docs-outputs: unknown argument '${a}' (use --only TEXT, --list, --check, --timeout S)`);
    process.exit(2);
  }
}

/** The Markdown files that can hold marked blocks. */
function markdownFiles() {
  const files = [path.join(ROOT, 'README.md')];
  const docs = path.join(ROOT, 'docs');
  if (existsSync(docs)) files.push(...readdirSync(docs).filter((f) => f.endsWith('.md')).sort().map((f) => path.join(docs, f)));
  for (const dir of ['packages', 'apps']) {
    for (const p of readdirSync(path.join(ROOT, dir)).sort()) {
      const readme = path.join(ROOT, dir, p, 'README.md');
      if (existsSync(readme)) files.push(readme);
    }
  }
  return files;
}

/** Run one command; resolves to { output, code, seconds }. stdout and stderr share one file so their order is kept. */
function run(block, file) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-docs-'));
  const out = path.join(tmp, 'out.txt');
  const fd = openSync(out, 'w');
  const t0 = performance.now();
  let r;
  try {
    if (block.command === 'example') {
      r = spawnSync(process.execPath, ['--input-type=module', '-e', block.code], { cwd: path.dirname(file), stdio: ['ignore', fd, fd], timeout: timeout * 1000 });
    } else {
      const words = splitWords(block.command);
      if (words[0] !== 'cvxnn') throw new Error(`${path.relative(ROOT, file)}:${block.line}: a command must start with 'cvxnn' or be 'example', got '${block.command}'`);
      r = spawnSync(process.execPath, [BIN, ...words.slice(1)], { cwd: ROOT, stdio: ['ignore', fd, fd], timeout: timeout * 1000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    }
  } finally {
    closeSync(fd);
  }
  const seconds = (performance.now() - t0) / 1000;
  // paths of this checkout and of temporary folders say nothing to a reader
  const output = readFileSync(out, 'utf8').split(`${ROOT}${path.sep}`).join('').split(ROOT).join('.').replaceAll(os.tmpdir(), '/tmp');
  rmSync(tmp, { recursive: true, force: true });
  const code = r.error ? (r.error.code === 'ETIMEDOUT' ? 124 : 1) : r.status ?? 128;
  return { output, code, seconds, error: r.error?.message };
}

if (!existsSync(BIN)) {
  console.error('docs-outputs: the CLI is not built (apps/cli/dist/bin.js is missing); run `pnpm build` first, or `pnpm docs:outputs`, which does');
  process.exit(1);
}

let failed = 0;
let changed = 0;
const cache = new Map();
for (const file of markdownFiles()) {
  const text = readFileSync(file, 'utf8');
  const rel = path.relative(ROOT, file);
  const blocks = findBlocks(text).filter((b) => only.length === 0 || only.some((o) => b.command.includes(o) || rel.includes(o)));
  if (blocks.length === 0) continue;
  let next = text;
  // replace from the end so earlier offsets stay valid
  for (const b of [...blocks].reverse()) {
    if (list) continue;
    const key = b.command === 'example' ? `${file}\0${b.code}` : b.command;
    const res = cache.get(key) ?? run(b, file);
    cache.set(key, res);
    const status = `${rel}:${b.line}  ${b.command === 'example' ? 'example' : b.command}  (${res.seconds.toFixed(1)} s, exit ${res.code})`;
    if (res.code !== 0 && res.code !== 3) {
      failed++;
      console.error(`FAILED ${status}\n${res.error ?? res.output.split('\n').slice(-6).join('\n')}`);
      continue;
    }
    const output = res.code === 3 ? `${res.output}# exit code 3: finished without a certificate\n` : res.output;
    const shown = b.command === 'example' ? undefined : `pnpm -s ${b.command}`;
    const block = renderBlock(b.command, output, shown);
    if (next.slice(b.start, b.end) !== block) {
      changed++;
      console.log(`updated ${status}`);
    } else console.log(`same    ${status}`);
    next = next.slice(0, b.start) + block + next.slice(b.end);
  }
  if (list) for (const b of blocks) console.log(`${rel}:${b.line}  ${b.command}`);
  if (!list && !check && next !== text) writeFileSync(file, next);
}
if (check && changed) console.error(`docs-outputs: ${changed} block(s) differ from a fresh run`);
if (failed) console.error(`docs-outputs: ${failed} command(s) failed; their blocks were left as they were`);
process.exit(failed || (check && changed) ? 1 : 0);
