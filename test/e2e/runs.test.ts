/**
 * A real training run from the editor: "New Fine-Tuning Run…" opens the form, the demo's tiny model
 * and task are picked there, the trainer's estimate says it fits, Launch starts the trainer on the
 * CPU, the run panel draws loss points as they come, Cancel stops the run gracefully (checkpoint,
 * then `cancelled`), Resume runs it to completion and Evaluate shows the tuned model beat the base
 * model on held-out examples. Screenshots in test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import {
  SHOTS,
  frameWith,
  runCommand,
  runDirProgress,
  scenario,
  sigtermPending,
  until,
  type Editor,
} from './harness.ts';

let editor: Editor;
let page: Page;
/** The trainer while the test holds it stopped; a failed test must not leave it stopped forever. */
let paused: number | undefined;
/** The form, then the run panel it opens, and the run's folder: shared by the steps below. */
let form: Frame;
let frame: Frame;
let runDir: string;

/** Waits on the editor and on the trainer's short probes (environment, estimate): generous under load. */
const EDITOR_MS = 180_000;

scenario('run', {
  ready: (scene) => ({ editor, page } = scene),
  cleanup: () => {
    if (paused !== undefined) process.kill(paused, 'SIGCONT');
  },
});

/**
 * Waits on what the trainer does (start, steps, checkpoint, evaluation) as long as it keeps writing
 * under the runs folder: a loaded machine makes it many times slower, and only a stall is a failure.
 */
const whileTraining = { progress: () => runDirProgress(join(editor.workspace, '.tunesmith/runs')) };

const textOf = (frame: Frame, id: string): Promise<string> =>
  frame.evaluate((i) => document.getElementById(i)?.textContent ?? '', id);

/** Picks an option of a vscode-single-select the way a user does: open it, click the row. */
async function pick(frame: Frame, id: string, label: RegExp): Promise<void> {
  await frame.locator(`#${id}`).click();
  await frame.locator(`#${id} li`, { hasText: label }).first().click();
}

test('the form picks the tiny model and task, and the estimate says the run fits on the CPU', async () => {
  await runCommand(page, 'Tunesmith: New Fine-Tuning Run');
  form = await until('the new-run form', () => frameWith(page, 'launch'), EDITOR_MS);
  await until('the environment line', async () => /torch/.test(await textOf(form, 'env')), EDITOR_MS);
  await until('the model list', () => form.locator('#model vscode-option').count(), EDITOR_MS);
  await pick(form, 'model', /models\/tiny-llama\s*$/);
  await until(
    'the model check',
    async () => /79,296 parameters/.test(await textOf(form, 'model-info')),
    EDITOR_MS,
  );
  await pick(form, 'train', /^\s*tiny-task\/train\.jsonl\s*$/);
  await pick(form, 'validation', /^\s*tiny-task\/validation\.jsonl\s*$/);
  await until(
    'the lint summaries',
    async () =>
      /examples/.test(await textOf(form, 'train-summary')) &&
      /examples/.test(await textOf(form, 'validation-summary')),
    EDITOR_MS,
  );
  await page.screenshot({ path: join(SHOTS, 'new-run-form.png') });
  const estimate = await until(
    'the estimate',
    async () => {
      const text = await textOf(form, 'estimate');
      return /^(Fits|Does not fit|Cannot tell)/.test(text) ? text : undefined;
    },
    EDITOR_MS,
  );
  assert.match(estimate, /^Fits on the CPU/);
  const command = await textOf(form, 'command');
  assert.match(command, /-m tunesmith_trainer train --config \S+\/\.tunesmith\/runs\/[\w.-]+\/config\.json$/);
  const config = JSON.parse(await textOf(form, 'config')) as {
    data: { train: string };
    model: { path: string };
  };
  assert.equal(config.data.train, join(editor.workspace, 'tiny-task/train.jsonl'));
  assert.equal(config.model.path, join(editor.workspace, 'models/tiny-llama'));
  await form.locator('#config').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'new-run-estimate.png') });
  assert.equal(await textOf(form, 'launch-reason'), '');
});

test('Launch starts the trainer, the run panel draws loss points, and Cancel ends the run as cancelled', async () => {
  await form.locator('#launch').click();
  frame = await until('the run panel', () => frameWith(page, 'points'), EDITOR_MS);
  const points = await until(
    'loss points on the chart',
    async () => {
      const text = await frame.evaluate(() => document.getElementById('points')!.textContent ?? '');
      return /^[1-9]\d* train points/.test(text) ? text : undefined;
    },
    whileTraining,
  );
  // Paused while the test looks and clicks: on a fast machine the tiny run would otherwise end first.
  const runs = join(editor.workspace, '.tunesmith/runs');
  const [id] = readdirSync(runs);
  runDir = join(runs, id!);
  const trainer = Number.parseInt(readFileSync(join(runDir, 'trainer.pid'), 'utf8'), 10);
  process.kill(trainer, 'SIGSTOP');
  paused = trainer;
  assert.match(await frame.evaluate(() => document.getElementById('state')!.textContent!), /running/);
  await page.screenshot({ path: join(SHOTS, 'run-running.png') });
  await frame.click('#cancel');
  await until('Cancel delivered to the paused trainer', () => sigtermPending(trainer), EDITOR_MS);
  process.kill(trainer, 'SIGCONT');
  paused = undefined;
  await until(
    'the run cancelled',
    async () => (await frame.evaluate(() => document.getElementById('state')!.textContent)) === 'cancelled',
    whileTraining,
  );
  await page.screenshot({ path: join(SHOTS, 'run-cancelled.png') });
  assert.equal(
    await frame.evaluate(() => (document.getElementById('resume') as HTMLButtonElement).disabled),
    false,
  );
  const events = readFileSync(join(runDir, 'events.jsonl'), 'utf8').trim().split('\n');
  const last = JSON.parse(events.at(-1)!) as { type: string; status: string };
  assert.deepEqual([last.type, last.status], ['finished', 'cancelled'], points);
});

test('Resume continues from the checkpoint Cancel saved and runs to the end', async () => {
  await frame.click('#resume');
  await until(
    'the resumed run completed',
    async () => (await frame.evaluate(() => document.getElementById('state')!.textContent)) === 'completed',
    whileTraining,
  );
  assert.match(await textOf(frame, 'progress-text'), /^step (\d+) \/ \1 · 100%/);
  await page.screenshot({ path: join(SHOTS, 'run-completed.png') });
  const resumed = readFileSync(join(runDir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; status?: string });
  assert.deepEqual(resumed.at(-1)?.status, 'completed');
  assert.equal(resumed.filter((event) => event.type === 'started').length, 2, 'one run, started twice');
});

test('Evaluate runs the base and the tuned model on the held-out file; the tuned one does better', async () => {
  await frame.click('#evaluate');
  await until(
    'the evaluation summary',
    async () => (await textOf(frame, 'evaluation-text')) === 'evaluation completed',
    whileTraining,
  );
  const percent = async (id: string) => Number.parseFloat(await textOf(frame, id));
  const [base, tuned] = [await percent('evaluation-base'), await percent('evaluation-tuned')];
  assert.ok(tuned > base, `exact match: base ${base}%, tuned ${tuned}%`);
  await page.screenshot({ path: join(SHOTS, 'run-evaluated.png') });
});
