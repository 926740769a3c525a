/** The run panel in Chromium against a stub host, fed the event stream of a real tiny CPU run. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationReport } from '../../src/shared/evaluation-report.ts';
import { ROOT, post, recordedRun, startHost, type Host } from './host.ts';

let host: Host;
before(async () => {
  host = await startHost();
});
after(async () => {
  await host?.close();
});

const running = {
  type: 'state',
  state: 'running',
  cancel: { enabled: true },
  resume: { enabled: false, reason: 'The run is running.' },
};
const text = (page: Page, selector: string) => page.locator(selector).textContent();
const violations = (page: Page) =>
  page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
const draws = (page: Page) =>
  page.evaluate(() => (window as unknown as { __runPanel: { draws: number } }).__runPanel.draws);

/** Pixels of the smoothed train-loss colour (rgb(90,160,255)) on the chart's canvas. */
function curvePixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector('#chart canvas') as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4)
      if (
        Math.abs(data[i]! - 90) < 8 &&
        Math.abs(data[i + 1]! - 160) < 8 &&
        data[i + 2]! > 240 &&
        data[i + 3]! > 200
      )
        count += 1;
    return count;
  });
}

test('replaying a recorded run draws its loss curve and moves the progress bar to the end', async () => {
  const page = await host.open();
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted), [
    { type: 'ready' },
  ]);
  const events = recordedRun();
  await post(page, { type: 'reset', runId: 'tiny-run', events: [], log: [] });
  await post(page, running);
  assert.equal(await curvePixels(page), 0, 'no curve before any event');
  // In the batches the host sends while following events.jsonl.
  const half = events.findIndex((event) => event.type === 'log' && event.step >= 40);
  await post(page, { type: 'events', events: events.slice(0, half) });
  await page.waitForFunction(() =>
    /step \d+ \/ 75/.test(document.getElementById('progress-text')!.textContent!),
  );
  const midway = Number(await page.locator('#progress').getAttribute('value'));
  // The trainer reports progress once a second but logs more often: the bar follows the chart.
  const lastLogged = events.slice(0, half).findLast((event) => event.type === 'log')!.step;
  assert.equal(midway, lastLogged, `progress midway at the last logged step`);
  await page.waitForFunction(() => /^1\d train points/.test(document.getElementById('points')!.textContent!));
  assert.ok((await curvePixels(page)) > 50, 'the smoothed curve is drawn');

  await post(page, { type: 'events', events: events.slice(half) });
  const logs = events.filter((event) => event.type === 'log').length;
  const evals = events.filter((event) => event.type === 'eval').length;
  await page.waitForFunction(
    (expected) => document.getElementById('points')!.textContent === expected,
    `${logs} train points, ${evals} eval points`,
  );
  assert.match((await text(page, '#progress-text'))!, /^step 75 \/ 75 · 100%/);
  assert.equal(await page.locator('#progress').evaluate((bar: HTMLProgressElement) => bar.value), 75);
  assert.match((await text(page, '#checkpoint'))!, /step 75/);
  assert.notEqual(await text(page, '#lr'), '–');
  assert.match((await text(page, '#tps'))!, /^\d[\d,]*$/);
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __state: unknown }).__state), {
    runId: 'tiny-run',
  });
  assert.deepEqual(await violations(page), [], 'the page runs under its CSP without violations');
  await page.screenshot({ path: 'test-results/screenshots/webview-run-panel.png', fullPage: true });
  await page.close();
});

test('log lines, warnings and errors that hold markup render as text and nothing runs', async () => {
  const page = await host.open();
  const payload = '<img src=x onerror=window.__pwned=1>';
  const closing = '</script><script>window.__pwned=2</script>';
  const time = '2026-01-01T00:00:00+00:00';
  await post(page, { type: 'reset', runId: 'x', events: [], log: [`loading ${payload}`] });
  await post(page, { type: 'log', lines: [closing, `line ${payload}${closing}`] });
  await post(page, {
    type: 'events',
    events: [
      { v: 1, type: 'warning', time, message: `example says ${payload}`, hint: `remove ${closing}` },
      {
        v: 1,
        type: 'error',
        time,
        kind: 'data',
        message: closing,
        hint: payload,
        file: `${payload}.jsonl`,
        line: 3,
      },
    ],
  });
  await post(page, { type: 'notice', message: `events.jsonl line 9 skipped ${payload}` });
  const log = (await text(page, '#log'))!;
  assert.ok(log.includes(`loading ${payload}`) && log.includes(closing), log);
  const problems = (await text(page, '#problems'))!;
  assert.ok(problems.includes(`example says ${payload}`), problems);
  assert.ok(problems.includes(`What to do: remove ${closing}`), problems);
  assert.ok(problems.includes(`${payload}.jsonl, line 3`), problems);
  assert.equal(await page.locator('img').count(), 0, 'no element was created from the payload');
  assert.equal(await page.locator('body script').count(), 1, 'only the panel script');
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  await page.close();
});

test('a message of unknown shape is dropped; the buttons post typed messages and show why they are off', async () => {
  const page = await host.open();
  await post(page, { type: 'reset', runId: 'r', events: [], log: [] });
  const before = await draws(page);
  await post(page, { type: 'events', events: [{ v: 1, type: 'log', time: 't', step: -1, loss: 'NaN' }] });
  await post(page, {
    type: 'state',
    state: 'exploded',
    cancel: { enabled: true },
    resume: { enabled: true },
  });
  assert.equal(await draws(page), before);
  assert.equal(await text(page, '#state'), 'loading');
  await post(page, {
    type: 'state',
    state: 'cancelled',
    cancel: { enabled: false, reason: 'The run was cancelled.' },
    resume: { enabled: false, reason: 'Launching runs needs a trusted workspace.' },
  });
  assert.equal(await page.locator('#resume').isDisabled(), true);
  assert.equal(await text(page, '#resume-reason'), 'Launching runs needs a trusted workspace.');
  await post(page, running);
  await page.locator('#cancel').click();
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted), [
    { type: 'ready' },
    { type: 'cancel' },
  ]);
  await page.close();
});

/** The summary `evaluate` put in eval_finished for the recorded tiny run (test/fixtures/evaluation-report.recorded.json). */
function recordedSummary(verdict: string) {
  const report = JSON.parse(
    readFileSync(join(ROOT, 'test/fixtures/evaluation-report.recorded.json'), 'utf8'),
  ) as EvaluationReport;
  const headline = (system: 'base' | 'tuned') => {
    const metrics = report.metrics[system]!;
    const { exact_normalized, f1, rougeL, bleu, chrf } = metrics;
    return { exact_normalized, f1, rougeL, bleu, chrf };
  };
  return {
    output: '/w/.tunesmith/runs/tiny/evaluations/final.json',
    report: '/w/.tunesmith/runs/tiny/evaluations/final.json',
    id: 'final',
    examples: report.examples.length,
    exact_match: { base: report.metrics.base!.exact, tuned: report.metrics.tuned.exact },
    primary: report.primary,
    metrics: { base: headline('base'), tuned: headline('tuned') },
    outcomes: report.comparison!.outcomes,
    verdict,
    problems: 0,
  };
}

test('a finished evaluation shows its headline: the primary metric base → tuned, the verdict, the counts; Open Evaluation and Cancel Evaluation post typed messages', async () => {
  const page = await host.open();
  const payload = '<img src=x onerror=window.__pwned=1></script><script>window.__pwned=2</script>';
  const evaluate = { enabled: false, reason: 'The evaluation is running.' };
  await post(page, { type: 'reset', runId: 'tiny', events: [], log: [] });
  await post(page, {
    type: 'evaluation',
    evaluation: { state: 'running', phase: 'base', done: 3, total: 32 },
    evaluate,
  });
  assert.equal(await page.locator('#cancel-evaluation').isVisible(), true);
  assert.equal(await page.locator('#open-evaluation').isVisible(), false, 'no report yet');
  assert.equal(await page.locator('#evaluation-headline').isVisible(), false);
  await page.locator('#cancel-evaluation').click();

  const summary = recordedSummary(`n = 32. Tuned is better ${payload}`);
  await post(page, {
    type: 'evaluation',
    evaluation: { state: 'completed', summary },
    evaluate: { enabled: true },
  });
  assert.equal(await page.locator('#cancel-evaluation').isVisible(), false);
  assert.equal(await text(page, '#evaluation-metric'), 'token F1 0.036 → 1.000');
  assert.equal(await text(page, '#evaluation-change'), '(+0.964)');
  assert.equal(await page.locator('#evaluation-change.up').count(), 1);
  assert.equal(await text(page, '#evaluation-verdict'), `n = 32. Tuned is better ${payload}`);
  assert.equal(await text(page, '#evaluation-outcomes'), '32 improved0 regressed0 unchanged');
  assert.equal(await text(page, '#evaluation-examples'), '32');
  assert.equal(await page.locator('img').count(), 0, 'the verdict is text');
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  await page
    .locator('#evaluation')
    .screenshot({ path: 'test-results/screenshots/webview-run-evaluation.png' });
  await page.locator('#open-evaluation').click();

  // A cancelled re-evaluation keeps the previous report's headline and its button.
  await post(page, {
    type: 'evaluation',
    evaluation: { state: 'cancelled', summary },
    evaluate: { enabled: true },
  });
  assert.match(
    (await text(page, '#evaluation-text'))!,
    /cancelled: the previous evaluation below is unchanged/,
  );
  assert.equal(await text(page, '#evaluation-metric'), 'token F1 0.036 → 1.000');
  assert.equal(await page.locator('#open-evaluation').isVisible(), true);
  // A summary from before reports: exact match and the path, no headline, no button.
  const old = { output: '/r/evaluation.jsonl', examples: 6, exact_match: { base: 0, tuned: 0.5 } };
  await post(page, {
    type: 'evaluation',
    evaluation: { state: 'completed', summary: old },
    evaluate: { enabled: true },
  });
  assert.equal(await page.locator('#evaluation-headline').isVisible(), false);
  assert.equal(await page.locator('#open-evaluation').isVisible(), false);
  assert.equal(await text(page, '#evaluation-tuned'), '50%');
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted), [
    { type: 'ready' },
    { type: 'cancelEvaluation' },
    { type: 'openEvaluation' },
  ]);
  assert.deepEqual(await violations(page), []);
  await page.close();
});

test('one chart update with 100,000 points renders within a frame', async (t) => {
  const page = await host.open();
  await page.evaluate(() => {
    const time = '2026-01-01T00:00:00+00:00';
    const events = Array.from({ length: 100_000 }, (_, step) => ({
      v: 1,
      type: 'log',
      time,
      step,
      loss: 3 * Math.exp(-step / 20_000) + 0.3 * Math.sin(step / 7) * Math.random(),
      learning_rate: 2e-4,
    }));
    (window as unknown as { __host(d: unknown): void }).__host({
      type: 'reset',
      runId: 'big',
      events,
      log: [],
    });
  });
  await page.waitForFunction(() =>
    /^100,000 train points/.test(document.getElementById('points')!.textContent!),
  );
  const samples: number[] = [];
  for (let step = 100_000; step < 100_030; step += 1) {
    const before = await draws(page);
    await post(page, {
      type: 'events',
      events: [
        { v: 1, type: 'log', time: '2026-01-01T00:00:00+00:00', step, loss: 0.5, learning_rate: 2e-4 },
      ],
    });
    await page.waitForFunction(
      (count) => (window as unknown as { __runPanel: { draws: number } }).__runPanel.draws > count,
      before,
    );
    samples.push(
      await page.evaluate(
        () => (window as unknown as { __runPanel: { lastDrawMs: number } }).__runPanel.lastDrawMs,
      ),
    );
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)]!;
  const p90 = samples[Math.floor(samples.length * 0.9)]!;
  t.diagnostic(
    `chart update with 100,001 points: median ${median.toFixed(2)} ms, p90 ${p90.toFixed(2)} ms, max ${samples.at(-1)!.toFixed(2)} ms`,
  );
  assert.ok(median < 16, `median ${median} ms`);
  await page.close();
});
