/**
 * The CLI's side of a lint session (src/core/lint/session.ts): `--threads`, rule errors and lost
 * workers written to stderr, and a problem with a file as a usage error naming it.
 */
import type { ResolvedConfig } from '../core/engine/config.ts';
import { FileProblem, regularInput, type InputFile } from '../core/io/files.ts';
import type { LintedFile } from '../core/lint/lint-file.ts';
import { LintSession } from '../core/lint/session.ts';
import { UsageError, type CommandIO } from './command.ts';

export function parseThreads(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 0 || threads > 256) {
    throw new UsageError(`--threads ${value}: expected a whole number from 0 (no workers) to 256`);
  }
  return threads;
}

/** A session whose rule errors and lost workers are written to stderr. */
export function cliSession(io: CommandIO, config: ResolvedConfig, threads: number | undefined): LintSession {
  return new LintSession(config, threads, {
    onRuleError: (message) => io.stderr(`tunesmith: ${message}\n`),
    onWorkerLost: (reason) =>
      io.stderr(`tunesmith: a lint worker stopped (${reason}); its lines are linted in the main thread\n`),
  });
}

/** The one FILE of `stats` and `fix`, linted; read it again at `path` and `close` it when done. */
export interface LintedInput extends LintedFile {
  /** The file itself, or the copy of a stream (a FIFO). */
  path: string;
  close(): void;
}

/** Lints one file in a session of its own; a problem with the file is a usage error naming it. */
export async function lintOneFile(
  io: CommandIO,
  config: ResolvedConfig,
  threads: number | undefined,
  path: string,
  shown: string,
): Promise<LintedInput> {
  let input: InputFile;
  try {
    input = await regularInput(path);
  } catch (error) {
    if (error instanceof FileProblem) throw new UsageError(`${shown}: ${error.message}`);
    throw error;
  }
  const session = cliSession(io, config, threads);
  try {
    const linted = await session.lint(input.path, shown);
    return {
      ...linted,
      path: input.path,
      close: () => {
        linted.reader.close();
        input.close();
      },
    };
  } catch (error) {
    input.close();
    if (error instanceof FileProblem) throw new UsageError(`${shown}: ${error.message}`);
    throw error;
  } finally {
    await session.close();
  }
}
