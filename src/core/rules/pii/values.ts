/**
 * Where the string values of a JSON line are, in the line's own characters. PII detectors run on a
 * "scan text": the line with everything that is not inside a string value (keys, punctuation,
 * numbers) and every escape sequence (`\n`, `\u00e9`) blanked to spaces. Offsets are unchanged, so a
 * match's range is exact in the raw line, a match can never come from a key, and `\nbob@x.com` does
 * not read as the address `nbob@x.com`.
 *
 * One linear pass over the line, done only for lines where some detector's cheap prefilter hit;
 * this is several times cheaper than building jsonc-parser's tree to locate candidates.
 */
import type { Span } from '../../engine/json-line.ts';

interface ScanText {
  /** Same length as the line; non-value characters are spaces. */
  text: string;
  /** The string values' contents (inside the quotes), in order. */
  values: Span[];
}

const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** Assumes `line` is valid JSON (the caller checks `ctx.json.ok`). */
export function scanText(line: string): ScanText {
  const out = new Array<string>();
  const values: Span[] = [];
  let copiedTo = 0;
  let i = 0;
  while (i < line.length) {
    if (line.charCodeAt(i) !== QUOTE) {
      i++;
      continue;
    }
    const start = i + 1;
    let end = start;
    const pieces: string[] = [];
    let pieceStart = start;
    while (end < line.length) {
      const code = line.charCodeAt(end);
      if (code === QUOTE) break;
      if (code === BACKSLASH) {
        const escapeLength = line.charCodeAt(end + 1) === 117 /* u */ ? 6 : 2;
        pieces.push(line.slice(pieceStart, end), ' '.repeat(escapeLength));
        end += escapeLength;
        pieceStart = end;
        continue;
      }
      end++;
    }
    pieces.push(line.slice(pieceStart, end));
    let next = end + 1;
    while (next < line.length && isSpace(line.charCodeAt(next))) next++;
    const isKey = line.charCodeAt(next) === COLON;
    if (!isKey) {
      out.push(' '.repeat(start - copiedTo));
      // A loop, not push(...pieces): a value with 300,000 escapes has 600,000 pieces.
      for (const piece of pieces) out.push(piece);
      copiedTo = end;
      values.push({ start, end });
    }
    i = end + 1;
  }
  out.push(' '.repeat(line.length - copiedTo));
  return { text: out.join(''), values };
}

/** The value that contains the whole span, if one does. */
export function valueContaining(values: readonly Span[], span: Span): Span | undefined {
  let low = 0;
  let high = values.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const value = values[mid]!;
    if (value.end < span.start) low = mid + 1;
    else if (value.start > span.start) high = mid - 1;
    else return span.end <= value.end ? value : undefined;
  }
  return undefined;
}
