/**
 * The text and JSON output formats of `tunesmith lint` (SARIF is in sarif.ts). Positions are 1-based
 * here (what terminals, editors' "go to line" and SARIF expect); columns count UTF-16 code units, as
 * the engine does.
 */
import type { Finding, Severity } from '../../core/engine/types.ts';

export interface FileFindings {
  /** The path as shown to the user (relative to cwd, `/` separators). */
  file: string;
  findings: Finding[];
}

interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: string;
  message: string;
  related?: {
    file: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    message: string;
  }[];
  fix?: Finding['fix'];
}

function toJsonFinding(file: string, finding: Finding): JsonFinding {
  const { start, end } = finding.range;
  const json: JsonFinding = {
    file,
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
    severity: finding.severity,
    code: finding.code,
    message: finding.message,
  };
  if (finding.related?.length) {
    json.related = finding.related.map((related) => ({
      file: related.file ?? file,
      line: related.range.start.line + 1,
      column: related.range.start.character + 1,
      endLine: related.range.end.line + 1,
      endColumn: related.range.end.character + 1,
      message: related.message,
    }));
  }
  if (finding.fix) json.fix = finding.fix;
  return json;
}

const CHUNK = 1 << 16;

/** The JSON array, in pieces: a file with a million findings must not become one huge string. */
export function* jsonChunks(files: readonly FileFindings[]): Generator<string> {
  let chunk = '[';
  let first = true;
  for (const { file, findings } of files) {
    for (const finding of findings) {
      chunk += (first ? '\n  ' : ',\n  ') + JSON.stringify(toJsonFinding(file, finding));
      first = false;
      if (chunk.length > CHUNK) {
        yield chunk;
        chunk = '';
      }
    }
  }
  yield chunk + (first ? ']\n' : '\n]\n');
}

function formatTextFinding(file: string, finding: Finding): string {
  const { start } = finding.range;
  return `${file}:${start.line + 1}:${start.character + 1} ${finding.severity} ${finding.message} [${finding.code}]\n`;
}

function summary(files: readonly FileFindings[]): string {
  let errors = 0;
  let warnings = 0;
  let other = 0;
  for (const { findings } of files) {
    for (const finding of findings) {
      if (finding.severity === 'error') errors++;
      else if (finding.severity === 'warning') warnings++;
      else other++;
    }
  }
  const total = errors + warnings + other;
  if (total === 0) return '';
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `\n${plural(total, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')}${
    other ? `, ${other} info/hint` : ''
  })\n`;
}

export function* textChunks(files: readonly FileFindings[]): Generator<string> {
  let chunk = '';
  for (const { file, findings } of files) {
    for (const finding of findings) {
      chunk += formatTextFinding(file, finding);
      if (chunk.length > CHUNK) {
        yield chunk;
        chunk = '';
      }
    }
  }
  yield chunk + summary(files);
}
