/** The compare panel and the run panel's evaluation, in Chromium against the stub host. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { post, recordedRun, startHost, type Host } from './host.ts';

let host: Host;
before(async () => {
  host = await startHost();
});
after(async () => {
  await host?.close();
});

const text = (page: Page, selector: string) => page.locator(selector).textContent();
const violations = (page: Page) =>
  page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
const posted = (page: Page) => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted);

/** Pixels of one colour on the chart's canvas (the curves are drawn opaque, at full strength). */
function pixels(page: Page, [r, g, b]: [number, number, number]): Promise<number> {
  return page.evaluate(
    ([r, g, b]) => {
      const canvas = document.querySelector('#chart canvas') as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 0; i < data.length; i += 4)
        if (
          Math.abs(data[i]! - r!) < 10 &&
          Math.abs(data[i + 1]! - g!) < 10 &&
          Math.abs(data[i + 2]! - b!) < 10 &&
          data[i + 3]! > 200
        )
          count += 1;
      return count;
    },
    [r, g, b],
  );
}

function curves(scale: number) {
  const events = recordedRun();
  const train = { steps: [] as number[], values: [] as (number | null)[] };
  const evals = { steps: [] as number[], values: [] as (number | null)[] };
  for (const event of events) {
    if (event.type === 'log' && typeof event.loss === 'number') {
      train.steps.push(event.step);
      train.values.push(event.loss * scale);
    } else if (event.type === 'eval' && typeof event.eval_loss === 'number') {
      evals.steps.push(event.step);
      evals.values.push(event.eval_loss * scale);
    }
  }
  return { train, eval: evals };
}

test('the compare panel draws each run in its own colour with a legend naming it, as text', async () => {
  const page = await host.open('/compare');
  assert.deepEqual(await posted(page), [{ type: 'ready' }]);
  const payload = '<img src=x onerror=window.__pwned=1>';
  await post(page, {
    type: 'runs',
    runs: [
      { id: 'a', label: 'tiny-llama · lora (a)', ...curves(1) },
      { id: 'b', label: `tiny-llama · full ${payload}`, ...curves(0.6) },
    ],
    ids: ['a', 'b', 'c'],
  });
  await page.waitForFunction(
    () => (window as unknown as { __compare: { draws: number } }).__compare.draws > 0,
  );
  const items = await page.locator('#legend li').allTextContents();
  assert.equal(items.length, 2);
  assert.match(items[0]!, /^tiny-llama · lora \(a\) \d+ train, \d+ eval points$/);
  assert.ok(items[1]!.startsWith(`tiny-llama · full ${payload}`), items[1]);
  assert.ok((await pixels(page, [90, 160, 255])) > 50, 'the first run is drawn in blue');
  assert.ok((await pixels(page, [255, 150, 60])) > 50, 'the second run is drawn in orange');
  assert.equal(await page.locator('img').count(), 0);
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.deepEqual(await violations(page), [], 'the page runs under its CSP without violations');
  await page.screenshot({ path: 'test-results/screenshots/webview-compare.png', fullPage: true });
  assert.deepEqual(
    await page.evaluate(() => (window as unknown as { __state: unknown }).__state),
    { runIds: ['a', 'b', 'c'] },
    'the selection is saved for the serializer, a run not found yet included',
  );

  // A message of another shape is dropped: the chart keeps both runs.
  await post(page, {
    type: 'runs',
    runs: [{ id: 'c', label: 'x', train: { steps: [1], values: [] } }],
    ids: ['c'],
  });
  assert.equal(await page.locator('#legend li').count(), 2);

  // A running run's refresh with the same runs redraws the same chart with the new points.
  const canvas = await page.locator('#chart canvas').elementHandle();
  const drawsBefore = await page.evaluate(
    () => (window as unknown as { __compare: { draws: number } }).__compare.draws,
  );
  const longer = curves(1);
  longer.train.steps.push(longer.train.steps.at(-1)! + 1);
  longer.train.values.push(0.01);
  await post(page, {
    type: 'runs',
    runs: [
      { id: 'a', label: 'tiny-llama · lora (a)', ...longer },
      { id: 'b', label: `tiny-llama · full ${payload}`, ...curves(0.6) },
    ],
    ids: ['a', 'b', 'c'],
  });
  await page.waitForFunction(
    (before) => (window as unknown as { __compare: { draws: number } }).__compare.draws > before,
    drawsBefore,
  );
  assert.equal(await canvas!.evaluate((element) => element.isConnected), true, 'the chart was not rebuilt');
  assert.match(
    (await page.locator('#legend li').allTextContents())[0]!,
    new RegExp(` ${longer.train.steps.length} train`),
  );
  await page.close();
});

test('the run panel shows evaluation progress, then the summary as text; its buttons post typed messages', async () => {
  const page = await host.open();
  await post(page, { type: 'reset', runId: 'r', events: [], log: [] });
  assert.equal(await page.locator('#evaluation').isHidden(), true, 'no evaluation yet');
  await post(page, {
    type: 'events',
    events: [{ v: 1, type: 'log', time: 't', step: 2, loss: 1.5, gpu_memory_bytes: 3 * 2 ** 30 }],
  });
  assert.equal(await text(page, '#gpu'), '3.0 GiB');
  await post(page, {
    type: 'evaluation',
    evaluation: { state: 'running', phase: 'tuned', done: 4, total: 8 },
    evaluate: { enabled: false, reason: 'The evaluation is running.' },
  });
  assert.equal(await text(page, '#evaluation-text'), 'evaluating: tuned model, 4 / 8 examples');
  assert.equal(
    await page.locator('#evaluation-progress').evaluate((bar: HTMLProgressElement) => bar.value),
    12,
  );
  assert.equal(await page.locator('#evaluate').isDisabled(), true);
  assert.equal(await text(page, '#evaluate-reason'), 'The evaluation is running.');

  const output = '/runs/<img src=x onerror=window.__pwned=1>/evaluation.jsonl';
  await post(page, {
    type: 'evaluation',
    evaluation: {
      state: 'completed',
      summary: { output, examples: 8, exact_match: { base: 0.125, tuned: 0.875 } },
    },
    evaluate: { enabled: true },
  });
  assert.equal(await text(page, '#evaluation-examples'), '8');
  assert.equal(await text(page, '#evaluation-base'), '12.5%');
  assert.equal(await text(page, '#evaluation-tuned'), '87.5%');
  assert.equal(await text(page, '#evaluation-output'), `Generations side by side: ${output}`);
  assert.equal(await page.locator('#evaluation-progress').isHidden(), true);
  assert.equal(await page.locator('img').count(), 0);
  await page.screenshot({ path: 'test-results/screenshots/webview-run-evaluation.png', fullPage: true });

  await page.locator('#evaluate').click();
  await page.locator('#open-folder').click();
  assert.deepEqual(await posted(page), [{ type: 'ready' }, { type: 'evaluate' }, { type: 'openFolder' }]);

  await post(page, {
    type: 'evaluation',
    evaluation: { state: 'failed', message: 'no trained result yet', hint: 'Finish a run first.' },
    evaluate: { enabled: true },
  });
  assert.equal(
    await text(page, '#evaluation-text'),
    'evaluation failed: no trained result yet What to do: Finish a run first.',
  );
  assert.deepEqual(await violations(page), []);
  await page.close();
});
