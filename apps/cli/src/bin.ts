#!/usr/bin/env node
import { runCli } from './index.js';

// `cvxnn … | head`: the reader went away; stop quietly, as a command killed by SIGPIPE does
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await runCli(process.argv);
