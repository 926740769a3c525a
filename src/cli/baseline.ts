/**
 * Baselines: findings already accepted, so that only new ones fail a build. Entries match by content,
 * not by line number — a fingerprint of the code, the line's whitespace-normalised text and the text the
 * finding covers — with a count per fingerprint, so inserting lines elsewhere keeps them suppressed
 * while editing the offending line brings its finding back.
 */
import { existsSync, readFileSync } from 'node:fs';
import { normalisedLine, shortHash } from '../core/engine/content-hash.ts';
import type { Finding } from '../core/engine/types.ts';
import { UsageError } from './command.ts';
import { writeFileSafely } from '../core/io/safe-write.ts';

export interface BaselineFile {
  version: 1;
  /** By file (as displayed), then by fingerprint. */
  files: Record<string, Record<string, { code: string; count: number }>>;
}

export function fingerprint(finding: Finding, lineText: string): string {
  const { start, end } = finding.range;
  const covered = start.line === end.line ? lineText.slice(start.character, end.character) : '';
  return shortHash(`${finding.code}\0${normalisedLine(lineText)}\0${covered}`);
}

export function emptyBaseline(): BaselineFile {
  return { version: 1, files: {} };
}

export function readBaseline(path: string, display: string, mayBeMissing: boolean): BaselineFile {
  if (!existsSync(path)) {
    if (mayBeMissing) return emptyBaseline();
    throw new UsageError(`${display}: baseline not found (create it with --update-baseline)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `${display}: not a baseline file (${error instanceof Error ? error.message : error})`,
    );
  }
  const record = parsed as Partial<BaselineFile> | null;
  if (!record || record.version !== 1 || typeof record.files !== 'object' || record.files === null) {
    throw new UsageError(`${display}: not a tunesmith baseline (expected {"version": 1, "files": {...}})`);
  }
  return record as BaselineFile;
}

/** Drops the findings the baseline covers, consuming its counts; returns those that remain. */
export function applyBaseline(
  baseline: BaselineFile,
  file: string,
  findings: readonly Finding[],
  prints: readonly string[],
): Finding[] {
  const entries = baseline.files[file];
  if (!entries) return [...findings];
  const left = new Map(Object.entries(entries).map(([print, entry]) => [print, entry.count]));
  return findings.filter((_finding, i) => {
    const count = left.get(prints[i]!) ?? 0;
    if (count <= 0) return true;
    left.set(prints[i]!, count - 1);
    return false;
  });
}

export function addToBaseline(
  baseline: BaselineFile,
  file: string,
  findings: readonly Finding[],
  prints: readonly string[],
): void {
  const entries: Record<string, { code: string; count: number }> = {};
  findings.forEach((finding, i) => {
    const entry = (entries[prints[i]!] ??= { code: finding.code, count: 0 });
    entry.count++;
  });
  // A file without findings gets no entry (the baseline starts empty on --update-baseline).
  if (Object.keys(entries).length > 0) baseline.files[file] = entries;
}

export function writeBaseline(path: string, baseline: BaselineFile): void {
  const sorted: BaselineFile = { version: 1, files: {} };
  for (const file of Object.keys(baseline.files).sort()) sorted.files[file] = baseline.files[file]!;
  const text = Buffer.from(JSON.stringify(sorted, null, 2) + '\n');
  writeFileSafely(path, (write) => write(text));
}
