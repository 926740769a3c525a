/**
 * How many diagnostics a file publishes, and which. VS Code shows at most 1,000 diagnostics per file
 * (`ExtHostDiagnostics._maxDiagnosticsPerFile`): errors first, then warnings, information and hints,
 * and a "Not showing N further errors and warnings" line; every diagnostic past those is still sent,
 * parsed and converted by the client, then dropped. A dataset of 130,000 copies of one example had
 * the server serialise 58 MB of them per keystroke. So the server publishes what the editor would
 * show, the same way (errors first, then by position), and says how many more there are; the
 * status bar summary counts them all, and `tunesmith lint` lists them.
 */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { compareFindings } from '../../core/engine/linter.ts';
import type { Finding, Severity } from '../../core/engine/types.ts';

/** What one publication holds at most, the note about the rest included. */
export const MAX_DIAGNOSTICS = 1000;

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

/** Findings counted by severity, kept up to date as they come and go. */
export class SeverityCounts {
  /** Indexed by rank: error, warning, info, hint. */
  readonly byRank = [0, 0, 0, 0];

  get total(): number {
    return this.byRank[0]! + this.byRank[1]! + this.byRank[2]! + this.byRank[3]!;
  }

  get errors(): number {
    return this.byRank[0]!;
  }

  get warnings(): number {
    return this.byRank[1]!;
  }

  add(findings: readonly Finding[], sign = 1): void {
    for (const finding of findings) this.byRank[RANK[finding.severity]]! += sign;
  }

  addCounts(other: SeverityCounts, sign = 1): void {
    for (let rank = 0; rank < 4; rank++) this.byRank[rank]! += sign * other.byRank[rank]!;
  }

  static of(findings: readonly Finding[]): SeverityCounts {
    const counts = new SeverityCounts();
    counts.add(findings);
    return counts;
  }
}

/**
 * How many findings of each severity a publication shows, most severe first, leaving room for the
 * note: all of them when they fit.
 */
export function quotas(counts: SeverityCounts, limit = MAX_DIAGNOSTICS): number[] {
  if (counts.total <= limit) return [...counts.byRank];
  let room = limit - 1;
  return counts.byRank.map((count) => {
    const taken = Math.min(count, room);
    room -= taken;
    return taken;
  });
}

/** Takes a finding if its severity's quota allows; false once every quota is used up. */
export function taker(quota: number[]): { take: (finding: Finding) => boolean; full: () => boolean } {
  let left = quota.reduce((a, b) => a + b, 0);
  return {
    take(finding) {
      const rank = RANK[finding.severity];
      if (quota[rank] === 0) return false;
      quota[rank]!--;
      left--;
      return true;
    },
    full: () => left === 0,
  };
}

/** The diagnostic that says how many findings a publication leaves out, at the top of the file. */
export function omittedNote(shown: number, counts: SeverityCounts): Diagnostic | undefined {
  if (shown >= counts.total) return undefined;
  const total = counts.total.toLocaleString('en-US');
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: 'tunesmith',
    message: `Showing ${shown.toLocaleString('en-US')} of ${total} problems in this file (errors first, then by line): the editor shows at most ${MAX_DIAGNOSTICS.toLocaleString('en-US')}. The status bar counts them all; \`tunesmith lint\` lists every one.`,
  };
}

/**
 * The findings a publication shows out of `candidates` (sorted by position, holding at least those
 * shown: e.g. what `ShownFindings` kept plus leakage findings), whose counts are `counts`.
 */
export function chooseShown(
  candidates: readonly Finding[],
  counts: SeverityCounts,
  limit = MAX_DIAGNOSTICS,
): Finding[] {
  const { take } = taker(quotas(counts, limit));
  return candidates.filter((finding) => take(finding));
}

function compareShown(a: Finding, b: Finding): number {
  return RANK[a.severity] - RANK[b.severity] || compareFindings(a, b);
}

/**
 * Keeps counts of every finding fed to it and the ones a publication shows (most severe first,
 * then by position), in any order of arrival: a file linted from disk streams its findings through
 * one of these, so a million of them never sit in memory at once.
 */
export class ShownFindings {
  readonly counts = new SeverityCounts();
  private kept: Finding[] = [];

  constructor(private readonly limit = MAX_DIAGNOSTICS - 1) {}

  add(finding: Finding): void {
    this.counts.add([finding]);
    this.kept.push(finding);
    // Sorting when twice as many as needed are kept costs O(n log limit) over the whole stream.
    if (this.kept.length >= 2 * this.limit) this.trim();
  }

  /** The findings shown, sorted by position. */
  shown(): Finding[] {
    if (this.counts.total > this.limit + 1) this.trim();
    return [...this.kept].sort(compareFindings);
  }

  private trim(): void {
    this.kept.sort(compareShown);
    this.kept.length = Math.min(this.kept.length, this.limit);
  }
}
