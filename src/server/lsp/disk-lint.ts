/**
 * Lints a dataset file that is not open with the core's streaming driver (`lintFile`, in this
 * thread): memory holds one read chunk, the dataset indexes' facts and a few bytes per line to find
 * it again, never the text, nor every finding: counts, and the ones a publication shows. Files too
 * large for the editor to send (50 MB and up) go this way, as do all others.
 */
import { severityOf, type ResolvedConfig } from '../../core/engine/config.ts';
import type { FormatId } from '../../core/engine/formats.ts';
import type { Checker } from '../../core/engine/rule.ts';
import type { Finding } from '../../core/engine/types.ts';
import { NotTextFile } from '../../core/io/files.ts';
import { LintSuperseded, dominantFormat, lintFile } from '../../core/lint/lint-file.ts';
import { inThreadRunner } from '../../core/lint/runner.ts';
import { INVALID_UTF8 } from '../../core/rules/syntax/line-input.ts';
import type { FactsObserver } from './linted-document.ts';
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

/**
 * Lints `path` line by line, then reports the dataset checkers, re-reading only the lines they
 * report on. `current()` is asked before each batch: when it turns false (the file was opened, or a
 * newer lint of it started) the lint stops and resolves to undefined, feeding the observer no more.
 * A problem reading the file is thrown as the driver's `FileProblem`.
 */
export async function lintFromDisk(
  path: string,
  config: ResolvedConfig,
  checkers: readonly Checker[],
  options: {
    onRuleError?: (message: string) => void;
    observer?: FactsObserver;
    current?: () => boolean;
  } = {},
): Promise<DiskLint | undefined> {
  const { observer } = options;
  const findings = new ShownFindings();
  const runner = inThreadRunner(config, checkers);
  observer?.reset();
  try {
    const linted = await lintFile(path, {
      config,
      runner,
      checkers,
      onFinding: (finding) => findings.add(finding),
      ...(options.onRuleError ? { onRuleError: options.onRuleError } : {}),
      ...(options.current ? { current: options.current } : {}),
      ...(observer
        ? { onFacts: (line: number, facts: readonly unknown[]) => observer.added(line, facts) }
        : {}),
    });
    linted.reader.close();
    let examples = 0;
    for (const count of linted.formats.values()) examples += count;
    return {
      shown: findings.shown(),
      counts: findings.counts,
      examples,
      dominantFormat: dominantFormat(linted.formats),
    };
  } catch (error) {
    if (error instanceof LintSuperseded) return undefined;
    if (error instanceof NotTextFile) return notText(error.reason, config);
    throw error;
  } finally {
    await runner.close();
  }
}

/**
 * A UTF-16 or UTF-32 file, or a binary one, gets one finding on its first line saying what it is
 * (the CLI's words: `nonTextReason`), instead of a garbled finding per line.
 */
function notText(reason: string, config: ResolvedConfig): DiskLint {
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
