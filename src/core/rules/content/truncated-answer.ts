/** `content/truncated-answer`: an answer cut off at a length limit, ending in "..." after a word. */
import type { LineChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { answerOf } from '../consistency/common.ts';
import { quote } from '../consistency/hashing.ts';
import { heldSpan } from './common.ts';

const TRUNCATED_ANSWER: RuleMeta = {
  code: 'content/truncated-answer',
  family: 'content',
  description: 'An answer that ends in "..." or "…", as text cut off at a length limit does.',
  defaultSeverity: 'warning',
  fixable: false,
};

/**
 * "..." or "…" at the very end, after trimming, after a word: after a digit, comma or operator it says
 * "and so on" ("3, 7, 11, 15+4....").
 */
const TRUNCATED = /[^\s\d,+\-*/=.…](?:\.\.\.|…)$/u;

export const truncatedAnswerChecker: LineChecker = {
  kind: 'line',
  rules: [TRUNCATED_ANSWER],
  check(context, report) {
    const answer = answerOf(context);
    if (!answer || answer.contentKind !== 'string') return;
    const text = answer.content!.trimEnd();
    if (!TRUNCATED.test(text)) return;
    const span = heldSpan(context, answer);
    if (!span) return;
    report(TRUNCATED_ANSWER.code, {
      message: `The answer ends in ${quote(text.slice(-30))}: it may have been cut off`,
      range: context.range(span),
    });
  },
};
