import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  answerTurn,
  DATA_FORMATS,
  dataFormatsFile,
  detectFormat,
  promptText,
  toExample,
} from '../../src/core/engine/formats.ts';
import { formatBytes } from '../../src/shared/format.ts';

test('sizes are shown in binary units with one decimal, as torch and nvidia-smi count them', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(319_320), '311.8 KiB');
  assert.equal(formatBytes(6.8 * 1024 ** 2), '6.8 MiB');
  assert.equal(formatBytes(80 * 1024 ** 3), '80.0 GiB');
  assert.equal(formatBytes(3 * 1024 ** 4), '3.0 TiB');
});

test('schemas/data-formats.json, which the trainer reads, is the one generated from DATA_FORMATS (run `npm run schema`)', () => {
  const file: unknown = JSON.parse(
    readFileSync(new URL('../../schemas/data-formats.json', import.meta.url), 'utf8'),
  );
  assert.deepEqual(file, JSON.parse(dataFormatsFile()));
});

test('formats are detected from the shared definition, in its order', () => {
  assert.equal(detectFormat({ messages: [], text: 'x' }), 'chat');
  assert.equal(detectFormat({ instruction: 'i' }), 'unknown');
  assert.equal(detectFormat({ instruction: 'i', output: 'o', prompt: 'p', completion: 'c' }), 'alpaca');
  assert.equal(detectFormat({ prompt: 'p', completion: 'c' }), 'prompt-completion');
  assert.equal(detectFormat(['messages']), 'unknown');
  assert.equal(detectFormat({ question: 'q', answer: 'a' }), 'question-answer');
  assert.equal(detectFormat({ instruction: 'i', context: '', response: 'r' }), 'instruction-response');
  assert.equal(detectFormat({ instruction: 'i', response: 'r', output: 'o' }), 'alpaca');
  assert.equal(detectFormat({ prompt: 'p', chosen: 'c', rejected: 'r' }), 'preference');
  // A role named like an Object.prototype member is no alias.
  const example = toExample({ messages: [{ role: 'constructor', content: 'x' }] });
  assert.equal(example?.turns[0]?.canonicalRole, undefined);
});

test('the new formats give the answer-level rules a prompt and an answer', () => {
  const answerOf = (value: unknown) => {
    const example = toExample(value)!;
    return [promptText(example), answerTurn(example)?.content, answerTurn(example)?.contentPath];
  };
  assert.deepEqual(answerOf({ question: 'q', answer: 'a' }), ['user: q', 'a', ['answer']]);
  assert.deepEqual(answerOf({ instruction: 'i', context: 'c', response: 'r', category: 'x' }), [
    'user: i\nuser: c',
    'r',
    ['response'],
  ]);
  assert.deepEqual(answerOf({ instruction: 'i', input: '', response: 'r' }), ['user: i', 'r', ['response']]);
  assert.deepEqual(answerOf({ prompt: 'p', chosen: 'c', rejected: 'r' }), ['user: p', 'c', ['chosen']]);
  assert.deepEqual(
    answerOf({
      prompt: [{ role: 'user', content: 'p' }],
      chosen: [{ role: 'assistant', content: 'c' }],
      rejected: [{ role: 'assistant', content: 'r' }],
    }),
    ['user: p', 'c', ['chosen', 0, 'content']],
  );
});

test('the run config offers every format the trainer trains (all but preference pairs, which it refuses)', () => {
  const schema = JSON.parse(
    readFileSync(new URL('../../schemas/run-config.schema.json', import.meta.url), 'utf8'),
  ) as { properties: { data: { properties: { format: { enum: string[] } } } } };
  const trained = DATA_FORMATS.formats.map((f) => f.id).filter((id) => id !== 'preference');
  assert.deepEqual(schema.properties.data.properties.format.enum, ['auto', ...trained]);
});
