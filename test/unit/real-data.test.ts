/**
 * Precision on data nobody here wrote: the real-data samples (test/fixtures/real-data/README.md says
 * where each comes from) are linted with the default configuration, and every finding is looked up in
 * judged.json, where it was judged by hand. The test fails when a finding has no judgement (judge it),
 * when a finding judged true is no longer reported, or when a rule's precision at warning or error
 * severity falls below its floor.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DEFAULT_CONFIG } from '../../src/core/engine/config.ts';
import { toExample, type FormatId } from '../../src/core/engine/formats.ts';
import { lintText } from '../../src/core/engine/linter.ts';
import type { Finding } from '../../src/core/engine/types.ts';
import { ALL_CHECKERS } from '../../src/core/rules/index.ts';

const DIR = new URL('../fixtures/real-data/', import.meta.url);

interface Judgement {
  file: string;
  line: number;
  code: string;
  text: string;
  verdict: 'true' | 'false' | 'debatable';
  reason: string;
}

interface Judged {
  defaultFloor: number;
  floors: Record<string, { floor: number; measured: string }>;
  findings: Judgement[];
}

const judged = JSON.parse(readFileSync(new URL('judged.json', DIR), 'utf8')) as Judged;
const files = readdirSync(DIR).filter((name) => name.endsWith('.jsonl'));

const EXPECTED_FORMAT: Record<string, FormatId> = {
  'gsm8k-train.jsonl': 'question-answer',
  'gpteacher-codegen.jsonl': 'instruction-response',
  'gpteacher-codegen-flagged.jsonl': 'instruction-response',
  'gpteacher-roleplay.jsonl': 'instruction-response',
  'llamafactory-identity.jsonl': 'alpaca',
  'llamafactory-glaive-toolcall.jsonl': 'sharegpt',
  't0-cosmos-qa.jsonl': 'prompt-completion',
  't0-duorc.jsonl': 'prompt-completion',
  't0-qasc.jsonl': 'prompt-completion',
};

const keyOf = (j: Pick<Judgement, 'file' | 'line' | 'code' | 'text'>) =>
  `${j.file}:${j.line} ${j.code} ${j.text}`;

function judgedKey(file: string, lines: string[], finding: Finding): string {
  const { start, end } = finding.range;
  const line = lines[start.line] ?? '';
  const text = line.slice(start.character, start.line === end.line ? end.character : undefined);
  return keyOf({ file, line: start.line + 1, code: finding.code, text: text.slice(0, 80) });
}

const linted = files.map((file) => {
  const text = readFileSync(new URL(file, DIR), 'utf8');
  return { file, text, findings: lintText(text, DEFAULT_CONFIG, ALL_CHECKERS) };
});

test('each real-data sample is read in its own format, so the answer-level rules run on it', () => {
  assert.deepEqual(files.toSorted(), Object.keys(EXPECTED_FORMAT).toSorted());
  for (const { file, text } of linted) {
    const formats = new Set(
      text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => toExample(JSON.parse(line))?.format),
    );
    assert.deepEqual([...formats], [EXPECTED_FORMAT[file]], file);
  }
});

test('every finding on the real-data samples is judged, and every true one is still found', () => {
  const byKey = new Map(judged.findings.map((j) => [keyOf(j), j]));
  const unjudged: string[] = [];
  const found = new Set<string>();
  for (const { file, text, findings } of linted) {
    const lines = text.split('\n');
    for (const finding of findings) {
      const key = judgedKey(file, lines, finding);
      if (byKey.has(key)) found.add(key);
      else unjudged.push(`${key} (${finding.severity}): ${finding.message}`);
    }
  }
  assert.deepEqual(unjudged, [], 'judge these in test/fixtures/real-data/judged.json');
  const lost = judged.findings.filter((j) => j.verdict === 'true' && !found.has(keyOf(j))).map(keyOf);
  assert.deepEqual(lost, [], 'true findings no longer reported');
});

test("each rule's precision at warning and error severity on real data stays at or above its floor", () => {
  const byKey = new Map(judged.findings.map((j) => [keyOf(j), j]));
  const counts = new Map<string, { true: number; all: number }>();
  for (const { file, text, findings } of linted) {
    const lines = text.split('\n');
    for (const finding of findings) {
      if (finding.severity !== 'warning' && finding.severity !== 'error') continue;
      const verdict = byKey.get(judgedKey(file, lines, finding))?.verdict;
      const count = counts.get(finding.code) ?? { true: 0, all: 0 };
      count.all++;
      if (verdict === 'true') count.true++;
      counts.set(finding.code, count);
    }
  }
  const below: string[] = [];
  for (const [code, count] of counts) {
    const floor = judged.floors[code]?.floor ?? judged.defaultFloor;
    const precision = count.true / count.all;
    if (precision < floor)
      below.push(`${code}: ${count.true}/${count.all} = ${precision.toFixed(2)} < ${floor}`);
  }
  assert.deepEqual(below, []);
});
