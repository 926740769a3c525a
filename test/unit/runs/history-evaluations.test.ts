/**
 * The Training Runs view's evaluation children and actions, host side: a run's reports listed in
 * training order with the primary metric base → tuned, the checkpoints Evaluate Checkpoint offers,
 * and when two reports cannot be compared.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { OtherReports, ReportStore } from '../../../src/extension/evaluation/reports.ts';
import { evaluateArgs } from '../../../src/extension/runs/evaluate.ts';
import {
  completeCheckpoints,
  evaluationItem,
  heldoutMismatch,
} from '../../../src/extension/runs/history-model.ts';
import type { EvaluationReport } from '../../../src/shared/evaluation-report.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const recorded = (): EvaluationReport =>
  JSON.parse(
    readFileSync(join(ROOT, 'test/fixtures/evaluation-report.recorded.json'), 'utf8'),
  ) as EvaluationReport;

test("a run's evaluations: every report of evaluations/, by step, the final last; not-reports left out", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tunesmith-run-'));
  const folder = join(dir, 'evaluations');
  await mkdir(folder);
  const final = recorded();
  const early = { ...recorded(), id: 'checkpoint-50', run: { dir, checkpoint: 'checkpoint-50', step: 50 } };
  early.metrics = { ...early.metrics, tuned: { ...early.metrics.tuned, f1: 0.5 } };
  await writeFile(join(folder, 'final.json'), JSON.stringify(final));
  await writeFile(join(folder, 'checkpoint-50.json'), JSON.stringify(early));
  await writeFile(join(folder, 'broken.json'), '{"cut');
  await writeFile(join(folder, '.final.json.123.tmp'), '{}');
  const reports = new OtherReports(new ReportStore());
  const listed = await reports.ofRun(dir);
  assert.deepEqual(
    listed.map((entry) => [entry.id, entry.step, entry.current]),
    [
      ['checkpoint-50', 50, false],
      ['final', 150, false],
    ],
  );
  assert.deepEqual(evaluationItem(listed[1]!), {
    label: 'final',
    description: 'F1 0.036 → 1.000 (+0.964)',
    tooltip: `Evaluation final at step 150: token F1 0.036 → 1.000 (+0.964)\n${join(folder, 'final.json')}`,
  });
  assert.equal(evaluationItem(listed[0]!).description, 'F1 0.036 → 0.500 (+0.464)');
  assert.deepEqual(await reports.ofRun(join(dir, 'no-such-run')), []);
});

test('Evaluate Checkpoint offers the complete checkpoints in step order, never the one being written', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tunesmith-run-'));
  assert.deepEqual(await completeCheckpoints(dir), [], 'no checkpoints folder');
  for (const name of ['checkpoint-100', 'checkpoint-50', 'checkpoint-150', '.partial', 'checkpoint-x'])
    await mkdir(join(dir, 'checkpoints', name), { recursive: true });
  await mkdir(join(dir, 'checkpoints/.partial/checkpoint-200'), { recursive: true });
  await writeFile(join(dir, 'checkpoints/checkpoint-7'), 'a file, not a checkpoint');
  assert.deepEqual(await completeCheckpoints(dir), ['checkpoint-50', 'checkpoint-100', 'checkpoint-150']);
  assert.deepEqual(evaluateArgs('/r/config.json', 'checkpoint-50').slice(-2), [
    '--checkpoint',
    'checkpoint-50',
  ]);
  assert.equal(evaluateArgs('/r/config.json').includes('--checkpoint'), false);
});

test('Compare Evaluations: the same held-out file (or the same bytes elsewhere) compares; another file says which', () => {
  const side = (label: string, path: string, heldout?: { path: string; sha256?: string }) => {
    const report = recorded();
    if (heldout) report.source = { ...report.source, heldout };
    else delete report.source.heldout;
    return { label, path, report };
  };
  const same = '/w/tiny-task/validation.jsonl';
  assert.equal(
    heldoutMismatch(
      side('a/final', '/w/runs/a/evaluations/final.json', { path: same, sha256: '1' }),
      side('b/final', '/w/runs/b/evaluations/final.json', { path: same, sha256: '2' }),
    ),
    undefined,
    'the same file, changed between the evaluations: the trainer matches lines by their text',
  );
  assert.equal(
    heldoutMismatch(
      side('a/final', '/w/runs/a/evaluations/final.json', { path: '../../../tiny-task/validation.jsonl' }),
      side('b/final', '/w/runs/b/evaluations/final.json', { path: same }),
    ),
    undefined,
    'a relative path is the report folder’s',
  );
  assert.equal(
    heldoutMismatch(
      side('a/final', '/w/a.json', { path: '/copy/validation.jsonl', sha256: 'abc' }),
      side('b/final', '/w/b.json', { path: same, sha256: 'abc' }),
    ),
    undefined,
  );
  assert.equal(
    heldoutMismatch(
      side('a/final', '/w/a.json', { path: '/w/tiny-task/test.jsonl', sha256: 'x' }),
      side('b/final', '/w/b.json', { path: same, sha256: 'y' }),
    ),
    'a/final was evaluated on /w/tiny-task/test.jsonl and b/final on /w/tiny-task/validation.jsonl: compare needs two evaluations of the same held-out file.',
  );
  assert.match(
    heldoutMismatch(side('a/x', '/w/a.json'), side('b/final', '/w/b.json', { path: same }))!,
    /^a\/x has no held-out file/,
  );
});
