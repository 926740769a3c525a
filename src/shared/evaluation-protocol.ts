/**
 * Messages between the extension and the evaluation panel: one union per direction, each with a guard
 * that the receiving side runs (what a webview posts is untrusted input, and so is a message from a host
 * of another version). The guards are schemas/evaluation-protocol.schema.json compiled ahead of time
 * (`npm run schema`; the report inside a message is checked against evaluation-report.schema.json);
 * keep the types here and that schema in step (test/unit/guards.test.ts checks samples against both).
 */
import type {
  CorpusMetrics,
  EvaluationExample,
  EvaluationReport,
  MetricName,
  Outcome,
} from './evaluation-report.ts';
import {
  compareInDiffArgs,
  evaluationHostMessage,
  evaluationPanelMessage,
  evaluationPanelState,
  reportPath,
} from './validators.generated.ts';
import type { FlipCell } from './evaluation-view.ts';

export type Tokens = NonNullable<EvaluationExample['tokens']>;
/** The texts of one example that two can be compared in the diff editor. */
export type TextSide = 'base' | 'tuned' | 'reference';
export const TEXT_SIDES: readonly TextSide[] = ['base', 'tuned', 'reference'];
export type ExportFormat = 'markdown' | 'html' | 'json';

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

/** `tunesmith.evaluation.compareInDiff`'s argument (commands are called by other parts and by URIs). */
interface CompareInDiffArgs {
  report: string;
  index: number;
  left: TextSide;
  right: TextSide;
}

/** A report's file: an absolute path (POSIX or Windows) to a `.json` file. */
export const isReportPath = (value: unknown): value is string => reportPath(value);
export const isEvaluationHostMessage = (value: unknown): value is EvaluationHostMessage =>
  evaluationHostMessage(value);
export const isEvaluationPanelMessage = (value: unknown): value is EvaluationPanelMessage =>
  evaluationPanelMessage(value);
export const isEvaluationPanelState = (value: unknown): value is EvaluationPanelState =>
  evaluationPanelState(value);
export const isCompareInDiffArgs = (value: unknown): value is CompareInDiffArgs => compareInDiffArgs(value);
