/** `content/placeholder-input`: "<noinput>" and its kin where a field should hold text or nothing. */
import type { LineChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { quote } from '../consistency/hashing.ts';
import { heldSpan, replaceValue, stringTurns } from './common.ts';

const PLACEHOLDER_INPUT: RuleMeta = {
  code: 'content/placeholder-input',
  family: 'content',
  description: 'A field that holds a placeholder ("<noinput>", "NoInput") instead of text or nothing.',
  defaultSeverity: 'warning',
  fixable: true,
};

/** Placeholders some generators write where an example has no input (Self-Instruct's `<noinput>`). */
const PLACEHOLDERS = new Set(['<noinput>', 'noinput', '<no input>', 'no input', '<nooutput>', 'nooutput']);
/**
 * Lower-casing never shortens a string (checked over every code point), so a trimmed text longer than
 * the longest placeholder is none of them: most texts are, and are not copied by `toLowerCase`.
 */
const LONGEST = [...PLACEHOLDERS].reduce((longest, placeholder) => Math.max(longest, placeholder.length), 0);
/** The fields that may be left empty, so the fix can empty them. */
const OPTIONAL_FIELDS = new Set(['input', 'context']);

export const placeholderInputChecker: LineChecker = {
  kind: 'line',
  rules: [PLACEHOLDER_INPUT],
  check(context, report) {
    for (const turn of stringTurns(context)) {
      const text = turn.content!.trim();
      if (text.length > LONGEST || !PLACEHOLDERS.has(text.toLowerCase())) continue;
      const span = heldSpan(context, turn);
      if (!span) continue;
      const field = turn.contentPath.length === 1 ? String(turn.contentPath[0]) : undefined;
      const { range, fix } = replaceValue(context, span, `Empty "${field ?? ''}"`, '');
      const meant = turn.canonicalRole === 'assistant' ? 'an answer' : 'an input';
      report(PLACEHOLDER_INPUT.code, {
        message: `${quote(text)} is a placeholder, not ${meant}; the model learns it as text`,
        range,
        ...(field !== undefined && OPTIONAL_FIELDS.has(field) ? { fix } : {}),
      });
    }
  },
};
