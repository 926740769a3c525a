/** `content/html-entity`: `&lt;strong&gt;` and `&amp;` in text that is not HTML, escaped twice. */
import { decodeHTMLStrict } from 'entities';
import type { LineChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { quote } from '../consistency/hashing.ts';
import { heldSpan, replaceValue, stringTurns, subject } from './common.ts';

const HTML_ENTITY: RuleMeta = {
  code: 'content/html-entity',
  family: 'content',
  description: 'Text with HTML entities (`&lt;strong&gt;`, `&amp;`) outside HTML: escaped twice on export.',
  defaultSeverity: 'warning',
  fixable: true,
};

/** An HTML entity with its semicolon: the named ones escaping produces, and numeric references. */
const ENTITY = /&(?:lt|gt|amp|quot|apos|nbsp|#\d{1,7}|#x[\da-f]{1,6});/iu;
/** A tag: the text is HTML (or XML) source, where entities are what it should hold. */
const TAG = /<\/?[a-z][\w-]*(?:\s[^<>]*)?\/?>/iu;

export const htmlEntityChecker: LineChecker = {
  kind: 'line',
  rules: [HTML_ENTITY],
  check(context, report) {
    for (const turn of stringTurns(context)) {
      const text = turn.content!;
      const entity = ENTITY.exec(text);
      if (!entity || TAG.test(text)) continue;
      const span = heldSpan(context, turn);
      if (!span) continue;
      report(HTML_ENTITY.code, {
        message: `${subject(turn)} holds the HTML entity ${entity[0]} (for ${quote(decodeHTMLStrict(entity[0]))}): it was escaped twice`,
        ...replaceValue(context, span, 'Decode the HTML entities', decodeHTMLStrict(text)),
      });
    }
  },
};
