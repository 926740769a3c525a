/**
 * Lints one file in bounded memory, the one whole-file driver (the CLI's commands and the language
 * server's lint of files that are not open): the reader streams batches of lines to a `LineRunner`
 * (in this thread, or a worker pool; at most `capacity` batches in flight, so a slow pool holds the
 * reader back), results are taken in line order so dataset facts reach the indexes in order, and
 * only each line's byte offset, length and ending are kept (typed arrays) so that the dataset report
 * can re-read the lines it points at.
 */
import { fstatSync, openSync, statSync } from 'node:fs';
import type { ResolvedConfig } from '../engine/config.ts';
import type { FormatId } from '../engine/formats.ts';
import { DatasetIndexes, LinePass, compareFindings } from '../engine/linter.ts';
import { FileLines, readLineBatches } from '../engine/reader.ts';
import type { Checker, LineAccess } from '../engine/rule.ts';
import type { Finding, LineInput } from '../engine/types.ts';
import { ALL_CHECKERS } from '../rules/index.ts';
import { FileProblem, cannotRead, sniffText } from '../io/files.ts';
import { LineIndex } from '../io/line-index.ts';
import { HeapKeeper } from './heap.ts';
import { describeRuleError, type BatchResult, type LineRunner } from './runner.ts';
import { unpackFacts } from './packed-facts.ts';

export { LineIndex };

interface LintFileOptions {
  config: ResolvedConfig;
  runner: LineRunner;
  /** The checkers the runner uses; the dataset half runs here. */
  checkers?: readonly Checker[];
  onRuleError?: (message: string) => void;
  /** Bytes read so far, for a progress bar. */
  onProgress?: (bytes: number) => void;
  /** Called once every line is linted, before the dataset report (which may need the memory). */
  afterLines?: () => Promise<void>;
  /** Each line's dataset facts, in line order, for the lines that have any (indexes that span files). */
  onFacts?: (line: number, facts: readonly unknown[]) => void;
  /**
   * Takes each finding as it is made, instead of `LintedFile.findings` (which then stays empty): a
   * caller that shows a few of a million findings never holds them all.
   */
  onFinding?: (finding: Finding) => void;
  /** Asked before each batch: false (a newer lint of the file started) stops with `LintSuperseded`. */
  current?: () => boolean;
}

/** Thrown by `lintFile` when `current()` turned false; nothing more was fed to the callbacks. */
export class LintSuperseded extends Error {}

export interface LintedFile {
  /** Sorted by position; empty when `onFinding` took them. */
  findings: Finding[];
  /** Lines that hold an example (any JSON object), per format. */
  formats: Map<FormatId, number>;
  lines: LineIndex;
  /**
   * Reads lines again by number, from the file that was linted (its descriptor, so a rename over the
   * path meanwhile does not swap the bytes under the offsets); close it when done.
   */
  reader: FileLines;
  /** Whether the file was written to since it was opened, or its path now names another file. */
  changed(): boolean;
}

export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export async function lintFile(path: string, options: LintFileOptions): Promise<LintedFile> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw cannotRead(error);
  }
  const reader = new FileLines(fd);
  try {
    sniffText(fd);
    return await lintOpenFile(path, reader, options);
  } catch (error) {
    reader.close();
    throw error;
  }
}

async function lintOpenFile(path: string, reader: FileLines, options: LintFileOptions): Promise<LintedFile> {
  const opened = fstatSync(reader.fd);
  const { config, runner } = options;
  const onRuleError = options.onRuleError ?? (() => {});
  const pass = new LinePass(config, options.checkers ?? ALL_CHECKERS);
  const indexes = new DatasetIndexes(pass, (codes, line, error) =>
    onRuleError(describeRuleError(codes, line, error)),
  );
  const lines = new LineIndex();
  const findings: Finding[] = [];
  const keep = options.onFinding ?? ((finding: Finding): void => void findings.push(finding));
  const current = options.current ?? (() => true);
  const formats = new Map<FormatId, number>();
  const inFlight: Promise<BatchResult>[] = [];
  const heap = new HeapKeeper();
  const strings = new Map<string, string>();
  let bytes = 0;

  const take = (result: BatchResult): void => {
    for (const finding of result.findings) keep(finding);
    for (const [format, count] of Object.entries(result.formats) as [FormatId, number][])
      formats.set(format, (formats.get(format) ?? 0) + count);
    unpackFacts(
      result.facts,
      (line, facts) => {
        indexes.add(line, facts);
        options.onFacts?.(line, facts);
      },
      strings,
    );
    for (const message of result.errors) onRuleError(message);
  };

  try {
    for await (const batch of readLineBatches(reader.fd, { maxLineLength: config.maxLineLength })) {
      if (!current()) throw new LintSuperseded();
      for (const line of batch) {
        lines.record(line);
        bytes += line.byteLength;
      }
      inFlight.push(runner.run(batch));
      while (inFlight.length >= runner.capacity) take(await inFlight.shift()!);
      options.onProgress?.(bytes);
      heap.step(bytes);
    }
    while (inFlight.length > 0) take(await inFlight.shift()!);
  } catch (error) {
    await Promise.allSettled(inFlight);
    if (error instanceof FileProblem || error instanceof LintSuperseded) throw error;
    const errno = error as NodeJS.ErrnoException;
    if (errno.syscall) throw new FileProblem(`cannot read file (${errno.code ?? errno.message})`);
    throw new FileProblem(`internal error while linting: ${errno.message ?? String(error)}`);
  }

  await options.afterLines?.();
  if (!current()) throw new LintSuperseded();
  const context = (id: number): LineInput => reader.read(lines.raw(id));
  const access: LineAccess = { lineOf: (id) => id, context: (id) => pass.context(context(id)) };
  // Streamed as they are reported: a report can hold a million findings.
  for (let i = 0; i < pass.datasetCheckers.length; i++) indexes.reportIndex(i, access, keep);
  findings.sort(compareFindings);
  const changed = (): boolean => {
    const now = fstatSync(reader.fd);
    const named = statSync(path, { throwIfNoEntry: false });
    return (
      now.size !== opened.size ||
      now.mtimeMs !== opened.mtimeMs ||
      named?.ino !== opened.ino ||
      named.dev !== opened.dev
    );
  };
  return { findings, formats, lines, reader, changed };
}

/** The format most examples are in, if any is known. */
export function dominantFormat(formats: ReadonlyMap<FormatId, number>): FormatId | undefined {
  let dominant: FormatId | undefined;
  let best = 0;
  for (const [format, count] of formats) {
    if (format !== 'unknown' && count > best) [dominant, best] = [format, count];
  }
  return dominant;
}
