import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../../src/server/engine/config.ts';
import { toExample } from '../../../src/server/engine/formats.ts';
import { tokensCheckers } from '../../../src/server/rules/tokens/index.ts';
import {
  createTokenCounter,
  EXAMPLE_OVERHEAD,
  MESSAGE_OVERHEAD,
} from '../../../src/server/rules/tokens/counter.ts';
import { runRuleTests } from '../rule-tester.ts';

const chat = (...messages: object[]): string => JSON.stringify({ messages });
const TINY = { tokens: { tokenizer: { tokenizerJson: 'test/fixtures/tiny-tokenizer.json' }, max: 10 } };

runRuleTests('tokens', tokensCheckers, {
  valid: [
    {
      name: 'a short chat',
      lines: [chat({ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' })],
    },
    {
      name: 'an assistant turn that calls a tool, answered by a tool message',
      lines: [
        chat(
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function' }] },
          { role: 'tool', tool_call_id: 'c', content: '' },
        ),
      ],
    },
    {
      name: 'exactly at the limit with the tiny tokenizer',
      // 2 turns: 3 + 2*4 = 11 overhead is over 10, so use a text example: 10 words.
      lines: [JSON.stringify({ text: 'hello world '.repeat(5).trim() })],
      config: TINY,
    },
  ],
  invalid: [
    {
      name: 'empty answer, range is the content value',
      lines: [chat({ role: 'user', content: 'hi' }, { role: 'assistant', content: '  ' })],
      findings: [{ code: 'tokens/empty-answer', line: 0, text: '"  "', message: 'no tokens' }],
    },
    {
      name: 'over tokens.max: range is the messages key',
      lines: [chat({ role: 'user', content: 'word '.repeat(50) }, { role: 'assistant', content: 'ok' })],
      config: { tokens: { max: 20 } },
      findings: [{ code: 'tokens/too-long', line: 0, text: '"messages"', message: 'will be truncated' }],
    },
    {
      name: 'tokenizer.json counts words: 11 words is over 10',
      lines: [JSON.stringify({ text: 'hello world '.repeat(5) + 'hi' })],
      config: TINY,
      findings: [{ code: 'tokens/too-long', line: 0, text: '"text"', message: '11 tokens' }],
    },
  ],
});

test('token counter: chat overhead per message and per example, by role', () => {
  const counter = createTokenCounter(resolveConfig(TINY).config);
  const example = toExample({
    messages: [
      { role: 'user', content: 'hello world' },
      { role: 'assistant', content: 'hi' },
    ],
  })!;
  assert.deepEqual(counter.countExample(example), {
    total: EXAMPLE_OVERHEAD + 2 + MESSAGE_OVERHEAD + 1 + MESSAGE_OVERHEAD,
    byRole: { user: 2 + MESSAGE_OVERHEAD, assistant: 1 + MESSAGE_OVERHEAD },
  });
  assert.equal(counter.count('hello unknown world'), 3);
});

test('token counter: o200k_base and cl100k_base differ where their vocabularies do', () => {
  const o200k = createTokenCounter(resolveConfig({}).config);
  const cl100k = createTokenCounter(resolveConfig({ tokens: { tokenizer: 'cl100k_base' } }).config);
  assert.equal(o200k.count('hello world'), 2);
  assert.equal(cl100k.count('hello world'), 2);
  const hindi = 'नमस्ते दुनिया, आप कैसे हैं?';
  assert.ok(o200k.count(hindi) < cl100k.count(hindi));
});
