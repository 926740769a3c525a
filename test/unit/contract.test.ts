/**
 * The data contract, lint side: the real lint engine on each file of test/fixtures/contract/ gives the
 * codes its table names, and every file the trainer refuses gets an error-level finding (the code that
 * carries the trainer's reason) before launch. src/trainer/tests/test_contract.py runs the same table
 * through the trainer's data pipeline. docs/data-contract.md explains it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { lintFile } from '../../src/core/lint/lint-file.ts';
import { inThreadRunner } from '../../src/core/lint/runner.ts';
import { DEFAULT_CONFIG } from '../../src/core/engine/config.ts';
import { detectFormat } from '../../src/core/engine/formats.ts';
import { lintText } from '../../src/core/engine/linter.ts';
import type { Finding } from '../../src/core/engine/types.ts';
import { ALL_CHECKERS, ALL_RULES } from '../../src/core/rules/index.ts';

interface Case {
  file: string;
  format: string;
  lint: { errors: string[]; others: string[] };
  trainer: { trains: string[] } | { refuses: string; code?: string };
}

const DIR = new URL('../fixtures/contract/', import.meta.url);
const { cases } = JSON.parse(readFileSync(new URL('contract.json', DIR), 'utf8')) as { cases: Case[] };

function codes(findings: readonly Finding[]): Case['lint'] {
  const errors = new Set<string>();
  const others = new Set<string>();
  for (const finding of findings) {
    if (finding.severity === 'error') errors.add(finding.code);
    else others.add(`${finding.code}:${finding.severity}`);
  }
  return { errors: [...errors].sort(), others: [...others].sort() };
}

function formatOf(text: string): string {
  const formats = new Set<string>();
  for (const line of text.split('\n')) if (line.trim()) formats.add(detectFormat(JSON.parse(line)));
  return [...formats].join('+') || '-';
}

test('the contract table covers every fixture file, and no case is named twice', () => {
  const files = cases.map((c) => c.file);
  assert.deepEqual(files, [...new Set(files)]);
  assert.ok(files.length >= 30, `only ${files.length} cases`);
});

for (const item of cases) {
  test(`contract: ${item.file}`, async () => {
    const path = new URL(item.file, DIR);
    const text = readFileSync(path, 'utf8');
    const ruleErrors: unknown[] = [];
    const inEditor = lintText(text, DEFAULT_CONFIG, ALL_CHECKERS, (...error) => ruleErrors.push(error));
    assert.equal(formatOf(text), item.format);
    assert.deepEqual(codes(inEditor), item.lint, 'the editor (lintText) reports other codes');
    // The CLI reads the file through its own reader and line runner: it must agree with the editor.
    const linted = await lintFile(path.pathname, {
      config: DEFAULT_CONFIG,
      runner: inThreadRunner(DEFAULT_CONFIG),
      onRuleError: (error) => ruleErrors.push(error),
    });
    linted.reader.close();
    assert.deepEqual(codes(linted.findings), item.lint, 'the CLI (lintFile) reports other codes');
    assert.deepEqual(ruleErrors, [], 'a rule failed');
  });
}

test('every file the trainer refuses gets an error-level finding before launch, the one carrying its reason', () => {
  const known = new Set(ALL_RULES.map((rule) => rule.code));
  for (const item of cases) {
    if (!('refuses' in item.trainer)) continue;
    assert.ok(item.trainer.code, `${item.file}: refused by the trainer, but no lint code carries its reason`);
    assert.ok(known.has(item.trainer.code), `${item.trainer.code} is no rule`);
    assert.ok(
      item.lint.errors.includes(item.trainer.code),
      `${item.file}: the trainer refuses it ("${item.trainer.refuses}") but ${item.trainer.code} is not an error`,
    );
  }
});

test('every file the linter lets through at error level trains', () => {
  for (const item of cases) {
    if (item.lint.errors.length > 0) continue;
    assert.ok(
      'trains' in item.trainer,
      `${item.file}: lints clean at error level but the trainer refuses it`,
    );
    assert.ok(item.trainer.trains.length > 0, `${item.file}: trains nothing`);
  }
});

test('docs/data-contract.md shows every case of the table', () => {
  const doc = readFileSync(new URL('../../docs/data-contract.md', import.meta.url), 'utf8');
  const missing = cases.filter((c) => !doc.includes(`| \`${c.file.replace(/\.jsonl$/, '')}\` |`));
  assert.deepEqual(
    missing.map((c) => c.file),
    [],
  );
});
