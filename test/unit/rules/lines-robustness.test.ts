/**
 * The syntax, format and structure rules together, on realistic fixtures and on input built to break
 * them: they must never throw, never hang, and their fixes must touch only their own lines.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_CONFIG, type ResolvedConfig } from '../../../src/core/engine/config.ts';
import { lintText } from '../../../src/core/engine/linter.ts';
import type { Finding } from '../../../src/core/engine/types.ts';
import { formatCheckers } from '../../../src/core/rules/format/index.ts';
import { structureCheckers } from '../../../src/core/rules/structure/index.ts';
import { syntaxCheckers } from '../../../src/core/rules/syntax/index.ts';
import { applyFix, textOf } from '../rule-tester.ts';

const CHECKERS = [...syntaxCheckers, ...formatCheckers, ...structureCheckers];

function lint(text: string, config: ResolvedConfig = DEFAULT_CONFIG): Finding[] {
  return lintText(text, config, CHECKERS, (codes, line, error) => {
    throw new Error(`${codes.join(',')} threw on line ${line}: ${String(error)}`);
  });
}

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');

for (const name of ['chat.jsonl', 'alpaca.jsonl', 'sharegpt.jsonl']) {
  test(`fixture ${name} is clean, also with CRLF endings and without a final newline`, () => {
    const text = fixture(name);
    assert.deepEqual(lint(text), []);
    assert.deepEqual(lint(text.replaceAll('\n', '\r\n')), []);
    assert.deepEqual(lint(text.trimEnd()), []);
  });
}

test('fixture mixed.jsonl: each planted issue is found where it was planted', () => {
  const text = fixture('mixed.jsonl');
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  const found = lint(text).map((f) => `${f.range.start.line} ${f.code} ${textOf(lines, f)}`);
  assert.deepEqual(found, [
    '1 structure/unknown-role "Assistant"',
    '2 format/misspelled-key "mesages"',
    '3 syntax/mixed-line-endings <multi-line>',
    '4 format/drift "instruction"',
    '5 syntax/blank-line ',
    '6 syntax/invalid-json ',
    '7 structure/no-assistant-turn "messages"',
    '7 structure/repeated-role "user"',
    '8 structure/empty-content "  "',
    '8 structure/unknown-message-key "mood"',
  ]);
});

test('hostile input: empty, garbage, 100,000-deep nesting, a 5 MB line', () => {
  assert.deepEqual(
    lint('').map((f) => f.code),
    ['format/no-examples'],
  );
  let seed = 7;
  const bytes = Buffer.from(Buffer.alloc(4096, 0).map(() => (seed = (seed * 1103515245 + 12345) & 0xff)));
  for (const text of [bytes.toString('latin1'), bytes.toString('utf8')]) lint(text);

  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  assert.deepEqual(
    lint(`${deep}\n`).map((f) => f.code),
    ['syntax/not-object'],
  );
  assert.deepEqual(
    lint(`${'['.repeat(100_000)}\n`).map((f) => f.code),
    ['syntax/invalid-json'],
  );
  const deepMessage = lint(`{"messages": [${deep}]}\n`);
  assert.deepEqual(
    deepMessage.map((f) => [f.code, f.range.start.character]),
    [['structure/missing-role', 0]],
    'a tree too deep to build falls back to the whole line',
  );

  const huge = `{"messages": [{"role": "user", "content": "${'a'.repeat(5_000_000)}"}, {"role": "assistant", "content": "b"}]}`;
  assert.deepEqual(
    lint(`${huge}\n`).map((f) => f.code),
    ['syntax/line-too-long'],
  );
  assert.deepEqual(lint(`${huge}\n`, { ...DEFAULT_CONFIG, maxLineLength: 10_000_000 }), []);
});

test('property: linting never throws on arbitrary text', () => {
  const line = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.json(),
    fc.jsonValue().map((v) => JSON.stringify({ messages: v })),
    fc.jsonValue().map((v) => JSON.stringify({ conversations: [v, { from: 'gpt', value: v }] })),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 6 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
      lint(lines.join(eol));
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), (text) => {
      lint(text);
    }),
    { numRuns: 300 },
  );
});

const BROKEN_LINES = [
  '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}',
  '{"messages":[{"role":"User","content":"a"},{"role":"bot","content":"b"}]}',
  '{"mesages": [{"role": "user", "content": "a"}]}',
  '{"messages": [{"Role": "user", "Content": "a"}, {"role": "assistant", "contnet": "b"}]}',
  '{"instruction": "Say hi", "input": "", "output": "Hi"}',
  '{"instruction": "Say hi", "output": "Hi", "id": 3}',
  '{"prompt": "p", "completion": "c"}',
  '{"conversations": [{"from": "human", "value": "q"}, {"from": "Bot", "value": "r"}], "system": "s"}',
  '{"messages": [{"role": "user", "content": "w"}, {"role": "assistant", "tool_calls": [{"id": "1", "type": "function", "function": {"name": "f", "arguments": {"x": [1, 2]}}}]}, {"role": "tool", "tool_call_id": "1", "content": "ok"}, {"role": "assistant", "content": "done"}]}',
  '',
  '   ',
  '{"text": "plain"}',
  '{"text": "é ünïcode \\u2028 😀", "source": "x"}',
  '{broken',
];

test('property: every fix leaves the other lines byte-identical and JSON lines still JSON', () => {
  const document = fc.tuple(
    fc.array(fc.tuple(fc.constantFrom(...BROKEN_LINES), fc.constantFrom('\n', '\r\n')), {
      minLength: 1,
      maxLength: 8,
    }),
    fc.boolean(),
  );
  fc.assert(
    fc.property(document, ([lines, finalEol]) => {
      const text = lines
        .map(([line, eol], i) => line + (i < lines.length - 1 || finalEol ? eol : ''))
        .join('');
      const withEnds = text.split(/(?<=\n)/);
      for (const finding of lint(text)) {
        if (!finding.fix) continue;
        const fixed = applyFix(text, finding);
        const first = finding.range.start.line;
        const { end } = finding.range;
        const last = end.character === 0 && end.line > first ? end.line - 1 : end.line;
        const prefix = withEnds.slice(0, first).join('');
        const suffix = withEnds.slice(last + 1).join('');
        assert.ok(fixed.startsWith(prefix), `${finding.code} changed a line before ${first}`);
        assert.ok(fixed.endsWith(suffix), `${finding.code} changed a line after ${last}`);
        assert.ok(fixed.length >= prefix.length + suffix.length);
        const before = withEnds[first]!.replace(/\r?\n$/, '');
        const after = fixed.slice(prefix.length, fixed.length - suffix.length).replace(/\r?\n$/, '');
        if (isJson(before) && after !== '')
          assert.ok(isJson(after), `${finding.code} fix broke the JSON: ${after}`);
      }
    }),
    { numRuns: 200 },
  );
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
