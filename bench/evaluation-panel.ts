/**
 * `npm run bench:webview`: the evaluation panel in headless Chromium (the webview tests' stub host,
 * the page and CSP that ship) with a generated 10,000-example report (~150 words per text, 28 MB
 * without tokens). A benchmark, not a test: it prints figures for docs/benchmarks.md.
 *
 *   open:   from the report message (its JSON text parsed in the page, as a webview receives it) to
 *           the first rows in the DOM and to the next frame after them (painted);
 *   scroll: frame times (requestAnimationFrame to requestAnimationFrame) while the page scrolls by a
 *           fixed step every frame, and the panel's own work per frame (its list update).
 *
 *   npm run bench:webview -- --repeat 3 --rows 10000
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { CDPSession, Page } from 'playwright-core';
import { withoutTokens } from '../src/extension/evaluation/reports.ts';
import { largeReport } from '../test/webview/evaluation-reports.ts';
import { startHost } from '../test/webview/host.ts';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '3' },
    rows: { type: 'string', default: '10000' },
    frames: { type: 'string', default: '300' },
  },
});

interface Open {
  parseMs: number;
  checkMs: number;
  headerMs: number;
  rowsMs: number;
  paintedMs: number;
}

/** Opens the report from its JSON text, as the webview host delivers a message. */
function open(page: Page): Promise<Open> {
  return page.evaluate(
    () =>
      new Promise<Open>((resolve) => {
        const w = window as unknown as {
          __json: string;
          __host(data: unknown): void;
          __evaluation: { rowsAt: number; checkMs: number; reportAt: number; headerAt: number };
        };
        const start = performance.now();
        const data: unknown = JSON.parse(w.__json);
        const parsed = performance.now();
        w.__host(data);
        const { rowsAt: rows, checkMs, reportAt, headerAt } = w.__evaluation;
        requestAnimationFrame(() =>
          setTimeout(() =>
            resolve({
              parseMs: parsed - start,
              checkMs,
              headerMs: headerAt - reportAt,
              rowsMs: rows - start,
              paintedMs: performance.now() - start,
            }),
          ),
        );
      }),
  );
}

interface Scroll {
  frames: number[];
  work: number[];
  /** The renderer's main-thread task time per frame (CDP Performance.getMetrics), and of it layout + style. */
  busyMs?: number;
  layoutMs?: number;
}

/** Main-thread time the page's renderer has spent in tasks, and in layout and style recalculation, in ms. */
async function mainThread(session: CDPSession): Promise<{ task: number; layout: number }> {
  const { metrics } = await session.send('Performance.getMetrics');
  const value = (name: string) => (metrics.find((metric) => metric.name === name)?.value ?? 0) * 1000;
  return { task: value('TaskDuration'), layout: value('LayoutDuration') + value('RecalcStyleDuration') };
}

/** A scroll measured with the renderer's busy time around it. */
async function measuredScroll(page: Page, step: number, count: number): Promise<Scroll> {
  const session = await page.context().newCDPSession(page);
  await session.send('Performance.enable');
  const before = await mainThread(session);
  const result = await scroll(page, step, count);
  const after = await mainThread(session);
  await session.detach();
  return {
    ...result,
    busyMs: (after.task - before.task) / count,
    layoutMs: (after.layout - before.layout) / count,
  };
}

/**
 * Scrolls `step` px every frame for `count` frames; frame intervals and the list's update time. A
 * string, not a function: tsx wraps named functions in a helper (__name) the page does not have.
 */
function scroll(page: Page, step: number, count: number): Promise<Scroll> {
  return page.evaluate(`new Promise((resolve) => {
    const probe = window.__evaluation;
    const frames = [];
    const work = [];
    let last = 0;
    const frame = (time) => {
      if (last) {
        frames.push(time - last);
        work.push(probe.table.lastUpdateMs);
      }
      last = time;
      if (frames.length >= ${count}) return resolve({ frames, work });
      window.scrollBy(0, ${step});
      requestAnimationFrame(frame);
    };
    window.scrollTo(0, 0);
    requestAnimationFrame(frame);
  })`);
}

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const ms = (value: number): string => `${value.toFixed(1)} ms`;
const median = (values: number[]): number => quantile(values, 0.5);

async function main(): Promise<void> {
  const rows = Number(values.rows);
  const repeat = Number(values.repeat);
  const frames = Number(values.frames);
  console.log(`Node ${process.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  const { report } = withoutTokens(largeReport(rows));
  const json = JSON.stringify({
    type: 'report',
    path: '/bench/evaluations/final.json',
    report,
    tokens: true,
  });
  console.log(
    `Report: ${rows.toLocaleString('en-US')} examples, message ${(json.length / 1e6).toFixed(1)} MB`,
  );
  const host = await startHost();
  const opens: Open[] = [];
  const scrolls = new Map<number, Scroll[]>();
  const controls = new Map<number, Scroll[]>();
  try {
    for (let run = 0; run < repeat; run += 1) {
      const page = await host.open('/evaluation');
      await page.evaluate((text) => ((window as unknown as { __json: string }).__json = text), json);
      opens.push(await open(page));
      for (const step of [40, 200]) {
        const result = await measuredScroll(page, step, frames);
        scrolls.set(step, [...(scrolls.get(step) ?? []), result]);
      }
      await page.close();
    }
    // The control: the same scroll of an empty page as tall, on this machine at this moment.
    const page = await host.browser.newPage({ viewport: { width: 1000, height: 900 } });
    await page.setContent('<div style="height: 700000px"></div>');
    await page.evaluate('window.__evaluation = { table: { lastUpdateMs: 0 } }');
    for (const step of [40, 200]) {
      const result = await measuredScroll(page, step, frames);
      controls.set(step, [...(controls.get(step) ?? []), result]);
    }
    await page.close();
  } finally {
    await host.close();
  }
  console.log('\n| open (10,000 rows) | min | median |');
  console.log('| --- | ---: | ---: |');
  for (const [label, pick] of [
    ['JSON.parse of the message', (o: Open) => o.parseMs],
    ['checking it against the report schema (generated validator)', (o: Open) => o.checkMs],
    ['the header (metrics, flips, counts)', (o: Open) => o.headerMs],
    ['message to first rows in the DOM (incl. parse, validation, header, filter)', (o: Open) => o.rowsMs],
    ['message to first rows painted', (o: Open) => o.paintedMs],
  ] as const)
    console.log(`| ${label} | ${ms(quantile(opens.map(pick), 0))} | ${ms(median(opens.map(pick)))} |`);
  console.log(
    '\n| scroll, px per frame | frame p50 | frame p95 | frames > 20 ms | main thread busy per frame (layout + style) | list update p50 | p95 | max |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const line = (label: string, { frames: times, work, busyMs = 0, layoutMs = 0 }: Scroll) => {
    const long = times.filter((time) => time > 20).length;
    console.log(
      `| ${label} | ${ms(quantile(times, 0.5))} | ${ms(quantile(times, 0.95))} | ${long} of ${times.length} | ${ms(busyMs)} (${ms(layoutMs)}) | ${ms(quantile(work, 0.5))} | ${ms(quantile(work, 0.95))} | ${ms(quantile(work, 1))} |`,
    );
  };
  for (const [step, results] of scrolls) for (const result of results) line(`${step}`, result);
  for (const [step, results] of controls)
    for (const result of results) line(`${step}, empty page (control)`, result);
}

await main();
