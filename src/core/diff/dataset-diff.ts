/**
 * What changed between two versions of a dataset: examples added, removed and changed, matched by
 * content (the baseline's `contentHash`, so moving lines around changes nothing), and the drift of its
 * statistics (those of `tunesmith stats`, plus the system prompts) with a summary in plain words.
 * "Changed" is an example whose prompt is still there with another answer: a removed and an added
 * example with the same prompt (`promptText`, the core's reading of the five formats).
 * `diffDatasets` is the whole comparison: `tunesmith diff` and the editor's "Compare Dataset with
 * Revision…" (through the language server) both run it, each linting the two files its own way.
 */
import { createHash } from 'node:crypto';
import type { ResolvedConfig } from '../engine/config.ts';
import { contentHash } from '../engine/content-hash.ts';
import { promptText, systemTurn, toExample, type Example } from '../engine/formats.ts';
import { readLineBatches } from '../engine/reader.ts';
import type { Finding } from '../engine/types.ts';
import { collectStats, type DatasetStats, type TokenDistribution } from '../stats/stats.ts';

/** A line of a file, 0-based. */
interface LineText {
  line: number;
  text: string;
}

/** An example named in the report: its 1-based line and the start of its text. */
export interface ExampleRef {
  line: number;
  preview: string;
}

interface ExampleDiff {
  unchanged: number;
  added: { count: number; examples: ExampleRef[] };
  removed: { count: number; examples: ExampleRef[] };
  changed: { count: number; examples: { old: ExampleRef; new: ExampleRef }[] };
}

const PREVIEW_CHARS = 120;
const ref = ({ line, text }: LineText): ExampleRef => ({
  line: line + 1,
  preview: text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text,
});

function exampleOf(text: string): Example | undefined {
  try {
    return toExample(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** The prompt an example answers, hashed; undefined for a line with no answer turn. */
function promptKey(text: string): string | undefined {
  const example = exampleOf(text);
  const prompt = example && promptText(example);
  return prompt === undefined ? undefined : createHash('sha256').update(prompt).digest('hex');
}

/** Content hash → the old lines that have it, first line first (a multiset: duplicates count). */
type ContentIndex = Map<string, number[]>;

export function indexContent(lines: Iterable<LineText>, index: ContentIndex = new Map()): ContentIndex {
  for (const { line, text } of lines) {
    if (text.trim() === '') continue;
    const hash = contentHash(text);
    const list = index.get(hash);
    if (list) list.push(line);
    else index.set(hash, [line]);
  }
  return index;
}

/**
 * Matches the new lines against the old file's index (consumed). Returns the new lines with no match;
 * what is left in the index are the old lines with none.
 */
export function matchNew(
  index: ContentIndex,
  lines: Iterable<LineText>,
  unmatched: LineText[] = [],
): { unchanged: number; unmatched: LineText[] } {
  let unchanged = 0;
  for (const item of lines) {
    if (item.text.trim() === '') continue;
    const hash = contentHash(item.text);
    const list = index.get(hash);
    if (list && list.length > 0) {
      list.shift();
      if (list.length === 0) index.delete(hash);
      unchanged++;
    } else unmatched.push(item);
  }
  return { unchanged, unmatched };
}

/** The old lines left in the index, ascending. */
export function leftOver(index: ContentIndex): Set<number> {
  const lines = new Set<number>();
  for (const list of index.values()) for (const line of list) lines.add(line);
  return lines;
}

/** Pairs removed and added examples that answer the same prompt: those are "changed". */
export function pairChanges(removed: LineText[], added: LineText[], limit = 20): ExampleDiff {
  const byPrompt = new Map<string, LineText[]>();
  for (const item of removed) {
    const key = promptKey(item.text);
    if (key === undefined) continue;
    const list = byPrompt.get(key);
    if (list) list.push(item);
    else byPrompt.set(key, [item]);
  }
  const changed: { old: LineText; new: LineText }[] = [];
  const paired = new Set<LineText>();
  const addedOnly: LineText[] = [];
  for (const item of added) {
    const key = promptKey(item.text);
    const old = key === undefined ? undefined : byPrompt.get(key)?.shift();
    if (old) {
      changed.push({ old, new: item });
      paired.add(old);
    } else addedOnly.push(item);
  }
  const removedOnly = removed.filter((item) => !paired.has(item));
  return {
    unchanged: 0,
    added: { count: addedOnly.length, examples: addedOnly.slice(0, limit).map(ref) },
    removed: { count: removedOnly.length, examples: removedOnly.slice(0, limit).map(ref) },
    changed: {
      count: changed.length,
      examples: changed.slice(0, limit).map((pair) => ({ old: ref(pair.old), new: ref(pair.new) })),
    },
  };
}

/** System prompt → examples that have it (the first turn, when it is a system turn). */
function countSystemPrompts(lines: Iterable<LineText>, counts = new Map<string, number>()) {
  for (const { text } of lines) {
    if (text.trim() === '') continue;
    const example = exampleOf(text);
    const system = example && systemTurn(example)?.content;
    if (system !== undefined) counts.set(system, (counts.get(system) ?? 0) + 1);
  }
  return counts;
}

export interface Shares {
  old: number;
  new: number;
}

interface DatasetDrift {
  examples: { old: number; new: number };
  tokens: { old: TokenDistribution | undefined; new: TokenDistribution | undefined };
  /** Share of examples (0–1) by format, label and system prompt. */
  formats: Record<string, Shares>;
  labels: Record<string, Shares> | undefined;
  systemPrompts: ({ text: string } & Shares)[];
  /** Findings by family (counts). */
  findings: Record<string, Shares>;
}

const SYSTEM_PROMPTS_SHOWN = 10;
const SYSTEM_PROMPT_CHARS = 160;

function shares(
  old: Record<string, number>,
  neu: Record<string, number>,
  oldTotal: number,
  newTotal: number,
) {
  const out: Record<string, Shares> = {};
  for (const key of new Set([...Object.keys(old), ...Object.keys(neu)]))
    out[key] = {
      old: oldTotal > 0 ? (old[key] ?? 0) / oldTotal : 0,
      new: newTotal > 0 ? (neu[key] ?? 0) / newTotal : 0,
    };
  return out;
}

function statsDrift(
  old: DatasetStats,
  neu: DatasetStats,
  oldSystems: Map<string, number>,
  newSystems: Map<string, number>,
): DatasetDrift {
  const findings: Record<string, Shares> = {};
  for (const key of new Set([...Object.keys(old.findings.byFamily), ...Object.keys(neu.findings.byFamily)]))
    findings[key] = { old: old.findings.byFamily[key] ?? 0, new: neu.findings.byFamily[key] ?? 0 };
  const systems = shares(
    Object.fromEntries(oldSystems),
    Object.fromEntries(newSystems),
    old.examples,
    neu.examples,
  );
  return {
    examples: { old: old.examples, new: neu.examples },
    tokens: { old: old.tokens, new: neu.tokens },
    formats: shares(old.formats, neu.formats, old.examples, neu.examples),
    // Only when both read as classification data: else "gone" would mean "not counted".
    labels: old.labels && neu.labels ? shares(old.labels, neu.labels, old.examples, neu.examples) : undefined,
    systemPrompts: Object.entries(systems)
      .sort((a, b) => Math.max(b[1].old, b[1].new) - Math.max(a[1].old, a[1].new))
      .slice(0, SYSTEM_PROMPTS_SHOWN)
      .map(([text, share]) => ({
        text: text.length > SYSTEM_PROMPT_CHARS ? `${text.slice(0, SYSTEM_PROMPT_CHARS - 1)}…` : text,
        ...share,
      })),
    findings,
  };
}

/** A share moves when it changes by at least this much (5 percentage points). */
const SHARE_MOVED = 0.05;
/** A token statistic moves when it changes by at least this fraction. */
const TOKENS_MOVED = 0.05;

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

function shareLines(what: (key: string) => string, record: Record<string, Shares>): string[] {
  const lines: string[] = [];
  for (const [key, share] of Object.entries(record).sort(
    (a, b) => Math.abs(b[1].new - b[1].old) - Math.abs(a[1].new - a[1].old),
  )) {
    const delta = share.new - share.old;
    if (Math.abs(delta) < SHARE_MOVED) continue;
    if (share.old === 0) lines.push(`${what(key)} is new: ${percent(share.new)} of examples.`);
    else if (share.new === 0) lines.push(`${what(key)} is gone (was ${percent(share.old)} of examples).`);
    else
      lines.push(
        `${what(key)} share ${delta > 0 ? 'rose' : 'fell'} from ${percent(share.old)} to ${percent(share.new)}.`,
      );
  }
  return lines;
}

function tokenLine(old: TokenDistribution | undefined, neu: TokenDistribution | undefined): string[] {
  if (!old || !neu) return [];
  const moved = (a: number, b: number) => Math.abs(b - a) >= TOKENS_MOVED * Math.max(1, a);
  const change = (a: number, b: number) => {
    if (a === 0) return '';
    const relative = ((b - a) / a) * 100;
    return ` (${relative >= 0 ? '+' : '−'}${Math.abs(relative).toFixed(0)}%)`;
  };
  const lines: string[] = [];
  if (moved(old.p50, neu.p50) || moved(old.p90, neu.p90))
    lines.push(
      `Tokens per example: median ${count(old.p50)} → ${count(neu.p50)}${change(old.p50, neu.p50)}, p90 ${count(old.p90)} → ${count(neu.p90)}${change(old.p90, neu.p90)}.`,
    );
  else lines.push(`Tokens per example about the same (median ${count(old.p50)} → ${count(neu.p50)}).`);
  if (old.overMax.examples !== neu.overMax.examples)
    lines.push(
      `Examples over tokens.max (${count(neu.overMax.limit)}): ${count(old.overMax.examples)} → ${count(neu.overMax.examples)}.`,
    );
  return lines;
}

/** The drift and the example changes, one sentence each, the largest first within each kind. */
function summarise(examples: ExampleDiff, drift: DatasetDrift): string[] {
  const systems = Object.fromEntries(
    drift.systemPrompts.map(({ text, old, new: neu }) => [text, { old, new: neu }]),
  );
  // Short lists each (a few formats, labels, system prompts): concat, not push(...).
  const lines = [
    `${plural(examples.added.count, 'example')} added, ${count(examples.removed.count)} removed, ${count(examples.changed.count)} changed (same prompt, another answer); ${count(examples.unchanged)} unchanged (${count(drift.examples.old)} → ${count(drift.examples.new)} examples).`,
  ].concat(
    tokenLine(drift.tokens.old, drift.tokens.new),
    shareLines((format) => `Format \`${format}\``, drift.formats),
    drift.labels ? shareLines((label) => `Label \`${label}\``, drift.labels) : [],
    shareLines((text) => `System prompt “${text.length > 60 ? `${text.slice(0, 59)}…` : text}”`, systems),
  );
  for (const [family, { old, new: neu }] of Object.entries(drift.findings))
    if (old !== neu) lines.push(`${family} findings: ${count(old)} → ${count(neu)}.`);
  return lines;
}

/** What `tunesmith diff --json` prints (less the names) and the editor's comparison shows. */
export interface DatasetDiff {
  summary: string[];
  examples: ExampleDiff;
  drift: DatasetDrift;
}

/** One side of a comparison: a file on disk, the name it is shown by, and its findings. */
interface DiffSide {
  path: string;
  shown: string;
  findings: readonly Finding[];
}

/** The lines of a file, 0-based, batch by batch. */
async function* linesOf(path: string, config: ResolvedConfig): AsyncGenerator<LineText[]> {
  let line = 0;
  for await (const batch of readLineBatches(path, { maxLineLength: config.maxLineLength }))
    yield batch.map((raw) => ({ line: line++, text: raw.text }));
}

/**
 * Compares two linted files, streaming: the old lines are indexed by content, the new lines matched
 * against them, then the old lines left are read again (memory holds hashes, not texts). `limit`:
 * examples listed of each kind.
 */
export async function diffDatasets(
  old: DiffSide,
  neu: DiffSide,
  config: ResolvedConfig,
  limit: number,
): Promise<DatasetDiff> {
  const oldStats = await collectStats(old.path, old.shown, config, old.findings);
  const newStats = await collectStats(neu.path, neu.shown, config, neu.findings);
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
  const drift = statsDrift(oldStats, newStats, oldSystems, newSystems);
  return { summary: summarise(examples, drift), examples, drift };
}
