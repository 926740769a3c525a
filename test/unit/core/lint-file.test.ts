import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../../src/core/engine/config.ts';
import { FileProblem } from '../../../src/core/io/files.ts';
import { lintFile } from '../../../src/core/lint/lint-file.ts';
import { inThreadRunner } from '../../../src/core/lint/runner.ts';
import { sameChecker, tabsChecker, tempDir } from '../cli/helpers.ts';

const dir = tempDir('lint-file');
const config = resolveConfig({}).config;
const checkers = [tabsChecker, sameChecker];

async function lint(name: string, content: string | Buffer, maxLineLength?: number) {
  const path = join(dir, name);
  writeFileSync(path, content);
  const cfg = maxLineLength ? { ...config, maxLineLength } : config;
  const errors: string[] = [];
  const linted = await lintFile(path, {
    config: cfg,
    runner: inThreadRunner(cfg, checkers),
    checkers,
    onRuleError: (message) => errors.push(message),
  });
  linted.reader.close();
  return { ...linted, errors };
}

test('dataset findings re-read their lines by byte offset, across CRLF, BOM and invalid UTF-8', async () => {
  const content = Buffer.concat([
    Buffer.from('\uFEFF{"a":1}\r\n', 'utf8'),
    Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), // invalid UTF-8
    Buffer.from('x\ty\n{"a":1}\r\n{"a":1}', 'utf8'),
  ]);
  const { findings } = await lint('mixed.jsonl', content);
  assert.deepEqual(
    findings.map((f) => [
      f.code,
      f.range.start.line,
      f.range.end.character,
      f.related?.[0]?.range.start.line,
    ]),
    [
      ['format/test-tabs', 2, 2, undefined],
      ['consistency/test-same', 3, 7, 0],
      ['consistency/test-same', 4, 7, 0],
    ],
  );
});

test('a rule that throws is reported with its line and linting continues', async () => {
  const { findings, errors } = await lint('boom.jsonl', 'a\tb\nboom\nc\td\n');
  assert.deepEqual(
    findings.map((f) => f.range.start.line),
    [0, 2],
  );
  assert.deepEqual(errors, ['internal error in rule format/test-tabs on line 2: boom']);
});

test('a binary file is refused with one clear message', async () => {
  await assert.rejects(
    lint('image.jsonl', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00])),
    (error: unknown) =>
      error instanceof FileProblem && /binary file \(NUL byte at offset 4\)/.test(error.message),
  );
});

test('an empty file and a file without a trailing newline lint without trouble', async () => {
  assert.deepEqual((await lint('empty.jsonl', '')).findings, []);
  const last = await lint('no-eol.jsonl', 'a\n\tb');
  assert.deepEqual(
    last.findings.map((f) => [f.range.start.line, f.range.start.character]),
    [[1, 0]],
  );
  assert.equal(last.lines.count, 2);
});

test('a line over maxLineLength is not kept in memory and does not stop the rest', async () => {
  const long = 'x'.repeat(5000);
  const { findings, lines } = await lint('long.jsonl', `${long}\ta\n${long}\ta\nq\tq\n`, 1000);
  assert.equal(lines.raw(0).truncatedLength, 5002);
  assert.deepEqual(
    findings.map((f) => f.range.start.line),
    [2],
  );
});
