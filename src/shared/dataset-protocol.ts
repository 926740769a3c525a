/**
 * Messages between the extension and the dataset view ("Open as Dataset", a custom text editor for
 * `*.jsonl`): one union per direction, each with a guard the receiving side runs (what a webview posts
 * is untrusted input, and so is a message from a host of another version). The view never holds the
 * file: it asks for the rows it shows, by line number, and the host answers from the TextDocument.
 * The guards are schemas/dataset-protocol.schema.json compiled ahead of time (`npm run schema`); keep
 * the types here and that schema in step (test/unit/guards.test.ts checks samples against both).
 */
import type { CanonicalRole, FormatId } from '../core/engine/formats.ts';
import type { DatasetCharts } from '../core/stats/charts.ts';
import { datasetHostMessage, datasetViewMessage, filter, row } from './validators.generated.ts';

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
  /** Tokens per example (as `tokens/too-long` counts them), both bounds inclusive. */
  minTokens?: number;
  maxTokens?: number;
  /** The token bounds count this role's turns only (`system`, `user`, `assistant`, `tool`…). */
  tokenRole?: string;
  /** The answer, trimmed (classification-style data: the labels chart's bars). */
  label?: string;
  /** The system prompt, exactly. */
  system?: string;
}

export type { DatasetCharts };

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
  /**
   * The statistics of `version` (asked for with `stats`; sent again after edits while the view
   * shows them). Null charts: none could be computed, and `message` says why.
   */
  | { type: 'stats'; version: number; charts: DatasetCharts | null; message: string | null }
  | { type: 'notice'; message: string }
  /** Show this line (0-based) at the top: the view was opened from the text editor's cursor there. */
  | { type: 'goto'; line: number };

/** Dataset view → extension. Rows are named by 0-based line number. */
export type DatasetViewMessage =
  | { type: 'ready' }
  | { type: 'rows'; lines: number[] }
  | { type: 'reveal'; line: number; character: number }
  | { type: 'openText' }
  /** The statistics section was opened (send the charts, and again after each edit) or closed. */
  | { type: 'stats'; show: boolean }
  | { type: 'filter'; id: number; filter: DatasetFilter }
  | { type: 'fixes'; findings: number; line: number; finding: number }
  | { type: 'applyFix'; findings: number; line: number; finding: number; fix: number };

export const isDatasetRow = (value: unknown): value is DatasetRow => row(value);
export const isDatasetFilter = (value: unknown): value is DatasetFilter => filter(value);
export const isDatasetHostMessage = (value: unknown): value is DatasetHostMessage =>
  datasetHostMessage(value);
export const isDatasetViewMessage = (value: unknown): value is DatasetViewMessage =>
  datasetViewMessage(value);
