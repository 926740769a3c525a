/**
 * The dataset view in a real VS Code (code-server): "Open as Dataset" on the demo's chat.jsonl shows
 * its examples as conversations with the language server's findings; a quick fix applied from the
 * view edits the one document (the text editor shows it, saving writes it); "Open as Text" goes back.
 * "Compare Dataset with Revision…" on a file with two commits shows what changed in a panel; a file
 * deleted on disk while its view is open is said so in the view.
 * Every wait polls for a state; none sleeps. Screenshots in test-results/screenshots/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import {
  SHOTS,
  frameWith,
  problems,
  quickOpen,
  runCommand,
  scenario,
  pageText,
  until,
  writeConsistencySecondVersion,
  type Editor,
} from './harness.ts';

let editor: Editor;
let page: Page;
scenario('e2e-dataset-view', { ready: (scene) => ({ editor, page } = scene) });

const text = (selector: string) => pageText(page, selector);
/** Opens `name` of the workspace in the text editor through Quick Open. */
const openFile = (name: string) => quickOpen(page, name);

/** Line 6 of chat.jsonl (0-based 5) spells `content` as `contnet`: format/misspelled-key, with a fix. */
const LINE = 5;

test('Open as Dataset, apply a quick fix from the view, see the text change, and go back to the text', async () => {
  await openFile('chat.jsonl');
  await problems(page, ['format/misspelled-key']);

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

/** A git repository of the workspace copy: consistency.jsonl as the demo has it, then a second version. */
function commitTwoVersions(): void {
  const root = editor.workspace;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=t@example.com', ...args], {
      cwd: root,
      stdio: 'pipe',
    });
  git('init', '-q');
  git('add', 'consistency.jsonl');
  git('commit', '-q', '-m', 'first version');
  writeConsistencySecondVersion(root);
  git('commit', '-q', '-am', 'second version');
}

test('Compare Dataset with Revision: added, removed and changed examples and the summary in a panel', async () => {
  commitTwoVersions();
  await openFile('consistency.jsonl');
  await runCommand(page, 'Tunesmith: Compare Dataset with Revision…');
  const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'first version' }).first();
  await pick.waitFor({ timeout: 30_000 });
  assert.equal(
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'second version' }).count(),
    1,
    'both commits of the file are offered',
  );
  await pick.click();
  const panel = await until(
    'the comparison panel with its counts',
    async () => {
      const frame = await frameWith(page, 'count-added');
      const shown = await frame?.locator('#counts').isVisible();
      return shown ? frame : undefined;
    },
    45_000,
  );
  const counts = Object.fromEntries(
    await Promise.all(
      ['added', 'removed', 'changed', 'unchanged'].map(
        async (kind) => [kind, await panel!.locator(`#count-${kind}`).textContent()] as const,
      ),
    ),
  );
  assert.deepEqual(counts, { added: '2', removed: '1', changed: '1', unchanged: '5' });
  const summary = (await panel!.locator('#summary').innerText()).split('\n');
  assert.match(summary[0]!, /^2 examples added, 1 removed, 1 changed .*5 unchanged \(7 → 8 examples\)/);
  assert.match(
    (await panel!.locator('#title').textContent()) ?? '',
    /^consistency\.jsonl@[0-9a-f]{7} → consistency\.jsonl$/,
  );
  assert.match(await panel!.locator('#removed').innerText(), /line 7\s/);
  assert.match(await panel!.locator('#drift').innerText(), /Examples\s+7\s+8\s+\+1/);
  await page.screenshot({ path: join(SHOTS, 'e2e-dataset-compare.png') });
});

test('a file changed on disk while open in the dataset view is read again; deleted, the view says so and shows no rows', async () => {
  await openFile('format.jsonl');
  await runCommand(page, 'Tunesmith: Open as Dataset');
  const view = await until(
    'the dataset view of format.jsonl with its rows',
    async () => {
      for (const frame of page.frames()) {
        const name = await frame
          .locator('#name')
          .textContent({ timeout: 500 })
          .catch(() => null);
        const rows = name === 'format.jsonl' ? await frame.locator('.row').count() : 0;
        if (rows > 0) return frame;
      }
      return undefined;
    },
    45_000,
  );
  // Changed on disk: the view reads it again.
  const file = join(editor.workspace, 'format.jsonl');
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  writeFileSync(file, [...lines, '{"prompt": "Written on disk?", "completion": "Yes."}'].join('\n') + '\n');
  await until(
    'the view to show the line written on disk',
    async () =>
      (await view.locator('#shown').textContent()) === `${lines.length + 1} lines` &&
      (await view.locator('#window').innerText()).includes('Written on disk?'),
    30_000,
  );
  rmSync(file);
  await until(
    'the notice that the file was deleted',
    async () => (await view.locator('#notice').textContent())?.includes('format.jsonl was deleted on disk'),
    30_000,
  );
  await until('no rows shown', async () => (await view.locator('#shown').textContent()) === '0 lines');
  assert.equal(await view.locator('.row').count(), 0);
  await page.screenshot({ path: join(SHOTS, 'e2e-dataset-view-deleted.png') });
});
