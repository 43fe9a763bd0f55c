/**
 * Paths the user typed resolve against the directory the user ran the command in:
 * `process.cwd()` — the launcher (`apps/cli/bin/cvxnn.js`) changes into `INIT_CWD` first when
 * pnpm runs the root `cvxnn` script from another folder (pnpm runs scripts at the workspace root
 * and records the caller's folder in `INIT_CWD`); `pnpm exec cvxnn` and `npx cvxnn` already run
 * in the caller's folder.
 */
import path from 'node:path';

/**
 * The absolute path of a path the user gave.
 *
 * @example
 *   userPath('runs/fit.json'); // '/home/me/project/runs/fit.json' when run from /home/me/project
 */
export function userPath(p: string): string {
  return path.resolve(process.cwd(), p);
}
