/**
 * `tunesmith lint` with the semantic rules: with the model, the findings of the three codes and a
 * cache in `.tunesmith/embeddings` that a second run reuses (only the changed example is embedded);
 * without one, the rules are off and say how to turn them on. The model part needs the model
 * (scripts/setup-embedding-model.sh; test/embedding-model.ts).
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, resolveConfig } from '../../../src/core/engine/config.ts';
import { runSemanticPass } from '../../../src/core/semantic/run.ts';
import { embeddingModel, skipWithout } from '../../embedding-model.ts';
import { cli, tempDir } from '../cli/helpers.ts';

const chat = (prompt: string, answer: string): string =>
  JSON.stringify({
    messages: [
      { role: 'user', content: prompt },
      { role: 'assistant', content: answer },
    ],
  });

describe('tunesmith lint, semantic rules', () => {
  it('without a model: off, with one info on how to turn them on', async () => {
    const root = tempDir('semantic-off');
    const config = resolveConfig({ semantic: { modelPath: 'no-model-here' } }).config;
    const run = await runSemanticPass([], config, root);
    assert.equal(run.state, 'off');
    assert.match(run.state === 'off' ? run.info : '', /setup-embedding-model\.sh.*no-model-here/s);
    const off = resolveConfig({ rules: { semantic: 'off', 'split/semantic-leak': 'off' } }).config;
    assert.equal((await runSemanticPass([], off, root)).state, 'disabled');
    assert.equal((await runSemanticPass([], DEFAULT_CONFIG, root)).state, embeddingModel ? 'ran' : 'off');
  });

  it('a model that does not load: the lexical findings stand and stderr says why', async () => {
    const root = tempDir('semantic-broken');
    mkdirSync(join(root, 'broken-model'));
    writeFileSync(join(root, 'broken-model', 'model.onnx'), 'not an onnx model');
    writeFileSync(join(root, 'broken-model', 'tokenizer.json'), '{}');
    writeFileSync(join(root, 'tunesmith.json'), JSON.stringify({ semantic: { modelPath: 'broken-model' } }));
    writeFileSync(join(root, 'data.jsonl'), chat('Hi', 'Hello') + '\n' + chat('Hi', 'Hello') + '\n');
    const run = await cli(['lint', 'data.jsonl', '--format', 'json'], root);
    assert.match(run.stderr, /^tunesmith: semantic rules skipped: .+\n$/);
    assert.match(run.stdout, /consistency\/duplicate/);
    assert.equal(run.code, 0);
  });

  it(
    'with the model: findings of the three codes, and a cache the next run reuses',
    {
      skip: skipWithout(),
    },
    async () => {
      const root = tempDir('semantic-cli');
      const train = [
        chat('What is the capital of France?', 'Paris is the capital of France.'),
        chat("Which city is France's capital?", 'I cannot help with that request.'),
        chat('How can I cancel my subscription?', 'Go to Settings, then Billing.'),
        chat('Tell me a joke about cats.', 'A cat walked into a bar.'),
        chat('Share a funny joke involving a cat.', 'A cat walked into a bar.'),
      ];
      const validation = [
        chat('I want to stop my subscription, how do I do that?', 'Settings, then Billing.'),
      ];
      writeFileSync(join(root, 'faq.train.jsonl'), train.join('\n') + '\n');
      writeFileSync(join(root, 'faq.val.jsonl'), validation.join('\n') + '\n');
      const first = await cli(['lint', '.', '--format', 'json'], root);
      assert.equal(first.stderr, '');
      const findings = (JSON.parse(first.stdout) as { file: string; line: number; code: string }[])
        .filter((f) => f.code.includes('semantic'))
        .map((f) => `${f.file}:${f.line} ${f.code}`);
      assert.deepEqual(findings, [
        'faq.train.jsonl:2 semantic/conflict',
        'faq.train.jsonl:5 semantic/near-duplicate',
        'faq.val.jsonl:1 split/semantic-leak',
      ]);
      const cacheDir = join(root, '.tunesmith', 'embeddings');
      assert.ok(existsSync(join(cacheDir, '.gitignore')));

      writeFileSync(join(root, 'capped.json'), JSON.stringify({ semantic: { maxExamples: 5 } }));
      const capped = await cli(['lint', '.', '--format', 'json', '--config', 'capped.json'], root);
      assert.equal(
        capped.stderr,
        'tunesmith: semantic rules skipped: more than semantic.maxExamples (5) distinct prompts\n',
      );
      assert.doesNotMatch(capped.stdout, /semantic/);
      const [cacheFile, ...others] = readdirSync(cacheDir).filter((name) => name.endsWith('.bin'));
      assert.deepEqual(others, []);
      const before = statSync(join(cacheDir, cacheFile!)).size;

      // One example changed: one text more in the cache (16 bytes of hash + 384 float32s), no more. The
      // new prompt shares few words with the training one, so the near-miss stage embeds no spans.
      writeFileSync(
        join(root, 'faq.val.jsonl'),
        chat("I'd like to end my subscription. What do I do?", 'Billing.') + '\n',
      );
      const second = await cli(['lint', '.', '--format', 'json'], root);
      assert.match(second.stdout, /split\/semantic-leak/);
      assert.equal(statSync(join(cacheDir, cacheFile!)).size - before, 16 + 384 * 4);
    },
  );
});
