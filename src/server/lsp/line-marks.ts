/**
 * A byte per line of a `LintedDocument` saying what it holds, moved with the lines: most lines of a
 * dataset have no finding, and scanning bytes to find the few that do is what lets a publication or
 * a checker's full update skip a 35,000-line document's other lines without touching their entries
 * (a cache miss each).
 */

/** The line checkers found something on the line. */
export const LINE_FINDINGS = 1;
/** The line holds findings of dataset checkers that update by line (`LineEntry.owned`). */
export const OWNED_FINDINGS = 2;
/** Those findings moved, or name a line that moved: their checkers report them again (`restate`). */
export const RESTATE = 4;

export class LineMarks {
  private bytes = new Uint8Array(64);
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** Starts again with these marks, one per line. */
  reset(marks: readonly number[]): void {
    this.bytes = new Uint8Array(Math.max(64, marks.length));
    this.bytes.set(marks);
    this.count = marks.length;
  }

  set(line: number, bits: number, on: boolean): void {
    if (line < 0 || line >= this.count) return;
    if (on) this.bytes[line]! |= bits;
    else this.bytes[line]! &= ~bits;
  }

  /** Replaces the marks of `removed` lines at `start` by `marks` (an edit's new lines); a memmove. */
  splice(start: number, removed: number, marks: readonly number[]): void {
    const end = this.count + marks.length - removed;
    if (end > this.bytes.length) {
      const next = new Uint8Array(Math.max(end, Math.ceil(this.bytes.length * 1.5)));
      next.set(this.bytes.subarray(0, this.count));
      this.bytes = next;
    }
    this.bytes.copyWithin(start + marks.length, start + removed, this.count);
    this.bytes.set(marks, start);
    this.count = end;
  }

  /** The lines with any of `bits`, in order. */
  lines(bits: number): number[] {
    const found: number[] = [];
    for (let line = this.next(0, bits); line < this.count; line = this.next(line + 1, bits)) found.push(line);
    return found;
  }

  /** The first line from `line` on with any of `bits`, or `length` when none. */
  next(line: number, bits: number): number {
    const bytes = this.bytes;
    while (line < this.count && (bytes[line]! & bits) === 0) line++;
    return line;
  }
}
