/**
 * Messages between the extension and the dataset view ("Open as Dataset", a custom text editor for
 * `*.jsonl`): one union per direction, each with a guard the receiving side runs (what a webview posts
 * is untrusted input, and so is a message from a host of another version). The view never holds the
 * file: it asks for the rows it shows, by line number, and the host answers from the TextDocument.
 */
import type { CanonicalRole, FormatId } from '../core/engine/formats.ts';
import { isObject } from './trainer-events.ts';

export type FindingSeverity = 'error' | 'warning' | 'info' | 'hint';
export const SEVERITIES: readonly FindingSeverity[] = ['error', 'warning', 'info', 'hint'];
export const FORMAT_IDS: readonly FormatId[] = [
  'chat',
  'prompt-completion',
  'alpaca',
  'instruction-response',
  'preference',
  'question-answer',
  'sharegpt',
  'text',
  'unknown',
];
const ROLES: readonly CanonicalRole[] = ['system', 'user', 'assistant', 'tool'];

/** At most this many rows are asked for (and sent) in one message. */
export const MAX_ROWS_PER_REQUEST = 500;
/** A turn's text (or an invalid line) is cut to this many characters before it is sent. */
export const MAX_TEXT_CHARS = 20_000;

/** One diagnostic of the line, as the Problems panel shows it. */
export interface RowFinding {
  code: string;
  severity: FindingSeverity;
  message: string;
  /** Character offsets in the line (the part of the diagnostic's range on this line). */
  start: number;
  end: number;
  /** The turn the range lies in, when it lies in one. */
  turn: number | null;
}

export interface RowTurn {
  /** The role as written (`gpt`, `human`, `developer`…), or null when it is not a string. */
  role: string | null;
  canonical: CanonicalRole | null;
  /** The turn's text, or null when it has none (a tool call, `content: null`, a missing field). */
  content: string | null;
  /** How many characters `content` had before it was cut to MAX_TEXT_CHARS. */
  length: number;
  /** `tool_calls` / `function_call`, pretty-printed JSON with parsed `arguments`. */
  toolCalls: string | null;
  /** `name` or `tool_call_id`, for tool turns. */
  name: string | null;
  /** `weight: 0`: the trainer does not learn this turn. */
  weightZero: boolean;
}

export type DatasetRow =
  | {
      kind: 'example';
      line: number;
      format: FormatId;
      turns: RowTurn[];
      /** The `text` of the plain-text format (cut to MAX_TEXT_CHARS). */
      text: string | null;
      textLength: number;
      /** Top-level fields that are none of the format's (`tools`, `id`, `label`…), pretty-printed. */
      extra: string | null;
      findings: RowFinding[];
    }
  | { kind: 'invalid'; line: number; error: string; text: string; textLength: number; findings: RowFinding[] }
  | { kind: 'blank'; line: number; findings: RowFinding[] };

/** What narrows the rows shown; every field is optional, all given must hold. */
export interface DatasetFilter {
  code?: string;
  severity?: FindingSeverity;
  format?: FormatId;
  minTurns?: number;
  maxTurns?: number;
  /** Case-insensitive, in the line's text. */
  query?: string;
}

export interface CodeCount {
  code: string;
  severity: FindingSeverity;
  count: number;
}

/** Extension → dataset view. */
export type DatasetHostMessage =
  /**
   * The document as it is now (sent on open and after every edit or change of its diagnostics):
   * rows asked for before are stale and asked for again.
   */
  | {
      type: 'document';
      name: string;
      version: number;
      lineCount: number;
      /** Bumped when the diagnostics change: fixes are asked for with it. */
      findings: number;
      codes: CodeCount[];
    }
  | { type: 'rows'; version: number; rows: DatasetRow[] }
  /** The lines that pass `filter` of request `id`; null lines: every line. */
  | { type: 'filtered'; id: number; lines: number[] | null }
  /** The quick fixes of a row's finding. */
  | { type: 'fixes'; line: number; finding: number; titles: string[] }
  | { type: 'notice'; message: string };

/** Dataset view → extension. Rows are named by 0-based line number. */
export type DatasetViewMessage =
  | { type: 'ready' }
  | { type: 'rows'; lines: number[] }
  | { type: 'reveal'; line: number; character: number }
  | { type: 'openText' }
  | { type: 'filter'; id: number; filter: DatasetFilter }
  | { type: 'fixes'; findings: number; line: number; finding: number }
  | { type: 'applyFix'; findings: number; line: number; finding: number; fix: number };

const isIndex = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;
const isNullableString = (value: unknown): value is string | null =>
  value === null || typeof value === 'string';
const isSeverity = (value: unknown): value is FindingSeverity =>
  SEVERITIES.includes(value as FindingSeverity);
const isFormat = (value: unknown): value is FormatId => FORMAT_IDS.includes(value as FormatId);

const hasKeys = (value: Record<string, unknown>, keys: string[]): boolean =>
  Object.keys(value).length === keys.length && keys.every((key) => key in value);

function isFinding(value: unknown): value is RowFinding {
  return (
    isObject(value) &&
    typeof value['code'] === 'string' &&
    isSeverity(value['severity']) &&
    typeof value['message'] === 'string' &&
    isIndex(value['start']) &&
    isIndex(value['end']) &&
    (value['turn'] === null || isIndex(value['turn']))
  );
}

function isTurn(value: unknown): value is RowTurn {
  return (
    isObject(value) &&
    isNullableString(value['role']) &&
    (value['canonical'] === null || ROLES.includes(value['canonical'] as CanonicalRole)) &&
    isNullableString(value['content']) &&
    isIndex(value['length']) &&
    isNullableString(value['toolCalls']) &&
    isNullableString(value['name']) &&
    typeof value['weightZero'] === 'boolean'
  );
}

export function isDatasetRow(value: unknown): value is DatasetRow {
  if (!isObject(value) || !isIndex(value['line'])) return false;
  const findings = value['findings'];
  if (!Array.isArray(findings) || !findings.every(isFinding)) return false;
  switch (value['kind']) {
    case 'example':
      return (
        isFormat(value['format']) &&
        Array.isArray(value['turns']) &&
        value['turns'].every(isTurn) &&
        isNullableString(value['text']) &&
        isIndex(value['textLength']) &&
        isNullableString(value['extra'])
      );
    case 'invalid':
      return (
        typeof value['error'] === 'string' &&
        typeof value['text'] === 'string' &&
        isIndex(value['textLength'])
      );
    case 'blank':
      return true;
    default:
      return false;
  }
}

export function isDatasetFilter(value: unknown): value is DatasetFilter {
  if (!isObject(value)) return false;
  const known = ['code', 'severity', 'format', 'minTurns', 'maxTurns', 'query'];
  if (!Object.keys(value).every((key) => known.includes(key))) return false;
  const optional = (key: string, check: (item: unknown) => boolean) =>
    value[key] === undefined || check(value[key]);
  return (
    optional('code', (item) => typeof item === 'string') &&
    optional('severity', isSeverity) &&
    optional('format', isFormat) &&
    optional('minTurns', isIndex) &&
    optional('maxTurns', isIndex) &&
    optional('query', (item) => typeof item === 'string')
  );
}

const isCodeCount = (value: unknown): value is CodeCount =>
  isObject(value) &&
  typeof value['code'] === 'string' &&
  isSeverity(value['severity']) &&
  isIndex(value['count']);

export function isDatasetHostMessage(value: unknown): value is DatasetHostMessage {
  if (!isObject(value)) return false;
  switch (value['type']) {
    case 'document':
      return (
        typeof value['name'] === 'string' &&
        isIndex(value['version']) &&
        isIndex(value['lineCount']) &&
        isIndex(value['findings']) &&
        Array.isArray(value['codes']) &&
        value['codes'].every(isCodeCount)
      );
    case 'rows':
      return (
        isIndex(value['version']) &&
        Array.isArray(value['rows']) &&
        value['rows'].length <= MAX_ROWS_PER_REQUEST &&
        value['rows'].every(isDatasetRow)
      );
    case 'filtered': {
      const lines = value['lines'];
      // Not `every(isIndex)` on a million lines through a closure per item: a plain loop.
      if (!isIndex(value['id'])) return false;
      if (lines === null) return true;
      if (!Array.isArray(lines)) return false;
      for (const line of lines) if (!isIndex(line)) return false;
      return true;
    }
    case 'fixes':
      return (
        isIndex(value['line']) &&
        isIndex(value['finding']) &&
        Array.isArray(value['titles']) &&
        value['titles'].every((title) => typeof title === 'string')
      );
    case 'notice':
      return typeof value['message'] === 'string';
    default:
      return false;
  }
}

export function isDatasetViewMessage(value: unknown): value is DatasetViewMessage {
  if (!isObject(value)) return false;
  switch (value['type']) {
    case 'ready':
    case 'openText':
      return hasKeys(value, ['type']);
    case 'rows': {
      const lines = value['lines'];
      return (
        hasKeys(value, ['type', 'lines']) &&
        Array.isArray(lines) &&
        lines.length <= MAX_ROWS_PER_REQUEST &&
        lines.every(isIndex)
      );
    }
    case 'reveal':
      return (
        hasKeys(value, ['type', 'line', 'character']) && isIndex(value['line']) && isIndex(value['character'])
      );
    case 'filter':
      return (
        hasKeys(value, ['type', 'id', 'filter']) && isIndex(value['id']) && isDatasetFilter(value['filter'])
      );
    case 'fixes':
      return (
        hasKeys(value, ['type', 'findings', 'line', 'finding']) &&
        isIndex(value['findings']) &&
        isIndex(value['line']) &&
        isIndex(value['finding'])
      );
    case 'applyFix':
      return (
        hasKeys(value, ['type', 'findings', 'line', 'finding', 'fix']) &&
        isIndex(value['findings']) &&
        isIndex(value['line']) &&
        isIndex(value['finding']) &&
        isIndex(value['fix'])
      );
    default:
      return false;
  }
}
