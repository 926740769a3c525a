/**
 * Past ~120,000 findings a spread into a call (`findings.push(...array)`) overflowed the stack: lint,
 * stats and fix exited 2 with "Maximum call stack size exceeded". 130,000 copies of one example give
 * 129,999 duplicate findings; the million-line figures are in `npm run bench`.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { chat } from './fixtures.ts';
import { cli, tempDir } from './helpers.ts';

const dir = tempDir('scale');
const LINES = 130_000;
const example = chat('q', 'a');
// Only the rule that reports the duplicates, in this thread: the rest adds time, not findings.
const only = [
  ...['--rule', 'pii=off', '--rule', 'secrets=off', '--rule', 'tokens=off', '--rule', 'consistency=off'],
  ...['--rule', 'consistency/duplicate=warning', '--threads', '0'],
];

before(() => writeFileSync(join(dir, 'copies.jsonl'), `${example}\n`.repeat(LINES)));

test('lint reports 129,999 duplicates of one example', async () => {
  const run = await cli(['lint', 'copies.jsonl', ...only], dir);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /\n129999 problems \(0 errors, 129999 warnings\)\n$/);
});

test('stats counts 129,999 duplicates of one example', async () => {
  const run = await cli(['stats', 'copies.jsonl', '--json', ...only], dir);
  assert.equal(run.code, 0, run.stderr);
  const stats = JSON.parse(run.stdout);
  assert.equal(stats.findings.byCode['consistency/duplicate'], LINES - 1);
  assert.deepEqual(stats.duplicates, { exactDuplicateExamples: LINES - 1, distinctExamples: 1 });
});

test('fix removes 129,999 duplicates of one example', async () => {
  const run = await cli(['fix', 'copies.jsonl', '--out', 'once.jsonl', ...only], dir);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /fixed 129999 findings/);
  assert.equal(readFileSync(join(dir, 'once.jsonl'), 'utf8'), `${example}\n`);
});
