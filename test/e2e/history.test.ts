/**
 * The run history in a real editor: a run started the way a terminal user starts one shows up in the
 * "Training Runs" tree and the status bar, survives a window reload (tree, status item and run panel
 * come back and points keep arriving), is cancelled and resumed from the tree's context menu, ends
 * with a notification, is evaluated, compared with another run (the comparison survives a reload),
 * and a run is deleted after a modal confirmation. Screenshots in test-results/screenshots/history-*.png.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Frame, Locator, Page } from 'playwright-core';
import { RUNS_DIR, cancel, createRun, launch } from '../../src/extension/runs/run.ts';
import {
  ROOT,
  SHOTS,
  contextMenuAction,
  frameWith,
  runCommand,
  scenario,
  sigtermPending,
  until,
  type Editor,
} from './harness.ts';
import { PROJECT_VENV_PYTHON } from '../../src/extension/python/choose.ts';

let editor: Editor;
let page: Page;
let live: { id: string; dir: string } | undefined;
/** The first trainer's PID, paused across the reload. */
let trainer: number | undefined;

scenario('history', {
  ready: (scene) => ({ editor, page } = scene),
  cleanup: async () => {
    // A test that failed while the trainer was paused must not leave it stopped forever.
    try {
      if (trainer !== undefined) process.kill(trainer, 'SIGCONT');
    } catch {
      // Already gone.
    }
    if (live) await cancel(live.dir);
  },
});

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `history-${name}.png`) });

const palette = (command: string): Promise<void> => runCommand(page, command);

const row = (label: string): Locator => page.locator('.monaco-list-row', { hasText: label }).first();

async function rowText(label: string): Promise<string> {
  return (await row(label).textContent({ timeout: 1000 })) ?? '';
}

const contextAction = (label: string, action: string): Promise<void> =>
  contextMenuAction(page, row(label), action);

const trainPoints = async (frame: Frame): Promise<number> =>
  Number.parseInt(
    (await frame.evaluate(() => document.getElementById('points')!.textContent ?? '')).replace(/,/g, ''),
    10,
  ) || 0;

const status = () => page.locator('.statusbar-item', { hasText: /Training · (\d+%|starting)/ }).first();

test('the run history follows a terminal-started run through reload, cancel, resume, evaluate, compare, delete', async () => {
  const runs = join(editor.workspace, RUNS_DIR);
  // A run finished on another machine (a recorded real run): listed, never notified.
  const old = join(runs, '2020-01-01T00-00-00-000-recorded');
  mkdirSync(old, { recursive: true });
  writeFileSync(join(old, 'config.json'), '{}\n');
  copyFileSync(join(ROOT, 'test/fixtures/tiny-run.events.jsonl'), join(old, 'events.jsonl'));

  // Started as a terminal user would: a config in .tunesmith/runs/<id>/ and the trainer, detached.
  live = await createRun(editor.workspace, {
    model: { path: join(editor.workspace, 'models/tiny-llama') },
    data: {
      train: join(editor.workspace, 'tiny-task/train.jsonl'),
      validation: join(editor.workspace, 'tiny-task/validation.jsonl'),
      max_length: 32,
    },
    method: { type: 'lora', lora: { r: 16, alpha: 32 } },
    // Twelve epochs (300 steps, a minute or two) leave time for a reload and a cancel.
    training: {
      epochs: 12,
      batch_size: 16,
      learning_rate: 5e-3,
      logging_steps: 2,
      eval_steps: 10,
      save_steps: 10,
    },
    evaluation: { max_new_tokens: 8 },
  });
  trainer = await launch(PROJECT_VENV_PYTHON, live.dir, false);

  await palette('Tunesmith: Focus on Training Runs View');
  await until(
    'the run listed as running',
    async () => /running · \d+\/300/.test(await rowText('tiny-llama · lora')),
    120_000,
  );
  assert.match(await rowText('model · lora'), /completed · 75\/75/);
  await until('the status bar item', () => status().isVisible(), 30_000);
  assert.match((await status().textContent())!, /Training · \d+% · ETA/);
  await shot('running');

  // The row is re-rendered on every poll while the run starts; a click that lands on the old row is
  // lost (CI saw it once), so click again until the panel opens.
  let panel = await until(
    'the run panel',
    async () => {
      const frame = await frameWith(page, 'progress-text');
      if (!frame) await row('tiny-llama · lora').click();
      return frame;
    },
    60_000,
  );
  const beforeReload = await until(
    'points on the chart',
    async () => (await trainPoints(panel)) || undefined,
    60_000,
  );

  // Paused across the reload, so the run is still running whatever the machine's speed: the tiny run
  // can otherwise finish before the reloaded window is back. The process stays alive, as a slow step.
  process.kill(trainer!, 'SIGSTOP');
  // "Developer: Reload Window" rather than page.reload(): a bare browser reload gives the workbench no
  // time to save its editors (IndexedDB writes are asynchronous), so no webview would be restored.
  await palette('Developer: Reload Window');
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await until(
    'the Training Runs view back',
    async () =>
      (await row('tiny-llama · lora').isVisible()) ||
      void (await palette('Tunesmith: Focus on Training Runs View')),
    60_000,
  );
  await until(
    'the run still listed as running',
    async () => /running/.test(await rowText('tiny-llama · lora')),
    60_000,
  );
  await until('the status bar item back', () => status().isVisible(), 30_000);
  await shot('reloaded');
  panel = await until('the run panel revived', () => frameWith(page, 'progress-text'), 60_000);
  process.kill(trainer!, 'SIGCONT');
  await until(
    'points arriving after the reload',
    async () => (await trainPoints(panel)) > beforeReload,
    120_000,
  );
  await shot('reattached');

  // Paused again while Cancel is chosen from the menu, so the run cannot complete first.
  process.kill(trainer!, 'SIGSTOP');
  await contextAction('tiny-llama · lora', 'Cancel Run');
  await until('Cancel delivered to the paused trainer', () => sigtermPending(trainer!), 30_000);
  process.kill(trainer!, 'SIGCONT');
  await until('the run cancelled', async () => /cancelled/.test(await rowText('tiny-llama · lora')), 90_000);
  await until('no status bar item', async () => !(await status().isVisible()), 10_000);
  await shot('cancelled');

  await contextAction('tiny-llama · lora', 'Resume Run');
  await until(
    'the run running again',
    async () => /running/.test(await rowText('tiny-llama · lora')),
    60_000,
  );
  await until(
    'the run completed',
    async () => /completed · 300\/300/.test(await rowText('tiny-llama · lora')),
    300_000,
  );
  const toast = page.locator('.notification-list-item', {
    hasText: 'Run tiny-llama · lora completed (eval loss',
  });
  await until('the completion notification', () => toast.first().isVisible(), 30_000);
  assert.equal(
    await page.locator('.notification-list-item', { hasText: 'model · lora' }).count(),
    0,
    'no notification for a run that ended before the window opened',
  );
  await shot('completed');

  await contextAction('tiny-llama · lora', 'Evaluate Run');
  panel = await until('the run panel', () => frameWith(page, 'evaluation-text'), 60_000);
  const evaluation = (): Promise<string> =>
    panel.evaluate(() => document.getElementById('evaluation-text')!.textContent ?? '');
  await until('the evaluation progress', async () => /evaluating/.test(await evaluation()), 60_000);
  await until('the evaluation summary', async () => (await evaluation()) === 'evaluation completed', 180_000);
  assert.equal(await panel.evaluate(() => document.getElementById('evaluation-examples')!.textContent), '32');
  assert.match(
    (await panel.evaluate(() => document.getElementById('evaluation-output')!.textContent))!,
    /evaluations\/final\.json$/,
    'the run panel names the evaluation report written next to the run',
  );
  await shot('evaluated');

  await row('tiny-llama · lora').click();
  await row('model · lora').click({ modifiers: ['Control'] });
  await contextAction('model · lora', 'Compare Run Curves');
  const compare = await until('the compare panel', () => frameWith(page, 'legend'), 60_000);
  const legend = await until('both runs in the legend', async () => {
    const items = await compare.evaluate(() =>
      [...document.querySelectorAll('#legend li')].map((item) => item.textContent ?? ''),
    );
    return items.length === 2 ? items : undefined;
  });
  assert.match(legend.join('\n'), /tiny-llama · lora/);
  assert.match(legend.join('\n'), /model · lora \(2020-01-01T00-00-00-000-recorded\)/);
  await shot('compare');
  await palette('Developer: Reload Window');
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  const revived = await until('the compare panel revived', () => frameWith(page, 'legend'), 60_000);
  await until(
    'both runs in the revived legend',
    async () => (await revived.evaluate(() => document.querySelectorAll('#legend li').length)) === 2,
    60_000,
  );
  await shot('compare-reloaded');
  await until(
    'the Training Runs view back',
    async () =>
      (await row('model · lora').isVisible()) ||
      void (await palette('Tunesmith: Focus on Training Runs View')),
    60_000,
  );

  await contextAction('model · lora', 'Delete Run…');
  const dialog = page.locator('.monaco-dialog-box');
  await until('the confirmation naming the run', async () =>
    /model · lora/.test((await dialog.textContent()) ?? ''),
  );
  await shot('delete-confirm');
  await dialog.locator('.monaco-button', { hasText: 'Delete' }).first().click();
  await until('the run gone from the tree', async () => (await row('model · lora').count()) === 0);
  assert.equal(existsSync(old), false);
  assert.ok(existsSync(live.dir), 'only that run was deleted');
  const last = readFileSync(join(live.dir, 'evaluation.events.jsonl'), 'utf8').trim().split('\n').at(-1)!;
  assert.equal((JSON.parse(last) as { status: string }).status, 'completed');
  await shot('deleted');
});
