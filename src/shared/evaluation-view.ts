/**
 * How an evaluation report reads to a person, in one place for every view of it: the evaluation panel,
 * its Markdown and HTML exports and the editor's inline results (CodeLens, hover, List Regressions):
 * metric names and number formats, the word-level differences of an output against the reference,
 * the flip-table cell an example falls in, and the Δlog-prob shade of each reference token. No DOM,
 * no `vscode`: pure functions of the report (schemas/evaluation-report.schema.json).
 */
import { diffWordsWithSpace } from 'diff';
import {
  METRICS,
  type EvaluationExample,
  type EvaluationReport,
  type FlipTable,
  type MetricName,
  type SystemId,
  type Turn,
} from './evaluation-report.ts';

export const METRIC_LABELS: Record<MetricName, string> = {
  exact: 'exact match',
  exact_normalized: 'exact match (normalised)',
  f1: 'token F1',
  rouge1: 'ROUGE-1',
  rouge2: 'ROUGE-2',
  rougeL: 'ROUGE-L',
  bleu: 'BLEU',
  chrf: 'chrF',
  length_ratio: 'length ratio',
};

/** Short names for narrow places (a row's score cell, a chart legend). */
export const METRIC_SHORT: Record<MetricName, string> = {
  exact: 'EM',
  exact_normalized: 'EM (norm.)',
  f1: 'F1',
  rouge1: 'R-1',
  rouge2: 'R-2',
  rougeL: 'R-L',
  bleu: 'BLEU',
  chrf: 'chrF',
  length_ratio: 'len',
};

/** The schema's scales: exact match is a share, F1 and ROUGE lie in [0, 1], BLEU and chrF in [0, 100]. */
function scale(metric: MetricName): 'share' | 'unit' | 'points' | 'ratio' {
  if (metric === 'exact' || metric === 'exact_normalized') return 'share';
  if (metric === 'bleu' || metric === 'chrf') return 'points';
  return metric === 'length_ratio' ? 'ratio' : 'unit';
}

/**
 * A real minus sign ("−0.12" reads as negative at a glance, "-0.12" can pass for a dash); a value that
 * rounds to zero gets no sign.
 */
function signed(text: string, value: number): string {
  const bare = text.replace('-', '');
  if (Number(bare) === 0) return bare;
  return value > 0 ? `+${bare}` : `−${bare}`;
}

export function formatMetric(metric: MetricName, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  switch (scale(metric)) {
    case 'share':
      return `${(value * 100).toFixed(1)}%`;
    case 'points':
      return value.toFixed(1);
    case 'ratio':
      return value.toFixed(2);
    case 'unit':
      return value.toFixed(3);
  }
}

/** A difference (tuned − base) in the metric's own unit: exact match in percentage points. */
export function formatDelta(metric: MetricName, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  switch (scale(metric)) {
    case 'share':
      return `${signed((value * 100).toFixed(1), value)} pp`;
    case 'points':
      return signed(value.toFixed(1), value);
    case 'ratio':
      return signed(value.toFixed(2), value);
    case 'unit':
      return signed(value.toFixed(3), value);
  }
}

/** What the report calls a system (`base`, `run-2 (tuned)`, `checkpoint-150`). */
export const systemLabel = (report: Pick<EvaluationReport, 'systems'>, system: SystemId): string =>
  report.systems[system]?.label ?? system;

/** One system's score of one example, or null where it has none (no base, an empty reference). */
export function exampleScore(
  example: Pick<EvaluationExample, 'scores'>,
  system: SystemId,
  metric: MetricName,
): number | null {
  const value = example.scores[system]?.[metric];
  return typeof value === 'number' ? value : null;
}

/** Tuned − base of one example's score, or null when either is missing. */
export function exampleDelta(example: Pick<EvaluationExample, 'scores'>, metric: MetricName): number | null {
  const base = exampleScore(example, 'base', metric);
  const tuned = exampleScore(example, 'tuned', metric);
  return base === null || tuned === null ? null : tuned - base;
}

export const FLIP_CELLS = ['both_right', 'base_only', 'tuned_only', 'both_wrong'] as const;
export type FlipCell = (typeof FLIP_CELLS)[number];

/** A flip table's name: "exact match (normalised)", "token F1 ≥ 0.5". */
export const flipTitle = (table: FlipTable): string =>
  table.threshold === undefined
    ? METRIC_LABELS[table.metric]
    : `${METRIC_LABELS[table.metric]} ≥ ${table.threshold}`;

/**
 * The cell of a flip table an example falls in, from its scores as the schema defines "right" (at
 * least the threshold; without one, a score of 1), or undefined without a base score.
 */
export function flipCell(example: EvaluationExample, table: FlipTable): FlipCell | undefined {
  const base = exampleScore(example, 'base', table.metric);
  const tuned = exampleScore(example, 'tuned', table.metric);
  if (base === null || tuned === null) return undefined;
  const right = (score: number) => (table.threshold === undefined ? score === 1 : score >= table.threshold);
  if (right(base)) return right(tuned) ? 'both_right' : 'base_only';
  return right(tuned) ? 'tuned_only' : 'both_wrong';
}

/** A run of text in an output marked against the reference. */
export interface DiffPart {
  /** `added`: in the output, not in the reference; `removed`: in the reference, missing from the output. */
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/**
 * Word-level differences of an output against the reference (jsdiff's diffWordsWithSpace: spaces are
 * tokens too, so "Lima." and "Lima ." differ, as they do for exact match). Very different long texts
 * make the diff quadratic; past `timeoutMs` it gives up and returns undefined (the caller shows the
 * output unmarked, and may try again with more time).
 */
export function wordDiff(reference: string, output: string, timeoutMs?: number): DiffPart[] | undefined {
  if (reference === output) return output === '' ? [] : [{ kind: 'same', text: output }];
  const changes =
    timeoutMs === undefined
      ? diffWordsWithSpace(reference, output)
      : diffWordsWithSpace(reference, output, { timeout: timeoutMs });
  if (!changes) return undefined;
  return coalesce(
    changes.map((change) => ({
      kind: change.added ? 'added' : change.removed ? 'removed' : 'same',
      text: change.value,
    })),
  );
}

/**
 * With spaces as tokens, two unrelated sentences diff as word-for-word swaps around each shared space
 * ("[-The-]{+Peru+} [-capital-]{+is+} …"). A space kept between two changes joins them instead: each
 * run of changes becomes what the reference had there, then what the output has. Both texts are kept.
 */
function coalesce(parts: DiffPart[]): DiffPart[] {
  const out: DiffPart[] = [];
  let removed = '';
  let added = '';
  const flush = () => {
    if (removed) out.push({ kind: 'removed', text: removed });
    if (added) out.push({ kind: 'added', text: added });
    removed = added = '';
  };
  parts.forEach((part, i) => {
    const inRun = removed !== '' || added !== '';
    const next = parts[i + 1];
    if (part.kind === 'removed') removed += part.text;
    else if (part.kind === 'added') added += part.text;
    else if (inRun && next && next.kind !== 'same' && /^\s+$/.test(part.text)) {
      removed += part.text;
      added += part.text;
    } else {
      flush();
      out.push(part);
    }
  });
  flush();
  return out;
}

/**
 * Whether a word diff of the two would be slow: Myers' algorithm takes (N + M) × D steps, and D (the
 * edit distance in tokens) is at least the words the two do not share. Two unrelated 150-word texts
 * (an estimate of ~100,000) take 10-50 ms; a few words changed in them (~3,000) well under one.
 * Linear in the texts, one map.
 */
export function costlyDiff(reference: string, output: string): boolean {
  return diffCost(reference, output) > 40_000;
}

function diffCost(reference: string, output: string): number {
  const counts = new Map<string, number>();
  let words = 0;
  for (const word of reference.split(/\s+/)) {
    if (!word) continue;
    counts.set(word, (counts.get(word) ?? 0) + 1);
    words += 1;
  }
  let shared = 0;
  for (const word of output.split(/\s+/)) {
    if (!word) continue;
    words += 1;
    const left = counts.get(word) ?? 0;
    if (left > 0) {
      shared += 1;
      counts.set(word, left - 1);
    }
  }
  // Spaces are tokens too: twice the words, twice the differences.
  return 2 * words * 2 * (words - 2 * shared);
}

/** The prompt's turns: the chat messages when the data was chat, else the prompt as one turn. */
export const promptTurns = (example: EvaluationExample): Turn[] =>
  example.messages && example.messages.length > 0
    ? example.messages
    : [{ role: 'prompt', content: example.prompt }];

/** The prompt in one line: the last user turn of a chat (what was asked), else the prompt. */
export function promptLine(example: EvaluationExample): string {
  const turns = example.messages ?? [];
  const asked = turns.findLast((turn) => turn.role === 'user') ?? turns.at(-1);
  const text = asked ? `${asked.role}: ${asked.content}` : example.prompt;
  return text.replace(/\s+/g, ' ').trim();
}

/** |Δlog-prob| at which each shade starts, in nats: shade k covers [edges[k-1], edges[k]). */
export const SHADE_EDGES = [0.25, 0.5, 1, 2, 4] as const;

/** A reference token under the teacher-forced pass: how much more likely tuned made it than base. */
interface TokenShade {
  text: string;
  base: number;
  tuned: number;
  /** tuned − base, natural log. */
  delta: number;
  /** −5 … 5: the sign of delta, and how many of SHADE_EDGES |delta| reaches. */
  shade: number;
}

export function tokenShades(tokens: NonNullable<EvaluationExample['tokens']>): TokenShade[] {
  const count = Math.min(tokens.text.length, tokens.base.length, tokens.tuned.length);
  const shades: TokenShade[] = [];
  for (let i = 0; i < count; i += 1) {
    const base = tokens.base[i]!;
    const tuned = tokens.tuned[i]!;
    const delta = tuned - base;
    const level = SHADE_EDGES.filter((edge) => Math.abs(delta) >= edge).length;
    shades.push({
      text: tokens.text[i]!,
      base,
      tuned,
      delta,
      shade: level === 0 ? 0 : Math.sign(delta) * level,
    });
  }
  return shades;
}

/** A token's values as its tooltip says them. */
export const tokenTitle = (token: TokenShade): string =>
  `${JSON.stringify(token.text)}: log-prob base ${token.base.toFixed(2)}, tuned ${token.tuned.toFixed(2)}, ` +
  `Δ ${signed(token.delta.toFixed(2), token.delta)}`;

/** One line of the corpus-metrics table, formatted: what the panel's header and both exports show. */
interface MetricRow {
  metric: MetricName;
  label: string;
  primary: boolean;
  base: string;
  tuned: string;
  /** tuned − base; '–' without base. */
  delta: string;
  /** The paired bootstrap's interval of the difference ("+0.050 to +0.600"), when computed. */
  interval?: string;
  /** sacreBLEU's signature, for BLEU and chrF. */
  signature?: string;
}

export function metricRows(report: EvaluationReport): MetricRow[] {
  const { metrics, comparison } = report;
  return METRICS.map((metric) => {
    const bootstrap = comparison?.bootstrap.metrics[metric];
    const delta =
      metrics.delta?.[metric] ?? (metrics.base ? metrics.tuned[metric] - metrics.base[metric] : null);
    const row: MetricRow = {
      metric,
      label: METRIC_LABELS[metric],
      primary: metric === report.primary,
      base: formatMetric(metric, metrics.base?.[metric]),
      tuned: formatMetric(metric, metrics.tuned[metric]),
      delta: formatDelta(metric, delta),
    };
    if (bootstrap)
      row.interval = `${formatDelta(metric, bootstrap.low)} to ${formatDelta(metric, bootstrap.high)}`;
    if (metric === 'bleu' || metric === 'chrf') row.signature = metrics.signatures[metric];
    return row;
  });
}

/** "95% CI, 1,000 paired bootstrap resamples (seed 0)", or undefined without a comparison. */
export function intervalTitle(report: EvaluationReport): string | undefined {
  const bootstrap = report.comparison?.bootstrap;
  if (!bootstrap) return undefined;
  const level = `${Math.round(bootstrap.confidence * 1000) / 10}% CI`;
  return `${level}, ${bootstrap.resamples.toLocaleString('en-US')} paired bootstrap resamples (seed ${bootstrap.seed})`;
}

/** How the outputs were produced, as label and value: the generation settings the report records. */
export function generationFacts(report: EvaluationReport): [string, string][] {
  const generation = report.generation;
  if (!generation) return [];
  const perSystem = (value: Partial<Record<SystemId, number>> | undefined, unit: string) =>
    (['base', 'tuned'] as const)
      .filter((system) => value?.[system] !== undefined)
      .map((system) => `${systemLabel(report, system)} ${value![system]!.toFixed(1)} ${unit}`)
      .join(', ');
  const facts: [string, string][] = [
    ['prompt rendering', generation.prompt_rendering],
    ['decoding', generation.decoding],
    [
      'sampling',
      generation.greedy
        ? 'greedy'
        : `sampling${generation.temperature === undefined ? '' : `, temperature ${generation.temperature}`}`,
    ],
    ['max new tokens', String(generation.max_new_tokens)],
    ['batch size', String(generation.batch_size)],
  ];
  if (generation.device) facts.push(['device', generation.device]);
  const seconds = perSystem(generation.seconds, 's');
  if (seconds) facts.push(['time', seconds]);
  const speed = perSystem(generation.examples_per_second, 'examples/s');
  if (speed) facts.push(['speed', speed]);
  return facts;
}

/** Where the report's examples came from and what was evaluated, as label and value. */
export function sourceFacts(report: EvaluationReport): [string, string][] {
  const facts: [string, string][] = [];
  if (report.run) {
    const at = report.run.checkpoint ?? (report.run.step === undefined ? 'final' : `step ${report.run.step}`);
    facts.push(['run', `${report.run.dir} (${at})`]);
  }
  const { heldout, predictions, reports } = report.source;
  if (heldout)
    facts.push([
      'held-out file',
      heldout.lines === undefined ? heldout.path : `${heldout.path} (${heldout.lines} lines)`,
    ]);
  if (predictions) facts.push(['predictions', `${predictions.path} (${predictions.layout})`]);
  if (reports) facts.push(['compared reports', `${reports.base} → ${reports.tuned}`]);
  for (const system of ['base', 'tuned'] as const) {
    const info = report.systems[system];
    if (!info) continue;
    const parts = [info.model, info.weights && `+ ${info.weights}`, info.report].filter(Boolean);
    if (parts.length > 0) facts.push([info.label, parts.join(' ')]);
  }
  facts.push(['created', report.created]);
  return facts;
}

/**
 * An example's primary metric, base → tuned with the change: "token F1 0.000 → 0.833 (+0.833)"; the
 * tuned score alone without a base. `names`: METRIC_LABELS, or METRIC_SHORT where space is short.
 */
export function scoreChange(
  report: Pick<EvaluationReport, 'primary'>,
  example: Pick<EvaluationExample, 'scores'>,
  names: Record<MetricName, string> = METRIC_LABELS,
): string {
  const metric = report.primary;
  const tuned = formatMetric(metric, exampleScore(example, 'tuned', metric));
  if (!example.scores.base) return `${names[metric]} ${tuned}`;
  const base = formatMetric(metric, exampleScore(example, 'base', metric));
  return `${names[metric]} ${base} → ${tuned} (${formatDelta(metric, exampleDelta(example, metric))})`;
}

/** A system's label cut to `max` characters, for a line of text that holds several. */
const shortLabel = (report: Pick<EvaluationReport, 'systems'>, system: SystemId, max = 24): string => {
  const label = systemLabel(report, system);
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
};

/**
 * One example's result in a line, as the editor shows it above the held-out line: each system right
 * (✓) or wrong (✗) by `correct`, then the primary metric with its change, and the outcome when it is
 * one to look at: "tuned ✓ · base ✗ · F1 0.400 → 1.000 (+0.600)", "… · regressed", "tuned ✓ · F1 1.000".
 */
/** What a result's line reads of a report and an example (the editor keeps only this of a report). */
export type ResultReport = Pick<EvaluationReport, 'primary' | 'systems'>;
export type ResultExample = Pick<EvaluationExample, 'correct' | 'scores' | 'outcome' | 'error'>;

export function resultLine(report: ResultReport, example: ResultExample): string {
  const parts = [`${shortLabel(report, 'tuned')} ${example.correct.tuned ? '✓' : '✗'}`];
  if (example.correct.base !== undefined && example.scores.base !== undefined)
    parts.push(`${shortLabel(report, 'base')} ${example.correct.base ? '✓' : '✗'}`);
  parts.push(scoreChange(report, example, METRIC_SHORT));
  if (example.outcome === 'regressed') parts.push('regressed');
  if (example.outcome === 'error') parts.push(`error: ${example.error ?? 'not scored as a pair'}`);
  return parts.join(' · ');
}

/**
 * The regressed examples, the largest loss of the primary metric first (then in file order): where
 * to look first when the tuned model got worse.
 */
export function regressionsByLoss(report: EvaluationReport): EvaluationExample[] {
  const loss = (example: EvaluationExample) => exampleDelta(example, report.primary) ?? 0;
  return report.examples
    .filter((example) => example.outcome === 'regressed')
    .sort((a, b) => loss(a) - loss(b) || a.index - b.index);
}
