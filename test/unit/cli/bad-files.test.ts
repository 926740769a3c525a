import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BROKEN, CLEAN, chat } from './fixtures.ts';
import { cli, tempDir } from './helpers.ts';

const dir = tempDir('bad-files');

async function findings(name: string, content: string | Buffer) {
  writeFileSync(join(dir, name), content);
  const run = await cli(['lint', name, '--format', 'json'], dir);
  return { ...run, list: run.code === 2 ? [] : (JSON.parse(run.stdout) as { line: number; code: string }[]) };
}

const summary = (list: { line: number; code: string }[]): string[] => list.map((f) => `${f.line} ${f.code}`);

test('an empty file is an error (the trainer refuses it: no examples)', async () => {
  const run = await findings('empty.jsonl', '');
  assert.equal(run.code, 1);
  assert.deepEqual(summary(run.list), ['1 format/no-examples']);
});

test('a binary file gets one clear message and the other files are linted', async () => {
  writeFileSync(
    join(dir, 'picture.jsonl'),
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]),
  );
  writeFileSync(join(dir, 'next.jsonl'), `${BROKEN}\n`);
  const run = await cli(['lint', 'picture.jsonl', 'next.jsonl'], dir);
  assert.equal(run.code, 2);
  assert.equal(run.stderr, 'tunesmith: picture.jsonl: binary file (NUL byte at offset 8); skipped\n');
  assert.match(run.stdout, /^next\.jsonl:1:2 error/m);
});

test('invalid UTF-8 is reported on its line; the lines around it are linted', async () => {
  const content = Buffer.concat([
    Buffer.from(`${CLEAN}\n`),
    Buffer.from('{"text":"caf'),
    Buffer.from([0xe9]),
    Buffer.from('"}\n'),
    Buffer.from(`${BROKEN}\n`),
  ]);
  const run = await findings('latin1.jsonl', content);
  assert.ok(summary(run.list).includes('2 syntax/invalid-utf8'), summary(run.list).join(', '));
  assert.ok(summary(run.list).includes('3 syntax/invalid-json'));
});

test('a 50 MB line is reported as too long without stopping the file', async () => {
  const huge = `{"text":"${'a'.repeat(50 * 1024 * 1024)}"}`;
  const run = await findings('huge.jsonl', `${CLEAN}\n${huge}\n${BROKEN}\n`);
  assert.deepEqual(summary(run.list), ['2 syntax/line-too-long', '3 syntax/invalid-json']);
});

test('100,000-deep nesting does not crash the linter', async () => {
  const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
  const array = '['.repeat(100_000) + ']'.repeat(100_000);
  const run = await findings('deep.jsonl', `${deep}\n${array}\n${BROKEN}\n`);
  assert.notEqual(run.code, 2, run.stderr);
  assert.ok(summary(run.list).includes('2 syntax/not-object'), summary(run.list).join(', '));
  assert.ok(summary(run.list).includes('3 syntax/invalid-json'));
});

test('no trailing newline and CRLF line endings are linted like any other file', async () => {
  const lines = [chat('a', 'b'), BROKEN, chat('c', 'd')];
  const noEol = await findings('no-eol.jsonl', lines.join('\n'));
  assert.deepEqual(summary(noEol.list), ['2 syntax/invalid-json']);
  const crlf = await findings('crlf.jsonl', lines.join('\r\n') + '\r\n');
  assert.deepEqual(summary(crlf.list), ['2 syntax/invalid-json']);
});

test('UTF-16 and UTF-32 files are named as such, with what to do, not as binary', async () => {
  const text = `${CLEAN}\n`;
  const utf16be = Buffer.from(text, 'utf16le').swap16();
  const utf32le = Buffer.concat([...text].map((c) => Buffer.from([c.charCodeAt(0), 0, 0, 0])));
  const cases: [string, Buffer, string][] = [
    [
      'le.jsonl',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
      'UTF-16 LE text (byte order mark)',
    ],
    ['be.jsonl', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be]), 'UTF-16 BE text (byte order mark)'],
    [
      'le32.jsonl',
      Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32le]),
      'UTF-32 LE text (byte order mark)',
    ],
    ['unmarked.jsonl', Buffer.from(text, 'utf16le'), 'UTF-16 LE text (no byte order mark)'],
  ];
  for (const [name, bytes, what] of cases) {
    writeFileSync(join(dir, name), bytes);
    const run = await cli(['lint', name], dir);
    assert.equal(run.code, 2, name);
    const iconv = what.slice(0, what.indexOf(' text')).replace(' ', '');
    assert.equal(
      run.stderr,
      `tunesmith: ${name}: ${what}; convert it to UTF-8, e.g. iconv -f ${iconv} -t UTF-8; skipped\n`,
    );
  }
});

test('stats on a line nested 5,000 deep counts it (no stack overflow)', async () => {
  const deep = `{"messages":[{"role":"user","content":"x","extra":${'['.repeat(5000)}${']'.repeat(5000)}},{"role":"assistant","content":"y"}]}`;
  writeFileSync(join(dir, 'deep-stats.jsonl'), `${deep}\n${deep}\n${CLEAN}\n`);
  const run = await cli(['stats', 'deep-stats.jsonl', '--json'], dir);
  assert.equal(run.code, 0, run.stderr);
  const stats = JSON.parse(run.stdout);
  assert.equal(stats.examples, 3);
  assert.deepEqual(stats.duplicates, { exactDuplicateExamples: 1, distinctExamples: 2 });
});

test('an endless stream of NUL bytes (/dev/zero) is refused as binary, not copied until the disk is full', async () => {
  const run = await cli(['lint', '/dev/zero'], dir);
  assert.equal(run.code, 2);
  assert.equal(run.stderr, 'tunesmith: /dev/zero: binary file (NUL byte at offset 0); skipped\n');
});
