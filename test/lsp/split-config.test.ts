/**
 * The editor's split runs under the configuration its diagnostics use: the workspace root's
 * tunesmith.json (merged with settings), not a tunesmith.json looked up beside the dataset.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { SplitRequest } from '../../src/shared/protocol.ts';
import { LspClient } from './client.ts';

const root = mkdtempSync(join(tmpdir(), 'tunesmith-split-config-'));
let client: LspClient;

before(async () => {
  mkdirSync(join(root, 'data'));
  // The root's config: lines over 200 characters are not read, so they cannot be split.
  writeFileSync(join(root, 'tunesmith.json'), JSON.stringify({ maxLineLength: 200 }));
  const line = (i: number, words: number): string =>
    JSON.stringify({
      messages: [
        { role: 'user', content: `question ${i} ${'about the topic '.repeat(words)}` },
        { role: 'assistant', content: `answer ${i}` },
      ],
    });
  const lines = Array.from({ length: 20 }, (_, i) => line(i, 1));
  lines[7] = line(7, 30);
  writeFileSync(join(root, 'data/long.jsonl'), lines.join('\n') + '\n');
  client = await LspClient.start({
    command: [process.execPath, '--import', 'tsx', 'test/lsp/fixture-server.ts', '--stdio'],
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'ws' }],
  });
});

after(async () => {
  await client.stop();
  rmSync(root, { recursive: true, force: true });
});

test("split uses the workspace root's tunesmith.json, as the file's diagnostics do", async () => {
  const result = await client.connection.sendRequest(SplitRequest, {
    uri: pathToFileURL(join(root, 'data/long.jsonl')).href,
    fraction: 0.25,
  });
  assert.ok('error' in result, JSON.stringify(result));
  assert.match(result.error, /long\.jsonl:8: line of \d+ characters, over maxLineLength 200/);
  assert.ok(!existsSync(join(root, 'data/long.train.jsonl')), 'nothing written');
});
