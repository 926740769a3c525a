import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG } from '../../../src/core/engine/config.ts';
import { LinePass, lintText } from '../../../src/core/engine/linter.ts';
import { syntaxCheckers } from '../../../src/core/rules/syntax/index.ts';
import { applyFix, runRuleTests } from '../rule-tester.ts';

const chat = '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}';

runRuleTests('syntax', syntaxCheckers, {
  valid: [
    { name: 'one chat example per line', lines: [chat, chat] },
    { name: 'whitespace around an object', lines: ['  {"text": "a"}\t'] },
    { name: 'a string that looks like a blank line', lines: ['{"text": "   "}'] },
  ],
  invalid: [
    {
      name: 'missing comma',
      lines: [chat, '{"text": "a" "b": 1}'],
      findings: [{ code: 'syntax/invalid-json', line: 1, text: '"b"', message: "Expected ','" }],
    },
    {
      name: 'unterminated string',
      lines: ['{"text": "abc'],
      findings: [{ code: 'syntax/invalid-json', line: 0, text: '"abc', message: 'Unterminated string' }],
    },
    {
      name: 'trailing comma',
      lines: ['{"text": "a",}'],
      findings: [{ code: 'syntax/invalid-json', line: 0, text: '}', message: 'Expected a property name' }],
    },
    {
      name: 'array line',
      lines: [' [1, 2] '],
      findings: [{ code: 'syntax/not-object', line: 0, text: '[1, 2]', message: 'an array' }],
    },
    {
      name: 'string line',
      lines: ['"hello"'],
      findings: [{ code: 'syntax/not-object', line: 0, text: '"hello"', message: 'a string' }],
    },
    {
      name: 'blank line in the middle',
      lines: [chat, '   ', chat],
      findings: [{ code: 'syntax/blank-line', line: 1, text: '   ', fixed: `${chat}\n${chat}\n` }],
    },
    {
      name: 'empty line at the end',
      lines: [chat, ''],
      findings: [{ code: 'syntax/blank-line', line: 1, text: '', fixed: `${chat}\n` }],
    },
  ],
});

const lint = (text: string, config = DEFAULT_CONFIG) =>
  lintText(text, config, syntaxCheckers, (_c, _l, error) => {
    throw error;
  });

test('syntax: a blank last line without terminator is cleared, keeping the previous line intact', () => {
  const text = `${chat}\n  `;
  const [finding] = lint(text);
  assert.equal(finding?.code, 'syntax/blank-line');
  assert.equal(applyFix(text, finding!), `${chat}\n`);
});

test('syntax/bom: reported at (0,0) without a fix', () => {
  const findings = lint(`\uFEFF${chat}\n${chat}\n`);
  assert.deepEqual(
    findings.map((f) => [f.code, f.range, f.fix]),
    [['syntax/bom', { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, undefined]],
  );
});

test('syntax/invalid-utf8: range is the replacement character the reader decoded', () => {
  const text = '{"text": "a\uFFFDb"}';
  const { findings } = new LinePass(DEFAULT_CONFIG, syntaxCheckers).run({
    line: 3,
    text,
    eol: '\n',
    invalidUtf8At: 11,
  });
  assert.deepEqual(
    findings.map((f) => [
      f.code,
      f.range.start.line,
      text.slice(f.range.start.character, f.range.end.character),
    ]),
    [['syntax/invalid-utf8', 3, '\uFFFD']],
  );
});

test('syntax/line-too-long: the whole original line, and no other syntax finding', () => {
  const config = { ...DEFAULT_CONFIG, maxLineLength: 50 };
  const long = `{"text": "${'a'.repeat(100)}"}`;
  const findings = lint(`${chat.slice(0, 10)}\n${long}\n`, config).filter((f) => f.range.start.line === 1);
  assert.deepEqual(
    findings.map((f) => [f.code, f.range.end.character]),
    [['syntax/line-too-long', long.length]],
  );
  assert.match(findings[0]!.message, /112 characters long, over maxLineLength \(50\)/);
});

test('syntax/mixed-line-endings: minority lines get the dominant terminator', () => {
  const text = `${chat}\r\n${chat}\n${chat}\r\n${chat}\r\n${chat}`;
  const findings = lint(text);
  assert.deepEqual(
    findings.map((f) => [f.code, f.range]),
    [
      [
        'syntax/mixed-line-endings',
        { start: { line: 1, character: chat.length }, end: { line: 2, character: 0 } },
      ],
    ],
  );
  assert.match(findings[0]!.message, /LF but 3 of 4 lines end with CRLF/);
  assert.equal(applyFix(text, findings[0]!), `${chat}\r\n${chat}\r\n${chat}\r\n${chat}\r\n${chat}`);
});

test('syntax/mixed-line-endings: a uniform CRLF file and a missing final newline are fine', () => {
  assert.deepEqual(lint(`${chat}\r\n${chat}\r\n${chat}`), []);
  assert.deepEqual(lint(`${chat}\n${chat}`), []);
});
