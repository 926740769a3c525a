/**
 * `consistency/near-duplicate` reports clusters: the connected pairs above the threshold, one finding
 * on the first line with the others as related locations (capped), exact copies left to
 * `consistency/duplicate`.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { resolveConfig } from '../../../src/core/engine/config.ts';
import { lintText } from '../../../src/core/engine/linter.ts';
import type { Checker } from '../../../src/core/engine/rule.ts';
import type { Finding } from '../../../src/core/engine/types.ts';
import { nearDuplicateChecker } from '../../../src/core/rules/consistency/near-duplicate.ts';
import { BINS, similarity, sketchTexts } from '../../../src/core/rules/consistency/sketch.ts';
import { chat, replaceWord, words } from './consistency-fixtures.ts';

const CODE = 'consistency/near-duplicate';

function lint(lines: string[]): Finding[] {
  const { config } = resolveConfig({});
  return lintText(lines.join('\n') + '\n', config, [nearDuplicateChecker as Checker]).filter(
    (finding) => finding.code === CODE,
  );
}

const related = (finding: Finding): number[] => (finding.related ?? []).map((r) => r.range.start.line);

test('a chain of near-duplicates is one cluster although its ends are not similar', () => {
  // Each step rewrites 6 of 300 words; four steps apart the ends share too few trigrams.
  const texts = [words(300, 23)];
  for (let step = 1; step < 5; step++) {
    let next = texts.at(-1)!;
    for (let k = 0; k < 6; k++) next = replaceWord(next, step * 53 + k * 5, `changed${step}x${k}`);
    texts.push(next);
  }
  const sketch = (text: string): Uint8Array => {
    const out = new Uint8Array(BINS);
    sketchTexts([text], out);
    return out;
  };
  const threshold = resolveConfig({}).config.consistency.nearDuplicateThreshold;
  // The premise: neighbours are similar, the ends are not.
  for (let i = 1; i < texts.length; i++)
    assert.ok(similarity(sketch(texts[i - 1]!), 0, sketch(texts[i]!), 0) >= threshold, `step ${i}`);
  assert.ok(similarity(sketch(texts[0]!), 0, sketch(texts.at(-1)!), 0) < threshold, 'the ends');
  const findings = lint([
    chat('unrelated words here and there, nothing alike', 'no'),
    ...texts.map((t) => chat(t, 'ok')),
  ]);
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.range.start.line, 1);
  assert.deepEqual(related(findings[0]!), [2, 3, 4, 5]);
  assert.match(
    findings[0]!.message,
    /^Near-duplicates: 5 examples \(estimated similarity to this one 0\.6\d–0\.8\d\), this one and lines 3, 4, 5, 6$/,
  );
});

test('a large cluster lists 20 members and counts the rest; exact copies are not members', () => {
  const base = words(80, 7);
  const lines = [chat(base, 'ok')];
  for (let i = 0; i < 30; i++) lines.push(chat(replaceWord(base, 2 * i + 5, `zebra${i}`), 'ok'));
  lines.push(chat(base, 'ok')); // an exact copy of line 1: consistency/duplicate's
  const findings = lint(lines);
  assert.equal(findings.length, 1);
  const [finding] = findings;
  assert.equal(finding!.range.start.line, 0);
  assert.deepEqual(
    related(finding!),
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  assert.match(
    finding!.message,
    /^Near-duplicates: 31 examples .*this one and lines 2, 3, 4, 5, 6 and 25 more$/,
  );
  assert.match(finding!.message, /\(estimated similarity to this one 0\.\d\d–0\.\d\d for the 20 linked\)/);
  assert.ok(
    finding!.related!.every((r) => /^A near-duplicate \(estimated similarity 0\.\d\d\)$/.test(r.message)),
  );
});

test('two separate clusters are two findings, each on its first line', () => {
  const [a, b] = [words(80, 31), words(80, 32)];
  const lines = [
    chat(a, 'x'),
    chat(b, 'y'),
    chat(replaceWord(a, 40, 'zebra'), 'x'),
    chat(replaceWord(b, 40, 'zebra'), 'y'),
  ];
  const findings = lint(lines).sort((p, q) => p.range.start.line - q.range.start.line);
  assert.deepEqual(
    findings.map((f) => [f.range.start.line, related(f)]),
    [
      [0, [2]],
      [1, [3]],
    ],
  );
});

test('questions about one passage are a shared-passage cluster, with a mixed one said so', () => {
  const passage = words(150, 11);
  const findings = lint([
    chat(`${passage}\nQuestion: Who wins the duel?`, 'Feraud'),
    chat(`${passage}\nQuestion: Where is he gazing?`, 'At the sea'),
    chat(`${passage}\nQuestion: Who was exiled?`, 'Feraud'),
  ]);
  assert.equal(findings.length, 1);
  assert.match(
    findings[0]!.message,
    /^Shared passage: 3 examples .*keep them in one split rather than delete any$/,
  );
  assert.ok(
    findings[0]!.related!.every((r) => r.message.startsWith('Another question about the same passage (')),
  );
  // The same passage, question and answer with one word of the passage changed: a near-duplicate.
  const mixed = lint([
    chat(`${passage}\nQuestion: Who wins the duel?`, 'Feraud'),
    chat(`${passage}\nQuestion: Where is he gazing?`, 'At the sea'),
    chat(`${replaceWord(passage, 70, 'zebra')}\nQuestion: Who wins the duel?`, 'Feraud'),
  ]);
  assert.equal(mixed.length, 1);
  assert.match(
    mixed[0]!.message,
    /^Near-duplicates: 3 examples .*; 1 of the 2 linked ask another question about this one's passage: keep those in one split rather than delete them$/,
  );
  assert.deepEqual(
    mixed[0]!.related!.map((r) => r.message.replace(/ \(.*/, '')),
    ['Another question about the same passage', 'A near-duplicate'],
  );
});
