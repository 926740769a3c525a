/**
 * One line of JSON: its value, or where and why it failed to parse, and the exact spans of keys and
 * values inside the line.
 *
 * The value comes from `JSON.parse`, which is several times faster than a parser that keeps
 * positions; positions are needed only for the few lines that have findings, so the syntax tree
 * (jsonc-parser) is built lazily on the first `valueSpan`/`keySpan` call.
 */
import { parse as parseLenient, parseTree, findNodeAtLocation, printParseErrorCode } from 'jsonc-parser';
import type { Node as JsonNode, ParseError } from 'jsonc-parser';

export type JsonPath = (string | number)[];

/** Character offsets inside the line, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

interface JsonSyntaxError {
  message: string;
  offset: number;
  length: number;
}

const PARSE_OPTIONS = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

export class JsonLine {
  readonly value: unknown;
  readonly error: JsonSyntaxError | undefined;
  /** undefined: not built yet; null: could not be built (e.g. nesting too deep for a recursive parser). */
  private tree: JsonNode | null | undefined;

  constructor(readonly text: string) {
    let value: unknown;
    let error: JsonSyntaxError | undefined;
    try {
      value = JSON.parse(text);
    } catch (thrown) {
      error = locateSyntaxError(text, thrown);
    }
    this.value = value;
    this.error = error;
  }

  get ok(): boolean {
    return this.error === undefined;
  }

  /** The span of the value at `path` (a string's span includes its quotes). */
  valueSpan(path: JsonPath): Span | undefined {
    const node = this.node(path);
    return node ? { start: node.offset, end: node.offset + node.length } : undefined;
  }

  /** The span of the property key that holds the value at `path`, quotes included. */
  keySpan(path: JsonPath): Span | undefined {
    const node = this.node(path);
    const keyNode = node?.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    return keyNode ? { start: keyNode.offset, end: keyNode.offset + keyNode.length } : undefined;
  }

  /** The span of the whole `"key": value` property holding the value at `path`. */
  propertySpan(path: JsonPath): Span | undefined {
    const property = this.node(path)?.parent;
    return property?.type === 'property'
      ? { start: property.offset, end: property.offset + property.length }
      : undefined;
  }

  private node(path: JsonPath): JsonNode | undefined {
    if (this.tree === undefined) {
      try {
        this.tree = this.ok ? (parseTree(this.text, [], PARSE_OPTIONS) ?? null) : null;
      } catch {
        // jsonc-parser recurses once per nesting level; 100,000-deep input overflows the stack.
        this.tree = null;
      }
    }
    return this.tree ? findNodeAtLocation(this.tree, path) : undefined;
  }
}

function locateSyntaxError(text: string, thrown: unknown): JsonSyntaxError {
  const native = thrown instanceof Error ? thrown.message : String(thrown);
  if (text.trim() === '') return { message: 'Empty line is not a JSON value', offset: 0, length: 0 };
  const errors: ParseError[] = [];
  try {
    parseLenient(text, errors, PARSE_OPTIONS);
  } catch {
    // Too deep for the recursive parser: fall back to the position V8 reports.
  }
  const first = errors[0];
  if (first) {
    return {
      message: describeParseError(printParseErrorCode(first.error)),
      offset: first.offset,
      length: Math.max(first.length, 1),
    };
  }
  const position = /position (\d+)/.exec(native);
  const offset = position ? Math.min(Number(position[1]), text.length) : 0;
  return { message: native.replace(/^SyntaxError: /, ''), offset, length: 1 };
}

function describeParseError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'Unexpected character',
    InvalidNumberFormat: 'Invalid number',
    PropertyNameExpected: 'Expected a property name in double quotes',
    ValueExpected: 'Expected a value',
    ColonExpected: "Expected ':' after the property name",
    CommaExpected: "Expected ',' between values",
    CloseBraceExpected: "Expected '}'",
    CloseBracketExpected: "Expected ']'",
    EndOfFileExpected: 'Unexpected content after the JSON value',
    InvalidCommentToken: 'Comments are not allowed in JSON',
    UnexpectedEndOfComment: 'Comments are not allowed in JSON',
    UnexpectedEndOfString: 'Unterminated string',
    UnexpectedEndOfNumber: 'Unterminated number',
    InvalidUnicode: 'Invalid \\u escape',
    InvalidEscapeCharacter: 'Invalid escape character',
    InvalidCharacter: 'Control characters must be escaped inside strings',
  };
  return words[code] ?? code;
}
