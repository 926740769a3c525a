/** The built `tunesmith` binary, spawned as a user would run it (after `npm run build`). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { BROKEN, CLEAN, EMAIL, chat } from './fixtures.ts';
import { BIN, buildBinary, runBinary, tempDir } from './helpers.ts';

const bin = BIN;
const dir = tempDir('binary');

before(buildBinary);

const tunesmith = (...args: string[]) => runBinary(args, dir);

test('the binary exits 0, 1 and 2 and prints no stack traces', () => {
  writeFileSync(join(dir, 'clean.jsonl'), `${CLEAN}\n`);
  writeFileSync(join(dir, 'broken.jsonl'), `${BROKEN}\n`);
  assert.equal(tunesmith('lint', 'clean.jsonl').status, 0);
  const broken = tunesmith('lint', 'broken.jsonl');
  assert.equal(broken.status, 1);
  assert.match(broken.stdout, /^broken\.jsonl:1:2 error .*\[syntax\/invalid-json\]$/m);
  const usage = tunesmith('lint', '--format', 'yaml', 'clean.jsonl');
  assert.equal(usage.status, 2);
  assert.equal(usage.stderr, 'tunesmith: --format yaml: expected text, json or sarif\n');
  const missing = tunesmith('lint', 'missing.jsonl');
  assert.equal(missing.status, 2);
  assert.doesNotMatch(missing.stderr, /\bat /);
  assert.match(tunesmith('--help').stdout, /Commands:\n {2}lint/);
});

test('the worker pool finds exactly what the main thread finds, across batch boundaries', () => {
  const lines: string[] = [];
  for (let i = 0, size = 0; size < 3_000_000; i++) {
    const words = `question ${i} about ${'topic '.repeat(i % 17)}`;
    lines.push(i % 97 === 0 ? EMAIL : i % 101 === 0 ? BROKEN : chat(words, `answer ${i % 7}`));
    size += lines[lines.length - 1]!.length + 1;
  }
  for (const line of lines.slice(0, 50)) lines.push(line); // duplicates a batch or more away
  writeFileSync(join(dir, 'pool.jsonl'), lines.join('\n') + '\n');
  const pooled = tunesmith('lint', 'pool.jsonl', '--format', 'json', '--threads', '2');
  const local = tunesmith('lint', 'pool.jsonl', '--format', 'json', '--threads', '0');
  assert.equal(pooled.status, 1, pooled.stderr);
  const findings = JSON.parse(pooled.stdout) as { code: string }[];
  assert.ok(findings.some((f) => f.code === 'consistency/duplicate'));
  assert.ok(findings.some((f) => f.code === 'pii/email'));
  assert.deepEqual(findings, JSON.parse(local.stdout));
  // Workers that run out of heap are retired and their batches linted in the main thread.
  const starved = spawnSync(
    process.execPath,
    [bin, 'lint', 'pool.jsonl', '--format', 'json', '--threads', '2'],
    {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      env: { ...process.env, TUNESMITH_WORKER_HEAP_MB: '2' },
    },
  );
  assert.match(starved.stderr, /a lint worker stopped .*; its lines are linted in the main thread/);
  assert.deepEqual(JSON.parse(starved.stdout), findings);
});
