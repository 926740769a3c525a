import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { writeFixed } from '../../../src/cli/write-fixed.ts';
import { planFixes } from '../../../src/core/engine/fixes.ts';
import { lintFile } from '../../../src/core/lint/lint-file.ts';
import { inThreadRunner } from '../../../src/core/lint/runner.ts';
import { resolveConfig } from '../../../src/core/engine/config.ts';
import { splitBuffer } from '../../../src/core/engine/reader.ts';
import { rivalChecker, tabsChecker, tempDir } from './helpers.ts';

const dir = tempDir('fix');
const config = resolveConfig({}).config;

async function fix(content: Buffer, name: string, checkers = [tabsChecker]) {
  const path = join(dir, name);
  writeFileSync(path, content);
  const linted = await lintFile(path, { config, runner: inThreadRunner(config, checkers), checkers });
  const plan = planFixes(linted.findings, {
    unread: (line) => line < linted.lines.count && linted.lines.raw(line).truncatedLength !== undefined,
  });
  const chunks: Buffer[] = [];
  writeFixed(plan, linted.lines, linted.reader, (bytes) => chunks.push(Buffer.from(bytes)));
  linted.reader.close();
  return { output: Buffer.concat(chunks), plan };
}

const lineBytes = fc.oneof(
  fc.string({ unit: 'grapheme' }).map((s) => Buffer.from(s.replace(/\n/g, ''), 'utf8')),
  fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes.filter((b) => b !== 0x0a && b !== 0x00))),
  fc.constantFrom('\t', 'a\tb', '{"x":"\t\t"}', '\r', 'é\t').map((s) => Buffer.from(s, 'utf8')),
);

test('fix leaves every line it does not fix byte-identical (and fixes the others)', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(lineBytes, fc.constantFrom('\n', '\r\n', '\r')), { maxLength: 25 }),
      fc.boolean(),
      fc.boolean(),
      async (lines, bom, trailingNewline) => {
        const parts = lines.map(([bytes, eol]) => Buffer.concat([bytes, Buffer.from(eol)]));
        let content = Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), ...parts]);
        if (!trailingNewline && content.length > 0 && content[content.length - 1] === 0x0a)
          content = content.subarray(0, content.length - 1);
        const { output } = await fix(content, `p${run++}.jsonl`);
        const before = splitBuffer(content, { maxLineLength: Infinity });
        const after = splitBuffer(output, { maxLineLength: Infinity });
        assert.equal(after.length, before.length);
        if (bom) assert.deepEqual([...output.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
        before.forEach((line, i) => {
          const original = content.subarray(line.byteOffset, line.byteOffset + line.byteLength);
          const fixed = output.subarray(after[i]!.byteOffset, after[i]!.byteOffset + after[i]!.byteLength);
          if (line.text.includes('\t')) assert.equal(after[i]!.text, line.text.replace(/\t+/g, ' '));
          else assert.ok(fixed.equals(original), `line ${i} changed`);
        });
      },
    ),
    { numRuns: 150 },
  );
});

test('a fix that overlaps one already taken is skipped and counted', async () => {
  const { output, plan } = await fix(Buffer.from('a\tb\nc\n'), 'rival.jsonl', [tabsChecker, rivalChecker]);
  assert.equal(plan.skipped, 1);
  assert.equal(
    [...plan.applied.values()].reduce((a, b) => a + b),
    1,
  );
  // Fixes are taken by start, then end, then code: format/test-rival's comes first and wins.
  assert.deepEqual([...plan.applied.keys()], ['format/test-rival']);
  assert.equal(output.toString(), 'ab\nc\n');
});

test('a file holding only a byte order mark is copied as is', async () => {
  const { output } = await fix(Buffer.from([0xef, 0xbb, 0xbf]), 'bom.jsonl');
  assert.deepEqual([...output], [0xef, 0xbb, 0xbf]);
});
