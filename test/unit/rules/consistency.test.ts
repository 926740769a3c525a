import { answerFormatDriftChecker } from '../../../src/core/rules/consistency/answer-format-drift.ts';
import { answerWhitespaceChecker } from '../../../src/core/rules/consistency/answer-whitespace.ts';
import { duplicateChecker } from '../../../src/core/rules/consistency/duplicate.ts';
import { labelVariantChecker } from '../../../src/core/rules/consistency/label-variant.ts';
import { lengthOutlierChecker } from '../../../src/core/rules/consistency/length-outlier.ts';
import { nearDuplicateChecker } from '../../../src/core/rules/consistency/near-duplicate.ts';
import { systemPromptDriftChecker } from '../../../src/core/rules/consistency/system-prompt-drift.ts';
import type { Checker } from '../../../src/core/engine/rule.ts';
import { runRuleTests } from '../rule-tester.ts';
import { chat, replaceWord, words } from './consistency-fixtures.ts';

const doc = (lines: string[]): string => lines.join('\n') + '\n';
const withTools = (line: string, tool: string): string =>
  line.replace(/^\{/, `{"tools": [{"type": "function", "function": {"name": "${tool}"}}], `);
const without = (lines: string[], index: number): string => doc(lines.filter((_, i) => i !== index));

{
  const first = chat('What is the capital of France?', 'Paris');
  const reordered =
    '{ "messages" : [ {"content": "What is the capital of France?", "role": "user"}, {"role":"assistant","content":"Paris"} ] }';
  const lines = [first, chat('And of Spain?', 'Madrid'), reordered];
  runRuleTests('consistency/duplicate', [duplicateChecker as Checker], {
    valid: [
      { name: 'different examples', lines: [chat('a', 'b'), chat('a', 'b', 'sys'), chat('b', 'a')] },
      {
        name: 'same prompt and answer up to whitespace and case: not a conflict',
        lines: [chat('What is 2+2?', 'Four'), chat('what is  2+2? ', 'four')],
      },
      {
        name: 'the same question beside other tools may get another answer (Glaive tool-call data)',
        lines: [
          withTools(chat('Order a pizza', 'I can only create calendar events.'), 'create_event'),
          withTools(chat('Order a pizza', 'I can only calculate discounts.'), 'calculate_discount'),
        ],
      },
      {
        name: 'two wordings of one greeting are open generation, not a conflict (LLaMA-Factory identity set)',
        lines: [
          chat(
            '你好',
            '您好，我是 {{name}}，一个由 {{author}} 开发的 AI 助手，很高兴认识您。请问我能为您做些什么？',
          ),
          chat(
            '你好',
            '您好，我是 {{name}}，一个由 {{author}} 打造的人工智能助手，请问有什么可以帮助您的吗？',
          ),
          chat('hi', 'Hello! I am Tuna, an AI assistant. How can I assist you today?'),
          chat('hi', 'Hi there! I am Tuna, your assistant; what can I do for you?'),
        ],
      },
      {
        name: 'short answers to a generation task are open: many are right (T0 question and sentence writing)',
        lines: [
          chat('Generate a question about this plot: Steve and Lisa go bowling.', 'Who goes bowling?'),
          chat('Generate a question about this plot: Steve and Lisa go bowling.', 'What does Steve do?'),
          chat('Generate a sentence with: dog, herd, sheep', 'A dog herds a sheep.'),
          chat('Generate a sentence with: dog, herd, sheep', 'The dogs are herding sheep.'),
        ],
      },
      {
        name: 'an end-of-text token does not make an answer another one',
        lines: [chat('Is it?', 'Yes<|endoftext|>'), chat('Is it?', 'yes')],
      },
      {
        name: 'worked solutions that reach one final answer agree, whatever the working',
        lines: [
          chat('Tom has 3 apples and buys 4. How many?', 'He has 3 + 4 = 7 apples.\n#### 7'),
          chat('Tom has 3 apples and buys 4. How many?', '3 and 4 more make 7.\nThe answer is 7.'),
          chat('tom has 3 apples and buys 4. how many?', '7'),
        ],
      },
      {
        name: 'near-miss: "answers your question" at the end is no final-answer marker',
        lines: [
          chat(
            'Explain tides',
            'The moon pulls the oceans, and so on in detail.\nI hope this answers your question',
          ),
          chat(
            'Explain tides',
            'Gravity of the moon and sun raises the sea twice a day.\nI hope this answers it',
          ),
        ],
      },
    ],
    invalid: [
      {
        name: 'key order and whitespace do not matter; the fix deletes the copy',
        lines,
        findings: [
          {
            code: 'consistency/duplicate',
            line: 2,
            text: reordered,
            message: 'line 1',
            fixed: without(lines, 2),
          },
        ],
      },
      {
        name: 'an exact copy with the same answer is a duplicate, not a conflict',
        lines: [chat('Hi', 'Hello'), chat('Hi', 'Hello'), chat('Hi', 'Hello')],
        findings: [
          { code: 'consistency/duplicate', line: 1 },
          { code: 'consistency/duplicate', line: 2, message: 'line 1' },
        ],
      },
      {
        name: 'the same prompt with different answers conflicts on each answer',
        lines: [chat('What is 2+2?', '4'), chat('Other', 'x'), chat('what is   2+2?', '5')],
        findings: [
          { code: 'consistency/conflict', line: 0, text: '"4"', message: 'line 3' },
          { code: 'consistency/conflict', line: 2, text: '"5"', message: 'line 1' },
        ],
      },
      {
        name: 'the same question beside the same tools, with different answers, conflicts',
        lines: [
          withTools(chat('Order a pizza', 'No.'), 'calculate_discount'),
          withTools(chat('Order a pizza', 'Yes.'), 'calculate_discount'),
        ],
        findings: [
          { code: 'consistency/conflict', line: 0, message: 'line 2' },
          { code: 'consistency/conflict', line: 1, message: 'line 1' },
        ],
      },
      {
        name: 'worked solutions with different final answers conflict; an open answer takes no part',
        lines: [
          chat('Tom has 3 apples and buys 4. How many?', 'He has 3 + 4 = 7 apples.\n#### 7'),
          chat('Tom has 3 apples and buys 4. How many?', 'He has 3 * 4 = 12 apples.\n#### 12'),
          chat(
            'Tom has 3 apples and buys 4. How many?',
            'Let me think about apples for a while, then tell you.',
          ),
        ],
        findings: [
          { code: 'consistency/conflict', line: 0, message: 'line 2' },
          { code: 'consistency/conflict', line: 1, message: 'line 1' },
        ],
      },
      {
        name: 'a rating, a choice the prompt lists and a label word conflict (T0 app reviews, qasc)',
        lines: [
          chat('Rate this review from 1 to 5: "Good"', '5<|endoftext|>'),
          chat('Rate this review from 1 to 5: "Good"', '3<|endoftext|>'),
          chat('Would you recommend it? Not at all, No, Maybe, Yes, or Definitely?', 'Definitely'),
          chat('Would you recommend it? Not at all, No, Maybe, Yes, or Definitely?', 'maybe'),
          chat('Review: it broke in a day', 'Negative'),
          chat('Review: it broke in a day', 'positive'),
        ],
        findings: [
          { code: 'consistency/conflict', line: 0, message: 'line 2' },
          { code: 'consistency/conflict', line: 1, message: 'line 1' },
          { code: 'consistency/conflict', line: 2, message: 'line 4' },
          { code: 'consistency/conflict', line: 3, message: 'line 3' },
          { code: 'consistency/conflict', line: 4, message: 'line 6' },
          { code: 'consistency/conflict', line: 5, message: 'line 5' },
        ],
      },
      {
        name: 'long answers that open with yes and with no contradict',
        lines: [
          chat('Is the Earth flat?', 'No, the Earth is an oblate spheroid, as satellite images show.'),
          chat('Is the Earth flat?', 'Yes, if you look at the horizon it appears perfectly flat to me.'),
        ],
        findings: [
          { code: 'consistency/conflict', line: 0, message: 'line 2' },
          { code: 'consistency/conflict', line: 1, message: 'line 1' },
        ],
      },
      {
        name: 'tool calls (JSON answers) to other functions conflict; key order does not matter',
        lines: [
          chat('Weather in Paris?', '{"name": "get_weather", "arguments": {"city": "Paris"}}'),
          chat('Weather in Paris?', '{"arguments": {"city": "Paris"}, "name": "get_weather"}'),
          chat('Weather in Paris?', '{"name": "get_news", "arguments": {"topic": "Paris"}}'),
        ],
        findings: [
          { code: 'consistency/conflict', line: 0, message: 'line 3' },
          { code: 'consistency/conflict', line: 1, message: 'line 3' },
          { code: 'consistency/conflict', line: 2, message: 'lines 1, 2' },
        ],
      },
    ],
  });
}

{
  const base = words(80, 1);
  const near = replaceWord(base, 40, 'zebra');
  // A rewrite of the first 30 words: about 40% of the trigrams still shared.
  let paraphrase = base;
  for (let i = 0; i < 30; i++) paraphrase = replaceWord(paraphrase, i, `other${i}`);
  runRuleTests('consistency/near-duplicate', [nearDuplicateChecker as Checker], {
    valid: [
      { name: 'a paraphrase below the threshold', lines: [chat(base, 'ok'), chat(paraphrase, 'ok')] },
      {
        name: 'unrelated texts',
        lines: [chat(words(60, 2), 'a'), chat(words(60, 3), 'a'), chat(words(60, 4), 'a')],
      },
      { name: 'exact copies are left to consistency/duplicate', lines: [chat(base, 'ok'), chat(base, 'ok')] },
      { name: 'short texts are not compared', lines: [chat('hello there', 'hi'), chat('hello here', 'hi')] },
      {
        name: 'a shared system prompt alone does not make examples similar',
        lines: [
          chat('Translate: cat', 'chat', words(200, 9)),
          chat('Translate: dog', 'chien', words(200, 9)),
        ],
      },
    ],
    invalid: [
      {
        name: 'one word changed in eighty',
        lines: [chat(base, 'ok'), chat(words(60, 5), 'x'), chat(near, 'ok')],
        findings: [
          {
            code: 'consistency/near-duplicate',
            line: 0,
            message: 'Near-duplicates: 2 examples (estimated similarity to this one 0.',
          },
        ],
      },
      {
        name: 'other questions about one long passage are named as sharing it, whether the answers differ or not',
        lines: [
          chat(`${words(150, 11)}\nQuestion: Who wins the duel?`, 'Feraud'),
          chat(`${words(150, 11)}\nQuestion: Where is he gazing?`, 'At the sea'),
          chat(`${words(150, 11)}\nQuestion: Who was exiled?`, 'Feraud'),
        ],
        findings: [
          {
            code: 'consistency/near-duplicate',
            line: 0,
            message: 'Shared passage: 3 examples ask different questions about one passage',
          },
        ],
      },
      {
        name: 'near-miss: a long prompt with one word changed and the same answer is a near-duplicate',
        lines: [chat(words(150, 12), 'ok'), chat(replaceWord(words(150, 12), 75, 'zebra'), 'ok')],
        findings: [{ code: 'consistency/near-duplicate', line: 0, message: 'Near-duplicates: 2 examples' }],
      },
      {
        name: 'a lower threshold catches more',
        config: { consistency: { nearDuplicateThreshold: 0.3 } },
        lines: [chat(base, 'ok'), chat(paraphrase, 'ok')],
        findings: [{ code: 'consistency/near-duplicate', line: 0 }],
      },
    ],
  });
}

{
  const system = 'You are a helpful assistant that answers questions about geography.';
  const typo = 'You are a helpful asistant that answers questions about geography.';
  const lines = [
    ...Array.from({ length: 6 }, (_, i) => chat(`Question ${i}`, `Answer ${i}`, system)),
    chat('Question 6', 'Answer 6', typo),
  ];
  const fixed = doc(lines.map((line, i) => (i === 6 ? chat('Question 6', 'Answer 6', system) : line)));
  runRuleTests('consistency/system-prompt-drift', [systemPromptDriftChecker as Checker], {
    valid: [
      {
        name: 'two prompts each used by many examples',
        lines: Array.from({ length: 10 }, (_, i) => chat(`Q${i}`, `A${i}`, i % 2 ? system : typo)),
      },
      {
        name: 'a rare prompt unlike the dominant one is a different task, not drift',
        lines: [
          ...lines.slice(0, 6),
          chat('Q', 'A', 'Summarise the following legal contract in plain English.'),
        ],
      },
    ],
    invalid: [
      {
        name: 'a typo in one copy; the fix restores the dominant prompt',
        lines,
        findings: [
          {
            code: 'consistency/system-prompt-drift',
            line: 6,
            text: JSON.stringify(typo),
            message: '1 character changed',
            fixed,
          },
        ],
      },
    ],
  });
}

{
  const labels = [
    'Positive',
    'Negative',
    'Positive',
    'Negative',
    'Positive',
    'Negative',
    'Positive',
    'Negative',
    'Positive',
    'Negative',
    'Positive',
  ];
  const lines = [...labels.map((label, i) => chat(`Review ${i}`, label)), chat('Review x', 'positive.')];
  runRuleTests('consistency/label-variant', [labelVariantChecker as Checker], {
    valid: [
      { name: 'consistent labels', lines: labels.map((label, i) => chat(`Review ${i}`, label)) },
      {
        name: 'free-text answers are not labels',
        lines: Array.from({ length: 12 }, (_, i) => chat(`Q${i}`, words(3, i))),
      },
      {
        name: 'star ratings with an end-of-text token are five labels, not one "endoftext" (T0 app reviews)',
        lines: [5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 3, 3, 3, 2, 2, 1].map((stars, i) =>
          chat(`Rate ${i}`, `${'★'.repeat(stars)}<|endoftext|>`),
        ),
      },
    ],
    invalid: [
      {
        name: 'a lowercase label with a full stop',
        lines,
        findings: [
          {
            code: 'consistency/label-variant',
            line: 11,
            text: '"positive."',
            message: 'from "Positive" (6 examples)',
            fixed: doc([...lines.slice(0, 11), chat('Review x', 'Positive')]),
          },
        ],
      },
    ],
  });
}

{
  const json = (i: number): string => chat(`Extract ${i}`, JSON.stringify({ label: `L${i}`, score: i }));
  const lines = [...Array.from({ length: 9 }, (_, i) => json(i)), chat('Extract 9', 'The label is L9')];
  const keyDrift = [
    ...Array.from({ length: 9 }, (_, i) => json(i)),
    chat('Extract 9', '{"lable": "L9", "score": 9}'),
  ];
  runRuleTests('consistency/answer-format-drift', [answerFormatDriftChecker as Checker], {
    valid: [
      { name: 'all JSON with one key set', lines: Array.from({ length: 10 }, (_, i) => json(i)) },
      { name: 'all plain text', lines: Array.from({ length: 10 }, (_, i) => chat(`Q${i}`, `A${i}`)) },
      {
        name: 'a mix with no clear majority',
        lines: Array.from({ length: 10 }, (_, i) => (i % 2 ? json(i) : chat(`Q${i}`, `A${i}`))),
      },
    ],
    invalid: [
      {
        name: 'one plain-text answer among JSON answers',
        lines,
        findings: [
          {
            code: 'consistency/answer-format-drift',
            line: 9,
            text: '"The label is L9"',
            message: '90% of answers are JSON',
          },
        ],
      },
      {
        name: 'one JSON answer with a misspelt key',
        lines: keyDrift,
        findings: [
          { code: 'consistency/answer-format-drift', line: 9, message: 'missing "label"; extra "lable"' },
        ],
      },
    ],
  });
}

{
  const lines = [chat('Hi', '  Hello there\n'), chat('Bye', 'Goodbye')];
  runRuleTests('consistency/answer-whitespace', [answerWhitespaceChecker], {
    valid: [
      { name: 'trimmed answers', lines: [chat(' padded prompt ', 'Hello')] },
      { name: 'an all-blank answer is another rule', lines: [chat('Hi', '   ')] },
    ],
    invalid: [
      {
        name: 'leading and trailing whitespace; the fix trims only the answer',
        lines,
        findings: [
          {
            code: 'consistency/answer-whitespace',
            line: 0,
            text: '"  Hello there\\n"',
            message: 'leading and trailing whitespace',
            fixed: doc([chat('Hi', 'Hello there'), lines[1]!]),
          },
        ],
      },
    ],
  });
}

{
  const normal = Array.from({ length: 30 }, (_, i) => chat(`Q${i}`, 'x'.repeat(40 + (i % 20))));
  // Issue 14: measured across the file, the writer's paragraphs were far longer than the
  // classifier's labels; each task is its own distribution.
  const CLASSIFIER = 'Classify the sentiment of the review. Answer with one word.';
  const WRITER = 'Write a short essay on the topic.';
  const labels = ['positive', 'negative', 'neutral', 'mixed'];
  const twoTasks = [
    ...Array.from({ length: 40 }, (_, i) => chat(`Review ${i}`, labels[i % 4]!, CLASSIFIER)),
    ...Array.from({ length: 25 }, (_, i) => chat(`Essay ${i}`, 'p'.repeat(400 + i * 17), WRITER)),
  ];
  runRuleTests('consistency/length-outlier', [lengthOutlierChecker as Checker], {
    valid: [
      { name: 'similar lengths', lines: normal },
      { name: 'too few examples to judge', lines: [...normal.slice(0, 10), chat('Q', 'y'.repeat(5000))] },
      {
        name: 'short label-like answers (a letter, a label, "You too!") are never short outliers',
        lines: [
          ...normal,
          chat('Q', 'B'),
          chat('Q', 'You too!'),
          chat('Q', 'not_entailment'),
          chat('Q', '42'),
        ],
      },
      {
        name: 'identical lengths (labels) have no spread',
        lines: Array.from({ length: 30 }, (_, i) => chat(`Q${i}`, 'yes')),
      },
      {
        name: 'two tasks (system prompts): one-word labels and paragraphs are each normal for their task',
        lines: twoTasks,
      },
    ],
    invalid: [
      {
        name: 'one answer a hundred times longer',
        lines: [...normal, chat('Q', 'y'.repeat(5000))],
        findings: [
          { code: 'consistency/length-outlier', line: 30, message: 'answer is 5,000 characters, far longer' },
        ],
      },
      {
        name: 'text examples are measured by their text',
        lines: [
          ...Array.from({ length: 25 }, (_, i) => JSON.stringify({ text: 'z'.repeat(300 + i * 7) })),
          JSON.stringify({ text: 'a short note, cut here' }),
        ],
        findings: [
          {
            code: 'consistency/length-outlier',
            line: 25,
            text: '"a short note, cut here"',
            message: 'far shorter',
          },
        ],
      },
      {
        name: 'an outlier within one task is still found, against that task',
        lines: [
          ...twoTasks,
          chat(
            'Review 99',
            `It is positive, because ${'the plot holds and the cast is fine, '.repeat(6)}`,
            CLASSIFIER,
          ),
          chat('Essay 99', 'w'.repeat(20_000), WRITER),
        ],
        findings: [
          { code: 'consistency/length-outlier', line: 65, message: 'far longer than the median of 8' },
          { code: 'consistency/length-outlier', line: 66, message: 'far longer than the median of 612' },
        ],
      },
    ],
  });
}
