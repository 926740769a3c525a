/**
 * Every message between the extension and its webview panels: one discriminated union per panel and
 * direction, each with a guard that both sides run on receipt (a webview is a separate page: what it
 * posts is untrusted input, and so is a message from a host of another version after an update).
 */
import { isEvaluationSummary, type EvaluationSummary } from './evaluation-events.ts';
import { isObject, isStrings, isTrainerEvent, type TrainerEvent } from './trainer-events.ts';

export type RunState = 'running' | 'completed' | 'cancelled' | 'failed';

/** A run's directory name under `.tunesmith/runs/`: a name, never a path (so not `.` or `..` either). */
export const RUN_ID = /^(?!\.{1,2}$)[\w.-]+$/;
export const RUN_STATES: readonly RunState[] = ['running', 'completed', 'cancelled', 'failed'];

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
const EVALUATION_STATES = ['none', 'running', 'completed', 'cancelled', 'failed'];

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
const RUN_PANEL_MESSAGES = [
  'ready',
  'cancel',
  'resume',
  'evaluate',
  'cancelEvaluation',
  'openEvaluation',
  'openFolder',
];

/** The state a run panel persists (vscode.setState), so the serializer can revive it after a reload. */
export interface RunPanelState {
  runId: string;
}

const isAction = (value: unknown): value is Action =>
  isObject(value) &&
  typeof value['enabled'] === 'boolean' &&
  (value['reason'] === undefined || typeof value['reason'] === 'string');
const isEvents = (value: unknown): value is TrainerEvent[] =>
  Array.isArray(value) && value.every(isTrainerEvent);

export function isRunHostMessage(value: unknown): value is RunHostMessage {
  if (!isObject(value)) return false;
  switch (value['type']) {
    case 'reset':
      return typeof value['runId'] === 'string' && isEvents(value['events']) && isStrings(value['log']);
    case 'events':
      return isEvents(value['events']);
    case 'log':
      return isStrings(value['lines']);
    case 'state':
      return (
        RUN_STATES.includes(value['state'] as RunState) &&
        (value['detail'] === undefined || typeof value['detail'] === 'string') &&
        isAction(value['cancel']) &&
        isAction(value['resume'])
      );
    case 'notice':
      return typeof value['message'] === 'string';
    case 'evaluation':
      return isEvaluationView(value['evaluation']) && isAction(value['evaluate']);
    default:
      return false;
  }
}

const optCount = (value: unknown): boolean =>
  value === undefined || (Number.isInteger(value) && (value as number) >= 0);
const optString = (value: unknown): boolean => value === undefined || typeof value === 'string';

function isEvaluationView(value: unknown): value is EvaluationView {
  return (
    isObject(value) &&
    EVALUATION_STATES.includes(value['state'] as string) &&
    (value['phase'] === undefined || value['phase'] === 'base' || value['phase'] === 'tuned') &&
    optCount(value['done']) &&
    optCount(value['total']) &&
    (value['summary'] === undefined || isEvaluationSummary(value['summary'])) &&
    optString(value['message']) &&
    optString(value['hint'])
  );
}

export function isRunPanelMessage(value: unknown): value is RunPanelMessage {
  if (!isObject(value)) return false;
  return RUN_PANEL_MESSAGES.includes(value['type'] as string) && Object.keys(value).length === 1;
}

export function isRunPanelState(value: unknown): value is RunPanelState {
  return isObject(value) && typeof value['runId'] === 'string' && RUN_ID.test(value['runId']);
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

const isCurve = (value: unknown): boolean =>
  isObject(value) &&
  Array.isArray(value['steps']) &&
  value['steps'].every((step) => typeof step === 'number') &&
  Array.isArray(value['values']) &&
  value['values'].length === value['steps'].length &&
  value['values'].every((item) => item === null || typeof item === 'number');

const isCompareRun = (value: unknown): value is CompareRun =>
  isObject(value) &&
  typeof value['id'] === 'string' &&
  typeof value['label'] === 'string' &&
  isCurve(value['train']) &&
  isCurve(value['eval']);

export function isCompareHostMessage(value: unknown): value is CompareHostMessage {
  return (
    isObject(value) &&
    value['type'] === 'runs' &&
    Array.isArray(value['runs']) &&
    value['runs'].every(isCompareRun) &&
    isStrings(value['ids'])
  );
}

export function isComparePanelState(value: unknown): value is ComparePanelState {
  const ids = isObject(value) ? value['runIds'] : undefined;
  return isStrings(ids) && ids.length > 0 && ids.every((id) => RUN_ID.test(id));
}

export function isComparePanelMessage(value: unknown): value is ComparePanelMessage {
  return isObject(value) && value['type'] === 'ready' && Object.keys(value).length === 1;
}
