/**
 * Every finding on a 2 MB slice of the bench corpus, as a snapshot: optimisations of the hot path
 * (prefilters, hashing, sketches, the facts workers post) must not change a single finding. The
 * slice is the bench generator's output plus variants of some of its lines that the generator never
 * makes (near-duplicates, conflicting answers, case, whitespace and key-order copies, non-ASCII text),
 * so the consistency rules have something to find.
 *
 * The snapshot holds counts per code (readable in a diff) and a digest of every finding in full.
 * After a change that is meant to alter findings: `UPDATE_GOLDEN=1 node --import tsx --test
 * test/unit/golden-findings.test.ts`, and say why in the commit.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { corpusText } from '../../bench/corpus.ts';
import { lintFile } from '../../src/core/lint/lint-file.ts';
import { inThreadRunner } from '../../src/core/lint/runner.ts';
import { resolveConfig } from '../../src/core/engine/config.ts';
import { lintText } from '../../src/core/engine/linter.ts';
import type { Finding } from '../../src/core/engine/types.ts';
import { ALL_CHECKERS } from '../../src/core/rules/index.ts';
import { tempDir } from './cli/helpers.ts';

const SNAPSHOT = new URL('./fixtures/golden-findings.json', import.meta.url);

interface Message {
  role: string;
  content: string;
}

const NON_ASCII = [
  'Ο ΚΑΙΡΟΣ ΣΤΗΝ ΑΘΗΝΑ ΕΙΝΑΙ ΖΕΣΤΟΣ ΣΗΜΕΡΑ ΚΑΙ ΑΥΡΙΟ ΘΑ ΒΡΕΞΕΙ ΣΤΑ ΒΟΥΝΑ ΤΗΣ ΧΩΡΑΣ',
  'İSTANBUL ÇOK GÜZEL BİR ŞEHİR VE BOĞAZ KIYISINDA YÜRÜYÜŞ YAPMAK HERKESE İYİ GELİR',
  '東京の天気は晴れです。明日は雨が降るでしょう。傘を持って出かけてください。',
  'Straße und Fluß: GROẞE Häuser stehen am Ufer des Rheins, 𐐀𐐁 und ǅemal sind seltene Zeichen',
];

/** Variants of every n-th chat line, deterministic, appended after the corpus. */
function variants(lines: string[]): string[] {
  const out: string[] = [];
  lines.forEach((line, i) => {
    let value: { messages?: Message[] };
    try {
      value = JSON.parse(line) as { messages?: Message[] };
    } catch {
      return;
    }
    const messages = value.messages;
    if (!Array.isArray(messages) || messages.length < 2) return;
    const last = messages[messages.length - 1]!;
    const copy = (change: (m: Message, j: number) => Message): string =>
      JSON.stringify({ messages: messages.map((m, j) => change({ ...m }, j)) });
    if (i % 40 === 0) {
      // One word changed in the answer: a near-duplicate.
      out.push(
        copy((m, j) =>
          j === messages.length - 1 ? { ...m, content: m.content.replace(' the ', ' a ') } : m,
        ),
      );
    }
    if (i % 55 === 0) {
      // Two short answers to one prompt: a conflict (the corpus's long answers are open generation,
      // which consistency/conflict leaves alone).
      for (const answer of ['No.', 'Yes.'])
        out.push(copy((m, j) => (j === messages.length - 1 ? { ...m, content: answer } : m)));
    }
    if (i % 65 === 0) {
      // The prompt in other case and spacing, with another answer: a conflict after normalisation.
      out.push(
        copy((m, j) =>
          j === messages.length - 1
            ? { ...m, content: `${last.content} Also.` }
            : { ...m, content: `  ${m.content.toUpperCase().replace(/ /g, '   ')} ` },
        ),
      );
    }
    if (i % 90 === 0) {
      // Key order and whitespace differ: still an exact duplicate.
      out.push(
        JSON.stringify(
          { messages: messages.map((m) => ({ content: m.content, role: m.role })) },
          null,
          1,
        ).replace(/\n/g, ''),
      );
    }
    if (i % 120 === 0) {
      const text = NON_ASCII[(i / 120) % NON_ASCII.length]!;
      const chat = (content: string, answer: string): string =>
        JSON.stringify({
          messages: [
            { role: 'user', content },
            { role: 'assistant', content: answer },
          ],
        });
      out.push(chat(text, `${text} ${last.content}`));
      out.push(chat(text.toLowerCase(), `${text.toLowerCase()} ${last.content}`));
      out.push(chat(text, 'Ναι.'));
    }
  });
  return out;
}

function goldenText(): string {
  const corpus = corpusText(1, 2_000_000);
  const lines = corpus.split('\n').filter((line) => line !== '');
  return [...lines, ...variants(lines)].join('\n') + '\n';
}

function summary(findings: readonly Finding[]): {
  counts: Record<string, number>;
  total: number;
  digest: string;
} {
  const counts: Record<string, number> = {};
  const hash = createHash('sha256');
  for (const finding of findings) {
    counts[finding.code] = (counts[finding.code] ?? 0) + 1;
    hash.update(JSON.stringify(finding)).update('\n');
  }
  const sorted = Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
  return { counts: sorted, total: findings.length, digest: hash.digest('hex') };
}

const config = resolveConfig({ rules: { tokens: 'off' } }).config;
const text = goldenText();

/** The engine logs a rule that throws and goes on (the editor must never crash); a test must fail. */
function ruleErrors(): {
  errors: string[];
  onRuleError: (codes: readonly string[], line: number | undefined, error: unknown) => void;
} {
  const errors: string[] = [];
  return {
    errors,
    onRuleError: (codes, line, error) => errors.push(`${codes.join(', ')} on line ${line}: ${String(error)}`),
  };
}

test('golden findings: lintText on the bench corpus slice matches the snapshot', (t) => {
  const { errors, onRuleError } = ruleErrors();
  const actual = summary(lintText(text, config, ALL_CHECKERS, onRuleError));
  assert.deepEqual(errors.slice(0, 5), [], 'a rule threw');
  if (process.env['UPDATE_GOLDEN']) {
    writeFileSync(SNAPSHOT, JSON.stringify(actual, null, 2) + '\n');
    t.diagnostic('snapshot written');
    return;
  }
  const expected = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as typeof actual;
  assert.deepEqual(actual.counts, expected.counts);
  assert.equal(actual.digest, expected.digest, 'same counts, but some finding changed');
});

test('golden findings: the CLI path (lintFile, batches and facts as workers send them) agrees', async () => {
  const path = join(tempDir('golden'), 'corpus.jsonl');
  writeFileSync(path, text);
  const errors: string[] = [];
  const linted = await lintFile(path, {
    config,
    runner: inThreadRunner(config),
    onRuleError: (message) => errors.push(message),
  });
  linted.reader.close();
  assert.deepEqual(errors.slice(0, 5), [], 'a rule threw');
  const expected = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as ReturnType<typeof summary>;
  const actual = summary(linted.findings);
  assert.deepEqual(actual.counts, expected.counts);
  assert.equal(actual.digest, expected.digest, 'same counts, but some finding changed');
});

test('golden findings: with every rule on, tokens included, no rule throws on the slice or on special tokens', () => {
  const { errors, onRuleError } = ruleErrors();
  const EOT = '<|endoftext|>';
  const t0 = [
    JSON.stringify({ prompt: 'Translate: cat', completion: `chat${EOT}` }),
    JSON.stringify({ prompt: 'Say nothing', completion: EOT }),
    JSON.stringify({ prompt: 'Context. '.repeat(600), completion: `Yes.${EOT}` }),
    JSON.stringify({
      messages: [
        { role: 'user', content: `<|im_start|>user ${EOT}` },
        { role: 'assistant', content: `${EOT}`.repeat(3000) },
      ],
    }),
  ];
  const findings = lintText(text + t0.join('\n') + '\n', resolveConfig({}).config, ALL_CHECKERS, onRuleError);
  assert.deepEqual(errors.slice(0, 5), [], 'a rule threw');
  assert.ok(findings.some((f) => f.code === 'tokens/special-token'));
});
