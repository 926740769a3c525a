/**
 * The workspace side of the server over a real connection: closed datasets are linted from disk in
 * the background with work-done progress, `files.exclude` and the server's own exclusions are
 * respected, a watched-file change re-lints, and a file too large for the editor to send is linted
 * from disk, followed on disk, and announced.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { DidChangeWatchedFilesNotification, FileChangeType } from 'vscode-languageserver-protocol/node';
import { until } from '../e2e/harness.ts';
import { LspClient } from './client.ts';

const root = mkdtempSync(join(tmpdir(), 'tunesmith-ws-'));
const outside = mkdtempSync(join(tmpdir(), 'tunesmith-outside-'));
const uri = (path: string): string => pathToFileURL(path).href;
const line = (text: string): string => JSON.stringify({ messages: [{ role: 'user', content: text }] });
let client: LspClient;

before(async () => {
  mkdirSync(join(root, 'data'));
  mkdirSync(join(root, 'ignored'));
  mkdirSync(join(root, 'node_modules'));
  writeFileSync(join(root, 'data/a.jsonl'), `${line('x')}  \n`);
  writeFileSync(join(root, 'ignored/b.jsonl'), `${line('y')}  \n`);
  writeFileSync(join(root, 'node_modules/c.jsonl'), `${line('z')}  \n`);
  writeFileSync(join(root, 'big.jsonl'), `${line('big'.repeat(400))}  \n`);
  writeFileSync(join(root, 'data/wide.jsonl'), Buffer.from(`\ufeff${line('x')}\n${line('y')}\n`, 'utf16le'));
  client = await LspClient.start({
    command: [process.execPath, '--import', 'tsx', 'test/lsp/fixture-server.ts', '--stdio'],
    workspaceFolders: [{ uri: uri(root), name: 'ws' }],
    sections: { 'files.exclude': { '**/ignored': true } },
    initializationOptions: { largeFileBytes: 1000 },
  });
});

after(async () => {
  await client.stop();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const progressKinds = (): string[] =>
  client.notifications
    .filter((n) => n.method === '$/progress')
    .map((n) => (n.params as { value: { kind: string } }).value.kind);

test('closed datasets are linted in the background with progress, respecting exclusions', async () => {
  await until('the workspace run to end', () => progressKinds().includes('end'));
  assert.deepEqual([progressKinds()[0], progressKinds().at(-1)], ['begin', 'end']);
  const a = client.diagnostics.get(uri(join(root, 'data/a.jsonl')));
  assert.deepEqual(
    a?.diagnostics.map((d) => d.code),
    ['test/trailing-space'],
  );
  assert.equal(client.diagnostics.has(uri(join(root, 'ignored/b.jsonl'))), false, 'files.exclude');
  assert.equal(client.diagnostics.has(uri(join(root, 'node_modules/c.jsonl'))), false, 'node_modules');
  const summary = client.notifications.find(
    (n) => n.method === 'tunesmith/summary' && (n.params as { uri: string }).uri === a!.uri,
  );
  assert.deepEqual(summary?.params, {
    uri: a!.uri,
    examples: 1,
    format: 'OpenAI chat (messages)',
    errors: 0,
    warnings: 1,
    fromDisk: true,
  });
});

test('a UTF-16 file gets one diagnostic saying so, not a garbled one per line', async () => {
  const wide = uri(join(root, 'data/wide.jsonl'));
  await until('the UTF-16 file linted', () => client.diagnostics.has(wide));
  const diagnostics = client.diagnostics.get(wide)!.diagnostics;
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.range.start.line]),
    [['syntax/invalid-utf8', 0]],
  );
  const message = diagnostics[0]!.message;
  assert.match(
    typeof message === 'string' ? message : message.value,
    /UTF-16 LE text \(byte order mark\); convert it to UTF-8/,
  );
});

test('a file too large for the editor to send is announced as linted from disk', () => {
  const notice = client.notifications.find((n) => n.method === 'tunesmith/largeFile');
  assert.equal((notice?.params as { uri: string }).uri, uri(join(root, 'big.jsonl')));
  assert.equal(client.diagnostics.get(uri(join(root, 'big.jsonl')))?.diagnostics.length, 1);
});

test('a watched-file change re-lints the file from disk', async () => {
  const a = uri(join(root, 'data/a.jsonl'));
  writeFileSync(join(root, 'data/a.jsonl'), `${line('x')}\n${line('x')}\n`);
  const next = client.nextDiagnostics(a);
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
    changes: [{ uri: a, type: FileChangeType.Changed }],
  });
  assert.deepEqual(
    (await next).diagnostics.map((d) => d.code),
    ['test/duplicate'],
  );
});

test('a shown file outside the workspace is linted from disk and followed as it changes', async () => {
  const path = join(outside, 'huge.jsonl');
  writeFileSync(path, `${line('h')} \n`);
  const first = client.nextDiagnostics(uri(path));
  await client.connection.sendNotification('tunesmith/diskFile', { uri: uri(path), open: true });
  assert.deepEqual(
    (await first).diagnostics.map((d) => d.code),
    ['test/trailing-space'],
  );
  const changed = client.nextDiagnostics(uri(path));
  writeFileSync(path, `${line('h')}\n`);
  assert.deepEqual((await changed).diagnostics, []);
  const cleared = client.nextDiagnostics(uri(path));
  await client.connection.sendNotification('tunesmith/diskFile', { uri: uri(path), open: false });
  assert.deepEqual((await cleared).diagnostics, []);
});

test("the project's tunesmith.json applies, and settings the user set win over it", async () => {
  const doc = uri(join(root, 'data/open.jsonl'));
  const before = await client.open(doc, `${line('o')} \n`);
  assert.deepEqual(
    before.map((d) => [d.code, d.severity]),
    [['test/trailing-space', 2]],
  );
  writeFileSync(join(root, 'tunesmith.json'), JSON.stringify({ rules: { 'test/trailing-space': 'off' } }));
  const off = client.complete(doc, 1);
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
    changes: [{ uri: uri(join(root, 'tunesmith.json')), type: FileChangeType.Created }],
  });
  assert.deepEqual(await off, []);
  client.settings = { rules: { 'test/trailing-space': 'error' } };
  const on = client.complete(doc, 1);
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  assert.deepEqual(
    (await on).map((d) => [d.code, d.severity]),
    [['test/trailing-space', 1]],
  );
});
