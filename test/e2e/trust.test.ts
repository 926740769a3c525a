/**
 * Workspace trust in the real editor: the demo folder opens in Restricted Mode (the editor started
 * with workspace trust on, the folder never trusted). Linting still works there; the new-run form
 * opens but says why it cannot launch; "Check Training Environment" is refused with its reason and no
 * trainer process starts; nor does "Open Evaluation…" on a predictions file (scoring it runs the
 * trainer). Trusting the folder the way a user does (Manage Workspace Trust → Trust)
 * unblocks the open form in place, keeping what was filled in. No run is launched here.
 * Screenshots: test-results/screenshots/trust-*.png.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import {
  SHOTS,
  explorerAction,
  frameWith,
  pageText,
  problems,
  quickOpen,
  runCommand,
  scenario,
  until,
  type Editor,
} from './harness.ts';

const UNTRUSTED_LAUNCH =
  'Launching training runs needs a trusted workspace: a run executes Python with settings and paths from this workspace.';
const UNTRUSTED_SCORE =
  'Scoring a predictions file needs a trusted workspace: it runs the Python interpreter this workspace names.';
const UNTRUSTED_CHECK =
  "Checking the training environment runs this workspace's Python interpreter, so it needs a trusted workspace.";

let editor: Editor;
let page: Page;
let form: Frame;

/**
 * Every trainer command line seen in the editor's processes, sampled from the start: a doctor run
 * imports torch (about 2 s on the 2-core machine), far longer than the sampling period, so a spawn
 * cannot slip between samples.
 */
const trainerRuns: string[] = [];
let sampler: ReturnType<typeof setInterval> | undefined;

scenario('trust', {
  untrusted: true,
  prepare: (started) => {
    sampler = setInterval(() => {
      for (const args of started.processes()) {
        const line = args.join(' ');
        if (args.includes('tunesmith_trainer') && !trainerRuns.includes(line)) trainerRuns.push(line);
      }
    }, 50);
  },
  ready: (scene) => ({ editor, page } = scene),
  cleanup: () => clearInterval(sampler),
});

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `trust-${name}.png`) });

const text = (selector: string): Promise<string> => pageText(page, selector);

const textOf = (id: string): Promise<string> =>
  form.evaluate((i) => document.getElementById(i)?.textContent ?? '', id);

const launchDisabled = (): Promise<boolean> =>
  form.evaluate(() => (document.getElementById('launch') as HTMLButtonElement).disabled);

/** Picks an option of a vscode-single-select the way a user does: open it, click the row. */
async function pick(id: string, label: RegExp): Promise<void> {
  await form.locator(`#${id}`).click();
  await form.locator(`#${id} li`, { hasText: label }).first().click();
}

test('in Restricted Mode a dataset still shows its Tunesmith diagnostics', async () => {
  await until('the Restricted Mode indicator', async () =>
    (await text('.statusbar')).includes('Restricted Mode'),
  );
  await quickOpen(page, 'chat.jsonl');
  const panel = await problems(page, ['pii/credit-card', 'secrets/github']);
  assert.match(panel, /syntax\/invalid-json/);
  // The summary follows the diagnostics in a notification of its own: it may show a moment later.
  await until('the Tunesmith summary in the status bar', async () =>
    /Tunesmith: 12 examples/.test(await text('.statusbar')),
  );
  await shot('restricted-lint');
});

test('the new-run form opens with Launch disabled and the reason in words; its fields can be filled', async () => {
  await runCommand(page, 'View: Hide Panel'); // room for the form in the screenshots
  await runCommand(page, 'Tunesmith: New Fine-Tuning Run');
  form = await until('the new-run form', () => frameWith(page, 'launch'), 60_000);
  await until('the untrusted reason', async () => (await textOf('launch-reason')) === UNTRUSTED_LAUNCH);
  assert.equal(await launchDisabled(), true);
  assert.equal(await textOf('env'), 'The Python environment is checked once the workspace is trusted.');
  assert.equal(await textOf('estimate'), 'The memory estimate runs once the workspace is trusted.');
  await until('the model list', () => form.locator('#model vscode-option').count(), 30_000);
  await pick('train', /^\s*tiny-task\/train\.jsonl\s*$/);
  await pick('validation', /^\s*tiny-task\/validation\.jsonl\s*$/);
  await pick('method', /^\s*Full fine-tuning\s*$/);
  await until(
    'the lint summaries (the language server works untrusted)',
    async () =>
      /examples/.test(await textOf('train-summary')) && /examples/.test(await textOf('validation-summary')),
  );
  // Filling the form in changes nothing about trust: still blocked, for the same reason.
  assert.equal(await textOf('launch-reason'), UNTRUSTED_LAUNCH);
  assert.equal(await launchDisabled(), true);
  await form.locator('#launch').scrollIntoViewIfNeeded();
  await shot('restricted-form');
});

test('Check Training Environment is refused with its reason, and no trainer process starts', async () => {
  await runCommand(page, 'Tunesmith: Check Training Environment');
  await until('the refusal', async () => {
    const messages = await page
      .locator('.notifications-toasts .notification-list-item-message')
      .allInnerTexts();
    return messages.includes(`Tunesmith: ${UNTRUSTED_CHECK}`);
  });
  await page.waitForSelector('.notification-toast.notification-fade-in-done');
  const toasts = await page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
  assert.equal(
    toasts.some((message) => message.startsWith('Checking the training environment')),
    false,
    'a refused check shows no progress',
  );
  await shot('restricted-check');
  assert.deepEqual(trainerRuns, [], 'no trainer process while the workspace is untrusted');
});

test('Open Evaluation… on a predictions file is refused with its reason, and nothing is scored', async () => {
  const predictions = join(editor.workspace, 'generated_predictions.jsonl');
  writeFileSync(predictions, `${JSON.stringify({ prompt: 'map : a1', predict: 'b1', label: 'b1' })}\n`);
  await explorerAction(page, 'generated_predictions.jsonl', 'Open Evaluation…');
  await until('the refusal', async () =>
    (await page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts()).includes(
      UNTRUSTED_SCORE,
    ),
  );
  await shot('restricted-open-evaluation');
  assert.equal(existsSync(join(editor.workspace, 'generated_predictions.evaluation.json')), false);
  assert.equal(
    await page.locator('.tab', { hasText: 'Evaluation generated_predictions' }).count(),
    0,
    'no evaluation panel',
  );
  assert.deepEqual(trainerRuns, [], 'no trainer process while the workspace is untrusted');
});

test('Compare Dataset with Revision… (from the Explorer) is refused with its reason: git would run', async () => {
  await explorerAction(page, 'chat.jsonl', 'Compare Dataset with Revision…');
  await until('the refusal', async () =>
    (await page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts()).some(
      (message) => message.startsWith('Compare with Revision is off in Restricted Mode'),
    ),
  );
  assert.equal(await page.locator('.quick-input-widget:visible').count(), 0, 'no revision is asked for');
  await shot('restricted-compare-revision');
});

test('trusting the folder unblocks the open form in place, keeping what was filled in', async () => {
  await runCommand(page, 'Notifications: Clear All Notifications'); // the refusal above, out of the screenshot
  await runCommand(page, 'Workspaces: Manage Workspace Trust');
  const trust = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ });
  await trust.click();
  await until(
    'Restricted Mode to end',
    async () => !(await text('.statusbar')).includes('Restricted Mode'),
    30_000,
  );
  // The trust editor is a modal over the form.
  await page.locator('.monaco-modal-editor-block .action-label[aria-label^="Close Modal Editor"]').click();
  await page.waitForSelector('.workspace-trust-editor', { state: 'detached' });
  // The same frame as before trust (a reloaded or reopened form would be a new one): updated in place.
  assert.equal(form.isDetached(), false);
  await until('the environment line', async () => /torch \d/.test(await textOf('env')), 90_000);
  await until('Launch enabled', async () => !(await launchDisabled()), 30_000);
  assert.equal(await textOf('launch-reason'), '');
  const config = JSON.parse(await textOf('config')) as {
    data: { train: string; validation: string };
    method: { type: string };
  };
  assert.equal(config.method.type, 'full');
  assert.equal(config.data.train, join(editor.workspace, 'tiny-task/train.jsonl'));
  assert.equal(config.data.validation, join(editor.workspace, 'tiny-task/validation.jsonl'));
  // The estimate runs the trainer too, which only trust allows.
  const estimate = await until(
    'the estimate',
    async () => {
      const text = await textOf('estimate');
      return /^(Fits|Does not fit|Cannot tell)/.test(text) ? text : undefined;
    },
    90_000,
  );
  assert.match(estimate, /^Fits on the CPU/);
  // The sampler that saw nothing before trust sees the trainer now: it was looking.
  for (const command of ['doctor', 'estimate'])
    assert.ok(
      trainerRuns.some((line) => line.includes(` -m tunesmith_trainer ${command}`)),
      `the ${command} after trust: ${JSON.stringify(trainerRuns)}`,
    );
  await form.locator('#launch').scrollIntoViewIfNeeded();
  await shot('trusted-form');
});
