import assert from 'node:assert/strict';
import { appendFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { EventParser, FileTail } from '../../../src/extension/runs/tail.ts';
import { isTrainerEvent } from '../../../src/shared/trainer-events.ts';

const encode = (text: string) => new TextEncoder().encode(text);
const log = (step: number) =>
  JSON.stringify({ v: 1, type: 'log', time: '2026-01-01T00:00:00+00:00', step, loss: 1 / (step + 1) });

test('a line split across reads is parsed once it is complete', () => {
  const parser = new EventParser();
  const line = log(3);
  assert.deepEqual(parser.push(encode(line.slice(0, 10))), { events: [], warnings: [] });
  const parsed = parser.push(encode(`${line.slice(10)}\n`));
  assert.equal(parsed.events.length, 1);
  assert.equal(parsed.events[0]!.type === 'log' && parsed.events[0]!.step, 3);
});

test('a corrupt line in the middle is skipped with a warning naming its line; the next ones are read', () => {
  const parser = new EventParser();
  const parsed = parser.push(
    encode(`${log(1)}\n{"v": 1, "type": "lo\n${log(2)}\n{"v":2,"type":"log"}\n${log(3)}\n`),
  );
  assert.deepEqual(
    parsed.events.map((event) => event.type === 'log' && event.step),
    [1, 2, 3],
  );
  assert.deepEqual(parsed.warnings, [
    'events.jsonl line 2 skipped: not valid JSON (a truncated or corrupt line)',
    'events.jsonl line 4 skipped: not an event of protocol version 1',
  ]);
});

test('a truncated last line is reported when the writer is gone, not before', () => {
  const parser = new EventParser();
  assert.equal(parser.push(encode(`${log(1)}\n${log(2).slice(0, 20)}`)).warnings.length, 0);
  const end = parser.end();
  assert.deepEqual(end.events, []);
  assert.deepEqual(end.warnings, [
    'events.jsonl line 2 skipped: not valid JSON (a truncated or corrupt line) (the file ends without a newline)',
  ]);
});

test('a multi-byte character split between two reads decodes whole', () => {
  const parser = new EventParser();
  const bytes = encode(JSON.stringify({ v: 1, type: 'warning', time: 't', message: 'naïve — 日本' }) + '\n');
  const cut = bytes.indexOf(0xc3) + 1;
  parser.push(bytes.subarray(0, cut));
  const parsed = parser.push(bytes.subarray(cut));
  assert.equal(parsed.events[0]!.type === 'warning' && parsed.events[0]!.message, 'naïve — 日本');
});

test('a config error with every problem listed is read; a malformed problem list is skipped', () => {
  const error = (problems: unknown) =>
    JSON.stringify({
      v: 1,
      type: 'error',
      time: 't',
      kind: 'config',
      message: 'run config has 2 problems',
      problems,
    });
  const listed = [
    { path: 'training/learning_rate', message: '0 is not > 0' },
    { path: 'method/lora/r', message: '0 is less than the minimum of 1' },
  ];
  const parsed = new EventParser().push(encode(`${error(listed)}\n${error([{ path: 3 }])}\n`));
  assert.deepEqual(
    parsed.events.map((event) => event.type === 'error' && event.problems),
    [listed],
  );
  assert.deepEqual(parsed.warnings, ['events.jsonl line 2 skipped: not an event of protocol version 1']);
});

test('property: arbitrary bytes in arbitrary chunks never throw, and valid lines among them all come out', () => {
  const junk = fc.uint8Array({ maxLength: 40 }).map((bytes) => bytes.filter((byte) => byte !== 0x0a));
  const line = fc.oneof(
    fc.nat(1000).map((step) => ({ valid: true, bytes: encode(log(step)) })),
    junk.map((bytes) => ({ valid: false, bytes })),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 30 }), fc.array(fc.nat(50), { maxLength: 10 }), (lines, cuts) => {
      const stream = Buffer.concat(lines.flatMap(({ bytes }) => [bytes, encode('\n')]));
      const parser = new EventParser();
      const events = [];
      let at = 0;
      for (const cut of [...cuts, stream.length]) {
        const next = Math.min(stream.length, at + cut);
        for (const event of parser.push(stream.subarray(at, next)).events) events.push(event);
        at = next;
      }
      for (const event of parser.end().events) events.push(event);
      assert.ok(events.every(isTrainerEvent));
      // Junk may happen to be an empty line or, vanishingly rarely, valid JSON that is no event.
      assert.equal(events.length, lines.filter(({ valid }) => valid).length);
    }),
  );
});

test('property: arbitrary bytes fed to the parser never throw', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
      const parser = new EventParser();
      for (const chunk of chunks) parser.push(chunk);
      parser.end();
    }),
  );
});

test('FileTail reads only what was appended, and starts over when the file is replaced', async () => {
  const path = join(await mkdtemp(join(tmpdir(), 'tail-')), 'events.jsonl');
  const tail = new FileTail(path);
  assert.equal(await tail.read(), undefined);
  await writeFile(path, 'abc\n');
  assert.equal(Buffer.from((await tail.read())!.bytes).toString(), 'abc\n');
  await appendFile(path, 'def\n');
  assert.equal(Buffer.from((await tail.read())!.bytes).toString(), 'def\n');
  assert.equal((await tail.read())!.bytes.length, 0);
  await writeFile(path, 'x\n');
  const replaced = (await tail.read())!;
  assert.equal(replaced.reset, true);
  assert.equal(Buffer.from(replaced.bytes).toString(), 'x\n');
});
