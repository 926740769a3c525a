/**
 * A dataset open in the editor, kept linted across edits.
 *
 * The document is held as its lines, not as one string: an edit replaces the lines it touches,
 * re-runs the line checkers on those lines only, and moves their facts out of and into the live
 * dataset indexes. Nothing else is parsed again. Example ids are line numbers, as in the CLI: the
 * rules may order by id, so when lines move (a line inserted or deleted) the indexes renumber the
 * ids below (`DatasetIndex.move`, a memmove of typed arrays) and the findings that moved or name a
 * moved line are reported again (`restate`): of the lines below, only those with findings are visited. Holding
 * lines also keeps memory flat: a 40 MB document edited 200 times would otherwise leave 200
 * versions of its text alive through substrings.
 *
 * Lines break where the editor breaks them: at '\n', '\r\n' and a lone '\r' (LSP positions count all
 * three), as the engine's `linePieces` does for `lintText` and the file reader for the CLI.
 *
 * The invariant, checked by a property test: after any sequence of edits, `findings()` equals
 * `lintText` of the final text.
 *
 * What an edit costs must not grow with the number of findings (a file of 130,000 copies of one
 * example has 129,999): findings are kept with their lines, dataset checkers whose index can
 * `update` report again only what the edit touched (typing in one copy re-reports that copy), the
 * others keep their findings while the edit cannot have changed them (found by the lines their
 * findings touch, not by a scan), and a publication walks the lines for the few it shows
 * (`select`) instead of sorting them all.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  DatasetIndexes,
  LinePass,
  compareFindings,
  type RuleErrorHandler,
} from '../../core/engine/linter.ts';
import { LINE_FINDINGS, LineMarks, OWNED_FINDINGS, RESTATE } from './line-marks.ts';
import { quotas, SeverityCounts, taker } from './publication.ts';
import { linePieces, makeLine } from '../../core/engine/lines.ts';
import type { ResolvedConfig } from '../../core/engine/config.ts';
import type { Example, FormatId } from '../../core/engine/formats.ts';
import type { Checker, LineAccess, LineContext } from '../../core/engine/rule.ts';
import type { Finding, LineEnding, LineInput, Position, Range } from '../../core/engine/types.ts';

interface LineEntry {
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

/** One change as LSP sends it: a range in the current text, or the whole text when absent. */
export interface TextChange {
  range?: Range;
  text: string;
}

const BOM = '\uFEFF';

/** Follows the facts of every line, for indexes that span files (train/validation leakage). */
export interface FactsObserver {
  /** All lines are about to be added again (a new text or configuration). */
  reset(): void;
  added(id: number, facts: readonly unknown[]): void;
  removed(id: number): void;
  /** Every id from `from` on became id + `delta` (lines moved by an edit; ids moved onto were removed). */
  moved(from: number, delta: number): void;
}

export class LintedDocument {
  private entries: LineEntry[] = [];
  /** What each line holds, so that walks over the lines skip those without findings. */
  private readonly marks = new LineMarks();
  private pass!: LinePass;
  private indexes!: DatasetIndexes;
  /**
   * Findings of each dataset checker, kept while an edit cannot have changed them: the edited lines'
   * facts for that checker are equal before and after, no line moved, and none of its findings
   * touches an edited line (a finding's fix may embed its line's text). Typing inside a message
   * changes no format or key facts, so the whole-file format report is not rebuilt for each key.
   */
  private datasetFindings: (Finding[] | undefined)[] = [];
  /**
   * For a dataset checker whose findings an edit invalidated: its previous findings minus those that
   * touch the edited lines, moved with the lines below, and without fixes (a fix's edit positions at
   * the edit's boundary would be ambiguous). Shown until the checker has reported again.
   */
  private provisional: (Finding[] | undefined)[] = [];
  /** The lines each dataset checker's current findings touch (their ranges, related lines, fixes). */
  private touchedLines: (Set<number> | undefined)[] = [];
  /**
   * Per dataset checker: undefined until known, true when its index updates by line (its findings
   * then live in `LineEntry.owned`), false when it is reported in full.
   */
  private byLine: (boolean | undefined)[] = [];
  /** The checkers that update by line and have an update due. */
  private stale = new Set<number>();
  /** Findings kept with the lines, line checkers' and `owned` ones alike. */
  private readonly lineCounts = new SeverityCounts();
  private readonly formatCounts = new Map<FormatId, number>();

  constructor(
    text: string,
    private config: ResolvedConfig,
    private readonly checkers: readonly Checker[],
    private readonly onRuleError?: RuleErrorHandler,
    private readonly observer?: FactsObserver,
  ) {
    this.reset(text);
  }

  get lineCount(): number {
    return this.entries.length;
  }

  /** Re-lints everything under a new configuration (severities and indexes depend on it). */
  reconfigure(config: ResolvedConfig): void {
    this.config = config;
    this.reset(this.getText());
  }

  getText(): string {
    let text = '';
    for (const entry of this.entries) text += entry.text + entry.eol;
    return text;
  }

  /** The text of one line, without its terminator. */
  lineText(line: number): string | undefined {
    return this.entries[line]?.text;
  }

  /** Whether the engine did not read `line` (longer than `maxLineLength`), as `makeLine` decides. */
  unread(line: number): boolean {
    const text = this.entries[line]?.text;
    if (text === undefined) return false;
    const bom = line === 0 && text.startsWith(BOM) ? 1 : 0;
    return text.length - bom > this.config.maxLineLength;
  }

  /** Applies LSP content changes in order; each range refers to the text after the previous one. */
  applyChanges(changes: readonly TextChange[]): void {
    for (const change of changes) {
      if (change.range) this.applyRangeChange(change.range, change.text);
      else this.reset(change.text);
    }
  }

  /** Whether every dataset checker's findings are current (`findings(false)` is then complete). */
  get complete(): boolean {
    return this.pass.datasetCheckers.every((_, i) => this.byLine[i] || this.datasetFindings[i] !== undefined);
  }

  /**
   * Every finding of the document, sorted by position. With `complete` false, dataset checkers that
   * an edit invalidated and that cannot update by line are not run again: their provisional
   * findings stand in (see `provisional`).
   */
  findings(complete = true): Finding[] {
    this.refresh(complete);
    // Line checkers' findings first, then each dataset checker's: the order `lintText` sorts.
    const all: Finding[] = [];
    for (let line = 0; line < this.entries.length; line++)
      for (const finding of this.shifted(line).findings) all.push(finding);
    this.pass.datasetCheckers.forEach((_, i) => {
      if (this.byLine[i]) {
        for (const entry of this.entries) for (const finding of entry.owned?.[i] ?? []) all.push(finding);
      } else for (const finding of this.shownFindings(i)) all.push(finding);
    });
    return all.sort(compareFindings);
  }

  /** How many findings of each severity `findings(complete)` holds, without collecting them. */
  counts(complete = true): SeverityCounts {
    this.refresh(complete);
    const counts = new SeverityCounts();
    counts.addCounts(this.lineCounts);
    for (const list of this.listed()) counts.addCounts(countsOf(list));
    return counts;
  }

  /**
   * What a publication shows: every finding when they fit in `limit`, else the most severe first,
   * by position (`quotas`), with `extra` (findings from other indexes, e.g. leakage) among them.
   * Walks the lines, not the findings, and stops when it has what it shows: past the limit, the
   * work does not grow with the findings.
   */
  select(
    limit: number,
    extra: readonly Finding[],
    complete: boolean,
  ): { shown: Finding[]; counts: SeverityCounts } {
    const counts = this.counts(complete);
    counts.addCounts(countsOf(extra));
    const { take, full } = taker(quotas(counts, limit));
    const shown: Finding[] = [];
    // The findings not kept by line (checkers reported in full, and `extra`), merged by position.
    const listed = this.merged([...this.listed(), extra]);
    let cursor = 0;
    const onLine: Finding[] = [];
    for (let line = 0; !full(); line++) {
      // The next line with findings of its own or listed ones: the lines between are not visited.
      const listedAt = cursor < listed.length ? listed[cursor]!.range.start.line : Infinity;
      line = Math.min(this.marks.next(line, LINE_FINDINGS | OWNED_FINDINGS), Math.max(listedAt, line));
      if (line >= this.entries.length) break;
      onLine.length = 0;
      for (const finding of this.lineFindings(line)) onLine.push(finding);
      while (cursor < listed.length && listed[cursor]!.range.start.line <= line)
        onLine.push(listed[cursor++]!);
      if (onLine.length > 1) onLine.sort(compareFindings);
      for (const finding of onLine) if (take(finding)) shown.push(finding);
    }
    // Past the last line: whatever `extra` still holds there.
    for (; cursor < listed.length && !full(); cursor++)
      if (take(listed[cursor]!)) shown.push(listed[cursor]!);
    return { shown, counts };
  }

  /** The findings of the checkers reported in full, current or provisional, one sorted list each. */
  private listed(): (readonly Finding[])[] {
    return this.pass.datasetCheckers.flatMap((_, i) => (this.byLine[i] ? [] : [this.shownFindings(i)]));
  }

  private mergedFrom: readonly (readonly Finding[])[] = [];
  private mergedList: readonly Finding[] = [];

  /** Sorted lists merged into one, kept while the same lists come again (they change on a report). */
  private merged(lists: readonly (readonly Finding[])[]): readonly Finding[] {
    const same =
      lists.length === this.mergedFrom.length && lists.every((list, i) => list === this.mergedFrom[i]);
    if (!same) {
      const all: Finding[] = [];
      for (const list of lists) for (const finding of list) all.push(finding);
      this.mergedFrom = lists;
      this.mergedList = all.sort(compareFindings);
    }
    return this.mergedList;
  }

  /** The findings whose range starts on a line from `first` to `last`, for quick fixes and hover. */
  findingsOn(first: number, last: number): Finding[] {
    this.refresh(false);
    const found: Finding[] = [];
    for (let line = Math.max(first, 0); line <= Math.min(last, this.entries.length - 1); line++)
      for (const finding of this.lineFindings(line)) found.push(finding);
    this.pass.datasetCheckers.forEach((_, i) => {
      if (this.byLine[i]) return;
      const list = this.shownFindings(i);
      for (let k = firstAtLine(list, first); k < list.length && list[k]!.range.start.line <= last; k++)
        found.push(list[k]!);
    });
    return found.sort(compareFindings);
  }

  /**
   * Brings dataset findings up to date: checkers that update by line do at once (their work follows
   * the edit); the others are reported again only when `complete` is asked for.
   */
  private refresh(complete: boolean): void {
    const access = this.access();
    // Every checker that updates by line is due after an edit, so all of them get these at once.
    let restate: number[] | undefined;
    if (this.stale.size > 0) {
      restate = this.marks.lines(RESTATE);
      for (const line of restate) this.marks.set(line, RESTATE, false);
    }
    this.pass.datasetCheckers.forEach((_, i) => {
      if (this.byLine[i] !== false && (this.byLine[i] === undefined || this.stale.has(i))) {
        this.stale.delete(i);
        const update = this.indexes.updateIndex(i, access, restate);
        this.byLine[i] = update !== undefined;
        if (update) this.own(i, update.ids, update.findings);
      }
      if (this.byLine[i] || this.datasetFindings[i] || !complete) return;
      const findings = this.indexes.reportIndex(i, access).sort(compareFindings);
      this.datasetFindings[i] = findings;
      this.provisional[i] = undefined;
      this.touchedLines[i] = linesTouched(findings);
    });
  }

  /** Replaces the findings of checker `i` on the lines of `ids` (all lines: 'all') by `findings`. */
  private own(i: number, ids: Iterable<number> | 'all', findings: readonly Finding[]): void {
    const drop = (line: number): void => {
      const entry = this.entries[line];
      const old = entry?.owned?.[i];
      if (!old) return;
      this.lineCounts.add(old, -1);
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
      this.lineCounts.add([finding]);
    }
  }

  /** The entry of a line, its line checkers' findings moved with it if it moved. */
  private shifted(line: number): LineEntry {
    const entry = this.entries[line]!;
    if (entry.lintedAt !== line && entry.findings.length > 0) {
      entry.findings = entry.findings.map((finding) => shiftFinding(finding, line - entry.lintedAt));
    }
    entry.lintedAt = line;
    return entry;
  }

  /** The line checkers' findings of a line and its `owned` ones. */
  private lineFindings(line: number): Finding[] {
    const entry = this.shifted(line);
    if (!entry.owned) return entry.findings;
    const all = [...entry.findings];
    for (const owned of entry.owned) for (const finding of owned ?? []) all.push(finding);
    return all;
  }

  /** A checker reported in full: its current findings, else the provisional ones, sorted. */
  private shownFindings(i: number): readonly Finding[] {
    return this.datasetFindings[i] ?? this.provisional[i] ?? [];
  }

  /** The parsed view of one line (parsed again: only hover and outline need it). */
  context(line: number): LineContext | undefined {
    return this.entries[line] ? this.pass.context(this.input(line)) : undefined;
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

  private reset(text: string): void {
    this.observer?.reset();
    this.pass = new LinePass(this.config, this.checkers, this.onRuleError);
    this.indexes = new DatasetIndexes(this.pass, this.onRuleError);
    this.formatCounts.clear();
    this.datasetFindings = [];
    this.provisional = [];
    this.touchedLines = [];
    this.byLine = [];
    this.stale.clear();
    this.lineCounts.byRank.fill(0);
    this.entries = linePieces(text).map((piece, line) => this.lint(line, piece.text, piece.eol));
    this.marks.reset(this.entries.map(markOf));
  }

  private applyRangeChange(range: Range, newText: string): void {
    let start = this.clamp(range.start);
    const end = this.clamp(range.end);
    const count = this.entries.length;
    let prefix = start.line < count ? this.entries[start.line]!.text.slice(0, start.character) : '';
    if (start.character === 0 && start.line > 0 && this.entries[start.line - 1]!.eol === '\r') {
      // The edit may begin with '\n', which would join the previous line's lone '\r' into one CRLF
      // break: that line is taken into the edit and split again.
      start = { line: start.line - 1, character: 0 };
      prefix = this.entries[start.line]!.text + '\r';
    }
    const last = end.line < count ? this.entries[end.line] : undefined;
    const suffix = last ? last.text.slice(end.character) + last.eol : '';
    const replaced = Math.max(Math.min(end.line, count - 1) - start.line + 1, 0);
    const pieces = linePieces(prefix + newText + suffix);
    const removed = this.entries.slice(start.line, start.line + replaced);
    removed.forEach((entry, j) => this.unlink(entry, start.line + j));
    // Lines below move: the indexes renumber their ids (`DatasetIndex.move`) before the new lines
    // come in, so that no id is held twice. Nothing here visits the lines below.
    const below = start.line + replaced;
    const delta = pieces.length - replaced;
    if (delta !== 0 && below < count) {
      this.indexes.move(below, delta, () => this.entries.slice(below).map((entry) => entry.facts));
      this.observer?.moved(below, delta);
    }
    const fresh = pieces.map((piece, i) => this.lint(start.line + i, piece.text, piece.eol));
    this.invalidate(removed, fresh, start.line);
    replaceRange(this.entries, start.line, replaced, fresh);
    this.marks.splice(start.line, replaced, fresh.map(markOf));
    if (delta !== 0) this.markMoved(start.line, below + delta);
  }

  private invalidate(removed: LineEntry[], fresh: LineEntry[], firstLine: number): void {
    const lastLine = firstLine + removed.length - 1;
    const delta = fresh.length - removed.length;
    const touches = (range: Range): boolean => range.end.line >= firstLine && range.start.line <= lastLine;
    const touched = (f: Finding): boolean =>
      touches(f.range) ||
      (f.related?.some((r) => r.file === undefined && touches(r.range)) ?? false) ||
      (f.fix?.edits.some((e) => touches(e.range)) ?? false);
    this.pass.datasetCheckers.forEach((_, i) => {
      if (this.byLine[i] !== false) {
        this.stale.add(i); // the index knows what changed
        return;
      }
      const current = this.datasetFindings[i];
      const sameFacts =
        delta === 0 && removed.every((entry, j) => isDeepStrictEqual(entry.facts[i], fresh[j]!.facts[i]));
      const lines = this.touchedLines[i];
      const touchesEdit = (): boolean => {
        for (let line = firstLine; line <= lastLine; line++) if (lines?.has(line)) return true;
        return false;
      };
      if (current && sameFacts && !touchesEdit()) return;
      const previous = current ?? this.provisional[i] ?? [];
      this.datasetFindings[i] = undefined;
      this.touchedLines[i] = undefined;
      this.provisional[i] = previous
        .filter((f) => !touched(f))
        .map((f) => provisionalFinding(f, lastLine + 1, delta));
    });
  }

  /**
   * After lines moved: marks the `owned` findings that changed without a change of facts, for their
   * checkers to report again (`DatasetIndex.update`'s `restate`): those now at `movedTo` or below,
   * and those above the edit whose related lines are at `first` or below (a finding names the lines
   * it relates to: "Duplicate of line 120"). Visits the lines holding such findings only.
   */
  private markMoved(first: number, movedTo: number): void {
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

  /** LSP clamps positions past a line's end to its end, and past the last line to the document's end. */
  private clamp(position: Position): Position {
    const count = this.entries.length;
    if (position.line >= count) {
      const lastEntry = this.entries[count - 1];
      // The position after a final terminator is the start of a (virtual) line `count`.
      if (!lastEntry || lastEntry.eol !== '') return { line: count, character: 0 };
      return { line: count - 1, character: lastEntry.text.length };
    }
    const text = this.entries[position.line]!.text;
    return { line: position.line, character: Math.min(Math.max(position.character, 0), text.length) };
  }

  private input(line: number): LineInput {
    const entry = this.entries[line]!;
    const bom = line === 0 && entry.text.startsWith(BOM);
    return makeLine(line, bom ? entry.text.slice(1) : entry.text, entry.eol, this.config.maxLineLength, bom);
  }

  private lint(line: number, text: string, eol: LineEnding): LineEntry {
    const bom = line === 0 && text.startsWith(BOM);
    const input = makeLine(line, bom ? text.slice(1) : text, eol, this.config.maxLineLength, bom);
    const result = this.pass.run(input);
    const entry: LineEntry = {
      text,
      eol,
      lintedAt: line,
      findings: result.findings,
      facts: result.facts,
      format: formatOf(result.example),
    };
    this.lineCounts.add(entry.findings);
    this.key(entry, line);
    if (entry.format) this.formatCounts.set(entry.format, (this.formatCounts.get(entry.format) ?? 0) + 1);
    return entry;
  }

  private unlink(entry: LineEntry, id: number): void {
    this.unkey(entry, id);
    this.lineCounts.add(entry.findings, -1);
    for (const owned of entry.owned ?? []) this.lineCounts.add(owned ?? [], -1);
    if (entry.format) {
      const left = (this.formatCounts.get(entry.format) ?? 1) - 1;
      if (left > 0) this.formatCounts.set(entry.format, left);
      else this.formatCounts.delete(entry.format);
    }
  }

  private key(entry: LineEntry, id: number): void {
    this.indexes.add(id, entry.facts);
    this.observer?.added(id, entry.facts);
  }

  private unkey(entry: LineEntry, id: number): void {
    this.indexes.remove(id, entry.facts);
    this.observer?.removed(id);
  }

  /** Current lines of example ids, for indexes outside the document. */
  access(): LineAccess {
    return {
      lineOf: (id) => id,
      context: (id) => this.pass.context(this.input(id)),
    };
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

const countsCache = new WeakMap<readonly Finding[], SeverityCounts>();

/** The counts of a list of findings that does not change (a report's), counted once. */
function countsOf(findings: readonly Finding[]): SeverityCounts {
  let counts = countsCache.get(findings);
  if (!counts) countsCache.set(findings, (counts = SeverityCounts.of(findings)));
  return counts;
}

/** Every line a finding's ranges, related lines in the file and fix edits cover. */
function linesTouched(findings: readonly Finding[]): Set<number> {
  const lines = new Set<number>();
  const cover = (range: Range): void => {
    for (let line = range.start.line; line <= range.end.line; line++) lines.add(line);
  };
  for (const finding of findings) {
    cover(finding.range);
    for (const related of finding.related ?? []) if (related.file === undefined) cover(related.range);
    for (const edit of finding.fix?.edits ?? []) cover(edit.range);
  }
  return lines;
}

/** The index of the first finding starting at or after `line` in findings sorted by position. */
function firstAtLine(findings: readonly Finding[], line: number): number {
  let low = 0;
  let high = findings.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (findings[mid]!.range.start.line < line) low = mid + 1;
    else high = mid;
  }
  return low;
}

function formatOf(example: Example | undefined): FormatId | undefined {
  return example?.format;
}

function shiftRange(range: Range, delta: number): Range {
  return {
    start: { line: range.start.line + delta, character: range.start.character },
    end: { line: range.end.line + delta, character: range.end.character },
  };
}

/** A dataset finding kept while its checker re-reports: lines from `from` on moved by `delta`; no fix. */
function provisionalFinding(finding: Finding, from: number, delta: number): Finding {
  const move = (range: Range): Range =>
    delta === 0
      ? range
      : {
          start: {
            line: range.start.line >= from ? range.start.line + delta : range.start.line,
            character: range.start.character,
          },
          end: {
            line: range.end.line >= from ? range.end.line + delta : range.end.line,
            character: range.end.character,
          },
        };
  const moved: Finding = { ...finding, range: move(finding.range) };
  delete moved.fix;
  if (finding.related) {
    moved.related = finding.related.map((r) => (r.file === undefined ? { ...r, range: move(r.range) } : r));
  }
  return moved;
}

/** A line checker's finding moved with its line: its range, its fix and same-file related ranges. */
function shiftFinding(finding: Finding, delta: number): Finding {
  const shifted: Finding = { ...finding, range: shiftRange(finding.range, delta) };
  if (finding.fix) {
    shifted.fix = {
      title: finding.fix.title,
      edits: finding.fix.edits.map((edit) => ({ ...edit, range: shiftRange(edit.range, delta) })),
    };
  }
  if (finding.related) {
    shifted.related = finding.related.map((related) =>
      related.file === undefined ? { ...related, range: shiftRange(related.range, delta) } : related,
    );
  }
  return shifted;
}
