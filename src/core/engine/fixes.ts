/**
 * The one fix planner: which of a document's fixes apply together, and in which order. The editor's
 * quick fixes and Fix All (src/server/lsp/features.ts) and `tunesmith fix` (src/cli/commands/fix.ts)
 * all take their edits from here, so one file gets the same edits wherever it is fixed.
 *
 * The rule is ESLint's (`SourceCodeFixer.applyFixes`) and ruff's (`apply_fixes`): fixes are sorted by
 * where they start (then where they end), and one is taken whole only if it starts after the last one
 * taken ends; the others wait for the next run, when they are computed again on the fixed text. Both
 * tools count touching as overlapping (`lastPos >= start`): a fix was computed on the text around it,
 * and two insertions at one point have no order. We take one exception, for JSONL: two fixes that
 * meet at the start of a line, the first having replaced or deleted text up to it, are both taken.
 * Each rule reads one line at a time (dataset rules report on one line each), so a line boundary is
 * a seam no fix reads across, and without the exception deleting 1,000 consecutive duplicate lines
 * would take ten runs (each run deletes every other copy). ESLint and ruff hide that cost by
 * re-linting up to 10 (ESLint) or 100 (ruff) times in one invocation; a planner that is also the
 * editor's Fix All must answer from the findings it has, in one versioned edit.
 */
import type { Finding, Position, Range, TextEdit } from './types.ts';

export interface FixPlan {
  /** The edits to apply, in document order; no two overlap. */
  edits: TextEdit[];
  /** Fixes taken, by code. */
  applied: Map<string, number>;
  /** Fixes left for the next run: they overlap one taken, are malformed, or touch an unread line. */
  skipped: number;
}

interface PlanOptions {
  /** Only the fixes of these codes (default: every fix). */
  wanted?: (code: string) => boolean;
  /**
   * Lines the engine did not read (longer than `maxLineLength`): a fix touching one is skipped, since
   * the CLI cannot rewrite a line it never held and the editor must make the same edits.
   */
  unread?: (line: number) => boolean;
}

function compare(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

function isEmpty(range: Range): boolean {
  return compare(range.start, range.end) === 0;
}

/**
 * Whether `next` may follow `previous` in one pass: it starts after `previous` ends, or exactly at the
 * start of a line that `previous` replaced text up to (see the module comment).
 */
function mayFollow(previous: TextEdit, next: TextEdit): boolean {
  const order = compare(next.range.start, previous.range.end);
  if (order > 0) return true;
  return order === 0 && previous.range.end.character === 0 && !isEmpty(previous.range);
}

interface Candidate {
  code: string;
  /** The fix's edits, sorted. */
  edits: TextEdit[];
  start: Position;
  end: Position;
}

function byRange(a: { start: Position; end: Position }, b: { start: Position; end: Position }): number {
  return compare(a.start, b.start) || compare(a.end, b.end);
}

/** A total order, so that the plan does not depend on the order the findings came in. */
function byCandidate(a: Candidate, b: Candidate): number {
  if (byRange(a, b) !== 0) return byRange(a, b);
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  const textA = a.edits.map((edit) => edit.newText).join('\0');
  const textB = b.edits.map((edit) => edit.newText).join('\0');
  return textA < textB ? -1 : textA > textB ? 1 : 0;
}

function candidateOf(finding: Finding): Candidate | undefined {
  const edits = finding.fix?.edits;
  if (!edits || edits.length === 0) return undefined;
  const sorted = edits.length === 1 ? [edits[0]!] : [...edits].sort((a, b) => byRange(a.range, b.range));
  let end = sorted[0]!.range.end;
  for (const edit of sorted) if (compare(edit.range.end, end) > 0) end = edit.range.end;
  return { code: finding.code, edits: sorted, start: sorted[0]!.range.start, end };
}

/** A fix whose own edits are reversed or overlap each other cannot be applied whole. */
function wellFormed(candidate: Candidate): boolean {
  const { edits } = candidate;
  for (let i = 0; i < edits.length; i++) {
    if (compare(edits[i]!.range.start, edits[i]!.range.end) > 0) return false;
    if (i > 0 && !mayFollow(edits[i - 1]!, edits[i]!)) return false;
  }
  return true;
}

function touchesUnread(candidate: Candidate, unread: (line: number) => boolean): boolean {
  for (const edit of candidate.edits) {
    for (let line = edit.range.start.line; line <= edit.range.end.line; line++) {
      // An end at column 0 of a line stops before it.
      if (line === edit.range.end.line && line > edit.range.start.line && edit.range.end.character === 0)
        break;
      if (unread(line)) return true;
    }
  }
  return false;
}

/** Chooses the fixes to apply together; see the module comment for the rule. */
export function planFixes(findings: Iterable<Finding>, options: PlanOptions = {}): FixPlan {
  const candidates: Candidate[] = [];
  for (const finding of findings) {
    if (options.wanted && !options.wanted(finding.code)) continue;
    const candidate = candidateOf(finding);
    if (candidate) candidates.push(candidate);
  }
  candidates.sort(byCandidate);
  const edits: TextEdit[] = [];
  const applied = new Map<string, number>();
  let skipped = 0;
  let last: TextEdit | undefined;
  for (const candidate of candidates) {
    if (
      (last && !mayFollow(last, candidate.edits[0]!)) ||
      !wellFormed(candidate) ||
      (options.unread && touchesUnread(candidate, options.unread))
    ) {
      skipped++;
      continue;
    }
    // A loop, not push(...): a plan can hold a million edits.
    for (const edit of candidate.edits) edits.push(edit);
    // The fix's edits are sorted and do not overlap, so its last edit ends last; taking the edit with the
    // greatest end instead picked a line-deleting edit over an insertion at the same point, and let a
    // second insertion there through (fast-check seed 460640463).
    last = candidate.edits[candidate.edits.length - 1];
    applied.set(candidate.code, (applied.get(candidate.code) ?? 0) + 1);
  }
  return { edits, applied, skipped };
}
