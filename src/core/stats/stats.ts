/**
 * What a dataset holds: examples, formats and roles, tokens per example, duplicates, findings by
 * family, PII and secrets, and labels. The statistics of `tunesmith stats`, the sides `tunesmith
 * diff` and the editor's comparison set against each other, and the dataset view's charts. A
 * `StatsCollector` is fed the lines in order (from disk by `collectStats`, from the open document by
 * the language server) and the findings at the end: `finish` gives the statistics the CLI prints,
 * `datasetCharts` (charts.ts) the histograms and counts the view draws, from the same per-line facts.
 */
import type { ResolvedConfig } from '../engine/config.ts';
import {
  FORMAT_NAMES,
  answerTurn,
  systemTurn,
  toExample,
  type Example,
  type FormatId,
} from '../engine/formats.ts';
import { readLineBatches } from '../engine/reader.ts';
import type { Finding } from '../engine/types.ts';
import { hashJson } from '../rules/consistency/hashing.ts';
import { ALL_RULES } from '../rules/index.ts';
import { tokenCounterFor, type TokenCounter } from '../rules/tokens/counter.ts';

/** A problem meant for the user as is: a tokenizer that cannot be loaded or cannot count a line. */
export class StatsProblem extends Error {}

export interface TokenDistribution {
  tokenizer: string;
  /** Per example, as trainers render it: turn contents plus chat-template overhead per message. */
  counting: string;
  /** Percentiles by nearest rank: the smallest value with at least p% of examples at or below it. */
  definition: string;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  overMax: { limit: number; examples: number };
}

export interface DatasetStats {
  file: string;
  lines: number;
  blankLines: number;
  invalidJsonLines: number;
  examples: number;
  formats: Record<string, number>;
  roles: Record<string, number>;
  tokens: TokenDistribution | undefined;
  duplicates: { exactDuplicateExamples: number; distinctExamples: number };
  findings: {
    bySeverity: Record<string, number>;
    byFamily: Record<string, number>;
    byCode: Record<string, number>;
  };
  pii: { findings: number; byCode: Record<string, number> };
  secrets: { findings: number; byCode: Record<string, number> };
  /** Answer → examples, when the file has at most consistency.maxLabelClasses distinct answers. */
  labels: Record<string, number> | undefined;
}

/** Nearest-rank percentile of sorted values: the value at rank ceil(p/100 · n). */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

function bump(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

/** Distinct system prompts kept; past this, further variants are counted together. */
const MAX_SYSTEM_VARIANTS = 1000;

/** A growable Int32Array, -1 where nothing was written: per-line token counts of a large file. */
class LineValues {
  private values = new Int32Array(1024).fill(-1);
  length = 0;

  set(line: number, value: number): void {
    if (line >= this.values.length) {
      let size = this.values.length * 2;
      while (size <= line) size *= 2;
      const grown = new Int32Array(size).fill(-1);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[line] = value;
    this.length = Math.max(this.length, line + 1);
  }

  /** -1 for a line with no value (not an example, or without that role). */
  get(line: number): number {
    return line < this.length ? this.values[line]! : -1;
  }

  toArray(): number[] {
    return Array.from(this.values.subarray(0, this.length));
  }
}

export class StatsCollector {
  private readonly stats: DatasetStats;
  private tokenCounts = new Uint32Array(1024);
  private readonly seen = new Set<number>();
  private labelCounts: Map<string, number> | undefined = new Map();
  /** Tokens per example by line, and per role (canonical, or as written) by line. */
  readonly lineTokens = new LineValues();
  readonly roleTokens = new Map<string, LineValues>();
  /** Examples by format. */
  readonly formatCounts = new Map<FormatId, number>();
  /** Examples by number of turns. */
  readonly turnCounts = new Map<number, number>();
  /** Examples by system prompt (their first turn's, when it is a system turn). */
  readonly systemPrompts = new Map<string, number>();
  /** Examples whose system prompt was one past MAX_SYSTEM_VARIANTS. */
  otherSystemPrompts = 0;
  /** Examples with no system prompt. */
  noSystemPrompt = 0;

  constructor(
    shown: string,
    private readonly config: ResolvedConfig,
    readonly tokenizer: TokenCounter,
  ) {
    this.stats = {
      file: shown,
      lines: 0,
      blankLines: 0,
      invalidJsonLines: 0,
      examples: 0,
      formats: {},
      roles: {},
      tokens: undefined,
      duplicates: { exactDuplicateExamples: 0, distinctExamples: 0 },
      findings: { bySeverity: {}, byFamily: {}, byCode: {} },
      pii: { findings: 0, byCode: {} },
      secrets: { findings: 0, byCode: {} },
      labels: undefined,
    };
  }

  get examples(): number {
    return this.stats.examples;
  }

  /** Labels (answers from a small set) by examples, most first; undefined when they are not labels. */
  labels(): [string, number][] | undefined {
    const labels = this.labelCounts;
    // A single answer is not a label set; two or more repeated answers are.
    if (!labels || labels.size < 2 || labels.size >= this.stats.examples) return undefined;
    return [...labels].sort((a, b) => b[1] - a[1]);
  }

  /** The per-example token counts so far, in line order. */
  tokenValues(): Uint32Array {
    return this.tokenCounts.subarray(0, this.stats.examples);
  }

  /** Line `line` (0-based), in order; `text` undefined: longer than maxLineLength, not read. */
  add(line: number, text: string | undefined): void {
    const stats = this.stats;
    stats.lines++;
    if (text !== undefined && text.trim() === '') {
      stats.blankLines++;
      return;
    }
    let value: unknown;
    try {
      value = text === undefined ? undefined : JSON.parse(text);
    } catch {
      value = undefined;
    }
    const example = toExample(value);
    if (!example) {
      stats.invalidJsonLines++;
      return;
    }
    if (stats.examples === this.tokenCounts.length) {
      const grown = new Uint32Array(this.tokenCounts.length * 2);
      grown.set(this.tokenCounts);
      this.tokenCounts = grown;
    }
    const tokens = this.count(example, line);
    this.tokenCounts[stats.examples++] = tokens.total;
    this.lineTokens.set(line, tokens.total);
    for (const [role, count] of Object.entries(tokens.byRole)) {
      let values = this.roleTokens.get(role);
      if (!values) this.roleTokens.set(role, (values = new LineValues()));
      values.set(line, count);
    }
    bump(stats.formats, FORMAT_NAMES[example.format]);
    this.formatCounts.set(example.format, (this.formatCounts.get(example.format) ?? 0) + 1);
    for (const turn of example.turns) bump(stats.roles, turn.role ?? '(none)');
    this.turnCounts.set(example.turns.length, (this.turnCounts.get(example.turns.length) ?? 0) + 1);
    const system = systemTurn(example)?.content;
    if (system === undefined) this.noSystemPrompt++;
    else if (this.systemPrompts.has(system) || this.systemPrompts.size < MAX_SYSTEM_VARIANTS)
      this.systemPrompts.set(system, (this.systemPrompts.get(system) ?? 0) + 1);
    else this.otherSystemPrompts++;
    // The canonical hash consistency/duplicate groups by: key order and spacing do not hide a copy.
    // A walk with a depth cap, not JSON.stringify, which overflows the stack on deep nesting.
    const digest = hashJson(value);
    if (this.seen.has(digest)) stats.duplicates.exactDuplicateExamples++;
    else this.seen.add(digest);
    if (this.labelCounts) {
      const answer = answerTurn(example)?.content?.trim();
      if (answer !== undefined) this.labelCounts.set(answer, (this.labelCounts.get(answer) ?? 0) + 1);
      if (this.labelCounts.size > this.config.consistency.maxLabelClasses) this.labelCounts = undefined;
    }
  }

  /**
   * An example's tokens. Counting is meant never to fail (special tokens in the text included);
   * should a tokenizer.json still throw on some text, the error says which line.
   */
  private count(example: Example, line: number) {
    try {
      return this.tokenizer.countExample(example);
    } catch (error) {
      throw new StatsProblem(
        `${this.stats.file}:${line + 1}: cannot count the tokens of this line with ${this.tokenizer.name} (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }

  /** The statistics `tunesmith stats` prints, with the file's findings counted by family and code. */
  finish(findings: readonly Finding[]): DatasetStats {
    const stats: DatasetStats = {
      ...this.stats,
      duplicates: { ...this.stats.duplicates, distinctExamples: this.seen.size },
      findings: { bySeverity: {}, byFamily: {}, byCode: {} },
      pii: { findings: 0, byCode: {} },
      secrets: { findings: 0, byCode: {} },
    };
    if (stats.examples > 0) {
      const sorted = this.tokenValues().slice().sort();
      let sum = 0;
      let over = 0;
      for (const value of sorted) {
        sum += value;
        if (value > this.config.tokens.max) over++;
      }
      stats.tokens = {
        tokenizer: this.tokenizer.name,
        counting:
          'content tokens (a special token written in the text is one) plus chat-template overhead (4 per message, 3 per chat example)',
        definition: 'nearest rank: pN is the smallest count with at least N% of examples at or below it',
        min: sorted[0]!,
        p50: nearestRank(sorted, 50),
        p90: nearestRank(sorted, 90),
        p99: nearestRank(sorted, 99),
        max: sorted[sorted.length - 1]!,
        mean: Math.round((sum / sorted.length) * 10) / 10,
        overMax: { limit: this.config.tokens.max, examples: over },
      };
    }
    const labels = this.labels();
    if (labels) stats.labels = Object.fromEntries(labels);
    for (const finding of findings) {
      const familyName = familyOf(finding.code);
      bump(stats.findings.bySeverity, finding.severity);
      bump(stats.findings.byFamily, familyName);
      bump(stats.findings.byCode, finding.code);
      if (familyName === 'pii') {
        stats.pii.findings++;
        bump(stats.pii.byCode, finding.code);
      } else if (familyName === 'secrets') {
        stats.secrets.findings++;
        bump(stats.secrets.byCode, finding.code);
      }
    }
    return stats;
  }
}

let families: Map<string, string> | undefined;
/** A code's rule family (`pii`, `secrets`…); an unknown code's is the part before its slash. */
export function familyOf(code: string): string {
  families ??= new Map(ALL_RULES.map((rule) => [rule.code, rule.family]));
  return families.get(code) ?? code.split('/')[0]!;
}

/** The statistics of the file at `path`, read from disk. */
export async function collectStats(
  path: string,
  shown: string,
  config: ResolvedConfig,
  findings: readonly Finding[],
): Promise<DatasetStats> {
  let tokenizer: TokenCounter;
  try {
    tokenizer = tokenCounterFor(config);
  } catch (error) {
    throw new StatsProblem(`tokens.tokenizer: ${error instanceof Error ? error.message : String(error)}`);
  }
  const collector = new StatsCollector(shown, config, tokenizer);
  for await (const batch of readLineBatches(path, { maxLineLength: config.maxLineLength }))
    for (const line of batch)
      collector.add(line.line, line.truncatedLength === undefined ? line.text : undefined);
  return collector.finish(findings);
}
