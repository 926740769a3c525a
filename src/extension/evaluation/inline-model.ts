/**
 * Where an evaluation's results go in the held-out file as it is now: each example names the line it
 * was evaluated on (`line`, 1-based) and that line's text (`line_hash`, hex SHA-256 of its UTF-8 text
 * without the line break, as the trainer's `report.line_hash` computes it). A result is `fresh` when
 * that line still has that text, `moved` when the text is now on another line (shown there), `stale`
 * otherwise (shown on its old line, marked). No `vscode` here: the editor's lenses, hovers and List
 * Regressions read what this computes, and the unit tests and the benchmark run it directly.
 */
import { createHash } from 'node:crypto';
import type { EvaluationExample, EvaluationReport } from '../../shared/evaluation-report.ts';
import type { ResultExample, ResultReport } from '../../shared/evaluation-view.ts';

/** The trainer's `line_hash` of a line's text (src/trainer/tunesmith_trainer/report.py). */
export const lineHash = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

type Placement = 'fresh' | 'moved' | 'stale';

/** What placing and a lens read of an example: no texts (those are most of a report). */
type LineExample = ResultExample & Pick<EvaluationExample, 'index' | 'line_hash'> & { line: number };

export interface PlacedResult {
  example: LineExample;
  state: Placement;
  /** 0-based line it is shown on now; undefined for a stale result whose line is gone or taken. */
  line: number | undefined;
  /** 0-based line it was evaluated on. */
  evaluatedLine: number;
}

export interface Placed {
  /** Every example that names a line, in the report's order. */
  results: PlacedResult[];
  /** The results shown on each 0-based line. */
  byLine: Map<number, PlacedResult[]>;
}

/** The text of a document's lines, as VS Code splits them (\r\n, \n or \r, as the trainer does). */
export interface Lines {
  readonly count: number;
  text(line: number): string;
}

/**
 * The examples of one version of a report that name a line, without their texts: what placing and
 * the lenses read, built once per version of the report (ReportStore keeps it in the report's
 * summary, ~200 bytes an example, so a held-out file's lenses need no read of a report of 30 MB).
 */
export class ReportLines implements ResultReport {
  readonly primary: EvaluationReport['primary'];
  readonly systems: EvaluationReport['systems'];
  readonly examples: readonly LineExample[];

  constructor(report: EvaluationReport) {
    this.primary = report.primary;
    this.systems = report.systems;
    const examples: LineExample[] = [];
    for (const { index, line, line_hash, correct, scores, outcome, error } of report.examples) {
      if (line === undefined) continue;
      const example: LineExample = { index, line, correct, scores, outcome };
      if (line_hash !== undefined) example.line_hash = line_hash;
      if (error !== undefined) example.error = error;
      examples.push(example);
    }
    this.examples = examples;
  }
}

/**
 * Line hashes of one document, memoised by text: placing again after an edit hashes only the lines
 * whose text is new. Entries not used by the last two placements are dropped, so it holds at most
 * about two versions of the document's lines (the strings themselves are the document's own).
 */
export class LineHashes {
  private current = new Map<string, string>();
  private previous = new Map<string, string>();
  /** How many texts were hashed (not answered from the memo): what the tests and the benchmark count. */
  computed = 0;

  hash(text: string): string {
    let hash = this.current.get(text);
    if (hash === undefined) {
      hash = this.previous.get(text);
      if (hash === undefined) {
        hash = lineHash(text);
        this.computed += 1;
      }
      this.current.set(text, hash);
    }
    return hash;
  }

  /** Called after each placement: what it did not use is forgotten at the next one. */
  age(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}

/**
 * Places each example: fresh first (only the evaluated lines are hashed, which is all an unchanged
 * file needs); then, if any is not, every line of the document is hashed once and a changed
 * example's text is looked for elsewhere, nearest to where it was, one result per line of that text
 * (a file can hold the same line twice); what is left is stale on its old line, unless that line now
 * holds another result's text or no longer exists.
 */
export function placeResults(index: ReportLines, lines: Lines, hashes: LineHashes): Placed {
  const results: PlacedResult[] = [];
  const pending: PlacedResult[] = [];
  const taken = new Set<number>();
  for (const example of index.examples) {
    const evaluatedLine = example.line - 1;
    const exists = evaluatedLine < lines.count;
    const same =
      exists &&
      (example.line_hash === undefined || hashes.hash(lines.text(evaluatedLine)) === example.line_hash);
    const result: PlacedResult = {
      example,
      state: same ? 'fresh' : 'stale',
      line: same ? evaluatedLine : undefined,
      evaluatedLine,
    };
    results.push(result);
    if (same) taken.add(evaluatedLine);
    else pending.push(result);
  }
  if (pending.length > 0) {
    const at = linesByHash(lines, hashes);
    for (const result of pending) {
      const candidates = at.get(result.example.line_hash!);
      const line = candidates && nearestFree(candidates, result.evaluatedLine, taken);
      if (line === undefined) continue;
      result.state = 'moved';
      result.line = line;
      taken.add(line);
    }
    for (const result of pending) {
      if (result.state === 'stale' && result.evaluatedLine < lines.count && !taken.has(result.evaluatedLine))
        result.line = result.evaluatedLine;
    }
  }
  hashes.age();
  const byLine = new Map<number, PlacedResult[]>();
  for (const result of results) {
    if (result.line === undefined) continue;
    const here = byLine.get(result.line);
    if (here) here.push(result);
    else byLine.set(result.line, [result]);
  }
  return { results, byLine };
}

function linesByHash(lines: Lines, hashes: LineHashes): Map<string, number[]> {
  const at = new Map<string, number[]>();
  for (let line = 0; line < lines.count; line += 1) {
    const hash = hashes.hash(lines.text(line));
    const list = at.get(hash);
    if (list) list.push(line);
    else at.set(hash, [line]);
  }
  return at;
}

/** The line of `candidates` (ascending) nearest to `line` that no other result holds. */
function nearestFree(
  candidates: readonly number[],
  line: number,
  taken: ReadonlySet<number>,
): number | undefined {
  let best: number | undefined;
  for (const candidate of candidates) {
    if (taken.has(candidate)) continue;
    if (best === undefined || Math.abs(candidate - line) < Math.abs(best - line)) best = candidate;
  }
  return best;
}

/** 0-based lines, both ends included. */
export interface LineSpan {
  start: number;
  end: number;
}

/**
 * How many lines above and below the visible ones get their lenses. VS Code lays out a view zone for
 * every lens it is given, drawn or not: 10,000 lenses kept the first one 1–4 s behind the text in
 * code-server, while the provider took under 80 ms (docs/benchmarks.md). A few screens either side
 * keep scrolling within them smooth; beyond them the lenses are provided again.
 */
export const LENS_MARGIN = 150;

/** The lines to give lenses for: the visible spans and a margin, or the file's start when none is visible yet. */
export function lensWindow(visible: readonly LineSpan[], lineCount: number, margin = LENS_MARGIN): LineSpan {
  const last = Math.max(0, lineCount - 1);
  if (visible.length === 0) return { start: 0, end: Math.min(last, 2 * margin) };
  let start = visible[0]!.start;
  let end = visible[0]!.end;
  for (const span of visible) {
    start = Math.min(start, span.start);
    end = Math.max(end, span.end);
  }
  return { start: Math.max(0, start - margin), end: Math.min(last, end + margin) };
}

/**
 * Whether the lenses given for `provided` no longer cover what is visible with a third of the margin
 * to spare (at the file's ends nothing is missing): then they are provided again.
 */
export function windowStale(
  provided: LineSpan,
  visible: readonly LineSpan[],
  lineCount: number,
  margin = LENS_MARGIN,
): boolean {
  const slack = Math.floor(margin / 3);
  const last = Math.max(0, lineCount - 1);
  return visible.some(
    (span) =>
      (provided.start > 0 && span.start - slack < provided.start) ||
      (provided.end < last && span.end + slack > provided.end),
  );
}
