import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG } from '../../../src/core/engine/config.ts';
import { DatasetIndexes, LinePass, lintText } from '../../../src/core/engine/linter.ts';
import { formatCheckers } from '../../../src/core/rules/format/index.ts';
import { editDistance } from '../../../src/core/rules/format/misspelling.ts';
import { applyFix, runRuleTests } from '../rule-tester.ts';

const chat = (q: string, a: string) =>
  `{"messages": [{"role": "user", "content": ${JSON.stringify(q)}}, {"role": "assistant", "content": ${JSON.stringify(a)}}]}`;
const alpaca = (i: string, o: string) =>
  `{"instruction": ${JSON.stringify(i)}, "input": "", "output": ${JSON.stringify(o)}}`;
const c1 = chat('What is 2+2?', '4');
const c2 = chat('Capital of France?', 'Paris.');
const a1 = alpaca('Translate to French: cat', 'chat');

runRuleTests('format', formatCheckers, {
  valid: [
    { name: 'one format throughout', lines: [c1, c2, c1] },
    {
      name: 'alpaca with the same keys in another order',
      lines: [a1, '{"output": "b", "input": "", "instruction": "a"}'],
    },
    { name: 'a single line cannot drift', lines: [a1] },
    {
      name: 'GSM8K, Dolly and GPTeacher lines are formats of their own',
      lines: ['{"question": "q", "answer": "a"}', '{"question": "q2", "answer": "a2"}'],
    },
    {
      name: 'Dolly lines, with and without context',
      lines: [
        '{"instruction": "i", "context": "", "response": "r", "category": "open_qa"}',
        '{"instruction": "i2", "context": "c", "response": "r2", "category": "closed_qa"}',
      ],
    },
    {
      name: "a chat line's metadata is no typo of another format's key",
      lines: [c1.replace('{"messages"', '{"answers": 2, "responses": [], "categories": "x", "messages"')],
    },
    { name: 'a GPTeacher line', lines: ['{"instruction": "i", "input": "", "response": "r"}'] },
    {
      name: 'keys near a known key that is itself present',
      lines: ['{"messages": [], "message": 1}', '{"messages": [], "message": 2}'],
    },
    {
      name: 'short free-form keys are not typos',
      lines: ['{"text": "a", "ID": 1}', '{"text": "b", "ID": 2}'],
    },
    {
      name: 'message keys allowed by configuration',
      lines: [chat('a', 'b').replace('"content": "a"', '"content": "a", "lang": "en"')],
      config: { chat: { allowedMessageKeys: ['role', 'content', 'lang'] } },
    },
  ],
  invalid: [
    {
      name: 'alpaca line in a chat file converts to chat',
      lines: [c1, c2, '{"id": 7, "instruction": "Say hi", "input": "to Bob", "output": "Hi Bob"}'],
      findings: [
        {
          code: 'format/drift',
          line: 2,
          text: '"instruction"',
          message: 'Alpaca (instruction/input/output) but 2 of 3 lines use OpenAI chat',
          fixed: `${c1}\n${c2}\n{"id": 7, "messages": [{"role": "user", "content": "Say hi\\n\\nto Bob"}, {"role": "assistant", "content": "Hi Bob"}]}\n`,
        },
      ],
    },
    {
      name: 'chat line in a ShareGPT file converts to ShareGPT, system to the system key',
      lines: [
        '{"conversations":[{"from":"human","value":"a"},{"from":"gpt","value":"b"}]}',
        '{"conversations":[{"from":"human","value":"c"},{"from":"gpt","value":"d"}]}',
        '{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"e"},{"role":"assistant","content":"f"}],"src":1.50}',
      ],
      findings: [
        {
          code: 'format/drift',
          line: 2,
          text: '"messages"',
          fixed:
            '{"conversations":[{"from":"human","value":"a"},{"from":"gpt","value":"b"}]}\n{"conversations":[{"from":"human","value":"c"},{"from":"gpt","value":"d"}]}\n' +
            '{"conversations":[{"from":"human","value":"e"},{"from":"gpt","value":"f"}],"system":"Be brief.","src":1.50}\n',
        },
      ],
    },
    {
      name: 'prompt/completion and ShareGPT lines in a chat file',
      lines: [
        c1,
        c2,
        c1,
        '{"prompt": "p", "completion": "c"}',
        '{"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "r"}], "system": "S"}',
      ],
      findings: [
        {
          code: 'format/drift',
          line: 3,
          text: '"prompt"',
          fixed: `${c1}\n${c2}\n${c1}\n${chat('p', 'c')}\n{"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "r"}], "system": "S"}\n`,
        },
        {
          code: 'format/drift',
          line: 4,
          text: '"conversations"',
          fixed: `${c1}\n${c2}\n${c1}\n{"prompt": "p", "completion": "c"}\n{"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "q"}, {"role": "assistant", "content": "r"}]}\n`,
        },
      ],
    },
    {
      name: 'multi-turn chat into alpaca with history',
      lines: [
        a1,
        a1,
        chat('q1', 'a1').replace(
          ']}',
          ', {"role": "user", "content": "q2"}, {"role": "assistant", "content": "a2"}]}',
        ),
      ],
      findings: [
        {
          code: 'format/drift',
          line: 2,
          fixed: `${a1}\n${a1}\n{"instruction": "q2", "input": "", "output": "a2", "history": [["q1", "a1"]]}\n`,
        },
      ],
    },
    {
      name: 'GPTeacher and Dolly lines in an Alpaca file: the fix renames their keys, values as written',
      lines: [
        a1,
        a1,
        '{"instruction": "Say \\u00e9", "input": "x", "response": "r"}',
        '{"instruction": "i", "context": "c", "response": "r", "category": "closed_qa"}',
      ],
      findings: [
        {
          code: 'format/drift',
          line: 2,
          text: '"instruction"',
          message: 'Dolly/GPTeacher (instruction/context/response) but 2 of 4 lines use Alpaca',
          fixed: `${a1}\n${a1}\n{"instruction": "Say \\u00e9", "input": "x", "output": "r"}\n{"instruction": "i", "context": "c", "response": "r", "category": "closed_qa"}\n`,
        },
        {
          code: 'format/drift',
          line: 3,
          fixed: `${a1}\n${a1}\n{"instruction": "Say \\u00e9", "input": "x", "response": "r"}\n{"instruction": "i", "input": "c", "output": "r", "category": "closed_qa"}\n`,
        },
      ],
    },
    {
      name: 'Alpaca and GSM8K lines in a Dolly file are renamed; Alpaca history has no Dolly key, so no fix',
      lines: [
        '{"instruction": "i", "context": "", "response": "r"}',
        '{"instruction": "i2", "context": "c", "response": "r2"}',
        '{"instruction": "i3", "context": "", "response": "r3"}',
        '{"instruction": "a", "input": "b", "output": "c"}',
        '{"question": "q", "answer": "#### 4"}',
        '{"instruction": "a", "output": "c", "history": [["h", "i"]]}',
      ],
      findings: [
        {
          code: 'format/drift',
          line: 3,
          fixed:
            '{"instruction": "i", "context": "", "response": "r"}\n{"instruction": "i2", "context": "c", "response": "r2"}\n{"instruction": "i3", "context": "", "response": "r3"}\n' +
            '{"instruction": "a", "input": "b", "response": "c"}\n{"question": "q", "answer": "#### 4"}\n{"instruction": "a", "output": "c", "history": [["h", "i"]]}\n',
        },
        {
          code: 'format/drift',
          line: 4,
          fixed:
            '{"instruction": "i", "context": "", "response": "r"}\n{"instruction": "i2", "context": "c", "response": "r2"}\n{"instruction": "i3", "context": "", "response": "r3"}\n' +
            '{"instruction": "a", "input": "b", "output": "c"}\n{"instruction": "q", "response": "#### 4"}\n{"instruction": "a", "output": "c", "history": [["h", "i"]]}\n',
        },
        { code: 'format/drift', line: 5 },
      ],
    },
    {
      name: "GPTeacher's input in a Dolly file is renamed to context",
      lines: [
        '{"instruction": "i", "context": "", "response": "r"}',
        '{"instruction": "i2", "context": "c", "response": "r2"}',
        '{"instruction": "i3", "input": "x", "response": "r3"}',
      ],
      findings: [
        {
          code: 'format/key-set',
          line: 2,
          text: '"input"',
          fixed:
            '{"instruction": "i", "context": "", "response": "r"}\n{"instruction": "i2", "context": "c", "response": "r2"}\n{"instruction": "i3", "context": "x", "response": "r3"}\n',
        },
      ],
    },
    {
      name: 'Dolly and GSM8K lines in a chat file convert to chat; the Dolly category is kept',
      lines: [
        c1,
        c2,
        c1,
        '{"instruction": "i", "context": "c", "response": "r", "category": "closed_qa"}',
        '{"question": "q", "answer": "a"}',
      ],
      findings: [
        {
          code: 'format/drift',
          line: 3,
          fixed: `${c1}\n${c2}\n${c1}\n{"messages": [{"role": "user", "content": "i\\n\\nc"}, {"role": "assistant", "content": "r"}], "category": "closed_qa"}\n{"question": "q", "answer": "a"}\n`,
        },
        {
          code: 'format/drift',
          line: 4,
          fixed: `${c1}\n${c2}\n${c1}\n{"instruction": "i", "context": "c", "response": "r", "category": "closed_qa"}\n${chat('q', 'a')}\n`,
        },
      ],
    },
    {
      name: 'no fix where conversion would lose a tool call',
      lines: [
        a1,
        a1,
        '{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": null, "tool_calls": []}]}',
      ],
      findings: [{ code: 'format/drift', line: 2, text: '"messages"' }],
    },
    {
      name: 'extra key in one chat line',
      lines: [c1, c2, c1.replace('{"messages"', '{"source": "web", "messages"')],
      findings: [{ code: 'format/key-set', line: 2, text: '"source"', message: 'extra "source"' }],
    },
    {
      name: 'alpaca line missing input gets it back',
      lines: [a1, a1, '{"instruction": "a", "output": "b"}'],
      findings: [
        {
          code: 'format/key-set',
          line: 2,
          text: '"instruction"',
          message: 'missing "input"',
          fixed: `${a1}\n${a1}\n{"instruction": "a", "output": "b", "input": ""}\n`,
        },
      ],
    },
    {
      name: 'misspelled top-level key',
      lines: [c1, '{"mesages": []}'],
      findings: [
        { code: 'format/misspelled-key', line: 1, text: '"mesages"', fixed: `${c1}\n{"messages": []}\n` },
      ],
    },
    {
      name: 'case of top-level and message keys',
      lines: [
        '{"Messages": [{"Role": "user", "content": "a"}]}',
        '{"messages": [{"role": "user", "Content": "a"}, {"rloe": "assistant", "content": "b"}]}',
      ],
      findings: [
        { code: 'format/misspelled-key', line: 0, text: '"Messages"' },
        {
          code: 'format/misspelled-key',
          line: 1,
          text: '"Content"',
          fixed:
            '{"Messages": [{"Role": "user", "content": "a"}]}\n{"messages": [{"role": "user", "content": "a"}, {"rloe": "assistant", "content": "b"}]}\n',
        },
        { code: 'format/misspelled-key', line: 1, text: '"rloe"' },
      ],
    },
    {
      name: 'transposed letters in a message key',
      lines: ['{"messages": [{"rloe": "user", "content": "b"}]}'],
      findings: [
        { code: 'format/misspelled-key', line: 0, text: '"rloe"', message: 'misspelling of "role"' },
      ],
    },
    {
      name: 'ShareGPT turn keys',
      lines: ['{"conversations": [{"form": "human", "Value": "a"}]}'],
      findings: [
        { code: 'format/misspelled-key', line: 0, text: '"form"' },
        { code: 'format/misspelled-key', line: 0, text: '"Value"' },
      ],
    },
    {
      name: 'object matching no format',
      lines: [c1, ' {"query": "q", "reply": "a"} '],
      findings: [
        {
          code: 'format/unknown',
          line: 1,
          text: '{"query": "q", "reply": "a"}',
          message: '"query", "reply"',
        },
      ],
    },
    {
      name: 'a file in no format: one finding, on its first line, naming the keys seen and the count',
      lines: [
        '{"query": "q1", "reply": "a1"}',
        '{"query": "q2", "reply": "a2", "source": "s"}',
        '{"query": "q3"}',
      ],
      findings: [
        {
          code: 'format/unknown',
          line: 0,
          text: '{"query": "q1", "reply": "a1"}',
          message: '3 lines, from this one, match no dataset format (keys: "query", "reply", "source")',
        },
      ],
    },
    {
      name: 'TRL preference pairs: the trainer does not train them, said once per file',
      lines: [
        '{"prompt": "p1", "chosen": "c1", "rejected": "r1"}',
        '{"prompt": [{"role": "user", "content": "p2"}], "chosen": [{"role": "assistant", "content": "c2"}], "rejected": [{"role": "assistant", "content": "r2"}]}',
      ],
      findings: [
        {
          code: 'format/not-trainable',
          line: 0,
          text: '{"prompt": "p1", "chosen": "c1", "rejected": "r1"}',
          message: '2 lines, from this one, are preference pairs',
        },
      ],
    },
  ],
});

test('format: the drift fix rewrites only its own line', () => {
  const text = `${c1}\r\n${a1}\r\n${c2}`;
  const findings = lintText(text, DEFAULT_CONFIG, formatCheckers);
  assert.equal(findings.length, 1);
  const fixed = applyFix(text, findings[0]!).split('\n');
  const before = text.split('\n');
  assert.equal(fixed[0], before[0]);
  assert.equal(fixed[2], before[2]);
  assert.equal(fixed[1], `${chat('Translate to French: cat', 'chat')}\r`);
});

test('format/drift: related location points at a line in the dominant format', () => {
  const findings = lintText(`${a1}\n${c1}\n${c2}\n`, DEFAULT_CONFIG, formatCheckers);
  assert.deepEqual(findings[0]?.related?.[0]?.range, {
    start: { line: 1, character: 1 },
    end: { line: 1, character: 11 },
  });
});

test('editDistance counts a transposition as one edit and stops early past the limit', () => {
  assert.equal(editDistance('rloe', 'role', 1), 1);
  assert.equal(editDistance('mesages', 'messages', 1), 1);
  assert.equal(editDistance('completely', 'messages', 2), 3);
});

test('format/drift index: removing the odd line (as the language server does on edit) clears the finding', () => {
  const pass = new LinePass(DEFAULT_CONFIG, formatCheckers);
  const indexes = new DatasetIndexes(pass);
  const inputs = [c1, c2, a1].map((text, line) => ({ line, text, eol: '\n' as const }));
  const facts = inputs.map((input) => pass.run(input).facts);
  facts.forEach((f, id) => indexes.add(id, f));
  const access = { lineOf: (id: number) => id, context: (id: number) => pass.context(inputs[id]!) };
  assert.deepEqual(
    indexes.report(access).map((f) => f.code),
    ['format/drift'],
  );
  indexes.remove(2, facts[2]!);
  assert.deepEqual(indexes.report(access), []);
});
