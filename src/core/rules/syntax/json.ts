/** Lines that are not JSON, or are JSON but not the object every example must be. */
import type { LineChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { describeType, isRecord, trimmedSpan } from '../line-spans.ts';

const INVALID_JSON: RuleMeta = {
  code: 'syntax/invalid-json',
  family: 'syntax',
  description: 'A line is not valid JSON.',
  defaultSeverity: 'error',
  fixable: false,
};

const NOT_OBJECT: RuleMeta = {
  code: 'syntax/not-object',
  family: 'syntax',
  description: 'A line is valid JSON but not a JSON object.',
  defaultSeverity: 'error',
  fixable: false,
};

export const jsonChecker: LineChecker = {
  kind: 'line',
  rules: [INVALID_JSON, NOT_OBJECT],
  check(context, report) {
    const json = context.json;
    if (json === undefined) return;
    const error = json.error;
    if (error !== undefined) {
      const length = context.text.length;
      const start = Math.min(error.offset, length);
      const end = Math.min(start + error.length, length);
      report(INVALID_JSON.code, {
        message: `Invalid JSON at character ${start + 1}: ${error.message}.`,
        range: context.range({ start, end }),
      });
      return;
    }
    if (!isRecord(json.value)) {
      report(NOT_OBJECT.code, {
        message: `Line is ${describeType(json.value)}, not a JSON object; every example must be an object such as {"messages": [...]}.`,
        range: context.range(trimmedSpan(context.text)),
      });
    }
  },
};
