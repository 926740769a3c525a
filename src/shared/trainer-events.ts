/**
 * The trainer's event protocol (version 1, docs/trainer-events.md and schemas/events.schema.json) as
 * TypeScript types, with a hand-written guard. Hand-written rather than ajv because the guard also
 * runs in the webview, whose CSP forbids the `new Function` ajv compiles validators with.
 */

export type RunStatus = 'completed' | 'cancelled' | 'failed';

interface Base {
  v: 1;
  time: string;
}

export interface StartedEvent extends Base {
  type: 'started';
  run_dir: string;
  resumed_from?: string | null;
  config: Record<string, unknown>;
  device: { type: string; count: number; name?: string | null; precision?: string };
  parameters: { total: number; trainable: number };
  examples?: { train?: number; validation?: number };
}
export interface ProgressEvent extends Base {
  type: 'progress';
  step: number;
  total_steps: number;
  epoch: number;
  eta_seconds?: number | null;
  elapsed_seconds?: number;
}
export interface LogEvent extends Base {
  type: 'log';
  step: number;
  epoch?: number;
  loss?: number | null;
  learning_rate?: number | null;
  grad_norm?: number | null;
  tokens_per_second?: number | null;
  gpu_memory_bytes?: number | null;
  mean_token_accuracy?: number | null;
}
export interface EvalEvent extends Base {
  type: 'eval';
  step: number;
  epoch?: number;
  eval_loss?: number | null;
  best_eval_loss?: number | null;
  metrics?: Record<string, number | null>;
}
export interface CheckpointEvent extends Base {
  type: 'checkpoint';
  path: string;
  step: number;
}
export interface WarningEvent extends Base {
  type: 'warning';
  message: string;
  hint?: string | null;
}
export interface ErrorEvent extends Base {
  type: 'error';
  kind: string;
  message: string;
  hint?: string | null;
  file?: string | null;
  line?: number | null;
  /** For a config error: every problem, by the field's path (the message lists them too). */
  problems?: { path: string; message: string }[];
}
export interface FinishedEvent extends Base {
  type: 'finished';
  status: RunStatus;
  step?: number;
  paths: Record<string, string>;
  metrics: Record<string, number | null>;
}

export type TrainerEvent =
  | StartedEvent
  | ProgressEvent
  | LogEvent
  | EvalEvent
  | CheckpointEvent
  | WarningEvent
  | ErrorEvent
  | FinishedEvent;

type Obj = Record<string, unknown>;

export const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
export const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');
const isCount = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0;
const isNum = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);
/** Optional number: absent, null (a diverged loss is written as null) or finite. */
const optNum = (value: unknown): boolean => value === undefined || value === null || isNum(value);
const optStr = (value: unknown): boolean =>
  value === undefined || value === null || typeof value === 'string';
const numbers = (value: unknown): boolean =>
  isObject(value) && Object.values(value).every((item) => item === null || typeof item === 'number');
const strings = (value: unknown): boolean =>
  isObject(value) && Object.values(value).every((item) => typeof item === 'string');

const checks: { [K in TrainerEvent['type']]: (event: Obj) => boolean } = {
  started: (e) =>
    typeof e['run_dir'] === 'string' &&
    optStr(e['resumed_from']) &&
    isObject(e['config']) &&
    isObject(e['device']) &&
    typeof e['device']['type'] === 'string' &&
    isCount(e['device']['count']) &&
    isObject(e['parameters']) &&
    isCount(e['parameters']['total']) &&
    isCount(e['parameters']['trainable']),
  progress: (e) =>
    isCount(e['step']) &&
    isCount(e['total_steps']) &&
    isNum(e['epoch']) &&
    optNum(e['eta_seconds']) &&
    optNum(e['elapsed_seconds']),
  log: (e) =>
    isCount(e['step']) &&
    ['epoch', 'loss', 'learning_rate', 'grad_norm', 'tokens_per_second', 'gpu_memory_bytes'].every((key) =>
      optNum(e[key]),
    ),
  eval: (e) =>
    isCount(e['step']) &&
    optNum(e['eval_loss']) &&
    optNum(e['best_eval_loss']) &&
    (e['metrics'] === undefined || numbers(e['metrics'])),
  checkpoint: (e) => typeof e['path'] === 'string' && isCount(e['step']),
  warning: (e) => typeof e['message'] === 'string' && optStr(e['hint']),
  error: (e) =>
    typeof e['kind'] === 'string' &&
    typeof e['message'] === 'string' &&
    optStr(e['hint']) &&
    optStr(e['file']) &&
    (e['problems'] === undefined ||
      (Array.isArray(e['problems']) &&
        e['problems'].every(
          (item) => isObject(item) && typeof item['path'] === 'string' && typeof item['message'] === 'string',
        ))),
  finished: (e) =>
    (e['status'] === 'completed' || e['status'] === 'cancelled' || e['status'] === 'failed') &&
    (e['step'] === undefined || isCount(e['step'])) &&
    strings(e['paths']) &&
    numbers(e['metrics']),
};

/** Whether `value` is an event of protocol version 1 with the fields the editor relies on. */
export function isTrainerEvent(value: unknown): value is TrainerEvent {
  if (!isObject(value) || value['v'] !== 1 || typeof value['time'] !== 'string') return false;
  const type = value['type'];
  if (typeof type !== 'string' || !Object.hasOwn(checks, type)) return false;
  return checks[type as TrainerEvent['type']](value);
}
