/**
 * The dataset view's charts, computed by the core's stats collector (the engine of `tunesmith stats`)
 * from a known dataset and its findings: histogram bins and widths, the tokens.max line and the
 * examples over it, per-role histograms, format mix, turns, labels, duplicate and near-duplicate
 * clusters from the findings' related lines, PII and secrets by code, system prompts; and that the
 * numbers agree with `tunesmith stats` on the same lines.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG } from '../../../src/core/engine/config.ts';
import type { Finding } from '../../../src/core/engine/types.ts';
import { tokenCounterFor } from '../../../src/core/rules/tokens/counter.ts';
import {
  binWidth,
  chartsOfLines,
  clusterSizes,
  histogram,
  nearDuplicateClusterSizes,
} from '../../../src/core/stats/charts.ts';
import { StatsCollector } from '../../../src/core/stats/stats.ts';

const chat = (system: string | undefined, user: string, answer: string) =>
  JSON.stringify({
    messages: [
      ...(system === undefined ? [] : [{ role: 'system', content: system }]),
      { role: 'user', content: user },
      { role: 'assistant', content: answer },
    ],
  });

const finding = (code: string, line: number, related: number[] = []): Finding => ({
  code,
  severity: 'warning',
  message: code,
  range: { start: { line, character: 0 }, end: { line, character: 1 } },
  related: related.map((other) => ({
    message: 'the other',
    range: { start: { line: other, character: 0 }, end: { line: other, character: 1 } },
  })),
});

test('bin widths are 1, 2 or 5 × 10^k, about 30 bins', () => {
  assert.equal(binWidth(0), 1);
  assert.equal(binWidth(29), 1);
  assert.equal(binWidth(30), 2);
  assert.equal(binWidth(100), 5);
  assert.equal(binWidth(4096), 200);
  assert.equal(binWidth(100_000), 5000);
  const bins = histogram([0, 1, 2, 57, 58, -1]);
  assert.deepEqual(bins && { width: bins.width, total: bins.total, max: bins.max }, {
    width: 2,
    total: 5,
    max: 58,
  });
  assert.equal(bins!.counts.length, 30);
  assert.equal(bins!.counts[0], 2);
  assert.equal(bins!.counts[1], 1);
  assert.equal(bins!.counts[28], 1);
  assert.equal(bins!.counts[29], 1);
  assert.equal(histogram([-1, -1]), null);
});

test('clusters are the connected lines of a code’s findings, counted by size', () => {
  const findings = [
    // 0 ← 3, 0 ← 5: one cluster of three; 7 ← 8: one of two; 10 ← 11 ← 12 chained: one of three.
    finding('consistency/duplicate', 3, [0]),
    finding('consistency/duplicate', 5, [0]),
    finding('consistency/duplicate', 8, [7]),
    finding('consistency/duplicate', 11, [10]),
    finding('consistency/duplicate', 12, [11]),
  ];
  assert.deepEqual(clusterSizes(findings, 'consistency/duplicate'), [
    { size: 2, clusters: 1 },
    { size: 3, clusters: 2 },
  ]);
});

test('near-duplicate clusters are one finding each, sized by their data', () => {
  const sized = (line: number, size: number, message: string): Finding => ({
    ...finding(
      'consistency/near-duplicate',
      line,
      Array.from({ length: Math.min(size - 1, 20) }, (_, i) => line + 1 + i),
    ),
    message,
    data: { clusterSize: size, clusterLines: Uint32Array.from({ length: size }, (_, i) => line + i) },
  });
  const findings = [
    sized(20, 2, 'Near-duplicates: 2 examples (…)'),
    // 41 members, 20 of them linked: the size is the data's, not the related locations'; the
    // message is for people (one whose wording differs must not change the chart).
    sized(30, 41, 'Shared passage: 41 examples ask different questions about one passage (…)'),
    sized(80, 30, 'Near-duplicates among 30 examples'),
  ];
  assert.deepEqual(nearDuplicateClusterSizes(findings), [
    { size: 2, clusters: 1 },
    { size: 30, clusters: 1 },
    { size: 41, clusters: 1 },
  ]);
});

const LINES = [
  chat('Be brief.', 'Is the sky blue?', 'positive'),
  chat('Be brief.', 'Is rain wet?', 'positive'),
  chat('Be brief.', 'Is fire cold?', 'negative'),
  chat(undefined, 'Is ice hot?', 'negative'),
  chat('You are a <b>classifier</b>.', 'Is snow white?', 'positive'),
  JSON.stringify({ prompt: 'Is grass green?', completion: 'positive' }),
  '',
  '{"broken": ',
  JSON.stringify({ prompt: 'Is grass green?', completion: 'positive' }),
];

test('charts of a known dataset: tokens, roles, formats, turns, labels, clusters, PII, system prompts', async () => {
  const config = structuredClone(DEFAULT_CONFIG);
  config.tokens.max = 20;
  const findings = [
    finding('pii/email', 0),
    finding('pii/email', 2),
    finding('pii/phone', 1),
    finding('secrets/aws-access-key', 4),
    finding('consistency/duplicate', 8, [5]),
  ];
  const counted = await chartsOfLines(
    'train.jsonl',
    config,
    LINES.length,
    (line) => LINES[line],
    () => findings,
  );
  assert.ok(counted);
  const { charts, lineTokens, roleTokens } = counted;
  const tokenizer = tokenCounterFor(config);
  assert.equal(charts.examples, 7);
  assert.equal(charts.maxTokens, 20);
  assert.equal(charts.tokenizer, 'o200k_base');
  // Per line: the example's tokens as the tokens rules count them; -1 for the blank and broken lines.
  assert.equal(lineTokens.length, 9);
  assert.equal(lineTokens[6], -1);
  assert.equal(lineTokens[7], -1);
  const expected = LINES.map((text) => {
    const collector = new StatsCollector('x', config, tokenizer);
    collector.add(0, text);
    return collector.lineTokens.get(0);
  });
  assert.deepEqual(lineTokens, expected);
  const examples = lineTokens.filter((value) => value >= 0);
  assert.equal(charts.overMax, examples.filter((value) => value > 20).length);
  assert.equal(
    charts.tokens!.counts.reduce((a, b) => a + b, 0),
    7,
  );
  assert.equal(
    charts.tokens!.max,
    examples.reduce((a, b) => Math.max(a, b), 0),
  );
  assert.deepEqual(
    charts.roles.map((role) => [role.role, role.histogram.total]),
    [
      ['system', 4],
      ['user', 7],
      ['assistant', 7],
    ],
  );
  assert.deepEqual(
    roleTokens.map((role) => role.role),
    ['system', 'user', 'assistant'],
  );
  assert.equal(roleTokens[0]!.tokens[3], -1, 'line 4 has no system turn');
  assert.deepEqual(charts.formats, [
    { format: 'chat', count: 5 },
    { format: 'prompt-completion', count: 2 },
  ]);
  assert.deepEqual(charts.turns, [
    { turns: 2, count: 3 },
    { turns: 3, count: 4 },
  ]);
  assert.deepEqual(charts.labels, [
    { label: 'positive', count: 5 },
    { label: 'negative', count: 2 },
  ]);
  assert.deepEqual(charts.duplicates, [{ size: 2, clusters: 1 }]);
  assert.deepEqual(charts.nearDuplicates, []);
  assert.deepEqual(charts.pii, [
    { code: 'pii/email', count: 2 },
    { code: 'pii/phone', count: 1 },
  ]);
  assert.deepEqual(charts.secrets, [{ code: 'secrets/aws-access-key', count: 1 }]);
  assert.deepEqual(charts.systemPrompts, [
    { text: 'Be brief.', length: 9, count: 3 },
    { text: 'You are a <b>classifier</b>.', length: 28, count: 1 },
  ]);
  assert.equal(charts.noSystemPrompt, 3);
  assert.equal(charts.otherSystemPrompts, 0);
});

test('the collector gives tunesmith stats its numbers: the same as the charts', () => {
  const collector = new StatsCollector('train.jsonl', DEFAULT_CONFIG, tokenCounterFor(DEFAULT_CONFIG));
  LINES.forEach((text, line) => collector.add(line, text));
  const stats = collector.finish([finding('pii/email', 0), finding('secrets/aws-access-key', 4)]);
  assert.equal(stats.examples, 7);
  assert.equal(stats.blankLines, 1);
  assert.equal(stats.invalidJsonLines, 1);
  assert.equal(stats.duplicates.exactDuplicateExamples, 1);
  assert.deepEqual(stats.labels, { positive: 5, negative: 2 });
  assert.deepEqual(stats.pii, { findings: 1, byCode: { 'pii/email': 1 } });
  assert.deepEqual(stats.secrets, { findings: 1, byCode: { 'secrets/aws-access-key': 1 } });
});

test('a count yields to the event loop and gives up when the document changes meanwhile', async () => {
  const lines = Array.from({ length: 2500 }, (_, i) => JSON.stringify({ prompt: `q${i}`, completion: 'a' }));
  let yields = 0;
  const given = await chartsOfLines(
    'x',
    DEFAULT_CONFIG,
    lines.length,
    (line) => lines[line],
    () => [],
    () => ++yields < 2,
  );
  assert.equal(given, undefined);
  assert.equal(yields, 2, 'asked at each yield, every 1,000 lines');
  const whole = await chartsOfLines(
    'x',
    DEFAULT_CONFIG,
    lines.length,
    (line) => lines[line],
    () => [],
  );
  assert.equal(whole?.charts.examples, 2500);
});
