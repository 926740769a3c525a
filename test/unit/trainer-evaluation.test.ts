/**
 * What the trainer writes reads on the TypeScript side: the recorded report of a real tiny CPU run
 * (src/trainer/tests/record_evaluation.py) passes the validator generated from the schema, and the
 * evaluation events of a cancelled run and of a completed one with the new summary fields pass the guard.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { isEvaluationEvent } from '../../src/shared/evaluation-events.ts';
import { checkEvaluationReport } from '../../src/shared/evaluation-report.ts';

const ROOT = resolve(import.meta.dirname, '../..');

test('the recorded report of the demo task is a valid report whose tuned model is better', () => {
  const raw: unknown = JSON.parse(
    readFileSync(join(ROOT, 'test/fixtures/evaluation-report.recorded.json'), 'utf8'),
  );
  const checked = checkEvaluationReport(raw);
  assert.ok(checked.ok, checked.ok ? '' : checked.problem);
  const report = checked.report;
  assert.equal(report.source.kind, 'evaluate');
  assert.ok(report.metrics.delta!.f1 > 0.5);
  assert.ok(report.examples.every((example) => example.tokens?.text.join('') === example.reference));
});

test('a cancelled evaluation and the richer summary pass the event guard', () => {
  const time = '2026-12-03T12:00:00Z';
  assert.ok(isEvaluationEvent({ v: 1, time, type: 'eval_started', checkpoint: 'checkpoint-150' }));
  assert.ok(isEvaluationEvent({ v: 1, time, type: 'eval_finished', status: 'cancelled' }));
  const headline = { exact_normalized: 1, f1: 1, rougeL: 1, bleu: 0, chrf: 100 };
  const summary = {
    output: '/r/evaluations/final.json',
    report: '/r/evaluations/final.json',
    id: 'final',
    examples: 32,
    exact_match: { base: 0, tuned: 1 },
    primary: 'f1',
    metrics: { base: { ...headline, f1: 0.04 }, tuned: headline },
    outcomes: { improved: 32, regressed: 0, unchanged: 0, error: 0 },
    verdict: 'n = 32. Tuned is better than base on token F1.',
    problems: 0,
  };
  assert.ok(isEvaluationEvent({ v: 1, time, type: 'eval_finished', status: 'completed', summary }));
  assert.equal(isEvaluationEvent({ v: 1, time, type: 'eval_finished', status: 'stopped' }), false);
});
