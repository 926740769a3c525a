/**
 * What `evaluate` appends to `<run>/evaluation.events.jsonl` (docs/trainer-events.md, "Evaluation
 * events"; schemas/evaluation-events.schema.json), with a hand-written guard like trainer-events.ts.
 */
import { isObject, isTrainerEvent, type ErrorEvent } from './trainer-events.ts';

/** Headline corpus metrics of one system: fractions, and BLEU / chrF on sacreBLEU's 0–100 scale. */
export interface EvaluationHeadline {
  exact_normalized: number;
  f1: number;
  rougeL: number;
  bleu: number;
  chrf: number;
}

export interface EvaluationSummary {
  /** The report written (the same as `report`; before reports, the evaluation.jsonl). */
  output: string;
  /** The evaluation report (schemas/evaluation-report.schema.json). */
  report?: string;
  /** `final`, or the checkpoint's folder name. */
  id?: string;
  examples: number;
  /** Fractions of examples whose output equals the reference (surrounding whitespace aside). */
  exact_match: { base: number; tuned: number };
  /** The metric that decides improved / regressed. */
  primary?: string;
  metrics?: { base?: EvaluationHeadline; tuned: EvaluationHeadline };
  outcomes?: { improved: number; regressed: number; unchanged: number; error: number };
  /** In words: whether tuned differs from base beyond noise, and on which metrics. */
  verdict?: string;
  /** How many problems the report lists. */
  problems?: number;
}

export type EvaluationEvent =
  | { v: 1; time: string; type: 'eval_started'; file?: string; limit?: number; checkpoint?: string }
  | { v: 1; time: string; type: 'eval_progress'; phase: 'base' | 'tuned'; done: number; total: number }
  | ErrorEvent
  | {
      v: 1;
      time: string;
      type: 'eval_finished';
      /** `cancelled`: SIGTERM or SIGINT stopped it; the previous report is left as it was. */
      status: 'completed' | 'cancelled' | 'failed';
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
        (value['status'] === 'completed' ||
          value['status'] === 'cancelled' ||
          value['status'] === 'failed') &&
        (value['summary'] === undefined || isEvaluationSummary(value['summary']))
      );
    default:
      return false;
  }
}
