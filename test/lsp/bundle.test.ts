/**
 * The bundled server (dist/server.cjs, what the extension ships) with every real rule, over stdio:
 * the demo dataset's planted problems arrive as diagnostics, a PII quick fix redacts exactly the
 * value, and editing the line makes the diagnostic go away. Builds the bundle first.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { CodeActionRequest, type CodeAction, type TextEdit } from 'vscode-languageserver-protocol/node';
import { until } from '../e2e/harness.ts';
import { chat, replaceWord, words } from '../unit/rules/consistency-fixtures.ts';
import { LspClient, applyEdits } from './client.ts';

let client: LspClient;
const uri = 'file:///demo/chat.jsonl';
const text = readFileSync(new URL('../../demo/chat.jsonl', import.meta.url), 'utf8');

before(async () => {
  execFileSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
  client = await LspClient.start({ command: [process.execPath, 'dist/server.cjs', '--stdio'] });
});
after(async () => {
  await client.stop();
});

test('the demo dataset shows one planted problem per family, with exact ranges', async () => {
  const diagnostics = await client.open(uri, text);
  const lines = text.split('\n');
  const found = diagnostics.map((d) => {
    const line = lines[d.range.start.line]!;
    return `${String(d.code)}@${d.range.start.line + 1}: ${line.slice(d.range.start.character, d.range.end.character)}`;
  });
  for (const expected of [
    'pii/credit-card@3: 4111 1111 1111 1111',
    'pii/email@4: jane.doe@gmail.com',
    'structure/unknown-role@5: "usr"',
    'format/misspelled-key@6: "contnet"',
    'secrets/github@7: ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
  ]) {
    assert.ok(found.includes(expected), `${expected} in\n${found.join('\n')}`);
  }
  assert.ok(found.some((f) => f.startsWith('syntax/invalid-json@10')));
  const card = diagnostics.find((d) => d.code === 'pii/credit-card')!;
  assert.doesNotMatch(card.message as string, /4111 1111 1111 1111/, 'messages mask PII');
  assert.match(card.message as string, /Luhn-valid/);
});

test('the card quick fix replaces only the number; editing it away clears the diagnostic', async () => {
  const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } },
    context: { diagnostics: [] },
  })) as CodeAction[];
  const fix = actions.find((a) => a.kind === 'quickfix' && a.title.includes('CREDIT_CARD'));
  assert.ok(fix, actions.map((a) => a.title).join(', '));
  const change = fix.edit!.documentChanges![0]! as { edits: TextEdit[] };
  const fixed = applyEdits(text, change.edits);
  assert.equal(fixed, text.replace('4111 1111 1111 1111', '<CREDIT_CARD>'));

  const after = await client.change(uri, [{ range: change.edits[0]!.range, text: '<CREDIT_CARD>' }]);
  assert.ok(!after.some((d) => d.code === 'pii/credit-card'));
  assert.ok(
    after.some((d) => d.code === 'pii/email'),
    'other diagnostics stay',
  );
});

test('train/validation leakage spans files and follows edits to the training file', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tunesmith-split-'));
  cpSync(new URL('../../demo/split', import.meta.url), root, { recursive: true });
  const workspace = await LspClient.start({
    command: [process.execPath, 'dist/server.cjs', '--stdio'],
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'split' }],
  });
  try {
    const valid = pathToFileURL(join(root, 'valid.jsonl')).href;
    const train = pathToFileURL(join(root, 'train.jsonl')).href;
    const leak = await until('leakage on valid.jsonl', () =>
      workspace.diagnostics.get(valid)?.diagnostics.find((d) => d.code === 'split/leakage'),
    );
    assert.equal(leak.range.start.line, 0);
    assert.match(leak.message as string, /train\.jsonl line 3 \(an exact copy\)/);
    assert.equal(leak.relatedInformation?.[0]?.location.uri, train);

    const trainText = readFileSync(join(root, 'train.jsonl'), 'utf8');
    await workspace.open(train, trainText);
    const line = trainText.split('\n')[2]!;
    await workspace.change(train, [
      {
        range: { start: { line: 2, character: 0 }, end: { line: 2, character: line.length } },
        text: JSON.stringify({ messages: [{ role: 'user', content: 'Entirely different question here' }] }),
      },
    ]);
    await until('the leakage to go', () =>
      workspace.diagnostics.get(valid)?.diagnostics.every((d) => d.code !== 'split/leakage'),
    );
  } finally {
    await workspace.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a near-duplicate cluster is one diagnostic with its members; removing the link splits it', async () => {
  // Three steps of a chain: 6 of 300 words rewritten per step, so only neighbours are alike.
  const steps = [words(300, 23)];
  for (let step = 1; step < 3; step++) {
    let next = steps.at(-1)!;
    for (let k = 0; k < 6; k++) next = replaceWord(next, step * 53 + k * 5, `changed${step}x${k}`);
    steps.push(next);
  }
  const lines = steps.map((content) => chat(content, 'ok'));
  const clusterUri = 'file:///demo/cluster.jsonl';
  type Diagnostics = Awaited<ReturnType<LspClient['open']>>;
  const clustered = (diagnostics: Diagnostics): Diagnostics =>
    diagnostics.filter((d) => d.code === 'consistency/near-duplicate');
  const [found] = clustered(await client.open(clusterUri, lines.join('\n') + '\n'));
  assert.equal(found?.range.start.line, 0);
  assert.match(String(found!.message), /^Near-duplicates: 3 examples /);
  assert.deepEqual(
    found!.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line]),
    [
      [clusterUri, 1],
      [clusterUri, 2],
    ],
  );
  // The middle step was the only link: without it the ends are no cluster.
  const split = await client.change(clusterUri, [
    { range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, text: '' },
  ]);
  assert.deepEqual(clustered(split), []);
});
