/**
 * Write the P1 and P2 problem directories for bench/scnn/run_scnn.py and print one JSON
 * object {dirs: {P1: DIR, P2: DIR}, seed}.
 *
 *   pnpm exec tsx bench/scnn/make_problem.ts [--out DIR] [--seed S] [P1] [P2]
 *   /usr/bin/python3 bench/scnn/run_scnn.py DIR/P1 --model gated
 *
 * Default --out is a fresh directory under the system temp dir; default problems: P1 and P2.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CvxnnError } from '../../packages/linalg/src/index.js';
import { makeProblem, writeProblem } from './problems.js';

function main(argv: string[]): void {
  let out: string | undefined;
  let seed = 0;
  const names: ('P1' | 'P2')[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') out = argv[++i];
    else if (a === '--seed') {
      seed = Number(argv[++i]);
      if (!Number.isInteger(seed)) throw new CvxnnError('INVALID_OPTION', `--seed must be an integer, got '${argv[i]}'`);
    } else if (a === 'P1' || a === 'P2') names.push(a);
    else throw new CvxnnError('INVALID_OPTION', `unknown argument '${a}'; usage: make_problem.ts [--out DIR] [--seed S] [P1] [P2]`);
  }
  if (out === undefined) out = mkdtempSync(join(tmpdir(), 'cvxnn-scnn-'));
  const dirs: Record<string, string> = {};
  for (const name of names.length > 0 ? names : (['P1', 'P2'] as const)) {
    dirs[name] = writeProblem(join(out, name), makeProblem(name, seed));
  }
  process.stdout.write(`${JSON.stringify({ dirs, seed })}\n`);
}

try {
  main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`error${e instanceof CvxnnError ? ` [${e.code}]` : ''}: ${(e as Error).message}\n`);
  process.exit(2);
}
