/**
 * Following files another process appends to: the trainer's events.jsonl and its log. The trainer
 * flushes whole lines, but a reader can still see half a line (read between two writes), a line cut
 * short by a crash, or bytes that are not an event at all; none of these may stop the run panel.
 */
import { open } from 'node:fs/promises';
import { isTrainerEvent, type TrainerEvent } from '../../shared/trainer-events.ts';

const NEWLINE = 0x0a;

/** Splits a byte stream into lines, keeping an unterminated last line until more bytes come. */
export class LineSplitter {
  private pending: Uint8Array[] = [];

  push(chunk: Uint8Array): Uint8Array[] {
    const lines: Uint8Array[] = [];
    let start = 0;
    for (let index = chunk.indexOf(NEWLINE); index !== -1; index = chunk.indexOf(NEWLINE, start)) {
      lines.push(this.take(chunk.subarray(start, index)));
      start = index + 1;
    }
    if (start < chunk.length) this.pending.push(chunk.slice(start));
    return lines;
  }

  /** The unterminated last line, if any (the writer has stopped: it will not be completed). */
  end(): Uint8Array | undefined {
    if (this.pending.length === 0) return undefined;
    return this.take(new Uint8Array());
  }

  private take(tail: Uint8Array): Uint8Array {
    if (this.pending.length === 0) return tail;
    const line = Buffer.concat([...this.pending, tail]);
    this.pending = [];
    return line;
  }
}

export interface Parsed<T = TrainerEvent> {
  events: T[];
  /** One per skipped line, saying which line and why. */
  warnings: string[];
}

/**
 * events.jsonl → events; a line that is not a valid event is skipped with a warning, never thrown.
 * The same parser follows evaluation.events.jsonl, with that protocol's guard.
 */
export class EventParser<T = TrainerEvent> {
  private readonly lines = new LineSplitter();
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private lineNumber = 0;

  constructor(
    private readonly guard: (value: unknown) => value is T = isTrainerEvent as (value: unknown) => value is T,
    private readonly file = 'events.jsonl',
  ) {}

  push(chunk: Uint8Array): Parsed<T> {
    return this.parse(this.lines.push(chunk));
  }

  end(): Parsed<T> {
    const last = this.lines.end();
    const parsed = this.parse(last ? [last] : []);
    parsed.warnings = parsed.warnings.map((warning) => `${warning} (the file ends without a newline)`);
    return parsed;
  }

  private parse(lines: Uint8Array[]): Parsed<T> {
    const parsed: Parsed<T> = { events: [], warnings: [] };
    for (const bytes of lines) {
      this.lineNumber += 1;
      const problem = this.problem(bytes, parsed.events);
      if (problem) parsed.warnings.push(`${this.file} line ${this.lineNumber} skipped: ${problem}`);
    }
    return parsed;
  }

  private problem(bytes: Uint8Array, into: T[]): string | undefined {
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      return 'not UTF-8 text';
    }
    if (text.trim() === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return 'not valid JSON (a truncated or corrupt line)';
    }
    if (!this.guard(value)) return 'not an event of protocol version 1';
    into.push(value);
    return undefined;
  }
}

/** Reads what was appended to a file since the last read. */
export class FileTail {
  private offset = 0;

  constructor(readonly path: string) {}

  /** New bytes, `undefined` when the file does not exist (yet); `reset` when it shrank (replaced). */
  async read(): Promise<{ bytes: Uint8Array; reset: boolean } | undefined> {
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch {
      return undefined;
    }
    try {
      const { size } = await handle.stat();
      const reset = size < this.offset;
      if (reset) this.offset = 0;
      if (size === this.offset) return { bytes: new Uint8Array(), reset };
      const bytes = Buffer.alloc(size - this.offset);
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, this.offset);
      this.offset += bytesRead;
      return { bytes: bytes.subarray(0, bytesRead), reset };
    } finally {
      await handle.close();
    }
  }
}
