/**
 * What `evaluate` appends to `<run>/evaluation.events.jsonl` (docs/trainer-events.md, "Evaluation
 * events"; schemas/evaluation-events.schema.json), with a hand-written guard like trainer-events.ts.
 */
import { isObject, isTrainerEvent, type ErrorEvent } from './trainer-events.ts';

export interface EvaluationSummary {
  /** The evaluation.jsonl written: one row per example with the base and tuned generations. */
  output: string;
  examples: number;
  /** Fractions of examples whose generation equals the reference exactly. */
  exact_match: { base: number; tuned: number };
}

export type EvaluationEvent =
  | { v: 1; time: string; type: 'eval_started'; file?: string; limit?: number }
  | { v: 1; time: string; type: 'eval_progress'; phase: 'base' | 'tuned'; done: number; total: number }
  | ErrorEvent
  | {
      v: 1;
      time: string;
      type: 'eval_finished';
      status: 'completed' | 'failed';
      summary?: EvaluationSummary;
    };

const isCount = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0;

export function isEvaluationSummary(value: unknown): value is EvaluationSummary {
  return (
    isObject(value) &&
    typeof value['output'] === 'string' &&
    isCount(value['examples']) &&
    isObject(value['exact_match']) &&
    typeof value['exact_match']['base'] === 'number' &&
    typeof value['exact_match']['tuned'] === 'number'
  );
}

export function isEvaluationEvent(value: unknown): value is EvaluationEvent {
  if (!isObject(value) || value['v'] !== 1 || typeof value['time'] !== 'string') return false;
  switch (value['type']) {
    case 'eval_started':
      return true;
    case 'eval_progress':
      return (
        (value['phase'] === 'base' || value['phase'] === 'tuned') &&
        isCount(value['done']) &&
        isCount(value['total'])
      );
    case 'error':
      return isTrainerEvent(value);
    case 'eval_finished':
      return (
        (value['status'] === 'completed' || value['status'] === 'failed') &&
        (value['summary'] === undefined || isEvaluationSummary(value['summary']))
      );
    default:
      return false;
  }
}
