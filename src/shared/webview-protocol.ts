/**
 * Every message between the extension and its webview panels: one discriminated union per panel and
 * direction, each with a guard that both sides run on receipt (a webview is a separate page: what it
 * posts is untrusted input, and so is a message from a host of another version after an update).
 */
import { isObject, isTrainerEvent, type TrainerEvent } from './trainer-events.ts';

export type RunState = 'running' | 'completed' | 'cancelled' | 'failed';
export const RUN_STATES: readonly RunState[] = ['running', 'completed', 'cancelled', 'failed'];

/** Whether a button can be used, and if not, why, in plain words. */
export interface Action {
  enabled: boolean;
  reason?: string;
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
  | { type: 'notice'; message: string };

/** Run panel → extension. */
export type RunPanelMessage = { type: 'ready' } | { type: 'cancel' } | { type: 'resume' };

/** The state a run panel persists (vscode.setState), so the serializer can revive it after a reload. */
export interface RunPanelState {
  runId: string;
}

const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');
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
    default:
      return false;
  }
}

export function isRunPanelMessage(value: unknown): value is RunPanelMessage {
  if (!isObject(value)) return false;
  const type = value['type'];
  return (type === 'ready' || type === 'cancel' || type === 'resume') && Object.keys(value).length === 1;
}

export function isRunPanelState(value: unknown): value is RunPanelState {
  return isObject(value) && typeof value['runId'] === 'string' && /^[\w.-]+$/.test(value['runId']);
}
