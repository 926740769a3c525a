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
  | { type: 'others'; reports: OtherReport[] }
  /** Similarity of output and reference by embedding: computed in the background after the report. */
  | SemanticMessage
  /** The training examples nearest a regressed example, asked for by `nearest`. */
  | NearestMessage;

/** The embedding model a semantic figure was computed with. */
export interface SemanticModel {
  name: string;
  path: string;
}

export type SemanticMessage =
  /** No model: `info` says how to get one; the rest of the panel is unaffected. */
  | { type: 'semantic'; state: 'off'; info: string }
  | { type: 'semantic'; state: 'working'; done: number; total: number }
  | { type: 'semantic'; state: 'failed'; message: string }
  | {
      type: 'semantic';
      state: 'ready';
      model: SemanticModel;
      /** Corpus means of cosine(output, reference). */
      mean: { base?: number; tuned: number };
      /** Per example, in the order of `index`; `base` only in a two-system report. */
      index: number[];
      base?: number[];
      tuned: number[];
    };

/** One training example near another's prompt: its 1-based line, cosine similarity and prompt. */
export interface Neighbour {
  line: number;
  similarity: number;
  prompt: string;
}

export type NearestMessage =
  | { type: 'nearest'; index: number; state: 'off'; info: string }
  /** The training prompts being embedded (once per file; cached on disk). */
  | { type: 'nearest'; index: number; state: 'working'; done: number; total: number }
  /** No training file is known (a predictions file opened alone): the page offers to choose one. */
  | { type: 'nearest'; index: number; state: 'choose' }
  | { type: 'nearest'; index: number; state: 'failed'; message: string }
  | {
      type: 'nearest';
      index: number;
      state: 'ready';
      file: string;
      model: SemanticModel;
      neighbours: Neighbour[];
    };

/** Evaluation panel → extension. Examples are named by `index`; the host looks up everything else. */
export type EvaluationPanelMessage =
  | { type: 'ready' }
  | { type: 'tokens'; index: number }
  | { type: 'openHeldout'; index: number }
  | { type: 'compareInDiff'; index: number; left: TextSide; right: TextSide }
  /** One of the reports of the last `others` message. */
  | { type: 'openReport'; path: string }
  | { type: 'export'; format: ExportFormat }
  /** The training examples nearest example `index`'s prompt (a regressed example, expanded). */
  | { type: 'nearest'; index: number }
  /** Pick a training file for `nearest` (then answered for example `index`). */
  | { type: 'chooseTraining'; index: number }
  /** Open the training file of the last `nearest` answer at this 1-based line. */
  | { type: 'openTraining'; line: number };

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
