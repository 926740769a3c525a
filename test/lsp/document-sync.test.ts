/**
 * The server's copy of a document stays the editor's, over a real connection: the fixture server
 * runs the line echo alone (`--echo-lines`), whose diagnostics spell out its copy line by line, and
 * a fast-check property sends random edits (inverted ranges, positions past the end of a line or of
 * the document, whole-text replacements, replays of old versions) and compares that copy with
 * vscode-languageserver-textdocument's `TextDocument`, the model most servers keep. What the
 * protocol forbids is refused and said in the log.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { HoverRequest, type Diagnostic, type Position } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { until } from '../e2e/harness.ts';
import { LspClient } from './client.ts';

const SERVER = [process.execPath, '--import', 'tsx', 'test/lsp/fixture-server.ts', '--stdio', '--echo-lines'];

let client: LspClient;
let documents = 0;
const freshUri = (): string => `file:///virtual/sync-${++documents}.jsonl`;

before(async () => {
  client = await LspClient.start({ command: SERVER });
});
after(async () => {
  await client.stop();
});

/** The server's copy of the document, from the echo diagnostics. */
function copyOf(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .filter((d) => d.code === 'test/echo')
    .sort((a, b) => a.range.start.line - b.range.start.line)
    .map((d) => {
      const { line, eol } = JSON.parse(d.message as string) as { line: string; eol: string };
      return line + eol;
    })
    .join('');
}

/** Sends a change that is certainly applied, and resolves with the copy once it is published. */
async function copyAfterSync(uri: string): Promise<string> {
  const origin = { line: 0, character: 0 };
  return copyOf(await client.change(uri, [{ range: { start: origin, end: origin }, text: '' }]));
}

/** Log lines written from now on. */
function logsFrom(): () => string[] {
  const from = client.logs.length;
  return () => client.logs.slice(from);
}

test('an inverted range replaces the text between its ends, as the editor does, and is logged', async () => {
  const uri = freshUri();
  assert.equal(copyOf(await client.open(uri, 'a\nb\n')), 'a\nb\n');
  const logs = logsFrom();
  const inverted = { start: { line: 1, character: 0 }, end: { line: 0, character: 1 } };
  // Applied as sent, the text between the ends came in twice: two lines became three.
  assert.equal(copyOf(await client.change(uri, [{ range: inverted, text: 'X' }])), 'aXb\n');
  assert.match(logs().join('\n'), /end \(1:2\) before its start \(2:1\)/);
});

test('a change at the current or an older version is refused and logged, not applied', async () => {
  const uri = freshUri();
  await client.open(uri, 'one\n');
  const end = { line: 1, character: 0 };
  assert.equal(
    copyOf(await client.change(uri, [{ range: { start: end, end }, text: 'two\n' }])),
    'one\ntwo\n',
  );
  const logs = logsFrom();
  const published: (number | undefined)[] = [];
  client.onPublish((params) => params.uri === uri && published.push(params.version));
  await client.send(uri, [{ range: { start: end, end }, text: 'again\n' }], 2);
  await client.send(uri, [{ text: 'replaced\n' }], 1);
  assert.equal(await copyAfterSync(uri), 'one\ntwo\n');
  assert.deepEqual(
    published.filter((v) => v !== undefined && v <= 2),
    [],
    'nothing republished for them',
  );
  const refused = logs().filter((log) => /not newer than 2/.test(log));
  assert.equal(refused.length, 2, logs().join('\n'));
});

test('a change to a document that is not open is logged', async () => {
  const logs = logsFrom();
  await client.send('file:///virtual/never-opened.jsonl', [{ text: 'x' }], 2);
  await until('the log line', () => logs().some((log) => /never-opened\.jsonl: it is not open/.test(log)));
});

test('a frame that is not JSON is logged and the server carries on', async () => {
  const logs = logsFrom();
  const body = '{"jsonrpc":"2.0","method":"textDocument/didChange","params":{';
  client.writeRaw(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  await until('the log line', () => logs().some((log) => /cannot be read/.test(log)));
  const uri = freshUri();
  assert.equal(copyOf(await client.open(uri, 'still here\n')), 'still here\n');
});

test('an unreadable change withdraws the diagnostics until the whole text is sent again', async () => {
  const uri = freshUri();
  await client.open(uri, 'a\nb\n');
  const logs = logsFrom();
  const version = await client.send(uri, [
    { range: { start: { line: -1, character: 0 }, end: { line: 0, character: 1 } }, text: 'x' },
  ]);
  await until('the diagnostics to go', () => client.diagnostics.get(uri)?.diagnostics.length === 0);
  assert.match(logs().join('\n'), /cannot be read \(change 1 has a range that is not two positions/);
  const hover = await client.connection.sendRequest(HoverRequest.type, {
    textDocument: { uri },
    position: { line: 0, character: 0 },
  });
  assert.equal(hover, null, 'nothing is answered from a copy that may be wrong');
  // A ranged change cannot bring it back; a whole text does.
  await client.send(uri, [
    { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'y' },
  ]);
  assert.ok(version > 1);
  assert.equal(copyOf(await client.change(uri, [{ text: 'fresh\ntext\n' }])), 'fresh\ntext\n');
});

const pieceArb = fc.constantFrom('a', '{"k": 1}', ' ', '\n', '\r', '\r\n', 'é', '😀', '\uFEFF');
const textArb = fc.array(pieceArb, { maxLength: 5 }).map((pieces) => pieces.join(''));
/** Positions past the end of a line and of the document included. */
const positionArb = fc.record({ line: fc.nat(8), character: fc.nat(12) });
const changeArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ range: fc.record({ start: positionArb, end: positionArb }), text: textArb }),
  },
  { weight: 1, arbitrary: fc.record({ text: textArb }) },
);
const stepArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      stale: fc.constant(0),
      changes: fc.array(changeArb, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      stale: fc.integer({ min: 1, max: 3 }),
      changes: fc.array(changeArb, { maxLength: 2 }),
    }),
  },
);

interface Change {
  range?: { start: Position; end: Position };
  text: string;
}

/**
 * The reference: each change applied to the text at the offsets `TextDocument` gives its ends (a
 * range read with its ends in order, positions past a line's or the document's end clamped).
 * Offsets come from a document made afresh for each change, not from `TextDocument.update`, whose
 * line table goes wrong after a range past the last line (it stores offsets at those lines).
 */
function applyAsEditor(text: string, changes: readonly Change[]): string {
  for (const change of changes) {
    if (!change.range) {
      text = change.text;
      continue;
    }
    const document = TextDocument.create('file:///reference', 'jsonl', 0, text);
    const [a, b] = [document.offsetAt(change.range.start), document.offsetAt(change.range.end)];
    text = text.slice(0, Math.min(a, b)) + change.text + text.slice(Math.max(a, b));
  }
  return text;
}

const inverted = ({ range }: Change): boolean =>
  range !== undefined &&
  (range.end.line < range.start.line ||
    (range.end.line === range.start.line && range.end.character < range.start.character));

test("property: after random edits and replays the server holds the editor's text", async () => {
  await fc.assert(
    fc.asyncProperty(textArb, fc.array(stepArb, { minLength: 1, maxLength: 8 }), async (initial, steps) => {
      const uri = freshUri();
      let reference = initial;
      await client.open(uri, initial);
      // Warnings only: an info line of another part of the server (the embedding model loading on
      // a fresh machine) may come at any time and says nothing of the sync.
      const from = client.warnings.length;
      const logs = () => client.warnings.slice(from);
      let expectedWarnings = 0;
      for (const step of steps) {
        if (step.stale > 0) {
          await client.send(uri, step.changes, Math.max(1, client.version(uri) + 1 - step.stale - 1));
          expectedWarnings++;
          continue;
        }
        const version = await client.send(uri, step.changes);
        assert.ok(version > 1);
        reference = applyAsEditor(reference, step.changes);
        expectedWarnings += step.changes.filter((change: Change) => inverted(change)).length;
      }
      assert.equal(await copyAfterSync(uri), reference);
      assert.equal(logs().length, expectedWarnings, logs().join('\n'));
    }),
    { numRuns: 100 },
  );
});
