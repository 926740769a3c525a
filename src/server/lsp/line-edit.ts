/**
 * An LSP range change in terms of whole lines: which lines it replaces and the lines that replace
 * them. Positions are clamped as LSP clamps them, and lines break where the editor breaks them: at
 * '\n', '\r\n' and a lone '\r' (LSP positions count all three), as the engine's `linePieces` does for
 * `lintText` and the file reader for the CLI.
 */
import { linePieces } from '../../core/engine/lines.ts';
import type { LineEnding, Position, Range } from '../../core/engine/types.ts';
import type { DocumentLines } from './document-lines.ts';

interface LineEdit {
  /** The first line replaced. */
  start: number;
  /** How many lines are replaced, from `start` on. */
  replaced: number;
  /** The lines that replace them. */
  pieces: { text: string; eol: LineEnding }[];
}

/** The lines `range` touches, and what they become with `newText` in place of the range. */
export function lineEdit(lines: DocumentLines, range: Range, newText: string): LineEdit {
  let start = clamp(lines, range.start);
  const end = clamp(lines, range.end);
  const count = lines.length;
  let prefix = start.line < count ? lines.at(start.line)!.text.slice(0, start.character) : '';
  if (start.character === 0 && start.line > 0 && lines.at(start.line - 1)!.eol === '\r') {
    // The edit may begin with '\n', which would join the previous line's lone '\r' into one CRLF
    // break: that line is taken into the edit and split again.
    start = { line: start.line - 1, character: 0 };
    prefix = lines.at(start.line)!.text + '\r';
  }
  const last = end.line < count ? lines.at(end.line) : undefined;
  const suffix = last ? last.text.slice(end.character) + last.eol : '';
  const replaced = Math.max(Math.min(end.line, count - 1) - start.line + 1, 0);
  return { start: start.line, replaced, pieces: linePieces(prefix + newText + suffix) };
}

/** LSP clamps positions past a line's end to its end, and past the last line to the document's end. */
function clamp(lines: DocumentLines, position: Position): Position {
  const count = lines.length;
  if (position.line >= count) {
    const lastEntry = lines.at(count - 1);
    // The position after a final terminator is the start of a (virtual) line `count`.
    if (!lastEntry || lastEntry.eol !== '') return { line: count, character: 0 };
    return { line: count - 1, character: lastEntry.text.length };
  }
  const text = lines.at(position.line)!.text;
  return { line: position.line, character: Math.min(Math.max(position.character, 0), text.length) };
}
