/**
 * The dataset view's rows, built on the host from a line's text and its diagnostics: each of the five
 * formats as turns, tool calls with their arguments parsed, `weight: 0` turns, invalid lines with
 * their error, findings placed on the turn they cover; the filters; and (fast-check) any text at all
 * gives a row the view accepts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  buildRow,
  readsText,
  isEmptyFilter,
  passes,
  type FindingInput,
  type TokensOf,
} from '../../../src/extension/dataset/rows.ts';
import {
  isDatasetHostMessage,
  isDatasetRow,
  isDatasetViewMessage,
  type DatasetRow,
} from '../../../src/shared/dataset-protocol.ts';

type Example = Extract<DatasetRow, { kind: 'example' }>;
const example = (text: string, findings: FindingInput[] = []): Example => {
  const row = buildRow(0, text, findings);
  assert.equal(row.kind, 'example', JSON.stringify(row));
  assert.ok(isDatasetRow(row));
  return row as Example;
};
const roles = (row: Example) => row.turns.map((turn) => `${turn.canonical}:${turn.content}`);

test('each of the five formats reads as its turns', () => {
  const chat = example(
    JSON.stringify({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
      ],
    }),
  );
  assert.equal(chat.format, 'chat');
  assert.deepEqual(roles(chat), ['system:Be brief.', 'user:Hi', 'assistant:Hello']);

  const sharegpt = example(
    JSON.stringify({
      system: 'S',
      conversations: [
        { from: 'human', value: 'Q' },
        { from: 'gpt', value: 'A' },
      ],
    }),
  );
  assert.equal(sharegpt.format, 'sharegpt');
  assert.deepEqual(roles(sharegpt), ['system:S', 'user:Q', 'assistant:A']);
  assert.equal(sharegpt.turns[1]!.role, 'human', 'the spelling as written is kept beside the role');

  const alpaca = example(JSON.stringify({ instruction: 'Translate', input: 'chat', output: 'cat' }));
  assert.equal(alpaca.format, 'alpaca');
  assert.deepEqual(roles(alpaca), ['user:Translate', 'user:chat', 'assistant:cat']);

  const pc = example(JSON.stringify({ prompt: '2+2=', completion: '4', label: 'math' }));
  assert.equal(pc.format, 'prompt-completion');
  assert.deepEqual(roles(pc), ['user:2+2=', 'assistant:4']);
  assert.match(pc.extra ?? '', /"label": "math"/, 'fields beside the turns are shown too');

  const text = example(JSON.stringify({ text: 'Once upon a time' }));
  assert.equal(text.format, 'text');
  assert.equal(text.text, 'Once upon a time');
  assert.deepEqual(text.turns, []);
});

test('tool calls are pretty-printed with their arguments parsed, tool turns keep their call id, weight 0 is marked', () => {
  const row = example(
    JSON.stringify({
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          ],
          weight: 0,
        },
        { role: 'tool', tool_call_id: 'c1', content: '{"temp":21}' },
        { role: 'assistant', content: '21 °C' },
      ],
    }),
  );
  const call = row.turns[1]!;
  assert.equal(call.content, null);
  assert.ok(call.weightZero);
  assert.deepEqual(JSON.parse(call.toolCalls ?? ''), [
    { id: 'c1', type: 'function', function: { name: 'weather', arguments: { city: 'Paris' } } },
  ]);
  assert.match(call.toolCalls ?? '', /\n {6}"name": "weather"/, 'indented, one key a line');
  assert.equal(row.turns[2]!.name, 'c1');
  assert.equal(row.turns[3]!.weightZero, false);
});

test('an invalid line is a row with its error; a blank line is a blank row', () => {
  const row = buildRow(3, '{"messages": [');
  assert.equal(row.kind, 'invalid');
  assert.ok(row.kind === 'invalid' && /character/.test(row.error) && row.text === '{"messages": [');
  assert.equal(buildRow(4, '[1, 2]').kind, 'invalid');
  assert.equal(buildRow(5, '   ').kind, 'blank');
});

test('a finding is placed on the turn its range lies in; one on the whole line on no turn', () => {
  const text = JSON.stringify({
    messages: [
      { role: 'user', content: 'mail me at bob@corp.test' },
      { role: 'assistant', content: 'ok' },
    ],
  });
  const start = text.indexOf('bob@');
  const finding = (startCharacter: number, endCharacter: number): FindingInput => ({
    code: 'pii/email',
    severity: 'warning',
    message: 'an email address',
    startLine: 0,
    startCharacter,
    endLine: 0,
    endCharacter,
  });
  const row = example(text, [finding(start, start + 13), finding(0, text.length)]);
  assert.deepEqual(
    row.findings.map((f) => f.turn),
    [0, null],
  );
  assert.equal(row.findings[0]!.start, start);
});

test('long texts are cut before they are sent, with their length kept', () => {
  const long = 'x'.repeat(50_000);
  const row = example(JSON.stringify({ prompt: long, completion: 'y' }));
  assert.equal(row.turns[0]!.content!.length, 20_000);
  assert.equal(row.turns[0]!.length, 50_000);
});

test('filters: by finding code and severity, format, turn count and text', () => {
  const chat = JSON.stringify({ messages: [{ role: 'user', content: 'Hello World' }] });
  const pii: FindingInput = {
    code: 'pii/email',
    severity: 'warning',
    message: 'm',
    startLine: 0,
    startCharacter: 0,
    endLine: 0,
    endCharacter: 1,
  };
  assert.ok(passes(chat, [pii], { code: 'pii/email' }));
  assert.ok(!passes(chat, [pii], { code: 'pii/email', severity: 'error' }));
  assert.ok(!passes(chat, [], { code: 'pii/email' }));
  assert.ok(passes(chat, [], { format: 'chat', minTurns: 1, maxTurns: 1 }));
  assert.ok(!passes(chat, [], { minTurns: 2 }));
  assert.ok(!passes(chat, [], { format: 'alpaca' }));
  assert.ok(passes(chat, [], { query: 'hello world' }), 'the search ignores case');
  assert.ok(!passes(chat, [], { query: 'goodbye' }));
});

test('filters of the charts: token range (per example or one role), label, system prompt', () => {
  const line = (system: string | undefined, answer: string) =>
    JSON.stringify({
      messages: [
        ...(system === undefined ? [] : [{ role: 'system', content: system }]),
        { role: 'user', content: 'Is it?' },
        { role: 'assistant', content: answer },
      ],
    });
  const labelled = line('Be brief.', ' positive ');
  assert.ok(passes(labelled, [], { label: 'positive' }), 'the answer, trimmed, as stats reads labels');
  assert.ok(!passes(labelled, [], { label: 'negative' }));
  assert.ok(passes(labelled, [], { system: 'Be brief.' }));
  assert.ok(!passes(line(undefined, 'positive'), [], { system: 'Be brief.' }));
  assert.ok(!passes('{"broken', [], { label: 'positive' }));
  // Tokens: per example, or of one role's turns; -1 (none) never passes; bounds are inclusive.
  const of: TokensOf = (at, role) => (role === undefined ? [12, -1][at]! : role === 'system' ? -1 : 5);
  assert.ok(passes(labelled, [], { minTokens: 10, maxTokens: 12 }, { of, line: 0 }));
  assert.ok(!passes(labelled, [], { minTokens: 13 }, { of, line: 0 }));
  assert.ok(!passes(labelled, [], { maxTokens: 11 }, { of, line: 0 }));
  assert.ok(!passes(labelled, [], { minTokens: 0 }, { of, line: 1 }), 'not an example');
  assert.ok(!passes(labelled, [], { minTokens: 0 }), 'no counts: nothing passes');
  assert.ok(passes(labelled, [], { minTokens: 5, maxTokens: 5, tokenRole: 'user' }, { of, line: 0 }));
  assert.ok(!passes(labelled, [], { minTokens: 0, tokenRole: 'system' }, { of, line: 0 }));
  assert.ok(isEmptyFilter({ tokenRole: 'user' }), 'a role without bounds narrows nothing');
  assert.ok(!isEmptyFilter({ label: 'x' }));
  assert.ok(!readsText({ code: 'pii/email' }));
  assert.ok(readsText({ code: 'pii/email', label: 'x' }));
  assert.ok(readsText({ maxTokens: 3 }), 'token bounds look at every line');
});

test('any text at all gives a row the view accepts, never an exception', () => {
  const line = fc.oneof(
    fc.string(),
    fc.json(),
    fc
      .record({
        messages: fc.array(
          fc.record(
            {
              role: fc.oneof(fc.constantFrom('user', 'assistant', 'tool', 'gpt'), fc.anything()),
              content: fc.oneof(fc.string(), fc.constant(null), fc.anything()),
              tool_calls: fc.anything(),
              weight: fc.constantFrom(0, 1),
            },
            { requiredKeys: [] },
          ),
        ),
      })
      .map((value) => JSON.stringify(value)),
  );
  fc.assert(
    fc.property(line, fc.nat(2000), fc.nat(2000), (text, a, b) => {
      const row = buildRow(7, text, [
        {
          code: 'x',
          severity: 'error',
          message: 'm',
          startLine: 7,
          startCharacter: Math.min(a, b),
          endLine: 7,
          endCharacter: Math.max(a, b),
        },
      ]);
      assert.ok(isDatasetRow(row), JSON.stringify(row));
      for (const finding of row.findings)
        assert.ok(finding.start <= finding.end && finding.end <= text.length);
    }),
    { numRuns: 300 },
  );
});

test('messages from the view are checked: unknown types, extra keys, bad numbers and oversized requests are refused', () => {
  assert.ok(isDatasetViewMessage({ type: 'rows', lines: [0, 1, 2] }));
  assert.ok(isDatasetViewMessage({ type: 'applyFix', findings: 3, line: 4, finding: 0, fix: 1 }));
  assert.ok(isDatasetViewMessage({ type: 'filter', id: 1, filter: { code: 'pii/email', minTurns: 2 } }));
  for (const bad of [
    { type: 'rows', lines: [-1] },
    { type: 'rows', lines: [0.5] },
    { type: 'rows', lines: Array.from({ length: 501 }, (_, i) => i) },
    { type: 'reveal', line: 1, character: 0, extra: true },
    { type: 'applyFix', findings: 3, line: 4, finding: 0 },
    { type: 'filter', id: 1, filter: { severity: 'fatal' } },
    { type: 'filter', id: 1, filter: { format: 'csv' } },
    { type: 'filter', id: 1, filter: { script: 'x' } },
    { type: 'openFile', path: '/etc/passwd' },
    'ready',
    null,
  ])
    assert.equal(isDatasetViewMessage(bad), false, JSON.stringify(bad));
  assert.equal(
    isDatasetHostMessage({ type: 'rows', version: 1, rows: [{ kind: 'example', line: 0 }] }),
    false,
  );
  assert.ok(isDatasetHostMessage({ type: 'filtered', id: 2, lines: [1, 5, 9] }));
  assert.equal(isDatasetHostMessage({ type: 'filtered', id: 2, lines: [1, 'x'] }), false);
});
