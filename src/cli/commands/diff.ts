/** `tunesmith diff OLD NEW`: what changed between two versions of a dataset, for a person or for CI. */
import { resolve } from 'node:path';
import type { ResolvedConfig } from '../../core/engine/config.ts';
import { readLineBatches } from '../../core/engine/reader.ts';
import { parse } from '../args.ts';
import { EXIT, UsageError, type Command, type CommandIO } from '../command.ts';
import {
  countSystemPrompts,
  indexContent,
  leftOver,
  matchNew,
  pairChanges,
  statsDrift,
  summarise,
  type LineText,
} from '../dataset-diff.ts';
import { displayPath } from '../../core/io/files.ts';
import { applyRuleOverrides, loadConfig } from '../load-config.ts';
import { lintOneFile, parseThreads } from '../session.ts';
import { collectStats } from './stats.ts';

export const DIFF_USAGE = `Usage: tunesmith diff OLD NEW [--json] [--limit N] [--config FILE] [--rule CODE=SEVERITY] [--threads N]

Examples added, removed and changed between two versions of a dataset (matched by content, not by
line number), and the drift of its statistics: tokens per example, format mix, labels, system
prompts and findings, with a summary in plain words. --limit: examples listed of each kind (20).
`;

/** The lines of a file, 0-based, batch by batch. */
async function* linesOf(path: string, config: ResolvedConfig): AsyncGenerator<LineText[]> {
  let line = 0;
  for await (const batch of readLineBatches(path, { maxLineLength: config.maxLineLength }))
    yield batch.map((raw) => ({ line: line++, text: raw.text }));
}

async function statsOf(io: CommandIO, config: ResolvedConfig, threads: number | undefined, path: string) {
  const shown = displayPath(io.cwd, path);
  const linted = await lintOneFile(io, config, threads, path, shown);
  try {
    const stats = await collectStats(linted.path, shown, config, linted.findings);
    return { shown, path: linted.path, stats, close: () => linted.close() };
  } catch (error) {
    linted.close();
    throw error;
  }
}

export const diffCommand: Command = async (args, io) => {
  const { values, positionals } = parse('diff', args, {
    json: { type: 'boolean' },
    limit: { type: 'string' },
    config: { type: 'string' },
    rule: { type: 'string', multiple: true },
    threads: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(DIFF_USAGE);
    return EXIT.clean;
  }
  if (positionals.length !== 2) throw new UsageError('diff: expected OLD and NEW files\n\n' + DIFF_USAGE);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError('diff: --limit takes a whole number');
  const config = applyRuleOverrides(loadConfig(io, values.config).config, values.rule ?? []);
  const threads = parseThreads(values.threads);
  const old = await statsOf(io, config, threads, resolve(io.cwd, positionals[0]!));
  let neu: Awaited<ReturnType<typeof statsOf>>;
  try {
    neu = await statsOf(io, config, threads, resolve(io.cwd, positionals[1]!));
  } catch (error) {
    old.close();
    throw error;
  }
  try {
    return await compare(io, config, old, neu, limit, values.json === true);
  } finally {
    old.close();
    neu.close();
  }
};

type Side = Awaited<ReturnType<typeof statsOf>>;

async function compare(
  io: CommandIO,
  config: ResolvedConfig,
  old: Side,
  neu: Side,
  limit: number,
  json: boolean,
): Promise<number> {
  // Old lines indexed by content, new lines matched against them, then the old lines left re-read.
  const index = new Map<string, number[]>();
  const oldSystems = new Map<string, number>();
  for await (const batch of linesOf(old.path, config)) {
    indexContent(batch, index);
    countSystemPrompts(batch, oldSystems);
  }
  const added: LineText[] = [];
  const newSystems = new Map<string, number>();
  let unchanged = 0;
  for await (const batch of linesOf(neu.path, config)) {
    unchanged += matchNew(index, batch, added).unchanged;
    countSystemPrompts(batch, newSystems);
  }
  const gone = leftOver(index);
  index.clear();
  const removed: LineText[] = [];
  for await (const batch of linesOf(old.path, config))
    for (const item of batch) if (gone.has(item.line)) removed.push(item);

  const examples = { ...pairChanges(removed, added, limit), unchanged };
  const drift = statsDrift(old.stats, neu.stats, oldSystems, newSystems);
  const summary = summarise(examples, drift);
  if (json) {
    io.stdout(JSON.stringify({ old: old.shown, new: neu.shown, summary, examples, drift }, null, 2) + '\n');
    return EXIT.clean;
  }
  let out = `${old.shown} → ${neu.shown}\n\n${summary.map((line) => `  ${line}`).join('\n')}\n`;
  const list = (title: string, refs: { line: number; preview: string }[], total: number) => {
    if (refs.length === 0) return;
    out += `\n${title} (${total.toLocaleString('en-US')}${refs.length < total ? `, first ${refs.length}` : ''})\n`;
    for (const item of refs) out += `  ${String(item.line).padStart(7)}  ${item.preview}\n`;
  };
  list(`Added, lines of ${neu.shown}`, examples.added.examples, examples.added.count);
  list(`Removed, lines of ${old.shown}`, examples.removed.examples, examples.removed.count);
  if (examples.changed.examples.length > 0) {
    out += `\nChanged (${examples.changed.count.toLocaleString('en-US')}): old line → new line\n`;
    for (const pair of examples.changed.examples)
      out += `  ${String(pair.old.line).padStart(7)} → ${String(pair.new.line).padEnd(7)}  ${pair.new.preview}\n`;
  }
  io.stdout(out);
  return EXIT.clean;
}
