/**
 * SARIF 2.1.0 output of `tunesmith lint`, for GitHub code scanning and other SARIF readers. Checked in
 * the tests by Microsoft's SARIF validator (the SARIF and GitHub rule sets) and by the SARIF JSON
 * schema (test/unit/cli/sarif.test.ts), which lists the few advisory notes left and why.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { docsUrl, type Finding, type RuleMeta, type Severity } from '../../core/engine/types.ts';
import type { FileFindings } from './formats.ts';

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
  hint: 'note',
};

const pascal = (text: string): string =>
  text
    .split(/[^A-Za-z0-9]+/)
    .map((word) => word.replace(/[a-z]/, (letter) => letter.toUpperCase()))
    .join('');

/**
 * A rule's friendly name: the PascalCase of its code's name part (`structure/invalid-tool-arguments`
 * → `InvalidToolArguments`). SARIF wants `name` to be a readable identifier distinct from the opaque
 * `id` (§3.49.7; the validator's SARIF1001 and SARIF2012). A name that would start with a digit gets
 * its family in front (`secrets/1password` → `Secrets1Password`), as does every name of a family in
 * `FAMILY_IN_NAME` (`semantic/conflict` → `SemanticConflict`).
 */
export function sarifRuleName(code: string): string {
  const slash = code.indexOf('/');
  const family = code.slice(0, Math.max(slash, 0));
  const name = pascal(code.slice(slash + 1));
  return /^[A-Z]/.test(name) && !FAMILY_IN_NAME.has(family) ? name : pascal(family) + name;
}

/** Families whose rules mirror another family's names (`semantic/conflict` beside `consistency/conflict`). */
const FAMILY_IN_NAME = new Set(['semantic']);

/**
 * Where a finding is, as SARIF wants it: a valid URI reference. Paths under the working directory
 * stay relative (what code scanning maps onto the repository), each segment percent-encoded (a space
 * or a `#` in a file name would otherwise make an invalid or a different URI); other paths become
 * `file:` URIs, since a relative reference must not begin with a slash (the validator's SARIF1004).
 */
function artifactUri(file: string): string {
  if (isAbsolute(file)) return pathToFileURL(file).href;
  return file.split('/').map(encodeURIComponent).join('/');
}

function sarifRegion(range: Finding['range']): Record<string, number> {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

function ruleDescriptor(rule: RuleMeta): Record<string, unknown> {
  const url = docsUrl(rule.code);
  return {
    id: rule.code,
    name: sarifRuleName(rule.code),
    shortDescription: { text: rule.description },
    fullDescription: { text: rule.description },
    // GitHub code scanning shows `help` beside each alert; the docs page holds the why and the fix.
    help: {
      text: `${rule.description} Documentation: ${url}`,
      markdown: `${rule.description} [Documentation of \`${rule.code}\`](${url}): why it matters, examples and the fix.`,
    },
    helpUri: url,
    defaultConfiguration: {
      level: rule.defaultSeverity === 'off' ? 'none' : SARIF_LEVEL[rule.defaultSeverity],
    },
    properties: { tags: [rule.family] },
  };
}

/** SARIF 2.1.0, the format GitHub code scanning and other tools read. */
export function formatSarif(
  files: readonly FileFindings[],
  rules: readonly RuleMeta[],
  version: string,
): string {
  const used = new Set<string>();
  for (const { findings } of files) for (const finding of findings) used.add(finding.code);
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
  const results: Record<string, unknown>[] = [];
  for (const { file, findings } of files) {
    const uri = artifactUri(file);
    for (const finding of findings) {
      const result: Record<string, unknown> = {
        ruleId: finding.code,
        ruleIndex: ruleIndex.get(finding.code),
        level: SARIF_LEVEL[finding.severity],
        message: { text: finding.message },
        locations: [{ physicalLocation: { artifactLocation: { uri }, region: sarifRegion(finding.range) } }],
      };
      if (finding.related?.length) {
        result['relatedLocations'] = finding.related.map((related, id) => ({
          id,
          message: { text: related.message },
          physicalLocation: {
            artifactLocation: { uri: related.file === undefined ? uri : artifactUri(related.file) },
            region: sarifRegion(related.range),
          },
        }));
      }
      results.push(result);
    }
  }
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
            rules: ruleList.map(ruleDescriptor),
          },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
