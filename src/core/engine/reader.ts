/**
 * Streams a dataset file as lines, in bounded memory: the buffer holds one read chunk plus the line in
 * progress, and a line longer than the limit is counted, not kept. Each line carries its byte offset
 * and length so that a later pass can re-read it (`readLineAt`) or copy its bytes verbatim (`fix`).
 */
import { createReadStream } from 'node:fs';
import { openSync, readSync, closeSync } from 'node:fs';
import type { LineEnding, LineInput } from './types.ts';

export interface RawLine extends LineInput {
  /** Offset of the line's first byte in the file. */
  byteOffset: number;
  /** Bytes of the line including its terminator. */
  byteLength: number;
}

interface ReadOptions {
  /** Lines longer than this many characters are reported by length and their text dropped. */
  maxLineLength: number;
  /** Bytes read at a time; also roughly the size of a yielded batch. */
  chunkSize?: number;
  /**
   * False: lines are only split and measured (offset, length, ending), never decoded or copied, and
   * `text` stays empty: an index of a large file built at the speed of the disk (the dataset view's).
   */
  decode?: boolean;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const REPLACEMENT = '\uFFFD';
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes one line; marks where invalid UTF-8 was replaced, so the line can be reported, not rejected. */
export function decodeLine(
  bytes: Buffer,
  start: number,
  end: number,
): { text: string; invalidUtf8At?: number } {
  const text = bytes.toString('utf8', start, end);
  if (!text.includes(REPLACEMENT)) return { text };
  try {
    strictDecoder.decode(bytes.subarray(start, end));
    return { text }; // a genuine U+FFFD in valid UTF-8
  } catch {
    return { text, invalidUtf8At: text.indexOf(REPLACEMENT) };
  }
}

/** How many leading bytes `nonTextReason` needs to decide. */
export const SNIFF_BYTES = 8192;

const BOMS: { bytes: number[]; encoding: string }[] = [
  // UTF-32 LE first: its BOM starts with UTF-16 LE's.
  { bytes: [0xff, 0xfe, 0x00, 0x00], encoding: 'UTF-32 LE' },
  { bytes: [0x00, 0x00, 0xfe, 0xff], encoding: 'UTF-32 BE' },
  { bytes: [0xff, 0xfe], encoding: 'UTF-16 LE' },
  { bytes: [0xfe, 0xff], encoding: 'UTF-16 BE' },
];

const WIDE_PATTERNS: Record<string, string> = {
  x000: 'UTF-32 LE',
  '000x': 'UTF-32 BE',
  x0x0: 'UTF-16 LE',
  '0x0x': 'UTF-16 BE',
};

function isAsciiText(byte: number): boolean {
  return (byte >= 0x20 && byte < 0x7f) || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/**
 * UTF-16 or UTF-32 without a byte order mark: JSON is mostly ASCII, which leaves a NUL at the same
 * positions of every 2 or 4 bytes and ASCII at the others. Nearly all of each, so that a little
 * non-ASCII text still counts and binary data does not.
 */
function unmarkedWideEncoding(head: Uint8Array): string | undefined {
  const sample = head.subarray(0, Math.min(head.length, 512) & ~3);
  if (sample.length < 16) return undefined;
  const zeros = [0, 0, 0, 0];
  const ascii = [0, 0, 0, 0];
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] === 0) zeros[i % 4]!++;
    else if (isAsciiText(sample[i]!)) ascii[i % 4]!++;
  }
  const per = sample.length / 4;
  const pattern = zeros
    .map((count, i) => (count >= 0.9 * per ? '0' : ascii[i]! >= 0.9 * per ? 'x' : '?'))
    .join('');
  return WIDE_PATTERNS[pattern];
}

/**
 * Why a file whose first bytes are `head` (up to SNIFF_BYTES) is not UTF-8 text, or undefined when it
 * may be: a UTF-16 or UTF-32 byte order mark or pattern, or a NUL byte (images, archives). One place
 * for the CLI and the server's from-disk lint, so both say the same.
 */
export function nonTextReason(head: Uint8Array): string | undefined {
  const bom = BOMS.find(({ bytes }) => bytes.every((byte, i) => head[i] === byte));
  const encoding = bom?.encoding ?? unmarkedWideEncoding(head);
  if (encoding) {
    const how = bom ? 'byte order mark' : 'no byte order mark';
    return `${encoding} text (${how}); convert it to UTF-8, e.g. iconv -f ${encoding.replace(' ', '')} -t UTF-8`;
  }
  const nul = head.subarray(0, SNIFF_BYTES).indexOf(0);
  return nul === -1 ? undefined : `binary file (NUL byte at offset ${nul})`;
}

class LineAssembler {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of the current over-long line seen so far, once it is known to be too long. */
  private skipping = false;
  private lineStart = 0;
  private line = 0;
  private firstChunk = true;
  private bom = false;
  private lastHeldByte: number | undefined;
  // A line of N characters takes at most 3N bytes of UTF-8 (4 bytes per surrogate pair of 2 characters).
  private readonly maxLineBytes: number;

  constructor(
    private readonly maxLineLength: number,
    private readonly decode = true,
  ) {
    this.maxLineBytes = maxLineLength * 3;
  }

  push(chunk: Buffer, out: RawLine[]): void {
    let position = 0;
    if (this.firstChunk) {
      this.firstChunk = false;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        position = 3;
        this.lineStart = 3;
        this.bom = true;
      }
    }
    // The last chunk ended with a CR: this chunk's first byte says whether it was a lone CR.
    if (this.pendingBytes > 0 && this.lastHeldByte === CARRIAGE_RETURN && chunk[position] !== NEWLINE)
      this.finish(chunk, position, position, out);
    // Lines break at '\n', '\r\n' and a lone '\r', as in splitLines. Each search runs ahead once and is
    // reused until passed, so a file without CRs is not rescanned for one from every line start.
    let nextLf = -2;
    let nextCr = -2;
    while (position < chunk.length) {
      if (nextLf !== -1 && nextLf < position) nextLf = chunk.indexOf(NEWLINE, position);
      if (nextCr !== -1 && nextCr < position) nextCr = chunk.indexOf(CARRIAGE_RETURN, position);
      const loneCr = nextCr !== -1 && (nextLf === -1 || nextCr < nextLf - 1);
      const end = loneCr ? nextCr : nextLf;
      if (end === -1 || (loneCr && end === chunk.length - 1)) {
        // No break in the rest of the chunk, or a CR whose meaning the next chunk decides.
        this.hold(chunk.subarray(position));
        return;
      }
      this.finish(chunk, position, end + 1, out);
      position = end + 1;
    }
  }

  end(out: RawLine[]): void {
    if (this.pendingBytes > 0 || this.skipping) this.finish(Buffer.alloc(0), 0, 0, out);
  }

  private hold(part: Buffer): void {
    this.pendingBytes += part.length;
    if (part.length > 0) this.lastHeldByte = part[part.length - 1];
    if (this.skipping || !this.decode) return;
    // One byte of slack: a held '\r' may be the start of the line's CRLF, which is not content.
    if (this.pendingBytes > this.maxLineBytes + 1) {
      this.skipping = true;
      this.pending = [];
      return;
    }
    this.pending.push(Buffer.from(part)); // copy: the stream may reuse its buffer
  }

  /** Completes the line whose tail is chunk[from, to) (to includes the '\n' unless at end of file). */
  private finish(chunk: Buffer, from: number, to: number, out: RawLine[]): void {
    const byteLength = this.pendingBytes + (to - from);
    // Callers end a line at a '\n', at a CR known not to start a CRLF, or at the end of the file
    // (where a final CR is a lone CR too).
    const lastByte = to > from ? chunk[to - 1] : this.lastHeldByte;
    let eol: LineEnding = '';
    if (lastByte === NEWLINE) {
      const before = to - 2 >= from ? chunk[to - 2] : this.lastHeldByte;
      eol = byteLength >= 2 && before === CARRIAGE_RETURN ? '\r\n' : '\n';
    } else if (lastByte === CARRIAGE_RETURN && byteLength > 0) eol = '\r';
    const contentBytes = byteLength - eol.length;
    const raw: RawLine = { line: this.line, text: '', eol, byteOffset: this.lineStart, byteLength };
    if (this.bom && this.line === 0) raw.bom = true;
    if (!this.decode) {
      // Measured only: the caller reads the bytes again when it needs them.
    } else if (this.skipping || contentBytes > this.maxLineBytes) {
      // Never decoded: the length is in bytes, an upper bound of the characters.
      raw.truncatedLength = contentBytes;
    } else {
      const bytes =
        this.pending.length === 0 ? chunk : Buffer.concat([...this.pending, chunk.subarray(from, to)]);
      const start = this.pending.length === 0 ? from : 0;
      const decoded = decodeLine(bytes, start, start + contentBytes);
      if (decoded.text.length > this.maxLineLength) raw.truncatedLength = decoded.text.length;
      else {
        raw.text = decoded.text;
        if (decoded.invalidUtf8At !== undefined) raw.invalidUtf8At = decoded.invalidUtf8At;
      }
    }
    out.push(raw);
    this.line++;
    this.lineStart += byteLength;
    this.pending = [];
    this.pendingBytes = 0;
    this.skipping = false;
    this.lastHeldByte = undefined;
  }
}

/**
 * Yields the lines of a file in batches (one batch per chunk read), from its path or from a file
 * descriptor already open (read from offset 0 and left open: the caller reads that same file again).
 */
export async function* readLineBatches(
  source: string | number,
  options: ReadOptions,
): AsyncGenerator<RawLine[]> {
  const assembler = new LineAssembler(options.maxLineLength, options.decode);
  const highWaterMark = options.chunkSize ?? 1 << 20;
  const stream =
    typeof source === 'number'
      ? createReadStream('', { fd: source, autoClose: false, start: 0, highWaterMark })
      : createReadStream(source, { highWaterMark });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const batch: RawLine[] = [];
    assembler.push(chunk, batch);
    if (batch.length > 0) yield batch;
  }
  const last: RawLine[] = [];
  assembler.end(last);
  if (last.length > 0) yield last;
}

/** Splits an in-memory buffer exactly as `readLineBatches` splits a file. */
export function splitBuffer(buffer: Buffer, options: ReadOptions): RawLine[] {
  const assembler = new LineAssembler(options.maxLineLength, options.decode);
  const lines: RawLine[] = [];
  assembler.push(buffer, lines);
  assembler.end(lines);
  return lines;
}

/**
 * Random access to lines already seen once, by their byte offsets: for reports and fixes after a pass.
 * Given a file descriptor it reads that very file even if the path is renamed over meanwhile, and
 * closes it on `close`.
 */
export class FileLines {
  readonly fd: number;

  constructor(source: string | number) {
    this.fd = typeof source === 'number' ? source : openSync(source, 'r');
  }

  /** Reads up to `length` bytes at `position` into `buffer`; 0 at the end of the file. */
  readBytes(buffer: Uint8Array, length: number, position: number): number {
    return readSync(this.fd, buffer, 0, length, position);
  }

  read(line: RawLine): LineInput {
    const reread = splitBuffer(this.bytesOf(line), { maxLineLength: Infinity })[0];
    const input: LineInput = { line: line.line, text: reread?.text ?? '', eol: line.eol };
    if (line.bom) input.bom = true;
    if (line.truncatedLength !== undefined) {
      input.text = '';
      input.truncatedLength = line.truncatedLength;
    }
    if (line.invalidUtf8At !== undefined) input.invalidUtf8At = line.invalidUtf8At;
    return input;
  }

  /**
   * The bytes of the file that follow the last lines read: a report or a second pass reads lines in
   * order, and one read call per line was most of its cost (a near-duplicate report of 100,000 lines
   * read 190,000 lines). Lines read out of order are read on their own, as before.
   */
  private window = Buffer.alloc(0);
  private windowStart = 0;
  private windowEnd = 0;

  private bytesOf(line: RawLine): Buffer {
    const { byteOffset: start, byteLength: length } = line;
    const end = start + length;
    if (start >= this.windowStart && end <= this.windowEnd)
      return this.window.subarray(start - this.windowStart, end - this.windowStart);
    // Just past the window (the next lines), and short enough to share one read with its successors.
    if (start >= this.windowStart && start <= this.windowEnd + WINDOW_BYTES && length <= WINDOW_BYTES / 4) {
      if (this.window.length === 0) this.window = Buffer.allocUnsafe(WINDOW_BYTES);
      const read = readSync(this.fd, this.window, 0, WINDOW_BYTES, start);
      this.windowStart = start;
      this.windowEnd = start + read;
      if (end <= this.windowEnd) return this.window.subarray(0, length);
      this.windowEnd = this.windowStart; // The file is shorter than the index says: read it alone.
    }
    // Zero-filled past what could be read, as a file cut short since it was indexed reads.
    const buffer = Buffer.alloc(length);
    readSync(this.fd, buffer, 0, length, start);
    return buffer;
  }

  close(): void {
    closeSync(this.fd);
  }
}

const WINDOW_BYTES = 64 * 1024;
