/**
 * The incremental document with every real rule: after any sequence of edits its findings equal a
 * fresh `lintText` of the final text. This is what catches a dataset rule that keys its index by line
 * number instead of by example id, or a line rule whose finding depends on a neighbour. The first,
 * quick publication after an edit never offers a fix the complete one does not.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { resolveConfig } from '../../src/server/engine/config.ts';
import { lintText } from '../../src/server/engine/linter.ts';
import { ALL_CHECKERS } from '../../src/server/rules/index.ts';
import { LintedDocument } from '../../src/server/lsp/linted-document.ts';
import { positionAt } from './client.ts';

const demoLines = ['chat', 'syntax', 'format', 'pii', 'secrets', 'consistency']
  .flatMap((name) => readFileSync(new URL(`../../demo/${name}.jsonl`, import.meta.url), 'utf8').split('\n'))
  .filter((line, i, all) => all.indexOf(line) === i);

const lineArb = fc.constantFrom(...demoLines);
const editArb = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  length: fc.nat(60),
  text: fc.oneof(
    fc.constantFrom('\n', ' ', '"', '}', 'usr', '4111 1111 1111 1111', '\r\n'),
    lineArb.map((line) => line + '\n'),
    fc.string({ maxLength: 4 }),
  ),
});

test('property: incremental findings with every rule equal a fresh lint of the final text', () => {
  const config = resolveConfig({}).config;
  const normalise = (findings: unknown[]): string[] => findings.map((f) => JSON.stringify(f)).sort();
  fc.assert(
    fc.property(
      fc.array(lineArb, { maxLength: 10 }),
      fc.array(editArb, { minLength: 1, maxLength: 8 }),
      (lines, edits) => {
        let text = lines.join('\n') + '\n';
        const document = new LintedDocument(text, config, ALL_CHECKERS);
        for (const edit of edits) {
          let start = Math.floor(edit.at * text.length);
          if (text[start - 1] === '\r' && text[start] === '\n') start--;
          let end = Math.min(text.length, start + edit.length);
          if (text[end - 1] === '\r' && text[end] === '\n') end++;
          const range = { start: positionAt(text, start), end: positionAt(text, end) };
          text = text.slice(0, start) + edit.text + text.slice(end);
          document.applyChanges([{ range, text: edit.text }]);
          if (edit.length % 3 === 0) continue; // let provisional findings span several edits
          // What the server publishes first: no fix in it may differ from the complete report's.
          const quick = document.findings(false);
          const full = new Set(document.findings().map((f) => JSON.stringify(f)));
          for (const finding of quick.filter((f) => f.fix)) assert.ok(full.has(JSON.stringify(finding)));
        }
        assert.equal(document.getText(), text);
        assert.deepEqual(normalise(document.findings()), normalise(lintText(text, config, ALL_CHECKERS)));
      },
    ),
    { numRuns: 120 },
  );
});
