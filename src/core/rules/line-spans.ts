/** Small helpers the syntax, format and structure rules share for ranges on one line. */
import type { JsonLine, JsonPath, Span } from '../engine/json-line.ts';
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

/**
 * The span to delete to remove the property holding the value at `path` from its object: the
 * `"key": value` and the comma that separates it from a neighbour (the one after it, or for the
 * last property the one before), so that the object stays valid JSON with the spacing it had.
 */
export function propertyRemovalSpan(json: JsonLine, path: JsonPath): Span | undefined {
  const property = json.propertySpan(path);
  if (!property) return undefined;
  const text = json.text;
  let end = property.end;
  while (end < text.length && isJsonSpace(text.charCodeAt(end))) end++;
  if (text[end] === ',') {
    end++;
    while (end < text.length && isJsonSpace(text.charCodeAt(end))) end++;
    return { start: property.start, end };
  }
  let start = property.start;
  while (start > 0 && isJsonSpace(text.charCodeAt(start - 1))) start--;
  if (text[start - 1] === ',') {
    // The last property: from the end of the one before it, so the spacing before `}` stays as it was.
    start--;
    while (start > 0 && isJsonSpace(text.charCodeAt(start - 1))) start--;
    return { start, end: property.end };
  }
  // The only property: leave the braces.
  return property;
}
