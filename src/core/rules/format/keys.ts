/** Misspelled keys (objects that match no format are format/unknown, in unknown.ts). */
import type { Example } from '../../engine/formats.ts';
import type { LineChecker, LineContext, Report } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { isRecord, quoteKey, rangeOf } from '../line-spans.ts';
import {
  allowedMessageKeys,
  likelyMessageKey,
  likelyTopLevelKey,
  SHAREGPT_TURN_KEY_SET,
} from './misspelling.ts';

const MISSPELLED_KEY: RuleMeta = {
  code: 'format/misspelled-key',
  family: 'format',
  description: 'A top-level or message key that looks like a typo of a known key (`mesages`, `Content`).',
  defaultSeverity: 'error',
  fixable: true,
};

function reportMisspelling(
  context: LineContext,
  report: Report,
  path: (string | number)[],
  key: string,
  known: string,
): void {
  const span = context.json!.keySpan(path);
  report(MISSPELLED_KEY.code, {
    message: `Key ${quoteKey(key)} looks like a misspelling of ${JSON.stringify(known)}.`,
    range: rangeOf(context, span),
    ...(span
      ? {
          fix: {
            title: `Rename to ${JSON.stringify(known)}`,
            edits: [{ range: context.range(span), newText: JSON.stringify(known) }],
          },
        }
      : {}),
  });
}

function checkMessageKeys(
  context: LineContext,
  example: Example,
  value: Record<string, unknown>,
  report: Report,
) {
  if (example.format !== 'chat' && example.format !== 'sharegpt') return;
  const listKey = example.format === 'chat' ? 'messages' : 'conversations';
  const list = value[listKey];
  if (!Array.isArray(list)) return;
  const allowed = example.format === 'chat' ? allowedMessageKeys(context.config) : SHAREGPT_TURN_KEY_SET;
  for (let i = 0; i < list.length; i++) {
    const message: unknown = list[i];
    if (!isRecord(message)) continue;
    for (const key in message) {
      if (allowed.has(key)) continue;
      const known = likelyMessageKey(key, message, example.format, context.config);
      if (known !== undefined) reportMisspelling(context, report, [listKey, i, key], key, known);
    }
  }
}

export const keysChecker: LineChecker = {
  kind: 'line',
  rules: [MISSPELLED_KEY],
  check(context, report) {
    const example = context.example;
    if (example === undefined) return;
    const value = context.json!.value as Record<string, unknown>;
    for (const key of example.keys) {
      const known = likelyTopLevelKey(key, value, example.format);
      if (known !== undefined) reportMisspelling(context, report, [key], key, known);
    }
    if (context.enabled(MISSPELLED_KEY.code)) checkMessageKeys(context, example, value, report);
  },
};
