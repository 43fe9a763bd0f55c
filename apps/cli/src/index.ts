/**
 * The `cvxnn` command line. Each command lives in `commands/<name>.ts` and exports
 * `register(program, io)`; `runCli` builds the program and runs it, returning the exit code.
 *
 * @example
 *   const code = await runCli(['node', 'cvxnn', 'demo', '--json']);
 */
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';
import { describeError, type Io, processIo } from './io.js';
import { VERSION } from './version.js';

export { type Io, processIo } from './io.js';
export { VERSION } from './version.js';

/** Build the commander program with every command registered. */
export function buildProgram(io: Io = processIo): Command {
  const program = new Command('cvxnn')
    .description('Train neural networks by convex optimization and certify the global optimum.')
    .version(VERSION, '-V, --version', 'print the cvxnn version')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run cvxnn <command> --help for the options)')
    .exitOverride();
  for (const register of commands) register(program, io);
  program.commands.forEach((c) => c.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }));
  return program;
}

/** Run the CLI on `argv` (as `process.argv`: node, script, args…); resolves to the exit code. */
export async function runCli(argv: string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode;
    }
    const { code, message } = describeError(e);
    if (message) io.err(message + '\n');
    return code;
  }
}
