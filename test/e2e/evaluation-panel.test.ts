/**
 * The evaluation panel in a real editor, opened the way the other parts of the extension open it
 * (`tunesmith.evaluation.show` with a report's path; here bound to a key, as the command is not in the
 * palette): the report's metrics and rows, a filter, "Compare base ↔ tuned" in VS Code's diff editor,
 * "Open line" on the held-out file (with the warning for a line changed since), a re-evaluation
 * renamed into place, and the panel back after a window reload. Screenshots: evaluation-*.png.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import {
  ROOT,
  SHOTS,
  bindShowEvaluation,
  frameWith,
  runCommand,
  scenario,
  showEvaluationByKey,
  until,
} from './harness.ts';

let page: Page;
let reportPath: string;
let heldout: string;

/** As the trainer writes a report: a temporary file renamed into place. */
function writeReport(report: unknown): void {
  writeFileSync(`${reportPath}.tmp`, JSON.stringify(report, null, 1));
  renameSync(`${reportPath}.tmp`, reportPath);
}

/** The fixture report (the fields this test changes typed, the rest kept as read) on this workspace's file. */
interface Fixture {
  source: { heldout: { path: string } };
  comparison: { verdict: string };
}

function fixture(): Fixture {
  const report = JSON.parse(
    readFileSync(join(ROOT, 'test/fixtures/evaluation-report.json'), 'utf8'),
  ) as Fixture;
  report.source.heldout.path = heldout;
  return report;
}

scenario('evaluation', {
  prepare: (started) => {
    heldout = join(started.workspace, 'tiny-task/evaluation-heldout.jsonl');
    copyFileSync(join(ROOT, 'test/fixtures/evaluation-heldout.jsonl'), heldout);
    reportPath = join(started.workspace, '.tunesmith/runs/tiny-1/evaluations/final.json');
    mkdirSync(dirname(reportPath), { recursive: true });
    writeReport(fixture());
    bindShowEvaluation(started, reportPath);
  },
  ready: (scene) => ({ page } = scene),
});

const rows = (frame: Frame) =>
  frame.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('#rows .row')].map((row) => row.dataset['index']),
  );

async function panel(): Promise<Frame> {
  return until(
    'the evaluation panel with its rows',
    async () => {
      const frame = await frameWith(page, 'rows');
      return frame && (await rows(frame)).length > 0 ? frame : undefined;
    },
    60_000,
  );
}

test('the panel opens on a report, filters, compares in the diff editor and opens the held-out line', async () => {
  await showEvaluationByKey(page, 'Evaluation tiny-1 · final', 90_000);
  const frame = await panel();
  assert.match(
    (await frame.locator('#metrics tr[data-metric="f1"]').textContent())!,
    /0\.571.*0\.972.*\+0\.401/,
  );
  await frame.locator('#outcomes button', { hasText: 'improved' }).click();
  await until('four improved rows', async () => (await rows(frame)).length === 4);
  await frame.locator('.row[data-index="3"] .expand').click();
  await page.screenshot({ path: join(SHOTS, 'evaluation-panel.png') });

  await frame
    .locator('.row[data-index="3"] [data-action="compareInDiff"][data-left="base"][data-right="tuned"]')
    .click();
  await page.locator('.tab', { hasText: '#3 base ↔ tuned' }).waitFor({ timeout: 30_000 });
  await until('both texts in the diff editor', async () => {
    // Monaco draws spaces as no-break spaces.
    const text = ((await page.locator('.monaco-diff-editor').first().textContent()) ?? '').replace(
      /\u00a0/g,
      ' ',
    );
    return text.includes("I don't know.") && text.includes('Mombasa');
  });
  await page.screenshot({ path: join(SHOTS, 'evaluation-diff.png') });

  // The held-out line changed since the evaluation: it opens, with a warning.
  const lines = readFileSync(heldout, 'utf8').split('\n');
  lines[3] = lines[3]!.replace('Nairobi', 'Nairobi (edited)');
  writeFileSync(heldout, lines.join('\n'));
  await page.locator('.tab', { hasText: 'Evaluation tiny-1 · final' }).click();
  const again = await panel();
  // Shown again, the webview may have been kept or rebuilt (then the row is collapsed).
  const expand = again.locator('.row[data-index="3"] .expand');
  if ((await expand.getAttribute('aria-expanded')) !== 'true') await expand.click();
  await again.locator('.row[data-index="3"] [data-action="openHeldout"]').click();
  await page.locator('.tab', { hasText: 'evaluation-heldout.jsonl' }).waitFor({ timeout: 30_000 });
  await page
    .locator('.notifications-toasts', {
      hasText: 'Line 4 of evaluation-heldout.jsonl changed since the evaluation',
    })
    .waitFor({ timeout: 30_000 });
  await until('the cursor on line 4', async () =>
    /Ln 4, Col 1/.test((await page.locator('.statusbar').textContent()) ?? ''),
  );
});

test('a re-evaluation renamed into place reloads the panel, and a window reload brings it back', async () => {
  const report = fixture();
  report.comparison.verdict = 'Re-evaluated: tuned is better on F1.';
  writeReport(report);
  await page.locator('.tab', { hasText: 'Evaluation tiny-1 · final' }).click();
  await until('the new verdict', async () => {
    const frame = await frameWith(page, 'verdict');
    return (
      frame && (await frame.locator('#verdict').textContent()) === 'Re-evaluated: tuned is better on F1.'
    );
  });
  await runCommand(page, 'Developer: Reload Window');
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await until(
    'the panel revived with the report',
    async () => {
      const frame = await frameWith(page, 'verdict');
      return (
        frame && (await frame.locator('#verdict').textContent()) === 'Re-evaluated: tuned is better on F1.'
      );
    },
    90_000,
  );
  const frame = await panel();
  // The filter chosen before the reload is still applied.
  await until('the saved filter', async () => (await rows(frame)).length === 4);
  await page.screenshot({ path: join(SHOTS, 'evaluation-revived.png') });
});
