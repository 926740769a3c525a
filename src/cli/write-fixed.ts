/**
 * Writes a fix plan (chosen by the engine's planner, engine/fixes.ts, which the editor's Fix All uses
 * too) to a file. Output is written in one streaming pass in which every line no fix touches is copied
 * byte for byte from the file (invalid UTF-8, odd line endings and all); only the lines a fix touches
 * are re-encoded.
 */
import { fstatSync } from 'node:fs';
import type { FileLines } from '../core/engine/reader.ts';
import type { FixPlan } from '../core/engine/fixes.ts';
import type { Position, TextEdit } from '../core/engine/types.ts';
import type { LineIndex } from '../core/lint/lint-file.ts';

/** The last line an edit's text depends on: an end at column 0 of the next line ends this one. */
function lastLine(edit: TextEdit): number {
  const { start, end } = edit.range;
  return end.character === 0 && end.line > start.line ? end.line - 1 : end.line;
}

interface Group {
  first: number;
  last: number;
  edits: TextEdit[];
}

function groupEdits(edits: readonly TextEdit[], lineCount: number): Group[] {
  const groups: Group[] = [];
  for (const edit of edits) {
    const first = Math.min(edit.range.start.line, Math.max(0, lineCount - 1));
    const last = Math.min(lastLine(edit), Math.max(0, lineCount - 1));
    const current = groups[groups.length - 1];
    if (current && first <= current.last) {
      current.last = Math.max(current.last, last);
      current.edits.push(edit);
    } else groups.push({ first, last, edits: [edit] });
  }
  return groups;
}

function rewriteGroup(group: Group, reader: FileLines, lines: LineIndex): string {
  let text = '';
  const starts: number[] = [];
  for (let line = group.first; line <= group.last; line++) {
    starts.push(text.length);
    const input = reader.read(lines.raw(line));
    text += input.text + input.eol;
  }
  starts.push(text.length);
  const offset = (position: Position): number => {
    const index = position.line - group.first;
    if (index >= starts.length - 1) return text.length;
    return Math.min(starts[index]! + position.character, starts[index + 1]!);
  };
  let out = text;
  // Right to left, so earlier offsets stay valid.
  for (const edit of [...group.edits].reverse()) {
    out = out.slice(0, offset(edit.range.start)) + edit.newText + out.slice(offset(edit.range.end));
  }
  return out;
}

const COPY_CHUNK = 1 << 20;

/** Writes the fixed file through `write`; untouched byte ranges are copied from the linted file verbatim. */
export function writeFixed(
  plan: FixPlan,
  lines: LineIndex,
  reader: FileLines,
  write: (bytes: Uint8Array) => void,
): void {
  const copy = (from: number, to: number): void => {
    for (let position = from; position < to;) {
      const size = Math.min(COPY_CHUNK, to - position);
      const buffer = Buffer.allocUnsafe(size);
      const read = reader.readBytes(buffer, size, position);
      if (read === 0) throw new Error('the file changed while it was being fixed');
      write(buffer.subarray(0, read));
      position += read;
    }
  };
  let cursor = 0;
  for (const group of groupEdits(plan.edits, lines.count)) {
    const first = lines.raw(group.first);
    const last = lines.raw(group.last);
    copy(cursor, first.byteOffset);
    write(Buffer.from(rewriteGroup(group, reader, lines), 'utf8'));
    cursor = last.byteOffset + last.byteLength;
  }
  // To the file's end, not the last line's: a file holding only a BOM has no lines.
  copy(cursor, fstatSync(reader.fd).size);
}
