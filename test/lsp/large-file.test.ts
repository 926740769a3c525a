/**
 * A file linted from disk is streamed, never held: a server whose JavaScript heap is smaller than
 * the file lints a file of 1,000,000 lines (100 MB) and reports its last line at the right position.
 * Reading the file into one string, or keeping an object per line, runs that server out of heap.
 * (A 48 MB heap for a 50 MB file left too little room beside the server's own code, run through tsx:
 * it ran out of heap in about one run in four.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { LspClient } from './client.ts';

const LINES = 1_000_000;
const HEAP_MB = 64;
const dir = mkdtempSync(join(tmpdir(), 'tunesmith-large-'));
let client: LspClient | undefined;

after(async () => {
  await client?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test(`a ${LINES.toLocaleString('en-US')}-line file is linted from disk within a ${HEAP_MB} MB heap`, async () => {
  const path = join(dir, 'big.jsonl');
  // Not JSON, so the test checkers keep no facts for it; the last line has trailing whitespace.
  const body = ('x'.repeat(99) + '\n').repeat(LINES);
  writeFileSync(path, body + '{"messages": []}  \n');
  client = await LspClient.start({
    command: [
      process.execPath,
      `--max-old-space-size=${HEAP_MB}`,
      '--import',
      'tsx',
      'test/lsp/fixture-server.ts',
      '--stdio',
    ],
    initializationOptions: { largeFileBytes: 1 },
    // 100 MB in one thread: over 60 s on a busy 2-core machine, within the runner's 120 s.
    waitMs: 115_000,
  });
  const uri = pathToFileURL(path).href;
  const exited = new Promise<string>((resolve) =>
    client!.process.once('exit', (code) => resolve(`exit ${code}`)),
  );
  const published = client.nextDiagnostics(uri);
  await client.connection.sendNotification('tunesmith/diskFile', { uri, open: true });
  const result = await Promise.race([published, exited]);
  assert.notEqual(typeof result, 'string', `the server died: ${String(result)}`);
  const { diagnostics } = result as Awaited<typeof published>;
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.character]),
    [['test/trailing-space', LINES, 16]],
  );
});
