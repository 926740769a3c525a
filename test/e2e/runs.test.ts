/**
 * A real training run from the editor: "New Fine-Tuning Run" builds the tiny model, launches the
 * trainer on the CPU, the run panel draws loss points as they come, Cancel stops the run gracefully
 * (checkpoint, then `cancelled`). Screenshots in test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { ROOT, openWorkbench, startEditor, until, type Editor } from './harness.ts';

const SHOTS = join(ROOT, 'test-results/screenshots');
let editor: Editor;
let browser: Browser;
let page: Page;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  editor = await startEditor();
  ({ browser, page } = await openWorkbench(editor.url));
});

after(async () => {
  await browser?.close();
  editor?.stop();
});

/** The run panel's page: webviews are nested iframes inside the workbench. */
async function panelFrame(): Promise<Frame | undefined> {
  for (const frame of page.frames()) {
    const found = await frame.evaluate(() => document.getElementById('points') !== null).catch(() => false);
    if (found) return frame;
  }
  return undefined;
}

test('a new run on the tiny model draws loss points, and Cancel ends it as cancelled', async () => {
  // Fill the palette in one step and click the exact row: typed keys can be lost on a loaded machine
  // before the input has focus, and Enter would then run whatever else matched.
  const row = await until(
    'the command in the palette',
    async () => {
      await page.keyboard.press('F1');
      await page.waitForSelector('.quick-input-widget input');
      await page.fill('.quick-input-widget input', '>Tunesmith: New Fine-Tuning Run');
      const candidate = page.locator('.quick-input-list .monaco-list-row', {
        hasText: 'New Fine-Tuning Run',
      });
      const found = await candidate
        .first()
        .waitFor({ timeout: 3000 })
        .then(() => true)
        .catch(() => false);
      if (!found) await page.keyboard.press('Escape');
      return found ? candidate.first() : undefined;
    },
    60_000,
  );
  await row.click();
  const frame = await until('the run panel', panelFrame, 60_000);
  const points = await until(
    'loss points on the chart',
    async () => {
      const text = await frame.evaluate(() => document.getElementById('points')!.textContent ?? '');
      return /^[1-9]\d* train points/.test(text) ? text : undefined;
    },
    120_000,
  );
  assert.match(await frame.evaluate(() => document.getElementById('state')!.textContent!), /running/);
  await page.screenshot({ path: join(SHOTS, 'run-running.png') });
  await frame.click('#cancel');
  await until(
    'the run cancelled',
    async () => (await frame.evaluate(() => document.getElementById('state')!.textContent)) === 'cancelled',
    60_000,
  );
  await page.screenshot({ path: join(SHOTS, 'run-cancelled.png') });
  assert.equal(
    await frame.evaluate(() => (document.getElementById('resume') as HTMLButtonElement).disabled),
    false,
  );
  const runs = join(editor.workspace, '.tunesmith/runs');
  const [id] = readdirSync(runs);
  const events = readFileSync(join(runs, id!, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n');
  const last = JSON.parse(events.at(-1)!) as { type: string; status: string };
  assert.deepEqual([last.type, last.status], ['finished', 'cancelled'], points);
});
