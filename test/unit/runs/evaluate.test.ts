/**
 * The run panel's evaluation controls on the host side: Cancel Evaluation signals the detached
 * `evaluate` (a stand-in process that behaves as the trainer does on SIGTERM), after which the view is
 * `cancelled` and still names the previous report, the one Open Evaluation opens.
 */
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cancelEvaluation, evaluationFiles, launchEvaluate } from '../../../src/extension/runs/evaluate.ts';
import { createRun, isAlive } from '../../../src/extension/runs/run.ts';
import { RunWatcher } from '../../../src/extension/runs/watcher.ts';
import type { RunHostMessage } from '../../../src/shared/webview-protocol.ts';
import { isRunHostMessage, isRunPanelMessage } from '../../../src/shared/webview-protocol.ts';

test('Cancel Evaluation stops the running evaluate; the previous report stays the one to open', async () => {
  const root = await mkdtemp(join(tmpdir(), 'tunesmith-evaluate-'));
  const { id, dir } = await createRun(root, { model: { path: 'm' } });
  const events = evaluationFiles(dir).events;
  const line = (event: object) => JSON.stringify({ v: 1, time: new Date().toISOString(), ...event }) + '\n';
  // A finished run evaluated once before, with a relative report path (the trainer's working directory).
  const summary = {
    output: 'evaluations/final.json',
    report: 'evaluations/final.json',
    examples: 2,
    exact_match: { base: 0, tuned: 1 },
  };
  await appendFile(
    join(dir, 'events.jsonl'),
    line({ type: 'finished', status: 'completed', paths: {}, metrics: {} }),
  );
  await appendFile(
    events,
    line({ type: 'eval_started' }) + line({ type: 'eval_finished', status: 'completed', summary }),
  );
  const script = join(root, 'fake-evaluate.mjs');
  await writeFile(
    script,
    `import { appendFileSync } from 'node:fs';
const emit = (e) => appendFileSync(${JSON.stringify(events)}, JSON.stringify({ v: 1, time: new Date().toISOString(), ...e }) + '\\n');
emit({ type: 'eval_started' });
let done = 0;
const timer = setInterval(() => emit({ type: 'eval_progress', phase: 'base', done: ++done, total: 1000 }), 20);
process.on('SIGTERM', () => { clearInterval(timer); emit({ type: 'eval_finished', status: 'cancelled' }); process.exit(0); });
`,
  );
  const python = join(root, 'python');
  await writeFile(python, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(script)}\n`, {
    mode: 0o755,
  });
  const messages: RunHostMessage[] = [];
  const watcher = new RunWatcher(
    id,
    dir,
    (message) => messages.push(message),
    () => undefined,
  );
  const view = () => messages.filter((message) => message.type === 'evaluation').at(-1);
  const until = async (what: string, check: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await watcher.poll();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await watcher.poll();
  assert.equal(watcher.evaluationReport(), join(dir, 'evaluations/final.json'));
  assert.equal(await cancelEvaluation(dir), false, 'nothing running yet');

  const pid = await launchEvaluate(python, dir);
  await until(
    'progress',
    () =>
      view()?.type === 'evaluation' &&
      view()!.evaluation.state === 'running' &&
      view()!.evaluation.done !== undefined,
  );
  assert.deepEqual((view() as Extract<RunHostMessage, { type: 'evaluation' }>).evaluate, {
    enabled: false,
    reason: 'The evaluation is running.',
  });
  assert.equal(await cancelEvaluation(dir), true);
  await until('cancelled', () => view()?.type === 'evaluation' && view()!.evaluation.state === 'cancelled');
  assert.equal(isAlive(pid), false);
  assert.deepEqual((view() as Extract<RunHostMessage, { type: 'evaluation' }>).evaluation, {
    state: 'cancelled',
    summary,
  });
  assert.equal(
    watcher.evaluationReport(),
    join(dir, 'evaluations/final.json'),
    'Open Evaluation still has it',
  );
  assert.ok(messages.every(isRunHostMessage));
  assert.equal(await cancelEvaluation(dir), false, 'nothing left to cancel');
  watcher.dispose();
});

test('the run panel accepts the evaluation buttons as bare messages only', () => {
  assert.ok(isRunPanelMessage({ type: 'openEvaluation' }));
  assert.ok(isRunPanelMessage({ type: 'cancelEvaluation' }));
  // The page never names the report: the host opens the one the trainer reported.
  assert.ok(!isRunPanelMessage({ type: 'openEvaluation', path: '/etc/passwd.json' }));
});
