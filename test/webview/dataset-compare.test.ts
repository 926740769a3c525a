/**
 * The dataset comparison panel in Chromium against a stub host, under the CSP it ships with: a report
 * of the core's `diffDatasets` (two real files compared here) shown as counts, the summary, each
 * statistic old and new side by side, and the examples; markup in the data shown as text; a line of
 * the current file opens the text there.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveConfig } from '../../src/core/engine/config.ts';
import { diffDatasets } from '../../src/core/diff/dataset-diff.ts';
import type { CompareReportMessage } from '../../src/shared/dataset-compare-protocol.ts';
import { post, startHost, type Host } from './host.ts';

let host: Host;
before(async () => {
  host = await startHost();
});
after(async () => {
  await host?.close();
});

const SHOTS = 'test-results/screenshots';
mkdirSync(SHOTS, { recursive: true });

const XSS = [
  '<img src=x onerror="window.__pwned=1">',
  '</script><script>window.__pwned=2</script>',
  '[click](javascript:window.__pwned=3)',
];
const chat = (system: string, user: string, answer: string) =>
  JSON.stringify({
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: user },
      { role: 'assistant', content: answer },
    ],
  });

async function report(): Promise<CompareReportMessage> {
  const dir = mkdtempSync(join(tmpdir(), 'tunesmith-compare-page-'));
  const old = [
    chat('Be brief.', 'q1', 'positive'),
    chat('Be brief.', 'q2', 'negative'),
    chat('Be brief.', 'q3', 'negative'),
  ];
  const neu = [
    old[0]!,
    chat('Be brief.', 'q2', 'positive'),
    ...XSS.map((text, i) => chat(text, `x${i} ${text}`, 'negative')),
  ];
  writeFileSync(join(dir, 'old.jsonl'), old.join('\n') + '\n');
  writeFileSync(join(dir, 'new.jsonl'), neu.join('\n') + '\n');
  const { config } = resolveConfig({});
  const diff = await diffDatasets(
    { path: join(dir, 'old.jsonl'), shown: 'set.jsonl@1a2b3c4', findings: [] },
    { path: join(dir, 'new.jsonl'), shown: 'set.jsonl', findings: [] },
    config,
    20,
  );
  return { type: 'report', old: 'set.jsonl@1a2b3c4', new: 'set.jsonl', diff };
}

test('the report: counts, summary, statistics side by side, examples; markup shown as text', async () => {
  const page = await host.open('/dataset-compare');
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted), [
    { type: 'ready' },
  ]);
  const message = await report();
  await post(page, message);
  const count = (kind: string) => page.locator(`#count-${kind}`).textContent();
  assert.deepEqual(
    [await count('added'), await count('removed'), await count('changed'), await count('unchanged')],
    ['3', '1', '1', '1'],
  );
  assert.equal(await page.locator('#title').textContent(), 'set.jsonl@1a2b3c4 → set.jsonl');
  assert.deepEqual(await page.locator('#summary li').allTextContents(), message.diff.summary);
  assert.match(await page.locator('#drift').innerText(), /Examples\s+3\s+5\s+\+2/);
  assert.match(await page.locator('#drift').innerText(), /Label: negative\s+66\.7%\s+60\.0%\s+−6\.7 pt/);
  const added = await page.locator('#added').innerText();
  for (const text of XSS) assert.ok(added.includes(JSON.stringify(text).slice(1, -1).slice(0, 20)), added);
  assert.equal(await page.locator('#added img, #drift img, #summary img, a[href]').count(), 0);
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.deepEqual(
    await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
    [],
  );
  await page.screenshot({ path: `${SHOTS}/webview-dataset-compare.png`, fullPage: true });

  await page.locator('#added .line.link').first().click();
  const posted = await page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted);
  assert.deepEqual(posted.at(-1), { type: 'openLine', line: message.diff.examples.added.examples[0]!.line });
  // A report of another shape is dropped, not half-drawn.
  await post(page, { type: 'report', old: 'x', new: 'y' });
  assert.equal(await page.locator('#title').textContent(), 'set.jsonl@1a2b3c4 → set.jsonl');
  await page.close();
});
