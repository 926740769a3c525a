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
 *
 * `--disk`: the read-only view of a file too large for a TextDocument instead, served by its own code
 * (DiskRows: an offset index built in the background, pages read by byte offset) from a generated
 * file of `--lines` lines of ~1 KB (1,000,000: ~1 GB) written to `--file` (default in the temporary
 * folder, deleted afterwards unless `--keep`):
 *
 *   index:  LinePages alone, in Node: the first page read, and the whole file indexed;
 *   open:   new page to the first rows with data (the index still growing), and to the full count;
 *   jump:   to line 900,000 once the index is complete, from Enter to its row with data;
 *   scroll: as above, over the million rows read from disk.
 *
 *   npm run bench:dataset -- --disk --repeat 3
 */
import { once } from 'node:events';
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CDPSession, Page } from 'playwright-core';
import { LinePages } from '../src/core/io/line-pages.ts';
import { openDatasetView, openDiskDatasetView, syntheticLine } from '../test/webview/dataset-stub.ts';
import { startHost } from '../test/webview/host.ts';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '3' },
    lines: { type: 'string', default: '1000000' },
    frames: { type: 'string', default: '300' },
    disk: { type: 'boolean', default: false },
    file: { type: 'string', default: join(tmpdir(), 'dataset-view-bench-1gb.jsonl') },
    keep: { type: 'boolean', default: false },
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

/** Line `i` of the ~1 KB-a-line file: a two-turn chat whose texts vary with `i`. */
function kilobyteLine(i: number): string {
  const words = ['data', 'model', 'token', 'train', 'loss', 'batch', 'epoch', 'curve', 'label', 'split'];
  const text = (seed: number, length: number): string => {
    let out = '';
    for (let k = 0; out.length < length; k++) out += `${words[(seed + k * 7) % words.length]} `;
    return out.slice(0, length);
  };
  return JSON.stringify({
    messages: [
      { role: 'user', content: `Question number ${i}: ${text(i, 470)}` },
      { role: 'assistant', content: `Answer ${i}: ${text(i * 3, 470)}` },
    ],
  });
}

async function writeBigFile(path: string, lines: number): Promise<void> {
  const out = createWriteStream(path);
  for (let start = 0; start < lines; start += 10_000) {
    const chunk: string[] = [];
    for (let i = start; i < Math.min(lines, start + 10_000); i++) chunk.push(kilobyteLine(i));
    if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const dropped = (frames: number[]): number =>
  frames.reduce((sum, t) => sum + Math.max(0, Math.round(t / (1000 / 60)) - 1), 0);

/**
 * The Chromium frame timing of an open view, the same for the text and the disk views: `frames`
 * frames scrolled at 40 and then 200 px a frame (added to `scrolls`), then the time from "go to line
 * `target + 1`" to that row with its data.
 */
async function frameTiming(
  page: Page,
  frames: number,
  target: number,
  scrolls: [number, Scroll][],
): Promise<number> {
  for (const step of [40, 200]) scrolls.push([step, await scroll(page, step, frames)]);
  const jumped = performance.now();
  await page.evaluate((line) => {
    const field = document.getElementById('goto') as HTMLElement & { value: string };
    field.value = String(line + 1);
    field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
  }, target);
  await page.waitForSelector(`.row.example[data-line="${target}"]`);
  return performance.now() - jumped;
}

/** The table of `frameTiming`'s scrolls. */
function printScrolls(scrolls: [number, Scroll][]): void {
  console.log(
    '\n| scroll, px per frame | frame p50 | frame p95 | frame max | frames > 20 ms | dropped frames | busy per frame | render p50 | render p95 | render max |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [step, { frames: times, renders, busyMs }] of scrolls)
    console.log(
      `| ${step} | ${ms(quantile(times, 0.5))} | ${ms(quantile(times, 0.95))} | ${ms(quantile(times, 1))} | ${times.filter((t) => t > 20).length} of ${times.length} | ${dropped(times)} | ${ms(busyMs)} | ${ms(quantile(renders, 0.5))} | ${ms(quantile(renders, 0.95))} | ${ms(quantile(renders, 1))} |`,
    );
}

async function diskMain(): Promise<void> {
  const lineCount = Number(values.lines);
  const repeat = Number(values.repeat);
  const frames = Number(values.frames);
  const path = values.file!;
  console.log(`Node ${process.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  const written = performance.now();
  await writeBigFile(path, lineCount);
  const size = statSync(path).size;
  console.log(
    `wrote ${lineCount.toLocaleString('en-US')} lines, ${(size / 2 ** 20).toFixed(0)} MB in ${ms(performance.now() - written)}`,
  );
  const firstPages: number[] = [];
  const indexes: number[] = [];
  const opens: number[] = [];
  const fromFile: number[] = [];
  const counted: number[] = [];
  const jumps: number[] = [];
  const scrolls: [number, Scroll][] = [];
  const host = await startHost();
  try {
    for (let run = 0; run < repeat; run++) {
      // The index and a first page alone, without the page.
      const started = performance.now();
      const pages = await LinePages.open(path);
      let first: number | undefined;
      const read = async (): Promise<void> => {
        while (pages.index.count < 30) await new Promise((done) => setImmediate(done));
        await pages.read(Array.from({ length: 30 }, (_, i) => i));
        first = performance.now() - started;
      };
      await Promise.all([read(), pages.indexed]);
      firstPages.push(first!);
      indexes.push(performance.now() - started);
      await pages.close();

      const opened = performance.now();
      const { page, rows, openedAt } = await openDiskDatasetView(host, path);
      await page.waitForSelector('.row.example[data-line="0"]');
      opens.push(performance.now() - opened);
      fromFile.push(performance.now() - openedAt);
      await rows.indexed;
      await page.waitForFunction(
        (n) => document.getElementById('shown')?.textContent === `${n} lines`,
        lineCount.toLocaleString('en-US'),
        { timeout: 120_000 },
      );
      counted.push(performance.now() - opened);
      jumps.push(await frameTiming(page, frames, Math.min(899_999, lineCount - 1), scrolls));
      await page.close();
      await rows.close();
    }
  } finally {
    await host.close();
    if (!values.keep) rmSync(path, { force: true });
  }
  const line = (label: string, values: number[]) =>
    console.log(
      `| ${label} | ${ms(quantile(values, 0))} | ${ms(quantile(values, 0.5))} | ${ms(quantile(values, 1))} |`,
    );
  console.log(
    `\n${lineCount.toLocaleString('en-US')} lines, ${(size / 2 ** 20).toFixed(0)} MB, from disk, ${repeat} runs`,
  );
  console.log('| | min | median | max |\n| --- | ---: | ---: | ---: |');
  line('LinePages: first page of 30 lines read', firstPages);
  line('LinePages: whole file indexed', indexes);
  line('view: new page (bundle load included) to first rows with data', opens);
  line('view: file opened (page loaded) to first rows with data', fromFile);
  line('view: new page to the full count (index complete)', counted);
  line('view: jump to line 900,000 (to its row with data)', jumps);
  printScrolls(scrolls);
}

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
      jumps.push(await frameTiming(page, frames, Math.min(765_431, lineCount - 1), scrolls));
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
  printScrolls(scrolls);
}

await (values.disk ? diskMain() : main());
