/**
 * The evaluation as a user reaches it, in a real editor, from a finished tiny CPU run: the run's row in
 * Training Runs opens its panel, Evaluate runs base and tuned on the held-out file, the run panel's
 * headline shows the primary metric base → tuned with the verdict and the counts, Open Evaluation
 * opens the evaluation panel (metrics, diffs), the improved filter, Compare in the diff editor, and
 * "Open Evaluation…" from the Explorer's menu scores a LLaMA-Factory predictions file with a bad line
 * (named in a warning, the rest shown). It ends with the held-out file open at an example's line, where
 * its CodeLens and its hover show the same result. Screenshots: test-results/screenshots/flow-*.png.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Frame, Locator, Page } from 'playwright-core';
import { PROJECT_VENV_PYTHON } from '../../src/extension/python/choose.ts';
import { RUNS_DIR, cancel, createRun, launch, runFiles } from '../../src/extension/runs/run.ts';
import { ReportLines } from '../../src/extension/evaluation/inline-model.ts';
import { lensTitle } from '../../src/extension/evaluation/inline-text.ts';
import type { EvaluationReport } from '../../src/shared/evaluation-report.ts';
import {
  ROOT,
  SHOTS,
  codeLenses,
  contextMenuAction,
  evaluationHover,
  evaluationPanel,
  explorerAction,
  frameWith,
  runCommand,
  scenario,
  until,
  type Editor,
} from './harness.ts';

let editor: Editor;
let page: Page;
let run: { id: string; dir: string } | undefined;

/** The tiny task of the demo workspace, trained long enough to learn it (the recorded report's 150 steps). */
async function finishedRun(workspace: string): Promise<{ id: string; dir: string }> {
  const created = await createRun(workspace, {
    model: { path: join(workspace, 'models/tiny-llama') },
    data: {
      train: join(workspace, 'tiny-task/train.jsonl'),
      validation: join(workspace, 'tiny-task/validation.jsonl'),
      max_length: 32,
    },
    method: { type: 'lora', lora: { r: 16, alpha: 32 } },
    training: {
      epochs: 6,
      batch_size: 16,
      learning_rate: 5e-3,
      logging_steps: 5,
      eval_steps: 50,
      save_steps: 50,
    },
    evaluation: { max_new_tokens: 8 },
  });
  await launch(PROJECT_VENV_PYTHON, created.dir, false);
  const finished = () =>
    readFileSync(runFiles(created.dir).events, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; status?: string })
      .find((event) => event.type === 'finished');
  const end = await until(
    'the tiny run finished',
    () => existsSync(runFiles(created.dir).events) && finished(),
    600_000,
  );
  assert.equal(end.status, 'completed', readFileSync(runFiles(created.dir).log, 'utf8').slice(-2000));
  return created;
}

scenario('flow', {
  prepare: async (started) => {
    run = await finishedRun(started.workspace);
  },
  ready: (scene) => ({ editor, page } = scene),
  cleanup: async () => {
    if (run) await cancel(run.dir);
  },
});

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `flow-${name}.png`) });
const textOf = (frame: Frame, id: string): Promise<string> =>
  frame.evaluate((i) => document.getElementById(i)?.textContent ?? '', id);
const tab = (label: string | RegExp): Locator => page.locator('.tab', { hasText: label }).first();

const rowIndexes = (frame: Frame) =>
  frame.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('#rows .row')].map((row) => Number(row.dataset['index'])),
  );

const treeRow = (label: string): Locator => page.locator('.monaco-list-row', { hasText: label }).first();

test('from a finished run: Evaluate, the headline, Open Evaluation, filter, diff editor, a predictions file, the held-out line', async () => {
  const { id, dir } = run!;
  await runCommand(page, 'Tunesmith: Focus on Training Runs View');
  const runRow = page.locator('.monaco-list-row', { hasText: 'tiny-llama · lora' }).first();
  await until(
    'the run listed as completed',
    async () => /completed/.test((await runRow.textContent()) ?? ''),
    60_000,
  );
  await runRow.click();
  const panel = await until('the run panel', () => frameWith(page, 'evaluation-text'), 60_000);
  await until('Evaluate enabled', () => panel.locator('#evaluate').isEnabled(), 30_000);
  await panel.locator('#evaluate').click();
  await until(
    'the evaluation progress',
    async () => /evaluating/.test(await textOf(panel, 'evaluation-text')),
    60_000,
  );
  await until(
    'the evaluation completed',
    async () => (await textOf(panel, 'evaluation-text')) === 'evaluation completed',
    300_000,
  );

  // The headline: what the report found, in the run panel.
  const reportPath = join(dir, 'evaluations/final.json');
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as EvaluationReport;
  assert.equal(report.primary, 'f1', 'references of a few tokens: token F1 decides');
  const { base, tuned } = { base: report.metrics.base!.f1, tuned: report.metrics.tuned.f1 };
  assert.ok(tuned - base > 0.3, `token F1 ${base} → ${tuned}: the tuned model learned the task`);
  const metric = await textOf(panel, 'evaluation-metric');
  assert.equal(metric, `token F1 ${base.toFixed(3)} → ${tuned.toFixed(3)}`);
  assert.match(await textOf(panel, 'evaluation-change'), /^\(\+0\.\d{3}\)$/);
  assert.equal(await textOf(panel, 'evaluation-verdict'), report.comparison!.verdict);
  assert.match(await textOf(panel, 'evaluation-verdict'), /Tuned is better than base on .*token F1/);
  const outcomes = report.comparison!.outcomes;
  assert.ok(outcomes.improved > 0, JSON.stringify(outcomes));
  assert.match(await textOf(panel, 'evaluation-outcomes'), new RegExp(`^${outcomes.improved} improved`));
  await panel.locator('#evaluation').scrollIntoViewIfNeeded();
  await shot('headline');

  // Open Evaluation: the panel on the report, base and tuned side by side with their difference.
  await panel.locator('#open-evaluation').click();
  await tab(`Evaluation ${id} · final`).waitFor({ timeout: 60_000 });
  let evaluation = await evaluationPanel(page, 'final');
  const f1 = (await evaluation.locator('#metrics tr[data-metric="f1"]').textContent())!;
  assert.ok(
    f1.includes(base.toFixed(3)) &&
      f1.includes(tuned.toFixed(3)) &&
      f1.includes(`+${(tuned - base).toFixed(3)}`),
    f1,
  );
  assert.equal((await rowIndexes(evaluation)).length > 0, true);
  // Diffs against the reference: the base output's words that the reference lacks are marked.
  await until('word diffs in the rows', async () => (await evaluation.locator('#rows .row ins').count()) > 0);
  await shot('panel');

  await evaluation.locator('#outcomes button', { hasText: 'improved' }).click();
  const improved = report.examples.filter((example) => example.outcome === 'improved');
  await until('the improved rows only', async () => {
    const shown = await rowIndexes(evaluation);
    return shown.length > 0 && shown.every((index) => improved.some((example) => example.index === index));
  });
  const example = improved[0]!;
  const row = evaluation.locator(`.row[data-index="${example.index}"]`);
  await row.locator('.expand').click();
  await shot('improved');

  await row.locator('[data-action="compareInDiff"][data-left="base"][data-right="tuned"]').click();
  await tab(`#${example.index} base ↔ tuned`).waitFor({ timeout: 30_000 });
  await until('both outputs in the diff editor', async () => {
    // Monaco draws spaces as no-break spaces, and only the start of a long line may be drawn.
    const text = ((await page.locator('.monaco-diff-editor').first().textContent()) ?? '').replace(
      /\u00a0/g,
      ' ',
    );
    return (
      text.includes(example.outputs.tuned.trim()) && text.includes(example.outputs.base!.trim().slice(0, 12))
    );
  });
  await shot('diff');

  // "Open Evaluation…" on predictions made elsewhere (LLaMA-Factory's layout), one line broken.
  const predictions = join(editor.workspace, 'generated_predictions.jsonl');
  writeFileSync(
    predictions,
    [
      JSON.stringify({ prompt: 'map : a9 a10 a4', predict: 'b0 b11 b10', label: 'b0 b11 b10' }),
      '{"prompt": "cut short',
      JSON.stringify({ prompt: 'map : a1', predict: 'b3', label: 'b1' }),
    ].join('\n') + '\n',
  );
  await explorerAction(page, 'generated_predictions.jsonl', 'Open Evaluation…');
  await page
    .locator('.notifications-toasts', {
      hasText: 'generated_predictions.jsonl: 1 problem (line 2: not valid JSON',
    })
    .waitFor({ timeout: 90_000 });
  await tab('Evaluation generated_predictions.evaluation').waitFor({ timeout: 60_000 });
  const scored = await evaluationPanel(page, 'generated_predictions.evaluation');
  assert.deepEqual(await rowIndexes(scored), [0, 1], 'the two good lines are shown');
  await shot('predictions');

  // Fields the trainer cannot place: it says so, and the user maps them in quick picks.
  writeFileSync(
    join(editor.workspace, 'custom.jsonl'),
    [
      { question: 'map : a9 a10 a4', answer: 'b0 b11 b10', model_out: 'b0 b11 b10', base_out: 'b7 b7' },
      { question: 'map : a1', answer: 'b1', model_out: 'b1', base_out: 'b1' },
    ]
      .map((row) => JSON.stringify(row))
      .join('\n') + '\n',
  );
  await explorerAction(page, 'custom.jsonl', 'Open Evaluation…');
  const layout = page.locator('.notification-list-item', { hasText: 'cannot tell the layout' }).first();
  await layout.waitFor({ timeout: 90_000 });
  await shot('columns-asked');
  await layout.locator('.monaco-button', { hasText: 'Choose Columns…' }).click();
  for (const field of ['answer', 'model_out', 'base_out', 'question']) {
    const option = page.locator('.quick-input-widget .monaco-list-row', {
      hasText: new RegExp(`^\\s*${field}`),
    });
    await option.first().waitFor({ timeout: 30_000 });
    await option.first().click();
  }
  await tab('Evaluation custom.evaluation').waitFor({ timeout: 90_000 });
  const mapped = await evaluationPanel(page, 'custom.evaluation');
  assert.match(
    (await mapped.locator('#outcomes').textContent())!,
    /1 improved.*1 unchanged/,
    'base_out as base, model_out as tuned',
  );
  await shot('columns-mapped');

  // The Training Runs view: the run's evaluation is its child, with the primary metric.
  await runCommand(page, 'Tunesmith: Focus on Training Runs View');
  const child = treeRow(`F1 ${base.toFixed(3)} → ${tuned.toFixed(3)}`);
  await until(
    "the evaluation under the run's row",
    async () => {
      if (await child.isVisible()) return true;
      // Collapsed until the user opens it: the twistie appears once the report is listed.
      if ((await runRow.getAttribute('aria-expanded')) === 'false')
        await runRow.locator('.monaco-tl-twistie').click();
      return false;
    },
    60_000,
  );
  assert.match((await child.textContent())!, /^final/);

  // Evaluate Checkpoint…: an earlier checkpoint of the same run, then both in the panel's chart.
  await contextMenuAction(page, runRow, 'Evaluate Checkpoint…');
  const quickPick = page
    .locator('.quick-input-widget .monaco-list-row', { hasText: 'checkpoint-50' })
    .first();
  await quickPick.waitFor({ timeout: 30_000 });
  await shot('checkpoint-pick');
  await quickPick.click();
  const checkpointReport = join(dir, 'evaluations/checkpoint-50.json');
  await until('the checkpoint evaluated', () => existsSync(checkpointReport), 300_000);
  await until('its row in the tree', () => treeRow('checkpoint-50').isVisible(), 60_000);
  await tab(`Evaluation ${id} · final`).click();
  evaluation = await evaluationPanel(page, 'final');
  await until(
    'both evaluations in the checkpoint chart',
    async () =>
      (await evaluation.locator('#others-list li').count()) === 2 &&
      (await evaluation.locator('#others-chart canvas').count()) > 0,
  );
  assert.match((await evaluation.locator('#others-list').textContent())!, /checkpoint-50 · step 50/);
  await evaluation.locator('#others').scrollIntoViewIfNeeded();
  await shot('checkpoints');

  // Compare Evaluations: another run evaluated on the same held-out file (here: the checkpoint's
  // report as that run's), A vs B in the panel instead of base vs tuned.
  const other = join(editor.workspace, RUNS_DIR, '2020-01-01T00-00-00-000-recorded');
  mkdirSync(join(other, 'evaluations'), { recursive: true });
  writeFileSync(join(other, 'config.json'), '{}\n');
  copyFileSync(join(ROOT, 'test/fixtures/tiny-run.events.jsonl'), join(other, 'events.jsonl'));
  copyFileSync(checkpointReport, join(other, 'evaluations/final.json'));
  await runCommand(page, 'Tunesmith: Focus on Training Runs View');
  const otherRow = treeRow('model · lora');
  await until('the other run listed', () => otherRow.isVisible(), 60_000);
  await otherRow.click();
  await runRow.click({ modifiers: ['Control'] });
  await contextMenuAction(page, runRow, 'Compare Evaluations');
  // This run has two evaluations now: which one (the final result is offered first).
  const finalPick = page.locator('.quick-input-widget .monaco-list-row', { hasText: /^\s*final/ }).first();
  await finalPick.waitFor({ timeout: 30_000 });
  await finalPick.click();
  const compareTab = tab(/Evaluation compare-/);
  await compareTab.waitFor({ timeout: 90_000 });
  const compared = await until(
    'the comparison panel',
    async () => {
      for (const frame of page.frames()) {
        const heading = await frame
          .evaluate(() => document.getElementById('report-id')?.textContent ?? '')
          .catch(() => '');
        if (heading.startsWith('compare-') && (await frame.locator('#rows .row').count()) > 0) return frame;
      }
      return undefined;
    },
    60_000,
  );
  const heads = await compared.evaluate(() =>
    [...document.querySelectorAll('#metrics th')].map((cell) => cell.textContent ?? ''),
  );
  assert.ok(
    heads.some((head) => head.includes('checkpoint-50')) && heads.some((head) => head.includes('final')),
    `run A vs run B: ${heads.join(' | ')}`,
  );
  await shot('compare');

  // Back to the run's evaluation: the example's line in the held-out file.
  await tab(`Evaluation ${id} · final`).click();
  evaluation = await evaluationPanel(page, 'final');
  const again = evaluation.locator(`.row[data-index="${example.index}"]`);
  await until('the example shown again', () => again.count(), 30_000);
  const expand = again.locator('.expand');
  if ((await expand.getAttribute('aria-expanded')) !== 'true') await expand.click();
  await again.locator('[data-action="openHeldout"]').click();
  await tab('validation.jsonl').waitFor({ timeout: 30_000 });
  await until(`the cursor on line ${example.line}`, async () =>
    new RegExp(`Ln ${example.line}, Col 1`).test((await page.locator('.statusbar').textContent()) ?? ''),
  );
  assert.equal(report.source.heldout?.path, join(editor.workspace, 'tiny-task/validation.jsonl'));

  // The held-out file shows the newest report naming it (here the comparison, made last): the user
  // picks the run's final report for it, and its lens and hover show this example's result.
  await shot('heldout-newest');
  await runCommand(page, 'Tunesmith: Show Evaluation Results For This File…');
  const choice = page.locator('.quick-input-widget .monaco-list-row', { hasText: `${id} · final` }).first();
  await choice.waitFor({ timeout: 30_000 });
  await choice.click();
  const lines = new ReportLines(report);
  const evaluatedLine = example.line! - 1;
  const title = lensTitle(lines, {
    example: lines.examples.find((line) => line.index === example.index)!,
    state: 'fresh',
    line: evaluatedLine,
    evaluatedLine,
  });
  assert.match(title, /F1 \d\.\d{3} → \d\.\d{3} \(\+/, 'an improved example');
  await until(
    `the lens of line ${example.line}`,
    async () => (await codeLenses(page)).includes(title),
    60_000,
  );
  await shot('heldout');
  const hover = await evaluationHover(page);
  for (const text of [example.reference, example.outputs.tuned.trim()])
    assert.ok(
      hover.replace(/\u00a0/g, ' ').includes(text),
      `${JSON.stringify(text)} in the hover:\n${hover}`,
    );
  assert.match(hover, /Compare in diff editor · Open in Evaluation panel/);
  await shot('hover');
  await page.keyboard.press('Escape');
  const evaluationEvents = readFileSync(
    join(editor.workspace, RUNS_DIR, id, 'evaluation.events.jsonl'),
    'utf8',
  )
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; status?: string });
  assert.deepEqual(
    evaluationEvents.filter((event) => event.type === 'eval_finished').map((event) => event.status),
    ['completed', 'completed'],
    'the final result and the checkpoint, nothing failed',
  );
});
