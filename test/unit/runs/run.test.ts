import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  cancel,
  createRun,
  discoverRuns,
  isAlive,
  launch,
  readPid,
  readRunConfig,
  runFiles,
  runState,
  trainArgs,
} from '../../../src/extension/runs/run.ts';
import { RunWatcher } from '../../../src/extension/runs/watcher.ts';
import { isTrainerEvent, type TrainerEvent } from '../../../src/shared/trainer-events.ts';
import {
  isRunHostMessage,
  isRunPanelMessage,
  type RunHostMessage,
} from '../../../src/shared/webview-protocol.ts';

const recorded = async (): Promise<unknown[]> =>
  (await readFile('test/fixtures/tiny-run.events.jsonl', 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

const at = (time: string) => ({ v: 1 as const, time });

test('every event of a recorded real run passes the guard; the run reads as completed', async () => {
  const events = await recorded();
  assert.ok(events.length > 50);
  assert.deepEqual(
    events.filter((event) => !isTrainerEvent(event)),
    [],
  );
  assert.deepEqual(runState(events as TrainerEvent[], { alive: false }), { state: 'completed' });
});

test('run states: running while alive, failed with the error message, failed when it died silently', () => {
  const started: TrainerEvent = {
    ...at('2026-01-01T00:00:00Z'),
    type: 'started',
    run_dir: '/r',
    config: {},
    device: { type: 'cpu', count: 1 },
    parameters: { total: 2, trainable: 1 },
  };
  assert.deepEqual(runState([started], { alive: true }), { state: 'running' });
  assert.equal(runState([started], { alive: false }).state, 'failed');
  const error: TrainerEvent = {
    ...at('t'),
    type: 'error',
    kind: 'data',
    message: 'line 3 is not JSON',
    hint: 'fix it',
  };
  const failed: TrainerEvent = {
    ...at('2026-01-01T00:01:00Z'),
    type: 'finished',
    status: 'failed',
    paths: {},
    metrics: {},
  };
  assert.deepEqual(runState([started, error, failed], { alive: false }), {
    state: 'failed',
    detail: 'line 3 is not JSON',
  });
  const cancelled: TrainerEvent = { ...failed, status: 'cancelled' };
  assert.deepEqual(runState([started, cancelled], { alive: false }), { state: 'cancelled' });
  // Resumed: a trainer launched after the last `finished`, before its own `started`.
  const later = Date.parse('2026-01-01T00:02:00Z');
  assert.deepEqual(runState([started, cancelled], { alive: true, since: later }), { state: 'running' });
  assert.deepEqual(runState([started, cancelled, started], { alive: true }), { state: 'running' });
});

test('webview message guards accept the union and nothing else', () => {
  assert.ok(isRunPanelMessage({ type: 'cancel' }));
  assert.ok(!isRunPanelMessage({ type: 'cancel', pid: 1 }));
  assert.ok(!isRunPanelMessage({ type: 'launch' }));
  assert.ok(isRunHostMessage({ type: 'log', lines: ['a'] }));
  assert.ok(!isRunHostMessage({ type: 'log', lines: [1] }));
  assert.ok(!isRunHostMessage({ type: 'events', events: [{ v: 1, type: 'log', time: 't', step: -1 }] }));
  assert.ok(
    isRunHostMessage({
      type: 'state',
      state: 'failed',
      cancel: { enabled: false, reason: 'x' },
      resume: { enabled: true },
    }),
  );
  assert.ok(
    !isRunHostMessage({
      type: 'state',
      state: 'paused',
      cancel: { enabled: true },
      resume: { enabled: true },
    }),
  );
});

test('the trainer command line is an argument array; spaces and quotes stay inside one argument', () => {
  const config = "/runs/a b/it's; rm -rf ~/config.json";
  assert.deepEqual(trainArgs(config, false), ['-m', 'tunesmith_trainer', 'train', '--config', config]);
  assert.deepEqual(trainArgs(config, true).at(-1), '--resume');
});

/**
 * A stand-in interpreter (Node running a script) exercises the launcher itself: detached, PID file,
 * stderr to trainer.log, SIGTERM handled. The real trainer is launched and cancelled in the e2e test.
 */
test('launch writes the config, starts a detached process that logs and follows; cancel sends SIGTERM', async () => {
  const root = await mkdtemp(join(tmpdir(), 'runs-'));
  const { id, dir } = await createRun(root, { model: { path: 'm' }, data: { train: 't.jsonl' } });
  assert.deepEqual(await discoverRuns(root), [id]);
  const config = JSON.parse(await readFile(runFiles(dir).config, 'utf8'));
  assert.equal(config.output.dir, dir);
  const script = join(root, 'fake-python.mjs');
  // Stands in for `python -m tunesmith_trainer train --config X`: reports its argv, then an event per
  // tick until SIGTERM, then `finished: cancelled`, as the trainer does.
  await writeFile(
    script,
    `import { appendFileSync } from 'node:fs';
const args = process.argv.slice(2);
const events = ${JSON.stringify(runFiles(dir).events)};
const emit = (e) => appendFileSync(events, JSON.stringify({ v: 1, time: new Date().toISOString(), ...e }) + '\\n');
console.error('argv ' + JSON.stringify(args));
emit({ type: 'started', run_dir: '.', config: {}, device: { type: 'cpu', count: 1 }, parameters: { total: 2, trainable: 1 } });
let step = 0;
const timer = setInterval(() => emit({ type: 'log', step: ++step, loss: 1 / step }), 20);
process.on('SIGTERM', () => { clearInterval(timer); emit({ type: 'checkpoint', path: 'c', step }); emit({ type: 'finished', status: 'cancelled', step, paths: {}, metrics: {} }); process.exit(0); });
`,
  );
  const wrapper = join(root, 'python');
  await writeFile(
    wrapper,
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(script)} "$@"\n`,
    {
      mode: 0o755,
    },
  );
  const messages: RunHostMessage[] = [];
  const watcher = new RunWatcher(
    id,
    dir,
    (message) => messages.push(message),
    () => undefined,
  );
  const pid = await launch(wrapper, dir, false);
  assert.equal((await readPid(dir))?.pid, pid);
  const until = async (what: string, check: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await watcher.poll();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await until('log events', () => watcher.events.filter((event) => event.type === 'log').length >= 3);
  assert.equal(watcher.state?.state, 'running');
  assert.deepEqual(JSON.parse(watcher.log.find((line) => line.startsWith('argv '))!.slice(5)), [
    '-m',
    'tunesmith_trainer',
    'train',
    '--config',
    runFiles(dir).config,
  ]);
  assert.equal(await cancel(dir), true);
  await until('cancelled', () => watcher.state?.state === 'cancelled');
  assert.equal(isAlive(pid), false);
  const last = messages.filter((message) => message.type === 'state').at(-1);
  assert.deepEqual(last, {
    type: 'state',
    state: 'cancelled',
    cancel: { enabled: false, reason: 'The run was cancelled.' },
    resume: { enabled: true },
  });
  assert.ok(messages.every(isRunHostMessage));
  assert.equal(await cancel(dir), false, 'nothing left to cancel');
  await assert.rejects(launch(join(root, 'no-such-python'), dir, true));
});

test('a run whose config.json is not JSON reads as null; a good one as its object', async () => {
  const root = await mkdtemp(join(tmpdir(), 'tunesmith-config-'));
  const good = await createRun(root, { model: { path: '/m' } });
  const cut = await createRun(root, {});
  await writeFile(runFiles(cut.dir).config, '{"model": {"pa');
  assert.deepEqual(await readRunConfig(good.dir), { model: { path: '/m' }, output: { dir: good.dir } });
  assert.equal(await readRunConfig(cut.dir), null);
  assert.equal(await readRunConfig(join(root, 'missing')), null);
});
