/**
 * `content/missing-passage`: a prompt that points at a passage it does not hold. "Read the passage
 * below and answer the question" with nothing below; "Based on the article above" as the first words;
 * a template's `Article:` slot left empty before `Question:`. Templated datasets (T0's prompts, where
 * a source field came back empty) make these by the thousand; the model learns to answer about a text
 * it never saw, which is to make one up.
 *
 * How "holds none" is decided, on the prompt (the turns before the answer):
 * - a forward reference ("the following article", "the passage below"): what follows the sentence
 *   that makes it is nothing, or one question of one sentence opening with a question word (the
 *   question about the passage, not the passage), and nothing of 200 characters or more comes
 *   before that sentence (templates that ask "…the following reviews?" after the reviews);
 * - a backward reference ("the text above"): nothing comes before the sentence that makes it;
 * - a slot: a line `Passage:` (or `Article:`, `Context:`…) with nothing after it up to a
 *   `Question:`-style label on a later line, or up to the end of the prompt.
 * Short inputs that are not questions count as a passage ("Translate the following text: Hello").
 */
import type { Turn } from '../../engine/formats.ts';
import type { LineChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { answerOf } from '../consistency/common.ts';
import { quote } from '../consistency/hashing.ts';
import { lineSignal, lineSignals } from '../line-signals.ts';
import { stringTurns } from './common.ts';

const MISSING_PASSAGE: RuleMeta = {
  code: 'content/missing-passage',
  family: 'content',
  description: 'A prompt refers to a passage ("Read the passage below…") that it does not hold.',
  defaultSeverity: 'warning',
  fixable: false,
};

const NOUNS =
  'passage|article|paragraph|excerpt|text|context|document|story|poem|essay|email|review|transcript|dialogue|conversation|code|snippet';
/** "the following article", "the passage below", "the text above" (plural too). */
const REFERENCE = new RegExp(
  `\\bthe (?:(following|below|above) (?:${NOUNS})s?|(?:${NOUNS})s? (below|above))\\b`,
  'iu',
);
/** The end of the sentence or clause that makes the reference: the passage starts after it. */
const CLAUSE_END = /[:\n]|[.?!](?=\s|$)/u;
/** A slot label with nothing after it but blank lines, up to the next label or the end. */
const EMPTY_SLOT =
  /(?:^|\n)[ \t]*(Passage|Article|Context|Paragraph|Document|Story|Text|Background)[ \t]*:[ \t]*(?:$|(?:\n[ \t]*)+(?:$|(Question|Answer|Options|Choices|Hypothesis|Claim|Summary)[ \t]*:))/u;
const SLOT_LITERALS = [
  'Passage:',
  'Article:',
  'Context:',
  'Paragraph:',
  'Document:',
  'Story:',
  'Text:',
  'Background:',
];

/** How a question opens: a passage that ends in "?" (a headline) usually does not. */
const QUESTION_WORD =
  /^(?:what|who|whom|whose|when|where|which|why|how|is|are|was|were|do|does|did|can|could|will|would|should|has|have|had)\b/iu;

/** Whether `rest` (what follows the referring clause) is no passage: nothing, or one short question. */
function noPassageIn(rest: string): boolean {
  const text = rest.trim();
  if (text.length < 3) return true;
  return (
    text.length <= 150 &&
    text.endsWith('?') &&
    !text.includes('\n') &&
    !/[.!?]\s/u.test(text) &&
    QUESTION_WORD.test(text)
  );
}

/** Text before a forward reference long enough to be the passage it means (a paragraph, a list). */
const PASSAGE_BEFORE = 200;

/** Where the sentence holding offset `at` starts: after the last line break or sentence end before it. */
function sentenceStart(text: string, at: number): number {
  const before = text.slice(0, at);
  return Math.max(before.lastIndexOf('\n'), before.search(/[.?!:]\s[^.?!:\n]*$/u));
}

interface Missing {
  turn: Turn;
  shown: string;
}

function findMissing(prompt: readonly Turn[]): Missing | undefined {
  for (let i = 0; i < prompt.length; i++) {
    const turn = prompt[i]!;
    const text = turn.content!;
    const later = (): string =>
      prompt
        .slice(i + 1)
        .map((t) => t.content!)
        .join('\n');
    if (SLOT_LITERALS.some((literal) => text.includes(literal))) {
      const slot = EMPTY_SLOT.exec(text);
      // Empty up to the next label; or at the end of its turn, with nothing in the turns after it.
      if (slot && (slot[2] !== undefined || later().trim() === '')) return { turn, shown: `${slot[1]}:` };
    }
    if (!text.includes('following') && !text.includes('below') && !text.includes('above')) continue;
    const reference = REFERENCE.exec(text);
    if (!reference) continue;
    const forward = (reference[1] ?? reference[2])!.toLowerCase() !== 'above';
    if (forward) {
      const after = text.slice(reference.index + reference[0].length);
      const end = CLAUSE_END.exec(after);
      // "…ten reviews… What is a brief summary of the following reviews?" (FLAN-style templates put
      // the question last): a passage before the referring sentence is the one it means.
      const before = text.slice(0, sentenceStart(text, reference.index) + 1);
      const earlier = prompt.slice(0, i).map((t) => t.content!);
      if (
        noPassageIn(`${end ? after.slice(end.index + 1) : ''}\n${later()}`) &&
        before.trim().length < PASSAGE_BEFORE &&
        noPassageIn(earlier.join('\n'))
      )
        return { turn, shown: reference[0] };
    } else {
      const before = text.slice(0, reference.index);
      const start = sentenceStart(text, reference.index);
      const earlier = prompt.slice(0, i).map((t) => t.content!);
      if (noPassageIn([...earlier, start >= 0 ? before.slice(0, start + 1) : ''].join('\n')))
        return { turn, shown: reference[0] };
    }
  }
  return undefined;
}

/** Lines that may hold a reference or a slot: the shared scan folds case, `includes` then checks it. */
const SIGNAL = lineSignal(['following', 'below', 'above', ...SLOT_LITERALS]);

export const missingPassageChecker: LineChecker = {
  kind: 'line',
  rules: [MISSING_PASSAGE],
  check(context, report) {
    const line = context.text;
    if ((lineSignals(line) & SIGNAL) === 0) return;
    if (
      !line.includes('following') &&
      !line.includes('below') &&
      !line.includes('above') &&
      !SLOT_LITERALS.some((literal) => line.includes(literal))
    )
      return;
    const answer = answerOf(context);
    if (!answer) return;
    const turns = context.example!.turns;
    const strings = new Set(stringTurns(context));
    const prompt = turns.slice(0, turns.indexOf(answer)).filter((turn) => strings.has(turn));
    const missing = findMissing(prompt);
    if (!missing) return;
    report(MISSING_PASSAGE.code, {
      message: `The prompt refers to ${quote(missing.shown)} but holds no passage: the model learns to answer about a text it never saw`,
      range: context.range(context.json!.valueSpan(missing.turn.contentPath)!),
    });
  },
};
