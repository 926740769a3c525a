/**
 * The contract every `tunesmith` subcommand implements: it gets its arguments (after the subcommand
 * name) and an IO object, and resolves to the process exit code. Commands never call process.exit and
 * never write to process.stdout directly, so tests can run them in-process as well as through the binary.
 */
export interface CommandIO {
  stdout(text: string): void;
  /**
   * Raw bytes for stdout, where text would not round-trip (`fix` copies invalid UTF-8 verbatim).
   * Optional so that test doubles may leave it out; commands then fall back to `stdout`.
   */
  stdoutBytes?(bytes: Uint8Array): void;
  stderr(text: string): void;
  /**
   * Resolves once what was written to stdout has reached the system; rejects with the write error
   * (EPIPE when the reader went away, ENOSPC on a full disk). Optional: in-memory test doubles never fail.
   */
  flushStdout?(): Promise<void>;
  cwd: string;
  /** Whether stderr is a terminal (progress bars are drawn only then). */
  stderrIsTTY: boolean;
}

export const EXIT = {
  /** No findings at error severity (and warnings within --max-warnings). */
  clean: 0,
  /** Findings at error severity, or more warnings than --max-warnings. */
  findings: 1,
  /** Bad arguments, unreadable input, or an internal failure. */
  usage: 2,
} as const;

/** Whether stdout took everything written so far (the dispatcher reports it when it did not). */
export async function stdoutWritten(io: CommandIO): Promise<boolean> {
  try {
    await io.flushStdout?.();
    return true;
  } catch {
    return false;
  }
}

export type Command = (args: string[], io: CommandIO) => Promise<number>;

/** An error whose message is meant for the user as is (exit code 2, no stack trace). */
export class UsageError extends Error {}
