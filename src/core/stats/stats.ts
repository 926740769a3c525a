/**
 * What a dataset holds: examples, formats and roles, tokens per example, duplicates, findings by
 * family, PII and secrets, and labels. The statistics of `tunesmith stats`, and the sides `tunesmith
 * diff` and the editor's comparison set against each other.
 */
import type { ResolvedConfig } from '../engine/config.ts';
import { FORMAT_NAMES, answerTurn, toExample, type Example, type FormatId } from '../engine/formats.ts';
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

/**
 * An example's tokens. Counting is meant never to fail (special tokens in the text included); should
 * a tokenizer.json still throw on some text, the user is told which line, not "internal error".
 */
function countTokens(tokenizer: TokenCounter, example: Example, shown: string, line: number): number {
  try {
    return tokenizer.countExample(example).total;
  } catch (error) {
    throw new StatsProblem(
      `${shown}:${line + 1}: cannot count the tokens of this line with ${tokenizer.name} (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

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
  const stats: DatasetStats = {
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
  let tokenCounts = new Uint32Array(1024);
  const seen = new Set<number>();
  let labels: Map<string, number> | undefined = new Map();

  for await (const batch of readLineBatches(path, { maxLineLength: config.maxLineLength })) {
    for (const line of batch) {
      stats.lines++;
      if (line.truncatedLength === undefined && line.text.trim() === '') {
        stats.blankLines++;
        continue;
      }
      let value: unknown;
      try {
        value = line.truncatedLength === undefined ? JSON.parse(line.text) : undefined;
      } catch {
        value = undefined;
      }
      const example = toExample(value);
      if (!example) {
        stats.invalidJsonLines++;
        continue;
      }
      if (stats.examples === tokenCounts.length) {
        const grown = new Uint32Array(tokenCounts.length * 2);
        grown.set(tokenCounts);
        tokenCounts = grown;
      }
      tokenCounts[stats.examples++] = countTokens(tokenizer, example, shown, line.line);
      bump(stats.formats, FORMAT_NAMES[example.format as FormatId]);
      for (const turn of example.turns) bump(stats.roles, turn.role ?? '(none)');
      // The canonical hash consistency/duplicate groups by: key order and spacing do not hide a copy.
      // A walk with a depth cap, not JSON.stringify, which overflows the stack on deep nesting.
      const digest = hashJson(value);
      if (seen.has(digest)) stats.duplicates.exactDuplicateExamples++;
      else seen.add(digest);
      if (labels) {
        const answer = answerTurn(example)?.content?.trim();
        if (answer !== undefined) labels.set(answer, (labels.get(answer) ?? 0) + 1);
        if (labels.size > config.consistency.maxLabelClasses) labels = undefined;
      }
    }
  }
  stats.duplicates.distinctExamples = seen.size;
  if (stats.examples > 0) {
    const sorted = tokenCounts.subarray(0, stats.examples).sort();
    let sum = 0;
    let over = 0;
    for (const value of sorted) {
      sum += value;
      if (value > config.tokens.max) over++;
    }
    stats.tokens = {
      tokenizer: tokenizer.name,
      counting:
        'content tokens (a special token written in the text is one) plus chat-template overhead (4 per message, 3 per chat example)',
      definition: 'nearest rank: pN is the smallest count with at least N% of examples at or below it',
      min: sorted[0]!,
      p50: nearestRank(sorted, 50),
      p90: nearestRank(sorted, 90),
      p99: nearestRank(sorted, 99),
      max: sorted[sorted.length - 1]!,
      mean: Math.round((sum / sorted.length) * 10) / 10,
      overMax: { limit: config.tokens.max, examples: over },
    };
  }
  // A single answer is not a label set; two or more repeated answers are.
  if (labels && labels.size >= 2 && labels.size < stats.examples) {
    stats.labels = Object.fromEntries([...labels].sort((a, b) => b[1] - a[1]));
  }
  const family = new Map(ALL_RULES.map((rule) => [rule.code, rule.family]));
  for (const finding of findings) {
    const familyName = family.get(finding.code) ?? finding.code.split('/')[0]!;
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
