/**
 * The `cvxnn` command line. Each command lives in `commands/<name>.ts` and exports
 * `register(program, io)`; `runCli` builds the program and runs it, returning the exit code.
 *
 * @example
 *   const code = await runCli(['node', 'cvxnn', 'demo', '--json']);
 */
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';
import { describeError, EXIT, type Io, processIo } from './io.js';
import { removeUnusedOutputFolders } from './output.js';
import { VERSION } from './version.js';

export { type Io, processIo } from './io.js';
export { VERSION } from './version.js';

/** Build the commander program with every command registered. */
export function buildProgram(io: Io = processIo): Command {
  const program = new Command('cvxnn')
    .description('Train neural networks by convex optimization and certify the global optimum.')
    .version(VERSION, '-V, --version', 'print the cvxnn version')
    .exitOverride();
  for (const register of commands) register(program, io);
  // Commander's own errors (unknown option, missing value, …) are printed by runCli as one
  // `error [INVALID_OPTION]` line, not in commander's format; help and version go to stdout.
  const output = { writeOut: (s: string) => io.out(s), writeErr: (s: string) => io.err(s), outputError: () => {} };
  const configure = (c: Command): void => {
    c.exitOverride().configureOutput(output);
    c.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/** The command path of argv for the help hint (`fit`, `redex fit`), as far as it names commands. */
function commandPath(program: Command, args: string[]): string {
  const names: string[] = [];
  let c: Command | undefined = program;
  for (const a of args) {
    const sub: Command | undefined = c?.commands.find((x) => x.name() === a || x.aliases().includes(a));
    if (!sub) break;
    names.push(sub.name());
    c = sub;
  }
  return names.join(' ');
}

/** Run the CLI on `argv` (as `process.argv`: node, script, args…); resolves to the exit code. */
export async function runCli(argv: string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.OK;
      if (e.code === 'commander.help') return EXIT.BAD_INPUT; // a command group without its subcommand: the help was printed to stderr
      const where = commandPath(program, argv.slice(2));
      const text = e.message.replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ').trim().replace(/\.$/, ''); // commander's own period would stand before ours
      io.err(`error [INVALID_OPTION]: ${text}; run \`cvxnn ${where ? `${where} ` : ''}--help\` for the options\n`);
      return EXIT.BAD_INPUT;
    }
    const { code, message } = describeError(e);
    if (message) io.err(message + '\n');
    return code;
  } finally {
    removeUnusedOutputFolders();
  }
}
