/** The `tunesmith` program (bundled to dist/cli.cjs): the dispatcher bound to this process. */
import { EXIT, type CommandIO } from './command.ts';
import { describeError } from '../core/io/files.ts';
import { runCli } from './run.ts';

/**
 * Write errors on stdout arrive as 'error' events, which would otherwise end the process with a stack
 * trace and exit code 1 ("findings"). The first one is kept, and nothing more is written after it.
 */
let stdoutError: NodeJS.ErrnoException | undefined;
process.stdout.on('error', (error: NodeJS.ErrnoException) => (stdoutError ??= error));
// Nothing can be said about a broken stderr; it must not end the process either.
process.stderr.on('error', () => {});

function flushStdout(): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stdoutError) return reject(stdoutError);
    // Writes complete in order: the callback of an empty write comes after every earlier one.
    process.stdout.write('', (error) => {
      const failure = stdoutError ?? error;
      if (failure) reject(failure);
      else resolve();
    });
  });
}

function processIO(): CommandIO {
  return {
    stdout: (text) => {
      if (!stdoutError) process.stdout.write(text);
    },
    stdoutBytes: (bytes) => {
      if (!stdoutError) process.stdout.write(bytes);
    },
    stderr: (text) => process.stderr.write(text),
    flushStdout,
    cwd: process.cwd(),
    stderrIsTTY: process.stderr.isTTY === true,
  };
}

async function main(): Promise<void> {
  const code = await runCli(process.argv.slice(2), processIO());
  await flushStdout().catch(() => {});
  if (stdoutError && stdoutError.code !== 'EPIPE') {
    process.stderr.write(`tunesmith: cannot write output: ${describeError(stdoutError)}\n`);
    process.exitCode = EXIT.usage;
    return;
  }
  // EPIPE: the reader stopped reading (`| head`) on purpose. Quietly, with the command's own code,
  // so that `lint | head` still fails a pipefail script when there are errors.
  // exitCode, not exit(): stdout may still be draining into a pipe.
  process.exitCode = code;
}

void main();
