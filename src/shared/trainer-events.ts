/**
 * The trainer's event protocol (version 1, docs/trainer-events.md and schemas/events.schema.json) as
 * TypeScript types, with the guard compiled from the schema ahead of time
 * (validators.generated.ts, `npm run schema`): the guard also runs in the webview, whose
 * CSP forbids the `new Function` ajv's run-time compile needs.
 */
import { trainerEvent } from './validators.generated.ts';

type RunStatus = 'completed' | 'cancelled' | 'failed';

interface Base {
  v: 1;
  time: string;
}

interface StartedEvent extends Base {
  type: 'started';
  run_dir: string;
  resumed_from?: string | null;
  config: Record<string, unknown>;
  device: { type: string; count: number; name?: string | null; precision?: string };
  parameters: { total: number; trainable: number };
  examples?: { train?: number; validation?: number };
}
interface ProgressEvent extends Base {
  type: 'progress';
  step: number;
  total_steps: number;
  epoch: number;
  eta_seconds?: number | null;
  elapsed_seconds?: number;
}
interface LogEvent extends Base {
  type: 'log';
  step: number;
  epoch?: number;
  /** null when the loss diverged (JSON has no NaN). */
  loss: number | null;
  learning_rate?: number | null;
  grad_norm?: number | null;
  tokens_per_second?: number | null;
  gpu_memory_bytes?: number | null;
  mean_token_accuracy?: number | null;
}
interface EvalEvent extends Base {
  type: 'eval';
  step: number;
  epoch?: number;
  eval_loss: number | null;
  best_eval_loss?: number | null;
  metrics?: Record<string, number | null>;
}
interface CheckpointEvent extends Base {
  type: 'checkpoint';
  path: string;
  step: number;
}
interface WarningEvent extends Base {
  type: 'warning';
  message: string;
  hint?: string;
}
export interface ErrorEvent extends Base {
  type: 'error';
  kind: 'data' | 'config' | 'environment' | 'oom' | 'internal';
  message: string;
  hint?: string;
  file?: string;
  line?: number;
  /** For a config error: every problem, by the field's path (the message lists them too). */
  problems?: { path: string; message: string }[];
}
interface FinishedEvent extends Base {
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

const validate = trainerEvent as unknown as (data: unknown) => boolean;

/** Whether `value` is an event that schemas/events.schema.json accepts. */
export const isTrainerEvent = (value: unknown): value is TrainerEvent => validate(value);
