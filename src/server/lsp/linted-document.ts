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
 * This file ties the concerns together: the lines and what was found on each (document-lines.ts), an
 * LSP range change as whole lines (line-edit.ts), the whole-file reports of the dataset checkers
 * that cannot update by line (full-reports.ts), and findings moved with their lines
 * (moved-findings.ts).
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
import { linePieces, makeLine } from '../../core/engine/lines.ts';
import type { ResolvedConfig } from '../../core/engine/config.ts';
import type { Example, FormatId } from '../../core/engine/formats.ts';
import type { Checker, LineAccess, LineContext } from '../../core/engine/rule.ts';
import type { Finding, LineEnding, LineInput, Range } from '../../core/engine/types.ts';
import { DocumentLines, type LineEntry } from './document-lines.ts';
import { countsOf, firstAtLine, FullReports } from './full-reports.ts';
import { lineEdit } from './line-edit.ts';
import { quotas, SeverityCounts, taker } from './publication.ts';

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
  private readonly lines = new DocumentLines();
  private pass!: LinePass;
  private indexes!: DatasetIndexes;
  /** The dataset checkers reported in full (`byLine` false). */
  private readonly reports = new FullReports();
  /**
   * Per dataset checker: undefined until known, true when its index updates by line (its findings
   * then live in `LineEntry.owned`), false when it is reported in full (`reports`).
   */
  private byLine: (boolean | undefined)[] = [];
  /** The checkers that update by line and have an update due. */
  private stale = new Set<number>();

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
    return this.lines.length;
  }

  /** Re-lints everything under a new configuration (severities and indexes depend on it). */
  reconfigure(config: ResolvedConfig): void {
    this.config = config;
    this.reset(this.getText());
  }

  getText(): string {
    return this.lines.text();
  }

  /** The text of one line, without its terminator. */
  lineText(line: number): string | undefined {
    return this.lines.at(line)?.text;
  }

  /** Whether the engine did not read `line` (longer than `maxLineLength`), as `makeLine` decides. */
  unread(line: number): boolean {
    const text = this.lines.at(line)?.text;
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
    return this.pass.datasetCheckers.every((_, i) => this.byLine[i] || this.reports.isCurrent(i));
  }

  /**
   * Every finding of the document, sorted by position. With `complete` false, dataset checkers that
   * an edit invalidated and that cannot update by line are not run again: their provisional
   * findings stand in (see `FullReports`).
   */
  findings(complete = true): Finding[] {
    this.refresh(complete);
    // Line checkers' findings first, then each dataset checker's: the order `lintText` sorts.
    const all: Finding[] = [];
    for (let line = 0; line < this.lines.length; line++)
      for (const finding of this.lines.shifted(line).findings) all.push(finding);
    this.pass.datasetCheckers.forEach((_, i) => {
      if (this.byLine[i]) for (const finding of this.lines.ownedBy(i)) all.push(finding);
      else for (const finding of this.reports.shown(i)) all.push(finding);
    });
    return all.sort(compareFindings);
  }

  /** How many findings of each severity `findings(complete)` holds, without collecting them. */
  counts(complete = true): SeverityCounts {
    this.refresh(complete);
    const counts = new SeverityCounts();
    counts.addCounts(this.lines.counts);
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
    const listed = this.reports.merged([...this.listed(), extra]);
    let cursor = 0;
    const onLine: Finding[] = [];
    for (let line = 0; !full(); line++) {
      // The next line with findings of its own or listed ones: the lines between are not visited.
      const listedAt = cursor < listed.length ? listed[cursor]!.range.start.line : Infinity;
      line = Math.min(this.lines.nextWithFindings(line), Math.max(listedAt, line));
      if (line >= this.lines.length) break;
      onLine.length = 0;
      for (const finding of this.lines.findingsOf(line)) onLine.push(finding);
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
    return this.pass.datasetCheckers.flatMap((_, i) => (this.byLine[i] ? [] : [this.reports.shown(i)]));
  }

  /** The findings whose range starts on a line from `first` to `last`, for quick fixes and hover. */
  findingsOn(first: number, last: number): Finding[] {
    this.refresh(false);
    const found: Finding[] = [];
    for (let line = Math.max(first, 0); line <= Math.min(last, this.lines.length - 1); line++)
      for (const finding of this.lines.findingsOf(line)) found.push(finding);
    this.pass.datasetCheckers.forEach((_, i) => {
      if (this.byLine[i]) return;
      const list = this.reports.shown(i);
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
    const restate = this.stale.size > 0 ? this.lines.takeRestated() : undefined;
    this.pass.datasetCheckers.forEach((_, i) => {
      if (this.byLine[i] !== false && (this.byLine[i] === undefined || this.stale.has(i))) {
        this.stale.delete(i);
        const update = this.indexes.updateIndex(i, access, restate);
        this.byLine[i] = update !== undefined;
        if (update) this.lines.own(i, update.ids, update.findings);
      }
      if (this.byLine[i] || this.reports.isCurrent(i) || !complete) return;
      this.reports.reported(i, this.indexes.reportIndex(i, access).sort(compareFindings));
    });
  }

  /** The parsed view of one line (parsed again: only hover and outline need it). */
  context(line: number): LineContext | undefined {
    return this.lines.at(line) ? this.pass.context(this.input(line)) : undefined;
  }

  /** The most common format among the document's examples. */
  dominantFormat(): FormatId | undefined {
    return this.lines.dominantFormat();
  }

  /** The number of lines that hold an example (any JSON object). */
  exampleCount(): number {
    return this.lines.exampleCount();
  }

  private reset(text: string): void {
    this.observer?.reset();
    this.pass = new LinePass(this.config, this.checkers, this.onRuleError);
    this.indexes = new DatasetIndexes(this.pass, this.onRuleError);
    this.lines.clear();
    this.reports.reset();
    this.byLine = [];
    this.stale.clear();
    this.lines.replaceAll(linePieces(text).map((piece, line) => this.lint(line, piece.text, piece.eol)));
  }

  private applyRangeChange(range: Range, newText: string): void {
    const { start, replaced, pieces } = lineEdit(this.lines, range, newText);
    const count = this.lines.length;
    const removed = this.lines.slice(start, start + replaced);
    removed.forEach((entry, j) => this.unlink(entry, start + j));
    // Lines below move: the indexes renumber their ids (`DatasetIndex.move`) before the new lines
    // come in, so that no id is held twice. Nothing here visits the lines below.
    const below = start + replaced;
    const delta = pieces.length - replaced;
    if (delta !== 0 && below < count) {
      this.indexes.move(below, delta, () => this.lines.slice(below).map((entry) => entry.facts));
      this.observer?.moved(below, delta);
    }
    const fresh = pieces.map((piece, i) => this.lint(start + i, piece.text, piece.eol));
    this.invalidate(removed, fresh, start);
    this.lines.replace(start, replaced, fresh);
    if (delta !== 0) this.lines.markMoved(start, below + delta);
  }

  private invalidate(removed: LineEntry[], fresh: LineEntry[], firstLine: number): void {
    const lastLine = firstLine + removed.length - 1;
    const delta = fresh.length - removed.length;
    this.pass.datasetCheckers.forEach((_, i) => {
      if (this.byLine[i] !== false) {
        this.stale.add(i); // the index knows what changed
        return;
      }
      const sameFacts = (): boolean =>
        removed.every((entry, j) => isDeepStrictEqual(entry.facts[i], fresh[j]!.facts[i]));
      this.reports.invalidate(i, sameFacts, firstLine, lastLine, delta);
    });
  }

  private input(line: number): LineInput {
    const entry = this.lines.at(line)!;
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
    this.indexes.add(line, entry.facts);
    this.observer?.added(line, entry.facts);
    return this.lines.counted(entry);
  }

  private unlink(entry: LineEntry, id: number): void {
    this.indexes.remove(id, entry.facts);
    this.observer?.removed(id);
    this.lines.uncounted(entry);
  }

  /** Current lines of example ids, for indexes outside the document. */
  access(): LineAccess {
    return {
      lineOf: (id) => id,
      context: (id) => this.pass.context(this.input(id)),
    };
  }
}

function formatOf(example: Example | undefined): FormatId | undefined {
  return example?.format;
}
