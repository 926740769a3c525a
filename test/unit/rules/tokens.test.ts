import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { resolveConfig } from '../../../src/core/engine/config.ts';
import { toExample } from '../../../src/core/engine/formats.ts';
import { lintText } from '../../../src/core/engine/linter.ts';
import { tokensCheckers } from '../../../src/core/rules/tokens/index.ts';
import {
  createTokenCounter,
  EXAMPLE_OVERHEAD,
  MESSAGE_OVERHEAD,
} from '../../../src/core/rules/tokens/counter.ts';
import { MarkerSet, TEMPLATE_MARKERS } from '../../../src/core/rules/tokens/markers.ts';
import { applyFix, runRuleTests } from '../rule-tester.ts';

const chat = (...messages: object[]): string => JSON.stringify({ messages });
const TINY = { tokens: { tokenizer: { tokenizerJson: 'test/fixtures/tiny-tokenizer.json' }, max: 10 } };
const SPECIAL = { tokens: { tokenizer: { tokenizerJson: 'test/fixtures/tiny-special-tokenizer.json' } } };
const EOT = '<|endoftext|>';
/** A line as the self-instruct T0 shards have them: the completion ends in the end-of-text marker. */
const t0 = (prompt: string, completion: string): string => JSON.stringify({ prompt, completion });
const LONG = 'The answer is long. '.repeat(300);

runRuleTests('tokens', tokensCheckers, {
  valid: [
    {
      name: "LLaMA-Factory v1 parts hold their text under value: unread, not empty (the shape is structure's to report)",
      lines: [
        chat(
          { role: 'user', content: [{ type: 'text', value: 'hi' }] },
          { role: 'assistant', content: [{ type: 'text', value: 'hello' }] },
        ),
      ],
    },
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
    {
      name: 'near-misses of markers: comparisons, brackets, a marker cut short, a tag that is not one',
      lines: [
        t0('Is 1 < 2 and [1, 2] a list?', 'Yes: 1 <| 2 is not <|endoftext| nor <sup>2</sup> nor [INST.'),
        chat({ role: 'user', content: 'a <b> c' }, { role: 'assistant', content: '<html><sx>x</sx>' }),
      ],
    },
    {
      name: 'a pre-rendered template in a plain-text example is the text itself',
      lines: [JSON.stringify({ text: `<s>[INST] hi [/INST] hello</s>${EOT}` })],
    },
    {
      name: "a tokenizer.json's own special token is not a marker under o200k_base",
      lines: [t0('hi', 'hello <|turn_end|> world')],
    },
    {
      name: 'a line over 4,096 bytes ending in the marker, within tokens.max',
      lines: [t0(LONG, 'Fine.')],
      config: { tokens: { max: 100_000 } },
    },
  ],
  invalid: [
    {
      name: 'text parts that are all blank are an empty answer',
      lines: [
        chat(
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: [{ type: 'text', text: ' ' }, { type: 'image_url' }] },
        ),
      ],
      findings: [{ code: 'tokens/empty-answer', line: 0, message: 'no tokens' }],
    },
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
    {
      name: 'T0 shard: a completion ending in <|endoftext|>; the fix removes it and nothing else',
      lines: [t0('Translate: chat', `Cat.${EOT}`)],
      findings: [
        {
          code: 'tokens/special-token',
          line: 0,
          text: EOT,
          message: 'special token of o200k_base',
          fixed: `${t0('Translate: chat', 'Cat.')}\n`,
        },
      ],
    },
    {
      name: 'T0 shard: a completion that is only <|endoftext|> is an empty answer',
      lines: [t0('Say nothing', EOT), t0('Say nothing', ` ${EOT}\n`)],
      findings: [
        { code: 'tokens/empty-answer', line: 0, text: `"${EOT}"`, message: `nothing but "${EOT}"` },
        {
          code: 'tokens/special-token',
          line: 0,
          text: EOT,
          fixed: `${t0('Say nothing', '')}\n${t0('Say nothing', ` ${EOT}\n`)}\n`,
        },
        { code: 'tokens/empty-answer', line: 1 },
        { code: 'tokens/special-token', line: 1, text: EOT },
      ],
    },
    {
      name: 'T0 shard: a line over 4,096 bytes with the marker is counted and reported too long',
      lines: [t0(LONG, `Yes.${EOT}`)],
      config: { tokens: { max: 1000 } },
      findings: [
        { code: 'tokens/too-long', line: 0, text: '"prompt"', message: '(o200k_base), over tokens.max 1000' },
        { code: 'tokens/special-token', line: 0, text: EOT },
      ],
    },
    {
      name: 'markers escaped in the JSON (\\u003c, \\/): the range and the fix cover the escaped form',
      lines: [
        '{"prompt": "Q", "completion": "A\\n\\u003c|im_end|\\u003e"}',
        '{"prompt": "Q", "completion": "A<\\/s>"}',
      ],
      findings: [
        {
          code: 'tokens/special-token',
          line: 0,
          text: '\\u003c|im_end|\\u003e',
          fixed: '{"prompt": "Q", "completion": "A\\n"}\n{"prompt": "Q", "completion": "A<\\/s>"}\n',
        },
        { code: 'tokens/special-token', line: 1, text: '<\\/s>', message: 'chat-template syntax' },
      ],
    },
    {
      name: 'template markers in several turns and content parts; only a trailing one has a fix',
      lines: [
        chat(
          { role: 'user', content: '[INST] What is 2+2? [/INST]' },
          { role: 'assistant', content: [{ type: 'text', text: '4<|eot_id|>' }] },
        ),
      ],
      findings: [
        { code: 'tokens/special-token', line: 0, text: '[INST]', message: 'chat-template syntax' },
        { code: 'tokens/special-token', line: 0, text: '[/INST]' },
        {
          code: 'tokens/special-token',
          line: 0,
          text: '<|eot_id|>',
          fixed: `${chat({ role: 'user', content: '[INST] What is 2+2? [/INST]' }, { role: 'assistant', content: [{ type: 'text', text: '4' }] })}\n`,
        },
      ],
    },
    {
      name: "the configured tokenizer's own special tokens are markers, counted as one control token",
      lines: [t0('hi', 'hello <|turn_end|> world')],
      config: SPECIAL,
      findings: [
        {
          code: 'tokens/special-token',
          line: 0,
          text: '<|turn_end|>',
          message: 'special token of test/fixtures/tiny-special-tokenizer.json',
        },
      ],
    },
  ],
});

test('token counter: a special token written in text is one control token, as the trainer reads it', () => {
  const o200k = createTokenCounter(resolveConfig({}).config);
  assert.ok(o200k.specialTokens.includes(EOT) && o200k.specialTokens.includes('<|im_start|>'));
  assert.equal(o200k.count(EOT), 1);
  assert.equal(o200k.count(`hello${EOT}`), o200k.count('hello') + 1);
  assert.equal(o200k.count(`a${EOT}${EOT}b`), o200k.count('a') + 2 + o200k.count('b'));
  // Not a special token of the encoding: text.
  assert.equal(o200k.count('[INST]'), o200k.count('[') + o200k.count('INST]'));
  assert.equal(o200k.within(`hello${EOT}`, 2), true);
  assert.equal(o200k.within(`hello ${EOT}`, 2), false);
  const tiny = createTokenCounter(resolveConfig(SPECIAL).config);
  assert.deepEqual(tiny.specialTokens, [EOT, '<|turn_end|>']);
  assert.equal(tiny.count(`hello${EOT}world`), 3);
});

const ALL_SPECIALS = [
  ...new Set([
    ...TEMPLATE_MARKERS,
    ...createTokenCounter(resolveConfig({}).config).specialTokens,
    ...createTokenCounter(resolveConfig({ tokens: { tokenizer: 'cl100k_base' } }).config).specialTokens,
    '<|startoftext|>',
    '<|start|>',
    '<|message|>',
    '<|channel|>',
    '<|return|>',
    '<|call|>',
    '<|turn_end|>',
  ]),
];
/** Strings made of arbitrary text, special tokens and pieces of them. */
const textWithSpecials = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom(...ALL_SPECIALS),
      fc.constantFrom('<|', '|>', '<', '>', '[', ']', '</', '<|endoftext|', 'endoftext|>'),
    ),
    { maxLength: 12 },
  )
  .map((pieces) => pieces.join(''));

test('token counter: counting never throws, on any string, with any of the three tokenizers', () => {
  const counters = [
    createTokenCounter(resolveConfig({}).config),
    createTokenCounter(resolveConfig({ tokens: { tokenizer: 'cl100k_base' } }).config),
    createTokenCounter(resolveConfig(SPECIAL).config),
  ];
  fc.assert(
    fc.property(textWithSpecials, fc.nat(50), (text, limit) => {
      for (const counter of counters) {
        const count = counter.count(text);
        assert.ok(Number.isInteger(count) && count >= 0);
        assert.equal(counter.within(text, limit), count <= limit);
        const example = toExample({ prompt: text, completion: text })!;
        assert.equal(
          counter.countExample(example).total,
          2 * count + EXAMPLE_OVERHEAD + 2 * MESSAGE_OVERHEAD,
        );
      }
    }),
    { numRuns: 300 },
  );
});

test('tokens/special-token: the fix removes the trailing marker and leaves every other byte as it was', () => {
  const markers = new MarkerSet(createTokenCounter(resolveConfig({}).config));
  const config = resolveConfig({}).config;
  fc.assert(
    fc.property(
      fc.string({ unit: 'binary' }),
      fc.constantFrom(...TEMPLATE_MARKERS),
      fc.constantFrom('', ' ', '\n', ' \n\t'),
      fc.constantFrom('plain', 'escaped'),
      (before, marker, after, style) => {
        const content = before + marker + after;
        // The marker appended must be the last one found (text before it cannot extend it).
        const last = markers.find(content).at(-1);
        fc.pre(last !== undefined && last.start === before.length && last.token === marker);
        let line = t0('Q', content);
        // Some serializers (Go's encoding/json) escape < and > as \u003c and \u003e.
        if (style === 'escaped') line = line.replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
        const document = line + '\n';
        const findings = lintText(document, config, tokensCheckers, (_codes, _line, error) => {
          throw error;
        }).filter((f) => f.code === 'tokens/special-token' && f.fix);
        assert.equal(findings.length, 1, 'one fixable finding: the trailing marker');
        const fixed = applyFix(document, findings[0]!);
        const { start, end } =
          findings[0]!.range.start.line === 0 ? findings[0]!.fix!.edits[0]!.range : assert.fail();
        assert.equal(fixed, document.slice(0, start.character) + document.slice(end.character));
        assert.equal((JSON.parse(fixed) as { completion: string }).completion, before + after);
      },
    ),
    { numRuns: 300 },
  );
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
