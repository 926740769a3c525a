/**
 * The findings of the dataset checkers that cannot update by line and are reported in full (the
 * whole-file format report, for one): each kept while an edit cannot have changed it, and, once an
 * edit invalidated it, a provisional list shown until the checker has reported again.
 */
import { compareFindings } from '../../core/engine/linter.ts';
import type { Finding } from '../../core/engine/types.ts';
import { linesTouched, provisionalFinding, touchesLines } from './moved-findings.ts';
import { SeverityCounts } from './publication.ts';

export class FullReports {
  /**
   * Findings of each checker, kept while an edit cannot have changed them: the edited lines' facts
   * for that checker are equal before and after, no line moved, and none of its findings touches an
   * edited line (a finding's fix may embed its line's text). Typing inside a message changes no
   * format or key facts, so the whole-file format report is not rebuilt for each key.
   */
  private current: (Finding[] | undefined)[] = [];
  /**
   * For a checker whose findings an edit invalidated: its previous findings minus those that touch
   * the edited lines, moved with the lines below, and without fixes (a fix's edit positions at the
   * edit's boundary would be ambiguous). Shown until the checker has reported again.
   */
  private provisional: (Finding[] | undefined)[] = [];
  /** The lines each checker's current findings touch (their ranges, related lines, fixes). */
  private touchedLines: (Set<number> | undefined)[] = [];
  private mergedFrom: readonly (readonly Finding[])[] = [];
  private mergedList: readonly Finding[] = [];

  /** Forgets every report (a new text or configuration). */
  reset(): void {
    this.current = [];
    this.provisional = [];
    this.touchedLines = [];
  }

  /** Whether checker `i` has reported since the last edit that invalidated it. */
  isCurrent(i: number): boolean {
    return this.current[i] !== undefined;
  }

  /** Checker `i` reported these findings, sorted by position. */
  reported(i: number, findings: Finding[]): void {
    this.current[i] = findings;
    this.provisional[i] = undefined;
    this.touchedLines[i] = linesTouched(findings);
  }

  /** Checker `i`'s current findings, else the provisional ones, sorted. */
  shown(i: number): readonly Finding[] {
    return this.current[i] ?? this.provisional[i] ?? [];
  }

  /**
   * Lines `first`..`last` were replaced, and the lines below moved by `delta`: checker `i`'s report
   * stands when `sameFacts` (its facts of the edited lines did not change) and none of its findings
   * touches those lines; else what is left of it stands in, provisionally.
   */
  invalidate(i: number, sameFacts: () => boolean, first: number, last: number, delta: number): void {
    const current = this.current[i];
    const lines = this.touchedLines[i];
    const touchesEdit = (): boolean => {
      for (let line = first; line <= last; line++) if (lines?.has(line)) return true;
      return false;
    };
    if (current && delta === 0 && sameFacts() && !touchesEdit()) return;
    const previous = current ?? this.provisional[i] ?? [];
    this.current[i] = undefined;
    this.touchedLines[i] = undefined;
    this.provisional[i] = previous
      .filter((f) => !touchesLines(f, first, last))
      .map((f) => provisionalFinding(f, last + 1, delta));
  }

  /** Sorted lists merged into one, kept while the same lists come again (they change on a report). */
  merged(lists: readonly (readonly Finding[])[]): readonly Finding[] {
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
}

const countsCache = new WeakMap<readonly Finding[], SeverityCounts>();

/** The counts of a list of findings that does not change (a report's), counted once. */
export function countsOf(findings: readonly Finding[]): SeverityCounts {
  let counts = countsCache.get(findings);
  if (!counts) countsCache.set(findings, (counts = SeverityCounts.of(findings)));
  return counts;
}

/** The index of the first finding starting at or after `line` in findings sorted by position. */
export function firstAtLine(findings: readonly Finding[], line: number): number {
  let low = 0;
  let high = findings.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (findings[mid]!.range.start.line < line) low = mid + 1;
    else high = mid;
  }
  return low;
}
