/**
 * The dataset view's pages of a large file (src/core/io/line-pages.ts): an offset index built by one
 * streaming pass, and pages read by byte offset. Checked against a reference split written here from
 * scratch (a regular expression over the bytes and WHATWG's TextDecoder), not against the reader.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { LinePages, type PageLine } from '../../../src/core/io/line-pages.ts';
import { tempDir } from '../cli/helpers.ts';

const dir = tempDir('line-pages');
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const loose = new TextDecoder('utf-8');
const strict = new TextDecoder('utf-8', { fatal: true });

/** What a text editor shows of `bytes`: lines split at CRLF, LF and a lone CR; a leading BOM hidden. */
function reference(bytes: Buffer): PageLine[] {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  const lines: PageLine[] = [];
  let start = 0;
  const push = (end: number) => {
    const content = body.subarray(start, end);
    const text = loose.decode(content);
    const line: PageLine = { line: lines.length, text };
    try {
      strict.decode(content);
    } catch {
      line.invalidUtf8At = text.indexOf('\uFFFD');
    }
    lines.push(line);
  };
  for (let i = 0; i < body.length; i++) {
    if (body[i] === 0x0a) {
      push(i);
      start = i + 1;
    } else if (body[i] === 0x0d) {
      push(i);
      if (body[i + 1] === 0x0a) i++;
      start = i + 1;
    }
  }
  if (start < body.length) push(body.length); // a last line without an ending
  return lines;
}

/** Pieces of a line: JSON-ish ASCII, multibyte characters, a real U+FFFD, and bytes that are not UTF-8. */
const piece = fc.oneof(
  fc.constantFrom('{"a": 1}', 'x', ' ', '"', 'é', '日本', '😀', '\uFFFD').map((text) => Buffer.from(text)),
  fc
    .constantFrom([0xff], [0xc3], [0xe6, 0x97], [0x80], [0xf0, 0x9f, 0x98])
    .map((bytes) => Buffer.from(bytes)),
);
const ending = fc.constantFrom('\n', '\r\n', '\r').map((text) => Buffer.from(text));
const file = fc
  .record({
    bom: fc.boolean(),
    lines: fc.array(fc.tuple(fc.array(piece, { maxLength: 12 }), ending), { maxLength: 40 }),
    tail: fc.array(piece, { maxLength: 6 }),
  })
  .map(({ bom, lines, tail }) =>
    Buffer.concat([
      bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0),
      ...lines.flatMap(([pieces, eol]) => [...pieces, eol]),
      ...tail,
    ]),
  );

async function pagesOf(bytes: Buffer, chunkSize: number): Promise<LinePages> {
  const path = join(dir, `f${files++}.jsonl`);
  writeFileSync(path, bytes);
  return LinePages.open(path, { chunkSize });
}

test('any page read by offset is the lines of the file: CRLF, lone CR, BOM, last line without an ending, invalid UTF-8', async () => {
  await fc.assert(
    fc.asyncProperty(
      file,
      // From 3 bytes: the reader looks for a BOM in its first chunk only (1 MB in use).
      fc.integer({ min: 3, max: 64 }),
      fc.array(fc.nat({ max: 60 }), { maxLength: 30 }),
      async (bytes, chunkSize, asked) => {
        const pages = await pagesOf(bytes, chunkSize);
        try {
          await pages.indexed;
          const expected = reference(bytes);
          assert.equal(pages.index.count, expected.length);
          // A page of any lines (repeats, gaps, past the end): the ones that exist, ascending.
          const wanted = [...new Set(asked.filter((line) => line < expected.length))].sort((a, b) => a - b);
          assert.deepEqual(
            await pages.read(asked),
            wanted.map((line) => expected[line]),
          );
          // And every line, as one page.
          assert.deepEqual(await pages.read(expected.map((line) => line.line)), expected);
        } finally {
          await pages.close();
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('an empty file has no lines, and a page of it is empty', async () => {
  const pages = await pagesOf(Buffer.alloc(0), 16);
  await pages.indexed;
  assert.equal(pages.index.count, 0);
  assert.deepEqual(await pages.read([0, 1]), []);
  assert.deepEqual(pages.progress, { lines: 0, bytes: 0, totalBytes: 0, done: true });
  await pages.close();
});

test('the first page is read while the index is still being built', async () => {
  const lines = Array.from({ length: 20_000 }, (_, i) =>
    JSON.stringify({ text: `line ${i} ${'x'.repeat(i % 50)}` }),
  );
  const path = join(dir, 'growing.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  let firstPage: Promise<PageLine[]> | undefined;
  let indexedThen = 0;
  const pages = await LinePages.open(path, {
    chunkSize: 4096,
    onProgress: (progress) => {
      if (firstPage || progress.done || progress.lines < 10) return;
      indexedThen = progress.lines;
      firstPage = pages.read([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    },
  });
  await pages.indexed;
  assert.ok(firstPage, 'a page was asked for during the pass');
  assert.ok(indexedThen < lines.length, `only ${indexedThen} of ${lines.length} lines were indexed then`);
  assert.deepEqual(
    (await firstPage).map((line) => line.text),
    lines.slice(0, 10),
  );
  assert.equal(pages.index.count, lines.length);
  assert.equal((await pages.read([19_999]))[0]?.text, lines[19_999]);
  await pages.close();
});

test('a line longer than maxLineBytes is read only that far, cut at a character boundary', async () => {
  const path = join(dir, 'long.jsonl');
  writeFileSync(path, `short\n${'é'.repeat(100)}\r\nafter`);
  const pages = await LinePages.open(path, { maxLineBytes: 51 });
  await pages.indexed;
  assert.deepEqual(await pages.read([0, 1, 2]), [
    { line: 0, text: 'short' },
    { line: 1, text: 'é'.repeat(25), totalBytes: 200 },
    { line: 2, text: 'after' },
  ]);
  await pages.close();
});

test('close stops the pass; a rewritten file reads as changed', async () => {
  const path = join(dir, 'changed.jsonl');
  writeFileSync(path, 'a\n'.repeat(100_000));
  const pages = await LinePages.open(path, { chunkSize: 1024 });
  await pages.close();
  assert.ok(pages.progress.done);
  assert.ok(pages.index.count < 100_000, 'the pass stopped before the end');
  const again = await LinePages.open(path);
  await again.indexed;
  assert.equal(again.changed(), false);
  writeFileSync(path, 'b\n');
  assert.equal(again.changed(), true);
  await again.close();
});
