import assert from 'node:assert/strict';
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nearestRank } from '../../../src/core/stats/stats.ts';
import { BROKEN, EMAIL, chat } from './fixtures.ts';
import { cli, tempDir } from './helpers.ts';

const dir = tempDir('stats-fix');

test('nearest-rank percentiles: the value at rank ceil(p/100 * n)', () => {
  const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(nearestRank(sorted, 50), 5);
  assert.equal(nearestRank(sorted, 90), 9);
  assert.equal(nearestRank(sorted, 91), 10);
  assert.equal(nearestRank([7], 1), 7);
  assert.equal(nearestRank([], 50), 0);
});

test('stats counts examples, formats, roles, duplicates, PII and labels', async () => {
  const lines = [
    chat('Is the sky blue?', 'yes'),
    chat('Is grass red?', 'no'),
    chat('Is snow white?', 'yes'),
    chat('Is snow white?', 'yes'),
    EMAIL,
    JSON.stringify({ prompt: 'Is fire cold?', completion: 'no' }),
    BROKEN,
    '',
  ];
  writeFileSync(join(dir, 'labels.jsonl'), lines.join('\n') + '\n');
  const run = await cli(['stats', 'labels.jsonl', '--json'], dir);
  assert.equal(run.code, 0, run.stderr);
  const stats = JSON.parse(run.stdout);
  assert.equal(stats.lines, 8);
  assert.equal(stats.examples, 6);
  assert.equal(stats.blankLines, 1);
  assert.equal(stats.invalidJsonLines, 1);
  assert.deepEqual(stats.formats, { 'OpenAI chat (messages)': 5, 'prompt/completion': 1 });
  assert.deepEqual(stats.roles, { user: 6, assistant: 6 });
  assert.deepEqual(stats.duplicates, { exactDuplicateExamples: 1, distinctExamples: 5 });
  assert.deepEqual(stats.pii, { findings: 1, byCode: { 'pii/email': 1 } });
  assert.deepEqual(stats.labels, { yes: 3, no: 2, ok: 1 });
  assert.ok(
    stats.tokens.min > 0 && stats.tokens.min <= stats.tokens.p50 && stats.tokens.p90 <= stats.tokens.max,
  );
  assert.match(stats.tokens.definition, /nearest rank/);
  const text = await cli(['stats', 'labels.jsonl'], dir);
  assert.match(text.stdout, /Tokens per example \(o200k_base; percentiles by nearest rank\)/);
  assert.match(text.stdout, /PII findings: 1/);
});

test('stats, lint and fix on lines like the self-instruct T0 shards: <|endoftext|> ends the completions', async () => {
  const EOT = '<|endoftext|>';
  const long = 'Premise: the long context of a T0 task. '.repeat(150);
  const lines = [
    JSON.stringify({ prompt: 'Translate: cat', completion: `chat${EOT}` }),
    JSON.stringify({ prompt: 'Nothing to say', completion: EOT }),
    JSON.stringify({ prompt: long, completion: `Yes.${EOT}` }),
  ];
  assert.ok(Buffer.byteLength(lines[2]!) > 4096);
  writeFileSync(join(dir, 't0.jsonl'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 't0.json'), JSON.stringify({ tokens: { max: 1000 } }));

  const stats = await cli(['stats', 't0.jsonl', '--json', '--config', 't0.json'], dir);
  assert.equal(stats.code, 0, stats.stderr);
  assert.equal(stats.stderr, '');
  const tokens = (JSON.parse(stats.stdout) as { tokens: { min: number; max: number; overMax: object } })
    .tokens;
  // The marker is one control token: "Nothing to say" (3) + <|endoftext|> (1) + overheads 3 + 2 * 4.
  assert.equal(tokens.min, 3 + 1 + 3 + 2 * 4);
  assert.deepEqual(tokens.overMax, { limit: 1000, examples: 1 });

  const lint = await cli(['lint', 't0.jsonl', '--format', 'json', '--config', 't0.json'], dir);
  assert.equal(lint.stderr, '', 'no internal error');
  const findings = JSON.parse(lint.stdout) as { code: string; line: number }[];
  const tokenFindings = findings
    .filter((f) => f.code.startsWith('tokens/'))
    .map((f) => `${f.line} ${f.code}`)
    .sort();
  assert.deepEqual(tokenFindings, [
    '1 tokens/special-token',
    '2 tokens/empty-answer',
    '2 tokens/special-token',
    '3 tokens/special-token',
    '3 tokens/too-long',
  ]);

  const fixed = await cli(['fix', 't0.jsonl', '--rules', 'tokens/special-token'], dir);
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.equal(fixed.bytes.toString('utf8'), lines.map((line) => line.replace(EOT, '')).join('\n') + '\n');
});

test('fix writes to stdout by default and reports what it fixed on stderr', async () => {
  const lines = [chat('a', 'b'), EMAIL, chat('a', 'b'), BROKEN];
  writeFileSync(join(dir, 'fix.jsonl'), lines.join('\n') + '\n');
  const run = await cli(['fix', 'fix.jsonl'], dir);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(
    run.bytes.toString('utf8'),
    [chat('a', 'b'), EMAIL.replace('bob.smith@gmail.com', '<EMAIL>'), BROKEN].join('\n') + '\n',
  );
  assert.match(run.stderr, /fixed 2 findings\n {2}consistency\/duplicate: 1\n {2}pii\/email: 1\n/);

  const only = await cli(['fix', 'fix.jsonl', '--rules', 'pii'], dir);
  assert.equal(
    only.bytes.toString('utf8'),
    lines.join('\n').replace('bob.smith@gmail.com', '<EMAIL>') + '\n',
  );
  assert.equal((await cli(['fix', 'fix.jsonl', '--rules', 'nope/x'], dir)).code, 2);
  assert.equal((await cli(['fix', 'fix.jsonl', '--in-place', '--out', 'x.jsonl'], dir)).code, 2);
});

test('fix --in-place keeps a backup and leaves a complete file; --out writes elsewhere', async () => {
  const original = [EMAIL, chat('q', 'a'), EMAIL].join('\r\n') + '\r\n';
  writeFileSync(join(dir, 'inplace.jsonl'), original);
  const out = await cli(['fix', 'inplace.jsonl', '--out', 'fixed.jsonl'], dir);
  assert.equal(out.code, 0);
  const fixed = readFileSync(join(dir, 'fixed.jsonl'), 'utf8');
  const run = await cli(['fix', 'inplace.jsonl', '--in-place'], dir);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readFileSync(join(dir, 'inplace.jsonl.bak'), 'utf8'), original);
  assert.equal(readFileSync(join(dir, 'inplace.jsonl'), 'utf8'), fixed);
  assert.equal(
    fixed,
    [EMAIL.replace('bob.smith@gmail.com', '<EMAIL>'), chat('q', 'a')].join('\r\n') + '\r\n',
  );
  assert.deepEqual(
    readdirSync(dir).filter((name) => name.includes('.tmp')),
    [],
    'no temp file left',
  );
  assert.ok(existsSync(join(dir, 'inplace.jsonl')));
});

test('fix --out naming FILE through a symbolic or a hard link is refused, and FILE is intact', async () => {
  const original = [EMAIL, chat('q', 'a')].join('\n') + '\n';
  writeFileSync(join(dir, 'linked.jsonl'), original);
  symlinkSync('linked.jsonl', join(dir, 'soft.jsonl'));
  linkSync(join(dir, 'linked.jsonl'), join(dir, 'hard.jsonl'));
  for (const alias of ['soft.jsonl', 'hard.jsonl', `sub/../linked.jsonl`]) {
    const run = await cli(['fix', 'linked.jsonl', '--out', alias], dir);
    assert.equal(run.code, 2, alias);
    assert.match(run.stderr, /--out .* is linked\.jsonl itself.*; use --in-place to replace it\n$/, alias);
    assert.equal(readFileSync(join(dir, 'linked.jsonl'), 'utf8'), original, alias);
  }
});

test('fix --in-place through a symbolic link fixes the file it points at and keeps the link', async () => {
  mkdirSync(join(dir, 'blobs'));
  const original = `${EMAIL}\n`;
  writeFileSync(join(dir, 'blobs', 'a1b2'), original);
  symlinkSync('blobs/a1b2', join(dir, 'snapshot.jsonl'));
  const run = await cli(['fix', 'snapshot.jsonl', '--in-place'], dir);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(lstatSync(join(dir, 'snapshot.jsonl')).isSymbolicLink());
  assert.equal(
    readFileSync(join(dir, 'blobs', 'a1b2'), 'utf8'),
    original.replace('bob.smith@gmail.com', '<EMAIL>'),
  );
  assert.equal(readFileSync(join(dir, 'snapshot.jsonl.bak'), 'utf8'), original);
});

test("fix --in-place removes the temporary files of dead processes, not a live process's", async () => {
  writeFileSync(join(dir, 'stale.jsonl'), `${EMAIL}\n`);
  // A PID no process has (above Linux's pid_max), and one that is alive: our parent.
  const dead = join(dir, '.stale.jsonl.tunesmith-4194305.tmp');
  const deadBackup = join(dir, '.stale.jsonl.bak.tunesmith-4194305.tmp');
  const live = join(dir, `.stale.jsonl.tunesmith-${process.ppid}.tmp`);
  for (const path of [dead, deadBackup, live]) writeFileSync(path, 'partial');
  const run = await cli(['fix', 'stale.jsonl', '--in-place'], dir);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(existsSync(dead), false);
  assert.equal(existsSync(deadBackup), false);
  assert.equal(existsSync(live), true);
});
