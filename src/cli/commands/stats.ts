/** `tunesmith stats FILE`: what a dataset holds, in one screen (or as JSON). */
import { resolve } from 'node:path';
import { collectStats, type DatasetStats } from '../../core/stats/stats.ts';
import { parse } from '../args.ts';
import { EXIT, UsageError, type Command } from '../command.ts';
import { displayPath } from '../../core/io/files.ts';
import { applyRuleOverrides, loadConfig } from '../load-config.ts';
import { lintOneFile, parseThreads } from '../session.ts';

const STATS_USAGE = `Usage: tunesmith stats FILE [--json] [--config FILE] [--rule CODE=SEVERITY] [--threads N]

Counts examples, formats and roles; the distribution of tokens per example; duplicates; PII and
secret findings; and the label distribution when answers come from a small set.
`;

function table(record: Record<string, number>, total?: number): string {
  const entries = Object.entries(record).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return '  (none)\n';
  // A loop, not Math.max(...): a file can have any number of distinct roles.
  const width = entries.reduce((widest, [key]) => Math.max(widest, key.length), 0);
  return entries
    .map(([key, count]) => {
      const share = total ? `  ${((count / total) * 100).toFixed(1).padStart(5)}%` : '';
      return `  ${key.padEnd(width)}  ${String(count).padStart(8)}${share}\n`;
    })
    .join('');
}

function formatStats(stats: DatasetStats): string {
  let out = `${stats.file}\n`;
  out += `  lines ${stats.lines}, examples ${stats.examples}, blank ${stats.blankLines}, not a JSON object ${stats.invalidJsonLines}\n`;
  out += `\nFormats\n${table(stats.formats, stats.examples)}`;
  out += `\nRoles (turns)\n${table(stats.roles)}`;
  if (stats.tokens) {
    const t = stats.tokens;
    out += `\nTokens per example (${t.tokenizer}; percentiles by nearest rank)\n`;
    out += `  min ${t.min}  p50 ${t.p50}  p90 ${t.p90}  p99 ${t.p99}  max ${t.max}  mean ${t.mean}\n`;
    out += `  over tokens.max (${t.overMax.limit}): ${t.overMax.examples}\n`;
  }
  out += `\nDuplicates\n  exact duplicate examples ${stats.duplicates.exactDuplicateExamples} (${stats.duplicates.distinctExamples} distinct)\n`;
  out += `\nPII findings: ${stats.pii.findings}\n${stats.pii.findings ? table(stats.pii.byCode) : ''}`;
  out += `Secret findings: ${stats.secrets.findings}\n${stats.secrets.findings ? table(stats.secrets.byCode) : ''}`;
  out += `\nFindings by family\n${table(stats.findings.byFamily)}`;
  if (stats.labels) out += `\nLabels (answers from a small set)\n${table(stats.labels, stats.examples)}`;
  return out;
}

export const statsCommand: Command = async (args, io) => {
  const { values, positionals } = parse('stats', args, {
    json: { type: 'boolean' },
    config: { type: 'string' },
    rule: { type: 'string', multiple: true },
    threads: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(STATS_USAGE);
    return EXIT.clean;
  }
  if (positionals.length !== 1) throw new UsageError('stats: expected exactly one FILE\n\n' + STATS_USAGE);
  const config = applyRuleOverrides(loadConfig(io, values.config).config, values.rule ?? []);
  const path = resolve(io.cwd, positionals[0]!);
  const shown = displayPath(io.cwd, path);
  const linted = await lintOneFile(io, config, parseThreads(values.threads), path, shown);
  let stats: DatasetStats;
  try {
    stats = await collectStats(linted.path, shown, config, linted.findings);
  } finally {
    linted.close();
  }
  io.stdout(values.json ? JSON.stringify(stats, null, 2) + '\n' : formatStats(stats));
  return EXIT.clean;
};
