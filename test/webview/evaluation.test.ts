/**
 * The evaluation panel in Chromium against a stub host, under the CSP it ships with: the fixture's
 * metrics, comparisons and diffs; filters, flip cells, search and sort; expanded rows with their
 * tokens and actions; 10,000 examples virtualised; markup in every text of a report (in the panel and
 * in the exported HTML page) shown as text with nothing run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { reportHtml } from '../../src/extension/evaluation/export.ts';
import { withoutTokens } from '../../src/extension/evaluation/reports.ts';
import type { EvaluationReport } from '../../src/shared/evaluation-report.ts';
import { until } from '../e2e/harness.ts';
import { PAYLOADS, fixtureReport, hostileReport, largeReport } from './evaluation-reports.ts';
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

type Probe = { __posted: unknown[]; __violations: string[]; __state: unknown; __pwned?: number };
const posted = (page: Page) => page.evaluate(() => (window as unknown as Probe).__posted);
const violations = (page: Page) => page.evaluate(() => (window as unknown as Probe).__violations);
const text = async (page: Page, selector: string) =>
  (await page.locator(selector).first().textContent()) ?? '';

/** The examples shown, top to bottom (rows are placed by transform, in any DOM order). */
function shownRows(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('#rows .row')]
      .map((row) => ({ index: Number(row.dataset['index']), y: new DOMMatrix(row.style.transform).m42 }))
      .sort((a, b) => a.y - b.y)
      .map((row) => row.index),
  );
}

async function openReport(report: EvaluationReport, path = PATH): Promise<Page> {
  const page = await host.open('/evaluation');
  const { report: sent, tokens } = withoutTokens(report);
  await post(page, { type: 'report', path, report: sent, tokens });
  await page.waitForSelector('#rows .row');
  return page;
}

/** VS Code's Dark+ colours, as a webview receives them, set through CSSOM (the CSP blocks style tags). */
async function darkTheme(page: Page): Promise<void> {
  await page.evaluate(() => {
    const vars: Record<string, string> = {
      foreground: '#cccccc',
      'editor-background': '#1e1e1e',
      'font-family': 'system-ui, sans-serif',
      'font-size': '13px',
      'editor-font-family': 'monospace',
      'editor-font-size': '12px',
      descriptionForeground: 'rgba(204, 204, 204, 0.7)',
      'widget-border': '#454545',
      'badge-background': '#616161',
      'badge-foreground': '#f8f8f8',
      'button-background': '#0e639c',
      'button-foreground': '#ffffff',
      'button-secondaryBackground': '#3a3d41',
      'button-secondaryForeground': '#ffffff',
      'textLink-foreground': '#3794ff',
      'diffEditor-insertedTextBackground': 'rgba(156, 204, 44, 0.2)',
      'diffEditor-removedTextBackground': 'rgba(255, 0, 0, 0.2)',
      'testing-iconPassed': '#73c991',
      errorForeground: '#f48771',
      'list-hoverBackground': '#2a2d2e',
      'editorWidget-background': '#252526',
      'input-background': '#3c3c3c',
      'input-foreground': '#cccccc',
      'dropdown-background': '#3c3c3c',
      'dropdown-foreground': '#f0f0f0',
    };
    for (const [name, value] of Object.entries(vars))
      document.documentElement.style.setProperty(`--vscode-${name}`, value);
    document.body.classList.add('vscode-dark');
  });
}

test('the fixture: metrics side by side with difference, interval and signatures; verdict, outcomes, flips', async () => {
  const page = await openReport(fixtureReport());
  const f1 = await page.locator('#metrics tr[data-metric="f1"] td').allTextContents();
  assert.deepEqual(f1, ['token F1primary', '0.571', '0.972', '+0.401', '+0.050 to +0.600']);
  assert.match(
    await text(page, '#metrics tr[data-metric="bleu"]'),
    /nrefs:1\|case:mixed\|eff:no\|tok:13a\|smooth:exp/,
  );
  assert.match(await text(page, '#verdict'), /^Tuned is better on F1 \(\+0\.33, 95% CI/);
  assert.deepEqual(await page.locator('#outcomes button').allTextContents(), [
    '6 all',
    '4 improved',
    '0 regressed',
    '2 unchanged',
    '1 both wrong',
    '0 errors',
  ]);
  assert.deepEqual(await page.locator('table.flip[data-table="0"] button').allTextContents(), [
    '2',
    '0',
    '3',
    '1',
  ]);
  assert.match(
    await text(page, 'table.flip[data-table="0"] caption'),
    /exact match \(normalised\) McNemar p = 0\.250/,
  );
  assert.deepEqual(await shownRows(page), [0, 1, 2, 3, 4, 5]);
  assert.equal(await text(page, '#shown'), '6 examples');
  // Kenya: the tuned output differs from the reference in one word, marked both ways.
  const kenya = page.locator('.row[data-index="3"] .output.tuned');
  assert.equal(await kenya.locator('del').textContent(), 'Nairobi');
  assert.equal(await kenya.locator('ins').textContent(), 'Mombasa');
  assert.equal(await kenya.textContent(), 'The capital of Kenya is NairobiMombasa .');
  assert.equal(
    await page
      .locator('.row[data-index="1"] .output.base ins, .row[data-index="1"] .output.base del')
      .count(),
    0,
  );
  assert.match(
    await text(page, '.row[data-index="0"] .scores'),
    /improved · base ✗ tuned ✓F1 0\.308 → 1\.000 \(\+0\.692\)/,
  );
  assert.equal(await text(page, '.row[data-index="0"] .prompt'), 'user: What is the capital of Peru?');
  assert.deepEqual(await violations(page), [], 'the page and its vscode-elements run under the CSP');
  await page.screenshot({ path: `${SHOTS}/webview-evaluation.png`, fullPage: true });
  await page.close();
});

test('outcome chips, flip-table cells, search and sort choose and order the rows; the view is saved', async () => {
  const page = await openReport(fixtureReport());
  const chip = (label: string) => page.locator('#outcomes button', { hasText: label });
  await chip('improved').click();
  assert.deepEqual(await shownRows(page), [0, 2, 3, 5]);
  assert.equal(await chip('improved').getAttribute('aria-pressed'), 'true');
  assert.equal(await text(page, '#shown'), '4 of 6 examples');
  await chip('regressed').click();
  assert.deepEqual(await shownRows(page), []);
  assert.equal(await page.locator('#empty').isVisible(), true);
  await chip('both wrong').click();
  assert.deepEqual(await shownRows(page), [3]);
  // Fixes by exact match: wrong for base, right for tuned.
  await page.locator('table.flip[data-table="0"] button.tuned_only').click();
  assert.deepEqual(await shownRows(page), [0, 2, 5]);
  assert.equal(await chip('both wrong').getAttribute('aria-pressed'), 'false');
  assert.equal(
    await page.locator('table.flip[data-table="0"] button.tuned_only').getAttribute('aria-pressed'),
    'true',
  );
  await page.locator('table.flip[data-table="1"] button.both_right').click();
  assert.deepEqual(await shownRows(page), [1, 4, 5]);
  await chip('all').click();

  await page.locator('#search input').fill('KENYA');
  await until('search applied', async () => (await shownRows(page)).join() === '3');
  await page.locator('#search input').fill('');
  await until('search cleared', async () => (await shownRows(page)).length === 6);

  await page.evaluate(() => {
    const select = document.getElementById('sort') as HTMLElement & { value: string };
    select.value = 'f1:delta';
    select.dispatchEvent(new Event('change'));
  });
  assert.deepEqual(await shownRows(page), [3, 2, 0, 5, 1, 4], 'largest F1 gain first, ties in report order');
  assert.match(await text(page, '.row[data-index="3"] .scores'), /F1 0\.000 → 0\.833/);
  await page.locator('#direction').click();
  assert.deepEqual(await shownRows(page), [1, 4, 5, 0, 2, 3]);
  assert.match(await text(page, '#direction'), /ascending/);
  const state = (await page.evaluate(() => (window as unknown as Probe).__state)) as {
    path: string;
    view: unknown;
  };
  assert.deepEqual(state, {
    path: PATH,
    view: { filter: { kind: 'all' }, sort: { key: 'f1', of: 'delta', descending: false }, query: '' },
  });
  await page.close();
});

test('a reloaded page gets back the view it saved; the same file re-read keeps the view', async () => {
  const page = await host.open('/evaluation');
  await page.evaluate(
    (path) =>
      ((window as unknown as Probe).__state = {
        path,
        view: { filter: { kind: 'outcome', outcome: 'improved' }, sort: { key: 'index' }, query: 'capital' },
      }),
    PATH,
  );
  const { report } = withoutTokens(fixtureReport());
  await post(page, { type: 'report', path: PATH, report, tokens: false });
  assert.deepEqual(await shownRows(page), [0, 2, 3, 5]);
  assert.equal(await page.locator('#search input').inputValue(), 'capital');
  report.examples[0]!.outcome = 'regressed';
  await post(page, { type: 'report', path: PATH, report, tokens: false });
  assert.deepEqual(await shownRows(page), [2, 3, 5], 'the re-evaluated file, same filter');
  await post(page, { type: 'problem', path: PATH, message: `${PATH} is not valid JSON: Unexpected end` });
  assert.match(
    await text(page, '#banner'),
    /not valid JSON: Unexpected end The panel shows the version read before\./,
  );
  assert.deepEqual(await shownRows(page), [2, 3, 5]);
  await page.close();
});

test('a file that is no report says what is wrong with it, naming the file', async () => {
  const page = await host.open('/evaluation');
  await post(page, {
    type: 'problem',
    path: PATH,
    message: `${PATH} is not an evaluation report (version 1): /version must be equal to constant`,
  });
  assert.match(
    await text(page, '#status'),
    /final\.json is not an evaluation report \(version 1\): \/version/,
  );
  // A report that fails the schema is dropped on receipt, not half shown.
  await post(page, { type: 'report', path: PATH, report: { ...fixtureReport(), version: 2 }, tokens: false });
  assert.equal(await page.locator('#rows .row').count(), 0);
  await page.close();
});

test('an expanded row: turns, the reference shaded by Δlog-prob (tokens asked for), every score, actions', async () => {
  const page = await openReport(fixtureReport());
  await darkTheme(page);
  assert.equal(
    await page.locator('#legend').isVisible(),
    true,
    'the report has tokens: the legend says what the shades mean',
  );
  await page.locator('.row[data-index="3"] .expand').click();
  await until('tokens requested', async () =>
    JSON.stringify(await posted(page)).includes('"tokens","index":3'),
  );
  const tokens = fixtureReport().examples[3]!.tokens!;
  await post(page, { type: 'tokens', index: 3, tokens });
  const shaded = page.locator('.row[data-index="3"] .reference .tok');
  await until('reference shaded', async () => (await shaded.count()) === 7);
  // " Nairobi": base −6.1, tuned −2.5: Δ +3.6, shade 4 of 5.
  assert.equal(await shaded.nth(5).getAttribute('class'), 'tok s4');
  assert.equal(
    await shaded.nth(5).getAttribute('title'),
    '" Nairobi": log-prob base -6.10, tuned -2.50, Δ +3.60',
  );
  assert.equal(await text(page, '.row[data-index="3"] .turn .role'), 'user');
  assert.equal(await page.locator('.row[data-index="3"] .example-scores tr').count(), 10);
  await page.locator('.row[data-index="3"] [data-action="openHeldout"]').click();
  await page
    .locator('.row[data-index="3"] [data-action="compareInDiff"][data-left="base"][data-right="tuned"]')
    .click();
  await page.locator('.row[data-index="3"] [data-action="compareInDiff"][data-left="tuned"]').click();
  await page.locator('#export-html').click();
  assert.deepEqual((await posted(page)).slice(-4), [
    { type: 'openHeldout', index: 3 },
    { type: 'compareInDiff', index: 3, left: 'base', right: 'tuned' },
    { type: 'compareInDiff', index: 3, left: 'tuned', right: 'reference' },
    { type: 'export', format: 'html' },
  ]);
  const rows = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('#rows .row')].map((row) => ({
      index: row.dataset['index'],
      top: new DOMMatrix(row.style.transform).m42,
      height: row.offsetHeight,
    })),
  );
  const kenya = rows.find((row) => row.index === '3')!;
  const chile = rows.find((row) => row.index === '4')!;
  assert.ok(kenya.height > 66, `expanded row grew (${kenya.height} px)`);
  assert.equal(chile.top, kenya.top + kenya.height, 'the rows below moved down by its height, no overlap');
  assert.deepEqual(await violations(page), []);
  await page.screenshot({ path: `${SHOTS}/webview-evaluation-dark.png`, fullPage: true });
  await page.locator('.row[data-index="3"] .expand').click();
  assert.equal(
    await page.locator('.row[data-index="4"]').evaluate((row) => new DOMMatrix(row.style.transform).m42),
    kenya.top + 66,
  );
  await page.close();
});

test('the other evaluations of the run: metric per checkpoint, and a report to open', async () => {
  const page = await openReport(fixtureReport());
  const report = fixtureReport();
  const at = (id: string, step: number, f1: number, current = false) => ({
    path: `/workspace/.tunesmith/runs/tiny-1/evaluations/${id}.json`,
    id,
    step,
    primary: 'f1',
    metrics: { base: report.metrics.base, tuned: { ...report.metrics.tuned, f1 } },
    current,
  });
  await post(page, {
    type: 'others',
    reports: [at('checkpoint-50', 50, 0.6), at('checkpoint-100', 100, 0.8), at('final', 150, 0.9722, true)],
  });
  assert.equal(await page.locator('#others').isVisible(), true);
  assert.equal(await page.locator('#others-chart canvas').count(), 1);
  assert.deepEqual(await page.locator('#others-list li').allTextContents(), [
    'checkpoint-50 · step 50 · F1 0.600 · EM 83.3%',
    'checkpoint-100 · step 100 · F1 0.800 · EM 83.3%',
    'final · step 150 · F1 0.972 · EM 83.3% (shown)',
  ]);
  await page.locator('#others-list button', { hasText: 'checkpoint-100' }).click();
  assert.deepEqual((await posted(page)).at(-1), {
    type: 'openReport',
    path: at('checkpoint-100', 100, 0).path,
  });
  // A point of the chart opens its checkpoint too; the shown report's own point does nothing.
  const pointAt = (step: number) =>
    page.evaluate(
      (at) =>
        (
          window as unknown as {
            __evaluation: { others: { pointAt(step: number): { x: number; y: number } } };
          }
        ).__evaluation.others.pointAt(at),
      step,
    );
  const fifty = await pointAt(50);
  await page.mouse.move(fifty.x, fifty.y);
  await page.mouse.click(fifty.x, fifty.y);
  assert.deepEqual((await posted(page)).at(-1), {
    type: 'openReport',
    path: at('checkpoint-50', 50, 0).path,
  });
  const count = (await posted(page)).length;
  const last = await pointAt(150);
  await page.mouse.move(last.x, last.y);
  await page.mouse.click(last.x, last.y);
  const zero = await pointAt(0);
  await page.mouse.move(zero.x, zero.y);
  await page.mouse.click(zero.x, zero.y);
  assert.equal(
    (await posted(page)).length,
    count,
    'neither the shown report nor the base model opens anything',
  );
  await page.screenshot({ path: `${SHOTS}/webview-evaluation-checkpoints.png`, fullPage: true });
  await page.close();
});

test('a one-system report shows what it has: no base column, difference or flip tables', async () => {
  const report = fixtureReport();
  delete report.systems.base;
  delete report.metrics.base;
  delete report.metrics.delta;
  report.comparison = null;
  for (const example of report.examples) {
    delete example.outputs.base;
    delete example.scores.base;
    delete example.correct.base;
    delete example.tokens;
    example.outcome = 'unchanged';
  }
  report.source = {
    kind: 'score',
    predictions: {
      path: '/data/predictions.jsonl',
      layout: 'columns',
      columns: { reference: 'label', tuned: 'predict' },
    },
  };
  const page = await openReport(report);
  assert.deepEqual(await page.locator('#columns .cell').allTextContents(), [
    '#',
    'prompt',
    'reference',
    'tuned',
    'scores',
  ]);
  assert.deepEqual(await page.locator('#metrics tr[data-metric="f1"] td').allTextContents(), [
    'token F1primary',
    '0.972',
  ]);
  assert.equal(await page.locator('table.flip').count(), 0);
  assert.equal(await page.locator('#verdict').isVisible(), false);
  assert.equal(await page.locator('#legend').isVisible(), false);
  assert.deepEqual(await page.locator('#outcomes button').allTextContents(), [
    '6 all',
    '1 wrong',
    '0 errors',
  ]);
  assert.equal(await page.locator('.row .output.base').count(), 0);
  assert.match(await text(page, '.row[data-index="0"] .scores'), /F1 1\.000$/);
  await page.close();
});

test('markup and scripts in every text of a report show as text; nothing runs, loads or breaks the CSP', async () => {
  const page = await host.open('/evaluation');
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const report = hostileReport();
  await post(page, { type: 'report', path: PATH, report: withoutTokens(report).report, tokens: true });
  await page.waitForSelector('#rows .row');
  for (const index of [0, 1, 2]) await page.locator(`.row[data-index="${index}"] .expand`).click();
  await post(page, { type: 'tokens', index: 1, tokens: report.examples[1]!.tokens });
  await page.locator('#details summary').click();
  const body = (await page.locator('body').textContent())!;
  for (const payload of PAYLOADS) assert.ok(body.includes(payload), `shown literally: ${payload}`);
  assert.equal(await text(page, '.row[data-index="0"] .turn .role'), PAYLOADS[1]);
  assert.equal(await text(page, '.row[data-index="1"] .reference .tok'), PAYLOADS[2]);
  assert.ok(
    (await text(page, '#metrics')).includes(`base ${PAYLOADS[0]}`),
    'system labels in the table heads',
  );
  // In the page's own DOM (vscode-elements draw their icons as SVG inside their shadow roots).
  const made = await page.evaluate(
    () => document.querySelectorAll('img, svg, iframe, a, b, object, embed').length,
  );
  assert.equal(made, 0, 'no element was made from the payloads');
  assert.equal(await page.locator('body script').count(), 1, 'only the panel script');
  assert.equal(await page.evaluate(() => (window as unknown as Probe).__pwned), undefined);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(await violations(page), []);
  await page.close();
});

test('the exported HTML page, opened in Chromium: every payload as text, no script, no request', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'tunesmith-export-')), 'final.html');
  writeFileSync(file, await reportHtml(hostileReport()));
  const page = await host.browser.newPage();
  const dialogs: string[] = [];
  const requests: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(`file://${file}`);
  const body = (await page.locator('body').textContent())!;
  for (const payload of PAYLOADS) assert.ok(body.includes(payload), `shown literally: ${payload}`);
  assert.equal(await page.locator('img, svg, iframe, script, a, b').count(), 0);
  assert.equal(await page.evaluate(() => (window as unknown as Probe).__pwned), undefined);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(requests, [`file://${file}`], 'self-contained: nothing else loaded');
  await page.screenshot({ path: `${SHOTS}/webview-evaluation-export.png`, fullPage: false });
  await page.close();
});

test('10,000 examples: only the rows in view are in the DOM; the end scrolls into view; filters and sort', async () => {
  const report = largeReport(10_000);
  const page = await openReport(report);
  const counted = async () => page.locator('#rows .row').count();
  assert.ok((await counted()) < 45, `${await counted()} rows in the DOM`);
  assert.equal(await text(page, '#shown'), '10,000 examples');
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await until('the last example shown', async () => (await shownRows(page)).includes(9999));
  const last = await page.locator('.row[data-index="9999"]').boundingBox();
  assert.ok(
    last && last.y + last.height <= 900 + 1 && last.y >= 0,
    `last row in the viewport: ${JSON.stringify(last)}`,
  );
  assert.ok((await counted()) < 45, `${await counted()} rows in the DOM at the end`);
  await page.screenshot({ path: `${SHOTS}/webview-evaluation-10k-end.png` });

  const flips = report.comparison!.flips[1]!;
  await page.locator('table.flip[data-table="1"] button.base_only').click();
  assert.equal(await text(page, '#shown'), `${flips.base_only} of 10,000 examples`);
  await page.locator('#outcomes button', { hasText: 'all' }).click();
  await page.evaluate(() => {
    const select = document.getElementById('sort') as HTMLElement & { value: string };
    select.value = 'f1:delta';
    select.dispatchEvent(new Event('change'));
  });
  const top = (await shownRows(page))[0]!;
  const best = report.examples.reduce(
    (most, example) => Math.max(most, example.scores.tuned.f1 - example.scores.base!.f1),
    -Infinity,
  );
  const example = report.examples[top]!;
  assert.equal(example.scores.tuned.f1 - example.scores.base!.f1, best, 'the largest gain first');
  assert.ok((await counted()) < 45);
  await page.close();
});
