/**
 * How many diagnostics a file publishes, and which. VS Code shows at most 1,000 diagnostics per file
 * (`ExtHostDiagnostics._maxDiagnosticsPerFile`): errors first, then warnings, information and hints,
 * and a "Not showing N further errors and warnings" line; every diagnostic past those is still sent,
 * parsed and converted by the client, then dropped. A dataset of 130,000 copies of one example had
 * the server serialise 58 MB of them per keystroke. So the server publishes what the editor would
 * show, the same way (errors first, then by position), and says how many more there are; the
 * status bar summary counts them all, and `tunesmith lint` lists them. `Publisher` sends them, for
 * open documents and for files linted from disk alike, with each file's summary.
 */
import { DiagnosticSeverity, type Connection, type Diagnostic } from 'vscode-languageserver';
import { FORMAT_NAMES, type FormatId } from '../../core/engine/formats.ts';
import { compareFindings } from '../../core/engine/linter.ts';
import type { Finding, Severity } from '../../core/engine/types.ts';
import { SummaryNotification, type DatasetSummary } from '../../shared/protocol.ts';
import type { DiskLint } from './disk-lint.ts';
import type { Documents } from './documents.ts';
import { toDiagnostic } from './features.ts';
import type { SemanticChecks } from './semantic.ts';
import type { SplitIndex } from './split-index.ts';

/** What one publication holds at most, the note about the rest included. */
const MAX_DIAGNOSTICS = 1000;

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
function omittedNote(shown: number, counts: SeverityCounts): Diagnostic | undefined {
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
function chooseShown(
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

/** A linted file's findings as the status bar and the dataset view summarise them. */
function summarize(
  uri: string,
  counts: SeverityCounts,
  examples: number,
  format: FormatId | undefined,
  shown: readonly Finding[],
): DatasetSummary {
  const { errors, warnings } = counts;
  const summary: DatasetSummary = {
    uri,
    examples,
    format: FORMAT_NAMES[format ?? 'unknown'],
    errors,
    warnings,
  };
  // Shown findings hold every error there is room for, in order of position.
  const first = errors > 0 ? shown.find((finding) => finding.severity === 'error') : undefined;
  if (first)
    summary.firstError = { line: first.range.start.line + 1, code: first.code, message: first.message };
  return summary;
}

/**
 * Sends each file's diagnostics and summary: an open document's from its linted copy, a closed
 * one's from its last lint from disk; the workspace's leakage findings and the semantic ones (which
 * come later, when their pass is done) are added to both.
 */
export class Publisher {
  /** What each file linted from disk shows, republished when its leakage changes. */
  private readonly disk = new Map<string, { shown: Finding[]; counts: SeverityCounts }>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: Documents,
    private readonly split: SplitIndex,
    private readonly semantic: SemanticChecks,
  ) {}

  private readonly extras = new Map<
    string,
    { split: readonly Finding[]; semantic: readonly Finding[]; both: readonly Finding[] }
  >();

  /**
   * Findings from the cross-file indexes (leakage) and the semantic pass, sorted; the same array while
   * neither changes, so a document's merge of them (`LintedDocument.select`) is kept between keystrokes.
   */
  private extraFor(uri: string): readonly Finding[] {
    const split = this.split.findingsFor(uri);
    const semantic = this.semantic.findingsFor(uri);
    if (semantic.length === 0) {
      this.extras.delete(uri);
      return split;
    }
    const kept = this.extras.get(uri);
    if (kept?.split === split && kept.semantic === semantic) return kept.both;
    const both = [...split, ...semantic].sort(compareFindings);
    this.extras.set(uri, { split, semantic, both });
    return both;
  }

  /** Coalesces a burst of changes into one lint of the dataset indexes and one publication. */
  schedule(uri: string): void {
    const document = this.documents.get(uri);
    if (!document || document.scheduled) return;
    document.scheduled = true;
    setImmediate(() => this.publish(uri));
  }

  /** The files whose leakage or semantic findings changed are published again. */
  leakageChanged(uris: readonly string[]): void {
    for (const uri of uris) {
      if (this.documents.has(uri)) this.schedule(uri);
      else if (this.disk.has(uri)) this.publishDisk(uri);
    }
  }

  /** Publishes a lint from disk of a closed file and sends its summary. */
  publishFromDisk(uri: string, linted: DiskLint): DatasetSummary {
    this.disk.set(uri, { shown: linted.shown, counts: linted.counts });
    this.publishDisk(uri);
    return this.sendSummary(uri, linted.counts, linted.examples, linted.dominantFormat, linted.shown, {
      fromDisk: true,
    });
  }

  /** The findings the last lint from disk of `uri` shows (at most MAX_DIAGNOSTICS); undefined if none. */
  diskFindings(uri: string): readonly Finding[] | undefined {
    return this.disk.get(uri)?.shown;
  }

  /** The file's diagnostics are withdrawn (closed, deleted, or its copy out of sync). */
  clear(uri: string): void {
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /** Its lint from disk is forgotten: the file was opened or deleted. */
  forgetDisk(uri: string): void {
    this.disk.delete(uri);
  }

  /** The summary of an open document, complete (whole-file findings included). */
  summaryOf(uri: string): DatasetSummary | undefined {
    const linted = this.documents.get(uri)?.linted;
    if (!linted) return undefined;
    const { shown, counts } = linted.select(MAX_DIAGNOSTICS, this.extraFor(uri), true);
    return summarize(uri, counts, linted.exampleCount(), linted.dominantFormat(), shown);
  }

  /**
   * Publishes in two steps when an edit invalidated whole-file findings: first what is known at once
   * (the edited lines, and the whole-file findings the edit cannot have touched), then, unless more
   * edits arrived meanwhile, the complete set. The summary goes with the complete set only.
   */
  private publish(uri: string, complete = false): void {
    try {
      this.publishFindings(uri, complete);
    } catch (error) {
      // Never stale diagnostics after an error (as eslint does): none, and the reason in the log.
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.connection.console.error(`Internal error while linting ${uri}: ${detail}`);
      const version = this.documents.get(uri)?.version;
      void this.connection.sendDiagnostics({ uri, version, diagnostics: [] });
    }
  }

  private publishFindings(uri: string, complete: boolean): void {
    const document = this.documents.get(uri);
    if (!document) return;
    document.scheduled = false;
    const linted = document.linted;
    if (!linted || document.outOfSync) return;
    const done = complete || linted.complete;
    const { shown, counts } = linted.select(MAX_DIAGNOSTICS, this.extraFor(uri), done);
    const version = document.version;
    void this.connection.sendDiagnostics({
      uri,
      version,
      diagnostics: this.diagnosticsOf(shown, counts, uri),
    });
    if (done)
      this.sendSummary(uri, counts, linted.exampleCount(), linted.dominantFormat(), shown, { version });
    else {
      setImmediate(() => {
        if (this.documents.get(uri) === document && document.version === version && !document.scheduled)
          this.publish(uri, true);
      });
    }
  }

  private publishDisk(uri: string): void {
    const disk = this.disk.get(uri) ?? { shown: [], counts: new SeverityCounts() };
    const leaks = this.extraFor(uri);
    const counts = new SeverityCounts();
    counts.addCounts(disk.counts);
    counts.add(leaks);
    const shown = chooseShown([...disk.shown, ...leaks].sort(compareFindings), counts);
    void this.connection.sendDiagnostics({ uri, diagnostics: this.diagnosticsOf(shown, counts, uri) });
  }

  /** The diagnostics of the findings shown, and the note about those left out. */
  private diagnosticsOf(shown: readonly Finding[], counts: SeverityCounts, uri: string): Diagnostic[] {
    const diagnostics = shown.map((finding) => toDiagnostic(finding, uri));
    const note = omittedNote(shown.length, counts);
    if (note) diagnostics.push(note);
    return diagnostics;
  }

  private sendSummary(
    uri: string,
    counts: SeverityCounts,
    examples: number,
    format: FormatId | undefined,
    shown: readonly Finding[],
    { version, fromDisk }: { version?: number; fromDisk?: boolean },
  ): DatasetSummary {
    const summary = summarize(uri, counts, examples, format, shown);
    if (version !== undefined) summary.version = version;
    if (fromDisk) summary.fromDisk = true;
    void this.connection.sendNotification(SummaryNotification, summary);
    return summary;
  }
}
