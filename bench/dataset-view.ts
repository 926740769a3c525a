/**
 * `npm run bench:dataset`: the dataset view in headless Chromium (the webview tests' stub host, the
 * page and CSP that ship) on a generated file of 1,000,000 lines, whose rows the stub builds with the
 * provider's own row builder as the page asks for them. A benchmark, not a test: it prints figures
 * for docs/benchmarks.md.
 *
 *   open:   from the document message to the first rows (with their data) in the DOM;
 *   scroll: frame times (requestAnimationFrame to requestAnimationFrame) while the list scrolls a
 *           fixed step every frame, the renderer's busy time per frame, and the list's own render;
 *   jump:   from "go to line 765,432" to that row, with its data, at the top.
 *
 *   npm run bench:dataset -- --repeat 3 --lines 1000000
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { CDPSession, Page } from 'playwright-core';
import { openDatasetView, syntheticLine } from '../test/webview/dataset-stub.ts';
import { startHost } from '../test/webview/host.ts';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '3' },
    lines: { type: 'string', default: '1000000' },
    frames: { type: 'string', default: '300' },
  },
});

interface Scroll {
  frames: number[];
  renders: number[];
  busyMs: number;
}

async function busy(session: CDPSession): Promise<number> {
  const { metrics } = await session.send('Performance.getMetrics');
  return (metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? 0) * 1000;
}

/** A string, not a function: tsx wraps named functions in a helper (__name) the page does not have. */
async function scroll(page: Page, step: number, count: number): Promise<Scroll> {
  const session = await page.context().newCDPSession(page);
  await session.send('Performance.enable');
  const before = await busy(session);
  const result = (await page.evaluate(`new Promise((resolve) => {
    const scroller = document.getElementById('scroller');
    const renders = window.__dataset.list.renders;
    renders.length = 0;
    const frames = [];
    let last = 0;
    function frame(time) {
      if (last) frames.push(time - last);
      last = time;
      if (frames.length >= ${count}) return resolve({ frames, renders: [...renders] });
      scroller.scrollTop += ${step};
      requestAnimationFrame(frame);
    }
    requestAnimationFrame(frame);
  })`)) as Omit<Scroll, 'busyMs'>;
  const after = await busy(session);
  await session.detach();
  return { ...result, busyMs: (after - before) / count };
}

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};
const ms = (value: number): string => `${value.toFixed(1)} ms`;

async function main(): Promise<void> {
  const lineCount = Number(values.lines);
  const repeat = Number(values.repeat);
  const frames = Number(values.frames);
  console.log(`Node ${process.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  const host = await startHost();
  const opens: number[] = [];
  const jumps: number[] = [];
  const scrolls: [number, Scroll][] = [];
  try {
    for (let run = 0; run < repeat; run++) {
      const started = performance.now();
      const { page } = await openDatasetView(host, { lineCount, line: syntheticLine });
      await page.waitForSelector('.row.example[data-line="0"]');
      opens.push(performance.now() - started);
      for (const step of [40, 200]) scrolls.push([step, await scroll(page, step, frames)]);
      const target = Math.min(765_431, lineCount - 1);
      const jumped = performance.now();
      await page.evaluate((line) => {
        const field = document.getElementById('goto') as HTMLElement & { value: string };
        field.value = String(line + 1);
        field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
      }, target);
      await page.waitForSelector(`.row.example[data-line="${target}"]`);
      jumps.push(performance.now() - jumped);
      await page.close();
    }
  } finally {
    await host.close();
  }
  console.log(`\n${lineCount.toLocaleString('en-US')} lines, ${repeat} runs`);
  console.log(
    `| open (page loaded to first rows with data) | min ${ms(quantile(opens, 0))} | median ${ms(quantile(opens, 0.5))} |`,
  );
  console.log(
    `| jump to line 765,432 (to its row with data) | min ${ms(quantile(jumps, 0))} | median ${ms(quantile(jumps, 0.5))} |`,
  );
  console.log(
    '\n| scroll, px per frame | frame p50 | frame p95 | frames > 20 ms | busy per frame | render p50 | p95 | max |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [step, { frames: times, renders, busyMs }] of scrolls)
    console.log(
      `| ${step} | ${ms(quantile(times, 0.5))} | ${ms(quantile(times, 0.95))} | ${times.filter((t) => t > 20).length} of ${times.length} | ${ms(busyMs)} | ${ms(quantile(renders, 0.5))} | ${ms(quantile(renders, 0.95))} | ${ms(quantile(renders, 1))} |`,
    );
}

await main();
