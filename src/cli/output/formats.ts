/**
 * The three output formats of `tunesmith lint`. Positions are 1-based here (what terminals, editors'
 * "go to line" and SARIF expect); columns count UTF-16 code units, as the engine does.
 */
import { docsUrl, type Finding, type RuleMeta, type Severity } from '../../server/engine/types.ts';

export interface FileFindings {
  /** The path as shown to the user (relative to cwd, `/` separators). */
  file: string;
  findings: Finding[];
}

export interface JsonFinding {
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

export function toJsonFinding(file: string, finding: Finding): JsonFinding {
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

export function formatTextFinding(file: string, finding: Finding): string {
  const { start } = finding.range;
  return `${file}:${start.line + 1}:${start.character + 1} ${finding.severity} ${finding.message} [${finding.code}]\n`;
}

export function summary(files: readonly FileFindings[]): string {
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

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
  hint: 'note',
};

function sarifRegion(range: Finding['range']): Record<string, number> {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

/** SARIF 2.1.0, the format GitHub code scanning and other tools read. */
export function formatSarif(
  files: readonly FileFindings[],
  rules: readonly RuleMeta[],
  version: string,
): string {
  const used = new Set(files.flatMap(({ findings }) => findings.map((f) => f.code)));
  const ruleList = rules.filter((rule) => used.has(rule.code));
  // Codes without metadata (should not happen) still get a rule entry, so ruleIndex is always valid.
  for (const code of used) {
    if (!ruleList.some((rule) => rule.code === code)) {
      ruleList.push({
        code,
        family: 'syntax',
        description: code,
        defaultSeverity: 'warning',
        fixable: false,
      });
    }
  }
  const ruleIndex = new Map(ruleList.map((rule, i) => [rule.code, i]));
  const results = files.flatMap(({ file, findings }) =>
    findings.map((finding) => {
      const result: Record<string, unknown> = {
        ruleId: finding.code,
        ruleIndex: ruleIndex.get(finding.code),
        level: SARIF_LEVEL[finding.severity],
        message: { text: finding.message },
        locations: [
          { physicalLocation: { artifactLocation: { uri: file }, region: sarifRegion(finding.range) } },
        ],
      };
      if (finding.related?.length) {
        result['relatedLocations'] = finding.related.map((related, id) => ({
          id,
          message: { text: related.message },
          physicalLocation: {
            artifactLocation: { uri: related.file ?? file },
            region: sarifRegion(related.range),
          },
        }));
      }
      return result;
    }),
  );
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'tunesmith',
            version,
            informationUri: 'https://github.com/tunesmith/tunesmith',
            rules: ruleList.map((rule) => ({
              id: rule.code,
              name: rule.code,
              shortDescription: { text: rule.description },
              helpUri: docsUrl(rule.code),
              defaultConfiguration: {
                level: rule.defaultSeverity === 'off' ? 'none' : SARIF_LEVEL[rule.defaultSeverity],
              },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
