/**
 * "Tunesmith: Check Training Environment" in the real editor: the trainer's doctor runs through the
 * chosen interpreter (here the project venv: no setting, no Python extension) and the editor shows
 * the Python version, where the interpreter came from and "no CUDA GPU" (this machine has none).
 * Screenshot: test-results/screenshots/environment.png.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { SHOTS, runCommand, scenario, shownFrameWithText, until } from './harness.ts';

let page: Page;
scenario('environment', { ready: (scene) => ({ page } = scene) });

test('Check Training Environment shows the Python version and that there is no CUDA GPU', async () => {
  await runCommand(page, 'Tunesmith: Check Training Environment');

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

  const frame = await until(
    'the report preview',
    () => shownFrameWithText(page, 'Tunesmith training environment'),
    30_000,
  );
  const report = await frame.evaluate(() => document.body.innerText);
  assert.match(report, /Python: 3\.\d+\.\d+/);
  assert.match(report, /from Tunesmith's own virtual environment/);
  assert.match(report, /no CUDA GPU: training runs on the CPU/);
  assert.match(report, /torch\s+2\.\d+/);
  await page.screenshot({ path: join(SHOTS, 'environment.png') });
});
