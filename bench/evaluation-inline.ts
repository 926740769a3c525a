/**
 * `npm run bench:inline`: the editor's inline evaluation results on a 10,000-line held-out file and its
 * generated report (the panel benchmark's report, ~150 words per text, with each line's hash). A
 * benchmark, not a test: it prints figures for docs/benchmarks.md.
 *
 *   index:    reading the report into its summary (JSON.parse, schema check, the text-free line index):
 *             done once per version of the report, when the workspace is scanned or the file changes;
 *   provider: what provideCodeLenses does on opening the file (a stat of the report, placing every
 *             result, a title per lens), the first time (every evaluated line hashed), after a one-line
 *             edit, and after a line inserted on top (every result moved);
 *   hover:    one line's hover Markdown (word diffs of both outputs);
 *   editor:   with --editor, code-server with the packaged extension: Quick Open's Enter to the file's
 *             text and to the first lens drawn, on a first and a second opening of the file; then the
 *             same for a copy named .txt (a control: no language server reads it).
 *
 *   npm run bench:inline -- --repeat 5 --rows 10000 [--editor]
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  LENS_MARGIN,
  LineHashes,
  lensWindow,
  lineHash,
  placeResults,
  type Lines,
  type Placed,
} from '../src/extension/evaluation/inline-model.ts';
import { hoverMarkdown, lensTitle } from '../src/extension/evaluation/inline-text.ts';
import { ReportStore, type ReportSummary } from '../src/extension/evaluation/reports.ts';
import type { EvaluationReport } from '../src/shared/evaluation-report.ts';
import { fixtureReport, largeReport } from '../test/webview/evaluation-reports.ts';

const ROOT = resolve(import.meta.dirname, '..');

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '5' },
    rows: { type: 'string', default: '10000' },
    editor: { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
/** The lines a first screen shows, for the provider's window. */
const SCREEN = 50;
const repeat = Number(values.repeat);

const quantile = (list: number[], q: number): number => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;
const time = <T>(run: () => T): [T, number] => {
  const start = performance.now();
  const value = run();
  return [value, performance.now() - start];
};

/** The report's examples as the lines of a chat held-out file, each example's line_hash set from it. */
function workspace(): { root: string; report: string; heldout: string; lines: string[] } {
  const generated: EvaluationReport = largeReport(rows);
  const root = mkdtempSync(join(tmpdir(), 'tunesmith-bench-inline-'));
  const heldout = join(root, 'big/val.jsonl');
  const lines = generated.examples.map((example) =>
    JSON.stringify({
      messages: [
        { role: 'user', content: example.messages![1]!.content },
        { role: 'assistant', content: example.reference },
      ],
    }),
  );
  generated.examples.forEach((example, i) => (example.line_hash = lineHash(lines[i]!)));
  generated.source.heldout = { path: heldout, lines: lines.length };
  const report = join(root, '.tunesmith/runs/big/evaluations/final.json');
  mkdirSync(join(root, 'big'), { recursive: true });
  mkdirSync(join(root, '.tunesmith/runs/big/evaluations'), { recursive: true });
  writeFileSync(heldout, lines.join('\n') + '\n');
  writeFileSync(report, JSON.stringify(generated));
  // The control for the editor figures: the same file as plain text, which no language server reads.
  const control = join(root, 'big/val.txt');
  writeFileSync(control, lines.join('\n') + '\n');
  generated.source.heldout = { path: control, lines: lines.length };
  mkdirSync(join(root, '.tunesmith/runs/control/evaluations'), { recursive: true });
  writeFileSync(join(root, '.tunesmith/runs/control/evaluations/final.json'), JSON.stringify(generated));
  // Opened first, to wait for the extension's start and its scan of the reports: the fixture.
  const warm = fixtureReport();
  warm.source.heldout = { path: join(root, 'warm/warm.jsonl') };
  mkdirSync(join(root, 'warm'), { recursive: true });
  copyFileSync(join(ROOT, 'test/fixtures/evaluation-heldout.jsonl'), warm.source.heldout.path);
  mkdirSync(join(root, '.tunesmith/runs/warm/evaluations'), { recursive: true });
  writeFileSync(join(root, '.tunesmith/runs/warm/evaluations/final.json'), JSON.stringify(warm));
  return { root, report, heldout, lines };
}

const linesOf = (lines: readonly string[]): Lines => ({ count: lines.length, text: (line) => lines[line]! });

/** What the provider does once it has the summary: place every result, a title per lens near the first screen. */
function provide(
  summary: ReportSummary,
  lines: Lines,
  hashes: LineHashes,
): { placed: Placed; lenses: number } {
  const placed = placeResults(summary.lines, lines, hashes);
  const shown = lensWindow([{ start: 0, end: SCREEN }], lines.count);
  let lenses = 0;
  for (let line = shown.start; line <= shown.end; line += 1)
    for (const result of placed.byLine.get(line) ?? []) if (lensTitle(summary.lines, result)) lenses += 1;
  return { placed, lenses };
}

async function providerFigures(files: ReturnType<typeof workspace>): Promise<void> {
  const index: number[] = [];
  const first: number[] = [];
  const stat: number[] = [];
  const edited: number[] = [];
  const inserted: number[] = [];
  const hover: number[] = [];
  for (let run = 0; run < repeat; run += 1) {
    const store = new ReportStore();
    const start = performance.now();
    const summary = (await store.summary(files.report))!;
    index.push(performance.now() - start);
    const statStart = performance.now();
    await store.summary(files.report);
    stat.push(performance.now() - statStart);
    const hashes = new LineHashes();
    const [opened, firstMs] = time(() => provide(summary, linesOf(files.lines), hashes));
    first.push(firstMs);
    const expected = Math.min(rows, SCREEN + 1 + LENS_MARGIN);
    if (opened.lenses !== expected) throw new Error(`${opened.lenses} lenses, not ${expected}`);
    const edit = [...files.lines];
    edit[rows >> 1] = `${edit[rows >> 1]!} `;
    edited.push(time(() => provide(summary, linesOf(edit), hashes))[1]);
    const shifted = ['{"messages": []}', ...files.lines];
    const [moved, movedMs] = time(() => provide(summary, linesOf(shifted), hashes));
    inserted.push(movedMs);
    if (!moved.placed.results.every((result) => result.state === 'moved')) throw new Error('not all moved');
    const full = await store.get(files.report);
    if (!full.ok) throw new Error(full.problem);
    const line = rows >> 2;
    const placed = opened.placed.byLine.get(line)![0]!;
    hover.push(time(() => hoverMarkdown(files.report, full.report, full.report.examples[line]!, placed))[1]);
  }
  const row = (label: string, list: number[]) =>
    console.log(`| ${label} | ${ms(quantile(list, 0))} | ${ms(quantile(list, 0.5))} |`);
  console.log(`\n| ${rows.toLocaleString('en-US')} lines, ${repeat} runs | min | median |`);
  console.log('| --- | ---: | ---: |');
  row('report read into its summary and line index (once per report version)', index);
  row('summary of an unchanged report (a stat)', stat);
  row('**provider on opening: place every result, a title per lens**', first);
  row('provider after a one-line edit', edited);
  row('provider after a line inserted on top (every result moved)', inserted);
  row('hover Markdown of one line (two word diffs)', hover);
}

async function editorFigures(files: ReturnType<typeof workspace>): Promise<void> {
  const { openWorkbench, startEditor, until } = await import('../test/e2e/harness.ts');
  const editor = await startEditor({ workspace: files.root, log: 'debug' });
  const { browser, page } = await openWorkbench(editor.url);
  try {
    const openings: { name: string; lens: number; text: number; enter: number }[] = [];
    for (const name of ['warm/warm.jsonl', 'big/val.jsonl', 'big/val.jsonl', 'big/val.txt', 'big/val.txt']) {
      await until('Quick Open', async () => {
        await page.keyboard.press('Control+P');
        return page.waitForSelector('.quick-input-widget input', { timeout: 2_000 });
      });
      await page.keyboard.type(name);
      await until(`${name} in Quick Open`, async () =>
        ((await page.locator('.quick-input-list').textContent()) ?? '').includes(name.split('/')[1]!),
      );
      // In the page: the time of the Enter keydown, then of the first lens with text in the DOM.
      await page.evaluate(() => {
        const w = window as unknown as { __enter?: number; __lens?: number; __text?: number };
        w.__enter = w.__lens = w.__text = undefined;
        (window as unknown as { __enterEpoch?: number }).__enterEpoch = undefined;
        window.addEventListener(
          'keydown',
          (event) =>
            void (
              event.key === 'Enter' &&
              ((window as unknown as { __enterEpoch?: number }).__enterEpoch ??=
                performance.timeOrigin + event.timeStamp)
            ),
          { capture: true, once: true },
        );
        window.addEventListener(
          'keydown',
          (event) => void (event.key === 'Enter' && (w.__enter ??= event.timeStamp)),
          {
            capture: true,
            once: true,
          },
        );
        const observer = new MutationObserver(() => {
          if (
            w.__text === undefined &&
            [...document.querySelectorAll<HTMLElement>('.monaco-editor .view-line')].some((line) =>
              line.innerText.includes('messages'),
            )
          )
            w.__text = performance.now();
          const lens = [...document.querySelectorAll<HTMLElement>('.codelens-decoration')].find(
            (element) => element.innerText.trim() !== '',
          );
          if (lens && w.__lens === undefined) {
            w.__lens = performance.now();
            observer.disconnect();
          }
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      await page.keyboard.press('Enter');
      const figure = await until(
        'the first lens',
        () =>
          page.evaluate(() => {
            const w = window as unknown as { __enter?: number; __lens?: number; __text?: number };
            return w.__enter !== undefined && w.__lens !== undefined
              ? { lens: w.__lens - w.__enter, text: (w.__text ?? Number.NaN) - w.__enter }
              : undefined;
          }),
        120_000,
      );
      const enter = await page.evaluate(() => (window as unknown as { __enterEpoch: number }).__enterEpoch);
      if (!name.startsWith('warm/')) openings.push({ name, ...figure, enter });
      await page.keyboard.press('Control+W');
      await until('the editor closed', async () => (await page.locator('.tab').count()) === 0);
    }
    console.log("\n| code-server 4.139.1, from Quick Open's Enter | file text drawn | first lens drawn |");
    console.log('| --- | ---: | ---: |');
    // After the warm-up file's lenses: the extension started, its server ran and the reports were read.
    openings.forEach((figure, i) =>
      console.log(
        `| ${figure.name}${figure.name.endsWith('.txt') ? ' (plain text: no language server)' : ''}, ${i % 2 === 0 ? 'first' : 'second'} opening | ${ms(figure.text)} | ${ms(figure.lens)} |`,
      ),
    );
    // When the extension host asked our provider, and when it answered (its debug lines), from Enter.
    const calls = providerCalls(join(dirname(editor.logFile), 'user-data', 'logs'));
    console.log('\n| opening | provider asked | provider done | lenses |');
    console.log('| --- | ---: | ---: | ---: |');
    openings.forEach((figure, i) => {
      const next = openings[i + 1]?.enter ?? Number.POSITIVE_INFINITY;
      const call = calls.find(
        (c) => c.file === basename(figure.name) && c.asked >= figure.enter && c.asked < next,
      );
      console.log(
        `| ${figure.name} #${(i % 2) + 1} | ${call ? ms(call.asked - figure.enter) : '–'} | ${call ? ms(call.done - figure.enter) : '–'} | ${call?.lenses ?? '–'} |`,
      );
    });
  } finally {
    await browser.close();
    editor.stop();
  }
}

/** The provider's debug lines in the extension's log: which file, when asked and done (epoch ms). */
function providerCalls(logs: string): { file: string; asked: number; done: number; lenses: number }[] {
  const calls: { file: string; asked: number; done: number; lenses: number }[] = [];
  const line =
    /inline evaluation results: (\d+) lenses \(lines [^)]*\) on (\S+) in [\d.]+ ms \(asked at (\d+), done at (\d+)\)/g;
  for (const entry of readdirSync(logs, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.log')) continue;
    for (const match of readFileSync(join(entry.parentPath, entry.name), 'utf8').matchAll(line))
      calls.push({
        lenses: Number(match[1]),
        file: match[2]!,
        asked: Number(match[3]),
        done: Number(match[4]),
      });
  }
  return calls.sort((a, b) => a.asked - b.asked);
}

async function main(): Promise<void> {
  console.log(
    `Node ${process.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
  );
  const files = workspace();
  console.log(`${rows.toLocaleString('en-US')}-line held-out file and its report in ${files.root}`);
  await providerFigures(files);
  if (values.editor) await editorFigures(files);
}

await main();
