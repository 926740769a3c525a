/**
 * The requests behind the "New fine-tuning run" form, over a real connection: the workspace's
 * dataset files (exclusions respected), a dataset's lint summary for a closed file (linted from disk)
 * and for an open buffer (its unsaved text counts), the split (the core's, as `tunesmith split` runs it),
 * and the diff behind "Compare Dataset with Revision…" (the core's, as `tunesmith diff` runs it).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import {
  DatasetDiffRequest,
  DatasetFilesRequest,
  DatasetStatsRequest,
  DatasetSummaryRequest,
  SplitRequest,
  type SplitResult,
} from '../../src/shared/protocol.ts';
import { LspClient } from './client.ts';

const root = mkdtempSync(join(tmpdir(), 'tunesmith-form-'));
const uri = (path: string): string => pathToFileURL(join(root, path)).href;
const chat = (role: string, text: string): string =>
  JSON.stringify({
    messages: [
      { role, content: text },
      { role: 'assistant', content: `answer to ${text}` },
    ],
  });
let client: LspClient;

before(async () => {
  mkdirSync(join(root, 'data'));
  mkdirSync(join(root, 'ignored'));
  const lines = Array.from({ length: 40 }, (_, i) =>
    chat('user', `question number ${i} about topic ${i * 7}`),
  );
  writeFileSync(join(root, 'data/all.jsonl'), lines.join('\n') + '\n');
  writeFileSync(
    join(root, 'data/bad.jsonl'),
    `${chat('usr', 'a')}\n${chat('user', 'b')}  \n${chat('usr', 'c')}\n`,
  );
  writeFileSync(join(root, 'ignored/x.jsonl'), `${chat('user', 'x')}\n`);
  client = await LspClient.start({
    command: [process.execPath, '--import', 'tsx', 'test/lsp/fixture-server.ts', '--stdio'],
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'ws' }],
    sections: { 'files.exclude': { '**/ignored': true } },
  });
});

after(async () => {
  await client.stop();
  rmSync(root, { recursive: true, force: true });
});

test('the dataset files are the workspace .jsonl files minus the excluded ones', async () => {
  const { uris } = await client.connection.sendRequest(DatasetFilesRequest);
  assert.deepEqual(uris, [uri('data/all.jsonl'), uri('data/bad.jsonl')]);
});

test('a closed dataset is summarised from disk, an open one from its buffer', async () => {
  const closed = await client.connection.sendRequest(DatasetSummaryRequest, { uri: uri('data/bad.jsonl') });
  assert.deepEqual(closed, {
    uri: uri('data/bad.jsonl'),
    examples: 3,
    format: 'OpenAI chat (messages)',
    errors: 2,
    warnings: 1,
    firstError: { line: 1, code: 'test/role', message: 'Unknown role "usr"; did you mean "user"?' },
    fromDisk: true,
  });
  await client.open(uri('data/bad.jsonl'), `${chat('user', 'a')}\n${chat('usr', 'c')}\n`);
  const open = await client.connection.sendRequest(DatasetSummaryRequest, { uri: uri('data/bad.jsonl') });
  assert.deepEqual(open, {
    uri: uri('data/bad.jsonl'),
    examples: 2,
    format: 'OpenAI chat (messages)',
    errors: 1,
    warnings: 0,
    firstError: { line: 2, code: 'test/role', message: 'Unknown role "usr"; did you mean "user"?' },
  });
  const missing = await client.connection.sendRequest(DatasetSummaryRequest, { uri: uri('data/none.jsonl') });
  assert.equal(missing, null);
});

test('with the real rules, an empty file and mixed formats are errors the form names, as the trainer refuses them', async () => {
  // The product's checkers (src/server/main.ts), not the test ones: these are rules of the data contract.
  const real = await LspClient.start({
    command: [process.execPath, '--import', 'tsx', 'src/server/main.ts', '--stdio'],
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'ws' }],
  });
  try {
    writeFileSync(join(root, 'data/empty.jsonl'), '');
    const empty = await real.connection.sendRequest(DatasetSummaryRequest, { uri: uri('data/empty.jsonl') });
    assert.deepEqual([empty?.errors, empty?.firstError?.code], [1, 'format/no-examples']);
    await real.open(uri('data/mixed.jsonl'), `${chat('user', 'a')}\n{"text": "b"}\n${chat('user', 'c')}\n`);
    const mixed = await real.connection.sendRequest(DatasetSummaryRequest, { uri: uri('data/mixed.jsonl') });
    assert.deepEqual(
      [mixed?.errors, mixed?.firstError?.line, mixed?.firstError?.code],
      [1, 2, 'format/drift'],
    );
  } finally {
    await real.stop();
    rmSync(join(root, 'data/empty.jsonl'));
  }
});

test('split writes the split next to the file, and refuses to overwrite it', async () => {
  const result = await client.connection.sendRequest(SplitRequest, {
    uri: uri('data/all.jsonl'),
    fraction: 0.25,
  });
  assert.ok(!('error' in result), JSON.stringify(result));
  assert.deepEqual(
    [result.train, result.validation],
    [uri('data/all.train.jsonl'), uri('data/all.val.jsonl')],
  );
  const count = (path: string) => readFileSync(join(root, path), 'utf8').trim().split('\n').length;
  assert.equal(count('data/all.train.jsonl') + count('data/all.val.jsonl'), 40);
  assert.ok(count('data/all.val.jsonl') >= 5 && count('data/all.val.jsonl') <= 15, result.report);
  const again: SplitResult = await client.connection.sendRequest(SplitRequest, {
    uri: uri('data/all.jsonl'),
    fraction: 0.25,
  });
  assert.ok('error' in again && /already exist: choose them/.test(again.error), JSON.stringify(again));
  assert.ok(existsSync(join(root, 'data/all.val.jsonl')));
});

test("the dataset view's statistics: the open buffer's, counted with the real rules' findings and tokenizer", async () => {
  const real = await LspClient.start({
    command: [process.execPath, '--import', 'tsx', 'src/server/main.ts', '--stdio'],
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'ws' }],
    settings: { tokens: { max: 30 } },
  });
  try {
    // A file the server knows only on disk is counted from disk.
    const closed = await real.connection.sendRequest(DatasetStatsRequest, { uri: uri('data/all.jsonl') });
    assert.ok(!('error' in closed), JSON.stringify(closed));
    assert.equal(closed.charts.examples, 40);
    const lines = [
      chat('user', 'write to alice@corp.dev please'),
      chat('user', 'a question about cats'),
      chat('user', 'a question about cats'),
      chat('user', 'positive'),
    ];
    await real.open(uri('data/stats.jsonl'), lines.join('\n') + '\n');
    const result = await real.connection.sendRequest(DatasetStatsRequest, { uri: uri('data/stats.jsonl') });
    assert.ok(!('error' in result), JSON.stringify(result));
    const { charts } = result;
    assert.equal(result.version, 1);
    assert.equal(charts.examples, 4);
    assert.equal(charts.maxTokens, 30, 'tokens.max from the settings its diagnostics use');
    // The address is in the question and in its answer (`answer to …`).
    assert.deepEqual(charts.pii, [{ code: 'pii/email', count: 2 }]);
    assert.deepEqual(charts.duplicates, [{ size: 2, clusters: 1 }]);
    assert.deepEqual(charts.formats, [{ format: 'chat', count: 4 }]);
    // One count per line; the last line (after the final newline) holds no example.
    assert.equal(result.lineTokens.length, 4);
    assert.ok(result.lineTokens.every((count) => count > 0));
    assert.equal(charts.tokens?.total, 4);
    assert.deepEqual(
      result.roleTokens.map(({ role }) => role),
      ['user', 'assistant'],
    );
  } finally {
    await real.stop();
  }
});

test('a file over the in-memory limit, known only on disk, gets the same statistics as its open copy', async () => {
  const real = await LspClient.start({
    command: [process.execPath, '--import', 'tsx', 'src/server/main.ts', '--stdio'],
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'ws' }],
    settings: { tokens: { max: 30 } },
    // The 50 MB threshold in small: this file is "large", so the editor would show it from disk.
    initializationOptions: { largeFileBytes: 1000 },
  });
  try {
    const lines = [
      ...Array.from({ length: 300 }, (_, i) => chat(i % 3 ? 'user' : 'system', `question ${i % 70} on ${i}`)),
      chat('user', 'write to alice@corp.dev please'),
      chat('user', 'a question about cats'),
      chat('user', 'a question about cats'),
      'not json',
      '',
      JSON.stringify({ prompt: 'p', completion: 'c' }),
    ];
    const text = lines.join('\n') + '\n';
    assert.ok(text.length > 1000);
    writeFileSync(join(root, 'data/big.jsonl'), text);
    const fromDisk = await real.connection.sendRequest(DatasetStatsRequest, { uri: uri('data/big.jsonl') });
    assert.ok(!('error' in fromDisk), JSON.stringify(fromDisk));
    await real.open(uri('data/big-copy.jsonl'), text);
    const inMemory = await real.connection.sendRequest(DatasetStatsRequest, {
      uri: uri('data/big-copy.jsonl'),
    });
    assert.ok(!('error' in inMemory), JSON.stringify(inMemory));
    assert.equal(fromDisk.charts.examples, 304);
    assert.deepEqual(
      fromDisk.charts.pii,
      [{ code: 'pii/email', count: 2 }],
      'findings of the lint from disk',
    );
    assert.ok(fromDisk.charts.duplicates.length > 0);
    assert.deepEqual(fromDisk.charts, inMemory.charts);
    assert.deepEqual(fromDisk.lineTokens, inMemory.lineTokens);
    assert.deepEqual(fromDisk.roleTokens, inMemory.roleTokens);
  } finally {
    await real.stop();
    rmSync(join(root, 'data/big.jsonl'), { force: true });
  }
});

test('diff compares two files as `tunesmith diff` does, and names a file it cannot read', async () => {
  const lines = readFileSync(join(root, 'data/all.jsonl'), 'utf8').trimEnd().split('\n');
  const old = join(mkdtempSync(join(tmpdir(), 'tunesmith-old-')), 'all.jsonl');
  // The old version: lines 6-40 in reverse, and one example the new one no longer has.
  writeFileSync(old, [...lines.slice(5).reverse(), chat('user', 'gone since')].join('\n') + '\n');
  const result = await client.connection.sendRequest(DatasetDiffRequest, {
    uri: uri('data/all.jsonl'),
    old: { path: old, name: 'all.jsonl@abc1234' },
    new: { path: join(root, 'data/all.jsonl'), name: 'all.jsonl' },
    limit: 3,
  });
  assert.ok(!('error' in result), JSON.stringify(result));
  const { examples, drift, summary } = result.diff;
  assert.deepEqual(
    [examples.unchanged, examples.added.count, examples.removed.count, examples.changed.count],
    [35, 5, 1, 0],
  );
  assert.equal(examples.added.examples.length, 3, 'the limit holds');
  assert.deepEqual(examples.added.examples[0]!.line, 1);
  assert.deepEqual(drift.examples, { old: 36, new: 40 });
  assert.match(summary[0]!, /^5 examples added, 1 removed, 0 changed/);
  const missing = await client.connection.sendRequest(DatasetDiffRequest, {
    uri: uri('data/all.jsonl'),
    old: { path: join(root, 'data/none.jsonl'), name: 'none.jsonl' },
    new: { path: join(root, 'data/all.jsonl'), name: 'all.jsonl' },
    limit: 3,
  });
  assert.ok(
    'error' in missing && /^none\.jsonl: cannot read file/.test(missing.error),
    JSON.stringify(missing),
  );
  rmSync(old);
});
