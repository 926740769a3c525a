/**
 * `content/tokenizer-artefact`: text that went through a word tokenizer and was never detokenized, as
 * the Penn Treebank tokenizer leaves it in CNN/DailyMail, XSum and the T0 prompts built on them:
 * brackets written `-lrb-` / `-rrb-` and contractions split off their word ("do n't", "it 's").
 */
import type { LineChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { quote } from '../consistency/hashing.ts';
import { lineSignal, lineSignals } from '../line-signals.ts';
import { heldSpan, replaceValue, stringTurns, subject } from './common.ts';

const TOKENIZER_ARTEFACT: RuleMeta = {
  code: 'content/tokenizer-artefact',
  family: 'content',
  description: 'Text left as a word tokenizer wrote it: `-lrb-` for "(", "do n\'t" for "don\'t".',
  defaultSeverity: 'warning',
  fixable: true,
};

/** The Penn Treebank's bracket tokens, lower or upper case, as words of their own. */
const BRACKETS: Readonly<Record<string, string>> = {
  lrb: '(',
  rrb: ')',
  lsb: '[',
  rsb: ']',
  lcb: '{',
  rcb: '}',
};
const BRACKET = /(?<![\w-])-(lrb|rrb|lsb|rsb|lcb|rcb)-(?![\w-])/giu;
/**
 * A contraction split off its word: "n't" after a word, or an apostrophe suffix followed by a space
 * or punctuation ("it 's ", "we 're."); a quoted letter (`'s'`, "the 'm' key") is followed by its
 * closing quote, and "rock 'n' roll" is no contraction.
 */
const SPLIT = /(?<=\w) (n't|'(?:s|re|ve|ll|m|d))(?=[\s.,;:!?)]|$)/gu;

/** What the tokenizer wrote, undone: the rule's fix. */
/** Lines that may hold either (ASCII letters folded: `b-` covers `B-`). */
const SIGNAL = lineSignal([" '", " n'", 'b-']);

function detokenize(text: string): string {
  return text
    .replace(BRACKET, (_, name: string) => BRACKETS[name.toLowerCase()]!)
    .replace(SPLIT, (_, suffix: string) => suffix);
}

export const tokenizerArtefactChecker: LineChecker = {
  kind: 'line',
  rules: [TOKENIZER_ARTEFACT],
  check(context, report) {
    // A bracket token holds "b-" or "B-", a split contraction " '" or " n'": the expressions run
    // only on lines that hold one (the shared scan of the line, then `includes` for the case).
    const line = context.text;
    if ((lineSignals(line) & SIGNAL) === 0) return;
    if (!line.includes(" '") && !line.includes(" n'") && !line.includes('b-') && !line.includes('B-')) return;
    for (const turn of stringTurns(context)) {
      const text = turn.content!;
      BRACKET.lastIndex = 0;
      SPLIT.lastIndex = 0;
      const found = BRACKET.exec(text) ?? SPLIT.exec(text);
      if (!found) continue;
      // A split contraction is shown with the word it was split from: "did n't".
      let start = found.index;
      if (found[0].startsWith(' ')) while (start > 0 && !/\s/u.test(text[start - 1]!)) start--;
      const shown = text.slice(start, found.index + found[0].length);
      const span = heldSpan(context, turn);
      if (!span) continue;
      report(TOKENIZER_ARTEFACT.code, {
        message: `${subject(turn)} holds ${quote(shown)}, a word tokenizer's output: the model learns to write it`,
        ...replaceValue(context, span, 'Detokenize', detokenize(text)),
      });
    }
  },
};
