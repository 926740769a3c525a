/**
 * A cross-file rule that is only a declaration (test/checkers.ts `copiedLine`, on the facts of the
 * test duplicate checker) reaches the editor through the server's one driver of workspace checkers,
 * as `split/leakage` does: across closed files read from disk, then following edits of an open one,
 * and with its facts' own checker turned off.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { until } from '../e2e/harness.ts';
import { LspClient } from './client.ts';

const root = mkdtempSync(join(tmpdir(), 'tunesmith-workspace-checker-'));
const chat = (question: string): string =>
  JSON.stringify({
    messages: [
      { role: 'user', content: question },
      { role: 'assistant', content: 'ok' },
    ],
  });
const trainPath = join(root, 'data/train.jsonl');
const train = pathToFileURL(trainPath).href;
const valid = pathToFileURL(join(root, 'data/valid.jsonl')).href;
let client: LspClient;

before(async () => {
  mkdirSync(join(root, 'data'));
  // The checker whose facts the workspace checker reads is off: its facts are extracted all the same.
  writeFileSync(join(root, 'tunesmith.json'), JSON.stringify({ rules: { 'test/duplicate': 'off' } }));
  writeFileSync(trainPath, [chat('first'), chat('shared'), chat('third')].join('\n') + '\n');
  writeFileSync(join(root, 'data/valid.jsonl'), [chat('other'), chat('shared')].join('\n') + '\n');
  client = await LspClient.start({
    command: [
      process.execPath,
      '--import',
      'tsx',
      'test/lsp/fixture-server.ts',
      '--workspace-checker',
      '--stdio',
    ],
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'ws' }],
  });
});

after(async () => {
  await client.stop();
  rmSync(root, { recursive: true, force: true });
});

const copied = () =>
  client.diagnostics.get(valid)?.diagnostics.filter((d) => d.code === 'test/copied-line') ?? [];

test('a workspace checker declared and nothing else spans closed files and follows edits', async () => {
  const [found] = await until('test/copied-line on valid.jsonl', () =>
    copied().length > 0 ? copied() : undefined,
  );
  assert.equal(found!.range.start.line, 1);
  assert.equal(found!.message, 'Copied from line 2 of a training file');
  assert.equal(found!.relatedInformation?.[0]?.location.uri, train);
  assert.equal(found!.relatedInformation?.[0]?.location.range.start.line, 1);
  assert.ok(
    [...client.diagnostics.values()].every((p) => p.diagnostics.every((d) => d.code !== 'test/duplicate')),
    'test/duplicate is off',
  );

  // The training file opened and its copy edited away: the finding goes.
  const text = readFileSync(trainPath, 'utf8');
  await client.open(train, text);
  const line = text.split('\n')[1]!;
  await client.change(train, [
    {
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: line.length } },
      text: chat('changed'),
    },
  ]);
  await until('the copy to go', () => copied().length === 0);

  // A copy pasted above every line: it is found at its new line, with the lines below it moved.
  await client.change(train, [
    {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      text: chat('shared') + '\n',
    },
  ]);
  const [again] = await until('the pasted copy', () => (copied().length > 0 ? copied() : undefined));
  assert.equal(again!.message, 'Copied from line 1 of a training file');
  assert.equal(again!.relatedInformation?.[0]?.location.range.start.line, 0);
});
