/**
 * The dataset view's charts, from a `StatsCollector` fed the document and the document's findings:
 * histograms of tokens per example and per role (with the configured `tokens.max`), the format mix,
 * turns per example, labels, duplicate and near-duplicate clusters, PII and secret findings by type,
 * and the system prompts with their counts. Pure data: the language server computes it, the view
 * draws it, and every bar carries what filters the rows to it.
 */
import type { FormatId } from '../engine/formats.ts';
import type { Finding } from '../engine/types.ts';
import type { ResolvedConfig } from '../engine/config.ts';
import { readLineBatches } from '../engine/reader.ts';
import { SparseUnionFind } from '../rules/consistency/grouping.ts';
import { tokenCounterFor } from '../rules/tokens/counter.ts';
import { StatsCollector, familyOf } from './stats.ts';

/** Bin `i` holds the values from `i · width` to `(i + 1) · width − 1`. */
interface TokenHistogram {
  width: number;
  counts: number[];
  /** Examples (or examples with the role) counted, and the largest value. */
  total: number;
  max: number;
}

interface ClusterSizes {
  /** Clusters of `size` examples (the original and its copies): `clusters` of them. */
  size: number;
  clusters: number;
}

export interface DatasetCharts {
  examples: number;
  tokenizer: string;
  /** `tokens.max`: examples over it are reported by tokens/too-long and truncated by trainers. */
  maxTokens: number;
  overMax: number;
  tokens: TokenHistogram | null;
  roles: { role: string; histogram: TokenHistogram }[];
  formats: { format: FormatId; count: number }[];
  turns: { turns: number; count: number }[];
  /** Null when the answers are not labels (more than consistency.maxLabelClasses of them). */
  labels: { label: string; count: number }[] | null;
  duplicates: ClusterSizes[];
  nearDuplicates: ClusterSizes[];
  pii: { code: string; count: number }[];
  secrets: { code: string; count: number }[];
  /** The most frequent system prompts (text cut to SYSTEM_PROMPT_CHARS), then how many others. */
  systemPrompts: { text: string; length: number; count: number }[];
  otherSystemPrompts: number;
  noSystemPrompt: number;
}

/** About this many bins per histogram (fewer when the values span less). */
const TARGET_BINS = 30;
const SYSTEM_PROMPTS_SHOWN = 20;
const SYSTEM_PROMPT_CHARS = 2000;
/** Bars of a count chart (labels, codes); the rest are left out (the view says how many). */
const MAX_BARS = 50;
const DUPLICATE = 'consistency/duplicate';
const NEAR_DUPLICATE = 'consistency/near-duplicate';

/** The smallest of 1, 2, 5 × 10^k that splits 0…max into at most `target` bins (at least 1). */
export function binWidth(max: number, target = TARGET_BINS): number {
  const raw = (max + 1) / target;
  if (raw <= 1) return 1;
  let scale = 10 ** Math.floor(Math.log10(raw));
  for (;;) {
    for (const factor of [1, 2, 5]) if (factor * scale >= raw) return factor * scale;
    scale *= 10;
  }
}

/** A histogram of the non-negative values (a -1 is "none" and skipped). */
export function histogram(values: ArrayLike<number>): TokenHistogram | null {
  let max = -1;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value < 0) continue;
    total++;
    if (value > max) max = value;
  }
  if (total === 0) return null;
  const width = binWidth(max);
  const counts = new Array<number>(Math.floor(max / width) + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value >= 0) counts[Math.floor(value / width)]!++;
  }
  return { width, counts, total, max };
}

/**
 * Clusters of the findings of `code`, each naming its line and (as related information) the line
 * it copies: the connected groups of lines, counted by size.
 */
export function clusterSizes(findings: readonly Finding[], code: string): ClusterSizes[] {
  const lines = new SparseUnionFind();
  for (const finding of findings) {
    if (finding.code !== code) continue;
    const line = finding.range.start.line;
    const related = finding.related ?? [];
    if (related.length === 0) lines.find(line);
    for (const other of related) lines.union(line, other.range.start.line);
  }
  const sizes = new Map<number, number>();
  for (const line of lines.nodes()) {
    const top = lines.find(line);
    sizes.set(top, (sizes.get(top) ?? 0) + 1);
  }
  const bySize = new Map<number, number>();
  for (const size of sizes.values()) bySize.set(size, (bySize.get(size) ?? 0) + 1);
  return [...bySize].sort((a, b) => a[0] - b[0]).map(([size, clusters]) => ({ size, clusters }));
}

/** Near-duplicate findings are one per cluster already, with its size in their data. */
export function nearDuplicateClusterSizes(findings: readonly Finding[]): ClusterSizes[] {
  const bySize = new Map<number, number>();
  for (const finding of findings) {
    if (finding.code !== NEAR_DUPLICATE) continue;
    const size = finding.data?.clusterSize ?? 1 + (finding.related?.length ?? 0);
    bySize.set(size, (bySize.get(size) ?? 0) + 1);
  }
  return [...bySize].sort((a, b) => a[0] - b[0]).map(([size, clusters]) => ({ size, clusters }));
}

function countBy(findings: readonly Finding[], family: string): { code: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const finding of findings)
    if (familyOf(finding.code) === family) counts.set(finding.code, (counts.get(finding.code) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, MAX_BARS)
    .map(([code, count]) => ({ code, count }));
}

const ROLE_ORDER = ['system', 'user', 'assistant', 'tool'];

function datasetCharts(
  collector: StatsCollector,
  findings: readonly Finding[],
  maxTokens: number,
): DatasetCharts {
  const tokenValues = collector.tokenValues();
  let overMax = 0;
  for (const value of tokenValues) if (value > maxTokens) overMax++;
  const roles: DatasetCharts['roles'] = [];
  const rank = (role: string) => {
    const index = ROLE_ORDER.indexOf(role);
    return index === -1 ? ROLE_ORDER.length : index;
  };
  for (const role of [...collector.roleTokens.keys()].sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b),
  )) {
    const values = collector.roleTokens.get(role)!;
    const histogram_ = histogram(values.toArray());
    if (histogram_) roles.push({ role, histogram: histogram_ });
  }
  const formats = [...collector.formatCounts]
    .sort((a, b) => b[1] - a[1])
    .map(([format, count]) => ({ format, count }));
  const systemPrompts = [...collector.systemPrompts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, SYSTEM_PROMPTS_SHOWN)
    .map(([text, count]) => ({
      text: text.length > SYSTEM_PROMPT_CHARS ? text.slice(0, SYSTEM_PROMPT_CHARS) : text,
      length: text.length,
      count,
    }));
  let otherSystemPrompts = collector.otherSystemPrompts;
  if (collector.systemPrompts.size > SYSTEM_PROMPTS_SHOWN) {
    let shown = 0;
    for (const prompt of systemPrompts) shown += prompt.count;
    let all = 0;
    for (const count of collector.systemPrompts.values()) all += count;
    otherSystemPrompts += all - shown;
  }
  const labels = collector.labels();
  return {
    examples: collector.examples,
    tokenizer: collector.tokenizer.name,
    maxTokens,
    overMax,
    tokens: histogram(tokenValues),
    roles,
    formats,
    turns: [...collector.turnCounts].sort((a, b) => a[0] - b[0]).map(([turns, count]) => ({ turns, count })),
    labels: labels ? labels.slice(0, MAX_BARS).map(([label, count]) => ({ label, count })) : null,
    duplicates: clusterSizes(findings, DUPLICATE),
    nearDuplicates: nearDuplicateClusterSizes(findings),
    pii: countBy(findings, 'pii'),
    secrets: countBy(findings, 'secrets'),
    systemPrompts,
    otherSystemPrompts,
    noSystemPrompt: collector.noSystemPrompt,
  };
}

/** The charts and the per-line token counts that filter the rows by a bar of a token histogram. */
export interface ChartsOfLines {
  charts: DatasetCharts;
  /** Tokens per example by 0-based line; -1 for a line that holds no example. */
  lineTokens: number[];
  /** The same for each role's turns (overhead included); -1 where the example has none. */
  roleTokens: { role: string; tokens: number[] }[];
}

/** Lines counted between two yields to the event loop (about 50 ms of tokenizing on one core). */
const YIELD_EVERY = 1000;

/**
 * Reads `count` lines (`lineAt` gives undefined for a line too long to read) and their findings
 * under `config`: what the language server answers for an open document. Tokenizing is the cost
 * (about 40 µs a line of 120 bytes), so it yields every YIELD_EVERY lines, letting the server lint
 * and answer meanwhile, and gives up (undefined) once `current` turns false: the document changed.
 * Throws StatsProblem when the tokenizer fails on a line.
 */
export async function chartsOfLines(
  shown: string,
  config: ResolvedConfig,
  count: number,
  lineAt: (line: number) => string | undefined,
  findings: () => readonly Finding[],
  current: () => boolean = () => true,
): Promise<ChartsOfLines | undefined> {
  const collector = new StatsCollector(shown, config, tokenCounterFor(config));
  for (let line = 0; line < count; line++) {
    if (line > 0 && line % YIELD_EVERY === 0) {
      await new Promise((done) => setImmediate(done));
      if (!current()) return undefined;
    }
    collector.add(line, lineAt(line));
  }
  return chartsOfCollector(collector, findings(), config);
}

/**
 * The same charts of the file at `path`, streamed from disk one read batch at a time (memory holds a
 * batch and the per-line counts, never the text): what the server answers for a file it knows only
 * on disk. Yields as chartsOfLines does; `onProgress` hears the lines and bytes read so far then.
 */
export async function chartsOfFile(
  path: string,
  shown: string,
  config: ResolvedConfig,
  findings: () => readonly Finding[],
  current: () => boolean | Promise<boolean> = () => true,
  onProgress?: (lines: number, bytes: number) => void,
): Promise<ChartsOfLines | undefined> {
  const collector = new StatsCollector(shown, config, tokenCounterFor(config));
  let sinceYield = 0;
  for await (const batch of readLineBatches(path, { maxLineLength: config.maxLineLength })) {
    for (const line of batch) {
      collector.add(line.line, line.truncatedLength === undefined ? line.text : undefined);
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise((done) => setImmediate(done));
        if (!(await current())) return undefined;
        onProgress?.(line.line + 1, line.byteOffset + line.byteLength);
      }
    }
  }
  return chartsOfCollector(collector, findings(), config);
}

function chartsOfCollector(
  collector: StatsCollector,
  findings: readonly Finding[],
  config: ResolvedConfig,
): ChartsOfLines {
  return {
    charts: datasetCharts(collector, findings, config.tokens.max),
    lineTokens: collector.lineTokens.toArray(),
    roleTokens: [...collector.roleTokens].map(([role, values]) => ({ role, tokens: values.toArray() })),
  };
}
