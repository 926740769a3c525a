/**
 * The semantic rules in the language server, over a real LSP connection with the real embedding model
 * (skipped without it, failing instead under TUNESMITH_REQUIRE_EMBEDDING_MODEL=1): a paraphrased
 * conflict is found after the lexical findings are published, an edit that makes the answers agree
 * replaces it (embedding only the new answer), the workspace's split gets its semantic leak with work-done progress, and without a
 * model the user is told once and nothing semantic is published.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import {
  DidSaveTextDocumentNotification,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { skipWithout } from '../embedding-model.ts';
import { LspClient } from './client.ts';

const SERVER = [process.execPath, '--import', 'tsx', 'test/lsp/fixture-server.ts', '--stdio'];
/** Long enough for a model load and a pass on this shared machine, short of the suite's patience. */
const WAIT_MS = 20_000;

const chat = (question: string, answer: string): string =>
  JSON.stringify({
    messages: [
      { role: 'user', content: question },
      { role: 'assistant', content: answer },
    ],
  });

const codes = (params: PublishDiagnosticsParams | undefined): string[] =>
  (params?.diagnostics ?? []).map((d) => `${d.range.start.line}:${String(d.code)}`);

const isSemantic = (code: string): boolean => /semantic/.test(code);

/** Every publication of the client, in order, and a wait for the first one (from now) that passes `test`. */
function recorder(client: LspClient): {
  log: PublishDiagnosticsParams[];
  waitFor(uri: string, test: (p: PublishDiagnosticsParams) => boolean, what: string): Promise<number>;
} {
  const log: PublishDiagnosticsParams[] = [];
  const waiters: {
    uri: string;
    test: (p: PublishDiagnosticsParams) => boolean;
    done: (i: number) => void;
  }[] = [];
  client.onPublish((params) => {
    log.push(params);
    for (const waiter of waiters.splice(0)) {
      if (waiter.uri === params.uri && waiter.test(params)) waiter.done(log.length - 1);
      else waiters.push(waiter);
    }
  });
  return {
    log,
    waitFor: (uri, test, what) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const last = log.filter((p) => p.uri === uri).at(-1);
          reject(new Error(`no publication ${what} within ${WAIT_MS} ms; last: ${codes(last).join(', ')}`));
        }, WAIT_MS);
        waiters.push({
          uri,
          test,
          done: (i) => {
            clearTimeout(timer);
            resolve(i);
          },
        });
      }),
  };
}

const roots: string[] = [];
function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'tunesmith-lsp-semantic-'));
  roots.push(root);
  mkdirSync(join(root, 'data'));
  return root;
}

after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('semantic rules in the language server', () => {
  test(
    'a paraphrased conflict after the lexical findings, gone when the answers agree; the split leaks',
    { skip: skipWithout(), timeout: 60_000 },
    async () => {
      const root = workspace();
      writeFileSync(
        join(root, 'data/faq.train.jsonl'),
        chat('How can I cancel my subscription?', 'Go to Settings, then Billing.') + '\n',
      );
      const validation = join(root, 'data/faq.val.jsonl');
      writeFileSync(validation, chat('I want to stop my subscription, how do I do that?', 'Billing.') + '\n');
      const client = await LspClient.start({
        command: SERVER,
        workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'ws' }],
      });
      try {
        const { log, waitFor } = recorder(client);
        const uri = pathToFileURL(join(root, 'data/faq.jsonl')).href;
        const lines = [
          chat('What is the capital of France?', 'Paris is the capital of France.'),
          chat("Which city is France's capital?", 'I cannot help with that request.'),
          chat('Tell me a joke about cats.', 'A cat walked into a bar.') + ' ',
        ];
        const conflict = waitFor(
          uri,
          (p) => codes(p).includes('1:semantic/conflict'),
          'with semantic/conflict',
        );
        await client.open(uri, lines.join('\n') + '\n');
        const at = await conflict;

        // The lexical finding went out first, on its own.
        const first = log.findIndex((p) => p.uri === uri);
        assert.ok(first < at, `lexical publication ${first} before the semantic one ${at}`);
        assert.ok(codes(log[first]).includes('2:test/trailing-space'), codes(log[first]).join());
        assert.ok(!codes(log[first]).some(isSemantic), codes(log[first]).join());
        const found = log[at]!.diagnostics.find((d) => d.code === 'semantic/conflict')!;
        assert.match(String(found.message), /^Asks what line 1 asks/);
        assert.deepEqual(
          found.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line]),
          [[uri, 0]],
        );
        assert.deepEqual(found.codeDescription?.href.endsWith('semantic-conflict.md'), true);

        // The closed validation file paraphrases the closed training file: a leak, with progress.
        const validationUri = pathToFileURL(validation).href;
        if (!codes(client.diagnostics.get(validationUri)).includes('0:split/semantic-leak'))
          await waitFor(
            validationUri,
            (p) => codes(p).includes('0:split/semantic-leak'),
            'of the validation file with split/semantic-leak',
          );
        const leak = client.diagnostics
          .get(validationUri)!
          .diagnostics.find((d) => d.code === 'split/semantic-leak')!;
        assert.match(String(leak.message), /^Means the same as a training example: faq\.train\.jsonl line 1/);
        assert.equal(
          leak.relatedInformation?.[0]?.location.uri,
          pathToFileURL(join(root, 'data/faq.train.jsonl')).href,
        );

        // Every text is in the workspace's cache now; the edit below embeds its one new answer only.
        const cacheDir = join(root, '.tunesmith', 'embeddings');
        const cacheSize = (): number =>
          readdirSync(cacheDir)
            .filter((name) => name.endsWith('.bin'))
            .reduce((sum, name) => sum + statSync(join(cacheDir, name)).size, 0);
        const before = cacheSize();

        // The answers made to agree: the pair is a near-duplicate now, no conflict.
        const agreed = waitFor(
          uri,
          (p) =>
            codes(p).includes('1:semantic/near-duplicate') && !codes(p).some((c) => c.endsWith('conflict')),
          'with the near-duplicate and without the conflict',
        );
        const edited = chat("Which city is France's capital?", "France's capital city is Paris.");
        const version = await client.send(uri, [
          {
            range: { start: { line: 1, character: 0 }, end: { line: 1, character: lines[1]!.length } },
            text: edited,
          },
        ]);
        const after = await agreed;
        const lexical = log.findIndex((p) => p.uri === uri && p.version === version);
        assert.ok(lexical >= 0 && lexical < after, `lexical ${lexical} before semantic ${after}`);
        assert.equal(cacheSize() - before, 16 + 384 * 4, 'one text embedded: the new answer');

        const progress = client.notifications
          .filter((n) => n.method === '$/progress')
          .map((n) => (n.params as { value: { kind: string; title?: string } }).value);
        assert.ok(
          progress.some((value) => value.kind === 'begin' && value.title === 'Tunesmith: semantic checks'),
          JSON.stringify(progress),
        );
        assert.equal(
          client.notifications.filter((n) => n.method === 'window/showMessage').length,
          0,
          'no notice with a model',
        );
      } finally {
        await client.stop();
      }
    },
  );

  test('without a model: one notice how to get it, no semantic findings', { timeout: 30_000 }, async () => {
    const root = workspace();
    const client = await LspClient.start({
      command: SERVER,
      workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'ws' }],
      settings: { semantic: { modelPath: join(root, 'no-model') } },
    });
    try {
      const notices = (): string[] =>
        client.notifications
          .filter((n) => n.method === 'window/showMessage')
          .map((n) => (n.params as { message: string }).message);
      const a = pathToFileURL(join(root, 'data/a.jsonl')).href;
      const b = pathToFileURL(join(root, 'data/b.jsonl')).href;
      const text =
        [
          chat('What is the capital of France?', 'Paris is the capital of France.'),
          chat("Which city is France's capital?", 'I cannot help with that request.') + ' ',
        ].join('\n') + '\n';
      const diagnostics = await client.open(a, text);
      assert.deepEqual(
        diagnostics.map((d) => d.code),
        ['test/trailing-space'],
        'the lexical findings do not wait for a model',
      );
      for (let waited = 0; notices().length === 0; waited += 50) {
        assert.ok(waited < WAIT_MS, 'a notice arrives');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.match(notices()[0]!, /Tunesmith: Get the Embedding Model/);
      assert.match(notices()[0]!, /tunesmith\.semantic\.modelPath/);

      // Another document, and a save of the first: each runs the pass again (20 ms after), silently.
      await client.open(b, text);
      await client.connection.sendNotification(DidSaveTextDocumentNotification.type, {
        textDocument: { uri: a },
      });
      // Absence needs a window: 25 times the delay after which those passes run.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(notices().length, 1, notices().join('\n'));
      for (const uri of [a, b])
        assert.deepEqual(codes(client.diagnostics.get(uri)).filter(isSemantic), [], uri);
    } finally {
      await client.stop();
    }
  });

  test(
    'a model that does not load: said once, shown, and the lexical findings stand',
    { timeout: 30_000 },
    async () => {
      const root = workspace();
      mkdirSync(join(root, 'broken-model'));
      writeFileSync(join(root, 'broken-model', 'model.onnx'), 'not an onnx model');
      writeFileSync(join(root, 'broken-model', 'tokenizer.json'), '{}');
      const client = await LspClient.start({
        command: SERVER,
        workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'ws' }],
        settings: { semantic: { modelPath: 'broken-model' } },
      });
      try {
        const warnings = (): string[] =>
          client.notifications
            .filter((n) => n.method === 'window/showMessage')
            .map((n) => (n.params as { message: string }).message);
        const uri = pathToFileURL(join(root, 'data/a.jsonl')).href;
        const text = chat('What is the capital of France?', 'Paris.') + ' \n';
        assert.deepEqual(
          (await client.open(uri, text)).map((d) => d.code),
          ['test/trailing-space'],
        );
        for (let waited = 0; warnings().length === 0; waited += 50) {
          assert.ok(waited < WAIT_MS, 'a warning arrives');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.match(
          warnings()[0]!,
          /^Semantic checks are off: the embedding model in .*broken-model did not load/,
        );
        assert.equal(warnings().length, 1, warnings().join('\n'));
      } finally {
        await client.stop();
      }
    },
  );
});
