/**
 * A multi-root workspace in the real editor: folder `alpha` holds the tiny model and the tiny task,
 * folder `beta` a training file with no validation file. The new-run form lists the datasets of both
 * folders by folder name; its one-click split writes beta's training and validation files next to
 * the original (every line on exactly one side) and selects them; the run it launches is created in
 * beta's `.tunesmith/runs/`, not alpha's, is listed in the Training Runs view and completes.
 * Screenshots: test-results/screenshots/workspace-*.png.
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { RUNS_DIR } from '../../src/extension/runs/run.ts';
import { ROOT, SHOTS, frameWith, runCommand, scenario, until } from './harness.ts';

const home = mkdtempSync(join(tmpdir(), 'tunesmith-multiroot-'));
const alpha = join(home, 'alpha');
const beta = join(home, 'beta');
/** beta's only dataset: the tiny task's training file, with no validation file beside it. */
const tasks = join(beta, 'tasks.jsonl');
/** The multi-root workspace of the two folders. */
const file = join(home, 'tuning.code-workspace');
/** Where `tunesmith split tasks.jsonl` writes its two sides. */
const split = { train: join(beta, 'tasks.train.jsonl'), validation: join(beta, 'tasks.val.jsonl') };

let page: Page;
let form: Frame;

// Registered before the scenario's hooks: the workspace exists before the editor opens it, and is
// removed after the editor stops.
before(() => {
  cpSync(join(ROOT, 'demo/models/tiny-llama'), join(alpha, 'models/tiny-llama'), { recursive: true });
  cpSync(join(ROOT, 'demo/tiny-task'), join(alpha, 'tiny-task'), { recursive: true });
  mkdirSync(beta);
  cpSync(join(ROOT, 'demo/tiny-task/train.jsonl'), tasks);
  writeFileSync(file, JSON.stringify({ folders: [{ path: 'alpha' }, { path: 'beta' }] }));
});

scenario('workspace', { workspace: file, ready: (scene) => ({ page } = scene) });

after(() => rmSync(home, { recursive: true, force: true }));

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `workspace-${name}.png`) });

const textOf = (id: string): Promise<string> =>
  form.evaluate((i) => document.getElementById(i)?.textContent ?? '', id);

/** The labels a vscode-single-select offers. */
const labels = (id: string): Promise<string[]> =>
  form.evaluate(
    (i) => [...document.querySelectorAll(`#${i} vscode-option`)].map((option) => option.textContent ?? ''),
    id,
  );

/** The label of the option a vscode-single-select has selected. */
const selected = (id: string): Promise<string | undefined> =>
  form.evaluate((i) => {
    const select = document.getElementById(i) as HTMLElement & { value: string };
    const options = [...select.querySelectorAll('vscode-option')];
    return options.find((option) => option.getAttribute('value') === select.value)?.textContent ?? undefined;
  }, id);

/** Picks an option of a vscode-single-select the way a user does: open it, click the row. */
async function pick(id: string, label: RegExp): Promise<void> {
  await form.locator(`#${id}`).click();
  await form.locator(`#${id} li`, { hasText: label }).first().click();
}

const config = async () =>
  JSON.parse(await textOf('config')) as {
    data: { train: string; validation?: string };
    output: { dir: string };
  };

const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter(Boolean);

test('the form lists the datasets of both folders by folder name, and the model of alpha', async () => {
  await runCommand(page, 'Tunesmith: New Fine-Tuning Run');
  form = await until('the new-run form', () => frameWith(page, 'launch'), 60_000);
  await until('the model list', () => form.locator('#model vscode-option').count(), 30_000);
  assert.ok(
    (await labels('model')).includes(join(alpha, 'models/tiny-llama')),
    String(await labels('model')),
  );
  const datasets = ['alpha/tiny-task/train.jsonl', 'alpha/tiny-task/validation.jsonl', 'beta/tasks.jsonl'];
  for (const role of ['train', 'validation']) {
    await until(`both folders' datasets in the ${role} list`, async () => {
      const offered = await labels(role);
      return datasets.every((label) => offered.includes(label));
    });
  }
});

test("Split off a validation set writes beta's split next to its training file and selects it", async () => {
  await pick('train', /^\s*beta\/tasks\.jsonl\s*$/);
  await pick('validation', /^\s*None\s*$/);
  const splitRow = form.locator('#split-row');
  await until('the split row', () => splitRow.isVisible());
  await form.locator('#split').click();
  await until(
    'the split files selected',
    async () =>
      (await selected('train')) === 'beta/tasks.train.jsonl' &&
      (await selected('validation')) === 'beta/tasks.val.jsonl',
    60_000,
  );
  const [train, validation] = [lines(split.train), lines(split.validation)];
  assert.ok(train.length > 0 && validation.length > 0, `${train.length} + ${validation.length}`);
  assert.deepEqual([...train, ...validation].sort(), lines(tasks).sort(), 'every line on exactly one side');
  const { data } = await config();
  assert.deepEqual([data.train, data.validation], [split.train, split.validation]);
  await until(
    'the lint summaries of the split',
    async () =>
      (await textOf('train-summary')).startsWith(`${train.length} examples`) &&
      (await textOf('validation-summary')).startsWith(`${validation.length} examples`),
    60_000,
  );
  assert.equal(await splitRow.isVisible(), false, 'no split offered once a validation file is chosen');
  await form.locator('#train').scrollIntoViewIfNeeded();
  await shot('split');
});

test("the run goes to beta's .tunesmith/runs/, is listed in Training Runs and completes", async () => {
  await pick('preset', /^\s*Tiny demo\s*$/);
  const runs = join(beta, RUNS_DIR);
  const { output } = await config();
  assert.equal(join(output.dir, '..'), runs);
  assert.equal(await textOf('target-note'), '');
  assert.ok((await textOf('command')).endsWith(` --config ${join(output.dir, 'config.json')}`));
  await until('Launch enabled', async () => (await textOf('launch-reason')) === '', 90_000);
  await form.locator('#launch').click();
  const panel = await until('the run panel', () => frameWith(page, 'points'), 60_000);
  const id = output.dir.slice(runs.length + 1);
  assert.deepEqual(readdirSync(runs), [id]);
  assert.equal(existsSync(join(alpha, RUNS_DIR)), false, 'nothing in alpha');
  const written = JSON.parse(readFileSync(join(output.dir, 'config.json'), 'utf8')) as {
    data: { train: string; validation: string };
  };
  assert.deepEqual([written.data.train, written.data.validation], [split.train, split.validation]);

  await runCommand(page, 'Tunesmith: Focus on Training Runs View');
  // In the side bar: the completion notification is a list row too.
  const row = page.locator('[id="workbench.parts.sidebar"] .monaco-list-row', {
    hasText: 'tiny-llama · lora',
  });
  await until('the run in Training Runs', () => row.first().isVisible(), 60_000);
  const state = () => panel.evaluate(() => document.getElementById('state')?.textContent ?? '');
  await until('the run completed', async () => (await state()) === 'completed', 180_000);
  await until(
    'completed in Training Runs',
    async () => /beta · completed/.test((await row.first().textContent()) ?? ''),
    30_000,
  );
  assert.equal(await row.count(), 1);
  await shot('completed');
});
