/** Splitting in-memory text into the `LineInput`s the engine lints (files are streamed by `reader.ts`). */
import type { LineEnding, LineInput } from './types.ts';

const BOM = '\uFEFF';

/**
 * Lines of a document, broken where editors break them: at '\n', '\r\n' and a lone '\r' (so the CLI
 * and the editor number lines alike). A final line terminator does not start another (empty) line,
 * matching how editors and `wc -l` count; a document without a final terminator has a last line with
 * `eol: ''`.
 */
export function splitLines(text: string, maxLineLength = Infinity): LineInput[] {
  const bom = text.startsWith(BOM);
  return linePieces(bom ? text.slice(1) : text).map((piece, line) =>
    makeLine(line, piece.text, piece.eol, maxLineLength, line === 0 && bom),
  );
}

/** The text and terminator of each line, by the rule of `splitLines`; a BOM is left as text. */
export function linePieces(text: string): { text: string; eol: LineEnding }[] {
  const pieces: { text: string; eol: LineEnding }[] = [];
  let start = 0;
  // Each search runs ahead once and is reused until passed: lone CRs are rare, and searching for
  // '\r' from every line start would rescan a CR-free text to its end once per line.
  let nextLf = -2;
  let nextCr = -2;
  while (start < text.length) {
    if (nextLf !== -1 && nextLf < start) nextLf = text.indexOf('\n', start);
    if (nextCr !== -1 && nextCr < start) nextCr = text.indexOf('\r', start);
    if (nextCr !== -1 && (nextLf === -1 || nextCr < nextLf - 1)) {
      pieces.push({ text: text.slice(start, nextCr), eol: '\r' });
      start = nextCr + 1;
    } else if (nextLf === -1) {
      pieces.push({ text: text.slice(start), eol: '' });
      start = text.length;
    } else {
      const crlf = nextLf > start && text.charCodeAt(nextLf - 1) === 13;
      pieces.push({ text: text.slice(start, crlf ? nextLf - 1 : nextLf), eol: crlf ? '\r\n' : '\n' });
      start = nextLf + 1;
    }
  }
  return pieces;
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
