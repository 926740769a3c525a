/**
 * The dataset view in a real VS Code (code-server): "Open as Dataset" on the demo's chat.jsonl shows
 * its examples as conversations with the language server's findings; a quick fix applied from the
 * view edits the one document (the text editor shows it, saving writes it); "Open as Text" goes back.
 * Every wait polls for a state; none sleeps. Screenshots in test-results/screenshots/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { ROOT, frameWith, openWorkbench, runCommand, startEditor, until, type Editor } from './harness.ts';

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

const text = (selector: string) =>
  page.evaluate(
    (s) => [...document.querySelectorAll(s)].map((e) => (e as HTMLElement).innerText).join('\n'),
    selector,
  );

/** Line 6 of chat.jsonl (0-based 5) spells `content` as `contnet`: format/misspelled-key, with a fix. */
const LINE = 5;

test('Open as Dataset, apply a quick fix from the view, see the text change, and go back to the text', async () => {
  await until('the workbench to take keyboard input', async () => {
    await page.keyboard.press('Control+P');
    return page.waitForSelector('.quick-input-widget input', { timeout: 2_000 });
  });
  await page.keyboard.type('chat.jsonl');
  await until('chat.jsonl in Quick Open', async () =>
    (await text('.quick-input-list')).includes('chat.jsonl'),
  );
  await page.keyboard.press('Enter');
  await page.waitForSelector('.tab.active[aria-label*="chat.jsonl"]');
  await page.keyboard.press('Control+Shift+M');
  await until(
    'the misspelled key in the Problems panel',
    async () => (await text('.markers-panel')).includes('format/misspelled-key'),
    90_000,
  );

  await runCommand(page, 'Tunesmith: Open as Dataset');
  const view: Frame = await until(
    'the dataset view with the finding on line 6',
    async () => {
      const frame = await frameWith(page, 'scroller');
      if (!frame) return undefined;
      // The row may be below the fold (the Problems panel is open): go to its line as a user would.
      await frame.locator('#goto input').fill(String(LINE + 1), { timeout: 1000 });
      await frame.locator('#goto input').press('Enter');
      const row = await frame
        .locator(`.row[data-line="${LINE}"]`)
        .textContent({ timeout: 1000 })
        .catch(() => '');
      return row?.includes('format/misspelled-key') ? frame : undefined;
    },
    60_000,
  ).catch(async (error: unknown) => {
    await page.screenshot({ path: join(SHOTS, 'e2e-dataset-view-failed.png') });
    const bodies = await Promise.all(
      page
        .frames()
        .map((frame) => frame.evaluate(() => document.body?.innerText.slice(0, 300)).catch(() => '')),
    );
    throw new Error(`${String(error)}\nframes:\n${bodies.join('\n---\n')}`);
  });
  assert.match((await view.locator('#shown').textContent()) ?? '', /\d+ lines/);
  assert.deepEqual(await view.locator(`.row[data-line="${LINE}"] .turn .role`).allTextContents(), [
    'system',
    'user',
    'assistant',
  ]);
  await page.screenshot({ path: join(SHOTS, 'e2e-dataset-view.png') });

  const finding = view.locator(`.row[data-line="${LINE}"] .finding`, { hasText: 'format/misspelled-key' });
  await finding.locator('[data-action="fixes"]').click();
  const apply = finding.locator('button.apply').first();
  await apply.waitFor({ timeout: 30_000 }).catch(async (error: unknown) => {
    const row = await view.locator(`.row[data-line="${LINE}"]`).textContent();
    const notice = await view.locator('#notice').textContent();
    throw new Error(`${String(error)}\nrow: ${row}\nnotice: ${notice}`);
  });
  const title = (await apply.textContent()) ?? '';
  assert.match(title, /content/, `the fix renames the key: "${title}"`);
  await apply.click();
  await until(
    'the view to show the fixed line without the finding',
    async () => {
      const row =
        (await view
          .locator(`.row[data-line="${LINE}"]`)
          .textContent()
          .catch(() => '')) ?? '';
      return !row.includes('format/misspelled-key') && row.includes('Do you offer student discounts?');
    },
    60_000,
  );
  await page.screenshot({ path: join(SHOTS, 'e2e-dataset-view-fixed.png') });

  // One document: saving from the view writes the edit, and only it.
  const before = readFileSync(join(editor.workspace, 'chat.jsonl'), 'utf8');
  await runCommand(page, 'File: Save');
  const saved = await until('the fix on disk', () => {
    const now = readFileSync(join(editor.workspace, 'chat.jsonl'), 'utf8');
    return now !== before ? now : undefined;
  });
  const lines = before.split('\n');
  lines[LINE] = lines[LINE]!.replace('"contnet"', '"content"');
  assert.equal(saved, lines.join('\n'));

  // Statistics: counted by the language server (its tokenizer, tokens.max and findings); a bar of
  // the tokens histogram filters the rows to its examples, through the counts the host keeps.
  await view.locator('#stats-toggle').click();
  const status = await until(
    'the statistics',
    async () => {
      const shown = (await view.locator('#stats-status').textContent()) ?? '';
      return /\d+ examples/.test(shown) ? shown : undefined;
    },
    60_000,
  );
  const examples = Number(/([\d,]+) examples/.exec(status)![1]!.replace(/,/g, ''));
  const counts = await view.evaluate(
    () =>
      (
        window as unknown as { __dataset: { charts: { histograms(): Record<string, number[]> } } }
      ).__dataset.charts.histograms()['tokens']!,
  );
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    examples,
  );
  const bin = counts.findIndex((count) => count > 0);
  const at = await view.evaluate(
    (index) =>
      (
        window as unknown as {
          __dataset: { charts: { barAt(n: string, i: number): { x: number; y: number } | undefined } };
        }
      ).__dataset.charts.barAt('tokens', index),
    bin,
  );
  // The view's coordinates are the frame's: a hover and a click dispatched inside it.
  await view
    .locator('#stats-charts .u-over')
    .first()
    .click({
      position: await view
        .locator('#stats-charts .u-over')
        .first()
        .evaluate((over, point) => {
          const box = over.getBoundingClientRect();
          return { x: point!.x - box.left, y: point!.y - box.top };
        }, at),
    });
  await until('the rows of the first token bin', async () =>
    ((await view.locator('#shown').textContent()) ?? '').startsWith(`${counts[bin]} of `),
  );
  await page.screenshot({ path: join(SHOTS, 'e2e-dataset-view-stats.png') });
  await view.locator('#chips button.link').click();
  await until('every row again', async () =>
    /^[\d,]+ lines$/.test((await view.locator('#shown').textContent()) ?? ''),
  );

  await view.locator('#open-text').click();
  await until('the text editor on chat.jsonl', async () =>
    // Monaco draws spaces as no-break spaces.
    (await text('.editor-instance .view-lines'))
      .replace(/\u00a0/g, ' ')
      .includes('"content": "Do you offer student discounts?"'),
  );
  await page.screenshot({ path: join(SHOTS, 'e2e-dataset-view-text.png') });
});
