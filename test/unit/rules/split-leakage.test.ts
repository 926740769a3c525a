import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../../src/core/engine/config.ts';
import { LinePass } from '../../../src/core/engine/linter.ts';
import { splitLines } from '../../../src/core/engine/lines.ts';
import type { LineAccess } from '../../../src/core/engine/rule.ts';
import { nearDuplicateChecker, type SimilarityFacts } from '../../../src/core/rules/consistency/index.ts';
import { leakageFacts, LeakageIndex, splitRole } from '../../../src/core/rules/split/index.ts';
import { chat, replaceWord, words } from './consistency-fixtures.ts';

const config = resolveConfig({}).config;
const pass = new LinePass(config, [nearDuplicateChecker]);

function file(lines: string[]): { facts: SimilarityFacts[]; access: LineAccess } {
  const inputs = splitLines(lines.join('\n') + '\n');
  return {
    facts: inputs.map(
      (input) => leakageFacts(pass.datasetCheckers, pass.run(input).facts) as SimilarityFacts,
    ),
    access: { lineOf: (id) => id, context: (id) => pass.context(inputs[id]!) },
  };
}

const shared = words(50, 11);
const train = file([
  chat(words(50, 1), 'a'),
  chat(shared, 'b'),
  chat(words(50, 2), 'c'),
  chat('Hi', 'Hello'),
]);
const validation = file([
  chat(words(50, 3), 'x'),
  chat(replaceWord(shared, 25, 'zebra'), 'b'),
  chat('Hi', 'Hello'),
  chat('Hi', 'Hello there'),
]);
const files: Record<string, LineAccess> = {
  'data/train.jsonl': train.access,
  'data/val.jsonl': validation.access,
};

function build(): LeakageIndex {
  const index = new LeakageIndex(config);
  train.facts.forEach((facts, id) => index.add('data/train.jsonl', 'train', id, facts));
  validation.facts.forEach((facts, id) => index.add('data/val.jsonl', 'validation', id, facts));
  return index;
}

test('split/leakage: exact and near copies of training examples in a validation file', () => {
  const found = build().report((name) => files[name]);
  assert.deepEqual(
    found.map(({ file, finding }) => ({
      file,
      line: finding.range.start.line,
      message: finding.message,
      related: finding.related?.map((r) => `${r.file}:${r.range.start.line}`),
    })),
    [
      {
        file: 'data/val.jsonl',
        line: 1,
        message: `Also in the training data: train.jsonl line 2 (estimated similarity ${found[0]?.finding.message.match(/0\.\d\d/)?.[0]})`,
        related: ['data/train.jsonl:1'],
      },
      {
        file: 'data/val.jsonl',
        line: 2,
        message: 'Also in the training data: train.jsonl line 4 (an exact copy)',
        related: ['data/train.jsonl:3'],
      },
    ],
  );
  assert.equal(found[0]!.finding.severity, 'warning');
});

test('split/leakage: removing the training copy clears the finding; off means no findings', () => {
  const index = build();
  index.remove('data/train.jsonl', 3);
  assert.deepEqual(
    index.report((name) => files[name]).map(({ finding }) => finding.range.start.line),
    [1],
  );
  index.removeFile('data/train.jsonl');
  assert.deepEqual(
    index.report((name) => files[name]),
    [],
  );
  const off = new LeakageIndex(resolveConfig({ rules: { 'split/leakage': 'off' } }).config);
  train.facts.forEach((facts, id) => off.add('t.jsonl', 'train', id, facts));
  validation.facts.forEach((facts, id) => off.add('v.jsonl', 'validation', id, facts));
  assert.deepEqual(
    off.report(() => undefined),
    [],
  );
});

test('splitRole: train and validation files from the configured globs', () => {
  assert.equal(splitRole('/w/data/train.jsonl', config, '/w'), 'train');
  assert.equal(splitRole('/w/data/chat.train.jsonl', config, '/w'), 'train');
  assert.equal(splitRole('/w/data/chat.val.jsonl', config, '/w'), 'validation');
  assert.equal(splitRole('/w/eval/Test.jsonl', config, '/w'), 'validation');
  assert.equal(splitRole('/w/data/chat.jsonl', config, '/w'), undefined);
  assert.equal(splitRole('/w/train_eval.jsonl', config, '/w'), undefined, 'ambiguous names are left out');
  const custom = resolveConfig({ split: { train: ['a/**'], validation: ['b/**'] } }).config;
  assert.equal(splitRole('/w/a/x.jsonl', custom, '/w'), 'train');
  assert.equal(splitRole('/w/b/x.jsonl', custom, '/w'), 'validation');
});
