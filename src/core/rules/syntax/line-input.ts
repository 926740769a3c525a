/**
 * Problems with a line as bytes and characters, before JSON: blank lines, a byte order mark, bytes that
 * are not UTF-8, and lines too long to lint.
 */
import type { LineChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';

const BLANK_LINE: RuleMeta = {
  code: 'syntax/blank-line',
  family: 'syntax',
  description: 'A blank or whitespace-only line, which many JSONL loaders reject or count as an example.',
  defaultSeverity: 'warning',
  fixable: true,
};

const BOM: RuleMeta = {
  code: 'syntax/bom',
  family: 'syntax',
  description: 'The file starts with a UTF-8 byte order mark, which breaks `json.loads` on the first line.',
  defaultSeverity: 'error',
  fixable: false,
};

export const INVALID_UTF8: RuleMeta = {
  code: 'syntax/invalid-utf8',
  family: 'syntax',
  description: 'A line contains bytes that are not valid UTF-8.',
  defaultSeverity: 'error',
  fixable: false,
};

const LINE_TOO_LONG: RuleMeta = {
  code: 'syntax/line-too-long',
  family: 'syntax',
  description: 'A line is longer than `maxLineLength` and was not linted.',
  defaultSeverity: 'error',
  fixable: false,
};

export const lineInputChecker: LineChecker = {
  kind: 'line',
  rules: [BLANK_LINE, BOM, INVALID_UTF8, LINE_TOO_LONG],
  check(context, report) {
    const { input, line } = context;
    if (input.bom) {
      // The engine and editors hand rules the text without the BOM, so no text edit can remove it.
      report(BOM.code, {
        message:
          'File starts with a UTF-8 byte order mark (BOM); Python json.loads fails on the first line. Save the file as UTF-8 without BOM.',
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      });
    }
    if (input.truncatedLength !== undefined) {
      report(LINE_TOO_LONG.code, {
        message: `Line is ${input.truncatedLength.toLocaleString('en-US')} characters long, over maxLineLength (${context.config.maxLineLength.toLocaleString('en-US')}); it was not checked.`,
        range: { start: { line, character: 0 }, end: { line, character: input.truncatedLength } },
      });
      return;
    }
    if (input.invalidUtf8At !== undefined) {
      const at = Math.min(input.invalidUtf8At, context.text.length);
      report(INVALID_UTF8.code, {
        message: `Bytes at character ${at + 1} are not valid UTF-8 (shown as \uFFFD); re-encode the file as UTF-8.`,
        range: context.range({ start: at, end: Math.min(at + 1, context.text.length) }),
      });
    }
    if (context.json === undefined) {
      // Undefined json without truncation means the line is blank.
      const range =
        input.eol === ''
          ? // A last line without terminator: clearing it leaves the previous line's terminator as the file's end.
            context.lineRange()
          : { start: { line, character: 0 }, end: { line: line + 1, character: 0 } };
      report(BLANK_LINE.code, {
        message: 'Blank line: JSONL expects one JSON object on every line.',
        range: context.lineRange(),
        fix: { title: 'Delete the blank line', edits: [{ range, newText: '' }] },
      });
    }
  },
};
