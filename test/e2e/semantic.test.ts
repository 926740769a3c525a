/**
 * The semantic rules in the installed extension: the packaged VSIX carries onnxruntime-node for this
 * platform (esbuild.mjs copies it into dist/), so the language server's semantic worker loads the model
 * named by tunesmith.semantic.modelPath and a paraphrased conflict reaches the Problems panel. The
 * editor's cache is empty, so only the setting can find the model. Skipped without the model
 * (scripts/setup-embedding-model.sh). Screenshot: test-results/screenshots/semantic-conflict.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { embeddingModel, skipWithout } from '../embedding-model.ts';
import { ROOT, openWorkbench, startEditor, until, type Editor } from './harness.ts';

const SHOTS = join(ROOT, 'test-results/screenshots');
const root = mkdtempSync(join(tmpdir(), 'tunesmith-e2e-semantic-'));
let editor: Editor | undefined;
let browser: Browser | undefined;

after(async () => {
  await browser?.close();
  editor?.stop();
  rmSync(root, { recursive: true, force: true });
});

const chat = (question: string, answer: string): string =>
  JSON.stringify({
    messages: [
      { role: 'user', content: question },
      { role: 'assistant', content: answer },
    ],
  });

async function text(page: Page, selector: string): Promise<string> {
  return page.evaluate(
    (s) => [...document.querySelectorAll(s)].map((e) => (e as HTMLElement).innerText).join('\n'),
    selector,
  );
}

test(
  'with the model configured, a paraphrased conflict shows as semantic/conflict in the Problems panel',
  { skip: skipWithout() },
  async () => {
    mkdirSync(SHOTS, { recursive: true });
    const workspace = join(root, 'workspace');
    mkdirSync(join(workspace, '.vscode'), { recursive: true });
    writeFileSync(
      join(workspace, '.vscode/settings.json'),
      JSON.stringify({ 'tunesmith.semantic.modelPath': embeddingModel!.dir }),
    );
    // Lines 1 and 2 ask the same thing in other words and answer it differently.
    writeFileSync(
      join(workspace, 'faq.jsonl'),
      [
        chat('What is the capital of France?', 'Paris is the capital of France.'),
        chat("Which city is France's capital?", 'I cannot help with that request.'),
        chat('Tell me a joke about cats.', 'A cat walked into a bar.'),
      ].join('\n') + '\n',
    );
    const cache = join(root, 'cache');
    mkdirSync(cache);
    editor = await startEditor({ workspace, env: { XDG_CACHE_HOME: cache } });
    let page: Page;
    ({ browser, page } = await openWorkbench(editor.url));

    await until('the workbench to take keyboard input', async () => {
      await page.keyboard.press('Control+P');
      return page.waitForSelector('.quick-input-widget input', { timeout: 2_000 });
    });
    await page.keyboard.type('faq.jsonl');
    await until('faq.jsonl in Quick Open', async () =>
      (await text(page, '.quick-input-list')).includes('faq.jsonl'),
    );
    await page.keyboard.press('Enter');
    await page.waitForSelector('.tab.active[aria-label*="faq.jsonl"]');
    await page.keyboard.press('Control+Shift+M');
    const problems = await until(
      'semantic/conflict in the Problems panel',
      async () => {
        const rows = await text(page, '.markers-panel');
        return rows.includes('semantic/conflict') ? rows : undefined;
      },
      120_000,
    ).catch(async (error: unknown) => {
      await page.screenshot({ path: join(SHOTS, 'semantic-conflict-failed.png') });
      const logs = join(dirname(editor!.logFile), 'user-data', 'logs');
      for (const file of readdirSync(logs, { recursive: true, encoding: 'utf8' }))
        if (file.endsWith('Tunesmith.log')) process.stderr.write(readFileSync(join(logs, file), 'utf8'));
      throw error;
    });
    assert.match(problems, /Asks what line 1 asks/);
    await page.screenshot({ path: join(SHOTS, 'semantic-conflict.png') });
    const toasts = await page
      .locator('.notifications-toasts .notification-list-item-message')
      .allInnerTexts();
    assert.ok(!toasts.some((t) => /did not load|Semantic checks are off/.test(t)), toasts.join('\n'));
  },
);
