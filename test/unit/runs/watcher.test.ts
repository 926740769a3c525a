/**
 * The run panel's Resume button as the watcher reports it: a run that failed before its first
 * checkpoint (the Tiny demo preset saves every 1000 steps) says why Resume is off.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runFiles } from '../../../src/extension/runs/run.ts';
import { RunWatcher } from '../../../src/extension/runs/watcher.ts';
import type { TrainerEvent } from '../../../src/shared/trainer-events.ts';
import type { RunHostMessage } from '../../../src/shared/webview-protocol.ts';
import { until } from '../../e2e/harness.ts';

const base = await mkdtemp(join(tmpdir(), 'tunesmith-watcher-'));
after(() => rm(base, { recursive: true, force: true }));

const time = '2026-01-01T00:00:00Z';
const started: TrainerEvent = {
  v: 1,
  time,
  type: 'started',
  run_dir: '.',
  config: {},
  device: { type: 'cpu', count: 1 },
  parameters: { total: 2, trainable: 1 },
};
const error: TrainerEvent = {
  v: 1,
  time,
  type: 'error',
  kind: 'oom',
  message: 'The CPU ran out of memory at step 12.',
  hint: 'Lower training.batch_size.',
};
const failed: TrainerEvent = {
  v: 1,
  time,
  type: 'finished',
  status: 'failed',
  step: 12,
  paths: {},
  metrics: {},
};
const checkpoint: TrainerEvent = { v: 1, time, type: 'checkpoint', path: 'checkpoint-10', step: 10 };

/** The state message a panel gets for a run whose trainer wrote these events and has exited. */
async function stateOf(events: TrainerEvent[], blocked?: string): Promise<RunHostMessage | undefined> {
  const dir = join(base, `run-${Math.random().toString(36).slice(2)}`);
  await mkdir(dir);
  await writeFile(runFiles(dir).events, events.map((event) => JSON.stringify(event) + '\n').join(''));
  const messages: RunHostMessage[] = [];
  const watcher = new RunWatcher(
    'r',
    dir,
    (message) => messages.push(message),
    () => blocked,
  );
  await watcher.poll();
  return messages.find((message) => message.type === 'state');
}

test('a run that failed before any checkpoint: Resume is off, and says why', async () => {
  assert.deepEqual(await stateOf([started, error, failed]), {
    type: 'state',
    state: 'failed',
    detail: 'The CPU ran out of memory at step 12.',
    cancel: { enabled: false, reason: 'The run failed.' },
    resume: { enabled: false, reason: 'The run saved no checkpoint to resume from.' },
  });
});

test('a run that failed after a checkpoint can be resumed, unless the workspace is untrusted', async () => {
  const message = await stateOf([started, checkpoint, error, failed]);
  assert.deepEqual(message?.type === 'state' && message.resume, { enabled: true });
  const untrusted = await stateOf([started, checkpoint, error, failed], 'needs a trusted workspace');
  assert.deepEqual(untrusted?.type === 'state' && untrusted.resume, {
    enabled: false,
    reason: 'needs a trusted workspace',
  });
});

test('a run folder that cannot be read is said once in the panel, never an unhandled rejection', async () => {
  const dir = join(base, 'unreadable');
  // A folder where events.jsonl should be: opening it works, reading it fails (EISDIR).
  await mkdir(join(runFiles(dir).events, 'x'), { recursive: true });
  const notices: string[] = [];
  const watcher = new RunWatcher(
    'r',
    dir,
    (message) => void (message.type === 'notice' && notices.push(message.message)),
    () => undefined,
  );
  let polls = 0;
  const poll = watcher.poll.bind(watcher);
  watcher.poll = () => ((polls += 1), poll());
  watcher.start(5);
  try {
    await until('several failed polls', () => polls >= 6 && notices.length > 0);
  } finally {
    watcher.dispose();
  }
  assert.equal(notices.length, 1);
  assert.match(notices[0]!, /^The run's files could not be read: .*EISDIR/);
});
