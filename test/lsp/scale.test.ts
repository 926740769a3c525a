/**
 * Datasets with more findings than a call can take arguments: 130,000 copies of one example give
 * 129,999 duplicate findings, past the ~120,000 at which `array.push(...findings)` overflows the
 * stack. The server once died on opening such a document or pasting such lines, and a workspace file
 * of that kind got no diagnostics without a word. All now get their diagnostics and the server
 * carries on.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { HoverRequest } from 'vscode-languageserver-protocol/node';
import { until } from '../e2e/harness.ts';
import { LspClient } from './client.ts';

const COPIES = 130_000;
const EXAMPLE = JSON.stringify({
  messages: [
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: 'hello' },
  ],
});
const TEXT = `${EXAMPLE}\n`.repeat(COPIES);
const SERVER = [process.execPath, '--import', 'tsx', 'test/lsp/fixture-server.ts', '--stdio'];

const root = mkdtempSync(join(tmpdir(), 'tunesmith-scale-'));
const clients: LspClient[] = [];
after(async () => {
  for (const client of clients) await client.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Resolves with `waited`, or fails at once if the server process dies first. */
function unlessDead<T>(client: LspClient, waited: Promise<T>): Promise<T> {
  const died = new Promise<never>((_, reject) =>
    client.process.once('exit', (code, signal) =>
      reject(new Error(`the server died (${String(code ?? signal)})`)),
    ),
  );
  return Promise.race([waited, died]);
}

interface Summary {
  uri: string;
  warnings: number;
  fromDisk?: boolean;
}

const summaryOf = (client: LspClient, uri: string): Summary | undefined =>
  client.notifications
    .filter((n) => n.method === 'tunesmith/summary')
    .map((n) => n.params as Summary)
    .findLast((s) => s.uri === uri);

test(`a document of ${COPIES.toLocaleString('en-US')} copies of one example gets its diagnostics`, async () => {
  const client = await LspClient.start({ command: SERVER });
  clients.push(client);
  const uri = 'file:///virtual/copies.jsonl';
  const diagnostics = await unlessDead(client, client.open(uri, TEXT));
  assert.ok(diagnostics.length > 0, 'diagnostics were published');
  assert.ok(diagnostics.every((d) => d.code === 'test/duplicate'));
  assert.equal(summaryOf(client, uri)?.warnings, COPIES - 1, 'every copy is counted');
  // Still serving: a request after the publication is answered.
  const hover = await unlessDead(
    client,
    client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: { line: 1, character: 0 },
    }),
  );
  assert.match(JSON.stringify(hover), /test\/duplicate/);
  // Pasting as many lines again in one change.
  const end = { line: COPIES, character: 0 };
  await unlessDead(client, client.change(uri, [{ range: { start: end, end }, text: TEXT }]));
  assert.equal(summaryOf(client, uri)?.warnings, 2 * COPIES - 1);
});

test(`a workspace file of ${COPIES.toLocaleString('en-US')} copies gets its diagnostics from disk`, async () => {
  const path = join(root, 'copies.jsonl');
  writeFileSync(path, TEXT);
  const uri = pathToFileURL(path).href;
  const client = await LspClient.start({
    command: SERVER,
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'scale' }],
  });
  clients.push(client);
  const published = await unlessDead(client, client.nextDiagnostics(uri));
  assert.ok(published.diagnostics.length > 0, 'diagnostics were published');
  const summary = await until('the summary of the file', () => summaryOf(client, uri));
  assert.equal(summary?.fromDisk, true);
  assert.equal(summary?.warnings, COPIES - 1);
  assert.deepEqual(
    client.logs.filter((log) => /error/i.test(log)),
    [],
  );
});
