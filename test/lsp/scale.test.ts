/**
 * Datasets with more findings than a call can take arguments: 130,000 copies of one example give
 * 129,999 duplicate findings, past the ~120,000 at which `array.push(...findings)` overflows the
 * stack. The server once died on opening such a document or pasting such lines, and a workspace file
 * of that kind got no diagnostics without a word; fix-all compared every fix with every other. All
 * now get their diagnostics (what the editor shows of them) and the server carries on.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import {
  CodeActionRequest,
  HoverRequest,
  type CodeAction,
  type Diagnostic,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
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

/**
 * What the editor would show of `total` duplicate findings: VS Code keeps 1,000 per file, so the
 * server sends 999 and a note that says how many there are.
 */
function assertShown(diagnostics: readonly Diagnostic[], total: number): void {
  assert.equal(diagnostics.length, 1000);
  const duplicates = diagnostics.filter((d) => d.code === 'test/duplicate');
  assert.equal(duplicates.length, 999);
  assert.deepEqual(
    duplicates.slice(0, 3).map((d) => d.range.start.line),
    [1, 2, 3],
    'the first copies, by line',
  );
  const note = diagnostics.find((d) => d.code === undefined);
  assert.match(String(note?.message), new RegExp(`Showing 999 of ${total.toLocaleString('en-US')} problems`));
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
  assertShown(diagnostics, COPIES - 1);
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
  // Fix all answers with the deletions (it compared every fix with every other one taken).
  const [fixAll] = (await unlessDead(
    client,
    client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.tunesmith'] },
    }),
  )) as CodeAction[];
  const edits = (fixAll?.edit?.documentChanges?.[0] as { edits: TextEdit[] } | undefined)?.edits;
  // Each deletes a copy, all in one run: consecutive deletions meet at a line start (engine/fixes.ts).
  assert.ok(edits && edits.length === COPIES - 1, `${edits?.length} edits`);
  assert.ok(edits.every((edit) => edit.range.start.line >= 1 && edit.newText === ''));
  // Pasting as many lines again in one change.
  const end = { line: COPIES, character: 0 };
  assertShown(
    await unlessDead(client, client.change(uri, [{ range: { start: end, end }, text: TEXT }])),
    2 * COPIES - 1,
  );
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
  assertShown(published.diagnostics, COPIES - 1);
  const summary = await until('the summary of the file', () => summaryOf(client, uri));
  assert.equal(summary?.fromDisk, true);
  assert.equal(summary?.warnings, COPIES - 1);
  assert.deepEqual(
    client.logs.filter((log) => /error/i.test(log)),
    [],
  );
});
