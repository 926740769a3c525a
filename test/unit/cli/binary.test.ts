/** The built `tunesmith` binary, spawned as a user would run it (after `npm run build`). */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { BROKEN, CLEAN, EMAIL, chat } from './fixtures.ts';
import { tempDir } from './helpers.ts';

const root = new URL('../../../', import.meta.url).pathname;
const bin = join(root, 'bin', 'tunesmith.cjs');
const dir = tempDir('binary');

before(() => {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
});

function tunesmith(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
}

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
  lines.push(...lines.slice(0, 50)); // duplicates of lines a batch or more away
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

test('a fix --in-place killed mid-write never leaves a truncated original', async () => {
  const lines: string[] = [];
  for (let i = 0, size = 0; size < 12_000_000; i++) {
    lines.push(chat(`mail user${i}@gmail.com about order ${i}`, `done ${i}`));
    size += lines[lines.length - 1]!.length + 1;
  }
  const content = lines.join('\n') + '\n';
  const path = join(dir, 'kill.jsonl');
  writeFileSync(path, content);
  const child = spawn(process.execPath, [bin, 'fix', 'kill.jsonl', '--in-place'], {
    cwd: dir,
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let killedMidWrite = false;
  // Poll (no fixed sleep) until the temporary file has bytes in it, then kill.
  while (child.exitCode === null) {
    const temp = readdirSync(dir).find((name) => name.startsWith('.kill.jsonl.tunesmith-'));
    if (temp && (statSync(join(dir, temp), { throwIfNoEntry: false })?.size ?? 0) > 0) {
      killedMidWrite = child.kill('SIGKILL');
      break;
    }
    await tick();
  }
  await exited;
  const after = readFileSync(path, 'utf8');
  if (killedMidWrite) {
    assert.equal(after, content, 'the original is intact');
    assert.equal(existsSync(`${path}.bak`), false, 'killed before the backup step');
  } else {
    // The write finished before the kill: then the file must be complete, every email replaced.
    assert.equal(after, content.replace(/user\d+@gmail\.com/g, '<EMAIL>'));
  }
});
