/**
 * An evaluation report (`<run>/evaluations/<id>.json`, schemas/evaluation-report.schema.json,
 * docs/evaluation.md): what `evaluate`, `score` and `compare` write, and what the evaluation panel,
 * the editor's inline results and the exports read. The schema is the one truth: the trainer
 * validates against it in its tests and the TypeScript side checks with the validator generated from
 * it (run where a webview's CSP forbids compiling one), so the types below only name its shape.
 */
import { evaluationReport } from './validators.generated.ts';

export const METRICS = [
  'exact',
  'exact_normalized',
  'f1',
  'rouge1',
  'rouge2',
  'rougeL',
  'bleu',
  'chrf',
  'length_ratio',
] as const;
export type MetricName = (typeof METRICS)[number];

/** The two systems of a report: `base` is the reference point, `tuned` the candidate. */
export type SystemId = 'base' | 'tuned';
type PerSystem<T> = { base?: T; tuned: T };

interface ReportSystem {
  label: string;
  model?: string;
  weights?: string;
  report?: string;
}

export type CorpusMetrics = Record<MetricName, number>;
export type ExampleScores = Record<Exclude<MetricName, 'length_ratio'>, number> & {
  length_ratio: number | null;
};

export interface FlipTable {
  metric: MetricName;
  threshold?: number;
  both_right: number;
  /** Right for base, wrong for tuned: regressions. */
  base_only: number;
  /** Wrong for base, right for tuned: fixes. */
  tuned_only: number;
  both_wrong: number;
  mcnemar_p: number;
}

interface Interval {
  delta: number;
  low: number;
  high: number;
}

interface Comparison {
  outcomes: Record<Outcome, number>;
  flips: FlipTable[];
  bootstrap: {
    resamples: number;
    seed: number;
    confidence: number;
    metrics: Partial<Record<MetricName, Interval>>;
  };
  verdict: string;
}

interface ClassificationReport {
  accuracy: number;
  macro_f1: number;
  micro_f1: number;
  per_label: { label: string; precision: number; recall: number; f1: number; support: number }[];
  columns: string[];
  confusion: number[][];
}

export type Outcome = 'improved' | 'regressed' | 'unchanged' | 'error';

export interface Turn {
  role: string;
  content: string;
}

export interface EvaluationExample {
  index: number;
  line?: number;
  line_hash?: string;
  prompt: string;
  messages?: Turn[];
  reference: string;
  outputs: PerSystem<string>;
  scores: PerSystem<ExampleScores>;
  outcome: Outcome;
  correct: PerSystem<boolean>;
  tokens?: { text: string[]; base: number[]; tuned: number[] };
  truncated?: SystemId[];
  error?: string;
}

export interface EvaluationReport {
  format: 'tunesmith-evaluation';
  version: 1;
  id: string;
  created: string;
  run?: { dir: string; checkpoint?: string; step?: number };
  source: {
    kind: 'evaluate' | 'score' | 'compare';
    heldout?: { path: string; sha256?: string; lines?: number };
    predictions?: {
      path: string;
      layout: 'tunesmith' | 'llamafactory' | 'columns';
      columns: { prompt?: string; reference: string; base?: string; tuned: string; line?: string };
    };
    reports?: { base: string; tuned: string };
  };
  systems: PerSystem<ReportSystem>;
  generation?: {
    prompt_rendering: string;
    decoding: string;
    greedy: boolean;
    temperature?: number;
    max_new_tokens: number;
    batch_size: number;
    device?: string;
    seconds?: Partial<PerSystem<number>>;
    examples_per_second?: Partial<PerSystem<number>>;
  };
  primary: MetricName;
  metrics: {
    base?: CorpusMetrics;
    tuned: CorpusMetrics;
    delta?: CorpusMetrics;
    signatures: { bleu: string; chrf: string };
  };
  comparison: Comparison | null;
  classification?: { labels: string[]; systems: PerSystem<ClassificationReport> };
  json?: { references: number; systems: PerSystem<{ parses: number; same_keys: number }> };
  examples: EvaluationExample[];
  problems: { line?: number; message: string }[];
  notes: string[];
}

interface AjvError {
  instancePath: string;
  message?: string;
}
type Validate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
const validate = evaluationReport as unknown as Validate;

/** The report, or what is wrong with it in a line (the first few schema errors, by JSON path). */
export function checkEvaluationReport(
  value: unknown,
): { ok: true; report: EvaluationReport } | { ok: false; problem: string } {
  if (validate(value)) return { ok: true, report: value as EvaluationReport };
  const errors = (validate.errors ?? []).slice(0, 3);
  const problem = errors.map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
  return { ok: false, problem: `not an evaluation report (version 1): ${problem.join('; ')}` };
}
