/**
 * The language server updates dataset indexes one line at a time; whatever the order of removes and
 * re-adds, the report must equal a fresh build over the final lines.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { resolveConfig } from '../../../src/core/engine/config.ts';
import { DatasetIndexes, LinePass } from '../../../src/core/engine/linter.ts';
import { splitLines } from '../../../src/core/engine/lines.ts';
import type { LineAccess } from '../../../src/core/engine/rule.ts';
import { consistencyCheckers } from '../../../src/core/rules/consistency/index.ts';
import { chat, replaceWord, words } from './consistency-fixtures.ts';

const config = resolveConfig({ rules: { consistency: 'info' } }).config;
const pass = new LinePass(config, consistencyCheckers);

const base = words(60, 7);
const line = fc.oneof(
  fc.constantFrom(
    chat('What is 2+2?', '4'),
    chat('what is 2+2? ', '5'),
    chat(base, 'ok'),
    chat(replaceWord(base, 30, 'zebra'), 'ok'),
    chat('Review', 'Positive', 'You are a classifier.'),
    chat('Review', 'positive.', 'You are a clasifier.'),
    chat('Extract', '{"label": "a"}'),
    chat('Extract', '{"lable": "a"}'),
    chat('Hi', ' padded '),
    JSON.stringify({ text: 'x'.repeat(2000) }),
    'not json',
    '',
  ),
  fc
    .record({ p: fc.integer({ min: 0, max: 5 }), a: fc.constantFrom('Positive', 'Negative', 'yes', 'no') })
    .map(({ p, a }) => chat(`Prompt ${p}`, a, 'You are a classifier.')),
);

function factsOf(lines: string[]): unknown[][] {
  return splitLines(lines.join('\n') + '\n').map((input) => pass.run(input).facts);
}

function access(lines: string[]): LineAccess {
  const inputs = splitLines(lines.join('\n') + '\n');
  return { lineOf: (id) => id, context: (id) => pass.context(inputs[id]!) };
}

test('consistency indexes: removes and re-adds give the same report as a fresh build', () => {
  fc.assert(
    fc.property(
      fc.array(line, { minLength: 1, maxLength: 40 }),
      fc.array(fc.tuple(fc.nat(), line, fc.boolean()), { maxLength: 30 }),
      (initial, edits) => {
        const current = [...initial];
        const indexes = new DatasetIndexes(pass);
        let facts = factsOf(current);
        facts.forEach((f, id) => indexes.add(id, f));
        const removed = new Set<number>();
        for (const [at, replacement, keepOut] of edits) {
          const id = at % current.length;
          if (!removed.has(id)) indexes.remove(id, facts[id]!);
          current[id] = replacement;
          facts = factsOf(current);
          // Some lines stay out of the index for a while, as when an edit is still being typed.
          if (keepOut) removed.add(id);
          else {
            removed.delete(id);
            indexes.add(id, facts[id]!);
          }
        }
        for (const id of removed) indexes.add(id, facts[id]!);

        const fresh = new DatasetIndexes(pass);
        factsOf(current).forEach((f, id) => fresh.add(id, f));
        assert.deepEqual(indexes.report(access(current)), fresh.report(access(current)));
      },
    ),
    { numRuns: 150 },
  );
});

test('consistency indexes: adding an id twice or removing an absent one changes nothing', () => {
  const lines = [chat('a', 'b'), chat('a', 'b'), chat('a', 'c')];
  const facts = factsOf(lines);
  const indexes = new DatasetIndexes(pass);
  facts.forEach((f, id) => indexes.add(id, f));
  indexes.add(0, facts[0]!);
  indexes.remove(7, facts[0]!);
  const fresh = new DatasetIndexes(pass);
  facts.forEach((f, id) => fresh.add(id, f));
  const report = indexes.report(access(lines));
  assert.deepEqual(report, fresh.report(access(lines)));
  assert.deepEqual(report.map((f) => `${f.code}@${f.range.start.line}`).sort(), [
    'consistency/conflict@0',
    'consistency/conflict@1',
    'consistency/conflict@2',
    'consistency/duplicate@1',
  ]);
});
