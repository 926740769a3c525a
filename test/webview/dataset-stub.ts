/**
 * The dataset view's stub host, for its Chromium tests and benchmark: opens the page the editor
 * provider serves and answers its requests as the provider does, with the same row builder
 * (buildRow) and filter (filterLines), over lines generated or listed in memory, its statistics the
 * core's (chartsOfLines, what the language server answers) under the default configuration or
 * `config`; or, as the read-only view of a large file does, with its own code (DiskRows) over a file
 * on disk.
 */
import type { Page } from 'playwright-core';
import { basename } from 'node:path';
import { DEFAULT_CONFIG, type ResolvedConfig } from '../../src/core/engine/config.ts';
import type { Finding } from '../../src/core/engine/types.ts';
import { chartsOfFile, chartsOfLines, type ChartsOfLines } from '../../src/core/stats/charts.ts';
import { DiskRows } from '../../src/extension/dataset/disk-rows.ts';
import {
  buildRow,
  filterLines,
  inBatches,
  needsTokens,
  type FindingInput,
} from '../../src/extension/dataset/rows.ts';
import { StatsSource, fromDisk, tokensOf } from '../../src/extension/dataset/stats.ts';
import type { DatasetHostMessage, DatasetViewMessage } from '../../src/shared/dataset-protocol.ts';
import { post, type Host } from './host.ts';

export type DatasetProbe = {
  __posted: DatasetViewMessage[];
  __violations: string[];
  __pwned?: number;
  __toHost?: (message: unknown) => void;
  __dataset: { list: { renders: number[] }; rowsAt: number; documentAt: number; firstShown(): number };
};

export interface Dataset {
  lineCount: number;
  line(index: number): string;
  findings?: Map<number, FindingInput[]>;
  fixes?: string[];
  /** What the page saved with setState before its webview was dropped (a hidden tab). */
  state?: unknown;
  /** The line each finding of a line copies (its related location): duplicate clusters. */
  related?: Map<number, number[]>;
  config?: ResolvedConfig;
  /** The line the host asks the page to show first (the view opened from a text editor's cursor). */
  goto?: number;
}

/** The stub's findings as the engine's, for the statistics (which count them by code and cluster). */
function coreFindings(data: Dataset): Finding[] {
  const findings: Finding[] = [];
  for (const [line, list] of data.findings ?? [])
    for (const finding of list)
      findings.push({
        code: finding.code,
        severity: finding.severity,
        message: finding.message,
        range: {
          start: { line: finding.startLine, character: finding.startCharacter },
          end: { line: finding.endLine, character: finding.endCharacter },
        },
        related: (data.related?.get(line) ?? []).map((other) => ({
          message: 'the other',
          range: { start: { line: other, character: 0 }, end: { line: other, character: 1 } },
        })),
      });
  return findings;
}

/** Opens the view and answers it like the editor provider; returns the page and what it posted. */
export async function openDatasetView(
  host: Host,
  data: Dataset,
): Promise<{ page: Page; posted: DatasetViewMessage[] }> {
  const page = await host.open('/dataset');
  const posted: DatasetViewMessage[] = [];
  const send = (message: DatasetHostMessage) => post(page, message);
  const findingsOf = (line: number) => data.findings?.get(line) ?? [];
  let counted: Promise<ChartsOfLines> | undefined;
  const stats = () =>
    (counted ??= chartsOfLines('train.jsonl', data.config ?? DEFAULT_CONFIG, data.lineCount, data.line, () =>
      coreFindings(data),
    ).then((charts) => charts!));
  await page.exposeFunction('__toHost', async (message: DatasetViewMessage) => {
    posted.push(message);
    switch (message.type) {
      case 'rows':
        return send({
          type: 'rows',
          version: 1,
          rows: message.lines
            .filter((line) => line < data.lineCount)
            .map((line) => buildRow(line, data.line(line), findingsOf(line))),
        });
      case 'filter': {
        const tokens = needsTokens(message.filter) ? tokensOf({ version: 1, ...(await stats()) }) : undefined;
        const lines = await filterLines(
          message.filter,
          { of: findingsOf, lines: () => [...(data.findings?.keys() ?? [])].sort((a, b) => a - b) },
          inBatches(data.lineCount, data.line, 20_000),
          () => true,
          tokens,
        );
        if (lines !== undefined) return send({ type: 'filtered', id: message.id, lines });
        return;
      }
      case 'stats':
        return send({ type: 'stats', version: 1, charts: (await stats()).charts, message: null });
      case 'fixes':
        return send({
          type: 'fixes',
          line: message.line,
          finding: message.finding,
          titles: data.fixes ?? [],
        });
      default:
        return;
    }
  });
  await page.evaluate(() => {
    const probe = window as unknown as DatasetProbe;
    const push = probe.__posted.push.bind(probe.__posted);
    probe.__posted.push = (...items: DatasetViewMessage[]) => {
      for (const item of items) probe.__toHost?.(item);
      return push(...items);
    };
  });
  if (data.state !== undefined)
    await page.evaluate((state) => ((window as unknown as { __state: unknown }).__state = state), data.state);
  const codes = new Map<string, number>();
  for (const list of data.findings?.values() ?? [])
    for (const finding of list) codes.set(finding.code, (codes.get(finding.code) ?? 0) + 1);
  await send({
    type: 'document',
    name: 'train.jsonl',
    version: 1,
    lineCount: data.lineCount,
    findings: 1,
    codes: [...codes].map(([code, count]) => ({ code, severity: 'warning', count })),
  });
  if (data.goto !== undefined) await send({ type: 'goto', line: data.goto });
  return { page, posted };
}

/** Hooks `__toHost` to every message the page posts (from now on); returns what it posted. */
async function listen(
  page: Page,
  answer: (message: DatasetViewMessage) => Promise<void> | void,
): Promise<DatasetViewMessage[]> {
  const posted: DatasetViewMessage[] = [];
  await page.exposeFunction('__toHost', async (message: DatasetViewMessage) => {
    posted.push(message);
    await answer(message);
  });
  await page.evaluate(() => {
    const probe = window as unknown as DatasetProbe;
    const push = probe.__posted.push.bind(probe.__posted);
    probe.__posted.push = (...items: DatasetViewMessage[]) => {
      for (const item of items) probe.__toHost?.(item);
      return push(...items);
    };
  });
  return posted;
}

/**
 * Opens the view of a file on disk as the read-only view of a large file (sources.ts) serves it:
 * the same DiskRows, its document and notice announced as the index grows. `documents` lists the line
 * counts announced, in order.
 */
export async function openDiskDatasetView(
  host: Host,
  path: string,
  findings: Map<number, FindingInput[]> = new Map(),
): Promise<{
  page: Page;
  posted: DatasetViewMessage[];
  rows: DiskRows;
  documents: number[];
  /** performance.now() when the file was opened (the page had loaded). */
  openedAt: number;
}> {
  const page = await host.open('/dataset');
  const documents: number[] = [];
  const source = {
    of: (line: number) => findings.get(line) ?? [],
    lines: () => [...findings.keys()].sort((a, b) => a - b),
  };
  const send = (message: DatasetHostMessage) => post(page, message).catch(() => undefined);
  const announce = (): void => {
    documents.push(rows.lineCount);
    void send({
      type: 'document',
      name: basename(path),
      version: rows.version,
      lineCount: rows.lineCount,
      findings: 1,
      codes: [],
    });
    void send({ type: 'notice', message: rows.notice() });
  };
  const rows = new DiskRows(path, basename(path), announce);
  // The disk view's statistics as the extension serves them: the server's count from disk (the core's
  // chartsOfFile, version 0) through the host's StatsSource.
  const stats = new StatsSource(
    `file://${path}`,
    fromDisk(
      async () => {
        const counted = await chartsOfFile(path, basename(path), DEFAULT_CONFIG, () => []);
        return counted ? { version: 0, ...counted } : { error: 'cancelled' };
      },
      () => rows.version,
    ),
    () => rows.version,
    (message) => void send(message),
  );
  let filterId = -1;
  const posted = await listen(page, async (message) => {
    if (message.type === 'rows') {
      const read = await rows.rows(message.lines, source);
      if (read) await send({ type: 'rows', ...read });
    } else if (message.type === 'stats') {
      await (message.show ? stats.show() : stats.hide());
    } else if (message.type === 'filter') {
      filterId = message.id;
      const tokens = needsTokens(message.filter) ? await stats.tokens() : undefined;
      const lines = await filterLines(
        message.filter,
        source,
        rows.lines(),
        () => filterId === message.id,
        tokens,
      );
      if (lines !== undefined) await send({ type: 'filtered', id: message.id, lines });
    }
  });
  const openedAt = performance.now();
  await rows.open();
  return { page, posted, rows, documents, openedAt };
}

export const fromLines = (lines: string[], rest: Omit<Dataset, 'lineCount' | 'line'> = {}): Dataset => ({
  lineCount: lines.length,
  line: (index) => lines[index]!,
  ...rest,
});

/** Line `i` of a generated dataset: two-turn chats, every seventh a prompt/completion pair. */
export const syntheticLine = (i: number): string =>
  i % 7 === 3
    ? JSON.stringify({ prompt: `Question ${i}?`, completion: `Answer ${i}.` })
    : JSON.stringify({
        messages: [
          { role: 'user', content: `Question number ${i}: what is ${i} squared?` },
          { role: 'assistant', content: `${i * i}` },
        ],
      });
