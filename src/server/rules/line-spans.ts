/** Small helpers the syntax, format and structure rules share for ranges on one line. */
import type { Span } from '../engine/json-line.ts';
import type { LineContext } from '../engine/rule.ts';
import type { Range } from '../engine/types.ts';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The range of a span, or the whole line when no span could be found (e.g. a tree too deep to build). */
export function rangeOf(context: LineContext, span: Span | undefined): Range {
  return span ? context.range(span) : context.lineRange();
}

/** The line without its leading and trailing whitespace: the span of the line's JSON value. */
export function trimmedSpan(text: string): Span {
  let start = 0;
  let end = text.length;
  while (start < end && isJsonSpace(text.charCodeAt(start))) start++;
  while (end > start && isJsonSpace(text.charCodeAt(end - 1))) end--;
  return { start, end };
}

function isJsonSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 10;
}

/** A JSON type name for messages: "an array", "a number", "null". */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return typeof value;
  }
}

/** A key shortened and quoted for a message. */
export function quoteKey(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 37)}...` : key);
}
