/**
 * Findings moved with their lines, without linting again: a line checker's finding shifted with its
 * line, a whole-file finding kept provisionally while its checker re-reports, and the lines a list of
 * findings touches (what an edit must not touch for them to stand).
 */
import type { Finding, Range } from '../../core/engine/types.ts';

function shiftRange(range: Range, delta: number): Range {
  return {
    start: { line: range.start.line + delta, character: range.start.character },
    end: { line: range.end.line + delta, character: range.end.character },
  };
}

/** A line checker's finding moved with its line: its range, its fix and same-file related ranges. */
export function shiftFinding(finding: Finding, delta: number): Finding {
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

/** A dataset finding kept while its checker re-reports: lines from `from` on moved by `delta`; no fix. */
export function provisionalFinding(finding: Finding, from: number, delta: number): Finding {
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
  if (finding.data && delta !== 0) {
    const clusterLines = finding.data.clusterLines.map((line) => (line >= from ? line + delta : line));
    moved.data = { ...finding.data, clusterLines };
  }
  return moved;
}

/** Every line a finding's ranges, related lines in the file and fix edits cover. */
export function linesTouched(findings: readonly Finding[]): Set<number> {
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

/** Whether a finding's range, a related range in the file or a fix edit touches lines `first`..`last`. */
export function touchesLines(finding: Finding, first: number, last: number): boolean {
  const touches = (range: Range): boolean => range.end.line >= first && range.start.line <= last;
  return (
    touches(finding.range) ||
    (finding.related?.some((r) => r.file === undefined && touches(r.range)) ?? false) ||
    (finding.fix?.edits.some((e) => touches(e.range)) ?? false)
  );
}
