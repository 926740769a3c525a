/**
 * What `evaluate` appends to `<run>/evaluation.events.jsonl` (docs/trainer-events.md, "Evaluation
 * events"; schemas/evaluation-events.schema.json), with the guard compiled from that schema ahead of
 * time (validators.generated.ts, `npm run schema`) as for the trainer's events.
 */
import { evaluationEvent, evaluationSummary } from './validators.generated.ts';
import type { ErrorEvent } from './trainer-events.ts';

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

/** Whether `value` is an event that schemas/evaluation-events.schema.json accepts. */
export const isEvaluationEvent = (value: unknown): value is EvaluationEvent => evaluationEvent(value);

/** Whether `value` is an evaluation's summary as `eval_finished` carries it. */
export const isEvaluationSummary = (value: unknown): value is EvaluationSummary => evaluationSummary(value);
