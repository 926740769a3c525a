/** "Open Evaluation…" on a predictions file: the `score` command line, the fields offered, the problems message. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { firstObjectFields, problemsMessage, scoreArgs } from '../../../src/extension/evaluation/score.ts';
import type { EvaluationReport } from '../../../src/shared/evaluation-report.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

test('score: the trainer detects the layout unless the user mapped the columns; paths stay one argument', () => {
  const path = '/data/my preds; rm -rf ~/"x".jsonl';
  assert.deepEqual(scoreArgs(path), ['score', '--predictions', path]);
  assert.deepEqual(scoreArgs(path, { reference: 'answer', tuned: 'output' }), [
    'score',
    '--predictions',
    path,
    '--layout',
    'columns',
    '--reference',
    'answer',
    '--tuned',
    'output',
  ]);
  assert.deepEqual(scoreArgs(path, { reference: 'a', tuned: 'b', base: '-c', prompt: 'q' }).slice(-4), [
    '--base',
    '-c',
    '--prompt',
    'q',
  ]);
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.string(), (file, reference, tuned) => {
      const args = scoreArgs(file, { reference, tuned });
      return args.length === 9 && args[2] === file && args[6] === reference && args[8] === tuned;
    }),
  );
});

test('the fields offered are those of the first line that is an object, with a short sample of each', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tunesmith-score-'));
  const file = join(dir, 'preds.jsonl');
  const long = 'x'.repeat(500);
  await writeFile(
    file,
    [
      '',
      '{not json',
      '[1, 2]',
      '"text"',
      JSON.stringify({ question: 'Capital of Peru?', answer: 'Lima', output: long, n: 3, meta: { a: [1] } }),
      JSON.stringify({ other: 1 }),
    ].join('\r\n'),
  );
  const fields = await firstObjectFields(file);
  assert.deepEqual(
    fields.map((field) => field.name),
    ['question', 'answer', 'output', 'n', 'meta'],
  );
  assert.equal(fields[1]!.sample, 'Lima');
  assert.equal(fields[2]!.sample, `${'x'.repeat(60)}…`);
  assert.equal(fields[4]!.sample, '{"a":[1]}');
  await writeFile(file, 'no objects here\n[]\n');
  assert.deepEqual(await firstObjectFields(file), []);
});

test('the problems message names the first lines and says the rest is shown; none without problems', () => {
  const report = JSON.parse(
    readFileSync(join(ROOT, 'test/fixtures/evaluation-report.recorded.json'), 'utf8'),
  ) as EvaluationReport;
  assert.equal(problemsMessage('/d/generated_predictions.jsonl', report), undefined);
  const problems = [
    { line: 2, message: 'not valid JSON (Expecting value)' },
    { line: 5, message: "no 'label' field (the reference)" },
    { message: 'the held-out file has 30 examples and the predictions 32' },
    { line: 9, message: "'predict' is a number, not text" },
  ];
  const message = problemsMessage('/d/generated_predictions.jsonl', { ...report, problems })!;
  assert.equal(
    message,
    "generated_predictions.jsonl: 4 problems (line 2: not valid JSON (Expecting value); line 5: no 'label' field (the reference); the held-out file has 30 examples and the predictions 32; and 1 more (in the panel's details)). The 32 examples that could be scored are shown.",
  );
});
