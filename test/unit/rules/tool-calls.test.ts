import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { resolveConfig } from '../../../src/core/engine/config.ts';
import { lintText } from '../../../src/core/engine/linter.ts';
import { structureCheckers } from '../../../src/core/rules/structure/index.ts';
import { applyFix, runRuleTests } from '../rule-tester.ts';

/** Tool-call and weight rules, run with every structure rule: a near-miss must stay silent in all. */
const chat = (...messages: object[]): string => JSON.stringify({ messages });
const user = { role: 'user', content: 'Weather in Paris and Rome?' };
const call = (id: string, name = 'weather', city = 'Paris') => ({
  id,
  type: 'function',
  function: { name, arguments: JSON.stringify({ city }) },
});
const calls = (...list: object[]) => ({ role: 'assistant', content: null, tool_calls: list });
const result = (id: string, content = '21') => ({ role: 'tool', tool_call_id: id, content });
const answer = { role: 'assistant', content: 'Paris 21°C, Rome 25°C.' };

runRuleTests('tool calls', structureCheckers, {
  valid: [
    {
      name: 'parallel calls, each answered, in any order',
      lines: [
        chat(user, calls(call('a'), call('b', 'weather', 'Rome')), result('b', '25'), result('a'), answer),
      ],
    },
    {
      name: 'a tool result answering the second of two calls, the first answered later',
      lines: [chat(user, calls(call('a'), call('b')), result('b'), result('a'), answer)],
    },
    {
      name: 'two rounds of calls, each answered after its own round',
      lines: [chat(user, calls(call('a')), result('a'), calls(call('b')), result('b'), answer)],
    },
    {
      name: 'content "" or missing beside tool calls; a conversation that ends in a call',
      lines: [
        chat(user, { role: 'assistant', content: '', tool_calls: [call('a')] }, result('a'), answer),
        chat(user, { role: 'assistant', tool_calls: [call('a')] }),
      ],
    },
    {
      name: 'weight 0 and 1 on assistant turns',
      lines: [
        chat(user, { ...answer, weight: 0 }, { role: 'user', content: 'Again?' }, { ...answer, weight: 1 }),
      ],
    },
    {
      name: 'ShareGPT function_call and observation turns, without call ids; weight on a gpt turn',
      lines: [
        JSON.stringify({
          conversations: [
            { from: 'human', value: 'Weather?' },
            { from: 'function_call', value: '{"name": "weather", "arguments": {}}' },
            { from: 'observation', value: '21' },
            { from: 'gpt', value: '21°C', weight: 0 },
          ],
        }),
      ],
    },
    {
      name: 'legacy function_call with a name, and a function result without tool_call_id',
      lines: [
        chat(
          user,
          { role: 'assistant', content: null, function_call: { name: 'weather', arguments: '{}' } },
          { role: 'function', name: 'weather', content: '21' },
          answer,
        ),
      ],
    },
    {
      name: 'TRL conversational prompt/completion: the call in the prompt, the result answered',
      lines: [
        JSON.stringify({
          prompt: [user, calls(call('a')), result('a')],
          completion: [answer],
        }),
      ],
    },
  ],
  invalid: [
    {
      name: 'a tool message without tool_call_id; the fix names the one call waiting',
      lines: [chat(user, calls(call('a')), { role: 'tool', content: '21' }, answer)],
      findings: [
        {
          code: 'structure/missing-tool-call-id',
          line: 0,
          text: '{"role":"tool","content":"21"}',
          message: 'here "a"',
          fixed: `${chat(user, calls(call('a')), { tool_call_id: 'a', role: 'tool', content: '21' }, answer)}\n`,
        },
      ],
    },
    {
      name: 'tool_call_id missing with two calls waiting (no fix), and not a string',
      lines: [
        chat(user, calls(call('a'), call('b')), { role: 'tool', content: '21' }, result('b'), answer),
        chat(user, calls(call('a')), { role: 'tool', tool_call_id: 7, content: '21' }, answer),
      ],
      findings: [
        { code: 'structure/missing-tool-call-id', line: 0, text: '{"role":"tool","content":"21"}' },
        {
          code: 'structure/missing-tool-call-id',
          line: 1,
          text: '7',
          message: 'not a number',
          fixed: `${chat(user, calls(call('a'), call('b')), { role: 'tool', content: '21' }, result('b'), answer)}\n${chat(user, calls(call('a')), result('a'), answer)}\n`,
        },
      ],
    },
    {
      name: 'a tool_call_id that answers no call; one that answers a later call',
      lines: [
        chat(user, calls(call('call_1')), result('call1'), answer),
        chat(user, result('b'), calls(call('b')), result('b'), answer),
        chat(user, result('x'), answer),
      ],
      findings: [
        {
          code: 'structure/unknown-tool-call-id',
          line: 0,
          text: '"call1"',
          message: 'calls waiting for a result: "call_1"',
          fixed: `${chat(user, calls(call('call_1')), result('call_1'), answer)}\n${chat(user, result('b'), calls(call('b')), result('b'), answer)}\n${chat(user, result('x'), answer)}\n`,
        },
        { code: 'structure/unknown-tool-call-id', line: 1, text: '"b"', message: 'made later' },
        {
          code: 'structure/unknown-tool-call-id',
          line: 2,
          text: '"x"',
          message: 'no tool was called before it',
        },
      ],
    },
    {
      name: 'duplicate call ids, in one message and across rounds',
      lines: [
        chat(user, calls(call('a'), call('a', 'weather', 'Rome')), result('a'), result('a'), answer),
        chat(user, calls(call('a')), result('a'), calls(call('a')), result('a'), answer),
      ],
      findings: [
        { code: 'structure/duplicate-tool-call-id', line: 0, text: '"a"', message: 'used twice' },
        { code: 'structure/duplicate-tool-call-id', line: 1, text: '"a"' },
      ],
    },
    {
      name: 'an empty tool_calls list: with null or missing content (no fix), beside content (fix)',
      lines: [
        chat(user, { role: 'assistant', content: null, tool_calls: [] }),
        chat(user, { role: 'assistant', tool_calls: [] }),
        chat(user, { role: 'assistant', content: 'Sunny.', tool_calls: [] }),
        '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "tool_calls": [], "content": "Hello"}]}',
      ],
      findings: [
        { code: 'structure/empty-tool-calls', line: 0, text: '[]', message: '"content" is null' },
        { code: 'structure/empty-tool-calls', line: 1, text: '[]', message: '"content" is missing' },
        {
          code: 'structure/empty-tool-calls',
          line: 2,
          text: '[]',
          fixed:
            [
              chat(user, { role: 'assistant', content: null, tool_calls: [] }),
              chat(user, { role: 'assistant', tool_calls: [] }),
              chat(user, { role: 'assistant', content: 'Sunny.' }),
              '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "tool_calls": [], "content": "Hello"}]}',
            ].join('\n') + '\n',
        },
        {
          code: 'structure/empty-tool-calls',
          line: 3,
          text: '[]',
          fixed:
            [
              chat(user, { role: 'assistant', content: null, tool_calls: [] }),
              chat(user, { role: 'assistant', tool_calls: [] }),
              chat(user, { role: 'assistant', content: 'Sunny.', tool_calls: [] }),
              '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}',
            ].join('\n') + '\n',
        },
      ],
    },
    {
      name: 'calls without a function name: missing, empty, not a string, no function, legacy',
      lines: [
        chat(
          user,
          calls(
            { id: 'a', type: 'function', function: { arguments: '{}' } },
            { id: 'b', type: 'function', function: { name: '', arguments: '{}' } },
            { id: 'c', type: 'function', function: { name: 5, arguments: '{}' } },
            { id: 'd', type: 'function' },
          ),
          result('a'),
          result('b'),
          result('c'),
          result('d'),
          answer,
        ),
        chat(
          user,
          { role: 'assistant', content: null, function_call: { arguments: '{}' } },
          { role: 'function', name: 'weather', content: '21' },
          answer,
        ),
      ],
      findings: [
        {
          code: 'structure/missing-tool-name',
          line: 0,
          text: '{"arguments":"{}"}',
          message: 'Tool call 1 has no "name"',
        },
        { code: 'structure/missing-tool-name', line: 0, text: '""', message: 'not an empty string' },
        { code: 'structure/missing-tool-name', line: 0, text: '5', message: 'not a number' },
        {
          code: 'structure/missing-tool-name',
          line: 0,
          text: '{"id":"d","type":"function"}',
          message: 'no "function" object',
        },
        {
          code: 'structure/missing-tool-name',
          line: 1,
          text: '{"arguments":"{}"}',
          message: 'The function call has no "name"',
        },
      ],
    },
    {
      name: 'weights other than 0 or 1; booleans and quoted digits have a fix',
      lines: [
        chat(user, { ...answer, weight: 0.5 }),
        chat(user, { ...answer, weight: true }),
        chat(user, { ...answer, weight: '0' }),
      ],
      findings: [
        { code: 'structure/invalid-weight', line: 0, text: '0.5', message: 'not 0.5' },
        {
          code: 'structure/invalid-weight',
          line: 1,
          text: 'true',
          fixed: `${chat(user, { ...answer, weight: 0.5 })}\n${chat(user, { ...answer, weight: 1 })}\n${chat(user, { ...answer, weight: '0' })}\n`,
        },
        { code: 'structure/invalid-weight', line: 2, text: '"0"', message: 'not a string' },
      ],
    },
    {
      name: 'weight on user, system, tool and ShareGPT human turns; the fix drops it',
      lines: [
        chat({ ...user, weight: 1 }, answer),
        '{"messages": [{"role": "system", "content": "S", "weight": 0}, {"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}',
        JSON.stringify({
          conversations: [
            { from: 'human', value: 'Q', weight: 2 },
            { from: 'gpt', value: 'A' },
          ],
        }),
      ],
      findings: [
        {
          code: 'structure/weight-not-assistant',
          line: 0,
          text: '"weight"',
          message: 'on a "user" turn',
          fixed:
            [
              chat(user, answer),
              '{"messages": [{"role": "system", "content": "S", "weight": 0}, {"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}',
              JSON.stringify({
                conversations: [
                  { from: 'human', value: 'Q', weight: 2 },
                  { from: 'gpt', value: 'A' },
                ],
              }),
            ].join('\n') + '\n',
        },
        {
          code: 'structure/weight-not-assistant',
          line: 1,
          text: '"weight"',
          fixed:
            [
              chat({ ...user, weight: 1 }, answer),
              '{"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}',
              JSON.stringify({
                conversations: [
                  { from: 'human', value: 'Q', weight: 2 },
                  { from: 'gpt', value: 'A' },
                ],
              }),
            ].join('\n') + '\n',
        },
        { code: 'structure/weight-not-assistant', line: 2, text: '"weight"', message: 'on a "human" turn' },
      ],
    },
  ],
});

test('tool calls: related information points at the first use of a duplicate id and at the waiting call', () => {
  const config = resolveConfig({}).config;
  const line = chat(user, calls(call('a'), call('a')), result('x'), answer);
  const findings = lintText(line + '\n', config, structureCheckers);
  const duplicate = findings.find((f) => f.code === 'structure/duplicate-tool-call-id')!;
  const first = line.indexOf('"a"');
  assert.deepEqual(duplicate.related?.[0]?.range.start, { line: 0, character: first });
  assert.equal(duplicate.range.start.character, line.indexOf('"a"', first + 1));
  const unknown = findings.find((f) => f.code === 'structure/unknown-tool-call-id')!;
  assert.equal(unknown.related?.[0]?.message, 'The call waiting for a result');
});

test('removing a property keeps the rest of the line byte for byte, in any spacing and position', () => {
  const config = resolveConfig({}).config;
  const keys = fc.uniqueArray(fc.constantFrom('content', 'name', 'x_a', 'x_b'), { maxLength: 3 });
  const space = fc.constantFrom('', ' ', '  ', '\t');
  fc.assert(
    fc.property(keys, fc.nat(3), space, space, (others, at, s1, s2) => {
      const entries: [string, string][] = [
        ['role', '"user"'],
        ...others.map((k): [string, string] => [k, '"v"']),
      ];
      entries.splice(Math.min(at, entries.length), 0, ['weight', '1']);
      const member = ([k, v]: [string, string]) => `"${k}"${s1}:${s2}${v}`;
      const message = `{${s2}${entries.map(member).join(`${s1},${s2}`)}${s1}}`;
      const expected = `{${s2}${entries
        .filter(([k]) => k !== 'weight')
        .map(member)
        .join(`${s1},${s2}`)}${s1}}`;
      const line = `{"messages": [${message}, {"role": "assistant", "content": "A"}]}`;
      const finding = lintText(line + '\n', config, structureCheckers).find(
        (f) => f.code === 'structure/weight-not-assistant',
      );
      assert.ok(finding);
      const fixed = applyFix(line + '\n', finding);
      assert.equal(fixed, line.replace(message, expected) + '\n');
      JSON.parse(fixed);
    }),
    { numRuns: 200 },
  );
});
