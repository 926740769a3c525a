/**
 * Evaluation reports for the panel's tests and benchmark: the hand-made fixture, a seeded report of
 * any size shaped like a real one (long references, a tuned output close to them, a base output that
 * mostly is not, per-token log-probs), and the fixture with markup and scripts in every text field.
 * Each passes the schema's validator, as the panel checks what it receives.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  METRICS,
  checkEvaluationReport,
  type CorpusMetrics,
  type EvaluationExample,
  type EvaluationReport,
  type ExampleScores,
  type FlipTable,
} from '../../src/shared/evaluation-report.ts';
import { flipCell } from '../../src/shared/evaluation-view.ts';
import { seededRandom } from '../../src/core/split/plan.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function checked(value: unknown): EvaluationReport {
  const result = checkEvaluationReport(value);
  if (!result.ok) throw new Error(result.problem);
  return result.report;
}

export const fixtureReport = (): EvaluationReport =>
  checked(JSON.parse(readFileSync(join(ROOT, 'test/fixtures/evaluation-report.json'), 'utf8')));

const WORDS = (
  'the a of to and in is was for on that with as by at from it an be this which or are have has ' +
  'capital city river model answer country north south energy data value first second number ' +
  'people water light system small large early late during after before between under over'
).split(' ');

/** Word overlap F1 of two texts (the SQuAD formula, without normalisation). */
function overlapF1(reference: string, output: string): number {
  const ref = reference.split(' ').filter(Boolean);
  const out = output.split(' ').filter(Boolean);
  if (ref.length === 0 || out.length === 0) return ref.length === out.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const word of ref) counts.set(word, (counts.get(word) ?? 0) + 1);
  let shared = 0;
  for (const word of out) {
    const left = counts.get(word) ?? 0;
    if (left > 0) {
      shared += 1;
      counts.set(word, left - 1);
    }
  }
  if (shared === 0) return 0;
  const precision = shared / out.length;
  const recall = shared / ref.length;
  return (2 * precision * recall) / (precision + recall);
}

function scoresOf(reference: string, output: string): ExampleScores {
  const f1 = Number(overlapF1(reference, output).toFixed(4));
  const exact = reference === output ? 1 : 0;
  const words = (text: string) => text.split(' ').filter(Boolean).length;
  return {
    exact,
    exact_normalized: exact,
    f1,
    rouge1: f1,
    rouge2: Number((f1 * 0.8).toFixed(4)),
    rougeL: Number((f1 * 0.95).toFixed(4)),
    bleu: Number((f1 * 70).toFixed(2)),
    chrf: Number((f1 * 90).toFixed(2)),
    length_ratio: words(reference) === 0 ? null : Number((words(output) / words(reference)).toFixed(4)),
  };
}

const mean = (examples: EvaluationExample[], pick: (example: EvaluationExample) => number | null) => {
  let sum = 0;
  for (const example of examples) sum += pick(example) ?? 0;
  return examples.length === 0 ? 0 : Number((sum / examples.length).toFixed(4));
};

function corpus(examples: EvaluationExample[], system: 'base' | 'tuned'): CorpusMetrics {
  const metrics = {} as CorpusMetrics;
  for (const metric of METRICS)
    metrics[metric] = mean(examples, (example) => example.scores[system]![metric]);
  return metrics;
}

function flipTable(
  examples: EvaluationExample[],
  table: Omit<FlipTable, 'both_right' | 'base_only' | 'tuned_only' | 'both_wrong' | 'mcnemar_p'>,
): FlipTable {
  const full: FlipTable = {
    ...table,
    both_right: 0,
    base_only: 0,
    tuned_only: 0,
    both_wrong: 0,
    mcnemar_p: 1,
  };
  for (const example of examples) {
    const cell = flipCell(example, full);
    if (cell) full[cell] += 1;
  }
  full.mcnemar_p = full.base_only + full.tuned_only === 0 ? 1 : 0.001;
  return full;
}

/**
 * A report of `count` examples of about `words` words each (default ~200 tokens), seeded: 70% of
 * the tuned outputs repeat the reference with a few words changed, the rest and most base outputs
 * share little with it; every example has its reference's per-token log-probs.
 */
export function largeReport(count: number, { seed = 1, words = 150 } = {}): EvaluationReport {
  const next = seededRandom(seed);
  const pick = () => WORDS[Math.floor(next() * WORDS.length)]!;
  const sentence = (length: number) => Array.from({ length }, pick).join(' ');
  const edit = (text: string, changes: number) => {
    const parts = text.split(' ');
    for (let i = 0; i < changes; i += 1) parts[Math.floor(next() * parts.length)] = pick();
    return parts.join(' ');
  };
  const examples: EvaluationExample[] = [];
  for (let index = 0; index < count; index += 1) {
    const length = Math.max(3, Math.round(words * (0.3 + next() * 1.4)));
    const reference = sentence(length);
    const roll = next();
    const tuned =
      roll < 0.25 ? reference : roll < 0.7 ? edit(reference, 1 + Math.floor(next() * 4)) : sentence(length);
    const base =
      next() < 0.1 ? reference : next() < 0.3 ? edit(reference, 8) : sentence(Math.round(length * 0.7));
    const scores = { base: scoresOf(reference, base), tuned: scoresOf(reference, tuned) };
    const change = scores.tuned.f1 - scores.base.f1;
    const tokenTexts = reference.split(' ').map((word, i) => (i === 0 ? word : ` ${word}`));
    const question = `Question ${index}: ${sentence(12)}?`;
    examples.push({
      index,
      line: index + 1,
      prompt: `<|user|>\n${question}\n<|assistant|>\n`,
      messages: [
        { role: 'system', content: 'Answer in one paragraph.' },
        { role: 'user', content: question },
      ],
      reference,
      outputs: { base, tuned },
      scores,
      outcome: change > 1e-9 ? 'improved' : change < -1e-9 ? 'regressed' : 'unchanged',
      correct: { base: scores.base.exact_normalized === 1, tuned: scores.tuned.exact_normalized === 1 },
      tokens: {
        text: tokenTexts,
        base: tokenTexts.map(() => Number((-1 - next() * 6).toFixed(3))),
        tuned: tokenTexts.map(() => Number((-next() * 3).toFixed(3))),
      },
    });
  }
  const base = corpus(examples, 'base');
  const tuned = corpus(examples, 'tuned');
  const delta = {} as CorpusMetrics;
  for (const metric of METRICS) delta[metric] = Number((tuned[metric] - base[metric]).toFixed(4));
  const outcomes = { improved: 0, regressed: 0, unchanged: 0, error: 0 };
  for (const example of examples) outcomes[example.outcome] += 1;
  const fixture = fixtureReport();
  return checked({
    ...fixture,
    id: 'final',
    source: { kind: 'evaluate', heldout: { path: '/workspace/big/val.jsonl', lines: count } },
    metrics: { base, tuned, delta, signatures: fixture.metrics.signatures },
    comparison: {
      outcomes,
      flips: [
        flipTable(examples, { metric: 'exact_normalized' }),
        flipTable(examples, { metric: 'f1', threshold: 0.5 }),
      ],
      bootstrap: {
        resamples: 1000,
        seed: 0,
        confidence: 0.95,
        metrics: { f1: { delta: delta.f1, low: delta.f1 - 0.01, high: delta.f1 + 0.01 } },
      },
      verdict: `Tuned is better on F1 (${delta.f1 >= 0 ? '+' : ''}${delta.f1.toFixed(2)}) at n = ${count}.`,
    },
    examples,
    notes: [`A generated report of ${count} examples for the panel's tests and benchmark.`],
  });
}

/** Markup, scripts and links that must show as text wherever a report's text appears. */
export const PAYLOADS = [
  '<img src=x onerror="window.__pwned=1;alert(1)">',
  '</script><script>window.__pwned=2;alert(2)</script>',
  '[click me](javascript:window.__pwned=3) <a href="javascript:alert(3)">link</a>',
  '**bold** _it_ `code` | pipe | <b>html</b> &amp; &lt;',
  '<svg onload="window.__pwned=4"></svg><iframe src="javascript:alert(4)"></iframe>',
] as const;

/** The fixture with a payload in every text a report carries (prompts, turns, references, outputs, labels…). */
export function hostileReport(): EvaluationReport {
  const report = fixtureReport();
  const payload = (i: number) => PAYLOADS[i % PAYLOADS.length]!;
  report.examples.forEach((example, i) => {
    example.prompt = `${payload(i)} ${example.prompt}`;
    example.messages = [
      { role: payload(i + 1), content: `${payload(i + 2)} ${example.messages?.[0]?.content ?? ''}` },
    ];
    example.reference = `${example.reference} ${payload(i + 3)}`;
    example.outputs = { base: `${payload(i + 4)} base`, tuned: `${example.reference} ${payload(i)}` };
    if (example.tokens) example.tokens.text[0] = payload(i + 1);
  });
  report.examples[3]!.outcome = 'error';
  report.examples[3]!.error = `could not score ${PAYLOADS[0]}`;
  report.systems.base!.label = `base ${PAYLOADS[0]}`;
  report.systems.tuned.label = `tuned ${PAYLOADS[3]}`;
  report.comparison!.verdict = `Verdict ${PAYLOADS[1]}`;
  report.notes = [...PAYLOADS];
  report.problems = [{ line: 9, message: `bad line ${PAYLOADS[2]}` }];
  report.metrics.signatures.bleu = `nrefs:1|${PAYLOADS[4]}`;
  report.generation!.prompt_rendering = PAYLOADS[1];
  report.classification = {
    labels: [PAYLOADS[0], 'yes'],
    systems: {
      tuned: {
        accuracy: 0.5,
        macro_f1: 0.5,
        micro_f1: 0.5,
        per_label: [
          { label: PAYLOADS[0], precision: 0.5, recall: 0.5, f1: 0.5, support: 3 },
          { label: 'yes', precision: 0.5, recall: 0.5, f1: 0.5, support: 3 },
        ],
        columns: [PAYLOADS[0], 'yes', '(other)'],
        confusion: [
          [1, 1, 1],
          [1, 2, 0],
        ],
      },
    },
  };
  return checked(report);
}
