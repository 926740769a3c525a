/**
 * The dataset view of a file too large for a TextDocument, in a real VS Code (code-server): a 60 MB
 * dataset (over the 50 MB VS Code hands to extensions) opened in the text editor, then "Open as
 * Dataset": the read-only view from disk opens (a custom text editor could not: the extension host
 * has no document of the file), says it is read-only and why, shows the rows, and shows the finding
 * the language server's lint from disk made on line 3. Screenshot in test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { SHOTS, frameWith, runCommand, scenario, until } from './harness.ts';

const LINES = 60_000;
/** 0-based line whose message spells `content` as `contnet`: format/misspelled-key. */
const BAD = 2;
const workspace = mkdtempSync(join(tmpdir(), 'tunesmith-e2e-big-'));
let page: Page;

function line(i: number): string {
  const filler = 'lorem ipsum dolor sit amet '.repeat(18).slice(0, 480);
  const key = i === BAD ? 'contnet' : 'content';
  return JSON.stringify({
    messages: [
      { role: 'user', [key]: `Question number ${i}: ${filler}` },
      { role: 'assistant', content: `Answer ${i}: ${filler}` },
    ],
  });
}

{
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) lines.push(line(i));
  writeFileSync(join(workspace, 'big.jsonl'), `${lines.join('\n')}\n`);
}
scenario('dataset-disk', {
  workspace,
  ready: (scene) => ({ page } = scene),
  cleanup: () => rmSync(workspace, { recursive: true, force: true }),
});

test('Open as Dataset on a 60 MB file: the read-only view from disk, its notice, its rows, the lint from disk', async () => {
  await until('the workbench to take keyboard input', async () => {
    await page.keyboard.press('Control+P');
    return page.waitForSelector('.quick-input-widget input', { timeout: 2_000 });
  });
  await page.keyboard.type('big.jsonl');
  await until('big.jsonl in Quick Open', async () =>
    (await page.locator('.quick-input-list').innerText()).includes('big.jsonl'),
  );
  await page.keyboard.press('Enter');
  await page.waitForSelector('.tab.active[aria-label*="big.jsonl"]', { timeout: 60_000 });

  await runCommand(page, 'Tunesmith: Open as Dataset');
  const view: Frame = await until(
    'the dataset view with its first row',
    async () => {
      const frame = await frameWith(page, 'scroller');
      if (!frame) return undefined;
      const row = await frame
        .locator('.row[data-line="0"]')
        .textContent({ timeout: 1000 })
        .catch(() => '');
      return row?.includes('Question number 0') ? frame : undefined;
    },
    90_000,
  ).catch(async (error: unknown) => {
    await page.screenshot({ path: join(SHOTS, 'e2e-dataset-disk-failed.png') });
    throw error;
  });
  assert.match(
    (await view.locator('#notice').textContent()) ?? '',
    /^Read-only: big\.jsonl is \d+ MB, over the 50 MB VS Code hands to extensions as a document/,
  );
  await until('the whole file counted', async () =>
    /^60,000 lines/.test((await view.locator('#shown').textContent()) ?? ''),
  );
  await until(
    'the lint from disk: the misspelled key on line 3',
    async () =>
      ((await view.locator(`.row[data-line="${BAD}"]`).textContent()) ?? '').includes(
        'format/misspelled-key',
      ),
    240_000,
  ).catch(async (error: unknown) => {
    await page.screenshot({ path: join(SHOTS, 'e2e-dataset-disk-failed.png') });
    throw error;
  });
  await page.screenshot({ path: join(SHOTS, 'e2e-dataset-disk.png') });

  // A quick fix needs a document: the view says so instead of offering none silently.
  const finding = view.locator(`.row[data-line="${BAD}"] .finding`, { hasText: 'format/misspelled-key' });
  await finding.locator('[data-action="fixes"]').click();
  await until('the notice about fixes', async () =>
    ((await view.locator('#notice').textContent()) ?? '').includes('Quick fixes edit a document'),
  );
});
