/** The `tunesmith` program (bundled to dist/cli.cjs): the dispatcher bound to this process. */
import type { CommandIO } from './command.ts';
import { runCli } from './run.ts';

function processIO(): CommandIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stdoutBytes: (bytes) => process.stdout.write(bytes),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    stderrIsTTY: process.stderr.isTTY === true,
  };
}

void runCli(process.argv.slice(2), processIO()).then((code) => {
  // exitCode, not exit(): stdout may still be draining into a pipe.
  process.exitCode = code;
});
