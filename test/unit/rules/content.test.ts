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
    {
      name: 'the passage before a question that calls it "the following" (LLaMA-Factory dpo_en_demo line 74)',
      lines: [
        pc(
          "1. Despite an aimlessly ambling plot, this travelogue fantasia of Italian sights is redeemed by Diane Lane's charm.\n2. It's lush, funny and has poignant moments that make you want to get out your passport.\n3. One of those films that I could watch again and again.\n\nWhat is a brief summary of the following reviews?",
          'The reviews are mixed but warm.',
        ),
      ],
    },
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
      name: 'contractions, quoted letters, "rock \'n\' roll" and words with -rb- are no tokenizer output',
      lines: [
        pc('Why?', "I don't know; it's the 's' key, rock 'n' roll, the '90s."),
        pc('Code', "tr 'a-z' 'A-Z'; x = 'm'; a -lrb-x y"),
        pc('Herb-based?', 'A herb-based curry, a bulb-shaped lamp.'),
      ],
    },
    {
      name: 'Wikipedia named in prose, an edit link after a space, citations asked for in words',
      lines: [
        pc(
          'Source?',
          'Wikipedia, the free encyclopedia anyone can edit, says so. Click [edit] to change it.',
        ),
        pc('Cite', 'A claim needs a citation; jump to conclusions later.'),
      ],
    },
    {
      name: 'a reference to a passage that the prompt holds, after it or in the input',
      lines: [
        pc(
          'Read the passage below and answer.\nThe Nile is the longest river in Africa. It flows north.',
          'The Nile.',
        ),
        alpaca('The Nile is the longest river in Africa and flows north into the sea.', 'Done.').replace(
          'Do it.',
          'Summarize the following article.',
        ),
        pc('Translate the following text into French: Good morning', 'Bonjour'),
        pc(
          'The Nile flows north into the Mediterranean Sea.\nWhich sea does the text above name?',
          'The Mediterranean.',
        ),
        pc('Below is an instruction that describes a task. Write a haiku about the sea.', 'Waves rise.'),
        pc('Passage:\nThe Nile flows north.\nQuestion: Which way does it flow?', 'North.'),
      ],
    },
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
    {
      name: 'Penn Treebank brackets and split contractions (CNN/DailyMail in T0): the fix detokenizes',
      lines: [pc('Summarize', "The actor -lrb- 45 -rrb- said he did n't know it 's over.")],
      findings: [
        {
          code: 'content/tokenizer-artefact',
          line: 0,
          message: '"-lrb-"',
          fixed: pc('Summarize', "The actor ( 45 ) said he didn't know it's over.") + '\n',
        },
      ],
    },
    {
      name: 'a split contraction alone',
      lines: [pc('Why?', "They do n't say.")],
      findings: [{ code: 'content/tokenizer-artefact', line: 0, message: '"do n\'t"' }],
    },
    {
      name: 'a Wikipedia maintenance banner and a heading with its edit link, in the prompt and the answer',
      lines: [
        pc(
          'This article needs additional citations for verification. Learn how and when to remove this template message\nSummarize it.',
          'History[edit]\nThe town was founded in 1200.',
        ),
      ],
      findings: [
        { code: 'content/scraping-boilerplate', line: 0, message: 'The text holds "Learn how and when' },
        { code: 'content/scraping-boilerplate', line: 0, message: 'The answer holds "y[edit]"' },
      ],
    },
    {
      name: 'a forward reference with nothing after it, or only the question',
      lines: [
        pc('Read the passage below and answer the question: What year did the war end?', '1945'),
        alpaca('', 'It is about trade.').replace(
          'Do it.',
          'Summarize the following article in one sentence.',
        ),
      ],
      findings: [
        { code: 'content/missing-passage', line: 0, message: '"the passage below"' },
        { code: 'content/missing-passage', line: 1, message: '"the following article"' },
      ],
    },
    {
      name: 'a backward reference as the first words, and an empty template slot',
      lines: [
        pc('Based on the text above, who wrote it?', 'Tolstoy.'),
        pc('Read the article and answer.\nArticle:\n\nQuestion: Who won the match?', 'Spain.'),
      ],
      findings: [
        { code: 'content/missing-passage', line: 0, message: '"the text above"' },
        { code: 'content/missing-passage', line: 1, message: '"Article:"' },
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
