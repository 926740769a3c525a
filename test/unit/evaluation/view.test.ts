/** How a report reads: number formats, word diffs against the reference, flip cells, Δlog-prob shades. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  flipCell,
  formatDelta,
  formatMetric,
  metricRows,
  promptLine,
  tokenShades,
  wordDiff,
} from '../../../src/shared/evaluation-view.ts';
import { fixtureReport, largeReport } from '../../webview/evaluation-reports.ts';

test('metrics read in their own units: exact match as a share, BLEU in points, signed differences', () => {
  assert.equal(formatMetric('exact', 0.8333), '83.3%');
  assert.equal(formatMetric('f1', 0.5711), '0.571');
  assert.equal(formatMetric('bleu', 39.9783), '40.0');
  assert.equal(formatMetric('length_ratio', null), '–');
  assert.equal(formatDelta('exact', 0.5), '+50.0 pp');
  assert.equal(formatDelta('f1', -0.25), '−0.250');
  assert.equal(formatDelta('bleu', -0.01), '0.0', 'a difference that rounds to zero has no sign');
  assert.equal(formatDelta('chrf', Number.NaN), '–');
});

test('the metrics table of the fixture: base, tuned, difference, interval and signatures', () => {
  const rows = metricRows(fixtureReport());
  const f1 = rows.find((row) => row.metric === 'f1')!;
  assert.deepEqual(
    { primary: f1.primary, base: f1.base, tuned: f1.tuned, delta: f1.delta, interval: f1.interval },
    { primary: true, base: '0.571', tuned: '0.972', delta: '+0.401', interval: '+0.050 to +0.600' },
  );
  const bleu = rows.find((row) => row.metric === 'bleu')!;
  assert.equal(bleu.interval, '−2.0 to +40.0');
  assert.match(bleu.signature!, /^nrefs:1\|case:mixed\|eff:no\|tok:13a\|smooth:exp/);
  assert.equal(rows.find((row) => row.metric === 'rouge1')!.interval, undefined);
});

test('a word diff keeps both texts: same + added spells the output, same + removed the reference', () => {
  const text = fc.array(
    fc.constantFrom('Lima', 'Lima.', '.', ' ', '  ', '\n', 'the', 'capital', 'é', '<b>'),
    {
      maxLength: 30,
    },
  );
  fc.assert(
    fc.property(text, text, (a, b) => {
      const reference = a.join('');
      const output = b.join('');
      const parts = wordDiff(reference, output)!;
      const spell = (kinds: string[]) =>
        parts
          .filter((part) => kinds.includes(part.kind))
          .map((part) => part.text)
          .join('');
      assert.equal(spell(['same', 'added']), output);
      assert.equal(spell(['same', 'removed']), reference);
    }),
  );
});

test('the tokenisation space of the issue ("Lima." generated, "Lima ." referenced) is a difference', () => {
  assert.deepEqual(wordDiff('The capital of Peru is Lima .', 'The capital of Peru is Lima.'), [
    { kind: 'same', text: 'The capital of Peru is Lima' },
    { kind: 'removed', text: ' ' },
    { kind: 'same', text: '.' },
  ]);
  assert.deepEqual(wordDiff('same text', 'same text'), [{ kind: 'same', text: 'same text' }]);
  assert.deepEqual(wordDiff('', ''), []);
});

test('unrelated sentences diff as one removal and one addition, not word-for-word swaps around spaces', () => {
  assert.deepEqual(wordDiff('The capital of Peru is Lima .', 'Peru is a country in South America.'), [
    { kind: 'removed', text: 'The capital of Peru is Lima ' },
    { kind: 'added', text: 'Peru is a country in South America' },
    { kind: 'same', text: '.' },
  ]);
  assert.deepEqual(wordDiff('The capital of Kenya is Nairobi .', 'The capital of Kenya is Mombasa .'), [
    { kind: 'same', text: 'The capital of Kenya is ' },
    { kind: 'removed', text: 'Nairobi' },
    { kind: 'added', text: 'Mombasa' },
    { kind: 'same', text: ' .' },
  ]);
});

test('a diff that would take too long gives up instead of blocking the page', () => {
  const words = (seed: number) => Array.from({ length: 3000 }, (_, i) => `w${(i * seed) % 997}`).join(' ');
  assert.equal(wordDiff(words(7), words(13), 1), undefined);
});

test('flip cells from the scores agree with the counts the report states', () => {
  for (const report of [fixtureReport(), largeReport(500)]) {
    for (const table of report.comparison!.flips) {
      const counts = { both_right: 0, base_only: 0, tuned_only: 0, both_wrong: 0 };
      for (const example of report.examples) counts[flipCell(example, table)!] += 1;
      const { both_right, base_only, tuned_only, both_wrong } = table;
      assert.deepEqual(counts, { both_right, base_only, tuned_only, both_wrong }, table.metric);
    }
  }
  const single = fixtureReport().examples[0]!;
  delete single.scores.base;
  assert.equal(flipCell(single, fixtureReport().comparison!.flips[0]!), undefined);
});

test('Δlog-prob shades: sign of tuned − base, one step per edge reached, values kept for the tooltip', () => {
  const shades = tokenShades({
    text: ['a', 'b', 'c', 'd', 'e'],
    base: [-6, -1, -1, -0.1, -2],
    tuned: [-0.5, -1.1, -1.6, -5, -2],
  });
  assert.deepEqual(
    shades.map((token) => token.shade),
    [5, 0, -2, -5, 0],
  );
  assert.equal(shades[0]!.delta, 5.5);
  assert.equal(tokenShades({ text: ['a', 'b'], base: [-1], tuned: [-1, -2] }).length, 1, 'ragged arrays');
});

test('a chat prompt in one line is its last user turn; a plain prompt is itself, whitespace collapsed', () => {
  const example = fixtureReport().examples[0]!;
  assert.equal(promptLine(example), 'user: What is the capital of Peru?');
  delete example.messages;
  assert.equal(promptLine(example), '<|user|> What is the capital of Peru? <|assistant|>');
});
