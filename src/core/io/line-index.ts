/**
 * Per-line metadata of a file read once, in typed arrays (17 bytes a line): enough to re-read any
 * line by its byte offset, nothing more. The lint of a file from disk keeps one so that its dataset
 * report can re-read the lines it points at; the dataset view keeps one to read pages of a file too
 * large for a TextDocument. It may be read while it is still being filled: `count` lines are known.
 */
import type { RawLine } from '../engine/reader.ts';
import type { LineEnding } from '../engine/types.ts';

const EOLS: readonly LineEnding[] = ['', '\n', '\r\n', '\r'];

export class LineIndex {
  private offsets = new Float64Array(1024);
  private lengths = new Float64Array(1024);
  private eols = new Uint8Array(1024);
  /** The rare lines with a BOM, invalid UTF-8 or dropped text. */
  private readonly special = new Map<number, Pick<RawLine, 'bom' | 'invalidUtf8At' | 'truncatedLength'>>();
  count = 0;

  record(line: RawLine): void {
    if (this.count === this.offsets.length) this.grow();
    const i = this.count++;
    this.offsets[i] = line.byteOffset;
    this.lengths[i] = line.byteLength;
    this.eols[i] = EOLS.indexOf(line.eol);
    if (line.bom || line.invalidUtf8At !== undefined || line.truncatedLength !== undefined) {
      const extra: Pick<RawLine, 'bom' | 'invalidUtf8At' | 'truncatedLength'> = {};
      if (line.bom) extra.bom = true;
      if (line.invalidUtf8At !== undefined) extra.invalidUtf8At = line.invalidUtf8At;
      if (line.truncatedLength !== undefined) extra.truncatedLength = line.truncatedLength;
      this.special.set(i, extra);
    }
  }

  /** Offset of the line's first byte in the file (after a BOM on line 0). */
  byteOffset(line: number): number {
    return this.offsets[line]!;
  }

  /** Bytes of the line, its ending included. */
  byteLength(line: number): number {
    return this.lengths[line]!;
  }

  /** Bytes of the line's ending (0 for a last line without one). */
  eolLength(line: number): number {
    return EOLS[this.eols[line]!]!.length;
  }

  raw(line: number): RawLine {
    return {
      line,
      text: '',
      eol: EOLS[this.eols[line]!]!,
      byteOffset: this.offsets[line]!,
      byteLength: this.lengths[line]!,
      ...this.special.get(line),
    };
  }

  private grow(): void {
    const size = this.offsets.length * 2;
    const offsets = new Float64Array(size);
    offsets.set(this.offsets);
    const lengths = new Float64Array(size);
    lengths.set(this.lengths);
    const eols = new Uint8Array(size);
    eols.set(this.eols);
    [this.offsets, this.lengths, this.eols] = [offsets, lengths, eols];
  }
}
