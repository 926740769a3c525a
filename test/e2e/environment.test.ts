/**
 * "Tunesmith: Check Training Environment" in the real editor: the trainer's doctor runs through the
 * chosen interpreter (here the project venv: no setting, no Python extension) and the editor shows
 * the Python version, where the interpreter came from and "no CUDA GPU" (this machine has none).
 * Screenshot: test-results/screenshots/environment.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
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

/**
 * The Markdown preview of the report (webviews are nested iframes inside the workbench), once its
 * frame is shown: the webview loads content into a hidden frame before swapping it in.
 */
async function reportFrame(): Promise<Frame | undefined> {
  for (const frame of page.frames()) {
    const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    if (!text.includes('Tunesmith training environment')) continue;
    const shown = await frame
      .frameElement()
      .then((element) => element.isVisible())
      .catch(() => false);
    if (shown) return frame;
  }
  return undefined;
}

test('Check Training Environment shows the Python version and that there is no CUDA GPU', async () => {
  // Fill the palette in one step and click the exact row (see runs.test.ts: typed keys can be lost).
  const row = await until(
    'the command in the palette',
    async () => {
      await page.keyboard.press('F1');
      await page.waitForSelector('.quick-input-widget input');
      await page.fill('.quick-input-widget input', '>Tunesmith: Check Training Environment');
      const candidate = page.locator('.quick-input-list .monaco-list-row', {
        hasText: 'Check Training Environment',
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

  const toast = await until(
    'the summary notification',
    async () => {
      const messages = await page
        .locator('.notifications-toasts .notification-list-item-message')
        .allInnerTexts();
      return messages.find((message) => message.startsWith('Python '));
    },
    90_000,
  );
  assert.match(toast, /^Python 3\.\d+\.\d+ \(Tunesmith's venv\) · torch \d/);
  assert.match(toast, /no CUDA GPU: training runs on the CPU/);

  const frame = await until('the report preview', reportFrame, 30_000);
  const report = await frame.evaluate(() => document.body.innerText);
  assert.match(report, /Python: 3\.\d+\.\d+/);
  assert.match(report, /from Tunesmith's own virtual environment/);
  assert.match(report, /no CUDA GPU: training runs on the CPU/);
  assert.match(report, /torch\s+2\.\d+/);
  await page.screenshot({ path: join(SHOTS, 'environment.png') });
});
