/** A progress bar on stderr, drawn only when stderr is a terminal and at most ten times a second. */
import type { CommandIO } from './command.ts';

export class Progress {
  private last = 0;
  private drawn = false;

  constructor(
    private readonly io: CommandIO,
    private readonly totalBytes: number,
  ) {}

  update(label: string, doneBytes: number): void {
    if (!this.io.stderrIsTTY || this.totalBytes === 0) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    const fraction = Math.min(1, doneBytes / this.totalBytes);
    const width = 30;
    const filled = Math.round(fraction * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const mb = (doneBytes / 1e6).toFixed(1);
    this.io.stderr(`\r\x1b[2K[${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ${mb} MB ${label}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.io.stderr('\r\x1b[2K');
    this.drawn = false;
  }
}
