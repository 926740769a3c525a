import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { contentCheckers } from '../../../src/core/rules/content/index.ts';
import { findMojibake } from '../../../src/core/rules/content/mojibake.ts';
import { runRuleTests } from '../rule-tester.ts';

const pc = (prompt: string, completion: string) => JSON.stringify({ prompt, completion });
const alpaca = (input: string, output: string) => JSON.stringify({ instruction: 'Do it.', input, output });

runRuleTests('content', contentCheckers, {
  valid: [
    { name: 'plain answers', lines: [pc('Hi', 'Hello there.'), pc('Count', '1, 2, 3')] },
    {
      name: 'an ellipsis after a number or a comma is "and so on"',
      lines: [pc('Sequence?', 'It goes 3, 7, 11, 15+4....'), pc('Digits?', 'Like 1, 2, ...')],
    },
    { name: 'an ellipsis in the prompt is not an answer', lines: [pc('Go on...', 'Done.')] },
    {
      name: 'a bare "as an AI" in a tool-call refusal, and the phrase as a string literal in code',
      lines: [
        pc('Order a pizza', "I'm sorry, but as an AI, I can't order a pizza."),
        pc('Count vowels', 'int main() {\n  count("Hello, I am an AI language model.");\n}'),
      ],
    },
    { name: 'an empty input is fine', lines: [alpaca('', 'Done.')] },
    {
      name: 'entities inside HTML source are right',
      lines: [pc('A link', '<a href="?a=1&amp;b=2">Tom &amp; Jerry</a>')],
    },
    { name: 'a lone ampersand is no entity', lines: [pc('Names', 'Tom & Jerry; R&D')] },
    {
      name: 'Latin, Greek and CJK text are no mojibake',
      lines: [pc('Café?', 'À la carte, naïve, Ãrbol, Ωmega, 日本語, ½ °C')],
    },
  ],
  invalid: [
    {
      name: 'an answer cut off after a word',
      lines: [pc('Explain photosynthesis.', 'Plants turn light into chemical energy by...')],
      findings: [{ code: 'content/truncated-answer', line: 0, message: 'ends in "' }],
    },
    {
      name: 'refusal boilerplate in the answer (LLaMA-Factory alpaca_en_demo)',
      lines: [
        pc(
          'Average temperature in London?',
          'I am sorry, but I am an AI language model and cannot access it.',
        ),
      ],
      findings: [{ code: 'content/refusal-boilerplate', line: 0, message: '"I am an AI language model"' }],
    },
    {
      name: 'a placeholder input: the fix empties it',
      lines: [alpaca('<noinput>', 'Done.')],
      findings: [
        {
          code: 'content/placeholder-input',
          line: 0,
          text: '"<noinput>"',
          fixed: alpaca('', 'Done.') + '\n',
        },
      ],
    },
    {
      name: 'a placeholder answer is reported without a fix',
      lines: [alpaca('', '<nooutput>')],
      findings: [
        { code: 'content/placeholder-input', line: 0, text: '"<nooutput>"', message: 'not an answer' },
      ],
    },
    {
      name: 'HTML entities outside HTML: the fix decodes them',
      lines: [pc('Bold?', 'Use &lt;strong&gt; &amp; done')],
      findings: [
        {
          code: 'content/html-entity',
          line: 0,
          message: '&lt;',
          fixed: pc('Bold?', 'Use <strong> & done') + '\n',
        },
      ],
    },
    {
      name: 'mojibake in an answer (GPTeacher codegen): the fix repairs it',
      lines: [pc('Spell it', 'naÃ¯ve, itâ€™s 20Â°C')],
      findings: [
        {
          code: 'content/mojibake',
          line: 0,
          message: '"Ã¯", which is "ï"',
          fixed: pc('Spell it', 'naïve, it’s 20°C') + '\n',
        },
      ],
    },
  ],
});

/** UTF-8 bytes read as Windows-1252, as a mis-configured export does. */
function misread(text: string): string {
  const cp1252 = new TextDecoder('windows-1252');
  return cp1252.decode(new TextEncoder().encode(text));
}

test('mojibake: text garbled by a Windows-1252 misreading is repaired to what it was', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (text) => {
      const garbled = misread(text);
      if (garbled === text) return;
      // Bytes that Windows-1252 leaves unassigned come back as C1 controls or U+FFFD; where they
      // do, the misreading cannot be undone byte for byte, and the repair is not asserted.
      if (/[\ufffd]/u.test(garbled)) return;
      assert.equal(findMojibake(garbled)?.repaired, text);
    }),
  );
});
