/**
 * `tunesmith diff OLD NEW`: examples matched by content (moved lines and re-spaced JSON are the same
 * example), added / removed / changed (same prompt, another answer), the drift of labels, formats and
 * system prompts, and the summary in plain words; as JSON for CI and as text.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexContent, leftOver, matchNew, pairChanges } from '../../../src/core/diff/dataset-diff.ts';
import { cli, tempDir } from './helpers.ts';

const chat = (system: string, user: string, answer: string) =>
  JSON.stringify({
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: user },
      { role: 'assistant', content: answer },
    ],
  });
const SYSTEM = 'Classify the sentiment.';
const NEW_SYSTEM = 'Classify the sentiment of the review.';

test('matching is by content: moved lines and re-spaced JSON are unchanged; duplicates count', () => {
  const a = '{"prompt": "p1", "completion": "c1"}';
  const b = '{"prompt": "p2", "completion": "c2"}';
  const index = indexContent([
    { line: 0, text: a },
    { line: 1, text: b },
    { line: 2, text: a },
  ]);
  const { unchanged, unmatched } = matchNew(index, [
    { line: 0, text: b },
    { line: 1, text: '  {"prompt":  "p1", "completion": "c1"}' },
    { line: 2, text: '{"prompt": "p2", "completion": "c2 new"}' },
  ]);
  assert.equal(unchanged, 2);
  assert.deepEqual([...leftOver(index)], [2], 'one of the two copies of a is gone');
  const diff = pairChanges([{ line: 2, text: a }], unmatched);
  assert.equal(diff.changed.count, 0, 'p2 → "c2 new" answers p2, which is still there unchanged: added');
  const changed = pairChanges([{ line: 1, text: b }], unmatched);
  assert.equal(changed.changed.count, 1);
  assert.deepEqual(changed.changed.examples[0]!.old.line, 2);
});

test('diff --json: added, removed, changed; label, system prompt and size drift in plain words', async () => {
  const dir = tempDir('diff');
  const old: string[] = [];
  for (let i = 0; i < 10; i++) old.push(chat(SYSTEM, `review ${i}`, i < 4 ? 'negative' : 'positive'));
  // New: lines 0-2 dropped, line 3 answered differently, the rest moved, six added with a new system prompt.
  const neu = [chat(SYSTEM, 'review 3', 'positive'), ...old.slice(4).reverse()];
  for (let i = 10; i < 16; i++) neu.push(chat(NEW_SYSTEM, `review ${i}`, i === 10 ? 'negative' : 'positive'));
  writeFileSync(join(dir, 'old.jsonl'), old.join('\n') + '\n');
  writeFileSync(join(dir, 'new.jsonl'), neu.join('\n') + '\n');
  const run = await cli(['diff', 'old.jsonl', 'new.jsonl', '--json'], dir);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.examples.unchanged, 6);
  assert.equal(report.examples.added.count, 6);
  assert.equal(report.examples.removed.count, 3);
  assert.equal(report.examples.changed.count, 1);
  assert.deepEqual(
    { old: report.examples.changed.examples[0].old.line, new: report.examples.changed.examples[0].new.line },
    { old: 4, new: 1 },
  );
  assert.deepEqual(report.drift.labels.negative, { old: 0.4, new: 1 / 13 });
  assert.deepEqual(report.drift.examples, { old: 10, new: 13 });
  const summary: string[] = report.summary;
  assert.equal(
    summary[0],
    '6 examples added, 3 removed, 1 changed (same prompt, another answer); 6 unchanged (10 → 13 examples).',
  );
  assert.ok(summary.includes('Label `negative` share fell from 40.0% to 7.7%.'), summary.join('\n'));
  assert.ok(summary.includes('Label `positive` share rose from 60.0% to 92.3%.'), summary.join('\n'));
  assert.ok(summary.includes(`System prompt “${NEW_SYSTEM}” is new: 46.2% of examples.`), summary.join('\n'));
  assert.ok(
    summary.includes(`System prompt “${SYSTEM}” share fell from 100.0% to 53.8%.`),
    summary.join('\n'),
  );
});

test('diff as text lists the summary and the examples of each kind; two files are required', async () => {
  const dir = tempDir('diff-text');
  writeFileSync(join(dir, 'a.jsonl'), '{"prompt": "p1", "completion": "c1"}\n{"text": "gone"}\n');
  writeFileSync(join(dir, 'b.jsonl'), '{"prompt": "p1", "completion": "c1 better"}\n{"text": "new"}\n');
  const run = await cli(['diff', 'a.jsonl', 'b.jsonl'], dir);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^a\.jsonl → b\.jsonl\n\n {2}1 example added, 1 removed, 1 changed/);
  assert.match(run.stdout, /Added, lines of b\.jsonl \(1\)\n +2 {2}\{"text": "new"\}/);
  assert.match(
    run.stdout,
    /Changed \(1\): old line → new line\n +1 → 1 +\{"prompt": "p1", "completion": "c1 better"\}/,
  );
  const usage = await cli(['diff', 'a.jsonl'], dir);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /expected OLD and NEW/);
});
