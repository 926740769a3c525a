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
import type { Page } from 'playwright-core';
import { embeddingModel, skipWithout } from '../embedding-model.ts';
import { SHOTS, problems, quickOpen, scenario, type Editor } from './harness.ts';

const skip = skipWithout();
let editor: Editor;
let page: Page;

const chat = (question: string, answer: string): string =>
  JSON.stringify({
    messages: [
      { role: 'user', content: question },
      { role: 'assistant', content: answer },
    ],
  });

// Without the model nothing is started: the test below is skipped with the reason.
if (!skip) {
  const root = mkdtempSync(join(tmpdir(), 'tunesmith-e2e-semantic-'));
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
  // An empty cache of the editor's own: only the setting can find the model.
  const cache = join(root, 'cache');
  mkdirSync(cache);
  scenario('semantic', {
    workspace,
    env: { XDG_CACHE_HOME: cache },
    ready: (scene) => ({ editor, page } = scene),
  });
  // Registered after the scenario's hooks, so it runs once the editor is stopped.
  after(() => rmSync(root, { recursive: true, force: true }));
}

test(
  'with the model configured, a paraphrased conflict shows as semantic/conflict in the Problems panel',
  { skip },
  async () => {
    await quickOpen(page, 'faq.jsonl');
    // The worker loads the model and embeds the file first: slow on a loaded machine.
    const rows = await problems(page, ['semantic/conflict'], 180_000).catch(async (error: unknown) => {
      await page.screenshot({ path: join(SHOTS, 'semantic-conflict-failed.png') });
      const logs = join(dirname(editor.logFile), 'user-data', 'logs');
      for (const file of readdirSync(logs, { recursive: true, encoding: 'utf8' }))
        if (file.endsWith('Tunesmith.log')) process.stderr.write(readFileSync(join(logs, file), 'utf8'));
      throw error;
    });
    assert.match(rows, /Asks what line 1 asks/);
    await page.screenshot({ path: join(SHOTS, 'semantic-conflict.png') });
    const toasts = await page
      .locator('.notifications-toasts .notification-list-item-message')
      .allInnerTexts();
    assert.ok(!toasts.some((t) => /did not load|Semantic checks are off/.test(t)), toasts.join('\n'));
  },
);
