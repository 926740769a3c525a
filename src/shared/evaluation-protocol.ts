/**
 * Messages between the extension and the evaluation panel: one union per direction, each with a guard
 * that the receiving side runs (what a webview posts is untrusted input, and so is a message from a host
 * of another version). The report itself is checked with the validator generated from its schema.
 */
import {
  METRICS,
  OUTCOMES,
  isEvaluationReport,
  type CorpusMetrics,
  type EvaluationExample,
  type EvaluationReport,
  type MetricName,
  type Outcome,
} from './evaluation-report.ts';
import { FLIP_CELLS, type FlipCell } from './evaluation-view.ts';
import { isObject, isStrings } from './trainer-events.ts';

export type Tokens = NonNullable<EvaluationExample['tokens']>;
/** The texts of one example that two can be compared in the diff editor. */
export type TextSide = 'base' | 'tuned' | 'reference';
export const TEXT_SIDES: readonly TextSide[] = ['base', 'tuned', 'reference'];
export type ExportFormat = 'markdown' | 'html' | 'json';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['markdown', 'html', 'json'];

/** Another report of the same run (its `evaluations/` folder): a point of the metric-per-checkpoint chart. */
export interface OtherReport {
  path: string;
  id: string;
  step?: number;
  primary: MetricName;
  metrics: { base?: CorpusMetrics; tuned: CorpusMetrics };
  /** The report this panel shows. */
  current: boolean;
}

/** Extension → evaluation panel. */
export type EvaluationHostMessage =
  /**
   * The report as read from `path`, without the examples' `tokens` (they can be most of the file):
   * `tokens` says whether some example has them, which the page then asks for per expanded row.
   */
  | { type: 'report'; path: string; report: EvaluationReport; tokens: boolean }
  /** The file could not be read or is not a report: what is wrong, naming the file. */
  | { type: 'problem'; path: string; message: string }
  | { type: 'tokens'; index: number; tokens: Tokens | null }
  | { type: 'others'; reports: OtherReport[] };

/** Evaluation panel → extension. Examples are named by `index`; the host looks up everything else. */
export type EvaluationPanelMessage =
  | { type: 'ready' }
  | { type: 'tokens'; index: number }
  | { type: 'openHeldout'; index: number }
  | { type: 'compareInDiff'; index: number; left: TextSide; right: TextSide }
  /** One of the reports of the last `others` message. */
  | { type: 'openReport'; path: string }
  | { type: 'export'; format: ExportFormat };

/** What narrows the examples shown (on top of the search). */
export type RowFilter =
  | { kind: 'all' }
  | { kind: 'outcome'; outcome: Outcome }
  /** Both systems wrong by normalised exact match (`correct`); for a one-system report, tuned wrong. */
  | { kind: 'bothWrong' }
  /** A cell of the report's `comparison.flips[table]`. */
  | { kind: 'flip'; table: number; cell: FlipCell };

export type SortOf = 'base' | 'tuned' | 'delta';
export type RowSort = { key: 'index' } | { key: MetricName; of: SortOf; descending: boolean };

/** What the page persists (vscode.setState): the report for the serializer, and how it was looked at. */
export interface EvaluationPanelState {
  path: string;
  view?: { filter: RowFilter; sort: RowSort; query: string };
}

const isIndex = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;
const isNumbers = (value: unknown): boolean =>
  Array.isArray(value) && value.every((item) => typeof item === 'number');
const isMetric = (value: unknown): value is MetricName => METRICS.includes(value as MetricName);
const isCorpusMetrics = (value: unknown): value is CorpusMetrics =>
  isObject(value) && METRICS.every((metric) => typeof value[metric] === 'number');

/** A report's file: an absolute path (POSIX or Windows) to a `.json` file. */
export const isReportPath = (value: unknown): value is string =>
  typeof value === 'string' && /\.json$/i.test(value) && (/^\//.test(value) || /^[A-Za-z]:[\\/]/.test(value));

function isTokens(value: unknown): value is Tokens {
  return isObject(value) && isStrings(value['text']) && isNumbers(value['base']) && isNumbers(value['tuned']);
}

function isOtherReport(value: unknown): value is OtherReport {
  if (!isObject(value) || !isObject(value['metrics'])) return false;
  const metrics = value['metrics'];
  return (
    isReportPath(value['path']) &&
    typeof value['id'] === 'string' &&
    (value['step'] === undefined || isIndex(value['step'])) &&
    isMetric(value['primary']) &&
    isCorpusMetrics(metrics['tuned']) &&
    (metrics['base'] === undefined || isCorpusMetrics(metrics['base'])) &&
    typeof value['current'] === 'boolean'
  );
}

export function isEvaluationHostMessage(value: unknown): value is EvaluationHostMessage {
  if (!isObject(value)) return false;
  switch (value['type']) {
    case 'report':
      return (
        isReportPath(value['path']) &&
        typeof value['tokens'] === 'boolean' &&
        isEvaluationReport(value['report'])
      );
    case 'problem':
      return typeof value['path'] === 'string' && typeof value['message'] === 'string';
    case 'tokens':
      return isIndex(value['index']) && (value['tokens'] === null || isTokens(value['tokens']));
    case 'others':
      return Array.isArray(value['reports']) && value['reports'].every(isOtherReport);
    default:
      return false;
  }
}

const hasKeys = (value: Record<string, unknown>, keys: string[]): boolean =>
  Object.keys(value).length === keys.length && keys.every((key) => key in value);

export function isEvaluationPanelMessage(value: unknown): value is EvaluationPanelMessage {
  if (!isObject(value)) return false;
  switch (value['type']) {
    case 'ready':
      return hasKeys(value, ['type']);
    case 'tokens':
    case 'openHeldout':
      return hasKeys(value, ['type', 'index']) && isIndex(value['index']);
    case 'compareInDiff':
      return (
        hasKeys(value, ['type', 'index', 'left', 'right']) &&
        isIndex(value['index']) &&
        TEXT_SIDES.includes(value['left'] as TextSide) &&
        TEXT_SIDES.includes(value['right'] as TextSide) &&
        value['left'] !== value['right']
      );
    case 'openReport':
      return hasKeys(value, ['type', 'path']) && isReportPath(value['path']);
    case 'export':
      return hasKeys(value, ['type', 'format']) && EXPORT_FORMATS.includes(value['format'] as ExportFormat);
    default:
      return false;
  }
}

function isRowFilter(value: unknown): value is RowFilter {
  if (!isObject(value)) return false;
  switch (value['kind']) {
    case 'all':
    case 'bothWrong':
      return true;
    case 'outcome':
      return OUTCOMES.includes(value['outcome'] as Outcome);
    case 'flip':
      return isIndex(value['table']) && FLIP_CELLS.includes(value['cell'] as FlipCell);
    default:
      return false;
  }
}

function isRowSort(value: unknown): value is RowSort {
  if (!isObject(value)) return false;
  if (value['key'] === 'index') return true;
  return (
    isMetric(value['key']) &&
    ['base', 'tuned', 'delta'].includes(value['of'] as string) &&
    typeof value['descending'] === 'boolean'
  );
}

export function isEvaluationPanelState(value: unknown): value is EvaluationPanelState {
  if (!isObject(value) || !isReportPath(value['path'])) return false;
  const view = value['view'];
  return (
    view === undefined ||
    (isObject(view) &&
      isRowFilter(view['filter']) &&
      isRowSort(view['sort']) &&
      typeof view['query'] === 'string')
  );
}

/** `tunesmith.evaluation.compareInDiff`'s argument (commands are called by other parts and by URIs). */
export interface CompareInDiffArgs {
  report: string;
  index: number;
  left: TextSide;
  right: TextSide;
}

export function isCompareInDiffArgs(value: unknown): value is CompareInDiffArgs {
  return (
    isObject(value) &&
    isReportPath(value['report']) &&
    isIndex(value['index']) &&
    TEXT_SIDES.includes(value['left'] as TextSide) &&
    TEXT_SIDES.includes(value['right'] as TextSide) &&
    value['left'] !== value['right']
  );
}
