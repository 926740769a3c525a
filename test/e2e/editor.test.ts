/**
 * The extension in a real VS Code (code-server), driven as a user would with Playwright in Debian's
 * Chromium: read the Problems panel, hover, apply a quick fix and check the file on disk, use the
 * outline, edit a line and watch its diagnostic go. Every wait polls for a state; none sleeps.
 * Each scenario leaves a screenshot in test-results/screenshots/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { SHOTS, problems, quickOpen, scenario, pageText, until, type Editor } from './harness.ts';

let editor: Editor;
let page: Page;
let original: string;
scenario('editor', {
  prepare: (started) => {
    original = readFileSync(join(started.workspace, 'chat.jsonl'), 'utf8');
  },
  ready: (scene) => ({ editor, page } = scene),
});

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

const text = (selector: string): Promise<string> => pageText(page, selector);

async function goTo(lineColumn: string): Promise<void> {
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget input');
  await page.keyboard.type(lineColumn);
  await page.keyboard.press('Enter');
  await until(`cursor at ${lineColumn}`, async () =>
    (await text('.statusbar')).includes(`Ln ${lineColumn.replace(':', ', Col ')}`),
  );
}

test('opening a dataset shows its planted problems in the Problems panel and a summary in the status bar', async () => {
  await quickOpen(page, 'chat.jsonl');
  const panel = await problems(page, ['pii/credit-card', 'secrets/github']);
  for (const code of ['pii/email', 'structure/unknown-role', 'format/misspelled-key', 'syntax/invalid-json'])
    assert.ok(panel.includes(code), `${code} in the Problems panel:\n${panel}`);
  assert.doesNotMatch(panel, /4111 1111 1111 1111/, 'the panel shows masked values only');
  const status = await until('the status bar summary', async () => {
    const bar = await text('.statusbar');
    return /Tunesmith: 12 examples/.test(bar) ? bar : undefined;
  });
  assert.match(status, /OpenAI chat \(messages\) · \d+ errors · \d+ warnings/);
  await shot('01-problems');
});

test('hover on a card number says which check it passed and which example it is', async () => {
  await goTo('3:140');
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  const hover = await until('the hover', async () => {
    const content = await text('.monaco-hover');
    return content.includes('Example #3') ? content : undefined;
  });
  assert.match(hover, /Luhn-valid Visa number/);
  assert.match(hover, /Tokens \(o200k_base\): system \d+, user \d+, assistant \d+/);
  await shot('02-hover');
  await page.keyboard.press('Escape');
});

test('the card quick fix redacts the value on disk and leaves every other byte as it was', async () => {
  await goTo('3:140');
  await page.keyboard.press('Control+.');
  const menu = await until('the quick fix menu', async () => {
    const content = await text('.action-widget');
    return content.includes('CREDIT_CARD') ? content : undefined;
  });
  await shot('03-quick-fix-menu');
  const item = menu.split('\n').find((line) => line.includes('CREDIT_CARD'))!;
  await page.locator('.action-widget .monaco-list-row', { hasText: item.trim() }).first().click();
  await page.keyboard.press('Control+S');
  const saved = await until('the fix on disk', () => {
    const now = readFileSync(join(editor.workspace, 'chat.jsonl'), 'utf8');
    return now !== original ? now : undefined;
  });
  assert.equal(saved, original.replace('4111 1111 1111 1111', '<CREDIT_CARD>'));
  await until(
    'the card diagnostic to go',
    async () => !(await text('.markers-panel')).includes('pii/credit-card'),
  );
  await shot('04-after-quick-fix');
});

test('the outline lists the examples, and Go to Symbol jumps to one', async () => {
  await page.keyboard.press('Control+Shift+O');
  const symbols = await until('the symbol list', async () => {
    const content = await text('.quick-input-list');
    return content.includes('#1 user: How do I reset my password?') ? content : undefined;
  });
  assert.match(symbols, /#5 usr: Why is my build slow\?/);
  await shot('05-go-to-symbol');
  await page.keyboard.type('build slow');
  await page.keyboard.press('Enter');
  await until('the cursor on line 5', async () => /Ln 5,/.test(await text('.statusbar')));
});

test('editing the email away removes its diagnostic while the others stay', async () => {
  const line = original.split('\n')[3]!;
  assert.ok((await text('.markers-panel')).includes('j•••@g•••.com'));
  await goTo(`4:${line.indexOf('@') + 1}`);
  await page.keyboard.press('Delete');
  await until('the email diagnostic to go', async () => {
    const rows = await text('.markers-panel');
    // secrets.jsonl has an email too: look for this one's masked value.
    return !rows.includes('j•••@g•••.com') && rows.includes('secrets/github');
  });
  await shot('06-edit-clears-diagnostic');
});

test('when the server process dies the client restarts it, and linting goes on', async () => {
  const [pid] = editor.serverPids();
  assert.ok(pid, 'a running language server');
  process.kill(pid, 'SIGKILL');
  await until('a new server process', () => {
    const pids = editor.serverPids();
    return pids.length === 1 && pids[0] !== pid;
  });
  // The restarted server gets the unsaved buffer again: undoing the edit brings the email back.
  await page.keyboard.press('Control+Z');
  await until('the email diagnostic from the new server', async () =>
    (await text('.markers-panel')).includes('j•••@g•••.com'),
  );
  await shot('07-after-server-restart');
});

test('the walkthrough introduces the extension', async () => {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input');
  await page.keyboard.type('Welcome: Open Walkthrough');
  await until('the command', async () => (await text('.quick-input-list')).includes('Open Walkthrough'));
  await page.keyboard.press('Enter');
  await until('the walkthrough list', async () =>
    (await text('.quick-input-list')).includes('Get started with Tunesmith'),
  );
  await page.keyboard.type('Get started with Tunesmith');
  await page.keyboard.press('Enter');
  const walkthrough = await until('the walkthrough page', async () => {
    const content = await text('.gettingStartedContainer');
    return content.includes('Read the problems') ? content : undefined;
  });
  assert.match(walkthrough, /Open a dataset/);
  assert.match(walkthrough, /Fix mechanically/);
  await shot('08-walkthrough');
});

test('settings apply live: turning the pii family off in the workspace settings', async () => {
  mkdirSync(join(editor.workspace, '.vscode'), { recursive: true });
  writeFileSync(
    join(editor.workspace, '.vscode/settings.json'),
    JSON.stringify({ 'tunesmith.rules': { pii: 'off' } }),
  );
  await until('the pii diagnostics to go', async () => {
    const rows = await text('.markers-panel');
    return !rows.includes('pii/') && rows.includes('secrets/github');
  });
  await shot('09-settings-live');
});
