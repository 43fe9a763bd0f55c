import { runCli } from '../src/index.js';
import type { Io } from '../src/io.js';

/**
 * Run the CLI in-process with buffered stdout/stderr (not a TTY), as the tests do.
 *
 * @example
 *   const r = await run('fit', '--data', 'breast_cancer', '--lambda', '1', '--json');
 *   JSON.parse(r.out).status;
 */
export async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false };
  const code = await runCli(['node', 'cvxnn', ...args], io);
  return { code, out, err };
}
