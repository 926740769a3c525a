/**
 * The lines of a `LintedDocument`, each with what was found on it: its text and terminator, the
 * line checkers' findings and facts, and the findings of the dataset checkers that update by line
 * (`owned`). Lines move as a whole when an edit inserts or deletes lines above them; their findings
 * are shifted when next read, and a byte per line (`LineMarks`) lets walks skip the lines without
 * findings. The severity and format counts follow every line added and removed.
 */
import type { FormatId } from '../../core/engine/formats.ts';
import type { Finding, LineEnding } from '../../core/engine/types.ts';
import { LINE_FINDINGS, LineMarks, OWNED_FINDINGS, RESTATE } from './line-marks.ts';
import { shiftFinding } from './moved-findings.ts';
import { SeverityCounts } from './publication.ts';

export interface LineEntry {
  text: string;
  eol: LineEnding;
  /** The line number the findings were computed at; they are shifted when lines move. */
  lintedAt: number;
  findings: Finding[];
  facts: unknown[];
  format: FormatId | undefined;
  /** Findings of the dataset checkers that update by line, by checker; they move with the line. */
  owned?: (Finding[] | undefined)[];
}

export class DocumentLines {
  private entries: LineEntry[] = [];
  /** What each line holds, so that walks over the lines skip those without findings. */
  private readonly marks = new LineMarks();
  /** Findings kept with the lines, line checkers' and `owned` ones alike. */
  readonly counts = new SeverityCounts();
  private readonly formatCounts = new Map<FormatId, number>();

  get length(): number {
    return this.entries.length;
  }

  /** The entry of a line as it is, its findings possibly not yet shifted (see `shifted`). */
  at(line: number): LineEntry | undefined {
    return this.entries[line];
  }

  /** The entries of lines `start` up to `end` (excluded). */
  slice(start: number, end?: number): LineEntry[] {
    return this.entries.slice(start, end);
  }

  text(): string {
    let text = '';
    for (const entry of this.entries) text += entry.text + entry.eol;
    return text;
  }

  /** Forgets every line and count; `replaceAll` brings lines made by `counted` entries. */
  clear(): void {
    this.formatCounts.clear();
    this.counts.byRank.fill(0);
  }

  replaceAll(entries: LineEntry[]): void {
    this.entries = entries;
    this.marks.reset(entries.map(markOf));
  }

  /** A new entry's findings and format join the counts. */
  counted(entry: LineEntry): LineEntry {
    this.counts.add(entry.findings);
    if (entry.format) this.formatCounts.set(entry.format, (this.formatCounts.get(entry.format) ?? 0) + 1);
    return entry;
  }

  /** A removed entry's findings and format leave the counts. */
  uncounted(entry: LineEntry): void {
    this.counts.add(entry.findings, -1);
    for (const owned of entry.owned ?? []) this.counts.add(owned ?? [], -1);
    if (entry.format) {
      const left = (this.formatCounts.get(entry.format) ?? 1) - 1;
      if (left > 0) this.formatCounts.set(entry.format, left);
      else this.formatCounts.delete(entry.format);
    }
  }

  /** Lines `start` to `start + count` are replaced by `fresh`; the lines below move. */
  replace(start: number, count: number, fresh: readonly LineEntry[]): void {
    replaceRange(this.entries, start, count, fresh);
    this.marks.splice(start, count, fresh.map(markOf));
  }

  /** The entry of a line, its line checkers' findings moved with it if it moved. */
  shifted(line: number): LineEntry {
    const entry = this.entries[line]!;
    if (entry.lintedAt !== line && entry.findings.length > 0) {
      entry.findings = entry.findings.map((finding) => shiftFinding(finding, line - entry.lintedAt));
    }
    entry.lintedAt = line;
    return entry;
  }

  /** The line checkers' findings of a line and its `owned` ones. */
  findingsOf(line: number): Finding[] {
    const entry = this.shifted(line);
    if (!entry.owned) return entry.findings;
    const all = [...entry.findings];
    for (const owned of entry.owned) for (const finding of owned ?? []) all.push(finding);
    return all;
  }

  /** The first line from `line` on with findings kept by line (the length when none). */
  nextWithFindings(line: number): number {
    return this.marks.next(line, LINE_FINDINGS | OWNED_FINDINGS);
  }

  /** Every `owned` finding of checker `i`, in line order. */
  *ownedBy(i: number): Generator<Finding> {
    for (const entry of this.entries) for (const finding of entry.owned?.[i] ?? []) yield finding;
  }

  /** Replaces the findings of checker `i` on the lines of `ids` (all lines: 'all') by `findings`. */
  own(i: number, ids: Iterable<number> | 'all', findings: readonly Finding[]): void {
    const drop = (line: number): void => {
      const entry = this.entries[line];
      const old = entry?.owned?.[i];
      if (!old) return;
      this.counts.add(old, -1);
      entry.owned![i] = undefined;
      if (entry.owned!.some((findings) => findings !== undefined)) return;
      delete entry.owned;
      this.marks.set(line, OWNED_FINDINGS, false);
    };
    const count = this.entries.length;
    if (ids === 'all')
      for (
        let line = this.marks.next(0, OWNED_FINDINGS);
        line < count;
        line = this.marks.next(line + 1, OWNED_FINDINGS)
      )
        drop(line);
    else for (const id of ids) drop(id);
    for (const finding of findings) {
      const entry = this.entries[finding.range.start.line];
      // An update reports findings on its examples' lines (the contract): none can be past the end.
      if (!entry)
        throw new Error(
          `${finding.code} reported a finding on line ${finding.range.start.line + 1}, past the end`,
        );
      entry.owned ??= [];
      (entry.owned[i] ??= []).push(finding);
      this.marks.set(finding.range.start.line, OWNED_FINDINGS, true);
      this.counts.add([finding]);
    }
  }

  /**
   * After lines moved: marks the `owned` findings that changed without a change of facts, for their
   * checkers to report again (`DatasetIndex.update`'s `restate`): those now at `movedTo` or below,
   * and those above the edit whose related lines are at `first` or below (a finding names the lines
   * it relates to: "Duplicate of line 120"). Visits the lines holding such findings only.
   */
  markMoved(first: number, movedTo: number): void {
    const count = this.entries.length;
    for (
      let line = this.marks.next(0, OWNED_FINDINGS);
      line < count;
      line = this.marks.next(line + 1, OWNED_FINDINGS)
    ) {
      const names = (finding: Finding): boolean =>
        finding.related?.some((r) => r.file === undefined && r.range.end.line >= first) ?? false;
      if (line >= movedTo || this.entries[line]!.owned!.some((owned) => owned?.some(names)))
        this.marks.set(line, RESTATE, true);
    }
  }

  /** The lines `markMoved` marked, unmarked: their checkers report them again now. */
  takeRestated(): number[] {
    const lines = this.marks.lines(RESTATE);
    for (const line of lines) this.marks.set(line, RESTATE, false);
    return lines;
  }

  /** The most common format among the document's examples. */
  dominantFormat(): FormatId | undefined {
    let best: FormatId | undefined;
    let bestCount = 0;
    for (const [format, count] of this.formatCounts) {
      if (format !== 'unknown' && count > bestCount) [best, bestCount] = [format, count];
    }
    return best;
  }

  /** The number of lines that hold an example (any JSON object). */
  exampleCount(): number {
    let total = 0;
    for (const count of this.formatCounts.values()) total += count;
    return total;
  }
}

/**
 * `array.splice(start, count, ...items)` without passing `items` as arguments: a paste of 130,000
 * lines would overflow the stack.
 */
function replaceRange<T>(array: T[], start: number, count: number, items: readonly T[]): void {
  const delta = items.length - count;
  const end = array.length;
  if (delta > 0) {
    array.length = end + delta;
    array.copyWithin(start + items.length, start + count, end);
  } else if (delta < 0) {
    array.copyWithin(start + items.length, start + count, end);
    array.length = end + delta;
  }
  for (let i = 0; i < items.length; i++) array[start + i] = items[i]!;
}

/** A new line's mark: it holds no `owned` findings until a dataset checker reports on it. */
function markOf(entry: LineEntry): number {
  return entry.findings.length > 0 ? LINE_FINDINGS : 0;
}
