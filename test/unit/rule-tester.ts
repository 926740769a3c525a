/**
 * Rule tests as data, after ESLint's RuleTester: `valid` documents must produce no finding of the
 * codes under test; each `invalid` document lists the findings expected, by code, line and the exact
 * text their range covers. Findings of other codes are ignored, so each family tests only itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/core/engine/config.ts';
import { lintText } from '../../src/core/engine/linter.ts';
import type { Checker } from '../../src/core/engine/rule.ts';
import type { Finding } from '../../src/core/engine/types.ts';

export interface ExpectedFinding {
  code: string;
  /** 0-based line. */
  line: number;
  /** The exact text the finding's range covers (single-line ranges). */
  text?: string;
  /** A substring the message must contain. */
  message?: string;
  /** The document after applying only this finding's fix. */
  fixed?: string;
}

export interface InvalidCase {
  name: string;
  lines: string[];
  findings: ExpectedFinding[];
  config?: unknown;
}

export interface ValidCase {
  name: string;
  lines: string[];
  config?: unknown;
}

export function textOf(lines: string[], finding: Finding): string {
  const { start, end } = finding.range;
  if (start.line !== end.line) return '<multi-line>';
  return (lines[start.line] ?? '').slice(start.character, end.character);
}

/** Applies a finding's fix edits to a document (edits must not overlap). */
export function applyFix(document: string, finding: Finding): string {
  assert.ok(finding.fix, `${finding.code} on line ${finding.range.start.line} has no fix`);
  const lineStarts = [0];
  for (let i = 0; i < document.length; i++) if (document[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }): number =>
    p.line < lineStarts.length ? lineStarts[p.line]! + p.character : document.length;
  const edits = [...finding.fix.edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = document;
  for (const edit of edits)
    out = out.slice(0, offset(edit.range.start)) + edit.newText + out.slice(offset(edit.range.end));
  return out;
}

export function runRuleTests(
  title: string,
  checkers: readonly Checker[],
  cases: { valid: ValidCase[]; invalid: InvalidCase[] },
): void {
  const codes = new Set(checkers.flatMap((checker) => checker.rules.map((rule) => rule.code)));
  const lint = (lines: string[], config: unknown): Finding[] => {
    const resolved = resolveConfig(config);
    assert.deepEqual(resolved.problems, [], 'test configuration is invalid');
    return lintText(lines.join('\n') + '\n', resolved.config, checkers, (_codes, _line, error) => {
      throw error;
    }).filter((finding) => codes.has(finding.code));
  };

  for (const valid of cases.valid) {
    test(`${title}: valid: ${valid.name}`, () => {
      const findings = lint(valid.lines, valid.config);
      assert.deepEqual(
        findings.map((f) => `${f.code}@${f.range.start.line}: ${f.message}`),
        [],
        'expected no findings',
      );
    });
  }
  for (const invalid of cases.invalid) {
    test(`${title}: invalid: ${invalid.name}`, () => {
      const findings = lint(invalid.lines, invalid.config);
      // Compare the covered text only where the case names it.
      const actual = findings.map((f, i) => {
        const wantsText = invalid.findings[i]?.text !== undefined;
        return {
          code: f.code,
          line: f.range.start.line,
          ...(wantsText ? { text: textOf(invalid.lines, f) } : {}),
        };
      });
      const expected = invalid.findings.map((e) => ({
        code: e.code,
        line: e.line,
        ...(e.text !== undefined ? { text: e.text } : {}),
      }));
      assert.deepEqual(actual, expected);
      // The lists are equal by code and line, so each expected finding is the actual one at its index.
      for (const [i, e] of invalid.findings.entries()) {
        const finding = findings[i]!;
        if (e.message)
          assert.ok(finding.message.includes(e.message), `message "${finding.message}" lacks "${e.message}"`);
        if (e.fixed !== undefined) {
          const document = invalid.lines.join('\n') + '\n';
          assert.equal(applyFix(document, finding), e.fixed);
        }
      }
    });
  }
}
