/**
 * "Compare Dataset with File…" in a real VS Code (code-server): the file picked in the quick pick is
 * the old side, the active file the new one, in the panel "Compare Dataset with Revision…" uses; with
 * unsaved edits, the new side is the editor's text, not the file on disk.
 * Every wait polls for a state; none sleeps. Screenshots in test-results/screenshots/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import {
  SHOTS,
  quickOpen,
  runCommand,
  scenario,
  supportExample,
  until,
  writeConsistencySecondVersion,
  type Editor,
} from './harness.ts';

let editor: Editor;
let page: Page;
scenario('dataset-compare-file', { ready: (scene) => ({ editor, page } = scene) });

/** Two versions in the workspace copy: consistency-v1.jsonl as the demo has it, consistency.jsonl the second. */
function writeTwoVersions(): void {
  const root = editor.workspace;
  copyFileSync(join(root, 'consistency.jsonl'), join(root, 'consistency-v1.jsonl'));
  writeConsistencySecondVersion(root);
}

/** Runs the command on the active file and picks consistency-v1.jsonl as the old side. */
async function compareWithV1(): Promise<void> {
  await runCommand(page, 'Tunesmith: Compare Dataset with File…');
  const pick = page
    .locator('.quick-input-list .monaco-list-row', { hasText: 'consistency-v1.jsonl' })
    .first();
  await pick.waitFor({ timeout: 30_000 });
  assert.equal(
    await page.locator('.quick-input-list .monaco-list-row', { hasText: /^consistency\.jsonl/ }).count(),
    0,
    'the active file is not offered as its own old side',
  );
  await pick.click();
}

/** The shown comparison panel titled `title`, once its counts are drawn (an earlier panel may be open). */
async function comparePanel(title: string): Promise<Frame> {
  return until(
    `the comparison panel "${title}" with its counts`,
    async () => {
      for (const frame of page.frames()) {
        const shown = await frame
          .evaluate(
            (t) =>
              document.getElementById('title')?.textContent === t &&
              document.getElementById('counts')?.checkVisibility() === true,
            title,
          )
          .catch(() => false);
        if (shown && (await frame.frameElement().then((element) => element.isVisible()))) return frame;
      }
      return undefined;
    },
    45_000,
  ).catch(async (error: unknown) => {
    await page.screenshot({ path: join(SHOTS, 'e2e-dataset-compare-file-failed.png') });
    const titles = await Promise.all(
      page
        .frames()
        .map((frame) => frame.evaluate(() => document.getElementById('title')?.textContent).catch(() => '')),
    );
    throw new Error(`${String(error)}\ntitles: ${JSON.stringify(titles.filter(Boolean))}`);
  });
}

async function countsOf(panel: Frame): Promise<Record<string, string | null>> {
  return Object.fromEntries(
    await Promise.all(
      ['added', 'removed', 'changed', 'unchanged'].map(
        async (kind) => [kind, await panel.locator(`#count-${kind}`).textContent()] as const,
      ),
    ),
  );
}

test('Compare Dataset with File: the picked file is the old side, the active file the new one', async () => {
  writeTwoVersions();
  await quickOpen(page, 'consistency.jsonl');
  await compareWithV1();
  const panel = await comparePanel('consistency-v1.jsonl → consistency.jsonl');
  assert.deepEqual(await countsOf(panel), { added: '2', removed: '1', changed: '1', unchanged: '5' });
  const summary = (await panel.locator('#summary').innerText()).split('\n');
  assert.match(summary[0]!, /^2 examples added, 1 removed, 1 changed .*5 unchanged \(7 → 8 examples\)/);
  assert.match(await panel.locator('#removed').innerText(), /line 7\s/);
  await page.screenshot({ path: join(SHOTS, 'e2e-dataset-compare-file.png') });
});

test('Compare Dataset with File with unsaved edits: the new side is the text in the editor', async () => {
  // Back to the text from the first comparison's panel: its tab, as a user would (Quick Open typed
  // while the panel's webview has focus can leave the panel in front).
  await page.locator('.tab[aria-label^="consistency.jsonl"]').click();
  await page.waitForSelector('.tab.active[aria-label^="consistency.jsonl"]');
  // The file ends with a newline: Ctrl+End is on the empty last line. Monaco auto-closes quotes and
  // braces as they are typed and types over the closers, so the line comes out as typed.
  await page.locator('.editor-instance .view-lines').first().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(supportExample('Is there a free tier?', 'Yes, up to three projects.'));
  await page.keyboard.press('Escape');
  await page.waitForSelector('.tab.active.dirty[aria-label^="consistency.jsonl"]');
  await compareWithV1();
  const panel = await comparePanel('consistency-v1.jsonl → consistency.jsonl (unsaved)');
  assert.deepEqual(await countsOf(panel), { added: '3', removed: '1', changed: '1', unchanged: '5' });
  const summary = (await panel.locator('#summary').innerText()).split('\n');
  assert.match(summary[0]!, /^3 examples added, 1 removed, 1 changed .*5 unchanged \(7 → 9 examples\)/);
  // The typed line is line 9 of the editor's text (the list shows each line's start only).
  assert.match(await panel.locator('#added').innerText(), /line 9\s/);
  // Unsaved: the file on disk still has the 8 examples of the first case.
  assert.equal(
    readFileSync(join(editor.workspace, 'consistency.jsonl'), 'utf8').trimEnd().split('\n').length,
    8,
  );
  await page.screenshot({ path: join(SHOTS, 'e2e-dataset-compare-file-unsaved.png') });
});
