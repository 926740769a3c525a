/**
 * The read-only dataset view of a file on disk (a file too large for a TextDocument) in Chromium,
 * against the stub host serving it with the view's own DiskRows: the first rows come while the index
 * is still growing, the view says it is read-only and why, pages are the file's lines (CRLF, invalid
 * UTF-8, a last line without an ending), a line far down is reached by number, a text filter streams
 * the file. And the list keeps its place when its count grows under it (the index growing), and a
 * line asked for by number before the count reached it is shown once it does.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { until } from '../e2e/harness.ts';
import {
  openDatasetView,
  openDiskDatasetView,
  syntheticLine,
  type DatasetProbe as Probe,
} from './dataset-stub.ts';
import { post, startHost, type Host } from './host.ts';

let host: Host;
const dir = mkdtempSync(join(tmpdir(), 'tunesmith-dataset-disk-'));
before(async () => {
  host = await startHost();
});
after(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

const SHOTS = 'test-results/screenshots';
mkdirSync(SHOTS, { recursive: true });

const LINES = 300_000;
const rowText = async (page: Page, line: number) =>
  (await page.locator(`.row[data-line="${line}"]`).textContent()) ?? '';
const waitRow = (page: Page, line: number) =>
  page.waitForSelector(`.row.example[data-line="${line}"], .row.invalid[data-line="${line}"]`);
const goTo = (page: Page, line: number) =>
  page.evaluate((n) => {
    const field = document.getElementById('goto') as HTMLElement & { value: string };
    field.value = String(n);
    field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
  }, line);

test('a file read from disk: first rows while indexing, read-only notice, its lines by offset, a far line by number, a text filter', async () => {
  // CRLF endings, one line of bytes that are not UTF-8, and a last line without an ending.
  const bad = Buffer.concat([Buffer.from('{"text": "caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
  const parts: Buffer[] = [];
  for (let i = 0; i < LINES - 1; i++)
    parts.push(i === 7 ? bad : Buffer.from(syntheticLine(i)), Buffer.from(i % 2 ? '\r\n' : '\n'));
  parts.push(Buffer.from(syntheticLine(LINES - 1)));
  const path = join(dir, 'big.jsonl');
  writeFileSync(path, Buffer.concat(parts));

  const { page, documents, rows } = await openDiskDatasetView(host, path);
  await waitRow(page, 0);
  await rows.indexed;
  await until('the whole file counted', async () =>
    /300,000 lines/.test((await page.locator('#shown').textContent()) ?? ''),
  );
  assert.ok(
    documents[0]! < LINES,
    `the first rows were announced at ${documents[0]} lines, before the index was complete`,
  );
  assert.equal(documents.at(-1), LINES);
  const notice = (await page.locator('#notice').textContent()) ?? '';
  assert.match(notice, /^Read-only: this view reads big\.jsonl from disk and cannot edit it/);
  assert.doesNotMatch(notice, /Indexing/);

  assert.match(await rowText(page, 0), /Question number 0: what is 0 squared\?/);
  assert.match(await rowText(page, 7), /caf\uFFFD\(/, 'invalid UTF-8 shown as replacement characters');

  await goTo(page, 250_001);
  await waitRow(page, 250_000);
  assert.equal(await page.evaluate(() => (window as unknown as Probe).__dataset.firstShown()), 250_000);
  assert.match(await rowText(page, 250_000), /Question number 250000: what is 250000 squared\?/);
  // The last line (without an ending), by number: the list stays at its end as its rows are measured.
  await goTo(page, LINES);
  await waitRow(page, LINES - 1);
  assert.match(await rowText(page, LINES - 1), new RegExp(`Question number ${LINES - 1}:`));
  await page.screenshot({ path: `${SHOTS}/webview-dataset-disk.png` });

  await page.evaluate(() => {
    const field = document.getElementById('search') as HTMLElement & { value: string };
    field.value = 'what is 123456 squared';
    field.dispatchEvent(new Event('input'));
  });
  await until('the filter streamed the file', async () =>
    /^1 of 300,000 lines/.test((await page.locator('#shown').textContent()) ?? ''),
  );
  await waitRow(page, 123_456);
  await page.close();
});

test('the count growing under the list (an index still being built) keeps the rows shown and their place', async () => {
  const { page } = await openDatasetView(host, { lineCount: 1_000_000, line: syntheticLine });
  const announce = (lineCount: number) =>
    post(page, { type: 'document', name: 'train.jsonl', version: 1, lineCount, findings: 1, codes: [] });
  await announce(2_000);
  await goTo(page, 1_501);
  await waitRow(page, 1_500);
  // Mark the node shown: a list rebuilt from scratch would make a new one.
  await page.evaluate(() => {
    (document.querySelector('.row[data-line="1500"]') as HTMLElement).dataset['kept'] = 'yes';
  });
  for (const count of [10_000, 200_000, 1_000_000]) await announce(count);
  await until('the whole count', async () =>
    /1,000,000 lines/.test((await page.locator('#shown').textContent()) ?? ''),
  );
  assert.equal(await page.evaluate(() => (window as unknown as Probe).__dataset.firstShown()), 1_500);
  assert.equal(await page.locator('.row[data-line="1500"]').getAttribute('data-kept'), 'yes');

  // A line past the count so far: reached once the count gets there.
  await announce(2_000);
  await goTo(page, 900_001);
  await announce(500_000);
  await announce(1_000_000);
  await waitRow(page, 900_000);
  assert.equal(await page.evaluate(() => (window as unknown as Probe).__dataset.firstShown()), 900_000);
  await page.close();
});

test('a file read from disk shows its statistics: the charts of the count from disk, and a token bar filters its rows', async () => {
  // 2,000 lines: every seventh a prompt/completion pair, the rest two-turn chats (syntheticLine).
  const count = 2_000;
  const path = join(dir, 'stats.jsonl');
  writeFileSync(path, Array.from({ length: count }, (_, i) => syntheticLine(i)).join('\n') + '\n');
  const { page, rows } = await openDiskDatasetView(host, path);
  await rows.indexed;
  await page.setViewportSize({ width: 1000, height: 1300 });
  await page.locator('#stats-toggle').click();
  await page.waitForSelector('#stats-charts [data-chart="formats"]');
  assert.match((await page.locator('#stats-status').textContent()) ?? '', /2,000 examples/);
  const formats = await page
    .locator('[data-chart="formats"] button.bar .bar-count')
    .evaluateAll((nodes) => nodes.map((node) => Number(node.textContent!.replace(/,/g, ''))));
  const pairs = Array.from({ length: count }, (_, i) => i).filter((i) => i % 7 === 3).length;
  assert.deepEqual(formats, [count - pairs, pairs]);
  await page.screenshot({ path: `${SHOTS}/webview-dataset-disk-stats.png` });

  // The last bin of tokens per example: the rows shown are those the per-line counts put there.
  const at = await page.evaluate(() => {
    const probe = (window as unknown as Probe).__dataset as unknown as {
      charts: {
        histograms(): Record<string, number[]>;
        barAt(c: string, i: number): { x: number; y: number };
      };
    };
    const bins = probe.charts.histograms()['tokens']!;
    return { last: bins[bins.length - 1]!, point: probe.charts.barAt('tokens', bins.length - 1) };
  });
  await page.mouse.move(at.point.x, at.point.y);
  await page.mouse.click(at.point.x, at.point.y);
  await until('the rows of the last token bin', async () =>
    new RegExp(`^${at.last.toLocaleString('en')} of`).test(
      (await page.locator('#shown').textContent()) ?? '',
    ),
  );
  await page.close();
});
