/** Splitting in-memory text into the `LineInput`s the engine lints (files are streamed by `reader.ts`). */
import type { LineEnding, LineInput } from './types.ts';

const BOM = '\uFEFF';

/**
 * Lines of a document. A final line terminator does not start another (empty) line, matching how
 * editors and `wc -l` count; a document without a final terminator has a last line with `eol: ''`.
 */
export function splitLines(text: string, maxLineLength = Infinity): LineInput[] {
  const lines: LineInput[] = [];
  let start = 0;
  let bom = false;
  if (text.startsWith(BOM)) {
    bom = true;
    start = 1;
  }
  let line = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const crlf = newline !== -1 && end > start && text.charCodeAt(end - 1) === 13;
    const contentEnd = crlf ? end - 1 : end;
    const eol: LineEnding = newline === -1 ? '' : crlf ? '\r\n' : '\n';
    lines.push(makeLine(line, text.slice(start, contentEnd), eol, maxLineLength, line === 0 && bom));
    line++;
    start = newline === -1 ? text.length : newline + 1;
  }
  return lines;
}

export function makeLine(
  line: number,
  text: string,
  eol: LineEnding,
  maxLineLength: number,
  bom: boolean,
): LineInput {
  const input: LineInput = { line, text, eol };
  if (bom) input.bom = true;
  if (text.length > maxLineLength) {
    input.text = '';
    input.truncatedLength = text.length;
  }
  return input;
}
