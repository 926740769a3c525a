import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BROKEN, EMAIL, chat } from './fixtures.ts';
import { cli, tempDir } from './helpers.ts';

const dir = tempDir('baseline');
const data = join(dir, 'data.jsonl');
const lint = async (): Promise<{ code: number; findings: { line: number; code: string }[] }> => {
  const run = await cli(['lint', 'data.jsonl', '--baseline', 'baseline.json', '--format', 'json'], dir);
  return { code: run.code, findings: JSON.parse(run.stdout) };
};

test('a baseline suppresses known findings by content, surviving edits elsewhere', async () => {
  const lines = [
    chat('first question', 'first answer'),
    EMAIL,
    BROKEN,
    chat('second question', 'second answer'),
  ];
  writeFileSync(data, lines.join('\n') + '\n');
  const missing = await cli(['lint', 'data.jsonl', '--baseline', 'baseline.json'], dir);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /baseline not found \(create it with --update-baseline\)/);

  const update = await cli(['lint', 'data.jsonl', '--baseline', 'baseline.json', '--update-baseline'], dir);
  assert.equal(update.code, 0);
  assert.match(update.stderr, /wrote 2 findings to baseline\.json/);
  const baseline = JSON.parse(readFileSync(join(dir, 'baseline.json'), 'utf8'));
  assert.deepEqual(Object.keys(baseline.files), ['data.jsonl']);
  assert.doesNotMatch(JSON.stringify(baseline), /bob\.smith/, 'the baseline stores fingerprints, not data');
  assert.deepEqual(await lint(), { code: 0, findings: [] });

  // Lines inserted above move every finding down; they stay suppressed.
  writeFileSync(data, [chat('new one', 'new answer'), chat('new two', 'x'), ...lines].join('\n') + '\n');
  assert.deepEqual(await lint(), { code: 0, findings: [] });

  // Editing the offending line brings its finding back; the other stays suppressed.
  const edited = EMAIL.replace('mail bob', 'write to bob');
  writeFileSync(data, [chat('new one', 'new answer'), edited, BROKEN].join('\n') + '\n');
  const after = await lint();
  assert.deepEqual(
    after.findings.map((f) => `${f.line} ${f.code}`),
    ['2 pii/email'],
  );

  // Counts: a second copy of a baselined broken line is new.
  writeFileSync(data, [BROKEN, chat('q', 'a'), BROKEN].join('\n') + '\n');
  const twice = await lint();
  assert.equal(twice.code, 1);
  assert.deepEqual(
    twice.findings.map((f) => `${f.line} ${f.code}`),
    ['3 syntax/invalid-json'],
  );
});
