/**
 * The language server through a real JSON-RPC connection over stdio: what an editor sees. The
 * server runs the test checkers (test/lsp/checkers.ts); `bundle.test.ts` covers dist/server.cjs.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import {
  CodeActionRequest,
  DidChangeConfigurationNotification,
  DocumentSymbolRequest,
  HoverRequest,
  type CodeAction,
  type Diagnostic,
  type DocumentSymbol,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { resolveConfig } from '../../src/core/engine/config.ts';
import { lintText } from '../../src/core/engine/linter.ts';
import { toDiagnostic } from '../../src/server/lsp/features.ts';
import { TEST_CHECKERS } from './checkers.ts';
import { LspClient, applyEdits, applyRandomEdit } from './client.ts';

const SERVER = [process.execPath, '--import', 'tsx', 'test/lsp/fixture-server.ts', '--stdio'];

let client: LspClient;
let documents = 0;
const freshUri = (): string => `file:///virtual/dataset-${++documents}.jsonl`;

before(async () => {
  client = await LspClient.start({ command: SERVER });
});
after(async () => {
  await client.stop();
});

const chat = (user: string, role = 'user'): string =>
  JSON.stringify({
    messages: [
      { role, content: user },
      { role: 'assistant', content: `Answer to ${user}` },
    ],
  });

const summary = (diagnostics: Diagnostic[]): string[] =>
  diagnostics.map(
    (d) =>
      `${String(d.code)}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`,
  );

/** `code@line:start-end` with the columns of `needle` in `line`. */
const at = (code: string, line: number, text: string, needle: string, from = 0): string => {
  const start = text.indexOf(needle, from);
  assert.ok(start >= 0, `${needle} in ${text}`);
  return `${code}@${line}:${start}-${line}:${start + needle.length}`;
};

test('diagnostics carry the code, its documentation, severity, exact range, related lines and tags', async () => {
  const uri = freshUri();
  const lines = [chat('a'), chat('b', 'usr'), chat('a') + '  '];
  const diagnostics = await client.open(uri, lines.join('\n') + '\n');
  const roleAt = (line: number): string => at('test/role', line, lines[1]!, '"usr"');
  assert.deepEqual(summary(diagnostics), [roleAt(1), at('test/trailing-space', 2, lines[2]!, '  ')]);
  const role = diagnostics[0]!;
  assert.equal(role.severity, 1);
  assert.match(role.codeDescription!.href, /docs\/rules\/test-role\.md$/);
  assert.equal(role.source, 'tunesmith');
  assert.deepEqual(diagnostics[1]!.tags, [1]);

  // Without the trailing spaces line 2 duplicates line 0: a cross-line finding appears…
  const end = lines[2]!.length;
  const fixed = await client.change(uri, [
    { range: { start: { line: 2, character: end - 2 }, end: { line: 2, character: end } }, text: '' },
  ]);
  assert.deepEqual(summary(fixed), [roleAt(1), at('test/duplicate', 2, lines[0]!, lines[0]!)]);
  const duplicate = fixed[1]!;
  assert.equal(duplicate.relatedInformation?.[0]?.location.uri, uri);
  assert.deepEqual(duplicate.relatedInformation?.[0]?.location.range.start, { line: 0, character: 0 });

  // …moves when a line is inserted above both copies, and goes away when the first copy changes.
  const shifted = await client.change(uri, [
    { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: chat('z') + '\n' },
  ]);
  assert.deepEqual(summary(shifted), [roleAt(2), at('test/duplicate', 3, lines[0]!, lines[0]!)]);
  assert.equal(shifted[1]!.relatedInformation?.[0]?.location.range.start.line, 1);
  const a = lines[0]!.indexOf('"a"') + 1;
  const gone = await client.change(uri, [
    { range: { start: { line: 1, character: a }, end: { line: 1, character: a + 1 } }, text: 'q' },
  ]);
  assert.deepEqual(summary(gone), [roleAt(2)]);
});

test('a rule that throws is logged and skipped for that line; other diagnostics still arrive', async () => {
  const uri = freshUri();
  const lines = [chat('BOOM', 'usr'), chat('fine') + ' '];
  const diagnostics = await client.open(uri, lines.join('\n'));
  assert.deepEqual(summary(diagnostics), [
    at('test/role', 0, lines[0]!, '"usr"'),
    at('test/trailing-space', 1, lines[1]!, ' ', lines[1]!.length - 1),
  ]);
  assert.ok(client.logs.some((log) => log.includes('test/throws') && log.includes('line 1')));
});

async function actionsAt(uri: string, line: number, only?: string[]): Promise<CodeAction[]> {
  const result = await client.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: { start: { line, character: 0 }, end: { line, character: 0 } },
    context: { diagnostics: [], ...(only ? { only } : {}) },
  });
  return (result ?? []) as CodeAction[];
}

function editsOf(action: CodeAction, uri: string, version: number): TextEdit[] {
  const change = action.edit?.documentChanges?.[0];
  assert.ok(change && 'textDocument' in change, 'a versioned text document edit');
  assert.equal(change.textDocument.uri, uri);
  assert.equal(change.textDocument.version, version);
  return change.edits as TextEdit[];
}

test('each quick fix is one versioned edit that changes only its problem', async () => {
  const uri = freshUri();
  const text = [chat('x', 'usr'), chat('y') + ' \t', chat('y'), chat('y')].join('\n') + '\n';
  await client.open(uri, text);
  const quickFixes = async (line: number): Promise<CodeAction[]> =>
    (await actionsAt(uri, line)).filter((action) => action.kind === 'quickfix');
  const [roleFix] = await quickFixes(0);
  assert.equal(roleFix?.title, 'Change role to "user"');
  assert.equal(roleFix.kind, 'quickfix');
  assert.equal(
    applyEdits(text, editsOf(roleFix, uri, 1)),
    [chat('x'), chat('y') + ' \t', chat('y'), chat('y')].join('\n') + '\n',
  );
  const [trim] = await quickFixes(1);
  assert.equal(
    applyEdits(text, editsOf(trim!, uri, 1)),
    [chat('x', 'usr'), chat('y'), chat('y'), chat('y')].join('\n') + '\n',
  );
  const [remove] = await quickFixes(3);
  assert.equal(remove?.title, 'Delete duplicate line');
  assert.equal(
    applyEdits(text, editsOf(remove, uri, 1)),
    [chat('x', 'usr'), chat('y') + ' \t', chat('y')].join('\n') + '\n',
  );

  const [fixAll, ...others] = await actionsAt(uri, 0, ['source.fixAll.tunesmith']);
  assert.equal(others.length, 0);
  assert.equal(fixAll?.kind, 'source.fixAll.tunesmith');
  assert.equal(
    applyEdits(text, editsOf(fixAll, uri, 1)),
    [chat('x'), chat('y'), chat('y')].join('\n') + '\n',
  );
});

test('hover shows the example, its format, tokens per role, and its duplicates', async () => {
  const uri = freshUri();
  await client.open(uri, [chat('hello'), chat('hello')].join('\n'));
  const hover = await client.connection.sendRequest(HoverRequest.type, {
    textDocument: { uri },
    position: { line: 1, character: 3 },
  });
  const value = (hover?.contents as { value: string }).value;
  assert.match(value, /\*\*Example #2\*\* · OpenAI chat \(messages\)/);
  // As tokens/too-long counts: each turn with its 4 tokens of template, the example with 3 more.
  assert.match(value, /Tokens \(o200k_base\): user 5, assistant 7, template 3 — total 15 of 4096/);
  assert.match(value, /`test\/duplicate`: same as line 1/);
});

test('the outline lists the examples by number, role and first words', async () => {
  const uri = freshUri();
  await client.open(
    uri,
    [
      chat('How do I reset my password when the reset link has expired already?'),
      '',
      '{"text":"plain"}',
    ].join('\n'),
  );
  const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, {
    textDocument: { uri },
  })) as DocumentSymbol[];
  assert.deepEqual(
    symbols.map((s) => [s.name, s.range.start.line]),
    [
      ['#1 user: How do I reset my password when the reset link has expired…', 0],
      ['#3 plain', 2],
    ],
  );
});

test('settings apply live: turning a rule off removes its diagnostics', async () => {
  const uri = freshUri();
  const before = await client.open(uri, chat('a', 'usr') + ' ');
  assert.deepEqual(
    summary(before).map((s) => s.split('@')[0]),
    ['test/role', 'test/trailing-space'],
  );
  client.settings = { rules: { 'test/trailing-space': 'off' } };
  const next = client.complete(uri, 1);
  await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  assert.deepEqual(
    summary(await next).map((s) => s.split('@')[0]),
    ['test/role'],
  );
  client.settings = {};
  const restored = client.complete(uri, 1);
  await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  assert.equal((await restored).length, 2);
});

/** A line generator biased towards the cases that interact: duplicates, roles, whitespace, broken JSON. */
const lineArb = fc.oneof(
  fc.constantFrom(
    chat('a'),
    chat('b'),
    chat('a', 'usr'),
    '{"text":"t"}',
    '',
    '  ',
    '{"messages":[',
    'BOOM {}',
  ),
  fc.constantFrom(chat('a') + ' ', '{"text":"t"}\t'),
);
const insertArb = fc.oneof(
  fc.constantFrom(
    '\n',
    ' ',
    'x',
    '"',
    '}',
    '\n' + chat('a') + '\n',
    chat('b'),
    'usr',
    '{"text":"t"}\n',
    '\r\n',
  ),
  fc.string({ maxLength: 3 }),
);
const editArb = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  length: fc.nat(40),
  text: insertArb,
});

test('property: after any sequence of edits, diagnostics equal a fresh lint of the final text', async () => {
  const config = resolveConfig({}).config;
  const normalise = (diagnostics: Diagnostic[]): string[] => diagnostics.map((d) => JSON.stringify(d)).sort();
  await fc.assert(
    fc.asyncProperty(
      fc.array(lineArb, { maxLength: 8 }),
      fc.boolean(),
      fc.array(fc.array(editArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
      async (lines, finalNewline, batches) => {
        const uri = freshUri();
        let text = lines.join('\n') + (finalNewline && lines.length > 0 ? '\n' : '');
        await client.open(uri, text);
        let diagnostics: Diagnostic[] = [];
        for (const batch of batches) {
          const changes = batch.map((edit) => {
            const applied = applyRandomEdit(text, edit);
            text = applied.text;
            return applied.change;
          });
          diagnostics = await client.change(uri, changes);
        }
        const expected = lintText(text, config, TEST_CHECKERS).map((f) => toDiagnostic(f, uri));
        assert.deepEqual(normalise(diagnostics), normalise(expected));
      },
    ),
    { numRuns: 150 },
  );
});
