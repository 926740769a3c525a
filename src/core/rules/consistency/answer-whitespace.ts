/**
 * `consistency/answer-whitespace`: an answer that starts or ends with whitespace. The model learns to
 * emit it (a leading space or a trailing newline on every reply), usually by accident of how the data
 * was exported.
 */
import type { LineChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { answerOf } from './common.ts';

const ANSWER_WHITESPACE: RuleMeta = {
  code: 'consistency/answer-whitespace',
  family: 'consistency',
  description: 'An answer starts or ends with whitespace.',
  defaultSeverity: 'info',
  fixable: true,
};

function describe(text: string, trimmed: string): string {
  const leading = !text.startsWith(trimmed);
  const trailing = !text.endsWith(trimmed);
  if (leading && trailing) return 'leading and trailing whitespace';
  return leading ? 'leading whitespace' : 'trailing whitespace';
}

export const answerWhitespaceChecker: LineChecker = {
  kind: 'line',
  rules: [ANSWER_WHITESPACE],
  check(context, report) {
    const answer = answerOf(context);
    if (!answer || answer.contentKind !== 'string') return;
    const text = answer.content!;
    const trimmed = text.trim();
    // An all-blank answer is an empty answer, which the structure rules report.
    if (trimmed === '' || trimmed === text) return;
    const span = context.json?.valueSpan(answer.contentPath);
    if (!span) return;
    const range = context.range(span);
    report(ANSWER_WHITESPACE.code, {
      message: `The answer has ${describe(text, trimmed)}`,
      range,
      fix: { title: 'Trim the answer', edits: [{ range, newText: JSON.stringify(trimmed) }] },
    });
  },
};
