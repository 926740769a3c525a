/**
 * What a `textDocument/didChange` may do to the server's copy of a document, checked before any of
 * it is applied, so the copy stays equal to the editor's:
 *
 * - The version must grow (LSP: "the version number of a document will increase after each
 *   change"); a change at the current version or an older one is a replay and is dropped.
 * - Positions are unsigned integers. One that is not makes the whole notification unreadable: the
 *   editor applied something the server cannot know, so the copy is marked out of sync.
 * - A range whose end comes before its start is read with its ends swapped, as
 *   vscode-languageserver-textdocument's `TextDocument.update` reads it (the model most servers and
 *   our reference test use), and said in the log: applied as sent, it duplicated the text between
 *   its ends (two lines became three).
 * - A position past the end of a line or of the document is clamped, as the protocol says for a
 *   character past the end of a line and as `TextDocument` does for lines.
 */
import type { Position, Range } from '../../core/engine/types.ts';
import type { TextChange } from './linted-document.ts';

type CheckedChange =
  | { kind: 'apply'; version: number; changes: TextChange[]; warnings: string[] }
  /** A replay or an older version: the copy already holds it or something newer. */
  | { kind: 'stale'; version: number; reason: string }
  /** Unreadable: the editor changed its text in a way the copy cannot follow. */
  | { kind: 'malformed'; reason: string };

function isPosition(value: unknown): value is Position {
  if (typeof value !== 'object' || value === null) return false;
  const { line, character } = value as Record<string, unknown>;
  return (
    Number.isInteger(line) &&
    (line as number) >= 0 &&
    Number.isInteger(character) &&
    (character as number) >= 0
  );
}

function isRange(value: unknown): value is Range {
  if (typeof value !== 'object' || value === null) return false;
  const { start, end } = value as Record<string, unknown>;
  return isPosition(start) && isPosition(end);
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

const show = (p: Position): string => `${p.line + 1}:${p.character + 1}`;

/** Checks the `version` and `contentChanges` of a didChange against the copy's current version. */
export function checkChange(
  version: unknown,
  contentChanges: unknown,
  currentVersion: number,
): CheckedChange {
  if (!Number.isInteger(version))
    return { kind: 'malformed', reason: `version ${JSON.stringify(version)} is not an integer` };
  const next = version as number;
  if (next <= currentVersion)
    return { kind: 'stale', version: next, reason: `version ${next} is not newer than ${currentVersion}` };
  if (!Array.isArray(contentChanges)) return { kind: 'malformed', reason: 'contentChanges is not an array' };
  const changes: TextChange[] = [];
  const warnings: string[] = [];
  for (const [i, raw] of contentChanges.entries()) {
    const change = raw as { range?: unknown; text?: unknown } | null;
    if (typeof change !== 'object' || change === null || typeof change.text !== 'string')
      return { kind: 'malformed', reason: `change ${i + 1} has no text` };
    if (change.range === undefined) {
      changes.push({ text: change.text });
      continue;
    }
    if (!isRange(change.range))
      return {
        kind: 'malformed',
        reason: `change ${i + 1} has a range that is not two positions of unsigned integers`,
      };
    let { start, end } = change.range;
    if (before(end, start)) {
      warnings.push(
        `change ${i + 1} has its range's end (${show(end)}) before its start (${show(start)}); read as ${show(end)}–${show(start)}`,
      );
      [start, end] = [end, start];
    }
    changes.push({ range: { start, end }, text: change.text });
  }
  return { kind: 'apply', version: next, changes, warnings };
}
