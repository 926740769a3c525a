/**
 * A text file too large to hold, read as pages of lines: one streaming pass, in the background, fills
 * a LineIndex (lines split by the reader every lint uses, measured but never decoded), and any page of
 * the lines indexed so far is read by byte offset, one read of its byte range, while the pass goes on
 * and after it. The dataset view's source for files VS Code does not hand to extensions as
 * TextDocuments (over 50 MB); nothing here holds more of the file than the pages asked for.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { decodeLine, readLineBatches, type RawLine } from '../engine/reader.ts';
import { LineIndex } from './line-index.ts';

/** One line of a page, decoded as the text editor decodes it (invalid UTF-8 becomes U+FFFD). */
export interface PageLine {
  /** 0-based. */
  line: number;
  /** The line without its ending; only its first `maxLineBytes` when `totalBytes` is set. */
  text: string;
  /** Where the first U+FFFD stands for bytes that were not UTF-8 (a genuine U+FFFD is not marked). */
  invalidUtf8At?: number;
  /** Set when the line was longer than `maxLineBytes`: its length in bytes, ending excluded. */
  totalBytes?: number;
}

export interface IndexProgress {
  lines: number;
  bytes: number;
  totalBytes: number;
  done: boolean;
}

interface LinePagesOptions {
  /** Bytes read at a time by the indexing pass. */
  chunkSize?: number;
  /** After each chunk of the indexing pass, and once when it ends. */
  onProgress?: (progress: IndexProgress) => void;
  /** A longer line is read only this far (a page must not pull a 2 GB line into memory). */
  maxLineBytes?: number;
}

/** Lines of one read: consecutive lines are read together up to this many bytes. */
const MAX_READ_BYTES = 4 << 20;
const DEFAULT_MAX_LINE_BYTES = 16 << 20;

export class LinePages {
  readonly index = new LineIndex();
  /** Settles when the indexing pass has read the whole file (or was stopped by `close`). */
  readonly indexed: Promise<void>;
  private indexedBytes = 0;
  private done = false;
  private stopped = false;
  private readonly maxLineBytes: number;

  private constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
    readonly size: number,
    private readonly dev: number,
    private readonly ino: number,
    private readonly mtimeMs: number,
    options: LinePagesOptions,
  ) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.indexed = this.build(options);
  }

  /** Opens `path` and starts indexing it; resolves at once, before any line is indexed. */
  static async open(path: string, options: LinePagesOptions = {}): Promise<LinePages> {
    const handle = await open(path, 'r');
    try {
      const stats = await handle.stat();
      return new LinePages(handle, path, stats.size, stats.dev, stats.ino, stats.mtimeMs, options);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  get progress(): IndexProgress {
    return { lines: this.index.count, bytes: this.indexedBytes, totalBytes: this.size, done: this.done };
  }

  private async build(options: LinePagesOptions): Promise<void> {
    const batchOptions = { maxLineLength: Infinity, decode: false, chunkSize: options.chunkSize };
    try {
      for await (const batch of readLineBatches(this.handle.fd, batchOptions)) {
        if (this.stopped) break;
        for (const line of batch) {
          this.index.record(line);
          this.indexedBytes += line.byteLength;
        }
        options.onProgress?.(this.progress);
      }
    } finally {
      this.done = true;
      options.onProgress?.(this.progress);
    }
  }

  /**
   * The given lines that are indexed so far, ascending (others are left out). Runs of consecutive
   * lines are read with one read each.
   */
  async read(lines: readonly number[]): Promise<PageLine[]> {
    const count = this.index.count;
    const wanted = [...new Set(lines)].filter((line) => line >= 0 && line < count).sort((a, b) => a - b);
    const out: PageLine[] = [];
    let i = 0;
    while (i < wanted.length) {
      // A run: consecutive lines, each read in full unless it is longer than maxLineBytes.
      const first = wanted[i]!;
      let last = first;
      let bytes = this.readBytes(first);
      while (
        i + 1 < wanted.length &&
        wanted[i + 1] === last + 1 &&
        bytes + this.readBytes(last + 1) <= MAX_READ_BYTES
      ) {
        i++;
        last++;
        bytes += this.readBytes(last);
      }
      i++;
      for (const page of await this.readRun(first, last)) out.push(page);
    }
    return out;
  }

  /** The bytes of `line` a read takes: its content up to maxLineBytes, its ending when it is whole. */
  private readBytes(line: number): number {
    const content = this.index.byteLength(line) - this.index.eolLength(line);
    return content > this.maxLineBytes ? this.maxLineBytes : this.index.byteLength(line);
  }

  private async readRun(first: number, last: number): Promise<PageLine[]> {
    const start = this.index.byteOffset(first);
    const length =
      first === last
        ? this.readBytes(first)
        : this.index.byteOffset(last) + this.index.byteLength(last) - start;
    const buffer = Buffer.alloc(length);
    let filled = 0;
    // A short read is the end of the file (it was cut meanwhile): the rest reads as empty.
    while (filled < length) {
      const { bytesRead } = await this.handle.read(buffer, filled, length - filled, start + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const out: PageLine[] = [];
    for (let line = first; line <= last; line++) {
      const at = this.index.byteOffset(line) - start;
      const content = this.index.byteLength(line) - this.index.eolLength(line);
      if (content > this.maxLineBytes) {
        // Cut at a character boundary, so the cut does not read as invalid UTF-8.
        let end = at + this.maxLineBytes;
        while (end > at && ((buffer[end] ?? 0) & 0xc0) === 0x80) end--;
        out.push({ line, text: buffer.toString('utf8', at, Math.min(end, filled)), totalBytes: content });
        continue;
      }
      const decoded = decodeLine(buffer, at, Math.min(at + content, filled));
      const page: PageLine = { line, text: decoded.text };
      if (decoded.invalidUtf8At !== undefined) page.invalidUtf8At = decoded.invalidUtf8At;
      out.push(page);
    }
    return out;
  }

  /**
   * Every line from the first, decoded, in batches: for a scan of the whole file (a filter). Lines
   * longer than `maxLineLength` characters come with empty text (see `RawLine.truncatedLength`).
   */
  scan(maxLineLength: number): AsyncGenerator<RawLine[]> {
    return readLineBatches(this.handle.fd, { maxLineLength });
  }

  /** Whether the file was written since it was opened, or its path now names another file. */
  changed(): boolean {
    const now = statSync(this.path, { throwIfNoEntry: false });
    return (
      !now ||
      now.dev !== this.dev ||
      now.ino !== this.ino ||
      now.size !== this.size ||
      now.mtimeMs !== this.mtimeMs
    );
  }

  /** Stops the indexing pass and closes the file. */
  async close(): Promise<void> {
    this.stopped = true;
    await this.indexed.catch(() => undefined);
    await this.handle.close();
  }
}
