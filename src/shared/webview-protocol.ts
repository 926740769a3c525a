/**
 * Every message between the extension and its webview panels: one discriminated union per panel and
 * direction, each with a guard that both sides run on receipt (a webview is a separate page: what it
 * posts is untrusted input, and so is a message from a host of another version after an update).
 * The guards are schemas/webview-protocol.schema.json compiled ahead of time
 * (validators.generated.ts, `npm run schema`); keep the types here and that schema
 * in step (test/unit/guards.test.ts checks samples of each message against both).
 */
import type { EvaluationSummary } from './evaluation-events.ts';
import type { TrainerEvent } from './trainer-events.ts';
import {
  compareHostMessage,
  comparePanelMessage,
  comparePanelState,
  runHostMessage,
  runPanelMessage,
  runPanelState,
} from './validators.generated.ts';

export type RunState = 'running' | 'completed' | 'cancelled' | 'failed';

/** A run's directory name under `.tunesmith/runs/`: a name, never a path (so not `.` or `..` either). */
export const RUN_ID = /^(?!\.{1,2}$)[\w.-]+$/;

/** Whether a button can be used, and if not, why, in plain words. */
export interface Action {
  enabled: boolean;
  reason?: string;
}

/** The run's last evaluation (`evaluate`, followed through evaluation.events.jsonl). */
export interface EvaluationView {
  /** `cancelled`: the last attempt was; `summary` is then the one before it, if any (its report is kept). */
  state: 'none' | 'running' | 'completed' | 'cancelled' | 'failed';
  /** While running: which model generates, and how many of how many examples are done. */
  phase?: 'base' | 'tuned';
  done?: number;
  total?: number;
  summary?: EvaluationSummary;
  /** When failed: why, and what to do. */
  message?: string;
  hint?: string;
}

/** Extension → run panel. */
export type RunHostMessage =
  /** Everything known about the run; the panel drops what it had (first load, reload, run replaced). */
  | { type: 'reset'; runId: string; events: TrainerEvent[]; log: string[] }
  /** Events appended to events.jsonl since the last message. */
  | { type: 'events'; events: TrainerEvent[] }
  /** Lines appended to the trainer's log (its stderr). */
  | { type: 'log'; lines: string[] }
  | { type: 'state'; state: RunState; detail?: string; cancel: Action; resume: Action }
  /** Something about the run's files the user should know (a corrupt events line was skipped). */
  | { type: 'notice'; message: string }
  | { type: 'evaluation'; evaluation: EvaluationView; evaluate: Action };

/** Run panel → extension. */
export type RunPanelMessage =
  | { type: 'ready' }
  | { type: 'cancel' }
  | { type: 'resume' }
  | { type: 'evaluate' }
  /** Stops the running evaluation. */
  | { type: 'cancelEvaluation' }
  /** Opens the evaluation panel on the last evaluation's report (the host knows its path). */
  | { type: 'openEvaluation' }
  | { type: 'openFolder' };

/** The state a run panel persists (vscode.setState), so the serializer can revive it after a reload. */
export interface RunPanelState {
  runId: string;
}

/** One run's curves in the compare panel: train loss and eval loss by step. */
export interface CompareRun {
  id: string;
  /** What the legend names it by: model folder and method, with the run id. */
  label: string;
  train: { steps: number[]; values: (number | null)[] };
  eval: { steps: number[]; values: (number | null)[] };
}

/**
 * Extension → compare panel: the selected runs' curves, all of them each time (runs go on), and the
 * ids of the runs selected (found or not yet), which the page persists for the serializer.
 */
export type CompareHostMessage = { type: 'runs'; runs: CompareRun[]; ids: string[] };
/** Compare panel → extension. */
export type ComparePanelMessage = { type: 'ready' };

/** The state a compare panel persists (vscode.setState), so the serializer can revive it after a reload. */
export interface ComparePanelState {
  runIds: string[];
}

export const isRunHostMessage = (value: unknown): value is RunHostMessage => runHostMessage(value);
export const isRunPanelMessage = (value: unknown): value is RunPanelMessage => runPanelMessage(value);
export const isRunPanelState = (value: unknown): value is RunPanelState => runPanelState(value);

/** A curve's values are as long as its steps: the one rule here that JSON Schema cannot say. */
const curvesAligned = (message: CompareHostMessage): boolean =>
  message.runs.every((run) =>
    [run.train, run.eval].every((curve) => curve.steps.length === curve.values.length),
  );
export const isCompareHostMessage = (value: unknown): value is CompareHostMessage =>
  compareHostMessage(value) && curvesAligned(value as CompareHostMessage);
export const isComparePanelMessage = (value: unknown): value is ComparePanelMessage =>
  comparePanelMessage(value);
export const isComparePanelState = (value: unknown): value is ComparePanelState => comparePanelState(value);
