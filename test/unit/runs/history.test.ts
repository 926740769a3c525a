import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { evaluationView } from '../../../src/extension/runs/evaluate.ts';
import {
  compareRun,
  deleteRun,
  endMessage,
  mergeRuns,
  statusModel,
  summarize,
  Transitions,
  treeItem,
  withConfig,
  type RunSummary,
} from '../../../src/extension/runs/history-model.ts';
import { runState } from '../../../src/extension/runs/run.ts';
import { isEvaluationEvent, type EvaluationEvent } from '../../../src/shared/evaluation-events.ts';
import type { TrainerEvent } from '../../../src/shared/trainer-events.ts';

const recorded = async (): Promise<TrainerEvent[]> =>
  (await readFile('test/fixtures/tiny-run.events.jsonl', 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TrainerEvent);

const run = (fields: Partial<RunSummary>): RunSummary => ({
  id: '2026-01-01T00-00-00-000-abcdef',
  dir: '/w/.tunesmith/runs/x',
  state: 'running',
  model: 'tiny-llama',
  method: 'lora',
  ...fields,
});

test('a recorded run becomes a completed tree item named by model and method, with its last loss', async () => {
  const events = await recorded();
  const summary = summarize('r1', '/w/r1', events, runState(events, { alive: false }));
  const item = treeItem(summary);
  assert.equal(item.label, 'model · lora');
  assert.match(item.description, /^completed · 75\/75 · loss \d/);
  assert.equal(item.icon, 'pass');
  assert.equal(item.contextValue, 'run-completed');
  assert.match(item.tooltip, /Last eval loss \d/);
  assert.match(item.tooltip, /checkpoint-75/);
});

test('tree items: spinning while running, resumable only when cancelled or failed with a checkpoint', async () => {
  const events = await recorded();
  const midway = events.slice(
    0,
    events.findIndex((event) => event.type === 'log' && event.step >= 40),
  );
  const running = treeItem(summarize('r', '/w/r', midway, { state: 'running' }));
  assert.equal(running.icon, 'sync~spin');
  assert.equal(running.contextValue, 'run-running');
  assert.match(running.description, /^running · \d+\/75 · loss /);
  assert.match(
    treeItem(summarize('r', '/w/r', midway, { state: 'running' }), 'beta').description,
    /^beta · running · \d+\/75/,
    'in a multi-root workspace the row names its folder',
  );
  assert.equal(
    treeItem(run({ state: 'cancelled', lastCheckpoint: '/c/checkpoint-9' })).contextValue,
    'run-cancelled-resumable',
  );
  assert.equal(treeItem(run({ state: 'cancelled' })).contextValue, 'run-cancelled');
  const failed = treeItem(run({ state: 'failed', detail: 'Out of memory.', lastCheckpoint: '/c' }));
  assert.equal(failed.contextValue, 'run-failed-resumable');
  assert.equal(failed.icon, 'error');
  assert.match(failed.tooltip, /Out of memory\./);
});

test('before the trainer reports, the label comes from the config the run was created with', () => {
  const summary = withConfig(run({ model: 'model', method: 'run' }), {
    model: { path: '/models/tiny-llama' },
    method: { type: 'qlora' },
  });
  assert.equal(treeItem(summary).label, 'tiny-llama · qlora');
});

test('status bar: hidden with no active run; percent and ETA of the newest; the count when several', () => {
  assert.equal(statusModel([run({ state: 'completed' })]), undefined);
  const one = statusModel([
    run({ step: 30, totalSteps: 120, etaSeconds: 95 }),
    run({ id: 'old', state: 'failed' }),
  ]);
  assert.equal(one?.text, '$(sync~spin) Training · 25% · ETA 1 min 35 s');
  assert.equal(one?.runId, '2026-01-01T00-00-00-000-abcdef');
  const two = statusModel([
    run({ id: 'new', step: 1, totalSteps: 10 }),
    run({ id: 'older', step: 5, totalSteps: 10 }),
  ]);
  assert.equal(two?.text, '$(sync~spin) 2 runs · 10%');
  assert.equal(two?.runId, 'new');
  assert.match(two!.tooltip, /1 more run\(s\) active/);
  assert.equal(statusModel([run({})])?.text, '$(sync~spin) Training · starting');
});

test('a refresh keeps each run object and redraws only what changed; a new or gone run redraws all', () => {
  const a = run({ dir: '/w/a', id: 'b-run', step: 1, etaSeconds: 30 });
  const b = run({ dir: '/w/b', id: 'a-run', state: 'completed' });
  const first = mergeRuns([], [a, b]);
  assert.equal(first.redraw, 'all');
  const [keptA, keptB] = first.runs;

  const same = mergeRuns(first.runs, [{ ...a }, { ...b }]);
  assert.equal(same.redraw, 'none');
  assert.ok(same.runs[0] === keptA && same.runs[1] === keptB);

  const advanced = mergeRuns(same.runs, [run({ dir: '/w/a', id: 'b-run', step: 2 }), { ...b }]);
  assert.deepEqual(advanced.redraw, [keptA]);
  assert.ok(advanced.runs[0] === keptA, 'the same object, so VS Code keeps its tree item');
  assert.equal(keptA!.step, 2);
  assert.equal('etaSeconds' in keptA!, false, 'a field the new summary lacks is gone');

  assert.equal(mergeRuns(advanced.runs, [{ ...b }]).redraw, 'all');
  assert.equal(
    mergeRuns(advanced.runs, [{ ...b }, run({ dir: '/w/a', id: 'b-run', step: 2 })]).redraw,
    'all',
  );
});

test('notifications: only for runs seen running in this session that ended', () => {
  const transitions = new Transitions();
  assert.deepEqual(
    transitions.observe([run({ id: 'a', state: 'running' }), run({ id: 'b', state: 'completed' })]),
    [],
  );
  assert.deepEqual(
    transitions.observe([run({ id: 'a', state: 'running' }), run({ id: 'b', state: 'completed' })]),
    [],
  );
  const ended = transitions.observe([
    run({ id: 'a', state: 'completed', evalLoss: 0.123456 }),
    run({ id: 'b', state: 'completed' }),
    run({ id: 'c', state: 'failed' }),
  ]);
  assert.deepEqual(
    ended.map((r) => r.id),
    ['a'],
  );
  assert.deepEqual(transitions.observe([run({ id: 'a', state: 'completed' })]), [], 'reported once');
  assert.deepEqual(endMessage(ended[0]!), {
    level: 'info',
    text: 'Run tiny-llama · lora completed (eval loss 0.1235).',
    actions: ['Open', 'Evaluate'],
  });
  assert.equal(endMessage(run({ state: 'failed', detail: 'CUDA out of memory.' }))?.level, 'error');
  assert.match(
    endMessage(run({ state: 'failed', detail: 'CUDA out of memory.' }))!.text,
    /failed: CUDA out of memory\./,
  );
  assert.equal(endMessage(run({ state: 'cancelled' })), undefined);
});

test('delete refuses a running run and keeps its files; an ended run is deleted', async () => {
  const root = await mkdtemp(join(tmpdir(), 'tunesmith-history-'));
  const dir = join(root, 'run');
  await mkdir(dir);
  await writeFile(join(dir, 'config.json'), '{}');
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  try {
    await writeFile(join(dir, 'trainer.pid'), `${child.pid}\n`);
    const refused = await deleteRun(dir);
    assert.equal(refused.deleted, false);
    assert.match(refused.reason!, /running/);
    assert.ok((await stat(join(dir, 'config.json'))).isFile());
  } finally {
    child.kill();
    await new Promise((resolve) => child.once('exit', resolve));
  }
  assert.deepEqual(await deleteRun(dir), { deleted: true });
  await assert.rejects(stat(dir));
});

test('compare curves carry every train and eval point of the run', async () => {
  const events = await recorded();
  const curves = compareRun(run({ id: 'r' }), events);
  assert.equal(curves.train.steps.length, events.filter((e) => e.type === 'log').length);
  assert.equal(curves.eval.steps.length, events.filter((e) => e.type === 'eval').length);
  assert.equal(curves.label, 'tiny-llama · lora (r)');
});

const ev = (type: string, fields: object = {}, time = '2026-01-01T00:00:00Z') =>
  ({ v: 1, time, type, ...fields }) as unknown as EvaluationEvent;

test('evaluation view: progress while running, the summary when done, the error when it failed', () => {
  assert.deepEqual(evaluationView([], { alive: false }), { state: 'none' });
  assert.deepEqual(evaluationView([], { alive: true }), { state: 'running' });
  const progress = [ev('eval_started'), ev('eval_progress', { phase: 'tuned', done: 4, total: 6 })];
  assert.ok(progress.every(isEvaluationEvent));
  assert.deepEqual(evaluationView(progress, { alive: true }), {
    state: 'running',
    phase: 'tuned',
    done: 4,
    total: 6,
  });
  const summary = { output: '/r/evaluation.jsonl', examples: 6, exact_match: { base: 0, tuned: 0.5 } };
  const done = [...progress, ev('eval_finished', { status: 'completed', summary })];
  assert.ok(done.every(isEvaluationEvent));
  assert.deepEqual(evaluationView(done, { alive: false }), { state: 'completed', summary });
  // A new evaluation launched after that one, before it reports: running, without the old progress.
  const since = Date.parse('2026-01-01T00:00:05Z');
  assert.deepEqual(evaluationView(done, { alive: true, since }), { state: 'running' });
  const failed = [
    ev('eval_started'),
    ev('error', { kind: 'config', message: 'no trained result yet', hint: 'Finish a run first.' }),
    ev('eval_finished', { status: 'failed' }),
  ];
  assert.ok(failed.every(isEvaluationEvent));
  assert.deepEqual(evaluationView(failed, { alive: false }), {
    state: 'failed',
    message: 'no trained result yet',
    hint: 'Finish a run first.',
  });
  assert.equal(evaluationView([ev('eval_started')], { alive: false }).state, 'failed', 'died silently');
  assert.equal(isEvaluationEvent(ev('eval_progress', { phase: 'both', done: 1, total: 2 })), false);
});

test('evaluation view: a cancelled re-evaluation keeps the summary of the one before (its report is untouched)', () => {
  const summary = {
    output: '/r/evaluations/final.json',
    report: '/r/evaluations/final.json',
    examples: 6,
    exact_match: { base: 0, tuned: 0.5 },
  };
  const first = [ev('eval_started'), ev('eval_finished', { status: 'completed', summary })];
  const cancelled = [...first, ev('eval_started'), ev('eval_finished', { status: 'cancelled' })];
  assert.ok(cancelled.every(isEvaluationEvent));
  assert.deepEqual(evaluationView(cancelled, { alive: false }), { state: 'cancelled', summary });
  assert.deepEqual(
    evaluationView([ev('eval_started'), ev('eval_finished', { status: 'cancelled' })], { alive: false }),
    { state: 'cancelled' },
    'a first evaluation cancelled has nothing to show',
  );
});
