/**
 * The dataset view's Statistics in Chromium against the stub host (which answers with the core's
 * charts, as the language server does): each chart's bars for a known dataset, a click on a bar
 * filtering the rows to the matching lines (token range of the example and of a role, format,
 * label, turns, rule code), the filter shown as a chip or in its control and removed; and the
 * file's labels and system prompts shown as text, markup and all.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { DEFAULT_CONFIG } from '../../src/core/engine/config.ts';
import { toExample } from '../../src/core/engine/formats.ts';
import { tokenCounterFor } from '../../src/core/rules/tokens/counter.ts';
import type { FindingInput } from '../../src/extension/dataset/rows.ts';
import { until } from '../e2e/harness.ts';
import { fromLines, openDatasetView, type DatasetProbe } from './dataset-stub.ts';
import { startHost, type Host } from './host.ts';

type Probe = DatasetProbe & {
  __dataset: {
    charts: {
      histograms(): Record<string, number[]>;
      barAt(name: string, index: number): { x: number; y: number } | undefined;
    };
  };
};

let host: Host;
before(async () => {
  host = await startHost();
});
after(async () => {
  await host?.close();
});

const SHOTS = 'test-results/screenshots';
mkdirSync(SHOTS, { recursive: true });

const XSS_SYSTEM = '<img src=x onerror="window.__pwned=1">';
const XSS_LABEL = '</script><script>window.__pwned=2</script>';
const SYSTEM = 'Classify the sentiment.';
const MAX_TOKENS = 100;

/** 12 chats (8 with one system prompt, 2 with markup as theirs, 2 with none) and 2 copies of a pair. */
const system = (i: number) => (i < 8 ? SYSTEM : i < 10 ? XSS_SYSTEM : undefined);
const label = (i: number) => (i < 6 ? 'positive' : i < 10 ? 'negative' : XSS_LABEL);
const LINES = [
  ...Array.from({ length: 12 }, (_, i) =>
    JSON.stringify({
      messages: [
        ...(system(i) === undefined ? [] : [{ role: 'system', content: system(i) }]),
        // Every fourth review is long: over tokens.max.
        { role: 'user', content: i % 4 === 0 ? `${'word '.repeat(150)}${i}` : `Review ${i}: fine product` },
        { role: 'assistant', content: label(i) },
      ],
    }),
  ),
  JSON.stringify({ prompt: 'Review 12', completion: 'positive' }),
  JSON.stringify({ prompt: 'Review 12', completion: 'positive' }),
];
const finding = (code: string, line: number): FindingInput => ({
  code,
  severity: 'warning',
  message: code,
  startLine: line,
  startCharacter: 0,
  endLine: line,
  endCharacter: 1,
});
const FINDINGS = new Map<number, FindingInput[]>([
  [1, [finding('pii/email', 1)]],
  [2, [finding('pii/email', 2), finding('pii/phone', 2)]],
  [5, [finding('secrets/github-token', 5)]],
  [13, [finding('consistency/duplicate', 13)]],
]);
const config = structuredClone(DEFAULT_CONFIG);
config.tokens.max = MAX_TOKENS;

/** Tokens of each line, counted here with the tokens rules' counter, not read from the charts. */
const counter = tokenCounterFor(config);
const TOKENS = LINES.map((line) => counter.countExample(toExample(JSON.parse(line))!));

const shown = (page: Page) =>
  page
    .locator('#window .row')
    .evaluateAll((rows) =>
      rows.map((row) => Number((row as HTMLElement).dataset['line'])).sort((a, b) => a - b),
    );
/** The rows in the DOM (the list is virtualised: a filter's few rows are all there). */
const expectRows = (page: Page, expected: number[]) =>
  until(
    `rows ${expected.join(',')}`,
    async () => JSON.stringify(await shown(page)) === JSON.stringify(expected),
  );
const bars = (page: Page, chart: string) =>
  page
    .locator(`[data-chart="${chart}"] button.bar`)
    .evaluateAll((nodes) =>
      nodes.map((node) => [
        node.querySelector('.bar-label')!.textContent,
        Number(node.querySelector('.bar-count')!.textContent!.replace(/,/g, '')),
      ]),
    );
const histograms = (page: Page) =>
  page.evaluate(() => (window as unknown as Probe).__dataset.charts.histograms());
async function clickBar(page: Page, name: string, index: number): Promise<void> {
  const at = await page.evaluate(
    ([chart, bar]) => (window as unknown as Probe).__dataset.charts.barAt(chart as string, bar as number),
    [name, index] as const,
  );
  assert.ok(at, `bar ${index} of ${name}`);
  await page.mouse.move(at.x, at.y);
  await page.mouse.click(at.x, at.y);
}
const all = LINES.map((_, line) => line);
/** Every line passes: the count says so (not all of them are in the DOM). */
const expectAll = (page: Page) =>
  until('every line shown', async () => (await page.locator('#shown').textContent()) === '14 lines');

test('statistics as charts: the bars of a known dataset; a click on a bar shows its rows', async () => {
  const { page, posted } = await openDatasetView(
    host,
    fromLines(LINES, { findings: FINDINGS, related: new Map([[13, [12]]]), config }),
  );
  await page.setViewportSize({ width: 1000, height: 1300 });
  await expectAll(page);
  assert.equal(await page.locator('#stats').isVisible(), false, 'collapsed until asked for');
  await page.locator('#stats-toggle').click();
  await page.waitForSelector('#stats-charts [data-chart="formats"]');
  assert.ok(posted.some((message) => message.type === 'stats'));
  assert.match(
    (await page.locator('#stats-status').textContent()) ?? '',
    /14 examples · 3 over tokens\.max \(100\)/,
  );

  // Tokens per example: the bins hold the counts of the tokens rules' counter.
  const drawn = await histograms(page);
  const counts = drawn['tokens']!;
  const maxTotal = TOKENS.reduce((most, tokens) => Math.max(most, tokens.total), 0);
  // The bins are a round number of tokens wide, from 0: the one width that gives as many bins.
  const widthDrawn = [1, 2, 5, 10, 20, 50, 100].find((w) => Math.floor(maxTotal / w) + 1 === counts.length);
  assert.ok(widthDrawn, `a round width for ${counts.length} bins`);
  const expected = new Array<number>(counts.length).fill(0);
  for (const { total } of TOKENS) expected[Math.floor(total / widthDrawn)]!++;
  assert.deepEqual(counts, expected);
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    14,
  );
  assert.deepEqual(Object.keys(drawn), ['tokens', 'role:system', 'role:user', 'role:assistant']);
  assert.equal(
    drawn['role:system']!.reduce((a, b) => a + b, 0),
    10,
    'ten examples have a system turn',
  );
  assert.match(
    (await page.locator('.stat-card').first().textContent()) ?? '',
    /14 examples · tokens\.max 100 \(red line\)/,
  );
  assert.deepEqual(await bars(page, 'formats'), [
    ['OpenAI chat (messages)', 12],
    ['prompt/completion', 2],
  ]);
  assert.deepEqual(await bars(page, 'turns'), [
    ['2 turns', 4],
    ['3 turns', 10],
  ]);
  assert.deepEqual(await bars(page, 'labels'), [
    ['positive', 8],
    ['negative', 4],
    [XSS_LABEL, 2],
  ]);
  assert.deepEqual(await bars(page, 'duplicates'), [['2 examples', 1]]);
  assert.deepEqual(await bars(page, 'pii'), [
    ['pii/email', 2],
    ['pii/phone', 1],
  ]);
  assert.deepEqual(await bars(page, 'secrets'), [['secrets/github-token', 1]]);
  assert.deepEqual(await bars(page, 'system-prompts'), [
    [SYSTEM, 8],
    [XSS_SYSTEM, 2],
  ]);
  await page.screenshot({ path: `${SHOTS}/webview-dataset-charts.png` });

  // The last bin of tokens per example (the longest review), then the first that is not empty:
  // its lines are those the counter puts in that bin; the range is shown as a removable chip.
  const inTokenBin = (index: number) =>
    all.filter((line) => Math.floor(TOKENS[line]!.total / widthDrawn) === index);
  const last = counts.length - 1;
  await clickBar(page, 'tokens', last);
  await expectRows(page, inTokenBin(last));
  const chip = page.locator('#chips .chip');
  assert.equal(
    await chip.locator('.chip-text').textContent(),
    `tokens ${last * widthDrawn}–${(last + 1) * widthDrawn - 1}`,
  );
  const first = counts.findIndex((count) => count > 0);
  await clickBar(page, 'tokens', first);
  await expectRows(page, inTokenBin(first));
  assert.equal(await page.locator('#shown').textContent(), `${counts[first]} of 14 lines`);
  await page.screenshot({ path: `${SHOTS}/webview-dataset-charts-filtered.png` });
  await chip.locator('button').click();
  await expectAll(page);
  assert.equal(await page.locator('#chips').isVisible(), false);

  // The first bin of the user turns' tokens: the short reviews (the pairs' prompts are user turns too).
  const user = (await histograms(page))['role:user']!;
  const userWidth = [1, 2, 5, 10, 20].find((w) => {
    const most = TOKENS.reduce((m, t) => Math.max(m, t.byRole['user'] ?? 0), 0);
    return Math.floor(most / w) + 1 === user.length;
  })!;
  const firstUser = user.findIndex((count) => count > 0);
  await clickBar(page, 'role:user', firstUser);
  const inBin = (tokens: number) => Math.floor(tokens / userWidth) === firstUser;
  await expectRows(
    page,
    all.filter((line) => inBin(TOKENS[line]!.byRole['user'] ?? -1)),
  );
  assert.match((await chip.textContent()) ?? '', /^user tokens/);
  await page.locator('#chips button.link').click();
  await expectAll(page);

  // Label, format, turns and rule code: each bar, and what shows it is cleared.
  await page.locator('[data-chart="labels"] button.bar', { hasText: 'negative' }).click();
  await expectRows(page, [6, 7, 8, 9]);
  assert.equal(await page.locator('[data-chart="labels"] button.bar[aria-pressed="true"]').count(), 1);
  await page.locator('#chips .chip button').click();
  await expectAll(page);
  await page.locator('[data-chart="formats"] button.bar', { hasText: 'prompt/completion' }).click();
  await expectRows(page, [12, 13]);
  assert.equal(
    await page.evaluate(() => (document.getElementById('format') as HTMLElement & { value: string }).value),
    'prompt-completion',
    'the format control shows the filter',
  );
  await page.locator('[data-chart="turns"] button.bar', { hasText: '2 turns' }).click();
  await expectRows(page, [12, 13]);
  await page.evaluate(() => {
    const field = document.getElementById('format') as HTMLElement & { value: string };
    field.value = '';
    field.dispatchEvent(new Event('change'));
  });
  await expectRows(page, [10, 11, 12, 13]);
  await page.evaluate(() => {
    for (const id of ['min-turns', 'max-turns']) {
      const field = document.getElementById(id) as HTMLElement & { value: string };
      field.value = '';
      field.dispatchEvent(new Event('change'));
    }
  });
  await expectAll(page);
  await page.locator('[data-chart="pii"] button.bar', { hasText: 'pii/email' }).click();
  await expectRows(page, [1, 2]);
  await page.locator('[data-chart="duplicates"] button.bar').click();
  await expectRows(page, [13]);
  await page.locator('[data-chart="system-prompts"] button.bar', { hasText: 'Classify' }).click();
  // With the duplicates' code still set: the copy (a prompt/completion pair) has no system prompt.
  await expectRows(page, []);
  const violations = await page.evaluate(() => (window as unknown as Probe).__violations);
  assert.deepEqual(violations, [], 'uPlot runs under the CSP');
  await page.close();
});

test("the file's labels and system prompts in the charts are text: no element made, no script run", async () => {
  const { page } = await openDatasetView(host, fromLines(LINES, { config }));
  await page.locator('#stats-toggle').click();
  await page.waitForSelector('#stats-charts [data-chart="labels"]');
  const text = (await page.locator('#stats').textContent()) ?? '';
  assert.ok(text.includes(XSS_LABEL), 'the label as text');
  assert.ok(text.includes(XSS_SYSTEM), 'the system prompt as text');
  const made = await page.evaluate(() => ({
    img: document.querySelectorAll('#stats img').length,
    script: document.querySelectorAll('script').length,
    pwned: (window as unknown as Probe).__pwned,
  }));
  assert.deepEqual(made, { img: 0, script: 1, pwned: undefined });
  // The markup label filters like any other, and its chip is text too.
  await page.locator('[data-chart="labels"] button.bar', { hasText: 'script' }).click();
  await expectRows(page, [10, 11]);
  assert.equal(await page.locator('#chips .chip-text').textContent(), `label: ${XSS_LABEL}`);
  await page.locator('[data-chart="system-prompts"] button.bar', { hasText: 'onerror' }).click();
  await expectRows(page, []);
  await page.locator('#chips button.link').click();
  await page.locator('[data-chart="system-prompts"] button.bar', { hasText: 'onerror' }).click();
  await expectRows(page, [8, 9]);
  assert.equal(await page.evaluate(() => (window as unknown as Probe).__pwned), undefined);
  await page.screenshot({ path: `${SHOTS}/webview-dataset-charts-xss.png` });
  await page.close();
});
