/**
 * The evaluation panel's semantic figures in Chromium against a stub host: the header's mean
 * similarity named by its model, each row's score beside the lexical ones, a regressed row asking for
 * its nearest training examples when expanded and showing them as links that send the open-at-line
 * message; without a model, the notice and a panel that works as before. Text from the host is text.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { withoutTokens } from '../../src/extension/evaluation/reports.ts';
import type { EvaluationReport } from '../../src/shared/evaluation-report.ts';
import { until } from '../e2e/harness.ts';
import { fixtureReport, largeReport } from './evaluation-reports.ts';
import { post, startHost, type Host } from './host.ts';

let host: Host;
before(async () => {
  host = await startHost();
});
after(async () => {
  await host?.close();
});

const PATH = '/workspace/.tunesmith/runs/tiny-1/evaluations/final.json';
const SHOTS = 'test-results/screenshots';
const MODEL = { name: 'all-MiniLM-L6-v2', path: '/cache/tunesmith/embedding/all-MiniLM-L6-v2' };

type Probe = { __posted: unknown[]; __pwned?: number };
const posted = (page: Page) => page.evaluate(() => (window as unknown as Probe).__posted);

/** The fixture with example #1 regressed (the recorded run has none). */
function withRegression(): EvaluationReport {
  const report = fixtureReport();
  report.examples[1]!.outcome = 'regressed';
  return report;
}

async function openReport(report: EvaluationReport): Promise<Page> {
  const page = await host.open('/evaluation');
  const { report: sent, tokens } = withoutTokens(report);
  await post(page, { type: 'report', path: PATH, report: sent, tokens });
  await page.waitForSelector('#rows .row');
  return page;
}

const expand = (page: Page, index: number) =>
  page.locator(`#rows .row[data-index="${index}"] button.expand`).click();

test('similarity scores in the header and rows; nearest training examples as links to their lines', async () => {
  const report = withRegression();
  const page = await openReport(report);
  await post(page, { type: 'semantic', state: 'working', done: 6, total: 18 });
  assert.match((await page.locator('#semantic').textContent()) ?? '', /computing… 6 \/ 18 texts/);
  const indices = report.examples.map((example) => example.index);
  await post(page, {
    type: 'semantic',
    state: 'ready',
    model: MODEL,
    mean: { base: 0.5126, tuned: 0.7376 },
    index: indices,
    base: indices.map((i) => (i === 1 ? 0.9 : 0.4)),
    tuned: indices.map((i) => (i === 1 ? 0.35 : 0.85)),
  });
  const header = (await page.locator('#semantic').textContent()) ?? '';
  assert.match(header, /Semantic similarity .*0\.513 → .*0\.738 \(\+0\.225\)/);
  assert.ok(header.includes(`computed with ${MODEL.name} (${MODEL.path})`), header);
  assert.equal(
    await page.locator('#rows .row[data-index="1"] .score.similarity').textContent(),
    'sim 0.900 → 0.350 (−0.550)',
  );

  // An improved row, expanded, has the score in its table and no nearest section, nor asks for one.
  await expand(page, 0);
  await until('the similarity row', () =>
    page
      .locator('#rows .row[data-index="0"] tr.similarity')
      .count()
      .then((n) => n === 1),
  );
  assert.equal(await page.locator('#rows .row[data-index="0"] .nearest').count(), 0);

  await expand(page, 1);
  const row = page.locator('#rows .row[data-index="1"]');
  await until('nearest asked for', async () =>
    (await posted(page)).some((m) => JSON.stringify(m) === '{"type":"nearest","index":1}'),
  );
  assert.match((await row.locator('.nearest').textContent()) ?? '', /Asking/);
  await post(page, { type: 'nearest', index: 1, state: 'working', done: 64, total: 200 });
  assert.match((await row.locator('.nearest').textContent()) ?? '', /64 \/ 200/);
  await post(page, {
    type: 'nearest',
    index: 1,
    state: 'ready',
    file: '/workspace/tiny-task/train.jsonl',
    model: MODEL,
    neighbours: [
      { line: 12, similarity: 0.934, prompt: 'What is the capital of France?' },
      { line: 3, similarity: 0.71, prompt: '<img src=x onerror="window.__pwned=1">Which city is biggest?' },
      { line: 40, similarity: 0.42, prompt: 'Name a river.' },
    ],
  });
  const links = row.locator('.nearest a[data-action="openTraining"]');
  assert.deepEqual(await links.allTextContents(), ['line 12', 'line 3', 'line 40']);
  assert.deepEqual(await row.locator('.nearest .similarity').allTextContents(), ['0.934', '0.710', '0.420']);
  assert.match((await row.locator('.nearest h3').textContent()) ?? '', /train\.jsonl, by all-MiniLM-L6-v2/);
  // Markup in a training prompt is text: nothing is run, no element made.
  assert.equal(await row.locator('.nearest img').count(), 0);
  assert.match((await row.locator('.nearest li').nth(1).textContent()) ?? '', /<img src=x/);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.screenshot({ path: `${SHOTS}/webview-evaluation-semantic.png`, fullPage: true });

  const before = (await posted(page)).length;
  await links.nth(1).click();
  await until('the link posted', async () => (await posted(page)).length > before);
  assert.deepEqual((await posted(page)).slice(before), [{ type: 'openTraining', line: 3 }]);
  // The link neither collapsed the row nor navigated the page.
  assert.equal(await row.locator('.nearest').count(), 1);
  assert.equal(await page.evaluate(() => (window as unknown as Probe).__pwned), undefined);
  // Collapsed and expanded again: answered already, not asked twice.
  await expand(page, 1);
  await expand(page, 1);
  assert.equal(
    (await posted(page)).filter((m) => JSON.stringify(m) === '{"type":"nearest","index":1}').length,
    1,
  );
  assert.equal(await row.locator('.nearest a').count(), 3);
  await page.close();
});

test('a predictions file opened alone offers to choose the training file', async () => {
  const page = await openReport(withRegression());
  await expand(page, 1);
  await post(page, { type: 'nearest', index: 1, state: 'choose' });
  const row = page.locator('#rows .row[data-index="1"]');
  await row.locator('.nearest [data-action="chooseTraining"]').click();
  await until('choose posted', async () =>
    (await posted(page)).some((m) => JSON.stringify(m) === '{"type":"chooseTraining","index":1}'),
  );
  await page.close();
});

test('without a model: the notice says how to get it, and the rest of the panel works', async () => {
  const page = await openReport(withRegression());
  const info =
    'Semantic scores are off: no embedding model. Run "Tunesmith: Get the Embedding Model" (or scripts/setup-embedding-model.sh), or point tunesmith.semantic.modelPath at a local ONNX embedding model.';
  await post(page, { type: 'semantic', state: 'off', info });
  assert.equal(await page.locator('#semantic').textContent(), info);
  assert.equal(await page.locator('#semantic').isVisible(), true);
  assert.equal(await page.locator('#rows .score.similarity').count(), 0);
  await expand(page, 1);
  await post(page, { type: 'nearest', index: 1, state: 'off', info });
  const row = page.locator('#rows .row[data-index="1"]');
  assert.equal(await row.locator('.nearest .notice').textContent(), info);
  // The lexical scores and actions are all there.
  assert.ok((await row.locator('table.example-scores tr').count()) > 3);
  await page.locator('#rows .row[data-index="1"] [data-action="openHeldout"]').click();
  await until('openHeldout posted', async () =>
    (await posted(page)).some((m) => JSON.stringify(m) === '{"type":"openHeldout","index":1}'),
  );
  await page.screenshot({ path: `${SHOTS}/webview-evaluation-semantic-off.png`, fullPage: true });
  // A message of the wrong shape is dropped: a similarity above 1.
  await post(page, {
    type: 'semantic',
    state: 'ready',
    model: MODEL,
    mean: { tuned: 2 },
    index: [0],
    tuned: [2],
  });
  assert.equal(await page.locator('#semantic').textContent(), info);
  await page.close();
});

test('10,000 examples: the scores arrive after the rows, in one message checked and shown fast', async () => {
  const report = largeReport(10_000);
  const page = await openReport(report);
  const index = report.examples.map((example) => example.index);
  const scores = index.map((i) => (i % 100) / 100);
  const took = await page.evaluate(
    (message) => {
      const started = performance.now();
      (window as unknown as { __host(d: unknown): void }).__host(message);
      return performance.now() - started;
    },
    {
      type: 'semantic',
      state: 'ready',
      model: MODEL,
      mean: { base: 0.5, tuned: 0.5 },
      index,
      base: scores,
      tuned: scores,
    },
  );
  const shown = await page.locator('#rows .row .score.similarity').count();
  assert.ok(shown > 0 && shown < 200, `${shown} rows with a score in the DOM`);
  console.log(`semantic message of 10,000 examples handled in ${took.toFixed(1)} ms`);
  assert.ok(took < 500, `${took} ms`);
  await page.close();
});
