/**
 * Lints a dataset file that is not open, streaming it (`readLineBatches`): memory holds one read
 * chunk, the dataset indexes' facts and a few bytes per line to find it again (`FileLines`), never
 * the text, nor every finding: counts, and the ones a publication shows. Files too large for the
 * editor to send (50 MB and up) go this way, as do all others.
 */
import { open } from 'node:fs/promises';
import { severityOf, type ResolvedConfig } from '../../core/engine/config.ts';
import type { FormatId } from '../../core/engine/formats.ts';
import { DatasetIndexes, LinePass, type RuleErrorHandler } from '../../core/engine/linter.ts';
import {
  FileLines,
  SNIFF_BYTES,
  nonTextReason,
  readLineBatches,
  type RawLine,
} from '../../core/engine/reader.ts';
import type { Checker } from '../../core/engine/rule.ts';
import type { Finding, LineEnding } from '../../core/engine/types.ts';
import type { FactsObserver } from './linted-document.ts';
import { INVALID_UTF8 } from '../../core/rules/syntax/line-input.ts';
import { ShownFindings, type SeverityCounts } from './publication.ts';

export interface DiskLint {
  /** The findings a publication shows (`ShownFindings`), sorted by position. */
  shown: Finding[];
  /** Every finding, counted. */
  counts: SeverityCounts;
  /** Lines that hold an example (any JSON object). */
  examples: number;
  dominantFormat: FormatId | undefined;
}

const ENDINGS: LineEnding[] = ['', '\n', '\r\n', '\r'];

/** Where each line lies in the file, in typed arrays: about 13 bytes a line instead of an object. */
class LineTable {
  private offsets = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private endings = new Uint8Array(1024);
  /** Rare per-line details, kept only for the lines that have them. */
  private readonly truncated = new Map<number, number>();
  private readonly invalidUtf8 = new Map<number, number>();
  private bom = false;

  add(raw: RawLine): void {
    const i = raw.line;
    if (i >= this.offsets.length) {
      const grow = <T extends Float64Array | Uint32Array | Uint8Array>(old: T, next: T): T => {
        next.set(old as never);
        return next;
      };
      const capacity = Math.ceil(this.offsets.length * 1.5);
      this.offsets = grow(this.offsets, new Float64Array(capacity));
      this.lengths = grow(this.lengths, new Uint32Array(capacity));
      this.endings = grow(this.endings, new Uint8Array(capacity));
    }
    this.offsets[i] = raw.byteOffset;
    this.lengths[i] = raw.byteLength;
    this.endings[i] = ENDINGS.indexOf(raw.eol);
    if (raw.truncatedLength !== undefined) this.truncated.set(i, raw.truncatedLength);
    if (raw.invalidUtf8At !== undefined) this.invalidUtf8.set(i, raw.invalidUtf8At);
    if (raw.bom) this.bom = true;
  }

  get(line: number): RawLine {
    const raw: RawLine = {
      line,
      text: '',
      eol: ENDINGS[this.endings[line]!]!,
      byteOffset: this.offsets[line]!,
      byteLength: this.lengths[line]!,
    };
    if (line === 0 && this.bom) raw.bom = true;
    const truncated = this.truncated.get(line);
    if (truncated !== undefined) raw.truncatedLength = truncated;
    const invalid = this.invalidUtf8.get(line);
    if (invalid !== undefined) raw.invalidUtf8At = invalid;
    return raw;
  }
}

/**
 * Lints `path` line by line, then reports the dataset checkers, re-reading only the lines they
 * report on. `current()` is asked before each batch: when it turns false (the file was opened, or a
 * newer lint of it started) the lint stops and resolves to undefined, feeding the observer no more.
 */
export async function lintFromDisk(
  path: string,
  config: ResolvedConfig,
  checkers: readonly Checker[],
  options: { onRuleError?: RuleErrorHandler; observer?: FactsObserver; current?: () => boolean } = {},
): Promise<DiskLint | undefined> {
  const { onRuleError, observer, current = () => true } = options;
  const notText = await notTextFinding(path, config);
  if (notText) {
    observer?.reset();
    return notText;
  }
  const pass = new LinePass(config, checkers, onRuleError);
  const indexes = new DatasetIndexes(pass, onRuleError);
  const table = new LineTable();
  const findings = new ShownFindings();
  const keep = (finding: Finding): void => findings.add(finding);
  const formats = new Map<FormatId, number>();
  let examples = 0;
  observer?.reset();
  for await (const batch of readLineBatches(path, { maxLineLength: config.maxLineLength })) {
    if (!current()) return undefined;
    for (const raw of batch) {
      const result = pass.run(raw);
      for (const finding of result.findings) keep(finding);
      indexes.add(raw.line, result.facts);
      observer?.added(raw.line, result.facts);
      table.add(raw);
      const format = result.example?.format;
      if (format) {
        examples++;
        formats.set(format, (formats.get(format) ?? 0) + 1);
      }
    }
  }
  if (!current()) return undefined;
  const file = new FileLines(path);
  try {
    const access = {
      lineOf: (id: number) => id,
      context: (id: number) => pass.context(file.read(table.get(id))),
    };
    // Streamed as they are reported: a report can hold a million findings, of which few are shown.
    for (let i = 0; i < pass.datasetCheckers.length; i++) indexes.reportIndex(i, access, keep);
  } finally {
    file.close();
  }
  let dominantFormat: FormatId | undefined;
  let best = 0;
  for (const [format, count] of formats) {
    if (format !== 'unknown' && count > best) [dominantFormat, best] = [format, count];
  }
  return { shown: findings.shown(), counts: findings.counts, examples, dominantFormat };
}

/**
 * A UTF-16 or UTF-32 file, or a binary one, gets one finding on its first line saying what it is
 * (the CLI's words: `nonTextReason`), instead of a garbled finding per line. An unreadable file is
 * left to the line reader, which reports it the way it reports any other read error.
 */
async function notTextFinding(path: string, config: ResolvedConfig): Promise<DiskLint | undefined> {
  let head: Uint8Array;
  try {
    const file = await open(path, 'r');
    try {
      const buffer = new Uint8Array(SNIFF_BYTES);
      const { bytesRead } = await file.read(buffer, 0, SNIFF_BYTES, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
  const reason = nonTextReason(head);
  if (!reason) return undefined;
  const findings = new ShownFindings();
  const severity = severityOf(config, INVALID_UTF8.code, INVALID_UTF8.family, INVALID_UTF8.defaultSeverity);
  if (severity !== 'off') {
    findings.add({
      code: INVALID_UTF8.code,
      severity,
      message: `Not UTF-8 text: ${reason}. Nothing else in the file was checked.`,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    });
  }
  return { shown: findings.shown(), counts: findings.counts, examples: 0, dominantFormat: undefined };
}
