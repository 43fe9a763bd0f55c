#!/usr/bin/env node
// The `cvxnn` command (`pnpm -s cvxnn`, `pnpm exec cvxnn`, `npx cvxnn`): runs the built CLI in
// dist/, in this process (so signals reach it), or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const notBuilt = (what) => {
  process.stderr.write(`error: the cvxnn CLI is not built (${what}); run \`pnpm build\` in the repository root first\n`);
  process.exit(1);
};
if (!existsSync(dist)) notBuilt(`${dist} is missing`);
// pnpm runs the root `cvxnn` script in the workspace root and records the folder the user typed
// the command in as INIT_CWD: relative paths (--data, --out, …) are the user's, so go there.
if (process.env.npm_lifecycle_event === 'cvxnn' && process.env.INIT_CWD) {
  try {
    process.chdir(process.env.INIT_CWD);
  } catch {
    // a folder that vanished: stay in the workspace root
  }
}
try {
  await import(pathToFileURL(dist).href);
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND') notBuilt(`a built module is missing: ${String(e.message).split('\n')[0]}`);
  throw e;
}
