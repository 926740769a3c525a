/**
 * The rows of the read-only dataset view of a file on disk (DiskRows): pages built with the text
 * view's row builder, their findings, a line too long to read whole, the filters (findings only:
 * no text read; text: the file streamed), the read-only notice, and a new version when the file is
 * read again after a change. Every row is one the page's guard accepts.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DiskRows } from '../../../src/extension/dataset/disk-rows.ts';
import { filterLines, type FindingInput } from '../../../src/extension/dataset/rows.ts';
import { isDatasetRow, type DatasetFilter } from '../../../src/shared/dataset-protocol.ts';
import { tempDir } from '../cli/helpers.ts';

const dir = tempDir('disk-rows');
after(() => rmSync(dir, { recursive: true, force: true }));

const chat = (text: string) => JSON.stringify({ messages: [{ role: 'user', content: text }] });
const finding: FindingInput = {
  code: 'pii/email',
  severity: 'warning',
  message: 'An email address.',
  startLine: 1,
  startCharacter: 30,
  endLine: 1,
  endCharacter: 43,
};
const findings = new Map([[1, [finding]]]);
const source = { of: (line: number) => findings.get(line) ?? [], lines: () => [...findings.keys()] };

test('pages, findings, filters, the notice, and a new version after a change on disk', async () => {
  const path = join(dir, 'data.jsonl');
  writeFileSync(path, `${chat('hello there')}\r\n${chat('write to bob@corp.test')}\n{"broken"\n`);
  let announced = 0;
  const rows = new DiskRows(path, 'data.jsonl', () => announced++);
  await rows.open();
  await rows.indexed;
  assert.ok(announced >= 1, 'the count was announced');
  assert.equal(rows.lineCount, 3);
  assert.match(rows.notice(), /^Read-only: this view reads data\.jsonl from disk and cannot edit it/);

  const page = await rows.rows([2, 0, 1, 7], source);
  assert.equal(page?.version, 1);
  assert.deepEqual(
    page?.rows.map((row) => [row.line, row.kind, row.findings.map((f) => f.code)]),
    [
      [0, 'example', []],
      [1, 'example', ['pii/email']],
      [2, 'invalid', []],
    ],
  );
  for (const row of page?.rows ?? []) assert.ok(isDatasetRow(row));

  const filter = (filter: DatasetFilter, current = () => true) =>
    filterLines(filter, source, rows.lines(), current);

  assert.deepEqual(await filter({ code: 'pii/email' }), [1]);
  assert.deepEqual(await filter({ query: 'HELLO' }), [0]);
  assert.deepEqual(await filter({ format: 'chat' }), [0, 1]);
  assert.equal(await filter({}), null);
  assert.equal(await filter({ query: 'hello' }, () => false), undefined, 'a stale filter says nothing');

  writeFileSync(path, `${chat('new first line')}\n`);
  await rows.open();
  await rows.indexed;
  assert.equal(rows.version, 2);
  assert.equal(rows.lineCount, 1);
  const again = await rows.rows([0, 1], source);
  assert.equal(again?.version, 2);
  assert.match(JSON.stringify(again?.rows), /new first line/);
  await rows.close();
});

test('a line longer than the view reads whole is shown by its start, with its size', async () => {
  const path = join(dir, 'long.jsonl');
  writeFileSync(path, `${chat('x'.repeat(17 << 20))}\n${chat('short')}\n`);
  const rows = new DiskRows(path, 'long.jsonl', () => {});
  await rows.open();
  await rows.indexed;
  const page = await rows.rows([0, 1], source);
  const [long, short] = page?.rows ?? [];
  assert.equal(long?.kind, 'invalid');
  assert.ok(long && isDatasetRow(long));
  assert.match(
    long?.kind === 'invalid' ? long.error : '',
    /^This line is 17 MB: only its start is read into the view\.$/,
  );
  assert.equal(short?.kind, 'example');
  await rows.close();
});
